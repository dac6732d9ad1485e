"""``hal kernels check --user FILE|MODULE``: compile a user's kernels for every target.

The kernels are the ``hal.ElementwiseKernel``, ``hal.ReductionKernel`` and
``hal.RawKernel`` objects a Python file or module defines at its top level (importing
it must not need a device).  Each is instantiated for each checked dtype (every type
placeholder bound to it) in the variants a call can build (elementwise: contiguous and
strided; reduction: contiguous and strided), and compiled

* for CUDA with NVRTC and for HIP with hipcc, without a GPU (``_toolchains``: the same
  compilers as hal's own device-free check, for each ``--arch``), as for a GPU that
  holds every dtype;
* on every device present whose plugin builds portable kernels (OpenCL devices,
  oneAPI devices of SYCL's OpenCL backend), through ``hal_compile_kernel``.

Each compiled program must contain the kernel's entry points.  One row per (kernel,
dtype, variant), one column per target.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import time
from dataclasses import dataclass, field

from .. import _dtypes
from .._errors import HalValueError
from ._elementwise import ElementwiseKernel
from ._raw import RawKernel
from ._reduction import ReductionKernel

KINDS = (ElementwiseKernel, ReductionKernel, RawKernel)
DEFAULT_DTYPES = ("float32", "float64", "int32")


class AnyGPU:
    """What a CUDA or ROCm GPU holds, for device-free compiles: every hal dtype."""

    dtypes = _dtypes.ALL
    backend = "cupy"


def load(spec: str) -> list[tuple[str, object]]:
    """(name, kernel) of every user kernel defined at the top of a file or module."""
    if spec.endswith(".py") or os.path.sep in spec or os.path.isfile(spec):
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise HalValueError(f"kernels check: no file {spec!r}")
        name = "hal_user_kernels_" + os.path.splitext(os.path.basename(path))[0]
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(spec)
        except ImportError as exc:
            raise HalValueError(f"kernels check: cannot import {spec!r} ({exc}); pass a "
                                f"file path or an importable module") from None
    found = [(n, v) for n, v in vars(module).items() if isinstance(v, KINDS)]
    if not found:
        raise HalValueError(f"kernels check: {spec} defines no hal.ElementwiseKernel, "
                            f"hal.ReductionKernel or hal.RawKernel at its top level")
    return found


@dataclass
class Instance:
    kernel: str          # the Python name it was found under
    kind: str
    dtype: str
    variant: str
    names: list[str]     # entry points the program must hold
    build: object        # build(target, device) -> (source, options)


def instances(name: str, kernel, dtype) -> list[Instance]:
    """Every program a call with arrays of ``dtype`` can build from ``kernel``."""
    if isinstance(kernel, ElementwiseKernel):
        params = kernel.in_params + kernel.out_params
        bound = {p.type: dtype for p in params if p.dtype is None}
        ins = [p.dtype or dtype for p in kernel.in_params]
        outs = [p.dtype or dtype for p in kernel.out_params]
        is_array = tuple(True for _ in kernel.in_params)
        leaves = [d for p, d in zip(kernel.in_params, ins) if not p.raw]
        out = []
        for variant, flat in (("contiguous", True), ("strided", False)):
            def build(target, device, flat=flat):
                src, opts, _ = kernel.source(target, device, flat, is_array, ins, outs,
                                             leaves, bound)
                return src, opts
            out.append(Instance(name, "elementwise", dtype.name, variant, [kernel.name],
                                build))
        return out
    if isinstance(kernel, ReductionKernel):
        params = kernel.in_params + kernel.out_params + \
            ((kernel.reduce_type,) if kernel.reduce_type is not None else ())
        bound = {p.type: dtype for p in params if p.dtype is None}
        ins = [p.dtype or dtype for p in kernel.in_params]
        out_dtype = kernel.out_params[0].dtype or dtype
        acc = out_dtype if kernel.reduce_type is None else (kernel.reduce_type.dtype or dtype)
        is_array = tuple(True for _ in kernel.in_params)
        out = []
        for variant in ("flat", "strided"):
            def build(target, device, variant=variant):
                src, opts, _ = kernel.source(target, device, variant, is_array, ins, ins,
                                             out_dtype, acc, bound)
                return src, opts
            out.append(Instance(name, "reduction", dtype.name, variant,
                                ["hal_uk_final", "hal_uk_partial", "hal_uk_combine"],
                                build))
        return out
    types = {p: dtype for p in kernel.placeholders}

    def build(target, device):
        return kernel.source(target, device, types)
    return [Instance(name, "raw", dtype.name if types else "-", "-", [kernel.name], build)]


@dataclass
class Cell:
    ok: bool = False
    error: str = ""
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""    # why this target could not be checked (no compiler, dtype)
    cached: bool = False  # compiled before with this exact text (hal's disk cache)


@dataclass
class Column:
    title: str
    target: str                  # prelude: opencl, cuda, hip
    device: object = None        # a hal Device, or AnyGPU for offline compiles
    arch: str = ""
    unavailable: str = ""        # e.g. the compiler is not installed

    def compile(self, inst: Instance) -> Cell:
        cell = Cell()
        if self.unavailable:
            cell.skipped = self.unavailable
            return cell
        if inst.dtype != "-" and _dtypes.BY_NAME[inst.dtype] not in self.device.dtypes:
            cell.skipped = f"{self.title} has no {inst.dtype}"
            return cell
        start = time.perf_counter()
        try:
            source, options = inst.build(self.target, self.device)
            label = f"{inst.kernel} [{inst.dtype}, {inst.variant}]"
            if self.arch:
                names, cell.cached = _offline(self.target, self.arch, source, options,
                                              label)
            else:
                from .._jit._backends import compile_source
                program = compile_source(self.device, label, source, options)
                names = _program_names(program)
            if names is not None:
                cell.missing = [n for n in inst.names if n not in names]
            cell.ok = not cell.missing
        except Exception as exc:  # every failure goes in the table; go on
            cell.error = f"{type(exc).__name__}: {exc}"
        cell.seconds = time.perf_counter() - start
        return cell


def _offline(target, arch, source, options, label):
    """(entry points, cached) of a device-free compile, remembered in hal's disk cache
    as ``hal kernels check`` remembers hal's own (keyed by text, options, arch and
    compiler version; only successes are stored)."""
    import json

    from .. import _diskcache, _toolchains
    from .._kernelcheck import _cached_compile
    digest = _diskcache.key("kernelcheck-v1", target, arch,
                            _toolchains.compiler_identity(target), source, " ".join(options))
    compiled = _cached_compile(digest)
    if compiled is not None:
        return compiled.kernel_names, True
    compiled = _toolchains.COMPILERS[target](source, options, arch, label)
    _diskcache.store("kernelcheck", digest, json.dumps(
        {"kernel_names": compiled.kernel_names, "note": compiled.note}).encode())
    return compiled.kernel_names, False


def hal_rows(cols, dtypes):
    """hal's own kernels/ as rows of the same table: (Instance-like, cells)."""
    from .. import _kernelcheck
    by_col = []
    for c in cols:
        if c.unavailable:
            by_col.append(None)
        elif c.arch:
            by_col.append({(r.file, r.dtype): r for r in _kernelcheck.check_offline(
                c.target, [c.arch], dtypes=dtypes)})
        else:
            by_col.append({(r.file, r.dtype): r for r in _kernelcheck.check(
                c.target, c.device, dtypes=dtypes)})
    keys = sorted({k for m in by_col if m for k in m})
    rows = []
    for file, dtype in keys:
        inst = Instance(f"kernels/{file}", "hal", dtype, "all", [], None)
        cells = []
        for c, m in zip(cols, by_col):
            r = None if m is None else m.get((file, dtype))
            if r is None:
                cells.append(Cell(skipped=c.unavailable or f"{c.title} has no {dtype}"))
            else:
                cells.append(Cell(ok=r.ok, error=r.error, missing=list(r.missing),
                                  seconds=r.seconds, cached=r.cached))
        rows.append((inst, cells))
    return rows


