"""Shared hypothesis strategies and checks for hal's differential tests.

Every test builds its inputs as NumPy arrays, puts them on the device under test
(``to_device``), runs hal, and compares ``hal.to_numpy(result)`` with what NumPy
computes on the same inputs (``assert_matches``).  Result dtypes follow hal's
documented promotion rules (``expected_promotion`` / ``expected_scalar``, written here
independently of hal's own table) and are checked against array-api-strict wherever
strict accepts the inputs (``strict_dtype_of``).
"""

from __future__ import annotations

import functools

import array_api_strict as strict
import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import hal as xp

strict.set_array_api_strict_flags(api_version="2024.12")

_state: dict = {"selector": "numpy", "device": None}

ALL_DTYPES = tuple(xp.all_dtypes())


# -- the device under test --------------------------------------------------------------

def configure(selector: str) -> None:
    """Called by conftest before collection: pick the device and make it the default."""
    dev = xp.get_device(selector)
    _state["selector"] = selector
    _state["device"] = dev
    # Functions without a device= argument (and scalars' default dtypes) follow it.
    xp.set_default_device(dev)


def device():
    if _state["device"] is None:
        configure(_state["selector"])
    return _state["device"]


def device_dtypes(kinds: str = "biufc") -> list:
    """The device's dtypes whose kind letter is in ``kinds`` (b, i, u, f, c)."""
    dev = device()
    return [d for d in ALL_DTYPES if d in dev.dtypes and d.kind in kinds]


def dtype_params(kinds: str = "biufc") -> list:
    """``pytest.param`` per supported dtype, with the dtype name as the test id."""
    return [pytest.param(d, id=d.name) for d in device_dtypes(kinds)]


def default_float():
    return device().default_float


def default_int():
    return device().default_int


def default_complex():
    return device().default_complex


# -- moving data ----------------------------------------------------------------------

def to_device(a):
    """A NumPy array (or scalar) -> a hal Array on the device under test.

    Always a copy: on the NumPy backend ``asarray`` may share the buffer, and a test
    that mutates the hal array (setitem, ``+=``) must not change its own reference
    input.  (test_creation covers the sharing itself.)
    """
    return xp.asarray(np.asarray(a), device=device(), copy=True)


def to_numpy(x) -> np.ndarray:
    return xp.to_numpy(x)


def np_dtype(dtype) -> np.dtype:
    return np.dtype(dtype.name)


def hal_dtype(np_dt):
    return getattr(xp, np.dtype(np_dt).name)


def strict_dtype(dtype):
    """The array-api-strict dtype of a hal dtype (``None`` for hal's float16)."""
    return getattr(strict, dtype.name, None) if dtype is not xp.float16 else None


# -- hypothesis strategies ------------------------------------------------------------

# Strategies are cached: building (and validating) one costs more than drawing from it.

@functools.lru_cache(maxsize=None)
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def elements(dtype, **kwargs):
    return _elements(dtype, tuple(sorted(kwargs.items())))


@functools.lru_cache(maxsize=None)
def _elements(dtype, items):
    """Values of ``dtype``: the full range, with NaN and infinities for floats.

    Subnormals are left out: GPUs may flush them to zero, which is a property of
    the device rather than a bug, and it would drown the real differences.
    """
    kwargs = dict(items)
    if dtype.kind in "fc":
        kwargs.setdefault("allow_subnormal", False)
    return hnp.from_dtype(np_dtype(dtype), **kwargs)


@functools.lru_cache(maxsize=None)
def arrays(dtype, shape=None, *, elements_=None, unique=False):
    """NumPy arrays of ``dtype`` (hal dtype), of a small random shape by default.

    ``shape``: a tuple, a strategy of tuples, or None (0 to 3 dimensions of 0 to 4).
    """
    return hnp.arrays(np_dtype(dtype), shapes() if shape is None else shape,
                      elements=elements(dtype) if elements_ is None else elements_,
                      unique=unique)


