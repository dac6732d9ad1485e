"""Run one piece of array code on two devices and compare what came out.

The reference is hal itself on its NumPy backend, so both runs go through the same
core (promotion, argument checks, decompositions) and differ only in the plugin: its
kernels, its runtime, its declared capabilities.  Results are compared on the host:

* arrays: the device they live on, their dtype (the reference's, mapped onto the
  device's profile: where the reference's dtype is a default the device does not
  hold, e.g. ``float64``, the device's default of that kind), that the device
  claims that dtype, the shape, and the values (exact for bool and integers, within a
  tolerance for floating dtypes plus the tolerance the device declares);
* tuples and lists element by element; Python scalars by value;
* errors: when the reference raises, the device must raise the same kind of error
  (``TypeError``, ``ValueError``, ``IndexError`` ...); when only the device raises,
  that is a failure, unless it is the documented ``HalTypeError`` for a dtype the
  device does not claim.
"""

from __future__ import annotations

import contextlib
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import hal

__all__ = ["Namespace", "Outcome", "run_on", "compare", "expected_dtype", "tolerance",
           "assert_same", "explain_run"]

# -- the namespace a test body sees ------------------------------------------------------


class Namespace:
    """``xp`` in a test body: hal's namespace, bound to one device.

    Every attribute is ``hal``'s; the body runs inside ``hal.default_device(device)``,
    so creation functions without ``device=`` put their arrays on this device.
    ``xp.device`` is the device, ``xp.is_reference`` says whether this is the NumPy
    reference run.
    """

    def __init__(self, device, is_reference: bool):
        self.device = device
        self.is_reference = is_reference

    def __getattr__(self, name: str):
        return getattr(hal, name)

    def asarray(self, obj, /, *, dtype=None, device=None, copy=None):
        # NumPy arrays handed to a body are copied (the two runs must not share memory)
        if isinstance(obj, np.ndarray) and copy is None:
            copy = True
        return hal.asarray(obj, dtype=dtype, device=device, copy=copy)

    def __repr__(self) -> str:
        return f"<hal namespace on {self.device}{' (reference)' if self.is_reference else ''}>"


# -- running -----------------------------------------------------------------------------

@dataclass
class HostArray:
    """A result array as seen from the host."""

    dtype: Any
    device: Any
    value: np.ndarray

    def __repr__(self) -> str:
        return f"Array({self.value!r}, dtype={self.dtype.name}, device={self.device})"


@dataclass
class Outcome:
    device: Any
    result: Any = None
    error: BaseException | None = None
    tb: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def _host(obj):
    if obj.__class__ is hal.Array:
        return HostArray(obj.dtype, obj.device, hal.to_numpy(obj))
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return tuple(_host(o) for o in obj)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_host(o) for o in obj)
    return obj


