"""The OpenCL backend's kernels: hal ops mapped onto the portable sources in kernels/.

Most kernels are *factories* (``registry.register(..., factory=True)``): hal calls
them once per (device, loop dtypes) when an op is first resolved, and they return a
closure holding the compiled kernel and everything the launch needs, so the per-op
call does no dtype or option lookups.

Ops without a kernel here take the fallback policy's path (``HAL_FALLBACK``); the
linear-algebra factorisations and FFTs are declared host ops in the capabilities
(``HOST_OPS``) and are visible as such in ``hal.explain`` and ``hal.trace``.
"""

from __future__ import annotations

import sys

import numpy as np

import hal
from hal import toolkit
from hal.toolkit import BINARY, UNARY

from ._array import CLArray, c_strides
from ._state import state_of

rows_layout = toolkit.rows_layout

# linear algebra factorisations and FFTs run on the host by design (declared in the
# device capabilities, so hal.explain and hal.trace show it)
HOST_OPS = frozenset(
    [f"linalg.{n}" for n in ("cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv",
                              "matrix_power", "matrix_rank", "pinv", "qr", "slogdet",
                              "solve", "svd", "svdvals")]
    + [f"fft.{n}" for n in ("fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn",
                             "irfftn", "hfft", "ihfft")])

def _cast_instance(dst) -> str:
    # integer destinations saturate floating sources (cast.c's conv_<int dtype>)
    conv = "conv_bool" if dst.kind == "b" else (
        {8: "conv_c64", 16: "conv_c128"}[dst.itemsize] if dst.kind == "c" else
        f"conv_{dst.name}" if dst.kind in "iu" else "conv_real")
    return f"HAL_DEFINE_CAST({dst.name}, hal_{dst.name}, {conv})"


_FLOAT_MAX = sys.float_info.max


def _scalar(dtype, value):
    """A Python scalar as the kernel argument of ``dtype`` (weak typing: value cast)."""
    if dtype.kind == "b":
        return bool(value)
    if value.__class__ is int and dtype.kind in "fc" and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
        # PyOpenCL's packing fails with pybind's std::bad_cast; Python's own conversion
        # gives the OverflowError NumPy's backend gives (a HalOverflowError for the user)
        float(value)
    return value


def broadcast_strides(arr: CLArray, shape: tuple) -> tuple:
    """``arr``'s strides seen through ``shape`` (0 along broadcast dimensions)."""
    pad = len(shape) - len(arr.shape)
    strides = [0] * pad
    for extent, stride in zip(arr.shape, arr.strides):
        strides.append(0 if extent == 1 else stride)
    return tuple(strides)


# kernels have typed scalar arguments (see DeviceState.kernel): plain ints will do
_index = int
_int = int


# -- elementwise ----------------------------------------------------------------------

def _unary_factory(spec):
    def factory(device, dtypes):
        (loop,) = dtypes
        out_dtype = toolkit.elementwise_result_dtype(spec, loop)
        state = state_of(device)
        instance = toolkit.elementwise_instance("UNARY", spec.name, spec, loop)
        contiguous = state.kernel("elementwise.c", loop, f"unary_{spec.name}", instance)
        strided = state.kernel("elementwise.c", loop, f"unary_strided_{spec.name}", instance)
        rows = state.kernel("elementwise.c", loop, f"unary_rows_{spec.name}", instance)
        launch, launch_rows, empty, meta = state.launch, state.launch_rows, state.empty, state.meta

        def run(a):
            out = empty(a.shape, out_dtype)
            n = out.size
            if a.contiguous:
                launch(contiguous, n, out.data, a.data, _index(a.offset), _index(n))
                return out
            layout = rows_layout(a.shape, (broadcast_strides(a, a.shape),))
            if layout is not None and layout[3][0][2] == 1:
                n0, n1, inner, ((a0, a1, _),) = layout
                launch_rows(rows, inner, n1, n0, out.data, a.data, _index(a.offset), inner, n1,
                            a0, a1)
            else:
                launch(strided, n, out.data, a.data, _index(a.offset), _index(n),
                       _int(a.ndim), meta(a.shape + a.strides))
            return out
        return run
    return factory