@functools.lru_cache(maxsize=None)
def finite_arrays(dtype, shape=None, *, lo=None, hi=None, unique=False):
    """Arrays without NaN or infinity, optionally bounded (for reductions, linalg)."""
    kw = {}
    if dtype.kind in "fc":
        kw = dict(allow_nan=False, allow_infinity=False)
        if lo is not None:
            kw["min_value"] = lo
            kw["max_value"] = hi
        if dtype.kind == "c":
            kw = dict(allow_nan=False, allow_infinity=False,
                      max_magnitude=None if hi is None else hi)
    elif dtype.kind in "iu" and lo is not None:
        info = np.iinfo(np_dtype(dtype))
        kw = dict(min_value=max(lo, info.min), max_value=min(hi, info.max))
    return arrays(dtype, shape, elements_=elements(dtype, **kw), unique=unique)


@functools.lru_cache(maxsize=None)
def python_scalars(scalar_type: type, array_dtype):
    """Python scalars of ``scalar_type`` that ``array_dtype`` can represent.

    The standard leaves out-of-range scalars unspecified, so none are drawn.
    """
    if scalar_type is bool:
        return st.booleans()
    if scalar_type is int:
        if array_dtype.kind in "iu":
            info = np.iinfo(np_dtype(array_dtype))
            return st.integers(info.min, info.max)
        # exact in every floating dtype, float16 included
        return st.integers(-2048, 2048)
    if scalar_type is float:
        width = {2: 16, 4: 32}.get(array_dtype.itemsize if array_dtype.kind == "f"
                                   else 0, 64)
        return st.floats(width=width, allow_subnormal=False)
    width = 64 if array_dtype in (xp.complex64, xp.float32, xp.float16) else 128
    return st.complex_numbers(width=width, allow_subnormal=False)


# -- hal's documented dtype rules (independent of hal's own table) ----------------------

_FLOAT_BITS = {"float16": 16, "float32": 32, "float64": 64,
               "complex64": 32, "complex128": 64}


def expected_promotion(a, b):
    """The dtype of ``a`` combined with ``b`` under hal's documented rules, or None.

    The standard's lattice (same-kind integers widen, signed+unsigned to the next
    signed that holds both, real/complex floating by precision) plus hal's
    extensions (``hal/_dtypes.py``): bool+numeric -> numeric; integer+floating ->
    the floating dtype; int64-or-smaller signed + uint64 -> no common dtype;
    float16 sits below float32 and pairs with complex64.
    """
    if a is b:
        return a
    if a.kind == "b" or b.kind == "b":
        return b if a.kind == "b" else a
    if a.kind in "iu" and b.kind in "iu":
        if a.kind == b.kind:
            return a if a.itemsize >= b.itemsize else b
        signed, unsigned = (a, b) if a.kind == "i" else (b, a)
        if signed.itemsize > unsigned.itemsize:
            return signed
        return {1: xp.int16, 2: xp.int32, 4: xp.int64}.get(unsigned.itemsize)
    if a.kind in "iu":
        return b
    if b.kind in "iu":
        return a
    bits = max(_FLOAT_BITS[a.name], _FLOAT_BITS[b.name])
    if "c" in (a.kind + b.kind):
        return xp.complex128 if bits == 64 else xp.complex64
    return {16: xp.float16, 32: xp.float32, 64: xp.float64}[bits]


def expected_scalar(dtype, scalar_type):
    """The dtype of ``array(dtype) <op> python_scalar`` (hal/_dtypes.scalar_result)."""
    if scalar_type is bool:
        return dtype
    if scalar_type is int:
        return default_int() if dtype.kind == "b" else dtype
    if scalar_type is float:
        return dtype if dtype.kind in "fc" else default_float()
    if dtype.kind == "c":
        return dtype
    if dtype.kind == "f":
        return xp.complex128 if dtype is xp.float64 else xp.complex64
    return default_complex()


def accumulation_dtype(dtype):
    """The standard's default result dtype of sum/prod/cumulative_*/trace: bool and
    small integers widen to the default integer, unsigned to the unsigned one of its
    size; floating dtypes stay."""
    int_ = default_int()
    if dtype.kind == "b":
        return int_
    if dtype.kind == "i":
        return int_ if dtype.itemsize <= int_.itemsize else dtype
    if dtype.kind == "u":
        return xp.uint64 if int_ is xp.int64 else xp.uint32
    return dtype


def real_of(dtype):
    return {"complex64": xp.float32, "complex128": xp.float64}.get(dtype.name, dtype)


# -- array-api-strict ------------------------------------------------------------------

def strict_array(dtype, value=1):
    return strict.asarray(np.asarray(value, dtype=np_dtype(dtype)))