@contextlib.contextmanager
def quiet():
    """NumPy's warnings about overflow, 0/0 and so on are not findings here."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        yield


def run_on(device, body: Callable, *, is_reference: bool) -> Outcome:
    """``body(xp)`` with ``xp`` bound to ``device``; results copied to the host."""
    xp = Namespace(device, is_reference)
    try:
        with quiet(), hal.default_device(device):
            return Outcome(device, _host(body(xp)))
    except Exception as exc:  # compared with the other run's outcome
        return Outcome(device, error=exc, tb=traceback.format_exc())


def explain_run(device, body: Callable) -> str:
    """How each op of ``body`` was resolved on ``device`` (for failure messages)."""
    try:
        with quiet(), hal.trace() as t, hal.default_device(device):
            body(Namespace(device, False))
    except Exception:
        pass
    seen, lines = set(), []
    for r in t.resolutions:
        key = (r.op, r.how, r.kernel)
        if key not in seen:
            seen.add(key)
            dts = ",".join(d.name for d in r.dtypes)
            lines.append(f"    {r.op}({dts}): {r.kernel} [{r.how}, plugin {r.plugin!r}]")
    return "\n".join(lines)


# -- dtypes and tolerances ------------------------------------------------------------------

def expected_dtype(ref_dtype, device):
    """The dtype ``device`` should give where the reference gave ``ref_dtype``.

    The same, when the device holds it; else the device's default of that kind (a
    reference ``float64`` comes from a default the device replaces by its own).
    """
    if ref_dtype in device.dtypes:
        return ref_dtype
    if ref_dtype is hal.float64:
        return device.default_float
    if ref_dtype is hal.complex128:
        return device.default_complex
    if ref_dtype is hal.int64:
        return device.default_int
    if ref_dtype is hal.uint64 and device.default_int is hal.int32:
        return hal.uint32
    return ref_dtype


#: tolerance classes: multiples of the result dtype's machine epsilon, and whether the
#: absolute part scales with the largest magnitude in the expected result
TOLERANCES = {
    "exact": (0, False),       # IEEE-exact ops: arithmetic, rounding, comparisons, copies
    "ulp": (4, False),         # libm-style functions: a few units in the last place
    "sum": (64, True),         # accumulations in any order (sum, mean, matmul ...)
    "fft": (256, True),
    "linalg": (4096, True),    # factorizations of well-conditioned matrices
}


def tolerance(kind, dtype, device, expected: np.ndarray | None = None) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing ``dtype`` results of a ``kind`` op on ``device``."""
    if dtype.kind not in "fc":
        return 0.0, 0.0
    if isinstance(kind, tuple):
        rtol, atol = kind
    else:
        mult, scaled = TOLERANCES[kind]
        real = {"complex64": "float32", "complex128": "float64"}.get(dtype.name, dtype.name)
        eps = float(np.finfo(real).eps)
        rtol = atol = mult * eps
        if scaled and expected is not None and expected.size:
            finite = np.abs(expected[np.isfinite(expected)])
            if finite.size:
                atol *= max(1.0, float(finite.max()))
    declared = float(device.capabilities.tolerances.get(dtype.name, 0.0))
    return max(rtol, declared), max(atol, declared)


# -- comparing -------------------------------------------------------------------------------

_ERROR_KINDS = (IndexError, TypeError, ValueError, NotImplementedError, MemoryError,
                ArithmeticError, KeyError, AttributeError)


def _error_kind(exc: BaseException) -> type:
    for kind in _ERROR_KINDS:
        if isinstance(exc, kind):
            return kind
    return type(exc)


def _unclaimed(tree, device) -> set:
    """Dtypes in the reference's results that ``device`` would have to hold but
    does not claim."""
    out = set()
    if isinstance(tree, HostArray):
        want = expected_dtype(tree.dtype, device)
        if want not in device.dtypes:
            out.add(want)
    elif isinstance(tree, (tuple, list)):
        for t in tree:
            out |= _unclaimed(t, device)
    return out


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 600 else text[:600] + " ..."


def compare(ref: Outcome, got: Outcome, *, tol="exact", type_check: bool = True,
            what: str = "result") -> str | None:
    """``None`` when ``got`` (device under test) agrees with ``ref``; else why not."""
    device = got.device
    if not ref.ok:
        if got.ok:
            return (f"{what}: the NumPy reference raised {_short(ref.error)}, but "
                    f"{device} returned {got.result!r} instead of raising")
        if _error_kind(ref.error) is not _error_kind(got.error):
            return (f"{what}: the NumPy reference raised {_short(ref.error)}; {device} "
                    f"raised {_short(got.error)} (expected a "
                    f"{_error_kind(ref.error).__name__})")
        return None
    if not got.ok:
        missing = _unclaimed(ref.result, device)
        if missing and isinstance(got.error, hal.HalTypeError):
            return None   # the documented refusal of a dtype the device does not hold
        return (f"{what}: {device} raised {_short(got.error)}; the NumPy reference "
                f"returned {ref.result!r}\n{got.tb}")
    return _compare_tree(ref.result, got.result, device, tol, type_check, what)