def _binary_factory(spec):
    def factory(device, dtypes):
        (loop,) = dtypes
        out_dtype = toolkit.elementwise_result_dtype(spec, loop)
        state = state_of(device)
        name = spec.name
        instance = toolkit.elementwise_instance("BINARY", name, spec, loop)
        both = state.kernel("elementwise.c", loop, f"binary_{name}", instance)
        a_scalar = state.kernel("elementwise.c", loop, f"binary_as_{name}", instance)
        b_scalar = state.kernel("elementwise.c", loop, f"binary_bs_{name}", instance)
        strided = state.kernel("elementwise.c", loop, f"binary_strided_{name}", instance)
        rows = {(sa, sb): state.kernel("elementwise.c", loop, f"binary_rows{sa}{sb}_{name}",
                                       instance)
                for sa, sb in ((1, 1), (1, 0), (0, 1))}
        launch, launch_rows, empty, meta = state.launch, state.launch_rows, state.empty, state.meta

        def run(a, b):
            a_arr, b_arr = a.__class__ is CLArray, b.__class__ is CLArray
            if a_arr and b_arr:
                if a.shape == b.shape and a.contiguous and b.contiguous:
                    out = empty(a.shape, out_dtype)
                    n = out.size
                    launch(both, n, out.data, a.data, _index(a.offset), b.data,
                           _index(b.offset), _index(n))
                    return out
                shape = hal.broadcast_shapes(a.shape, b.shape)
                out = empty(shape, out_dtype)
                n = out.size
                a_strides, b_strides = broadcast_strides(a, shape), broadcast_strides(b, shape)
                layout = rows_layout(shape, (a_strides, b_strides))
                if layout is not None:
                    n0, n1, inner, ((a0, a1, sa), (b0, b1, sb)) = layout
                    kernel = rows.get((sa, sb))
                    if kernel is not None:
                        launch_rows(kernel, inner, n1, n0, out.data, a.data, _index(a.offset),
                                    b.data, _index(b.offset), inner, n1, a0, a1, b0, b1)
                        return out
                launch(strided, n, out.data, a.data, _index(a.offset), b.data,
                       _index(b.offset), _index(n), _int(len(shape)),
                       meta(shape + a_strides + b_strides))
                return out
            # one operand is a Python scalar: the array side must be contiguous
            if a_arr:
                a = a if a.contiguous else copy_contiguous(a)
                out = empty(a.shape, out_dtype)
                n = out.size
                launch(b_scalar, n, out.data, a.data, _index(a.offset), _scalar(loop, b),
                       _index(n))
            else:
                b = b if b.contiguous else copy_contiguous(b)
                out = empty(b.shape, out_dtype)
                n = out.size
                launch(a_scalar, n, out.data, _scalar(loop, a), b.data, _index(b.offset),
                       _index(n))
            return out
        return run
    return factory


# -- conversions, copies, fills ---------------------------------------------------------

def cast_into(out: CLArray, a: CLArray) -> None:
    """``out[...] = a`` converted to ``out``'s dtype; ``a`` broadcasts to ``out``."""
    state = out.state
    n = out.size
    if out.contiguous and out.offset == 0 and a.contiguous and a.shape == out.shape:
        k = state.kernel("cast.c", a.dtype, f"cast_{out.dtype.name}",
                         _cast_instance(out.dtype))
        state.launch(k, n, out.data, a.data, _index(a.offset), _index(n))
        return
    shape = out.shape
    a_strides = broadcast_strides(a, shape)
    layout = rows_layout(shape, (broadcast_strides(out, shape), a_strides))
    if layout is not None and layout[3][0][2] == 1:
        n0, n1, inner, ((o0, o1, _), (a0, a1, sa)) = layout
        k = state.kernel("cast.c", a.dtype, f"assign_rows{sa}_{out.dtype.name}",
                         _cast_instance(out.dtype))
        state.launch_rows(k, inner, n1, n0, out.data, _index(out.offset), a.data,
                          _index(a.offset), inner, n1, o0, o1, a0, a1)
        return
    k = state.kernel("cast.c", a.dtype, f"assign_strided_{out.dtype.name}",
                     _cast_instance(out.dtype))
    state.launch(k, n, out.data, _index(out.offset), a.data, _index(a.offset), _index(n),
                 _int(len(shape)), state.meta(shape + out.strides + a_strides))


