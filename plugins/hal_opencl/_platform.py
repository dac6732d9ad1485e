"""Importing PyOpenCL (once, after the ICD set-up) and the device list."""

from __future__ import annotations

import functools
import threading
import warnings

# functools.cache alone lets two threads run the first call at once; the lock makes
# the ICD set-up and the enumeration happen once per process.
_FIRST_USE = threading.RLock()


@functools.cache
def _cl():
    from . import _icd
    _icd.prepare()  # must run before the ICD loader is first used
    import pyopencl
    # PyOpenCL warns on any compiler output (PoCL and Intel print notes even on
    # success), and a real failure raises with the full log anyway.  A filter set once
    # here, not warnings.catch_warnings() around each build: that swaps the process's
    # filters and is not thread-safe (a build in another thread leaked the warning).
    warnings.filterwarnings("ignore", category=pyopencl.CompilerWarning)
    return pyopencl


@functools.cache
def _devices():
    from ._devices import enumerate_devices
    return enumerate_devices(cl())


def cl():
    with _FIRST_USE:
        return _cl()


def devices():
    with _FIRST_USE:
        return _devices()
