"""``hal kernels check``: compile every portable kernel for a device and report each.

Every source file of ``kernels/`` is compiled with ``HAL_INSTANTIATE_ALL`` (all its
template instances) once per dtype its manifest lists that the device can hold,
through the device's plugin (``hal_compile_kernel``).  Each kernel name pattern of
the manifest must then be present in the program.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import _kernels
from ._errors import HalError, HalValueError

__all__ = ["CheckResult", "check"]


@dataclass
class CheckResult:
    file: str
    dtype: str
    seconds: float
    kernels: int = 0
    missing: list[str] = field(default_factory=list)
    error: str = ""

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
