"""``hal kernels check``: compile every portable kernel for a device and report each.

Every source file of ``kernels/`` is compiled with ``HAL_INSTANTIATE_ALL`` (all its
template instances) once per dtype its manifest lists that the device can hold,
through the device's plugin (``hal_compile_kernel``).  Each kernel name pattern of
the manifest must then be present in the program.

``check_offline`` does the same for the CUDA and HIP targets without any device, with
the compilers of ``_toolchains`` (NVRTC to PTX, hipcc to AMD code objects), once per
GPU architecture, as if for a GPU that holds every hal dtype.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import _kernels
from ._errors import HalError, HalValueError

__all__ = ["CheckResult", "check", "check_offline"]


@dataclass
class CheckResult:
    file: str
    dtype: str
    seconds: float
    kernels: int = 0
    missing: list[str] = field(default_factory=list)
    error: str = ""
    arch: str = ""      # check_offline: the GPU architecture compiled for
    note: str = ""      # check_offline: e.g. "assembly only" (see _toolchains)

    @property
    def ok(self) -> bool:
        return not self.error and not self.missing


def check(target: str, device, files: list[str] | None = None, dtypes=None,
          progress=None) -> list[CheckResult]:
    """Compile every (file, dtype) for ``device``; ``progress(result)`` after each."""
    from ._plugins import host

    if target not in _kernels.TARGETS:
        raise HalValueError(f"kernels check: unknown target {target!r}; use one of "
                            f"{', '.join(_kernels.TARGETS)}")
    manifest = _kernels.manifest()
    results = []
    for file in files or _kernels.files():
        specs = [k for k in manifest.kernel if k.file == file]
        wanted = []
        for spec in specs:
            for d in spec.dtype_list():
                if d in device.dtypes and d not in wanted and (dtypes is None or d in dtypes):
                    wanted.append(d)
        for dtype in wanted:
            defines = {**_kernels.program_defines(dtype, device.dtypes),
                       "HAL_INSTANTIATE_ALL": "1"}
            source = _kernels.source(target, file)
            start = time.perf_counter()
            result = CheckResult(file, dtype.name, 0.0)
            try:
                # called through pluggy directly: a build error must reach the report
                # (call_first would record it as a broken plugin instead)
                host.ensure_loaded()
                program = host.pm.hook.hal_compile_kernel(
                    backend=device.backend, device_index=device.index,
                    name=f"kernels/{file} [{dtype.name}]", source=source,
                    options=_kernels.options(defines))
                if program is None:
                    raise HalError(f"backend {device.backend!r} does not compile portable "
                                   f"kernels (no hal_compile_kernel)")
                names = [n for n in str(getattr(program, "kernel_names", "")).split(";") if n]
                result.kernels = len(names)
                if names:
                    result.missing = [s.name for s in specs if dtype in s.dtype_list()
                                      and not any(_kernels.pattern(s.name).match(n) for n in names)]
            except Exception as exc:  # report every failure, go on with the rest
                result.error = f"{type(exc).__name__}: {exc}"
            result.seconds = time.perf_counter() - start
            results.append(result)
            if progress is not None:
                progress(result)
    return results


def check_offline(target: str, archs=None, files: list[str] | None = None, dtypes=None,
                  progress=None, jobs: int | None = None) -> list[CheckResult]:
    """Compile every (file, dtype, arch) for ``target`` "cuda" or "hip" with no device.

    ``archs``: e.g. ``("sm_80", "sm_90")``; default ``_toolchains.DEFAULT_ARCHS``.
    ``jobs`` compilations run at once (default: the number of CPUs); results come back
    in order.  Raises ``_toolchains.ToolchainMissing`` when the compiler is absent.
    """
    from concurrent.futures import ThreadPoolExecutor

    from . import _dtypes, _toolchains

    if target not in _toolchains.COMPILERS:
        raise HalValueError(f"kernels check: target {target!r} needs a device; only "
                            f"{', '.join(_toolchains.COMPILERS)} compile without one")
    compile_ = _toolchains.COMPILERS[target]
    archs = tuple(archs or _toolchains.DEFAULT_ARCHS[target])
    # find the compiler before starting (a missing one is one clear error, not 480)
    _toolchains.nvrtc_version() if target == "cuda" else _toolchains.hipcc_path()
    gpu_dtypes = _dtypes.ALL  # CUDA and ROCm GPUs hold every hal dtype
    manifest = _kernels.manifest()
    jobs_list = []
    for file in files or _kernels.files():
        specs = [k for k in manifest.kernel if k.file == file]
        wanted = []
        for spec in specs:
            for d in spec.dtype_list():
                if d not in wanted and (dtypes is None or d in dtypes):
                    wanted.append(d)
        for dtype in wanted:
            for arch in archs:
                jobs_list.append((file, specs, dtype, arch))

    def run(job) -> CheckResult:
        file, specs, dtype, arch = job
        defines = {**_kernels.program_defines(dtype, gpu_dtypes), "HAL_INSTANTIATE_ALL": "1"}
        result = CheckResult(file, dtype.name, 0.0, arch=arch)
        start = time.perf_counter()
        try:
            compiled = compile_(_kernels.source(target, file), _kernels.options(defines),
                                arch, f"{file}[{dtype.name}]")
            result.kernels = len(compiled.kernel_names)
            result.note = compiled.note
            result.missing = [s.name for s in specs if dtype in s.dtype_list()
                              and not any(_kernels.pattern(s.name).match(n)
                                          for n in compiled.kernel_names)]
        except Exception as exc:  # report every failure, go on with the rest
            result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - start
        return result

    import os
    results = []
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        for result in pool.map(run, jobs_list):
            results.append(result)
            if progress is not None:
                progress(result)
    return results