def _program_names(program):
    """Entry points of a built program, or ``None`` if the backend does not list them."""
    names = getattr(program, "kernel_names", None)
    if names is not None:
        return [n for n in str(names).split(";") if n] or None
    inner = getattr(program, "program", None)  # oneAPI: dpctl's SyclProgram
    if inner is not None and hasattr(inner, "has_sycl_kernel"):
        return _HasKernel(inner)
    return None


class _HasKernel:
    """``name in program`` for a dpctl program (it has no list of its kernels)."""

    def __init__(self, program):
        self.program = program

    def __contains__(self, name) -> bool:
        return bool(self.program.has_sycl_kernel(name))


def columns(targets=None, device=None, archs=None) -> list[Column]:
    """The targets to check: CUDA and HIP without a device (each arch), and every
    device present that builds portable kernels (or just ``device``)."""
    from .. import _toolchains
    from .._devices import devices
    from ._common import launcher
    out = []
    wanted = set(targets or ("cuda", "hip", "opencl", "oneapi"))
    for target in ("cuda", "hip"):
        if target not in wanted or device is not None:
            continue
        try:
            _toolchains.compiler_identity(target)
            missing = ""
        except Exception as exc:  # ToolchainMissing, or a compiler that will not run
            missing = str(exc)
        for arch in (archs or {}).get(target) or _toolchains.DEFAULT_ARCHS[target]:
            out.append(Column(f"{target} {arch}", target, AnyGPU(), arch, missing))
    for d in ([device] if device is not None else devices()):
        if d.backend not in wanted and device is None:
            continue
        if d.backend == "cupy":
            continue  # CuPy devices: the cuda/hip columns compile the same text
        launch, reason = launcher(d)
        if launch is None:
            if device is not None:
                out.append(Column(str(d), "opencl", d, unavailable=reason))
            continue
        out.append(Column(str(d), launch.target, d))
    return out


