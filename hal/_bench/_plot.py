"""``hal bench --plot FILE.png``: a grouped bar chart of every device's ratio against
NumPy, one group of bars per benchmark.  Needs matplotlib (the ``plot`` extra: ``pip install -e ".[plot]"``).
"""

from __future__ import annotations

from . import _machine

__all__ = ["available", "MISSING", "plot"]

MISSING = ("--plot needs matplotlib, which is not installed: "
           'pip install -e ".[plot]" in hal\'s checkout, or pip install matplotlib')


def available() -> bool:
    """Whether matplotlib imports (checked before a run, not after a minute of it)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def plot(report: dict, path: str) -> None:
    """Draw the ratios of ``report``'s timed rows to ``path`` (PNG, SVG or PDF)."""
    import matplotlib
    matplotlib.use("Agg")        # no display needed; never opens a window
    import matplotlib.pyplot as plt

    timed = [r for r in report["rows"] if r["group"] != "first-call"]
    keys = list(dict.fromkeys(r["key"] for r in timed))
    devices = [d["selector"] for d in report["devices"]
               if any(r["device"] == d["selector"] for r in timed)]
    ratio = {(r["key"], r["device"]): r for r in timed}
    names = {d["selector"]: d["name"] for d in report["devices"]}
    width = 0.8 / max(1, len(devices))

    fig, ax = plt.subplots(figsize=(max(8.0, 0.7 * len(keys) + 3), 5.5))
    for i, dev in enumerate(devices):
        xs, heights, lows, highs = [], [], [], []
        for k, key in enumerate(keys):
            r = ratio.get((key, dev))
            if r is None or r["status"] != "ok" or r.get("view"):
                continue          # failed, skipped, wrong, not a copy, n/a: no bar
            xs.append(k - 0.4 + width * (i + 0.5))
            heights.append(r["ratio"])
            lows.append(r["ratio"] - r["ratio_p25"])
            highs.append(r["ratio_p75"] - r["ratio"])
        ax.bar(xs, heights, width, yerr=[lows, highs], capsize=2,
               label=f"{dev} ({names[dev]})")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")          # latency ratios (0.01×) and throughput (2×) both show
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(keys, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("speed relative to NumPy (NumPy time / device time)")
    ax.set_title(f"hal bench: {_machine.summary(report)}", fontsize=9)
    failed = [d for d in report["devices"] if d["status"] != "ok"]
    if failed:
        ax.text(0.01, 0.01, "not run: " + "; ".join(f"{d['selector']} ({d['reason'][:80]})"
                                                    for d in failed),
                transform=ax.transAxes, fontsize=7, color="firebrick")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
