"""Make Intel's OpenCL CPU runtime from PyPI visible to the ICD loader.

``pip install intel-opencl-rt`` puts ``libintelocl.so`` in ``<prefix>/lib`` but its
own ICD file names a path that does not exist, and its dependencies (TBB, SVML ...)
are not on the loader's search path.  Before PyOpenCL first loads the ICD loader,
hal (when the user has not set ``OCL_ICD_VENDORS`` themselves):

1. writes an ICD file naming the real library into a directory of hal's cache and
   points ``OCL_ICD_VENDORS`` at it (PyOpenCL's bundled loader still finds PoCL);
2. pre-loads the runtime's dependencies with ``RTLD_GLOBAL``, which does what
   ``LD_LIBRARY_PATH=<prefix>/lib`` would, without restarting the process.

Everything is best effort: what was found and what was not is kept in ``REPORT``
for ``hal devices`` and ``hal doctor``.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
import sys

REPORT: list[str] = []

_DEPENDENCIES = ("libtbb.so.12", "libimf.so", "libsvml.so", "libirng.so", "libintlc.so.5")


def _prefixes() -> list[str]:
    prefixes = [sys.prefix, os.environ.get("VIRTUAL_ENV", ""), os.environ.get("CONDA_PREFIX", "")]
    return [p for i, p in enumerate(prefixes) if p and p not in prefixes[:i]]


def find_intel_runtime() -> str | None:
    for prefix in _prefixes():
        lib = os.path.join(prefix, "lib", "libintelocl.so")
        if os.path.exists(lib):
            return lib
    return None


def _icd_dir() -> str:
    # the ICD file names a library every process then loads: keep it where only this
    # user can write (hal's cache when trusted, else a private temporary directory)
    from hal.toolkit import private_dir
    directory = private_dir("opencl-vendors")
    if directory is None:
        import atexit
        import shutil
        import tempfile
        directory = tempfile.mkdtemp(prefix="hal-opencl-vendors-")
        atexit.register(shutil.rmtree, directory, True)
    return directory


_PREPARING = threading.Lock()


def prepare() -> None:
    """Called once, before the first ``import pyopencl`` (or dpctl), from any thread."""
    with _PREPARING:  # the OpenCL and oneAPI plugins may both ask first, from two threads
        if not REPORT:
            _prepare()


def _prepare() -> None:
    lib = find_intel_runtime()
    if lib is None:
        REPORT.append("Intel OpenCL CPU runtime: not installed "
                      "(pip install -e \".[intel]\" adds it)")
        return
    if os.environ.get("OCL_ICD_VENDORS"):
        REPORT.append(f"Intel OpenCL CPU runtime: found at {lib}; OCL_ICD_VENDORS is set "
                      f"by the user ({os.environ['OCL_ICD_VENDORS']}), so hal leaves the "
                      f"ICD loader alone")
        return
    libdir = os.path.dirname(lib)
    missing = []
    for dep in _DEPENDENCIES:
        path = os.path.join(libdir, dep)
        try:
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            missing.append(dep)
    for extra in sorted(glob.glob(os.path.join(libdir, "libcommon_clang.so.*"))):
        try:
            ctypes.CDLL(extra, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            missing.append(os.path.basename(extra))
    try:
        directory = _icd_dir()
        os.makedirs(directory, exist_ok=True)
        icd = os.path.join(directory, "intel-cpu.icd")
        tmp = f"{icd}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w") as f:
            f.write(lib + "\n")
        os.replace(tmp, icd)
    except OSError as exc:
        REPORT.append(f"Intel OpenCL CPU runtime: found at {lib} but hal could not write "
                      f"an ICD file ({exc}); set OCL_ICD_VENDORS to a directory with a "
                      f"file containing {lib}")
        return
    os.environ["OCL_ICD_VENDORS"] = directory
    note = f" (could not pre-load {', '.join(missing)})" if missing else ""
    REPORT.append(f"Intel OpenCL CPU runtime: {lib}, registered through "
                  f"OCL_ICD_VENDORS={directory}{note}")
