"""One recipe per op of hal's op table: how the kit calls it on hypothesis inputs.

A recipe (:class:`Case`) draws NumPy inputs for one dtype and returns a :class:`Body`,
a call written once against the namespace (``lambda xp, x: xp.sum(x, axis=0)``) that
the kit runs on the NumPy reference and on the device under test.  Elementwise ops get
their recipes from the op table itself (what each op accepts); every other op has a
hand-written recipe below.  ``test_every_op_has_a_recipe`` keeps the two in step: an
op added to the table without a recipe fails the kit's own self-check.

Inputs stay where the standard defines the result (no integer division by zero, no
shifts by the bit width, no casts of NaN to integers, well-conditioned matrices for
linear algebra): what is left undefined is not a backend's bug.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import hal
from hal._optable import (ANY, BINARY, BOOL, FLOATING, INTEGER, INTEGER_OR_BOOL, NUMERIC,
                          REAL, REAL_FLOATING, REAL_OR_BOOL, UNARY)

__all__ = ["Case", "Body", "CASES", "case_for", "arrays", "shapes"]

# -- bodies ---------------------------------------------------------------------------------


class Body:
    """``fn(xp, *inputs)``: NumPy inputs become arrays on the device of the run
    (lists of NumPy arrays become lists of arrays); anything else is passed as is."""

    def __init__(self, fn: Callable, *inputs, text: str = ""):
        self.fn = fn
        self.inputs = inputs
        self.text = text

    def __call__(self, xp):
        args = [_on_device(xp, a) for a in self.inputs]
        return self.fn(xp, *args)

    def __repr__(self) -> str:
        return self.text or f"Body({self.fn!r})"

    def describe_inputs(self) -> str:
        """The inputs, for failure messages."""
        out = []
        for i, a in enumerate(self.inputs):
            if isinstance(a, np.ndarray):
                text = np.array2string(a, threshold=24, max_line_width=90)
                out.append(f"input {i}: {a.dtype} {a.shape} {text}")
            elif isinstance(a, list):
                out.append(f"input {i}: list of {len(a)} arrays "
                           + "; ".join(f"{x.dtype} {x.shape}" for x in a))
            else:
                out.append(f"input {i}: {a!r}")
        return "\n".join(out)


def _on_device(xp, a):
    if isinstance(a, np.ndarray):
        return xp.asarray(a, copy=True)
    if isinstance(a, list) and a and all(isinstance(x, np.ndarray) for x in a):
        return [xp.asarray(x, copy=True) for x in a]
    return a


@dataclass(frozen=True)
class Case:
    """How the kit calls one op."""

    op: str
    kinds: str                        # dtype kinds drawn: b, i, u, f, c
    build: Callable                   # build(draw, dtype, device) -> Body
    tol: object = "exact"             # a class of _compare.TOLERANCES or (rtol, atol)
    #: normalize(result, body) -> comparable result (for results that are not unique,
    #: such as eigenvectors: compare what is unique, e.g. the reconstruction)
    normalize: Callable | None = None
    #: dtypes the reference itself cannot compute (NumPy has no float16 linalg/fft)
    skip_dtypes: tuple = ()
    #: applies(device, dtype) -> bool, for recipes that need something of the device
    applies: Callable | None = None
    note: str = ""

    def dtypes(self, device) -> list:
        return [d for d in hal.all_dtypes() if d in device.dtypes and d.kind in self.kinds
                and d.name not in self.skip_dtypes
                and (self.applies is None or self.applies(device, d))]


CASES: dict[str, Case] = {}


def case(op: str, kinds: str, **kw):
    def deco(build):
        CASES[op] = Case(op, kinds, build, **kw)
        return build
    return deco


def case_for(op: str) -> Case | None:
    return CASES.get(op)


# -- strategies -----------------------------------------------------------------------------

def npdt(dtype) -> np.dtype:
    return np.dtype(dtype.name)


@functools.lru_cache(maxsize=None)
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


@functools.lru_cache(maxsize=None)
def elements(dtype, bounded: float | None = None, finite: bool = False):
    """Values of ``dtype``: the whole range (NaN and infinities included) by default;
    ``finite``: no NaN/inf; ``bounded``: within [-bounded, bounded] (implies finite)."""
    dt = npdt(dtype)
    if dtype.kind == "b":
        return hnp.from_dtype(dt)
    if dtype.kind in "iu":
        if bounded is None:
            return hnp.from_dtype(dt)
        info = np.iinfo(dt)
        return st.integers(max(info.min, -int(bounded)), min(info.max, int(bounded)))
    kw = dict(allow_subnormal=False)
    if bounded is not None:
        if dtype.kind == "c":
            return hnp.from_dtype(dt, allow_nan=False, allow_infinity=False,
                                  max_magnitude=bounded, allow_subnormal=False)
        return hnp.from_dtype(dt, min_value=-bounded, max_value=bounded, **kw)
    if finite:
        kw.update(allow_nan=False, allow_infinity=False)
    return hnp.from_dtype(dt, **kw)


def arrays(dtype, shape=None, *, bounded=None, finite=False, unique=False):
    """A strategy of NumPy arrays of ``dtype`` (a hal dtype)."""
    return hnp.arrays(npdt(dtype), shapes() if shape is None else shape,
                      elements=elements(dtype, bounded, finite), unique=unique)


def axis_of(draw, ndim: int, none: bool = True):
    """An axis of an ``ndim``-D array (negative ones too), or None."""
    choices = list(range(-ndim, ndim)) + ([None] if none else [])
    return draw(st.sampled_from(choices)) if choices else None


def axes_of(draw, ndim: int):
    """None, one axis, or a tuple of distinct axes."""
    kind = draw(st.sampled_from(["none", "one", "tuple"]))
    if kind == "none" or ndim == 0:
        return None
    if kind == "one":
        return draw(st.integers(-ndim, ndim - 1))
    picked = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    return tuple(picked)


def scalar_of(draw, dtype, bounded=None):
    """A Python scalar that ``dtype`` arrays can meet (within its range)."""
    if dtype.kind == "b":
        return draw(st.booleans())
    if dtype.kind in "iu":
        info = np.iinfo(npdt(dtype))
        lo, hi = int(info.min), int(info.max)
        if bounded is not None:
            lo, hi = max(lo, -bounded), min(hi, bounded)
        return draw(st.integers(lo, hi))
    width = {"float16": 16, "float32": 32, "complex64": 32}.get(dtype.name, 64)
    if dtype.kind == "f":
        if bounded is not None:
            return draw(st.floats(-bounded, bounded, width=width))
        return draw(st.floats(width=width, allow_subnormal=False))
    return complex(draw(st.floats(-10, 10, width=width)), draw(st.floats(-10, 10, width=width)))


def index_dtype(device):
    return device.default_index


def _fmt(op, *parts):
    return f"{op}({', '.join(parts)})"


# -- elementwise: from the op table --------------------------------------------------------

ACCEPTS = {NUMERIC: "iufc", REAL: "iuf", FLOATING: "iufc", REAL_FLOATING: "iuf",
           INTEGER: "iu", INTEGER_OR_BOOL: "biu", BOOL: "b", ANY: "biufc",
           REAL_OR_BOOL: "biuf"}

#: computed by libm-style approximations: a few ulps of slack
TRANSCENDENTAL = frozenset(
    "acos acosh asin asinh atan atanh cos cosh exp expm1 log log1p log2 log10 sin sinh "
    "tan tanh sqrt reciprocal divide pow atan2 hypot logaddexp sign".split())
#: integers given to floating ops stay within +-2**11: exact in every float dtype
INT_TO_FLOAT = 2048
#: complex products and quotients are not correctly rounded
COMPLEX_ROUNDED = frozenset("multiply square abs".split())


def _elementwise_tol(name: str, dtype, device):
    if name in TRANSCENDENTAL or (dtype.kind == "c" and name in COMPLEX_ROUNDED):
        return "ulp"
    return "exact"


def _operator(spec):
    import operator
    return getattr(operator, spec.dunder, None) or getattr(operator, spec.dunder + "_")


def _unary_case(spec):
    name = spec.name

    floating = spec.accepts in (FLOATING, REAL_FLOATING)

    def build(draw, dtype, device):
        # integers given to floating ops are computed in the device's default float:
        # keep them exactly representable in any float, so both runs see one value
        x = draw(arrays(dtype, bounded=INT_TO_FLOAT if floating and dtype.kind in "iu"
                        else None), label="x")
        form = draw(st.sampled_from(["function", "operator"] if spec.dunder else ["function"]))
        if form == "operator":
            fn = {"__neg__": lambda xp, a: -a, "__pos__": lambda xp, a: +a,
                  "__invert__": lambda xp, a: ~a, "__abs__": lambda xp, a: abs(a)}[spec.dunder]
            return Body(fn, x, text=f"{spec.dunder}(x)")
        return Body(lambda xp, a: getattr(xp, name)(a), x, text=f"{name}(x)")

    CASES[name] = Case(name, ACCEPTS[spec.accepts], build,
                       tol=lambda d, dev, n=name, f=floating: (
                           "ulp" if f and d.kind in "iu" else _elementwise_tol(n, d, dev)))


def _sanitize(name, x1, x2):
    """Keep integer operands where every backend defines the result."""
    def arr_or_scalar_kind(v):
        return v.dtype.kind if isinstance(v, np.ndarray) else (
            "b" if isinstance(v, bool) else "i" if isinstance(v, int) else "f")
    k1, k2 = arr_or_scalar_kind(x1), arr_or_scalar_kind(x2)
    if k1 not in "biu" or k2 not in "biu":
        return x1, x2

    def where(v, cond, new):
        if isinstance(v, np.ndarray):
            return np.where(cond, new, v).astype(v.dtype)
        return type(v)(new) if cond else v

    def mod(v, n):
        if isinstance(v, np.ndarray):
            return np.asarray(np.abs(v.astype(np.int64)) % n).astype(v.dtype)
        return type(v)(abs(v) % n)

    if name in ("floor_divide", "remainder"):
        x2 = where(x2, x2 == 0, 1)
        if isinstance(x1, np.ndarray) and x1.dtype.kind == "i":
            low = int(np.iinfo(x1.dtype).min)
            x1 = where(x1, x1 == low, low + 1)
        elif isinstance(x1, int) and not isinstance(x1, bool):
            x1 = max(x1, -(2 ** 31) + 1)
        x2 = where(x2, x2 == -1, 1)
    elif name == "pow":
        x2 = mod(x2, 8)
    elif name in ("bitwise_left_shift", "bitwise_right_shift"):
        x2 = mod(x2, 8)
    return x1, x2


def _binary_case(spec):
    name = spec.name
    kinds = ACCEPTS[spec.accepts]
    floating = spec.accepts in (FLOATING, REAL_FLOATING)

    def bound(d):
        return INT_TO_FLOAT if floating and d.kind in "iu" else None

    def build(draw, dtype, device):
        variant = draw(st.sampled_from(["same", "same", "mixed", "scalar"]), label="variant")
        s1, s2 = draw(hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=0, max_dims=3, max_side=4).map(lambda r: r.input_shapes),
            label="shapes")
        x1 = draw(arrays(dtype, s1, bounded=bound(dtype)), label="x1")
        if variant == "scalar":
            x2 = scalar_of(draw, dtype, bounded=bound(dtype))
        else:
            other = dtype
            if variant == "mixed":
                others = [d for d in hal.all_dtypes() if d in device.dtypes
                          and d.kind in kinds and d.name != "float16"]
                other = draw(st.sampled_from(others), label="other dtype")
            x2 = draw(arrays(other, s2, bounded=bound(other)), label="x2")
        if draw(st.booleans(), label="swap"):
            x1, x2 = x2, x1
        x1, x2 = _sanitize(name, x1, x2)
        use_op = spec.dunder and draw(st.booleans(), label="operator form")
        if use_op:
            op = _operator(spec)
            return Body(lambda xp, a, b: op(a, b), x1, x2, text=f"x1 {spec.dunder} x2")
        return Body(lambda xp, a, b: getattr(xp, name)(a, b), x1, x2,
                    text=f"{name}(x1, x2)")

    def applies(device, dtype):
        # nextafter's answer *is* the precision it computes in: integers go through the
        # default float, which differs from the reference's on a device without float64
        return not (name == "nextafter" and dtype.kind in "iu"
                    and device.default_float is not hal.float64)

    CASES[name] = Case(name, kinds, build, applies=applies,
                       tol=lambda d, dev, n=name, f=floating: (
                           "ulp" if d.kind in "iu" and (f or n in TRANSCENDENTAL)
                           else _elementwise_tol(n, d, dev)))


for _spec in UNARY:
    _unary_case(_spec)
for _spec in BINARY:
    _binary_case(_spec)

# -- creation ----------------------------------------------------------------------------------

SMALL = 10.0


@case("arange", "iuf")
def _arange(draw, dtype, device):
    start = draw(st.integers(0 if dtype.kind == "u" else -5, 5))
    stop = draw(st.integers(start, start + 12))
    step = draw(st.sampled_from([1, 2, 3] + ([0.5] if dtype.kind == "f" else [])))
    return Body(lambda xp: xp.arange(start, stop, step, dtype=dtype),
                text=_fmt("arange", str(start), str(stop), str(step)))


@case("empty", "biufc")
def _empty(draw, dtype, device):
    shape = draw(shapes())

    def body(xp):
        a = xp.empty(shape, dtype=dtype)
        # the values are undefined: compare the shape, dtype and device only
        return a.shape, a.dtype, a.device is xp.device
    return Body(body, text=_fmt("empty", str(shape)))


@case("eye", "biufc")
def _eye(draw, dtype, device):
    n = draw(st.integers(0, 5))
    m = draw(st.none() | st.integers(0, 5))
    k = draw(st.integers(-3, 3))
    return Body(lambda xp: xp.eye(n, m, k=k, dtype=dtype, device=xp.device),
                text=_fmt("eye", str(n), str(m), f"k={k}"))


@case("full", "biufc")
def _full(draw, dtype, device):
    shape = draw(shapes())
    value = scalar_of(draw, dtype)
    return Body(lambda xp: xp.full(shape, value, dtype=dtype),
                text=_fmt("full", str(shape), repr(value)))


@case("linspace", "fc", tol="ulp")
def _linspace(draw, dtype, device):
    start = draw(st.integers(-10, 10))
    stop = draw(st.integers(-10, 10))
    num = draw(st.integers(0, 9))
    endpoint = draw(st.booleans())
    return Body(lambda xp: xp.linspace(start, stop, num, dtype=dtype, endpoint=endpoint),
                text=_fmt("linspace", str(start), str(stop), str(num)))


@case("meshgrid", "biufc")
def _meshgrid(draw, dtype, device):
    n = draw(st.integers(1, 3))
    xs = [draw(arrays(dtype, shapes(1, 1, 0, 3))) for _ in range(n)]
    indexing = draw(st.sampled_from(["xy", "ij"]))
    return Body(lambda xp, *a: xp.meshgrid(*a, indexing=indexing), *xs,
                text=_fmt("meshgrid", f"{n} arrays", indexing))


@case("ones", "biufc")
def _ones(draw, dtype, device):
    shape = draw(shapes())
    return Body(lambda xp: xp.ones(shape, dtype=dtype), text=_fmt("ones", str(shape)))


@case("zeros", "biufc")
def _zeros(draw, dtype, device):
    shape = draw(shapes())
    return Body(lambda xp: xp.zeros(shape, dtype=dtype, device=xp.device),
                text=_fmt("zeros", str(shape)))


def _tri(name):
    @case(name, "biufc")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(2, 3)))
        k = draw(st.integers(-3, 3))
        return Body(lambda xp, a: getattr(xp, name)(a, k=k), x, text=_fmt(name, "x", f"k={k}"))


_tri("tril")
_tri("triu")

# -- data types ----------------------------------------------------------------------------------


@case("astype", "biufc")
def _astype(draw, dtype, device):
    targets = [d for d in hal.all_dtypes() if d in device.dtypes]
    to = draw(st.sampled_from(targets), label="to")
    # casts of NaN, infinities and out-of-range values to integers are undefined
    x = draw(arrays(dtype, bounded=100 if to.kind in "iu" and dtype.kind != "b" else None))
    if to.kind == "u" and dtype.kind in "if":
        x = np.abs(x).astype(x.dtype)
    copy = draw(st.booleans())
    return Body(lambda xp, a: xp.astype(a, to, copy=copy), x,
                text=_fmt("astype", "x", to.name, f"copy={copy}"))

# -- manipulation ----------------------------------------------------------------------------------


@case("broadcast_arrays", "biufc")
def _broadcast_arrays(draw, dtype, device):
    s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
                  .map(lambda r: r.input_shapes))
    x1, x2 = draw(arrays(dtype, s1)), draw(arrays(dtype, s2))
    return Body(lambda xp, a, b: xp.broadcast_arrays(a, b), x1, x2,
                text="broadcast_arrays(x1, x2)")


@case("broadcast_to", "biufc")
def _broadcast_to(draw, dtype, device):
    r = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = draw(arrays(dtype, r.input_shapes[0]))
    shape = r.result_shape
    return Body(lambda xp, a: xp.broadcast_to(a, shape), x,
                text=_fmt("broadcast_to", "x", str(shape)))


@case("concat", "biufc")
def _concat(draw, dtype, device):
    shape = draw(shapes(1, 3))
    axis = draw(st.sampled_from(list(range(-len(shape), len(shape))) + [None]))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        if axis is not None:
            s[axis] = draw(st.integers(0, 3))
        xs.append(draw(arrays(dtype, tuple(s))))
    return Body(lambda xp, arrs: xp.concat(arrs, axis=axis), xs,
                text=_fmt("concat", f"{len(xs)} arrays", f"axis={axis}"))


@case("expand_dims", "biufc")
def _expand_dims(draw, dtype, device):
    x = draw(arrays(dtype))
    axis = draw(st.integers(-x.ndim - 1, x.ndim))
    return Body(lambda xp, a: xp.expand_dims(a, axis=axis), x,
                text=_fmt("expand_dims", "x", f"axis={axis}"))


@case("flip", "biufc")
def _flip(draw, dtype, device):
    x = draw(arrays(dtype))
    axis = axes_of(draw, x.ndim)
    return Body(lambda xp, a: xp.flip(a, axis=axis), x, text=_fmt("flip", "x", f"axis={axis}"))


@case("moveaxis", "biufc")
def _moveaxis(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3)))
    src = draw(st.integers(-x.ndim, x.ndim - 1))
    dst = draw(st.integers(-x.ndim, x.ndim - 1))
    return Body(lambda xp, a: xp.moveaxis(a, src, dst), x,
                text=_fmt("moveaxis", "x", str(src), str(dst)))


@case("permute_dims", "biufc")
def _permute_dims(draw, dtype, device):
    x = draw(arrays(dtype))
    axes = tuple(draw(st.permutations(range(x.ndim))))
    return Body(lambda xp, a: xp.permute_dims(a, axes), x,
                text=_fmt("permute_dims", "x", str(axes)))


@case("repeat", "biufc")
def _repeat(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 2)))
    axis = draw(st.sampled_from([None] + list(range(-x.ndim, x.ndim))))
    n = x.size if axis is None else x.shape[axis]
    if draw(st.booleans()):
        repeats = draw(st.integers(0, 3))
    else:
        repeats = np.asarray(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
                             dtype=npdt(index_dtype(device)))
    return Body(lambda xp, a, r: xp.repeat(a, r, axis=axis), x, repeats,
                text=_fmt("repeat", "x", "repeats", f"axis={axis}"))


@case("reshape", "biufc")
def _reshape(draw, dtype, device):
    x = draw(arrays(dtype))
    options = [(-1,), (x.size,), tuple(reversed(x.shape)), (1, x.size), (x.size, 1, 1)]
    shape = draw(st.sampled_from(options))
    return Body(lambda xp, a: xp.reshape(a, shape), x, text=_fmt("reshape", "x", str(shape)))


@case("roll", "biufc")
def _roll(draw, dtype, device):
    x = draw(arrays(dtype))
    if x.ndim and draw(st.booleans()):
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
        shift = draw(st.integers(-5, 5))
    else:
        axis, shift = None, draw(st.integers(-5, 5))
    return Body(lambda xp, a: xp.roll(a, shift, axis=axis), x,
                text=_fmt("roll", "x", str(shift), f"axis={axis}"))


@case("squeeze", "biufc")
def _squeeze(draw, dtype, device):
    shape = list(draw(shapes(0, 2)))
    at = draw(st.integers(0, len(shape)))
    shape.insert(at, 1)
    x = draw(arrays(dtype, tuple(shape)))
    axis = draw(st.sampled_from([at, at - len(shape), (at,)]))
    return Body(lambda xp, a: xp.squeeze(a, axis=axis), x,
                text=_fmt("squeeze", "x", f"axis={axis}"))


@case("stack", "biufc")
def _stack(draw, dtype, device):
    shape = draw(shapes(0, 2))
    xs = [draw(arrays(dtype, shape)) for _ in range(draw(st.integers(1, 3)))]
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return Body(lambda xp, arrs: xp.stack(arrs, axis=axis), xs,
                text=_fmt("stack", f"{len(xs)} arrays", f"axis={axis}"))


@case("tile", "biufc")
def _tile(draw, dtype, device):
    x = draw(arrays(dtype, shapes(0, 2, 0, 3)))
    reps = tuple(draw(st.lists(st.integers(0, 2), min_size=1, max_size=3)))
    return Body(lambda xp, a: xp.tile(a, reps), x, text=_fmt("tile", "x", str(reps)))


@case("unstack", "biufc")
def _unstack(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return Body(lambda xp, a: xp.unstack(a, axis=axis), x,
                text=_fmt("unstack", "x", f"axis={axis}"))

# -- searching, sets, sorting, indexing --------------------------------------------------------


def _arg_extreme(name):
    @case(name, "iuf")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(0, 3, 1), finite=True))
        axis = axis_of(draw, x.ndim)
        keepdims = draw(st.booleans())
        return Body(lambda xp, a: getattr(xp, name)(a, axis=axis, keepdims=keepdims), x,
                    text=_fmt(name, "x", f"axis={axis}", f"keepdims={keepdims}"))


_arg_extreme("argmax")
_arg_extreme("argmin")


@case("count_nonzero", "biufc")
def _count_nonzero(draw, dtype, device):
    x = draw(arrays(dtype))
    axis = axes_of(draw, x.ndim)
    keepdims = draw(st.booleans())
    return Body(lambda xp, a: xp.count_nonzero(a, axis=axis, keepdims=keepdims), x,
                text=_fmt("count_nonzero", "x", f"axis={axis}"))


@case("nonzero", "biufc")
def _nonzero(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3)))
    return Body(lambda xp, a: xp.nonzero(a), x, text="nonzero(x)")


@case("searchsorted", "iuf")
def _searchsorted(draw, dtype, device):
    x1 = np.sort(draw(arrays(dtype, shapes(1, 1), finite=True)))
    x2 = draw(arrays(dtype, finite=True))
    side = draw(st.sampled_from(["left", "right"]))
    return Body(lambda xp, a, v: xp.searchsorted(a, v, side=side), x1, x2,
                text=_fmt("searchsorted", "sorted x1", "x2", side))


@case("where", "biufc")
def _where(draw, dtype, device):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)
             .map(lambda r: r.input_shapes))
    cond = draw(arrays(hal.bool, s[0]))
    x1, x2 = draw(arrays(dtype, s[1])), draw(arrays(dtype, s[2]))
    return Body(lambda xp, c, a, b: xp.where(c, a, b), cond, x1, x2,
                text="where(condition, x1, x2)")


def _sorted_by_values(values, *others):
    order = np.argsort(values.value, kind="stable")
    return tuple(_replace(v, v.value[order]) for v in (values, *others))


def _replace(host, value):
    from ._compare import HostArray
    return HostArray(host.dtype, host.device, value)


def _unique_normalize(name):
    """The standard leaves the order of unique values open: compare them sorted, and
    compare indices by what they index."""
    def normalize(result, body):
        x = body.inputs[0].ravel()
        if name == "unique_values":
            return _sorted_by_values(result)[0]
        if name == "unique_counts":
            return _sorted_by_values(*result)
        if name == "unique_inverse":
            values, inverse = result
            rebuilt = _replace(values, values.value[inverse.value.astype(np.int64)])
            return _sorted_by_values(values)[0], rebuilt, inverse.value.shape
        values, indices, inverse, counts = result
        firsts = _replace(values, x[indices.value.astype(np.int64)])
        rebuilt = _replace(values, values.value[inverse.value.astype(np.int64)])
        v, f, c = _sorted_by_values(values, firsts, counts)
        return v, f, rebuilt, c, indices.dtype, inverse.dtype
    return normalize


def _unique(name):
    @case(name, "biuf", normalize=_unique_normalize(name))
    def build(draw, dtype, device):
        x = draw(arrays(dtype, finite=True, bounded=5 if dtype.kind != "b" else None))
        return Body(lambda xp, a: getattr(xp, name)(a), x, text=f"{name}(x)")


for _name in ("unique_all", "unique_counts", "unique_inverse", "unique_values"):
    _unique(_name)


@case("isin", "biuf")
def _isin(draw, dtype, device):
    x1 = draw(arrays(dtype, bounded=5 if dtype.kind != "b" else None))
    x2 = draw(arrays(dtype, bounded=5 if dtype.kind != "b" else None))
    invert = draw(st.booleans())
    return Body(lambda xp, a, b: xp.isin(a, b, invert=invert), x1, x2,
                text=_fmt("isin", "x1", "x2", f"invert={invert}"))


def _sorting(name):
    @case(name, "biuf")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(1, 3), finite=True,
                        bounded=4 if dtype.kind != "b" else None))
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
        descending = draw(st.booleans())
        return Body(lambda xp, a: getattr(xp, name)(a, axis=axis, descending=descending,
                                                    stable=True), x,
                    text=_fmt(name, "x", f"axis={axis}", f"descending={descending}"))


_sorting("argsort")
_sorting("sort")


@case("take", "biufc")
def _take(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3, 1)))
    axis = draw(st.sampled_from(list(range(-x.ndim, x.ndim)) + ([None] if x.ndim == 1 else [])))
    n = x.shape[0 if axis is None else axis]
    idx = np.asarray(draw(st.lists(st.integers(0, n - 1), max_size=5)),
                     dtype=npdt(index_dtype(device)))
    return Body(lambda xp, a, i: xp.take(a, i, axis=axis), x, idx,
                text=_fmt("take", "x", f"indices={idx.tolist()}", f"axis={axis}"))


@case("take_along_axis", "biufc")
def _take_along_axis(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3, 1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = list(x.shape)
    shape[axis] = draw(st.integers(0, 4))
    idx = draw(hnp.arrays(npdt(index_dtype(device)), tuple(shape),
                          elements=st.integers(0, x.shape[axis] - 1)))
    return Body(lambda xp, a, i: xp.take_along_axis(a, i, axis=axis), x, idx,
                text=_fmt("take_along_axis", "x", "indices", f"axis={axis}"))

# -- statistics ------------------------------------------------------------------------------------


def _cumulative(name, bound):
    @case(name, "biufc", tol="sum")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(0, 3), bounded=bound if dtype.kind != "b" else None))
        axis = None if x.ndim <= 1 and draw(st.booleans()) else (
            draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None)
        include_initial = draw(st.booleans())
        return Body(lambda xp, a: getattr(xp, name)(a, axis=axis,
                                                    include_initial=include_initial), x,
                    text=_fmt(name, "x", f"axis={axis}", f"include_initial={include_initial}"))


_cumulative("cumulative_sum", 100)
_cumulative("cumulative_prod", 2)


def _extreme(name):
    @case(name, "iuf")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(0, 3, 1)))
        axis = axes_of(draw, x.ndim)
        keepdims = draw(st.booleans())
        return Body(lambda xp, a: getattr(xp, name)(a, axis=axis, keepdims=keepdims), x,
                    text=_fmt(name, "x", f"axis={axis}", f"keepdims={keepdims}"))


_extreme("max")
_extreme("min")


def _reduction(name, kinds, bound, **extra):
    @case(name, kinds, tol="sum")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(0, 3, 1), bounded=bound if dtype.kind != "b" else None))
        axis = axes_of(draw, x.ndim)
        kwargs = {"keepdims": draw(st.booleans())}
        for key, strategy in extra.items():
            kwargs[key] = draw(strategy)
        return Body(lambda xp, a: getattr(xp, name)(a, axis=axis, **kwargs), x,
                    text=_fmt(name, "x", f"axis={axis}", *(f"{k}={v}" for k, v in
                                                           kwargs.items())))


_reduction("mean", "fc", 100)
_reduction("sum", "biufc", 100)
_reduction("prod", "biufc", 2)
_reduction("std", "f", 100, correction=st.sampled_from([0, 1]))
_reduction("var", "f", 100, correction=st.sampled_from([0, 1]))


def _truth(name):
    @case(name, "biufc")
    def build(draw, dtype, device):
        x = draw(arrays(dtype))
        axis = axes_of(draw, x.ndim)
        keepdims = draw(st.booleans())
        return Body(lambda xp, a: getattr(xp, name)(a, axis=axis, keepdims=keepdims), x,
                    text=_fmt(name, "x", f"axis={axis}"))


_truth("all")
_truth("any")


@case("diff", "iufc")
def _diff(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3), bounded=1000))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = draw(st.integers(1, 2))
    return Body(lambda xp, a: xp.diff(a, axis=axis, n=n), x,
                text=_fmt("diff", "x", f"axis={axis}", f"n={n}"))


@case("clip", "iuf")
def _clip(draw, dtype, device):
    x = draw(arrays(dtype, finite=True))
    lo = draw(st.none() | st.just(scalar_of(draw, dtype, bounded=50)))
    hi = draw(st.none() | st.just(scalar_of(draw, dtype, bounded=50)))
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return Body(lambda xp, a: xp.clip(a, lo, hi), x, text=_fmt("clip", "x", str(lo), str(hi)))

# -- linear algebra in the main namespace ---------------------------------------------------------


def _matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    left = draw(st.sampled_from([(k,), batch + (n, k)]))
    right = draw(st.sampled_from([(k,), batch + (k, m)]))
    return left, right


def _matmul(name, namespace):
    @case(name, "iufc", tol="sum")
    def build(draw, dtype, device):
        s1, s2 = _matmul_shapes(draw)
        x1 = draw(arrays(dtype, s1, bounded=10))
        x2 = draw(arrays(dtype, s2, bounded=10))
        if namespace:
            return Body(lambda xp, a, b: xp.linalg.matmul(a, b), x1, x2,
                        text="linalg.matmul(x1, x2)")
        form = draw(st.sampled_from(["function", "operator"]))
        if form == "operator":
            return Body(lambda xp, a, b: a @ b, x1, x2, text="x1 @ x2")
        return Body(lambda xp, a, b: xp.matmul(a, b), x1, x2, text="matmul(x1, x2)")


_matmul("matmul", False)
_matmul("linalg.matmul", True)


def _mT(name, fn):
    @case(name, "biufc")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(2, 3)))
        return Body(lambda xp, a: fn(xp)(a), x, text=f"{name}(x)")


_mT("matrix_transpose", lambda xp: xp.matrix_transpose)
_mT("linalg.matrix_transpose", lambda xp: xp.linalg.matrix_transpose)


def _tensordot(name, fn):
    @case(name, "iufc", tol="sum")
    def build(draw, dtype, device):
        axes = draw(st.integers(0, 2))
        shared = tuple(draw(st.lists(st.integers(1, 3), min_size=axes, max_size=axes)))
        a = tuple(draw(st.lists(st.integers(1, 3), max_size=2))) + shared
        b = shared + tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
        x1, x2 = draw(arrays(dtype, a, bounded=10)), draw(arrays(dtype, b, bounded=10))
        return Body(lambda xp, p, q: fn(xp)(p, q, axes=axes), x1, x2,
                    text=_fmt(name, "x1", "x2", f"axes={axes}"))


_tensordot("tensordot", lambda xp: xp.tensordot)
_tensordot("linalg.tensordot", lambda xp: xp.linalg.tensordot)


def _vecdot(name, fn):
    @case(name, "iufc", tol="sum")
    def build(draw, dtype, device):
        s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                        min_side=1, max_side=3)
                      .map(lambda r: r.input_shapes))
        k = draw(st.integers(1, 4))
        x1 = draw(arrays(dtype, s1[:-1] + (k,), bounded=10))
        x2 = draw(arrays(dtype, s2[:-1] + (k,), bounded=10))
        return Body(lambda xp, a, b: fn(xp)(a, b, axis=-1), x1, x2, text=f"{name}(x1, x2)")


_vecdot("vecdot", lambda xp: xp.vecdot)
_vecdot("linalg.vecdot", lambda xp: xp.linalg.vecdot)

# -- the linalg extension ------------------------------------------------------------------------

NO_F16 = ("float16",)


def _square(draw, dtype, *, kind="general", max_n=4):
    """A well-conditioned square matrix (stack): diagonally dominant; ``spd`` makes
    it symmetric (Hermitian) positive definite."""
    n = draw(st.integers(1, max_n))
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    b = draw(arrays(dtype, batch + (n, n), bounded=1))
    a = b.astype(np.complex128 if dtype.kind == "c" else np.float64)
    if kind == "spd":
        a = a @ np.conj(np.swapaxes(a, -1, -2))
    a = a + (n + 1) * np.eye(n)
    return a.astype(npdt(dtype))


def _linalg_unary(name, kinds="fc", tol="linalg", matrix="general", normalize=None,
                  **kwargs):
    @case(f"linalg.{name}", kinds, tol=tol, normalize=normalize, skip_dtypes=NO_F16)
    def build(draw, dtype, device):
        x = _square(draw, dtype, kind=matrix)
        kw = {k: draw(v) for k, v in kwargs.items()}
        return Body(lambda xp, a: getattr(xp.linalg, name)(a, **kw), x,
                    text=_fmt(f"linalg.{name}", "x", *(f"{k}={v!r}" for k, v in kw.items())))


def _recon_eigh(result, body):
    w, v = result
    vv = v.value
    rebuilt = (vv * w.value[..., None, :]) @ np.conj(np.swapaxes(vv, -1, -2))
    return w, _replace(v, rebuilt.astype(vv.dtype))


def _sorted_eigvals(result, body):
    # the standard leaves the order of eigenvalues unspecified
    return _replace(result, np.sort_complex(result.value).astype(result.value.dtype))


def _recon_eig(result, body):
    # eigenvectors are unique only up to a complex factor: compare V diag(w) V^-1
    w, v = result
    vv = v.value
    rebuilt = (vv * w.value[..., None, :]) @ np.linalg.inv(vv)
    return _sorted_eigvals(w, body), _replace(v, rebuilt.astype(vv.dtype))


def _recon_qr(result, body):
    q, r = result
    return _replace(q, (q.value @ r.value).astype(q.value.dtype)), \
        _replace(r, np.abs(r.value).astype(r.value.dtype))


def _recon_svd(result, body):
    u, s, vh = result
    k = s.value.shape[-1]
    rebuilt = (u.value[..., :, :k] * s.value[..., None, :]) @ vh.value[..., :k, :]
    return _replace(u, rebuilt.astype(u.value.dtype)), s, u.value.shape, vh.value.shape


_linalg_unary("cholesky", matrix="spd", upper=st.booleans())
_linalg_unary("det")
_linalg_unary("eigh", matrix="spd", normalize=_recon_eigh)
# (spd matrices: real, distinct enough eigenvalues and invertible eigenvector matrices)
_linalg_unary("eig", matrix="spd", normalize=_recon_eig)
_linalg_unary("eigvals", matrix="spd", normalize=_sorted_eigvals)
_linalg_unary("eigvalsh", matrix="spd")
_linalg_unary("inv")
_linalg_unary("matrix_norm", keepdims=st.booleans(),
              ord=st.sampled_from(["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]))
_linalg_unary("matrix_rank")
_linalg_unary("pinv")
_linalg_unary("qr", mode=st.sampled_from(["reduced", "complete"]), normalize=_recon_qr)
_linalg_unary("slogdet")
_linalg_unary("svd", full_matrices=st.booleans(), normalize=_recon_svd)
_linalg_unary("svdvals")


@case("linalg.matrix_power", "fc", tol="linalg", skip_dtypes=NO_F16)
def _matrix_power(draw, dtype, device):
    x = _square(draw, dtype, max_n=3)
    n = draw(st.integers(-1, 3))
    return Body(lambda xp, a: xp.linalg.matrix_power(a, n), x,
                text=_fmt("linalg.matrix_power", "x", str(n)))


@case("linalg.cross", "iufc", tol="sum")
def _cross(draw, dtype, device):
    s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)
                  .map(lambda r: r.input_shapes))
    x1 = draw(arrays(dtype, s1 + (3,), bounded=10))
    x2 = draw(arrays(dtype, s2 + (3,), bounded=10))
    return Body(lambda xp, a, b: xp.linalg.cross(a, b), x1, x2, text="linalg.cross(x1, x2)")


@case("linalg.diagonal", "biufc")
def _diagonal(draw, dtype, device):
    x = draw(arrays(dtype, shapes(2, 3)))
    offset = draw(st.integers(-3, 3))
    return Body(lambda xp, a: xp.linalg.diagonal(a, offset=offset), x,
                text=_fmt("linalg.diagonal", "x", f"offset={offset}"))


@case("linalg.outer", "iufc", tol="sum")
def _outer(draw, dtype, device):
    x1 = draw(arrays(dtype, shapes(1, 1), bounded=100))
    x2 = draw(arrays(dtype, shapes(1, 1), bounded=100))
    return Body(lambda xp, a, b: xp.linalg.outer(a, b), x1, x2, text="linalg.outer(x1, x2)")


@case("linalg.solve", "fc", tol="linalg", skip_dtypes=NO_F16)
def _solve(draw, dtype, device):
    a = _square(draw, dtype)
    n = a.shape[-1]
    b = draw(arrays(dtype, a.shape[:-2] + (n, draw(st.integers(1, 3))), bounded=10))
    return Body(lambda xp, p, q: xp.linalg.solve(p, q), a, b, text="linalg.solve(x1, x2)")


@case("linalg.trace", "iufc", tol="sum")
def _trace(draw, dtype, device):
    x = draw(arrays(dtype, shapes(2, 3), bounded=100))
    offset = draw(st.integers(-2, 2))
    return Body(lambda xp, a: xp.linalg.trace(a, offset=offset), x,
                text=_fmt("linalg.trace", "x", f"offset={offset}"))


@case("linalg.vector_norm", "fc", tol="sum", skip_dtypes=NO_F16)
def _vector_norm(draw, dtype, device):
    x = draw(arrays(dtype, shapes(0, 3, 1), bounded=10))
    axis = axes_of(draw, x.ndim)
    ord_ = draw(st.sampled_from([2, 1, math.inf, -math.inf, 0, 3]))
    keepdims = draw(st.booleans())
    return Body(lambda xp, a: xp.linalg.vector_norm(a, axis=axis, ord=ord_,
                                                    keepdims=keepdims), x,
                text=_fmt("linalg.vector_norm", "x", f"axis={axis}", f"ord={ord_}"))

# -- the fft extension ---------------------------------------------------------------------------


def _fft1(name, kinds):
    @case(f"fft.{name}", kinds, tol="fft", skip_dtypes=NO_F16)
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(1, 2, 1, 6), bounded=10))
        n = draw(st.none() | st.integers(2 if name in ("irfft", "hfft") else 1, 8))
        norm = draw(st.sampled_from(["backward", "ortho", "forward"]))
        return Body(lambda xp, a: getattr(xp.fft, name)(a, n=n, axis=-1, norm=norm), x,
                    text=_fmt(f"fft.{name}", "x", f"n={n}", f"norm={norm}"))


def _fftn(name, kinds):
    @case(f"fft.{name}", kinds, tol="fft", skip_dtypes=NO_F16)
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(1, 3, 2, 4), bounded=10))
        norm = draw(st.sampled_from(["backward", "ortho", "forward"]))
        return Body(lambda xp, a: getattr(xp.fft, name)(a, norm=norm), x,
                    text=_fmt(f"fft.{name}", "x", f"norm={norm}"))


for _name, _kinds in (("fft", "c"), ("ifft", "c"), ("rfft", "f"), ("irfft", "c"),
                      ("hfft", "c"), ("ihfft", "f")):
    _fft1(_name, _kinds)
for _name, _kinds in (("fftn", "c"), ("ifftn", "c"), ("rfftn", "f"), ("irfftn", "c")):
    _fftn(_name, _kinds)


def _freq(name):
    @case(f"fft.{name}", "f", tol="ulp", skip_dtypes=NO_F16)
    def build(draw, dtype, device):
        n = draw(st.integers(1, 9))
        d = draw(st.sampled_from([1.0, 0.5, 0.1, 2.0]))
        return Body(lambda xp: getattr(xp.fft, name)(n, d=d, dtype=dtype, device=xp.device),
                    text=_fmt(f"fft.{name}", str(n), f"d={d}"))


_freq("fftfreq")
_freq("rfftfreq")


def _shift(name):
    @case(f"fft.{name}", "fc")
    def build(draw, dtype, device):
        x = draw(arrays(dtype, shapes(1, 3)))
        axes = axes_of(draw, x.ndim)
        return Body(lambda xp, a: getattr(xp.fft, name)(a, axes=axes), x,
                    text=_fmt(f"fft.{name}", "x", f"axes={axes}"))


_shift("fftshift")
_shift("ifftshift")

# -- the Array's own data plane: indexing ------------------------------------------------------


@case("getitem", "biufc")
def _getitem(draw, dtype, device):
    x = draw(arrays(dtype, shapes(0, 3, 1)))
    key = draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    return Body(lambda xp, a: a[key], x, text=f"x[{key!r}]")


@case("setitem", "biufc")
def _setitem(draw, dtype, device):
    x = draw(arrays(dtype, shapes(0, 3, 1)))
    key = draw(hnp.basic_indices(x.shape, allow_ellipsis=True))
    if draw(st.booleans()):
        value = scalar_of(draw, dtype)
    else:
        target = np.empty(x.shape)[key].shape
        value = draw(arrays(dtype, target))

    def body(xp, a, v):
        a[key] = v
        return a
    return Body(body, x, value, text=f"x[{key!r}] = value")


@case("getitem_advanced", "biufc")
def _getitem_advanced(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3, 1)))
    if draw(st.booleans()):
        mask = draw(arrays(hal.bool, x.shape))
        return Body(lambda xp, a, m: a[m], x, mask, text="x[mask]")
    idx = np.asarray(draw(st.lists(st.integers(-x.shape[0], x.shape[0] - 1), max_size=5)),
                     dtype=npdt(index_dtype(device)))
    return Body(lambda xp, a, i: a[i], x, idx, text=f"x[{idx.tolist()}]")


@case("setitem_advanced", "biufc")
def _setitem_advanced(draw, dtype, device):
    x = draw(arrays(dtype, shapes(1, 3, 1)))
    value = scalar_of(draw, dtype)
    if draw(st.booleans()):
        key = draw(arrays(hal.bool, x.shape))
        text = "x[mask] = value"
    else:
        key = np.asarray(draw(st.lists(st.integers(0, x.shape[0] - 1), unique=True,
                                       max_size=4)), dtype=npdt(index_dtype(device)))
        text = f"x[{key.tolist()}] = value"

    def body(xp, a, k):
        a[k] = value
        return a
    return Body(body, x, key, text=text)


def resolve_tol(case_: Case, dtype, device):
    """The tolerance class of ``case_`` for ``dtype`` on ``device``."""
    return case_.tol(dtype, device) if callable(case_.tol) else case_.tol


def missing_ops() -> list[str]:
    """Ops of hal's op table without a recipe here (must stay empty)."""
    return [name for name in hal.op_names() if name not in CASES]


def extra_recipes() -> list[str]:
    """Recipes for ops that are not in the op table (must stay empty)."""
    table = set(hal.op_names())
    return [name for name in CASES if name not in table]