@functools.lru_cache(maxsize=None)
def strict_result_dtype(qualname: str, signature: tuple):
    """The name of the dtype array-api-strict gives for ``qualname`` on ``signature``.

    ``signature`` holds hal dtypes (0-D arrays of value 1 stand for them) and Python
    scalar types.  ``None`` when strict refuses the inputs (TypeError) or has no
    such dtype (float16).
    """
    if xp.float16 in signature:
        return None
    fn = strict
    for part in qualname.split("."):
        fn = getattr(fn, part)
    for shape in ((), (1,)):  # 0-D stand-ins, or 1-D where strict needs a dimension
        args = [item(1) if isinstance(item, type) else
                strict_array(item, np.ones(shape)) for item in signature]
        try:
            return strict_dtype_name(fn(*args).dtype)
        except TypeError:
            return None
        except ValueError:
            continue
    return None


def strict_dtype_name(dtype) -> str:
    """``array_api_strict.int8`` -> ``'int8'``."""
    return str(dtype).rpartition(".")[2]


def check_against_strict(result_dtype, qualname: str, *signature) -> bool:
    """Assert hal's dtype equals strict's when strict accepts; says whether it did.

    Arrays whose dtypes the standard cannot promote (int with float ...) are hal's
    documented extension, not strict's to judge: some strict functions (matmul)
    pass them on to NumPy, whose answer hal deliberately does not follow.
    """
    dtypes = [strict_dtype(d) for d in signature if not isinstance(d, type)]
    if len(dtypes) > 1 and None not in dtypes:
        try:
            strict.result_type(*dtypes)
        except TypeError:
            return False
    want = strict_result_dtype(qualname, tuple(signature))
    if want is None:
        return False
    assert result_dtype.name == want, (
        f"{qualname}{signature}: hal gives {result_dtype}, array-api-strict {want}")
    return True


# -- comparing results ----------------------------------------------------------------

def tolerance(dtype) -> float:
    """The relative tolerance the device declares for ``dtype`` (0: exact)."""
    return float(device().capabilities.tolerances.get(dtype.name, 0.0))


def ulps(dtype, n: int = 4) -> float:
    """``n`` units in the last place of a floating dtype: slack for libm functions."""
    return n * float(np.finfo(np_dtype(real_of(dtype))).eps)


def assert_matches(result, expected, *, dtype=None, rtol: float = 0.0, atol: float = 0.0,
                   msg: str = "") -> None:
    """``result`` (a hal Array on the device under test) equals NumPy's ``expected``.

    Checks the type, device, dtype (``dtype`` or ``expected``'s), shape, and the
    values: NaN-aware, exact for integers and bool, within ``rtol``/``atol`` (plus
    the device's declared tolerance) for floating dtypes.
    """
    assert isinstance(result, xp.Array), f"{msg}: expected a hal.Array, got {type(result)}"
    assert result.device == device(), f"{msg}: result on {result.device}, not {device()}"
    expected = np.asarray(expected)
    want = hal_dtype(expected.dtype) if dtype is None else dtype
    assert result.dtype == want, f"{msg}: dtype {result.dtype}, expected {want}"
    got = to_numpy(result)
    assert got.dtype == np_dtype(want), (
        f"{msg}: hal says {result.dtype} but its buffer holds {got.dtype}")
    assert result.shape == expected.shape, (
        f"{msg}: shape {result.shape}, expected {expected.shape}")
    assert got.shape == expected.shape
    if want.kind in "fc":
        rtol = max(rtol, tolerance(want))
    if want.kind in "biu" or (rtol == 0 and atol == 0):
        np.testing.assert_array_equal(got, expected, err_msg=msg)
    else:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=msg)


def assert_close(result, expected, *, dtype=None, rtol=None, atol=None, msg=""):
    """Like ``assert_matches`` with a tolerance fit for accumulated float rounding."""
    want = hal_dtype(np.asarray(expected).dtype) if dtype is None else dtype
    if want.kind in "fc":
        eps = float(np.finfo(np_dtype(real_of(want))).eps)
        rtol = 64 * eps if rtol is None else rtol
        atol = 64 * eps if atol is None else atol
    assert_matches(result, expected, dtype=dtype, rtol=rtol or 0.0, atol=atol or 0.0,
                   msg=msg)


def numpy_function(qualname: str):
    """NumPy's function of the same name (``bitwise_invert`` is ``np.invert``)."""
    obj = np
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj
