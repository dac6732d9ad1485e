"""Builds hal's optional C speedups; everything else is in pyproject.toml.

``optional=True``: without a C compiler the build still succeeds and hal runs its
pure-Python hot path instead (same results, more per-op overhead).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[Extension("hal._speedups", ["hal/_speedups.c"], optional=True)],
)
