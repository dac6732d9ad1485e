"""Manipulation functions and ``astype``."""

from __future__ import annotations

from . import _dtypes
from ._array import Array, call_placed
from ._dispatch import call, common_device, dtype_error, op
from ._errors import HalIndexError, HalTypeError, HalValueError
from ._helpers import as_array, as_axis, as_int, as_ints, as_shape

__all__ = ["astype", "broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat",
           "expand_dims", "flip", "moveaxis", "permute_dims", "repeat", "reshape", "roll",
           "squeeze", "stack", "tile", "unstack"]


#: the ops below whose result keeps the input's placement (device and dtype)
_SAME = {name: op(name) for name in (
    "broadcast_to", "concat", "expand_dims", "flip", "moveaxis", "permute_dims",
    "repeat", "reshape", "roll", "squeeze", "stack", "tile")}


def _unary(name: str, x: Array, *args, **kwargs) -> Array:
    o = _SAME.get(name)
    if o is not None:
        return call_placed(o, x._p, x._native, *args, **kwargs)
    return call(name, x._p.device, (x._p.dtype,), x._native, *args, **kwargs)


def astype(x, dtype, /, *, copy=True, device=None) -> Array:
    x = as_array(x, "astype")
    dtype = _dtypes.as_dtype(dtype, "astype")
    if device is not None:
        from ._devices import as_device
        target = as_device(device, "astype")
        if target is not x._p.device:
            x = x.to_device(target)
            copy = False
    if not copy and dtype is x._p.dtype:
        return x
    if dtype not in x._p.device.dtypes:
        raise dtype_error("astype", x._p.device, dtype)
    if x._p.dtype.kind == "c" and dtype.kind != "c":
        raise HalTypeError(f"astype: casting {x._p.dtype} to {dtype} would drop the "
                           f"imaginary part; take real(x) or abs(x) first")
    return call("astype", x._p.device, (x._p.dtype,), x._native, dtype, copy=copy)


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    """The shape that ``shapes`` broadcast to (the standard's broadcasting rules)."""
    result: list[int] = []
    for shape in shapes:
        shape = as_shape(shape, "broadcast_shapes")
        n = max(len(result), len(shape))
        a = [1] * (n - len(result)) + result
        b = [1] * (n - len(shape)) + list(shape)
        out = []
        for i, (p, q) in enumerate(zip(a, b)):
            if p == q or q == 1:
                out.append(p)
            elif p == 1:
                out.append(q)
            else:
                raise HalValueError(f"shapes {tuple(shapes)} cannot be broadcast together "
                                    f"(dimension {i}: {p} vs {q})")
        result = out
    return tuple(result)


def broadcast_arrays(*arrays) -> tuple[Array, ...]:
    arrays = [as_array(a, "broadcast_arrays") for a in arrays]
    if not arrays:
        return ()
    device = common_device("broadcast_arrays", arrays)
    shape = broadcast_shapes(*[a.shape for a in arrays])
    return tuple(a if a.shape == shape else broadcast_to(a, shape) for a in arrays) \
        if device else ()


def broadcast_to(x, /, shape) -> Array:
    x = as_array(x, "broadcast_to")
    shape = as_shape(shape, "broadcast_to")
    target = broadcast_shapes(x.shape, shape)
    if target != shape:
        raise HalValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
    return _unary("broadcast_to", x, shape)


def _promote_all(op: str, arrays) -> tuple[list[Array], object]:
    if arrays.__class__ is list or arrays.__class__ is tuple:
        # the common case in a few comparisons: arrays of one placement
        p = arrays[0]._p if arrays and arrays[0].__class__ is Array else None
        for a in arrays:
            if a.__class__ is not Array or a._p is not p:
                break
        else:
            if p is not None:
                return arrays, p.device
    if not isinstance(arrays, (list, tuple)):
        raise HalTypeError(f"{op}: expected a list or tuple of arrays, got "
                           f"{type(arrays).__name__}")
    arrays = [as_array(a, op) for a in arrays]
    if not arrays:
        raise HalValueError(f"{op}: needs at least one array")
    device = common_device(op, arrays)
    dtype = arrays[0]._p.dtype
    for a in arrays[1:]:
        dtype = _dtypes.promote(dtype, a._p.dtype, op)
    arrays = [a if a._p.dtype is dtype else astype(a, dtype) for a in arrays]
    return arrays, device


def concat(arrays, /, *, axis=0) -> Array:
    arrays, device = _promote_all("concat", arrays)
    if axis is not None:
        first = arrays[0].shape
        ndim = len(first)
        if ndim == 0:
            raise HalValueError("concat: 0-D arrays cannot be concatenated; use stack")
        if axis.__class__ is not int or not 0 <= axis < ndim:
            axis = as_axis(axis, ndim, "concat")
        if ndim == 1:  # (the common case: only the number of dimensions to compare)
            same = all(len(a._native.shape) == 1 for a in arrays)
        else:
            before, after = first[:axis], first[axis + 1:]
            same = all(len(s) == ndim and s[:axis] == before and s[axis + 1:] == after
                       for s in [a.shape for a in arrays])
        if not same:
            raise HalValueError(f"concat: shapes {[x.shape for x in arrays]} differ "
                                f"outside axis {axis}")
    return call_placed(_SAME["concat"], arrays[0]._p, [a._native for a in arrays],
                       axis=axis)


def stack(arrays, /, *, axis=0) -> Array:
    arrays, device = _promote_all("stack", arrays)
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise HalValueError(f"stack: all arrays must have the same shape, got "
                            f"{[a.shape for a in arrays]}")
    axis = as_axis(axis, arrays[0].ndim + 1, "stack")
    return call_placed(_SAME["stack"], arrays[0]._p, [a._native for a in arrays],
                       axis=axis)


