"""The example device's kernels: a reduced op set, with dtype signatures.

hal's calling convention: a kernel takes the op's standard signature with every
``hal.Array`` replaced by a native array (:class:`ExampleArray`), every dtype by a
``hal`` dtype and every device by its integer index; elementwise kernels also take
Python scalars.  It returns native arrays (or tuples of them).

Each kernel is registered with the loop dtypes it accepts (``dtypes=``) and the device
features it needs (``requires=``).  hal picks, once per (op, device, dtypes), the
highest-priority kernel the device can run; an op with no kernel here runs a core
decomposition, or else follows the fallback policy.
"""

from __future__ import annotations

import numpy as np

from . import DTYPES
from ._runtime import ExampleArray

INTEGERS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
REAL = INTEGERS + ("float32",)
FLOAT = ("float32",)
ALL = DTYPES
BOOL = ("bool",)


def _data(v):
    """A native array's memory, or a Python scalar as it is."""
    return v.data if v.__class__ is ExampleArray else v


def unary(ufunc):
    def kernel(x):
        return ExampleArray(np.asarray(ufunc(x.data)))
    kernel.__name__ = ufunc.__name__
    return kernel


def binary(ufunc):
    def kernel(x1, x2):
        return ExampleArray(np.asarray(ufunc(_data(x1), _data(x2))))
    kernel.__name__ = ufunc.__name__
    return kernel


#: op -> (NumPy ufunc, loop dtypes it is registered for)
UNARY = {
    "abs": (np.abs, REAL), "negative": (np.negative, REAL),
    "positive": (np.positive, REAL), "floor": (np.floor, REAL),
    "ceil": (np.ceil, REAL), "trunc": (np.trunc, REAL), "sign": (np.sign, REAL),
    "exp": (np.exp, FLOAT), "log": (np.log, FLOAT), "sqrt": (np.sqrt, FLOAT),
    "sin": (np.sin, FLOAT), "cos": (np.cos, FLOAT), "tanh": (np.tanh, FLOAT),
    "isnan": (np.isnan, REAL), "isinf": (np.isinf, REAL), "isfinite": (np.isfinite, REAL),
    "logical_not": (np.logical_not, BOOL),
}
BINARY = {
    "add": (np.add, REAL), "subtract": (np.subtract, REAL),
    "multiply": (np.multiply, REAL), "divide": (np.divide, FLOAT),
    "maximum": (np.maximum, REAL), "minimum": (np.minimum, REAL),
    "equal": (np.equal, ALL), "not_equal": (np.not_equal, ALL),
    "less": (np.less, REAL), "less_equal": (np.less_equal, REAL),
    "greater": (np.greater, REAL), "greater_equal": (np.greater_equal, REAL),
    "logical_and": (np.logical_and, BOOL), "logical_or": (np.logical_or, BOOL),
    "bitwise_and": (np.bitwise_and, INTEGERS + BOOL),
    "bitwise_or": (np.bitwise_or, INTEGERS + BOOL),
    "bitwise_xor": (np.bitwise_xor, INTEGERS + BOOL),
}


# -- creation: a device index and a hal dtype come in ---------------------------------

def zeros(shape, *, dtype, device):
    return ExampleArray(np.zeros(shape, dtype=dtype.name))


def ones(shape, *, dtype, device):
    return ExampleArray(np.ones(shape, dtype=dtype.name))


def empty(shape, *, dtype, device):
    return ExampleArray(np.empty(shape, dtype=dtype.name))


def full(shape, fill_value, *, dtype, device):
    return ExampleArray(np.full(shape, fill_value, dtype=dtype.name))


def arange(start, stop, step, *, dtype, device):
    return ExampleArray(np.arange(start, stop, step, dtype=dtype.name))


# -- casts, indexing, shapes ---------------------------------------------------------

def astype(x, dtype, *, copy=True):
    return ExampleArray(x.data.astype(dtype.name, copy=copy))


def getitem(x, key):
    # basic keys only (ints, slices, None, ...): keys holding index arrays are the
    # getitem_advanced op, which this device leaves to the fallback policy
    return ExampleArray(np.asarray(x.data[key]))


def setitem(x, key, value):
    x.data[key] = _data(value)
    return x


def reshape(x, shape, *, copy):
    return ExampleArray(np.reshape(x.data, shape, copy=copy))


def permute_dims(x, axes):
    return ExampleArray(np.permute_dims(x.data, axes))


def expand_dims(x, axis):
    return ExampleArray(np.expand_dims(x.data, axis))


def broadcast_to(x, shape):
    return ExampleArray(np.broadcast_to(x.data, shape))


# -- reductions and linear algebra ----------------------------------------------------

def sum_(x, *, axis, dtype, keepdims):
    return ExampleArray(np.asarray(np.sum(x.data, axis=axis, dtype=dtype.name,
                                          keepdims=keepdims)))


def max_(x, *, axis, keepdims):
    return ExampleArray(np.asarray(np.max(x.data, axis=axis, keepdims=keepdims)))


def min_(x, *, axis, keepdims):
    return ExampleArray(np.asarray(np.min(x.data, axis=axis, keepdims=keepdims)))


def matmul(x1, x2):
    return ExampleArray(np.asarray(np.matmul(x1.data, x2.data)))


def matmul_subgroups(x1, x2):  # pragma: no cover - the device has no sub-groups
    raise AssertionError("never chosen: the example device lacks 'subgroups'")


def register(registry) -> None:
    """Called from ``hal_register_kernels``, once, when the first op is resolved."""
    for op, (ufunc, dtypes) in UNARY.items():
        registry.register(op, unary(ufunc), dtypes=dtypes, name=f"example.{op}")
    for op, (ufunc, dtypes) in BINARY.items():
        registry.register(op, binary(ufunc), dtypes=dtypes, name=f"example.{op}")

    for op, fn in (("zeros", zeros), ("ones", ones), ("empty", empty), ("full", full)):
        registry.register(op, fn, dtypes=ALL, name=f"example.{op}")
    registry.register("arange", arange, dtypes=REAL, name="example.arange")
    registry.register("astype", astype, dtypes=ALL, name="example.astype")
    registry.register("getitem", getitem, dtypes=ALL, name="example.getitem")
    registry.register("setitem", setitem, dtypes=ALL, name="example.setitem")
    for op, fn in (("reshape", reshape), ("permute_dims", permute_dims),
                   ("expand_dims", expand_dims), ("broadcast_to", broadcast_to)):
        registry.register(op, fn, dtypes=ALL, name=f"example.{op}")
    registry.register("sum", sum_, dtypes=REAL + BOOL, name="example.sum")
    registry.register("max", max_, dtypes=REAL, name="example.max")
    registry.register("min", min_, dtypes=REAL, name="example.min")
    registry.register("matmul", matmul, dtypes=REAL, name="example.matmul")
    # A faster kernel that needs a feature: hal skips it on a device without
    # sub-groups (hal.explain says so) and takes the plain one above.
    registry.register("matmul", matmul_subgroups, dtypes=FLOAT, requires={"subgroups"},
                      priority=10, name="example.matmul_subgroups")