def fill_into(out: CLArray, value) -> None:
    state = out.state
    dtype = out.dtype
    n = out.size
    if out.contiguous and out.offset == 0:
        k = state.kernel("fill.c", dtype, "fill")
        state.launch(k, n, out.data, _scalar(dtype, value), _index(n))
        return
    layout = rows_layout(out.shape, (broadcast_strides(out, out.shape),))
    if layout is not None and layout[3][0][2] == 1:
        n0, n1, inner, ((o0, o1, _),) = layout
        k = state.kernel("fill.c", dtype, "fill_rows")
        state.launch_rows(k, inner, n1, n0, out.data, _index(out.offset),
                          _scalar(dtype, value), inner, n1, o0, o1)
        return
    k = state.kernel("fill.c", dtype, "fill_strided")
    state.launch(k, n, out.data, _index(out.offset), _scalar(dtype, value), _index(n),
                 _int(out.ndim), state.meta(out.shape + out.strides))


def copy_contiguous(a: CLArray) -> CLArray:
    out = a.state.empty(a.shape, a.dtype)
    cast_into(out, a)
    return out


def astype(x, dtype, *, copy=True):
    if dtype is x.dtype and not copy:
        return x
    out = x.state.empty(x.shape, dtype)
    cast_into(out, x)
    return out


def full(shape, fill_value, *, dtype, device):
    out = _state_by_index(device).empty(tuple(shape), dtype)
    fill_into(out, fill_value)
    return out


def zeros(shape, *, dtype, device):
    return full(shape, 0, dtype=dtype, device=device)


def ones(shape, *, dtype, device):
    return full(shape, 1, dtype=dtype, device=device)


def empty(shape, *, dtype, device):
    return _state_by_index(device).empty(tuple(shape), dtype)


def _ramp(state, n, dtype, start, step):
    if dtype.kind not in "iuf":
        raise NotImplementedError(f"no ramp kernel for {dtype}")
    out = state.empty((n,), dtype)
    k = state.kernel("fill.c", dtype, "ramp")
    state.launch(k, n, out.data, start, step, n)
    return out


def arange(start, stop, step, *, dtype, device):
    state = _state_by_index(device)
    n = max(0, int(np.ceil((stop - start) / step)))
    return _ramp(state, n, dtype, start, step)


def linspace(start, stop, num, *, dtype, device, endpoint):
    state = _state_by_index(device)
    if dtype.kind == "c":
        # a complex ramp is two real ramps interleaved; rare enough that one host
        # computation and one upload beats a kernel family of its own
        return state.from_host(np.linspace(start, stop, num, endpoint=endpoint,
                                           dtype=dtype.numpy))
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else 0.0
    out = _ramp(state, num, dtype, start, step)
    if endpoint and num > 1:
        setitem(out, num - 1, stop)  # exactly ``stop``, as NumPy gives
    return out


def _state_by_index(index: int):
    return state_of(hal.get_device(f"opencl:{index}"))


# -- indexing: basic keys are views ----------------------------------------------------