def expand_dims(x, /, axis=0) -> Array:
    # (hal keeps 2024.12's default axis=0; 2025.12 has none.)
    x = as_array(x, "expand_dims")
    if isinstance(axis, tuple):
        n = x.ndim + len(axis)
        axes = tuple(_new_axis(a, n) for a in axis)
        if len(set(axes)) != len(axes):
            raise HalValueError(f"expand_dims: repeated axis in {axis}")
    else:
        axes = _new_axis(axis, x.ndim + 1)
    return _unary("expand_dims", x, axes)


def _new_axis(axis, n: int) -> int:
    """``axis`` of expand_dims normalized for an ``n``-D result; out of -n..n-1 is the
    IndexError the standard asks for."""
    axis = as_int(axis, "expand_dims", "axis")
    if not -n <= axis < n:
        raise HalIndexError(f"expand_dims: axis {axis} is out of range for a {n - 1}-D "
                            f"array (valid: {-n}..{n - 1})")
    return axis % n


def flip(x, /, *, axis=None) -> Array:
    x = as_array(x, "flip")
    if axis is not None:
        axis = tuple(as_axis(a, x.ndim, "flip") for a in
                     (axis if isinstance(axis, tuple) else (axis,)))
    return _unary("flip", x, axis=axis)


def moveaxis(x, source, destination, /) -> Array:
    x = as_array(x, "moveaxis")
    src = source if isinstance(source, tuple) else (source,)
    dst = destination if isinstance(destination, tuple) else (destination,)
    if len(src) != len(dst):
        raise HalValueError(f"moveaxis: source {source} and destination {destination} "
                            f"must have the same number of axes")
    src = tuple(as_axis(a, x.ndim, "moveaxis") for a in src)
    dst = tuple(as_axis(a, x.ndim, "moveaxis") for a in dst)
    return _unary("moveaxis", x, src, dst)


def permute_dims(x, /, axes) -> Array:
    x = as_array(x, "permute_dims")
    axes = as_ints(axes, "permute_dims", "axes")
    # negative axes count from the end (2025.12); kernels see them normalized
    normal = tuple(as_axis(a, x.ndim, "permute_dims") for a in axes)
    if sorted(normal) != list(range(x.ndim)):
        raise HalValueError(f"permute_dims: axes {axes} are not a permutation of "
                            f"0..{x.ndim - 1}")
    return _unary("permute_dims", x, normal)


def repeat(x, repeats, /, *, axis=None) -> Array:
    x = as_array(x, "repeat")
    if repeats.__class__ is Array:
        common_device("repeat", [x, repeats])
        if repeats._p.dtype.kind not in "iu":
            raise HalTypeError(f"repeat: repeats must be integers, got {repeats._p.dtype}")
        repeats = repeats._native
    else:
        repeats = as_int(repeats, "repeat", "repeats (an int or an integer Array)")
        if repeats < 0:
            raise HalValueError("repeat: repeats must be non-negative")
    if axis is not None:
        axis = as_axis(axis, x.ndim, "repeat")
    return _unary("repeat", x, repeats, axis=axis)


def reshape(x, /, shape, *, copy=None) -> Array:
    x = as_array(x, "reshape")
    shape = as_ints(shape if isinstance(shape, (tuple, list)) else (shape,), "reshape",
                    "shape")
    known, unknown = 1, 0
    for s in shape:  # one pass: this runs on every reshape
        if s >= 0:
            known *= s
        elif s == -1:
            unknown += 1
        else:
            unknown = 2
    if unknown > 1:
        raise HalValueError(f"reshape: bad shape {shape}; at most one -1 is allowed")
    size = x.size
    if (not unknown and known != size) or (unknown and (known == 0 or size % known)):
        raise HalValueError(f"reshape: cannot reshape an array of shape {x.shape} "
                            f"(size {size}) into shape {shape}")
    return call_placed(_SAME["reshape"], x._p, x._native, shape, copy=copy)


def roll(x, /, shift, *, axis=None) -> Array:
    x = as_array(x, "roll")
    if axis is not None:
        if isinstance(axis, tuple):
            axis = tuple(as_axis(a, x.ndim, "roll") for a in axis)
            if not isinstance(shift, tuple) or len(shift) != len(axis):
                if not isinstance(shift, int):
                    raise HalValueError("roll: shift and axis must have the same length")
        else:
            axis = as_axis(axis, x.ndim, "roll")
    return _unary("roll", x, shift, axis=axis)


def squeeze(x, /, axis) -> Array:
    x = as_array(x, "squeeze")
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(as_axis(a, x.ndim, "squeeze") for a in axes)
    if x.ndim == 0 and axes:  # as_axis lets axis 0 through for reductions of 0-D arrays
        raise HalValueError(f"squeeze: axis {axis} is out of range for a 0-D array")
    for a in axes:
        if x.shape[a] != 1:
            raise HalValueError(f"squeeze: axis {a} has size {x.shape[a]}, not 1")
    return _unary("squeeze", x, axis=axes)


def tile(x, repetitions, /) -> Array:
    x = as_array(x, "tile")
    reps = as_ints(repetitions, "tile", "repetitions")
    if any(r < 0 for r in reps):
        raise HalValueError(f"tile: repetitions must be non-negative, got {reps}")
    return _unary("tile", x, reps)


def unstack(x, /, *, axis=0) -> tuple[Array, ...]:
    x = as_array(x, "unstack")
    if x.ndim == 0:
        raise HalValueError("unstack: cannot unstack a 0-D array")
    axis = as_axis(axis, x.ndim, "unstack")
    return tuple(_unary("unstack", x, axis=axis))
