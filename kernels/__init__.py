"""hal's portable kernel sources (installed as the ``hal_kernels`` package).

The sources are files, not Python strings, so they can be diffed and hashed; hal's
``_kernels`` module loads them with the manifest.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
