"""Elementwise ops where dpnp's special values differ from hal's: hal's own kernels.

dpnp computes some ops differently from hal's reference (NumPy, and the Array API
standard where the two differ) at infinities, NaNs and signed zeros: the complex
functions (``0 ** 0j`` is NaN in dpnp, ``cosh(90+0j)`` has a NaN imaginary part ...)
and real ``floor_divide`` by or of an infinity; and where
dpnp's answer is not hal's table of implementation-defined behaviour (integer ``pow``
with negative exponents, ``astype`` of NaN and out-of-range floats to integers).
On devices that build OpenCL C (SYCL's OpenCL
backend) these loops run hal's portable kernels from ``kernels/elementwise.c`` (the
ones the OpenCL backend runs, written to the standard's special-value rules), built with
dpctl's program API and launched on the device's queue on dpnp's USM memory.
Elsewhere dpnp's own function runs (registered at a lower priority in ``_kernels``).

Inputs are made contiguous and broadcast with dpnp first (a Python scalar becomes a
0-D array of the loop dtype), so only the contiguous kernels are needed.
"""

from __future__ import annotations

import ctypes

from hal import toolkit
from hal.toolkit import OPS

from . import _setup
from ._programs import build, element_offset

dpnp = _setup.dpnp()

_COMPLEX = ("complex64", "complex128")
_REAL_FLOATING = ("float16", "float32", "float64")

#: complex functions: dpnp's special values (infinities, NaNs, signed zeros) differ
#: from NumPy's for nearly all of them, so all run hal's kernels
_COMPLEX_FUNCTIONS = (
    "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "expm1",
    "log", "log1p", "log2", "log10", "reciprocal", "sign", "sin", "sinh", "sqrt",
    "square", "tan", "tanh", "multiply", "divide", "pow")

#: op -> loop dtypes that need hal's kernel instead of dpnp's function
OPS_AND_DTYPES = {name: _COMPLEX for name in _COMPLEX_FUNCTIONS}
OPS_AND_DTYPES["floor_divide"] = _REAL_FLOATING
#: integer ** negative exponents (in an array): dpnp gives 0 even for 1 ** -1; hal's
#: table (README, "Behaviour the standard leaves to the implementation") gives 1, and
#: (-1) ** n for -1, as PyTorch does
_INTEGER = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
OPS_AND_DTYPES["pow"] = _COMPLEX + _INTEGER


def _program(device, spec, loop, kind: str):
    instance = toolkit.elementwise_instance(kind, spec.name, spec, loop)
    source = f"{toolkit.source('opencl', 'elementwise.c')}\n/* instance */\n{instance}\n"
    options = toolkit.options(toolkit.program_defines(loop, device.dtypes))
    return build(device.index, f"kernels/elementwise.c {instance}", source, options)


def _contiguous(x, loop, shape, queue):
    """``x`` (a dpnp array or a Python scalar) as a C-contiguous ``loop`` array of
    ``shape`` on ``queue``."""
    if x.__class__ is not dpnp.ndarray:
        x = dpnp.asarray(x, dtype=loop.numpy, sycl_queue=queue)
    if x.shape != shape:
        x = dpnp.broadcast_to(x, shape)
    return _c_order(x)


def _c_order(x):
    """``x`` itself if C-contiguous, else a C-contiguous copy (0-D stays 0-D, which
    ``ascontiguousarray`` would make 1-D)."""
    return x if x.flags.c_contiguous else dpnp.copy(x, order="C")


def unary_factory(spec):
    def factory(device, dtypes):
        (loop,) = dtypes
        program = _program(device, spec, loop, "UNARY")
        kernel = f"unary_{spec.name}"
        out_dtype = toolkit.elementwise_result_dtype(spec, loop).numpy

        def run(a):
            a = _c_order(a)
            out = dpnp.empty(a.shape, dtype=out_dtype, sycl_queue=a.sycl_queue)
            if a.size:
                program.run(kernel, a.size, out, a, ctypes.c_int64(element_offset(a)),
                            ctypes.c_int64(a.size))
            return out
        return run
    return factory


def binary_factory(spec):
    def factory(device, dtypes):
        (loop,) = dtypes
        program = _program(device, spec, loop, "BINARY")
        kernel = f"binary_{spec.name}"
        out_dtype = toolkit.elementwise_result_dtype(spec, loop).numpy
        from ._queues import queue
        q = queue(device.index)

        def run(a, b):
            shape = dpnp.broadcast_shapes(getattr(a, "shape", ()), getattr(b, "shape", ()))
            a, b = _contiguous(a, loop, shape, q), _contiguous(b, loop, shape, q)
            out = dpnp.empty(shape, dtype=out_dtype, sycl_queue=q)
            if out.size:
                program.run(kernel, out.size, out, a, ctypes.c_int64(element_offset(a)),
                            b, ctypes.c_int64(element_offset(b)),
                            ctypes.c_int64(out.size))
            return out
        return run
    return factory


def astype_factory(device, dtypes):
    """``astype`` from a floating dtype: to integers through cast.c's saturating
    conversions (NaN to 0, beyond the range to the bound: hal's table; dpnp's cast
    leaves them to the CPU), to everything else through dpnp's cast."""
    if not dtypes:
        # the core's elementwise promotion resolves astype with no source dtype; its
        # casts only widen (never floating -> integer), which dpnp's cast does right
        return lambda x, dtype, *, copy=True: dpnp.astype(x, dtype.numpy, copy=copy)
    (source,) = dtypes
    programs = {}

    def program(dst):
        p = programs.get(dst)
        if p is None:
            instance = f"HAL_DEFINE_CAST({dst.name}, hal_{dst.name}, conv_{dst.name})"
            text = f"{toolkit.source('opencl', 'cast.c')}\n/* instance */\n{instance}\n"
            options = toolkit.options(toolkit.program_defines(source, device.dtypes))
            p = programs[dst] = build(device.index, f"kernels/cast.c {instance}", text,
                                      options)
        return p

    def run(x, dtype, *, copy=True):
        if dtype.kind not in "iu":
            return dpnp.astype(x, dtype.numpy, copy=copy)
        x = _c_order(x)
        out = dpnp.empty(x.shape, dtype=dtype.numpy, sycl_queue=x.sycl_queue)
        if x.size:
            program(dtype).run(f"cast_{dtype.name}", x.size, out, x,
                               ctypes.c_int64(element_offset(x)), ctypes.c_int64(x.size))
        return out
    return run


def register(registry) -> None:
    for name, dtypes in OPS_AND_DTYPES.items():
        spec = OPS[name]
        factory = unary_factory(spec) if spec.kind == "unary" else binary_factory(spec)
        # above dpnp's function (priority 0) where the device builds OpenCL C
        registry.register(name, factory, factory=True, dtypes=dtypes, priority=10,
                          requires={"raw_kernels"}, name=f"hal.kernels.{spec.kind}[{name}]")
    registry.register("astype", astype_factory, factory=True, dtypes=_REAL_FLOATING,
                      priority=10, requires={"raw_kernels"},
                      name="hal.kernels.cast (floating sources)")
