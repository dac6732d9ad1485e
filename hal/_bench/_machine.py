"""What a benchmark ran on: the machine and the versions, for the JSON and the title.

Figures only hold on the machine they were measured on, so every report carries it.
"""

from __future__ import annotations

import os
import platform

__all__ = ["machine", "versions", "cpu_model", "summary"]

#: environment variables that change what a run measures (thread counts of NumPy's
#: BLAS and of OpenMP runtimes, and every HAL_* variable)
_ENV_PREFIXES = ("HAL_",)
_ENV_NAMES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "CPU_AFFINITY", "OCL_ICD_VENDORS", "PYOPENCL_CTX")


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux), else ``platform``'s."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def machine() -> dict:
    return {
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "environment": {k: v for k, v in sorted(os.environ.items())
                        if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES},
    }


def versions() -> dict:
    """hal, NumPy and every installed package ``hal doctor`` reports."""
    import importlib.metadata

    import numpy as np

    import hal
    from .._cli import OPTIONAL_DISTS, REQUIRED_DISTS
    out = {"hal": hal.__version__, "numpy": np.__version__}
    for name in (*REQUIRED_DISTS, *OPTIONAL_DISTS):
        try:
            out.setdefault(name, importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def summary(report: dict) -> str:
    """One line: date, CPU, cores, Python and NumPy (the title of table and chart)."""
    m, v = report["machine"], report["versions"]
    return (f"{report['created'][:10]}, {m['cpu']}, {m['usable_cpus']} cores, "
            f"Python {m['python']}, NumPy {v['numpy']}, hal {v['hal']}")
