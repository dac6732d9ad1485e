"""Can this device's OpenCL compiler build anything at all?

A driver can enumerate a device and still be unable to compile for it.  The case
that made this module: PoCL 3.0 from PyPI embeds LLVM 14, which does not know CPUs
released after it (AMD Zen 4/5 report as "generic"), and then every build fails
with "unknown target CPU 'generic'".  hal finds that out once, by building a
one-line kernel when the device is enumerated, and lists such a device as unusable
(with the reason and a fix) instead of failing on a user's first op.

The verdict is kept in the disk cache (keyed by device identity, driver and
PyOpenCL version), so only the first process on a machine pays for the probe build.
"""

from __future__ import annotations

import warnings

from hal import toolkit

__all__ = ["compiler_problem"]

_PROBE_SOURCE = "__kernel void hal_probe(__global int *out) { out[0] = 1; }\n"
_OK = b"ok"


def compiler_problem(cl, platform, device) -> tuple[str, str]:
    """``("", "")`` if the device compiles a trivial kernel, else ``(reason, fix)``."""
    identity = "|".join((platform.name, platform.version, device.name, device.vendor,
                         device.version, device.driver_version, cl.VERSION_TEXT))
    digest = toolkit.cache_key("compiler-probe-v2", _PROBE_SOURCE, identity)
    cached = toolkit.cache_load("opencl-probe", digest)
    if cached is not None:
        return ("", "") if cached == _OK else _split(cached.decode(errors="replace"))
    reason, fix = _probe(cl, platform, device)
    verdict = _OK if not reason else f"{reason}\n{fix}".encode()
    toolkit.cache_store("opencl-probe", digest, verdict)
    return reason, fix


def _split(text: str) -> tuple[str, str]:
    reason, _, fix = text.partition("\n")
    return reason, fix


def _probe(cl, platform, device) -> tuple[str, str]:
    try:
        context = cl.Context([device])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cl.CompilerWarning)
            cl.Program(context, _PROBE_SOURCE).build(cache_dir=False)
        return "", ""
    except Exception as exc:  # any failure here means: do not offer the device
        log = str(exc)
    return _explain(log, platform, device)


def _explain(log: str, platform, device) -> tuple[str, str]:
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "error" in ln.lower() and "clBuildProgram" not in ln]
    first_error = errors[0] if errors else (lines[-1] if lines else "no build log")
    driver = f"{platform.name.strip()} {device.driver_version}"
    if "unknown target CPU" in log:
        return (f"its compiler cannot build any kernel: {first_error} (the LLVM inside "
                f"{driver} does not know this CPU, {device.name.strip()})",
                "use a PoCL built with a newer LLVM (e.g. conda-forge's pocl), or "
                "another OpenCL device such as Intel's runtime: pip install -e \".[intel]\"")
    return (f"its compiler cannot build a one-line kernel: {first_error}",
            f"update or reinstall the OpenCL driver ({driver}); `hal doctor` shows more")
