"""Importing dpctl and dpnp (once), after making Intel's OpenCL CPU runtime visible.

dpctl's SYCL runtime reaches OpenCL devices through the same ICD loader PyOpenCL
uses, so Intel's OpenCL CPU runtime from PyPI (``pip install -e ".[intel]"``) needs
the same set-up: an ICD file naming ``libintelocl.so`` and its dependencies loaded.
The OpenCL plugin's ``_icd.prepare`` does exactly that, and does it once per process
whichever plugin asks first; it must run before dpctl first loads the ICD loader.

hal also turns on SYCL's persistent JIT cache (in hal's cache directory) unless the
user configured it: a kernel dpnp JIT-compiles for the device is then compiled once
per machine instead of once per process.
"""

from __future__ import annotations

import functools
import os
import threading

#: what the set-up did, for ``hal devices`` / ``hal doctor`` and error messages
REPORT: list[str] = []


def _prepare_icd() -> None:
    try:
        from hal_opencl import _icd
    except ImportError:  # hal installed without its OpenCL plugin: nothing to reuse
        REPORT.append("hal_opencl is not installed: the Intel OpenCL ICD was not set up")
        return
    _icd.prepare()
    REPORT.extend(_icd.REPORT)


def _prepare_jit_cache() -> None:
    if "SYCL_CACHE_PERSISTENT" in os.environ or "SYCL_CACHE_DIR" in os.environ:
        return  # the user's own SYCL cache settings win
    from hal.toolkit import private_dir
    # SYCL loads binaries from its cache: only a directory hal trusts (None when
    # HAL_NO_CACHE=1, or the cache is untrusted or unwritable: SYCL then JIT-compiles)
    directory = private_dir("sycl")
    if directory is None:
        return
    os.environ["SYCL_CACHE_PERSISTENT"] = "1"
    os.environ["SYCL_CACHE_DIR"] = directory


# functools.cache alone would let two threads run the set-up at once
_FIRST_USE = threading.RLock()


@functools.cache
def _dpctl():
    _prepare_icd()
    _prepare_jit_cache()
    import dpctl as module
    return module


@functools.cache
def _dpnp():
    _dpctl()
    import dpnp as module
    return module


def dpctl():
    """The ``dpctl`` module, imported after the set-up above."""
    with _FIRST_USE:
        return _dpctl()


def dpnp():
    with _FIRST_USE:
        return _dpnp()