def _compare_tree(ref, got, device, tol, type_check, what) -> str | None:
    if isinstance(ref, HostArray):
        if not isinstance(got, HostArray):
            if isinstance(got, np.ndarray):
                return f"{what}: {device} returned a NumPy array, not a hal.Array"
            return f"{what}: {device} returned {type(got).__name__}, not a hal.Array"
        return _compare_arrays(ref, got, device, tol, type_check, what)
    if isinstance(ref, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(ref):
            return (f"{what}: expected a {type(ref).__name__} of {len(ref)}, {device} "
                    f"returned {got!r}")
        for i, (r, g) in enumerate(zip(ref, got)):
            problem = _compare_tree(r, g, device, tol, type_check, f"{what}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(ref, np.ndarray) or isinstance(got, np.ndarray):
        return _compare_values(np.asarray(ref), np.asarray(got), device, tol, what,
                               hal_dtype=None)
    if isinstance(ref, float) and isinstance(got, float):
        if np.isnan(ref) and np.isnan(got):
            return None
        rtol, atol = tolerance(tol, hal.float64, device)
        if not np.isclose(got, ref, rtol=rtol, atol=atol):
            return f"{what}: {device} gave {got!r}, the NumPy reference {ref!r}"
        return None
    if type(ref) is not type(got) or ref != got:
        return f"{what}: {device} gave {got!r}, the NumPy reference {ref!r}"
    return None


def _compare_arrays(ref: HostArray, got: HostArray, device, tol, type_check, what):
    if got.device is not device:
        return (f"{what}: the result is on {got.device}, not on {device}: results must "
                f"stay on the device of their inputs")
    if got.dtype not in device.dtypes:
        return (f"{what}: the result has dtype {got.dtype.name}, which {device} does not "
                f"claim (capabilities.dtypes)")
    if got.value.dtype != np.dtype(got.dtype.name):
        return (f"{what}: hal says the result is {got.dtype.name}, but the device's "
                f"buffer holds {got.value.dtype} (Runtime.dtype_of / to_host disagree)")
    want = expected_dtype(ref.dtype, device)
    if type_check and got.dtype is not want:
        mapped = "" if want is ref.dtype else f" ({ref.dtype.name} on the reference)"
        return (f"{what}: dtype {got.dtype.name}, expected {want.name}{mapped}")
    if got.value.shape != ref.value.shape:
        return f"{what}: shape {got.value.shape}, expected {ref.value.shape}"
    return _compare_values(ref.value, got.value, device, tol, what, hal_dtype=got.dtype)


def _compare_values(ref, got, device, tol, what, hal_dtype):
    if ref.shape != got.shape:
        return f"{what}: shape {got.shape}, expected {ref.shape}"
    dtype = hal_dtype
    if dtype is None:
        name = np.result_type(ref, got).name
        dtype = getattr(hal, name, hal.float64)
    with quiet():
        want = ref.astype(got.dtype) if got.dtype.kind in "fc" and ref.dtype != got.dtype \
            else ref
    if dtype.kind not in "fc":
        if not np.array_equal(got, want):
            return _mismatch(want, got, device, what, "exactly")
        return None
    rtol, atol = tolerance(tol, dtype, device, np.asarray(want))
    try:
        with quiet():
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    except AssertionError as exc:
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        detail = "\n".join("    " + ln for ln in lines[1:8])
        return (f"{what}: values differ from the NumPy reference (rtol={rtol:.3g}, "
                f"atol={atol:.3g})\n{detail}\n    device:    {_fmt(got)}\n"
                f"    reference: {_fmt(want)}")
    return None


def _fmt(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), threshold=24, max_line_width=100).replace(
        "\n", "\n               ")


def _mismatch(want, got, device, what, how) -> str:
    bad = np.argwhere(np.asarray(got != want))
    where = f" (first at index {tuple(int(i) for i in bad[0])})" if bad.size else ""
    return (f"{what}: values differ from the NumPy reference{where}; they must match "
            f"{how}\n    device:    {_fmt(got)}\n    reference: {_fmt(want)}")


def assert_same(body: Callable, *, device=None, reference=None, tol="exact",
                type_check: bool = True, accept_error: bool = False,
                what: str = "result") -> None:
    """Run ``body(xp)`` on the reference and on ``device``; raise AssertionError
    (with how the device resolved each op) when they disagree."""
    from . import _state
    device = device if device is not None else _state.device_under_test()
    reference = reference if reference is not None else _state.reference_device()
    ref = run_on(reference, body, is_reference=True)
    if not ref.ok and not accept_error:
        raise AssertionError(f"{what}: the body failed on the NumPy reference itself "
                             f"(pass accept_error=True if errors are expected):\n{ref.tb}")
    got = run_on(device, body, is_reference=False)
    problem = compare(ref, got, tol=tol, type_check=type_check, what=what)
    if problem:
        how = explain_run(device, body)
        raise AssertionError(problem + (f"\n  resolved on {device} as:\n{how}" if how else ""))
