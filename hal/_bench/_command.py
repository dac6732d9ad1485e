"""``hal bench``: run the benchmark set with a progress bar, print the table, and write
the JSON report and the chart when asked.

Exit status: 0 when every device that ran gave NumPy's results; 1 when a result was
wrong, when no device could run, or on bad arguments.  A device that cannot run at
all (its first op raises) is reported, not an error: the others are the result.
"""

from __future__ import annotations

from . import _cases, _plot, _render, _report, _runner

__all__ = ["main", "parse_list"]


def parse_list(text: str | None) -> list[str] | None:
    """``"a,b, c"`` -> ``["a", "b", "c"]``; ``None`` stays ``None``."""
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _progress(console):
    """A rich progress bar over the whole run (silent when output is not a terminal)."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True,
                    disable=not console.is_terminal)


def main(args, console) -> int:
    import hal

    if args.plot and not _plot.available():
        console.print(f"[red]hal bench: {_render._esc(_plot.MISSING)}[/red]")
        return 1
    groups = parse_list(args.only)
    unknown = sorted(set(groups or ()) - set(_cases.GROUPS))
    if unknown:
        console.print(f"[red]hal bench: unknown group(s) {', '.join(unknown)}; use "
                      f"{', '.join(_cases.GROUPS)}[/red]")
        return 1
    # a selector hal cannot give becomes a failed column (the run goes on)
    devices = parse_list(args.devices) or hal.devices()
    with _progress(console) as progress:
        task = progress.add_task("hal bench", total=None)
        report = _runner.run(devices, quick=args.quick, groups=groups,
                             total=lambda steps: progress.update(task, total=steps),
                             tick=lambda what: progress.update(
                                 task, advance=1, description=_render._esc(what)))
    _render.render(report, console)
    if args.json:
        _report.write(report, args.json)
        console.print(f"wrote {_render._esc(args.json)}")
    if args.plot:
        _plot.plot(report, args.plot)
        console.print(f"wrote {_render._esc(args.plot)}")
    ran = [d for d in report["devices"] if d["status"] == "ok"]
    wrong = [r for r in report["rows"] if r["status"] == "wrong"]
    if not ran:
        console.print("[red]hal bench: no device could run; see hal doctor[/red]")
    return 0 if ran and not wrong else 1
