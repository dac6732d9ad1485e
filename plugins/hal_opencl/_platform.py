"""Importing PyOpenCL (once, after the ICD set-up) and the device list."""

from __future__ import annotations

import functools


@functools.cache
def cl():
    from . import _icd
    _icd.prepare()  # must run before the ICD loader is first used
    import pyopencl
    return pyopencl


@functools.cache
def devices():
    from ._devices import enumerate_devices
    return enumerate_devices(cl())
