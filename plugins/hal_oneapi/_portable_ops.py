"""hal's portable elementwise kernels on oneAPI devices.

Two sets of loops run hal's kernels from ``kernels/elementwise.c`` (the ones the OpenCL
backend runs) instead of dpnp's functions, on devices that build OpenCL C (SYCL's
OpenCL backend; elsewhere dpnp's function runs, registered at priority 0 in
``_kernels``):

* where dpnp's special values differ from hal's reference (NumPy, and the Array API
  standard where the two differ) at infinities, NaNs and signed zeros: the complex
  functions (``0 ** 0j`` is NaN in dpnp, ``cosh(90+0j)`` has a NaN imaginary part ...),
  real ``floor_divide`` by or of an infinity, integer ``pow`` with negative exponents
  (hal's table gives 1 for ``1 ** -1``, dpnp 0); ``astype`` of NaN and out-of-range
  floats to integers is in ``_copies``;
* the hot arithmetic, comparison and logical loops (``HOT``) on real and integer
  dtypes, where hal's kernel gives dpnp's result bit for bit (IEEE arithmetic,
  exact operations; ``tests/test_oneapi_kernels.py`` compares every bit) at a fraction
  of dpnp's cost per call.  dpnp 0.20 spends 20-50 us on ``a + b`` of 8 to 10^4
  float32 elements and 90-190 us on ``a + 1.0`` (it copies the Python scalar to the
  device first); hal's launch (``_launch``) is one queue wait, a pooled USM allocation
  and one synchronous ``submit`` (~12-20 us), and a Python scalar travels as a kernel
  argument.

A hot loop runs dpnp's function for its first ``HOT_AFTER`` calls, then hal's kernel
(``_launch.Tiered``); special-value loops build on first use (their results are
hal's, not dpnp's).
"""

from __future__ import annotations

from hal import toolkit
from hal.toolkit import OPS, rows_layout

from . import _setup
from ._launch import HOT_AFTER, ROWS_FROM, Tiered, c_index, c_int, launcher, scalar_arg, strides
from ._programs import build

dpnp = _setup.dpnp()
_ndarray = dpnp.ndarray

_COMPLEX = ("complex64", "complex128")
_REAL_FLOATING = ("float16", "float32", "float64")
_INTEGER = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")

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
OPS_AND_DTYPES["pow"] = _COMPLEX + _INTEGER

#: loops where hal's kernel is dpnp's result bit for bit, and cheaper per call.  Not
#: here: transcendental functions (dpnp's oneMKL/SVML results differ in the last
#: bit), sqrt and log (the sign of the NaN of a negative input differs), float16 (no
#: ctypes half for a scalar argument), shifts and integer remainder (dpnp's results
#: for out-of-range shifts and zero divisors are its own).
_REAL_AND_INTEGER = ("float32", "float64") + _INTEGER
_ARITHMETIC = ("add", "subtract", "multiply", "maximum", "minimum")
_COMPARISONS = ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal")
HOT = {name: _REAL_AND_INTEGER for name in _ARITHMETIC + _COMPARISONS}
HOT["divide"] = ("float32", "float64")
for _name in ("logical_and", "logical_or", "logical_xor"):
    HOT[_name] = ("bool",)
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    HOT[_name] = ("bool",) + _INTEGER
for _name in ("equal", "not_equal"):
    HOT[_name] += ("bool",)
for _name in ("negative", "abs", "square", "floor", "ceil", "trunc", "sign"):
    HOT[_name] = _REAL_AND_INTEGER
HOT["logical_not"] = ("bool",)
HOT["bitwise_invert"] = ("bool",) + _INTEGER
for _name in ("isnan", "isinf", "isfinite"):
    HOT[_name] = ("float32", "float64")
del _name

def _program(device, spec, loop, kind: str):
    """One op's kernels of ``elementwise.c`` for ``loop``, built for ``device``."""
    instance = toolkit.elementwise_instance(kind, spec.name, spec, loop)
    source = f"{toolkit.source('opencl', 'elementwise.c')}\n/* instance */\n{instance}\n"
    options = toolkit.options(toolkit.program_defines(loop, device.dtypes))
    return build(device.index, f"kernels/elementwise.c {instance}", source, options)


def unary_loop(device, spec, loop):
    """``spec`` over ``loop`` arrays through hal's kernel (any layout)."""
    program = _program(device, spec, loop, "UNARY")
    contiguous = program.kernel(f"unary_{spec.name}")
    strided = program.kernel(f"unary_strided_{spec.name}")
    rows = program.kernel(f"unary_rows_{spec.name}")
    out_dtype = toolkit.elementwise_result_dtype(spec, loop).numpy
    dev = launcher(device.index)
    launch, launch_rows, empty, meta = dev.launch, dev.launch_rows, dev.empty, dev.meta

    def run(a):
        usm = a.get_array()
        shape = usm.shape
        out, mem = empty(shape, out_dtype)
        if mem is None:
            return out
        n = out.size
        if a.flags.c_contiguous:
            launch(contiguous, n, [mem, usm.usm_data, c_index(usm._element_offset),
                                   c_index(n)])
            return out
        a_strides = strides(usm, shape)
        layout = rows_layout(shape, (a_strides,)) if n >= ROWS_FROM else None
        if layout is not None and layout[3][0][2] == 1:
            n0, n1, inner, ((a0, a1, _),) = layout
            launch_rows(rows, inner, n1, n0, [mem, usm.usm_data,
                                              c_index(usm._element_offset), c_index(inner),
                                              c_index(n1), c_index(a0), c_index(a1)])
        else:
            launch(strided, n, [mem, usm.usm_data, c_index(usm._element_offset),
                                c_index(n), c_int(len(shape)), meta(shape + a_strides)])
        return out
    return run