def check(kernels, dtypes=None, cols=None, progress=None):
    """[(instance, [cell per column])] for every instance of every kernel."""
    dtypes = [_dtypes.as_dtype(d) for d in (dtypes or DEFAULT_DTYPES)]
    rows = []
    for name, kernel in kernels:
        seen = set()
        for dtype in dtypes:
            for inst in instances(name, kernel, dtype):
                key = (inst.kernel, inst.dtype, inst.variant)
                if key in seen:  # a raw kernel with no placeholder: one instance
                    continue
                seen.add(key)
                cells = [c.compile(inst) for c in cols]
                rows.append((inst, cells))
                if progress is not None:
                    progress(inst, cells)
    return rows


def cmd_check_user(args, console) -> int:
    """``hal kernels check --user SPEC ...``: one table; exit 1 on any failure."""
    from rich.markup import escape
    from rich.table import Table

    from .._devices import get_device
    kernels = []
    for spec in args.user or ():
        kernels += [(f"{spec}:{n}" if len(args.user) > 1 else n, k) for n, k in load(spec)]
    archs = None
    if args.arch:
        listed = [a.strip() for a in args.arch.split(",")]
        archs = {"cuda": [a for a in listed if a.startswith("sm_")] or None,
                 "hip": [a for a in listed if a.startswith("gfx")] or None}
    device = get_device(args.device) if args.device else None
    targets = [args.target] if args.target else None
    cols = columns(targets, device, archs)
    dtypes = [n.strip() for n in args.dtypes.split(",")] if args.dtypes else None
    console.print(f"checking {len(kernels)} user kernel(s) from "
                  f"{', '.join(args.user or ()) or '(none)'}"
                  f"{' and hal' + chr(39) + 's own kernels/' if args.hal else ''} for "
                  f"{', '.join(c.title for c in cols)}")
    rows = check(kernels, dtypes, cols)
    if args.hal:
        rows += hal_rows(cols, [_dtypes.as_dtype(d) for d in (dtypes or DEFAULT_DTYPES)])
    table = Table(title="hal kernels check" + (" --user" if kernels else "") +
                  (" --hal" if args.hal else ""))
    for column in ("kernel", "kind", "dtype", "variant", *(c.title for c in cols)):
        table.add_column(column)
    failures, skipped = [], set()
    for inst, cells in rows:
        shown = []
        for c, cell in zip(cols, cells):
            if cell.skipped:
                shown.append("[dim]n/a[/dim]")
                skipped.add(f"{c.title}: {cell.skipped}")
            elif cell.ok:
                shown.append("[green]ok[/green] " + ("cached" if cell.cached else
                                                     f"{cell.seconds:.1f}s"))
            else:
                shown.append("[red]FAILED[/red]")
                failures.append((inst, c, cell))
        table.add_row(inst.kernel, inst.kind, inst.dtype, inst.variant, *shown)
    console.print(table)
    for note in sorted(skipped):
        console.print(f"n/a: {escape(note)}")
    checked = sum(1 for _, cells in rows for cell in cells if not cell.skipped)
    console.print(f"{checked - len(failures)} compiled, {len(failures)} failed")
    for inst, c, cell in failures:
        detail = cell.error or f"missing entry points: {', '.join(cell.missing)}"
        console.print(f"[red]{inst.kernel} [{inst.dtype}, {inst.variant}] on {c.title}:"
                      f"[/red]\n{escape(detail)}")
    return 1 if failures or not checked else 0
