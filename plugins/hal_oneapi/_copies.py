"""Copies, casts and fills through hal's kernels (``kernels/cast.c``, ``fill.c``):
``astype``, ``concat`` and ``__setitem__`` of basic keys on oneAPI devices that build
OpenCL C.

dpnp 0.20 takes 40-120 us for ``concat`` of two 8 to 10^4 element arrays, 14-64 us
for ``u[1:-1] = v`` and 22-76 us for ``astype``; one hal launch is ~10 us
(``_launch``).  A copy moves bits and a cast between real and integer dtypes is
IEEE's (round to nearest even) or modular, as dpnp's are, so these give dpnp's
results bit for bit (``tests/test_oneapi_kernels.py`` compares them) and run dpnp's
function for their first calls (``_launch.Tiered``).  Casts from floating dtypes to
integers are hal's own saturating conversions (NaN to 0, beyond the range to the
bound: hal's table; dpnp leaves them to the CPU), run from the first call.

Anything else (complex and float16 casts, mixed dtypes, a value overlapping the
array it is stored into, advanced keys) runs dpnp's function.
"""

from __future__ import annotations

import math

from hal import toolkit
from hal.toolkit import rows_layout

from . import _kernels, _setup
from ._launch import HOT_AFTER, ROWS_FROM, Tiered, c_index, c_int, launcher, scalar_arg, strides
from ._programs import build

dpnp = _setup.dpnp()
_ndarray = dpnp.ndarray

