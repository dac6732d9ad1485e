"""``hal demo``: one Array API program, unchanged, on every device hal can see.

:func:`workload` is written only against the Array API standard: it receives the
namespace ``xp`` and a device and never names hal or NumPy.  :func:`run` runs it on
plain NumPy (the reference) and then on every available hal device, and compares each
result with NumPy's.  The CLI (``hal demo``) renders the rows as a table.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

__all__ = ["make_data", "workload", "DemoRow", "run", "missing_backends", "render",
           "TOLERANCES", "VENDOR_LIBRARIES", "JitRow", "run_jit", "render_jit"]

#: relative/absolute tolerance per dtype name for "matches NumPy" (a device may
#: declare a looser one in ``Capabilities.tolerances``)
TOLERANCES = {"float64": 1e-9, "float32": 1e-4, "float16": 1e-2}

#: backends hal will have plugins for, the vendor library each needs and its extra
VENDOR_LIBRARIES = {
    "opencl": ("pyopencl", "opencl"),
    "cupy": ("cupy", "cuda12"),
    "oneapi": ("dpnp", "oneapi"),
}

LOGREG_STEPS = 25
LOGREG_LR = 0.5
KMEANS_ITERS = 6
K = 4


# -- the workload: the Array API standard only ---------------------------------------

def make_data(seed: int = 0, n: int = 512, d: int = 8, k: int = K) -> dict[str, Any]:
    """Synthetic data on the host (NumPy arrays), the same for every device."""
    import numpy as np

    rng = np.random.default_rng(seed)
    # logistic regression: labels from a known linear rule plus noise
    X = rng.standard_normal((n, d))
    true_w = rng.standard_normal(d)
    logits = X @ true_w + 0.3 * rng.standard_normal(n)
    y = (logits > 0).astype(np.float64)
    # k-means: k well separated blobs; the first point of each blob seeds a centroid
    centers = 6.0 * rng.standard_normal((k, d))
    assign = np.arange(n) % k
    points = centers[assign] + rng.standard_normal((n, d))
    return {"X": X, "y": y, "points": points, "init": np.arange(k, dtype=np.int64)}


def workload(xp, device, data: dict[str, Any], dtype) -> dict[str, Any]:
    """Logistic regression by gradient descent, then k-means: standard functions only.

    ``xp`` is any Array API namespace, ``device`` one of its devices, ``dtype`` the
    real floating dtype to compute in.  Returns a dict of arrays on ``device``.
    """
    X = xp.asarray(data["X"], dtype=dtype, device=device)
    y = xp.asarray(data["y"], dtype=dtype, device=device)
    n, d = X.shape

    # logistic regression, full-batch gradient descent
    w = xp.zeros((d,), dtype=dtype, device=device)
    b = xp.zeros((), dtype=dtype, device=device)
    for _ in range(LOGREG_STEPS):
        p = 1.0 / (1.0 + xp.exp(-(X @ w + b)))
        err = p - y
        w = w - LOGREG_LR * (xp.matrix_transpose(X) @ err) / n
        b = b - LOGREG_LR * xp.mean(err)
    z = X @ w + b
    eps = 1e-6
    p = xp.clip(1.0 / (1.0 + xp.exp(-z)), min=eps, max=1.0 - eps)
    log_loss = -xp.mean(y * xp.log(p) + (1.0 - y) * xp.log1p(-p))
    accuracy = xp.mean(xp.astype((z > 0) == (y > 0.5), dtype))

    # k-means (Lloyd's iterations)
    P = xp.asarray(data["points"], dtype=dtype, device=device)
    init = xp.asarray(data["init"], device=device)
    k = init.shape[0]
    C = xp.take(P, init, axis=0)
    cluster_ids = xp.arange(k, device=device)
    for _ in range(KMEANS_ITERS):
        d2 = xp.sum((P[:, None, :] - C[None, :, :]) ** 2, axis=-1)        # (n, k)
        labels = xp.argmin(d2, axis=1)
        onehot = xp.astype(labels[:, None] == cluster_ids[None, :], dtype)  # (n, k)
        counts = xp.sum(onehot, axis=0)
        C = (xp.matrix_transpose(onehot) @ P) / xp.maximum(counts, 1.0)[:, None]
    d2 = xp.sum((P[:, None, :] - C[None, :, :]) ** 2, axis=-1)
    labels = xp.argmin(d2, axis=1)
    inertia = xp.mean(xp.min(d2, axis=1))

    return {"weights": w, "bias": b, "log_loss": log_loss, "accuracy": accuracy,
            "centroids": C, "inertia": inertia, "labels": labels}


# -- running it everywhere ----------------------------------------------------------

@dataclass
class DemoRow:
    """One line of the demo table."""

    device: str                     # selector, or the backend/plugin name
    name: str = ""
    dtype: str = ""
    seconds: float | None = None
    max_abs_diff: float | None = None
    tolerance: float | None = None
    fallbacks: list[str] = field(default_factory=list)   # "op (n×)" entries
    fallback_count: int = 0
    #: ok | MISMATCH | error: ... | unavailable: ... | reference
    status: str = ""
    fix: str = ""
    available: bool = True

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "reference")

    def as_dict(self) -> dict:
        return {"device": self.device, "name": self.name, "dtype": self.dtype,
                "seconds": self.seconds, "max_abs_diff": self.max_abs_diff,
                "tolerance": self.tolerance, "fallbacks": self.fallbacks,
                "fallback_count": self.fallback_count, "status": self.status,
                "fix": self.fix, "available": self.available, "ok": self.ok}


def missing_backends() -> list[tuple[str, str, str, str]]:
    """What hal could use here but does not, beyond ``hal.unavailable_plugins()``.

    Returns ``(name, kind, reason, fix)`` for every ``hal.plugins`` entry point that
    ``HAL_DISABLE_PLUGINS`` or ``HAL_DISABLE_PLUGIN_AUTOLOAD`` kept from loading, and
    for every vendor library installed here for which hal has no backend plugin (the
    ``opencl`` extra before an OpenCL plugin exists).  Vendor libraries are found with
    ``importlib.util.find_spec``: they are never imported.
    """
    import importlib.metadata

    from . import _env
    from ._plugins import ENTRY_POINT_GROUP, host
    host.activate_all()
    known = set(host.backends) | {u.name for u in host.unavailable}
    autoload = not _env.flag(_env.HAL_DISABLE_PLUGIN_AUTOLOAD)
    disabled = {n.strip() for n in (_env.get(_env.HAL_DISABLE_PLUGINS) or "").split(",")
                if n.strip()}
    out = []
    entry_points = {ep.name for ep in
                    importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    for name in sorted(entry_points - known):
        if not autoload:
            out.append((name, "plugin", "not loaded: HAL_DISABLE_PLUGIN_AUTOLOAD=1 turns "
                        "plugin autoload off", "unset HAL_DISABLE_PLUGIN_AUTOLOAD"))
        elif name in disabled:
            out.append((name, "plugin", "disabled by HAL_DISABLE_PLUGINS",
                        f"remove {name!r} from HAL_DISABLE_PLUGINS"))
    for backend, (module, extra) in VENDOR_LIBRARIES.items():
        if backend in known or backend in entry_points:
            continue
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            continue
        version = _dist_version(module)
        out.append((backend, "backend",
                    f"not yet supported: {module}{' ' + version if version else ''} is "
                    f"installed (the '{extra}' extra) but hal has no {backend} plugin yet",
                    f"use a device hal supports (hal devices); the {backend} backend "
                    f"plugin is planned"))
    return out


def _dist_version(name: str) -> str:
    import importlib.metadata
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _to_host(value) -> Any:
    import numpy as np
    import hal
    if isinstance(value, hal.Array):
        return hal.to_numpy(value)
    return np.asarray(value)


def _max_abs_diff(result: dict, reference: dict, tol: float) -> tuple[float, bool]:
    """Largest |result - reference| over all outputs, and whether all are within tol
    (``|a - r| <= tol * (1 + |r|)`` elementwise)."""
    import numpy as np
    worst, ok = 0.0, True
    for key, ref in reference.items():
        got = np.asarray(_to_host(result[key]), dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        if got.shape != ref.shape:
            return float("inf"), False
        diff = np.abs(got - ref)
        if diff.size:
            worst = max(worst, float(np.max(diff)))
            ok = ok and bool(np.all(diff <= tol * (1.0 + np.abs(ref))))
    return worst, ok


def _reference(data: dict, dtype_name: str, cache: dict,
               repeats: int = 1) -> tuple[dict, float]:
    """The workload on plain NumPy (``xp = numpy``), in ``dtype_name``: the result
    and the median time of ``repeats`` runs after the first."""
    if dtype_name not in cache:
        import numpy as np
        dtype = getattr(np, dtype_name)
        result = workload(np, "cpu", data, dtype)
        times = []
        for _ in range(max(1, repeats)):
            start = time.perf_counter()
            workload(np, "cpu", data, dtype)
            times.append(time.perf_counter() - start)
        cache[dtype_name] = ({k: np.asarray(v) for k, v in result.items()},
                             sorted(times)[len(times) // 2])
    return cache[dtype_name]


def _run_device(dev, data: dict, refs: dict, repeats: int, policy: str) -> DemoRow:
    import hal
    info = hal.__array_namespace_info__()
    dtype = info.default_dtypes(device=dev)["real floating"]
    row = DemoRow(str(dev), dev.name, dtype.name)
    tol = max(TOLERANCES.get(dtype.name, 1e-4),
              dev.capabilities.tolerances.get(dtype.name, 0.0))
    row.tolerance = tol
    try:
        ref, _ = _reference(data, dtype.name, refs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", hal.HalFallbackWarning)
            with hal.fallback_policy(policy):
                # first run traced: which ops fell back to the host, and warms caches
                with hal.trace() as t:
                    result = workload(hal, dev, data, dtype)
                    hal.synchronize(dev)
                counts: dict[str, int] = {}
                for event in t.fallbacks:
                    counts[event.op] = counts.get(event.op, 0) + 1
                row.fallbacks = [f"{op} ({n}×)" for op, n in sorted(counts.items())]
                row.fallback_count = sum(counts.values())
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    workload(hal, dev, data, dtype)
                    hal.synchronize(dev)
                    times.append(time.perf_counter() - start)
        row.seconds = sorted(times)[len(times) // 2] if times else None
        row.max_abs_diff, within = _max_abs_diff(result, ref, tol)
        row.status = "ok" if within else "MISMATCH"
        if not within:
            row.fix = f"results differ from NumPy by more than {tol:g} (relative)"
    except Exception as exc:  # one device failing must not hide the others
        row.status = f"error: {type(exc).__name__}: {exc}"
    return row


def run(devices=None, *, repeats: int = 3, seed: int = 0) -> list[DemoRow]:
    """Run the workload on NumPy and on every available device (or ``devices``), and
    add a row for every unavailable plugin or backend."""
    import hal
    from . import _env

    data = make_data(seed)
    refs: dict = {}
    _, ref_seconds = _reference(data, "float64", refs, repeats)
    import numpy as np
    rows = [DemoRow("numpy (plain)", f"NumPy {np.__version__}, used directly",
                    "float64", ref_seconds, 0.0, None, status="reference")]
    # HAL_FALLBACK=error is honoured (a fallback then fails the device); otherwise
    # fallbacks are allowed and shown in the table rather than warned about
    policy = "error" if (_env.get(_env.HAL_FALLBACK) or "").lower() == "error" else "allow"
    for dev in (hal.devices() if devices is None else devices):
        rows.append(_run_device(dev, data, refs, repeats, policy))
    if devices is None:
        for u in hal.unavailable_plugins():
            rows.append(DemoRow(u.name, f"({u.kind})", status=f"unavailable: {u.reason}",
                                fix=u.fix, available=False))
        for name, kind, reason, fix in missing_backends():
            rows.append(DemoRow(name, f"({kind})", status=f"unavailable: {reason}",
                                fix=fix, available=False))
    return rows


def succeeded(rows: list[DemoRow]) -> bool:
    """True when at least one device ran and every available device matched NumPy."""
    ran = [r for r in rows if r.available and r.status != "reference"]
    return bool(ran) and all(r.ok for r in ran)


# -- rendering ---------------------------------------------------------------------

def _fmt_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s * 1e3:.2f} ms" if s < 10 else f"{s:.1f} s"


def render(rows: list[DemoRow], console) -> None:
    from rich.table import Table

    table = Table(title="hal demo: logistic regression (gradient descent) + k-means, "
                        "one Array API program on every device",
                  title_justify="left")
    table.add_column("device", style="bold")
    table.add_column("name")
    table.add_column("dtype")
    table.add_column("time", justify="right")
    table.add_column("max |Δ| vs NumPy", justify="right")
    table.add_column("fallbacks")
    table.add_column("status")
    for r in rows:
        if r.status == "reference":
            status = "[dim]reference[/dim]"
        elif r.status == "ok":
            status = "[green]ok[/green]"
        elif not r.available:
            status = f"[yellow]{_escape(r.status)}[/yellow]"
            if r.fix:
                status += f"\n[dim]fix: {_escape(r.fix)}[/dim]"
        else:
            status = f"[red]{_escape(r.status)}[/red]"
            if r.fix:
                status += f"\n[dim]{_escape(r.fix)}[/dim]"
        if r.max_abs_diff is None:
            diff = "—"
        else:
            diff = f"{r.max_abs_diff:.2e}"
            if r.tolerance is not None:
                diff += f" (tol {r.tolerance:g})"
        if not r.available:
            fallbacks = "—"
        elif r.status == "reference":
            fallbacks = ""
        else:
            fallbacks = (f"{r.fallback_count}: " + ", ".join(r.fallbacks)
                         if r.fallback_count else "0")
        table.add_row(_escape(r.device), _escape(r.name), r.dtype,
                      _fmt_seconds(r.seconds), diff, fallbacks, status)
    console.print(table)
    ran = [r for r in rows if r.available and r.status != "reference"]
    good = [r for r in ran if r.ok]
    if not ran:
        console.print("[red]No device ran the demo: hal found no available device. "
                      "Run hal doctor.[/red]")
    elif succeeded(rows):
        console.print(f"[green]{len(good)}/{len(ran)} device(s) match NumPy.[/green]")
    else:
        console.print(f"[red]{len(good)}/{len(ran)} device(s) match NumPy.[/red]")


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(str(text))


# -- hal.jit: what fusing gives ------------------------------------------------------

#: the fused expression's matrix: rows x columns of float32
JIT_SHAPE = (2048, 2048)
JIT_EXPRESSION = "softmax(x * w + b) along rows, and sum((x - b) ** 2)"


def jit_expression(x, w, b):
    """A layer's row softmax and a squared distance: the standard's ops only.  Eager:
    ten kernels and as many passes over memory; ``hal.jit``: a row kernel (the max,
    the sum and the output in one pass) and one map+reduce."""
    xp = x.__array_namespace__()
    z = x * w + b
    e = xp.exp(z - xp.max(z, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True), xp.sum((x - b) ** 2)


@dataclass
class JitRow:
    """One device's eager and ``hal.jit`` times for :func:`jit_expression`."""

    device: str
    eager_seconds: float | None = None
    jit_seconds: float | None = None
    max_abs_diff: float | None = None  # relative: |a - r| / (1 + |r|)
    tolerance: float = 1e-4
    how: str = ""       # "N fused kernel(s)" or why it ran eagerly
    status: str = ""    # ok | MISMATCH | error: ...

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def speedup(self) -> float | None:
        """Eager time over jitted time; ``None`` where the jitted function ran eagerly
        too (the two times then differ by noise only)."""
        if self.eager_seconds and self.jit_seconds and not self.how.startswith("eagerly"):
            return self.eager_seconds / self.jit_seconds
        return None

    def as_dict(self) -> dict:
        return {"device": self.device, "eager_seconds": self.eager_seconds,
                "jit_seconds": self.jit_seconds, "speedup": self.speedup,
                "max_abs_diff": self.max_abs_diff, "tolerance": self.tolerance,
                "how": self.how, "status": self.status, "ok": self.ok}


