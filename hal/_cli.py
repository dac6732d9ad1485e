"""The ``hal`` command line: ``hal devices``, ``hal doctor``, ``hal demo``, ``hal bench``.

``main(argv)`` returns the exit status (the ``hal`` console script passes it to
``sys.exit``), so tests call ``main([...])`` directly.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from typing import Any

__all__ = ["main"]

#: distributions ``hal doctor`` reports (required first, then optional vendor libraries)
REQUIRED_DISTS = ("numpy", "pluggy", "pydantic", "rich", "platformdirs")
OPTIONAL_DISTS = ("pyopencl", "pocl-binary-distribution", "intel-opencl-rt", "cupy-cuda12x",
                  "cupy-cuda13x", "dpnp", "dpctl", "array-api-strict")


# -- helpers -------------------------------------------------------------------

def _console(stream=None):
    from rich.console import Console
    stream = stream if stream is not None else sys.stdout
    kwargs: dict[str, Any] = {"file": stream, "highlight": False}
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    if not is_tty and not os.environ.get("COLUMNS"):
        kwargs["width"] = 160   # piped or captured: don't squeeze tables into 80 columns
    return Console(**kwargs)


def _esc(text: Any) -> str:
    from rich.markup import escape
    return escape(str(text))


def _bytes(n: int | None) -> str:
    if n is None:
        return "—"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(n)  # pragma: no cover


def _dist_version(name: str) -> str | None:
    import importlib.metadata
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _default_device() -> tuple[Any, str, str | None]:
    """(device or None, why it is the default, error message or None)."""
    import hal
    from . import _env
    from ._devices import current_default_device
    try:
        dev = current_default_device()
    except Exception as exc:
        return None, "", f"{type(exc).__name__}: {exc}"
    wanted = _env.get(_env.HAL_DEVICE)
    if wanted:
        why = f"HAL_DEVICE={wanted!r} is set"
    elif dev.info.device_type in ("gpu", "accelerator"):
        why = (f"the first GPU/accelerator in backend priority order "
               f"({dev.backend}, priority {_backend_priority(dev.backend)})")
    elif dev.backend == "numpy":
        others = [d for d in hal.devices() if d.backend != "numpy"]
        why = "no GPU or accelerator found, so NumPy (the reference backend)"
        if others:
            why += ("; CPU devices of other backends ("
                    + ", ".join(str(d) for d in others)
                    + ") are never picked by default: select them with HAL_DEVICE")
    else:
        why = "the numpy backend is unavailable; first device found"
    return dev, why, None


def _backend_priority(backend: str) -> int | None:
    from ._plugins import host
    state = host.backends.get(backend)
    return state.spec.priority if state is not None else None


def _device_record(dev, default) -> dict:
    info = dev.info
    caps = info.capabilities
    return {
        "selector": str(dev), "backend": dev.backend, "index": dev.index,
        "name": info.name, "vendor": info.vendor, "platform": info.platform,
        "type": info.device_type, "memory_bytes": info.memory_bytes,
        "compute_units": info.compute_units,
        "max_work_group_size": info.max_work_group_size,
        "driver_version": info.driver_version,
        "dtypes": list(caps.dtypes), "features": sorted(caps.features),
        "default": dev is default,
    }


def _unavailable_records() -> list[dict]:
    """Every unavailable plugin/backend, plus plugins disabled by the environment and
    installed vendor libraries without a plugin (see ``_demo.missing_backends``)."""
    import hal
    from ._demo import missing_backends
    out = [{"name": u.name, "kind": u.kind, "reason": u.reason, "fix": u.fix,
            "details": u.details} for u in hal.unavailable_plugins()]
    for name, kind, reason, fix in missing_backends():
        out.append({"name": name, "kind": kind, "reason": reason, "fix": fix,
                    "details": ""})
    return out


def _problem_records(probe: bool) -> list[dict]:
    """Contract problems of loaded plugins (``hal._contract``): hooks pluggy would
    ignore, and with ``probe`` every claimed dtype a device cannot hold."""
    from . import _contract
    try:
        _contract.recorded_problems()   # registers every backend's kernels: their errors
        return [p.as_dict() for p in _contract.problems(probe_dtypes=probe)]
    except Exception as exc:  # checking must never break the listing
        return [{"plugin": "?", "where": "hal's contract checks", "expected": "no error",
                 "found": f"{type(exc).__name__}: {exc}", "fix": "report it to hal"}]


def _problem_table(records: list[dict]):
    from rich.table import Table
    table = Table(title="Plugin contract problems", title_justify="left")
    for col, kw in (("plugin", {"style": "bold"}), ("where", {}),
                    ("expected", {}), ("found", {"style": "yellow"}), ("fix", {})):
        table.add_column(col, **kw)
    for r in records:
        table.add_row(_esc(r["plugin"]), _esc(r["where"]), _esc(r["expected"]),
                      _esc(r["found"]), _esc(r["fix"]))
    return table


def _unavailable_table(records: list[dict]):
    from rich.table import Table
    table = Table(title="Unavailable plugins and backends", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("kind")
    table.add_column("reason", style="yellow")
    table.add_column("fix")
    for r in records:
        table.add_row(_esc(r["name"]), r["kind"], _esc(r["reason"]), _esc(r["fix"]))
    return table


# -- hal devices -----------------------------------------------------------------

def cmd_devices(args, console) -> int:
    import hal
    from ._probe import probe_in_child
    probe_in_child()   # a plugin that crashes the interpreter is named, not obeyed
    devs = hal.devices()
    default, _, default_error = _default_device()
    records = [_device_record(d, default) for d in devs]
    problems = _problem_records(probe=not args.no_check)
    unavailable = _unavailable_records()
    if args.json:
        print(json.dumps({
            "hal_version": hal.__version__,
            "default_device": str(default) if default is not None else None,
            "default_device_error": default_error,
            "devices": records,
            "unavailable": unavailable,
            "problems": problems,
        }, indent=2))
        return 0 if devs else 1

    from rich.table import Table
    table = Table(title=f"hal {hal.__version__}: devices", title_justify="left")
    for col, kw in (("selector", {"style": "bold"}), ("name", {}), ("vendor", {}),
                    ("platform", {}), ("type", {}), ("memory", {"justify": "right"}),
                    ("compute units", {"justify": "right"}), ("dtypes", {}),
                    ("features", {})):
        table.add_column(col, **kw)
    for r in records:
        selector = _esc(r["selector"])
        if r["default"]:
            selector += " [green](default)[/green]"
        table.add_row(selector, _esc(r["name"]), _esc(r["vendor"]), _esc(r["platform"]),
                      r["type"], _bytes(r["memory_bytes"]),
                      "—" if r["compute_units"] is None else str(r["compute_units"]),
                      " ".join(r["dtypes"]), " ".join(r["features"]))
    if records:
        console.print(table)
    else:
        console.print("[red]hal found no usable device.[/red] Run [bold]hal doctor[/bold].")
    if default_error:
        console.print(f"[red]default device: {_esc(default_error)}[/red]")
    if unavailable:
        console.print(_unavailable_table(unavailable))
    else:
        console.print("[dim]No unavailable plugins or backends.[/dim]")
    if problems:
        console.print(_problem_table(problems))
    return 0 if devs else 1


# -- hal doctor ------------------------------------------------------------------

def _entry_points() -> list[dict]:
    import importlib.metadata

    from . import _env
    from ._plugins import ENTRY_POINT_GROUP, host
    disabled = {n.strip() for n in (_env.get(_env.HAL_DISABLE_PLUGINS) or "").split(",")
                if n.strip()}
    autoload = not _env.flag(_env.HAL_DISABLE_PLUGIN_AUTOLOAD)
    failed = {u.name for u in host.unavailable if u.kind == "plugin"}
    out = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if not autoload:
            status = "not loaded (HAL_DISABLE_PLUGIN_AUTOLOAD=1)"
        elif ep.name in disabled:
            status = "disabled (HAL_DISABLE_PLUGINS)"
        elif ep.name in failed:
            status = "failed"
        elif host.pm is not None and host.pm.get_plugin(ep.name) is not None:
            status = "loaded"
        else:
            status = "not loaded"
        dist = ep.dist
        out.append({"name": ep.name, "value": ep.value,
                    "distribution": f"{dist.name} {dist.version}" if dist else "",
                    "status": status})
    return out


def _smoke_test(dev) -> tuple[str | None, list[str]]:
    """A few ops on ``dev`` checked against exact values.

    Returns (the failure or None, the ops that ran on the host by fallback)."""
    import warnings

    import hal
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", hal.HalFallbackWarning)
            with hal.fallback_policy("allow"), hal.trace() as t:
                x = hal.arange(8, dtype=hal.float32, device=dev)
                total = float(hal.sum(x * 2.0 + 1.0))
                y = hal.to_numpy(hal.exp(hal.zeros((3,), dtype=hal.float32, device=dev)))
        fallbacks = sorted({e.op for e in t.fallbacks})
        if total != 64.0:
            return f"sum(arange(8) * 2 + 1) gave {total}, expected 64.0", fallbacks
        if y.tolist() != [1.0, 1.0, 1.0]:
            return f"exp(zeros(3)) gave {y.tolist()}, expected [1.0, 1.0, 1.0]", fallbacks
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}", []
    return None, fallbacks


def cmd_doctor(args, console) -> int:
    from rich.table import Table

    import hal
    from . import _env
    from ._plugins import host
    from ._probe import probe_in_child
    probe_in_child()   # a plugin that crashes the interpreter is named, not obeyed

    problems: list[str] = []
    where = os.path.dirname(os.path.abspath(hal.__file__))
    console.print(f"[bold]hal {hal.__version__}[/bold] "
                  f"(Array API {hal.__array_api_version__}) at {_esc(where)}")
    console.print(f"Python {platform.python_version()} ({_esc(sys.executable)}) on "
                  f"{_esc(platform.platform())}")

    pkgs = Table(title="Packages", title_justify="left")
    pkgs.add_column("package", style="bold")
    pkgs.add_column("version")
    pkgs.add_column("needed")
    for name in REQUIRED_DISTS:
        version = _dist_version(name)
        if version is None:
            problems.append(f"required package {name} is not installed")
        pkgs.add_row(name, version or "[red]not installed[/red]", "required")
    for name in OPTIONAL_DISTS:
        version = _dist_version(name)
        if version is not None:
            pkgs.add_row(name, version, "optional")
    console.print(pkgs)

    env = Table(title="Environment (HAL_*)", title_justify="left")
    env.add_column("variable", style="bold")
    env.add_column("value")
    for name in _env.ALL:
        value = os.environ.get(name)
        env.add_row(name, _esc(value) if value is not None else "[dim](not set)[/dim]")
    for name in sorted(n for n in os.environ if n.startswith("HAL_") and n not in _env.ALL):
        env.add_row(f"[yellow]{_esc(name)}[/yellow]",
                    f"{_esc(os.environ[name])} [yellow](hal does not read this variable; "
                    f"a typo?)[/yellow]")
    console.print(env)

    # plugins and backends
    try:
        host.activate_all()
    except Exception as exc:  # the plugin host itself failing is a hal bug
        problems.append(f"the plugin manager failed: {type(exc).__name__}: {exc}")
    eps = _entry_points()
    ept = Table(title="Entry points (group hal.plugins)", title_justify="left")
    for col in ("name", "value", "distribution", "status"):
        ept.add_column(col)
    for ep in eps:
        colour = {"loaded": "green", "failed": "red"}.get(ep["status"], "yellow")
        ept.add_row(_esc(ep["name"]), _esc(ep["value"]), _esc(ep["distribution"]),
                    f"[{colour}]{_esc(ep['status'])}[/{colour}]")
    if eps:
        console.print(ept)
    else:
        console.print("[red]No entry points in group hal.plugins[/red]: hal is not "
                      "installed properly (pip install -e . from the hal checkout).")

    bt = Table(title="Backends", title_justify="left")
    for col in ("backend", "plugin", "priority", "available", "devices", "reason", "fix"):
        bt.add_column(col)
    for name, state in sorted(host.backends.items(), key=lambda kv: -kv[1].spec.priority):
        avail = state.availability
        ok = avail is not None and avail.available
        bt.add_row(_esc(name), _esc(state.plugin), str(state.spec.priority),
                   "[green]yes[/green]" if ok else "[red]no[/red]",
                   ", ".join(str(d) for d in state.devices) or "—",
                   _esc(avail.reason if avail is not None else "not checked"),
                   _esc((avail.fix if avail is not None else "") or
                        ("" if ok else state.spec.install_hint)))
    console.print(bt)

    contract = _problem_records(probe=True)
    unavailable = _unavailable_records()
    if contract:
        console.print(_problem_table(contract))
        problems.extend(f"plugin {r['plugin']!r}, {r['where']}: expected {r['expected']}; "
                        f"found {r['found']}" for r in contract)
    if unavailable:
        console.print(_unavailable_table(unavailable))
        with_details = [r for r in unavailable if r["details"]]
        if with_details and not args.verbose:
            console.print("[dim]Run hal doctor --verbose for the tracebacks.[/dim]")
        for r in with_details if args.verbose else ():
            console.print(f"[bold]Traceback of {r['kind']} {_esc(r['name'])!s}:[/bold]")
            console.print(_esc(r["details"].rstrip()), soft_wrap=True, style="dim")

    devs = hal.devices()
    if not devs:
        problems.append("no usable device (is the numpy plugin installed? "
                        "pip install --force-reinstall -e .)")
    default, why, error = _default_device()
    if error:
        problems.append(f"default device: {error}")
        console.print(f"Default device: [red]{_esc(error)}[/red]")
    elif default is not None:
        console.print(f"Default device: [bold]{_esc(default)}[/bold] "
                      f"({_esc(default.name)}) — {_esc(why)}")
    if devs:
        smoke = Table(title="Smoke test (arange, *, +, sum, exp on each device)",
                      title_justify="left")
        for col in ("device", "result", "ran on the host (fallback)"):
            smoke.add_column(col)
        for dev in devs:
            failure, fallbacks = _smoke_test(dev)
            if failure:
                problems.append(f"smoke test on {dev}: {failure}")
            smoke.add_row(_esc(dev), f"[red]{_esc(failure)}[/red]" if failure
                          else "[green]ok[/green]", ", ".join(fallbacks) or "—")
        console.print(smoke)

    if problems:
        console.print("[bold red]hal is not working:[/bold red]")
        for p in problems:
            console.print(f"  - {_esc(p)}")
        return 1
    console.print(f"[bold green]hal works[/bold green] ({len(devs)} device(s): "
                  f"{', '.join(str(d) for d in devs)}).")
    return 0


# -- hal demo --------------------------------------------------------------------

def cmd_demo(args, console) -> int:
    from . import _demo
    import hal
    devices = None
    if args.device:
        devices = [hal.get_device(sel) for sel in args.device]
    if args.chrome_trace:
        # every op of the run, with kernels' device times where the device profiles
        # (OpenCL): timings then include the waits for them
        with hal.trace(device_times=True) as t:
            rows = _demo.run(devices, repeats=args.repeats)
        path = t.export_chrome(args.chrome_trace)
        print(f"Chrome trace of {len(t)} ops written to {path}: open it in "
              f"https://ui.perfetto.dev or chrome://tracing", file=sys.stderr)
    else:
        rows = _demo.run(devices, repeats=args.repeats)
    # what hal.jit gives on the same devices (hal/_demo.py: run_jit)
    jit_rows = _demo.run_jit([d for d in (devices or hal.devices())],
                             repeats=args.repeats)
    ok = _demo.succeeded(rows) and all(r.ok for r in jit_rows)
    if args.json:
        print(json.dumps({"ok": ok, "rows": [r.as_dict() for r in rows],
                          "jit": [r.as_dict() for r in jit_rows]}, indent=2))
    else:
        _demo.render(rows, console)
        _demo.render_jit(jit_rows, console)
    return 0 if ok else 1


# -- hal bench -------------------------------------------------------------------

def cmd_bench(args, console) -> int:
    from ._bench import _command
    return _command.main(args, console)


# -- main ------------------------------------------------------------------------

def cmd_kernels_check(args, console) -> int:
    """Compile every portable kernel for one device; exit 1 if any fails."""
    from rich.table import Table

    from . import _kernelcheck, get_device
    from ._dtypes import as_dtype
    if args.user or args.hal:
        # a user's kernels (a file or module), and/or hal's: every target in one table
        from ._userkernels._check import cmd_check_user
        return cmd_check_user(args, console)
    args.target = args.target or "opencl"
    if args.target in ("cuda", "hip") and not args.device:
        # NVRTC / hipcc need no GPU: compile for --arch (default sm_80,sm_90 / gfx90a,gfx1100)
        return _kernelcheck.cmd_check_offline(args, console)
    device = get_device(args.device) if args.device else None
    if device is None:
        candidates = [d for d in __import__("hal").devices() if d.backend == args.target]
        if not candidates:
            console.print(f"[red]hal kernels check: no {args.target} device; pass "
                          f"--device SELECTOR (see `hal devices`)[/red]")
            return 1
        device = candidates[0]
    dtypes = [as_dtype(n.strip()) for n in args.dtypes.split(",")] if args.dtypes else None
    console.print(f"compiling kernels/ for target {args.target} on {device} "
                  f"({_esc(device.name)})")

    def progress(r):
        status = "[green]ok[/green]" if r.ok else "[red]FAILED[/red]"
        console.print(f"  {r.file:<16} {r.dtype:<11} {r.kernels:>4} kernels "
                      f"{r.seconds:7.2f} s  {status}")

    results = _kernelcheck.check(args.target, device, files=args.file or None,
                                 dtypes=dtypes, progress=progress)
    failed = [r for r in results if not r.ok]
    table = Table(title=f"hal kernels check --target {args.target} --device {device}")
    for column in ("file", "dtype", "kernels", "seconds", "status"):
        table.add_column(column)
    for r in results:
        detail = r.error or (f"missing: {', '.join(r.missing)}" if r.missing else "ok")
        table.add_row(r.file, r.dtype, str(r.kernels), f"{r.seconds:.2f}",
                      _esc(detail[:400]) if not r.ok else "ok")
    console.print(table)
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    for r in failed:
        console.print(f"[red]{r.file} [{r.dtype}]:[/red]\n{_esc(r.error or r.missing)}")
    return 1 if failed or not results else 0


def _parser() -> argparse.ArgumentParser:
    from . import __version__
    parser = argparse.ArgumentParser(
        prog="hal", description="hal: one Array API program, unchanged, on any "
                                "vendor's hardware.")
    parser.add_argument("--version", action="version",
                        version=f"hal {__version__} (Array API 2024.12)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("devices", help="every backend and device, and why any is missing")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--no-check", action="store_true",
                   help="skip the check that each device holds every dtype it claims")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("doctor", help="check the environment; exit 1 if hal does not work")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the tracebacks of plugins that failed")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("demo", help="run one Array API program on every device and "
                                    "compare with NumPy")
    p.add_argument("--device", action="append", metavar="SELECTOR",
                   help="run only on this device (repeatable); default: every device")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per device (median)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--chrome-trace", metavar="FILE",
                   help="record every op (hal.trace, with kernels' device times where "
                        "the device profiles) and write it in the Chrome trace event "
                        "format (Perfetto, chrome://tracing)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("bench", help="every device side by side against NumPy: "
                                     "latency, throughput, matmul, copies, first call")
    p.add_argument("--devices", metavar="SEL,...",
                   help="comma-separated device selectors; default: every device")
    p.add_argument("--quick", action="store_true",
                   help="fewer rounds and no n=2048 matmul: under a minute, noisier")
    p.add_argument("--only", metavar="GROUP,...",
                   help="only these groups: latency, dispatch, elementwise, reduction, "
                        "matmul, copy, first-call")
    p.add_argument("--json", metavar="FILE", help="write every figure, the machine, "
                                                  "versions and settings as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="draw the ratios as a grouped bar "
                                                      "chart (needs the 'plot' extra)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("kernels", help="portable kernels in kernels/")
    ksub = p.add_subparsers(dest="kernels_command", metavar="ACTION", required=True)
    k = ksub.add_parser("check", help="compile every portable kernel for a device, or "
                                      "a user's kernels (--user) for every target")
    k.add_argument("--target", help="opencl (default), cuda or hip; with --user: only "
                                    "this target (default: cuda, hip and every device)")
    k.add_argument("--user", action="append", metavar="FILE.py|MODULE",
                   help="check the hal.ElementwiseKernel/ReductionKernel/RawKernel "
                        "objects this file or module defines (repeatable) for CUDA "
                        "(NVRTC), HIP (hipcc) and every device present, in one table; "
                        "--dtypes picks the dtypes (default float32,float64,int32)")
    k.add_argument("--hal", action="store_true",
                   help="hal's own kernels/ in the same table (with or without --user)")
    k.add_argument("--device", metavar="SELECTOR",
                   help="the device to compile for; default: the target's first device")
    k.add_argument("--file", action="append", metavar="NAME.c",
                   help="only this source file (repeatable)")
    k.add_argument("--dtypes", metavar="LIST", help="only these dtypes, comma-separated")
    k.add_argument("--arch", metavar="LIST", help="cuda/hip without --device: GPU "
                   "architectures, comma-separated (default sm_80,sm_90 / gfx90a,gfx1100)")
    k.add_argument("--jobs", type=int, help="cuda/hip without --device: compilations "
                   "at once (default: the number of CPUs)")
    k.add_argument("--no-cache", action="store_true", help="cuda/hip: compile every "
                   "program again, even those unchanged since they last compiled")
    k.set_defaults(func=cmd_kernels_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    console = _console()
    try:
        return args.func(args, console)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from ._errors import HalError
        if isinstance(exc, HalError):
            console.print(f"[red]hal {args.command}: {_esc(exc)}[/red]")
            return 1
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
