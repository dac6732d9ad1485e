"""``hal kernels check``: compile every portable kernel for a device and report each.

Every source file of ``kernels/`` is compiled with ``HAL_INSTANTIATE_ALL`` (all its
template instances) once per dtype its manifest lists that the device can hold,
through the device's plugin (``hal_compile_kernel``).  Each kernel name pattern of
the manifest must then be present in the program.

``check_offline`` does the same for the CUDA and HIP targets without any device, with
the compilers of ``_toolchains`` (NVRTC to PTX, hipcc to AMD code objects), once per
GPU architecture, as if for a GPU that holds every hal dtype; and it compiles a
representative set of ``hal.jit``-generated kernels (``_jit._samples``: elementwise
chains, map+reduce, several outputs, strided and broadcast variants, row kernels),
named ``jit ...`` in the report (``--file jit``: only those).  A program that
compiled is remembered in hal's disk cache, keyed by its source (with includes),
options, architecture and compiler version: an unchanged kernel is not compiled again
(``HAL_NO_CACHE=1`` or ``--no-cache`` recompiles everything), a changed one always is.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from . import _diskcache, _kernels
from ._errors import HalError, HalValueError

__all__ = ["CheckResult", "check", "check_offline", "cmd_check_offline"]

#: ``--file`` value of the hal.jit samples in ``check_offline``
JIT = "jit"


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
    cached: bool = False  # check_offline: passed before with this exact source

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
                  progress=None, jobs: int | None = None,
                  use_cache: bool = True) -> list[CheckResult]:
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
    identity = _toolchains.compiler_identity(target)
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
    if files is None or JIT in files:
        from ._jit._samples import samples
        for sample in samples():
            for arch in archs:
                jobs_list.append((JIT, sample, None, arch))

    def run(job) -> CheckResult:
        if job[0] == JIT:
            return run_jit(job[1], job[3])
        file, specs, dtype, arch = job
        defines = {**_kernels.program_defines(dtype, gpu_dtypes), "HAL_INSTANTIATE_ALL": "1"}
        result = CheckResult(file, dtype.name, 0.0, arch=arch)
        start = time.perf_counter()
        try:
            source = _kernels.source(target, file)
            options = _kernels.options(defines)
            compiled = compile_cached(source, options, arch, f"{file}[{dtype.name}]", result)
            result.missing = [s.name for s in specs if dtype in s.dtype_list()
                              and not any(_kernels.pattern(s.name).match(n)
                                          for n in compiled.kernel_names)]
        except Exception as exc:  # report every failure, go on with the rest
            result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - start
        return result

    def compile_cached(source, options, arch, label, result):
        """``source`` compiled for ``arch`` (its kernel names and note), from the check's
        disk cache when an earlier run compiled the same text; fills ``result``'s
        cached, kernels and note."""
        digest = _diskcache.key("kernelcheck-v1", target, arch, identity, source,
                                " ".join(options))
        compiled = None if not use_cache else _cached_compile(digest)
        if compiled is None:
            compiled = compile_(source, options, arch, label)
            if use_cache:
                _diskcache.store("kernelcheck", digest, json.dumps(
                    {"kernel_names": compiled.kernel_names,
                     "note": compiled.note}).encode())
        else:
            result.cached = True
        result.kernels = len(compiled.kernel_names)
        result.note = compiled.note
        return compiled

    def run_jit(sample, arch) -> CheckResult:
        result = CheckResult(sample.name, sample.label, 0.0, arch=arch)
        start = time.perf_counter()
        try:
            source, options = sample.source_for(target)
            compiled = compile_cached(source, options, arch, sample.name, result)
            result.missing = [n for n in sample.kernels if n not in compiled.kernel_names]
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


def _cached_compile(digest: str):
    """A result remembered from an earlier successful compile, or ``None``."""
    from ._toolchains import Compiled
    payload = _diskcache.load("kernelcheck", digest)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        return Compiled(list(data["kernel_names"]), note=data.get("note", ""))
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: compile again


def cmd_check_offline(args, console) -> int:
    """``hal kernels check --target cuda|hip`` with no ``--device``: exit 1 on a failure."""
    from rich.markup import escape
    from rich.table import Table

    from . import _toolchains
    from ._dtypes import as_dtype

    archs = [a.strip() for a in args.arch.split(",")] if args.arch else None
    dtypes = [as_dtype(n.strip()) for n in args.dtypes.split(",")] if args.dtypes else None
    tool = "NVRTC to PTX" if args.target == "cuda" else "hipcc (HIP_PLATFORM=amd)"
    console.print(f"compiling kernels/ for target {args.target} with {tool}, for "
                  f"{', '.join(archs or _toolchains.DEFAULT_ARCHS[args.target])} (no device "
                  f"needed)")

    def progress(r):
        status = "[green]ok[/green]" if r.ok else "[red]FAILED[/red]"
        note = f"  ({escape(r.note)})" if r.note and r.ok else ""
        if r.cached:
            note += "  (unchanged since it last compiled: cached)"
        console.print(f"  {r.file:<16} {r.dtype:<11} {r.arch:<8} {r.kernels:>4} kernels "
                      f"{r.seconds:7.2f} s  {status}{note}")

    try:
        results = check_offline(args.target, archs, files=args.file or None,
                                dtypes=dtypes, progress=progress, jobs=args.jobs,
                                use_cache=not getattr(args, "no_cache", False))
    except _toolchains.ToolchainMissing as exc:
        console.print(f"[red]hal kernels check: {escape(str(exc))}[/red]")
        return 1
    failed = [r for r in results if not r.ok]
    table = Table(title=f"hal kernels check --target {args.target}")
    for column in ("arch", "programs", "kernels", "failed", "seconds"):
        table.add_column(column)
    for arch in dict.fromkeys(r.arch for r in results):
        mine = [r for r in results if r.arch == arch]
        table.add_row(arch, str(len(mine)), str(sum(r.kernels for r in mine)),
                      str(sum(not r.ok for r in mine)), f"{sum(r.seconds for r in mine):.1f}")
    console.print(table)
    notes = sorted({f"{r.arch}: {r.note}" for r in results if r.note})
    for note in notes:
        console.print(f"note: {escape(note)}")
    cached = sum(r.cached for r in results)
    console.print(f"{len(results) - len(failed)} programs passed, {len(failed)} failed "
                  f"({sum(r.kernels for r in results)} kernels; {cached} programs unchanged "
                  f"since they last compiled, taken from the cache)")
    for r in failed:
        detail = r.error or f"missing kernels: {', '.join(r.missing)}"
        console.print(f"[red]{r.file} [{r.dtype}, {r.arch}]:[/red]\n{escape(detail)}")
    return 1 if failed or not results else 0