def _jit_data(shape, seed: int = 0):
    import numpy as np
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape).astype(np.float32),
            rng.standard_normal(shape[-1]).astype(np.float32),
            rng.standard_normal(shape[-1]).astype(np.float32))


def _jit_device(dev, host, ref, repeats: int) -> JitRow:
    import numpy as np

    import hal
    row = JitRow(str(dev), tolerance=max(
        TOLERANCES["float32"], dev.capabilities.tolerances.get("float32", 0.0)))
    try:
        args = [hal.asarray(h, device=dev) for h in host]
        fused = hal.jit(jit_expression)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", hal.HalFallbackWarning)
            result = fused(*args)  # traces and compiles: not timed
            jit_expression(*args)
            hal.synchronize(dev)

            def best(fn):
                times = []
                for _ in range(max(1, repeats)):
                    start = time.perf_counter()
                    fn(*args)
                    hal.synchronize(dev)
                    times.append(time.perf_counter() - start)
                return sorted(times)[len(times) // 2]
            with hal.lazy(False):  # op by op: on OpenCL lazy mode would fuse it too
                row.eager_seconds = best(jit_expression)
            row.jit_seconds = best(fused)
        if fused.stats["eager_calls"]:
            from ._jit._backends import launcher_for
            row.how = "eagerly: " + launcher_for(dev)[1].split(" (")[0]
        else:
            steps = [line for line in fused.explain(*args).splitlines()
                     if line.startswith("step ")]
            row.how = f"{len(steps)} fused kernel step(s)"
        got = {"softmax": result[0], "sqdist": result[1]}
        # relative (|a - r| / (1 + |r|)): the distance sums 2^22 squares
        _, within = _max_abs_diff(got, ref, row.tolerance)
        row.max_abs_diff = max(float(np.max(np.abs(_to_host(got[k]).astype(np.float64) - r)
                                            / (1 + np.abs(r)))) for k, r in ref.items())
        row.status = "ok" if within else "MISMATCH"
    except Exception as exc:  # one device failing must not hide the others
        row.status = f"error: {type(exc).__name__}: {exc}"
    return row


def run_jit(devices=None, *, repeats: int = 3, shape=JIT_SHAPE) -> list[JitRow]:
    """:func:`jit_expression` eagerly and through ``hal.jit`` on every available
    device (or ``devices``), each result checked against NumPy's."""
    import numpy as np

    import hal
    host = _jit_data(shape)
    ref = jit_expression(*host)
    ref = {"softmax": np.asarray(ref[0], dtype=np.float64),
           "sqdist": np.asarray(ref[1], dtype=np.float64)}
    return [_jit_device(dev, host, ref, repeats)
            for dev in (hal.devices() if devices is None else devices)]


def render_jit(rows: list[JitRow], console, shape=JIT_SHAPE) -> None:
    from rich.table import Table
    table = Table(title=f"hal.jit: {JIT_EXPRESSION}, {shape[0]} × {shape[1]} float32, "
                        f"eager vs fused", title_justify="left")
    for column, justify in (("device", "left"), ("eager", "right"), ("hal.jit", "right"),
                            ("speed-up", "right"), ("max rel. |Δ| vs NumPy", "right"),
                            ("runs as", "left"), ("status", "left")):
        table.add_column(column, justify=justify)
    for r in rows:
        status = "[green]ok[/green]" if r.ok else f"[red]{_escape(r.status)}[/red]"
        diff = "—" if r.max_abs_diff is None else \
            f"{r.max_abs_diff:.2e} (tol {r.tolerance:g})"
        table.add_row(_escape(r.device), _fmt_seconds(r.eager_seconds),
                      _fmt_seconds(r.jit_seconds),
                      "—" if r.speedup is None else f"{r.speedup:.2f}×", diff,
                      _escape(r.how), status)
    console.print(table)