#: dtypes whose casts among themselves give dpnp's bits (no complex: no ctypes
#: scalar; float16: its own rounding paths in dpnp)
_PLAIN = frozenset(("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                    "uint64", "float32", "float64"))


def _conv(dst) -> str:
    """cast.c's conversion macro for destination ``dst`` (as hal_opencl's casts)."""
    if dst.kind == "b":
        return "conv_bool"
    if dst.kind == "c":
        return {8: "conv_c64", 16: "conv_c128"}[dst.itemsize]
    return f"conv_{dst.name}" if dst.kind in "iu" else "conv_real"


_PROGRAMS: dict = {}


def _cast_kernels(device, src, dst) -> tuple:
    """(``cast_<dst>``, ``assign_strided_<dst>``, {SA: ``assign_rows<SA>_<dst>``})
    reading ``src``, built once."""
    key = (device.index, "cast", src, dst)
    found = _PROGRAMS.get(key)
    if found is None:
        instance = f"HAL_DEFINE_CAST({dst.name}, hal_{dst.name}, {_conv(dst)})"
        text = f"{toolkit.source('opencl', 'cast.c')}\n/* instance */\n{instance}\n"
        options = toolkit.options(toolkit.program_defines(src, device.dtypes))
        program = build(device.index, f"kernels/cast.c {instance}", text, options)
        found = _PROGRAMS[key] = (
            program.kernel(f"cast_{dst.name}"), program.kernel(f"assign_strided_{dst.name}"),
            {sa: program.kernel(f"assign_rows{sa}_{dst.name}") for sa in (1, 0)})
    return found


def _fill_kernels(device, dtype) -> tuple:
    """(``fill_strided``, ``fill_rows``, ``fill``) of ``fill.c`` for ``dtype``, built
    once."""
    key = (device.index, "fill", dtype)
    found = _PROGRAMS.get(key)
    if found is None:
        text = toolkit.source("opencl", "fill.c")
        options = toolkit.options(toolkit.program_defines(dtype, device.dtypes))
        program = build(device.index, "kernels/fill.c", text, options)
        found = _PROGRAMS[key] = (program.kernel("fill_strided"), program.kernel("fill_rows"),
                                  program.kernel("fill"))
    return found


def _c_strides(shape: tuple) -> tuple:
    """A C-contiguous array's strides in elements."""
    out, step = [], 1
    for extent in reversed(shape):
        out.append(step)
        step *= extent
    return tuple(reversed(out))


def _broadcastable(value_shape: tuple, shape: tuple) -> bool:
    """Whether ``value_shape`` broadcasts to ``shape`` without changing it."""
    if len(value_shape) > len(shape):
        return False
    return all(v in (1, s) for v, s in zip(reversed(value_shape), reversed(shape)))


def _assign(dev, kernels, out_mem, out_off: int, out_strides: tuple, value, shape) -> None:
    """``out[...] = value`` (``value`` broadcast to ``shape``), the output given by its
    memory, offset and strides: by rows (strided.h) where the output's last axis
    folds to step 1 and the value's to 1 or 0, else through ``assign_strided``."""
    n = math.prod(shape)
    if not n:
        return
    uv = value.get_array()
    v_strides = strides(uv, shape)
    layout = rows_layout(shape, (out_strides, v_strides)) if n >= ROWS_FROM else None
    if layout is not None and layout[3][0][2] == 1:
        n0, n1, inner, ((o0, o1, _), (a0, a1, sa)) = layout
        dev.launch_rows(kernels[2][sa], inner, n1, n0, [
            out_mem, c_index(out_off), uv.usm_data, c_index(uv._element_offset),
            c_index(inner), c_index(n1), c_index(o0), c_index(o1), c_index(a0),
            c_index(a1)])
        return
    dev.launch(kernels[1], n, [out_mem, c_index(out_off), uv.usm_data,
                               c_index(uv._element_offset), c_index(n), c_int(len(shape)),
                               dev.meta(shape + out_strides + v_strides)])


# -- astype ---------------------------------------------------------------------------------

def _astype_kernel(device, src, dst):
    """``astype`` from ``src`` to ``dst`` through cast.c (any layout)."""
    dev = launcher(device.index)
    kernels = _cast_kernels(device, src, dst)
    contiguous = kernels[0]
    out_dtype = dst.numpy

    def run(x, dtype, *, copy=True):
        usm = x.get_array()
        shape = usm.shape
        out, mem = dev.empty(shape, out_dtype)
        if mem is None:
            return out
        if x.flags.c_contiguous:
            n = out.size
            dev.launch(contiguous, n, [mem, usm.usm_data, c_index(usm._element_offset),
                                       c_index(n)])
        else:
            _assign(dev, kernels, mem, 0, _c_strides(shape), x, shape)
        return out
    return run


def astype_factory(device, dtypes):
    """``astype``: floating to integer through hal's saturating casts from the first
    call; between real and integer dtypes through hal's casts once hot; the rest
    through dpnp's cast.  With no source dtype (the core's elementwise promotion
    resolves its casts so) the source is read from the array."""
    fixed = dtypes[0] if dtypes else None
    casts: dict = {}  # (src, dst) -> Tiered

    def dpnp_astype(x, dtype, *, copy=True):
        return dpnp.astype(x, dtype.numpy, copy=copy)

    def run(x, dtype, *, copy=True):
        src = fixed or toolkit.from_numpy_dtype(x.dtype)
        if src is dtype and not copy:
            return x
        cast = casts.get((src, dtype))
        if cast is None:
            if src.kind == "f" and dtype.kind in "iu":
                after = 0  # hal's semantics, not dpnp's
            elif src.name in _PLAIN and dtype.name in _PLAIN:
                after = HOT_AFTER
            else:
                cast = casts[(src, dtype)] = dpnp_astype
            if cast is None:
                cast = casts[(src, dtype)] = Tiered(
                    (device.index, "astype", src, dtype),
                    lambda s=src, d=dtype: _astype_kernel(device, s, d), dpnp_astype, after)
        return cast(x, dtype, copy=copy)
    return run


# -- concat ---------------------------------------------------------------------------------

def _concat_kernel(device, dtype):
    dev = launcher(device.index)
    kernels = _cast_kernels(device, dtype, dtype)
    np_dtype = dtype.numpy

    def run(arrays, *, axis):
        if axis is None:
            if not all(a.flags.c_contiguous for a in arrays):
                return _dpnp_concat(arrays, axis=None)
            arrays = [dpnp.reshape(a, (-1,)) for a in arrays]  # views
            axis = 0
        first = arrays[0].shape
        shape = first[:axis] + (sum(a.shape[axis] for a in arrays),) + first[axis + 1:]
        out, mem = dev.empty(shape, np_dtype)
        if mem is None:
            return out
        out_strides = _c_strides(shape)
        start = 0
        for a in arrays:
            _assign(dev, kernels, mem, start * out_strides[axis], out_strides, a, a.shape)
            start += a.shape[axis]
        return out
    return run


def _dpnp_concat(arrays, *, axis):
    if axis is None:
        return dpnp.concat([dpnp.ravel(a) for a in arrays])
    return dpnp.concat(arrays, axis=axis)


def concat_factory(device, dtypes):
    """``concat`` of arrays of one dtype: one copy per array into the result."""
    (dtype,) = dtypes
    tiered = Tiered((device.index, "concat", dtype), lambda: _concat_kernel(device, dtype),
                    _dpnp_concat, HOT_AFTER)
    np_dtype = dtype.numpy

    def run(arrays, *, axis):
        if not arrays or any(a.dtype != np_dtype for a in arrays):
            return _dpnp_concat(arrays, axis=axis)
        return tiered(arrays, axis=axis)
    return run


# -- __setitem__ ----------------------------------------------------------------------------

def _setitem_kernel(device, dtype):
    dev = launcher(device.index)
    kernels = _cast_kernels(device, dtype, dtype)
    to_arg = scalar_arg(dtype)
    np_dtype = dtype.numpy

    def run(x, key, value):
        target = x[key]  # a view: basic keys only reach this op
        if target.__class__ is not _ndarray:
            x[key] = value
            return x
        ut = target.get_array()
        shape = ut.shape
        if value.__class__ is _ndarray:
            uv = value.get_array()
            if value.dtype != np_dtype or not _broadcastable(uv.shape, shape) or \
                    uv.usm_data._pointer == ut.usm_data._pointer:
                x[key] = value  # converts, raises, or copies the overlap first
                return x
            _assign(dev, kernels, ut.usm_data, ut._element_offset, ut.strides, value, shape)
            return x
        if to_arg is None:
            x[key] = value
            return x
        n = math.prod(shape)
        if not n:
            return x
        fill_strided, fill_rows, _ = _fill_kernels(device, dtype)
        t_strides = ut.strides
        layout = rows_layout(shape, (t_strides,)) if n >= ROWS_FROM else None
        if layout is not None and layout[3][0][2] == 1:
            n0, n1, inner, ((o0, o1, _),) = layout
            dev.launch_rows(fill_rows, inner, n1, n0, [
                ut.usm_data, c_index(ut._element_offset), to_arg(value), c_index(inner),
                c_index(n1), c_index(o0), c_index(o1)])
        else:
            dev.launch(fill_strided, n, [ut.usm_data, c_index(ut._element_offset),
                                         to_arg(value), c_index(n), c_int(len(shape)),
                                         dev.meta(shape + t_strides)])
        return x
    return run


def _dpnp_setitem(x, key, value):
    x[key] = value
    return x


def setitem_factory(device, dtypes):
    """``x[key] = value`` for basic keys: a strided copy of ``value`` (of ``x``'s dtype)
    or a strided fill with a Python scalar."""
    (dtype,) = dtypes
    return Tiered((device.index, "setitem", dtype), lambda: _setitem_kernel(device, dtype),
                  _dpnp_setitem, HOT_AFTER)


# -- creation -------------------------------------------------------------------------------

def _full_kernel(device, dtype):
    dev = launcher(device.index)
    fill = _fill_kernels(device, dtype)[2]
    to_arg = scalar_arg(dtype)
    np_dtype = dtype.numpy

    def run(shape, fill_value):
        out, mem = dev.empty(tuple(shape), np_dtype)
        if mem is not None:
            n = out.size
            dev.launch(fill, n, [mem, to_arg(fill_value), c_index(n)])
        return out
    return run


def _creation_factory(op: str):
    """``full``, ``zeros`` or ``ones``: a pooled allocation and one fill kernel (dpnp
    takes 20-180 us for 8 to 10^5 elements, the fill ~10-20 us); dtypes without a
    kernel scalar argument (bool, float16, complex) through dpnp."""
    dpnp_fn = getattr(_kernels, op)
    value = {"zeros": 0, "ones": 1}.get(op)

    def factory(device, dtypes):
        (dtype,) = dtypes
        if scalar_arg(dtype) is None:
            return dpnp_fn
        tiered = Tiered((device.index, "full", dtype), lambda: _full_kernel(device, dtype),
                        None, HOT_AFTER)
        if value is None:
            tiered.fallback = lambda shape, fill_value: dpnp_fn(
                shape, fill_value, dtype=dtype, device=device.index)
            return lambda shape, fill_value, *, dtype, device: tiered(shape, fill_value)
        tiered.fallback = lambda shape, _: dpnp_fn(shape, dtype=dtype, device=device.index)
        return lambda shape, *, dtype, device: tiered(shape, value)
    return factory


def empty(shape, *, dtype, device):
    """A pooled allocation (``_launch.Pool``): no fresh pages for the writes to come."""
    return launcher(device).empty(tuple(shape), dtype.numpy)[0]


def register(registry) -> None:
    # above dpnp's functions (priority 0) where the device builds OpenCL C
    registry.register("astype", astype_factory, factory=True, priority=10,
                      requires={"raw_kernels"},
                      name="hal.kernels.cast (bit-exact with dpnp.astype between real and "
                           "integer dtypes; floating to integer saturates)")
    registry.register("concat", concat_factory, factory=True, priority=10,
                      requires={"raw_kernels"},
                      name="hal.kernels.cast[assign_strided] (concat)")
    registry.register("setitem", setitem_factory, factory=True, priority=10,
                      requires={"raw_kernels"},
                      name="hal.kernels.cast[assign_strided] / fill (setitem)")
    for op in ("full", "zeros", "ones"):
        registry.register(op, _creation_factory(op), factory=True, priority=10,
                          requires={"raw_kernels"}, name=f"hal.kernels.fill ({op})")
    registry.register("empty", empty, priority=10, requires={"raw_kernels"},
                      name="USM allocation (pooled)")