def _view(a: CLArray, key) -> CLArray:
    """The view ``a[key]`` for a basic key (ints, slices, None, Ellipsis)."""
    parts = key if isinstance(key, tuple) else (key,)
    n_real = sum(1 for k in parts if k is not None and k is not Ellipsis)
    if sum(1 for k in parts if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_real > a.ndim:
        raise IndexError(f"too many indices for array: array is {a.ndim}-dimensional, "
                         f"but {n_real} were indexed")
    expanded = []
    for k in parts:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (a.ndim - n_real))
        else:
            expanded.append(k)
    expanded.extend([slice(None)] * (a.ndim - sum(1 for k in expanded if k is not None)))
    shape, strides, offset, dim = [], [], a.offset, 0
    for k in expanded:
        if k is None:
            shape.append(1)
            strides.append(0)
            continue
        extent, stride = a.shape[dim], a.strides[dim]
        if isinstance(k, slice):
            start, stop, step = k.indices(extent)
            length = len(range(start, stop, step))
            offset += start * stride if length else 0
            shape.append(length)
            strides.append(stride * step)
        else:
            i = int(k)
            if not -extent <= i < extent:
                raise IndexError(f"index {i} is out of bounds for axis {dim} with size "
                                 f"{extent}")
            offset += (i % extent) * stride
        dim += 1
    return a.view(shape, strides, offset)


def getitem(a, key):
    return _view(a, key)


def setitem(a, key, value):
    target = _view(a, key)
    if value.__class__ is CLArray:
        if not _broadcastable(value.shape, target.shape):
            raise ValueError(f"could not broadcast input array from shape "
                             f"{value.shape} into shape {target.shape}")
        cast_into(target, value)
    else:
        fill_into(target, value)
    return a


def _broadcastable(src, dst) -> bool:
    if len(src) > len(dst):
        return False
    return all(s in (1, d) for s, d in zip(src[::-1], dst[::-1]))


# -- shape manipulation without copies -------------------------------------------------

def reshape(x, shape, *, copy):
    shape = list(shape)
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        shape[shape.index(-1)] = x.size // known if known else 0
    shape = tuple(shape)
    if copy is True or not x.contiguous:
        if copy is False:
            raise ValueError("reshape: copy=False, but this view is not contiguous")
        x = copy_contiguous(x)
    return x.view(shape, c_strides(shape), x.offset)


def permute_dims(x, axes):
    return x.view(tuple(x.shape[a] for a in axes), tuple(x.strides[a] for a in axes),
                  x.offset)


def matrix_transpose(x):
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return permute_dims(x, axes)


def broadcast_to(x, shape):
    shape = tuple(shape)
    return x.view(shape, broadcast_strides(x, shape), x.offset)


def expand_dims(x, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    shape, strides = list(x.shape), list(x.strides)
    for a in sorted(axes):
        shape.insert(a, 1)
        strides.insert(a, 0)
    return x.view(shape, strides, x.offset)


def squeeze(x, *, axis):
    keep = [d for d in range(x.ndim) if d not in axis]
    return x.view([x.shape[d] for d in keep], [x.strides[d] for d in keep], x.offset)


def flip(x, *, axis=None):
    axes = range(x.ndim) if axis is None else axis
    strides, offset = list(x.strides), x.offset
    for a in axes:
        if x.shape[a]:
            offset += (x.shape[a] - 1) * strides[a]
        strides[a] = -strides[a]
    return x.view(x.shape, strides, offset)


def register(registry) -> None:
    for spec in UNARY:
        registry.register(spec.name, _unary_factory(spec), factory=True,
                          name=f"opencl.unary[{spec.name}]")
    for spec in BINARY:
        registry.register(spec.name, _binary_factory(spec), factory=True,
                          name=f"opencl.binary[{spec.name}]")
    plain = {
        "astype": astype, "full": full, "zeros": zeros, "ones": ones, "empty": empty,
        "arange": arange, "linspace": linspace,
        "getitem": getitem, "setitem": setitem,
        "reshape": reshape, "permute_dims": permute_dims,
        "matrix_transpose": matrix_transpose, "linalg.matrix_transpose": matrix_transpose,
        "broadcast_to": broadcast_to, "expand_dims": expand_dims, "squeeze": squeeze,
        "flip": flip,
    }
    for op, fn in plain.items():
        registry.register(op, fn, name=f"opencl.{fn.__name__}")