def binary_loop(device, spec, loop):
    """``spec`` over ``loop`` arrays or Python scalars through hal's kernel: both
    contiguous and of one shape, one a scalar argument, or broadcast through strides."""
    name = spec.name
    program = _program(device, spec, loop, "BINARY")
    both = program.kernel(f"binary_{name}")
    a_scalar = program.kernel(f"binary_as_{name}")
    b_scalar = program.kernel(f"binary_bs_{name}")
    strided = program.kernel(f"binary_strided_{name}")
    rows = {steps: program.kernel(f"binary_rows{steps[0]}{steps[1]}_{name}")
            for steps in ((1, 1), (1, 0), (0, 1))}
    out_dtype = toolkit.elementwise_result_dtype(spec, loop).numpy
    dev = launcher(device.index)
    launch, launch_rows, empty, meta = dev.launch, dev.launch_rows, dev.empty, dev.meta
    scalar_array = dev.scalar_array
    to_arg = scalar_arg(loop)

    def broadcast(a, b):
        """Any layout: rows (strided.h) where the last axis folds to steps 1 or 0,
        else each element's position decoded from the strides."""
        ua, ub = a.get_array(), b.get_array()
        shape = ua.shape if ua.shape == ub.shape else \
            tuple(dpnp.broadcast_shapes(ua.shape, ub.shape))
        out, mem = empty(shape, out_dtype)
        if mem is None:
            return out
        a_strides, b_strides = strides(ua, shape), strides(ub, shape)
        n = out.size
        layout = rows_layout(shape, (a_strides, b_strides)) if n >= ROWS_FROM else None
        if layout is not None:
            n0, n1, inner, ((a0, a1, sa), (b0, b1, sb)) = layout
            kernel = rows.get((sa, sb))
            if kernel is not None:
                launch_rows(kernel, inner, n1, n0, [
                    mem, ua.usm_data, c_index(ua._element_offset), ub.usm_data,
                    c_index(ub._element_offset), c_index(inner), c_index(n1), c_index(a0),
                    c_index(a1), c_index(b0), c_index(b1)])
                return out
        launch(strided, n, [mem, ua.usm_data, c_index(ua._element_offset), ub.usm_data,
                            c_index(ub._element_offset), c_index(n), c_int(len(shape)),
                            meta(shape + a_strides + b_strides)])
        return out

    def run(a, b):
        if a.__class__ is _ndarray:
            if b.__class__ is _ndarray:
                if a.shape == b.shape and a.flags.c_contiguous and b.flags.c_contiguous:
                    ua, ub = a.get_array(), b.get_array()
                    out, mem = empty(ua.shape, out_dtype)
                    if mem is not None:
                        n = out.size
                        launch(both, n, [mem, ua.usm_data, c_index(ua._element_offset),
                                         ub.usm_data, c_index(ub._element_offset),
                                         c_index(n)])
                    return out
                return broadcast(a, b)
            if to_arg is None or not a.flags.c_contiguous:
                return broadcast(a, scalar_array(b, loop))
            ua = a.get_array()
            out, mem = empty(ua.shape, out_dtype)
            if mem is not None:
                n = out.size
                launch(b_scalar, n, [mem, ua.usm_data, c_index(ua._element_offset),
                                     to_arg(b), c_index(n)])
            return out
        if to_arg is None or not b.flags.c_contiguous:
            return broadcast(scalar_array(a, loop), b)
        ub = b.get_array()
        out, mem = empty(ub.shape, out_dtype)
        if mem is not None:
            n = out.size
            launch(a_scalar, n, [mem, to_arg(a), ub.usm_data,
                                 c_index(ub._element_offset), c_index(n)])
        return out
    return run


def _loop_factory(spec, *, after: int):
    """The registry factory of ``spec``'s loop: hal's kernel, after dpnp's function
    for its first ``after`` calls (``Tiered``)."""
    make = unary_loop if spec.kind == "unary" else binary_loop
    dpnp_fn = getattr(dpnp, spec.name)

    def factory(device, dtypes):
        (loop,) = dtypes
        return Tiered((device.index, spec.name, loop), lambda: make(device, spec, loop),
                      dpnp_fn, after)
    return factory


def register(registry) -> None:
    for name, dtypes in OPS_AND_DTYPES.items():
        spec = OPS[name]
        # above dpnp's function (priority 0) where the device builds OpenCL C
        registry.register(name, _loop_factory(spec, after=0), factory=True,
                          dtypes=dtypes, priority=10, requires={"raw_kernels"},
                          name=f"hal.kernels.{spec.kind}[{name}]")
    for name, dtypes in HOT.items():
        spec = OPS[name]
        registry.register(name, _loop_factory(spec, after=HOT_AFTER), factory=True,
                          dtypes=dtypes, priority=5, requires={"raw_kernels"},
                          name=f"hal.kernels.{spec.kind}[{name}] (bit-exact with "
                               f"dpnp.{name}, which runs until the loop is hot)")
