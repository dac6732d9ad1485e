"""The ``hal bench`` table: one row per benchmark, NumPy and then one column per
device, each cell the device's figure and its ratio against NumPy."""

from __future__ import annotations

from . import _machine

__all__ = ["render", "format_seconds"]

_LEGEND = ("ratio: NumPy time / device time, the median of paired alternating rounds "
           "(25th–75th percentile in brackets); above 1× the device is faster than NumPy "
           "called directly. Device times include hal.synchronize() (dispatch rows: "
           "none, hal on its NumPy backend). GB/s counts bytes read and written; "
           "GFLOP/s = 2n³ / time; copy rows: NumPy's figure is a host memcpy of the "
           "same bytes. Every result was checked against NumPy's before it was timed. first-call: the first op of its kind in a fresh process, with an "
           "empty (cold) and a filled (warm) disk cache, then the fastest later call.")


def format_seconds(s: float, us_digits: int = 1) -> str:
    """``s`` in ns, µs, ms or s; ``us_digits`` decimals for microseconds (per-op
    overheads of a microsecond or two want more than one)."""
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.{us_digits}f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def _figure(unit: str, value: float) -> str:
    if unit == "time":
        return format_seconds(value)
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def _esc(text) -> str:
    from rich.markup import escape
    return escape(str(text))


def _cell(row: dict, marks: dict) -> str:
    status = row["status"]
    if status != "ok":
        style = {"skipped": "dim", "wrong": "bold red"}.get(status, "red")
        word = {"wrong": "WRONG"}.get(status, status)
        mark = marks.get((row["key"], row["device"]), "")
        return f"[{style}]{word}{mark}[/{style}]"
    if row["group"] == "first-call":
        return (f"cold {format_seconds(row['cold_s'])} · warm "
                f"{format_seconds(row['warm_s'])} · then {format_seconds(row['steady_s'])}")
    if row.get("view"):           # timed, but not a copy: no ratio to compare
        return f"[dim]no copy{marks.get((row['key'], row['device']), '')}[/dim]"
    ratio = row["ratio"]
    colour = "green" if ratio >= 1 else "yellow" if ratio >= 0.5 else "red"
    mark = marks.get((row["key"], row["device"]), "")
    return (f"{_figure(row['unit'], row['value'])}{mark}  [{colour}]{ratio:.2f}×[/{colour}]"
            f" [dim]({row['ratio_p25']:.2f}–{row['ratio_p75']:.2f})[/dim]")


def render(report: dict, console) -> None:
    """Print the report's table, its notes (failed devices, failed rows) and legend."""
    from rich.table import Table

    devices = report["devices"]
    rows = report["rows"]
    title = (f"hal bench{' --quick' if report['settings']['quick'] else ''}: "
             f"{_machine.summary(report)}")
    table = Table(title=_esc(title), title_justify="left")
    table.add_column("benchmark", style="bold")
    table.add_column("NumPy", justify="right")
    for d in devices:
        head = f"{d['selector']}\n[dim]{_esc(d['name'])}[/dim]"
        if d["status"] != "ok":
            head += "\n[red](failed)[/red]"
        table.add_column(head, justify="right")

    # footnote marks for rows with something to say (failures, views)
    notes: list[str] = []
    marks: dict = {}
    for r in rows:
        text = r["reason"] if r["status"] in ("failed", "wrong") else r.get("note")
        if text:
            notes.append(f"{r['device']}, {r['key']}: {text}")
            marks[(r["key"], r["device"])] = f" \\[{len(notes)}]"   # \[ : not markup

    by_key: dict[str, dict] = {}
    for r in rows:
        by_key.setdefault(r["key"], {})[r["device"]] = r
    group = None
    for key, cells in by_key.items():
        first = next(iter(cells.values()))
        if group is not None and first["group"] != group:
            table.add_section()
        group = first["group"]
        numpy_cell = ("—" if group == "first-call" or first["numpy_value"] is None
                      else _figure(first["unit"], first["numpy_value"]))
        table.add_row(_esc(key), numpy_cell,
                      *(_cell(cells[d["selector"]], marks) if d["selector"] in cells
                        else "" for d in devices))
    console.print(table)
    for d in devices:
        if d["status"] != "ok":
            console.print(f"[red]{_esc(d['selector'])} ({_esc(d['name'])}): "
                          f"{_esc(d['reason'])}[/red]")
    for u in report.get("unavailable", ()):
        reason = u["reason"] if len(u["reason"]) <= 200 else u["reason"][:199] + "…"
        console.print(f"[yellow]not benchmarked: {_esc(u['name'])}, which hal lists as "
                      f"unusable: {_esc(reason)}[/yellow]")
    for i, text in enumerate(notes, 1):
        console.print(f"[dim]\\[{i}] {_esc(text)}[/dim]")
    console.print(f"[dim]{_esc(_LEGEND)}[/dim]")
