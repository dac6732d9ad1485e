"""hal's dtypes and the standard's type promotion, computed in the core.

Every backend maps its native dtypes onto these objects, so ``result_type`` and the
dtype of every op's result are the same on every device.  Each dtype carries a small
integer ``code`` that the dispatcher uses in its cache keys.

Where the standard leaves a mixed-kind promotion unspecified, hal picks one rule for
every backend (documented in the README, "Type promotion"):

* ``bool`` with a numeric dtype gives the numeric dtype;
* an integer with a floating dtype gives the floating dtype (as PyTorch and JAX do;
  NumPy would widen ``int64 + float32`` to ``float64``, which a device without
  float64 could not hold);
* ``int64`` or smaller signed with ``uint64`` has no common dtype: ``TypeError``.
"""

from __future__ import annotations

import builtins

import numpy as np

from ._errors import HalTypeError, HalValueError

__all__ = [
    "DType",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "result_type",
    "can_cast",
    "isdtype",
    "finfo",
    "iinfo",
]


class DType:
    """A dtype of the Array API standard.

    Instances are unique (compare them with ``==`` or ``is``); create none: use
    ``hal.float32`` and friends.
    """

    __slots__ = ("name", "code", "kind", "itemsize", "numpy")

    def __init__(self, name: str, code: int, kind: str, itemsize: int):
        self.name = name
        self.code = code
        #: 'b' bool, 'i' signed, 'u' unsigned, 'f' real floating, 'c' complex
        self.kind = kind
        self.itemsize = itemsize
        #: the NumPy dtype with the same meaning (host-side metadata, finfo ...)
        self.numpy = np.dtype(name)

    def __repr__(self) -> str:
        return f"hal.{self.name}"

    __str__ = __repr__

    def __eq__(self, other: object) -> builtins.bool:
        if other.__class__ is DType:
            return self is other
        # NumPy's side answers: np.dtype("float32") == hal.float32 (through .dtype
        # below), so Dask's meta checks (meta.dtype != dtype) see one dtype
        return NotImplemented

    def __hash__(self) -> int:
        # equal to its NumPy dtype, so hashed as it is
        return _HASHES[self.code]

    def __getattr__(self, name: str):
        # the rest of np.dtype's read-only surface (.type, .char, .str ...) for code
        # written against NumPy dtypes (Dask, NumPy's own helpers): only attributes
        # DType lacks get here, so hal's own reads never pay for it
        if not name.startswith("__"):
            try:
                return getattr(self.numpy, name)
            except AttributeError:
                pass
        raise AttributeError(f"hal.DType has no attribute {name!r}")

    def __reduce__(self):
        return (_by_name, (self.name,))

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype: NumPy (``np.dtype(hal.float32)``, ``np.zeros(n,
        dtype=hal.int8)``) and Dask read a dtype-like object's ``.dtype``, as they do
        CuPy's."""
        return self.numpy


def _by_name(name: str) -> DType:
    return BY_NAME[name]


bool = DType("bool", 0, "b", 1)
int8 = DType("int8", 1, "i", 1)
int16 = DType("int16", 2, "i", 2)
int32 = DType("int32", 3, "i", 4)
int64 = DType("int64", 4, "i", 8)
uint8 = DType("uint8", 5, "u", 1)
uint16 = DType("uint16", 6, "u", 2)
uint32 = DType("uint32", 7, "u", 4)
uint64 = DType("uint64", 8, "u", 8)
float16 = DType("float16", 9, "f", 2)  # extension: not in the standard
float32 = DType("float32", 10, "f", 4)
float64 = DType("float64", 11, "f", 8)
complex64 = DType("complex64", 12, "c", 8)
complex128 = DType("complex128", 13, "c", 16)

ALL: tuple[DType, ...] = (
    bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
    float16, float32, float64, complex64, complex128,
)
#: the dtypes of the standard (``float16`` is hal's extension)
STANDARD: tuple[DType, ...] = tuple(d for d in ALL if d is not float16)
_HASHES: tuple[int, ...] = tuple(hash(d.numpy) for d in ALL)
BY_NAME: dict[str, DType] = {d.name: d for d in ALL}
BY_CODE: tuple[DType, ...] = ALL
FROM_NUMPY: dict[np.dtype, DType] = {d.numpy: d for d in ALL}

SIGNED = (int8, int16, int32, int64)
UNSIGNED = (uint8, uint16, uint32, uint64)
INTEGER = SIGNED + UNSIGNED
REAL_FLOATING = (float16, float32, float64)
COMPLEX_FLOATING = (complex64, complex128)
FLOATING = REAL_FLOATING + COMPLEX_FLOATING
NUMERIC = INTEGER + FLOATING
REAL_NUMERIC = INTEGER + REAL_FLOATING

#: the standard's names for dtype categories (``isdtype`` kinds)
KINDS: dict[str, tuple[DType, ...]] = {
    "bool": (bool,),
    "signed integer": SIGNED,
    "unsigned integer": UNSIGNED,
    "integral": INTEGER,
    "real floating": REAL_FLOATING,
    "complex floating": COMPLEX_FLOATING,
    "numeric": NUMERIC,
}

_COMPLEX_OF = {float16: complex64, float32: complex64, float64: complex128}
_REAL_OF = {complex64: float32, complex128: float64}


def complex_of(dtype: DType) -> DType:
    """The complex dtype with ``dtype``'s precision (float32 -> complex64)."""
    return _COMPLEX_OF.get(dtype, dtype)


def real_of(dtype: DType) -> DType:
    """The real dtype with ``dtype``'s precision (complex64 -> float32)."""
    return _REAL_OF.get(dtype, dtype)


def _promote_pair(a: DType, b: DType) -> DType | None:
    """The standard's promotion lattice plus hal's mixed-kind rules, or ``None``."""
    if a is b:
        return a
    ka, kb = a.kind, b.kind
    if ka == "b":
        return b
    if kb == "b":
        return a
    if ka in "iu" and kb in "iu":
        if ka == kb:
            return a if a.itemsize >= b.itemsize else b
        signed, unsigned = (a, b) if ka == "i" else (b, a)
        if signed.itemsize > unsigned.itemsize:
            return signed
        if unsigned.itemsize == 8:
            return None  # no signed type holds every uint64
        return {1: int16, 2: int32, 4: int64}[unsigned.itemsize]
    if ka in "iu":
        return b
    if kb in "iu":
        return a
    # both floating, real or complex
    if ka == kb:
        return a if a.itemsize >= b.itemsize else b
    real = max(real_of(a), real_of(b), key=lambda d: d.itemsize)
    return complex_of(real)


#: PROMOTION[a.code][b.code] -> DType or None, precomputed once
PROMOTION: tuple[tuple[DType | None, ...], ...] = tuple(
    tuple(_promote_pair(a, b) for b in ALL) for a in ALL
)


def promote(a: DType, b: DType, op: str = "result_type") -> DType:
    result = PROMOTION[a.code][b.code]
    if result is None:
        raise HalTypeError(
            f"{op}: {a} and {b} have no common dtype (no signed integer holds every "
            f"uint64); cast one operand first, e.g. x.astype(hal.int64) or "
            f"x.astype(hal.float64)"
        )
    return result


def scalar_result(dtype: DType, scalar_type: type, default_float: DType,
                  default_int: DType) -> DType:
    """The dtype of ``array <op> python_scalar``.

    The standard: the scalar takes the array's dtype when it is of the same kind
    (int with integer arrays, int or float with floating arrays, any number with
    complex arrays).  hal's extensions: a float scalar with an integer or bool array
    gives the device's default floating dtype, a complex scalar with a real array the
    complex dtype of its precision, an int scalar with a bool array the default
    integer dtype.
    """
    kind = dtype.kind
    if scalar_type is builtins.bool:
        return dtype
    if scalar_type is int:
        return default_int if kind == "b" else dtype
    if scalar_type is float:
        return dtype if kind in "fc" else default_float
    if scalar_type is complex:
        if kind == "c":
            return dtype
        if kind == "f":
            return complex_of(dtype)
        return complex_of(default_float)
    raise HalTypeError(f"unsupported Python scalar type {scalar_type.__name__}")


def as_dtype(obj: object, op: str = "dtype") -> DType:
    """Accept a hal dtype (or anything NumPy calls a dtype) and return the hal one."""
    if obj.__class__ is DType:
        return obj  # type: ignore[return-value]
    try:
        return FROM_NUMPY[np.dtype(obj)]  # type: ignore[call-overload]
    except (TypeError, KeyError):
        pass
    names = ", ".join(d.name for d in STANDARD)
    raise HalTypeError(f"{op}: {obj!r} is not a dtype hal knows; use one of {names}")


def result_type(*arrays_and_dtypes) -> DType:
    """The dtype that results from promoting the arguments (arrays, dtypes, scalars)."""
    dtypes: list[DType] = []
    scalars: list[type] = []
    device = None
    for item in arrays_and_dtypes:
        if isinstance(item, (builtins.bool, int, float, complex)):
            scalars.append(type(item))
        elif hasattr(item, "dtype") and item.__class__ is not DType:
            dtypes.append(as_dtype(item.dtype, "result_type"))
            device = device or getattr(item, "device", None)
        else:
            dtypes.append(as_dtype(item, "result_type"))
    if not dtypes:
        raise HalValueError(
            "result_type: at least one array or dtype is required (Python scalars "
            "alone have no dtype)"
        )
    result = dtypes[0]
    for dt in dtypes[1:]:
        result = promote(result, dt)
    if scalars:
        # Scalars follow the operators: ``int8_array + 1.0`` is the device's default
        # float (float32 on a device without float64), so result_type must say so.
        if not hasattr(device, "default_float"):
            from ._devices import current_default_device
            device = current_default_device()
        for st in scalars:
            result = scalar_result(result, st, device.default_float, device.default_int)
    return result


def can_cast(from_, to, /) -> builtins.bool:
    """Whether the promotion rules allow casting ``from_`` to ``to`` (no value loss)."""
    src = as_dtype(from_.dtype if hasattr(from_, "dtype") else from_, "can_cast")
    dst = as_dtype(to, "can_cast")
    if src is dst:
        return True
    # The standard's table only relates dtypes of one category: bool with bool,
    # integers with integers, floating (real or complex) with floating.
    category = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 2}
    if category[src.kind] != category[dst.kind]:
        return False
    return PROMOTION[src.code][dst.code] is dst


def isdtype(dtype, kind) -> builtins.bool:
    """Whether ``dtype`` is of ``kind`` (a dtype, a kind name, or a tuple of them)."""
    dtype = as_dtype(dtype, "isdtype")
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        try:
            return dtype in KINDS[kind]
        except KeyError:
            raise HalValueError(
                f"isdtype: unknown kind {kind!r}; use one of {', '.join(KINDS)}"
            ) from None
    return dtype is as_dtype(kind, "isdtype")


class finfo_object:
    """Machine limits of a floating dtype (``hal.finfo``)."""

    __slots__ = ("bits", "eps", "max", "min", "smallest_normal", "dtype")

    def __init__(self, dtype: DType):
        info = np.finfo(dtype.numpy)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.dtype = real_of(dtype)

    def __repr__(self) -> str:
        return f"finfo(bits={self.bits}, eps={self.eps}, dtype={self.dtype})"


class iinfo_object:
    """Machine limits of an integer dtype (``hal.iinfo``)."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, dtype: DType):
        info = np.iinfo(dtype.numpy)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"iinfo(bits={self.bits}, min={self.min}, max={self.max}, dtype={self.dtype})"


def _dtype_of_arg(type_, op):
    return as_dtype(type_.dtype if hasattr(type_, "dtype") and type_.__class__ is not DType
                    else type_, op)


def finfo(type, /) -> finfo_object:
    dtype = _dtype_of_arg(type, "finfo")
    if dtype.kind not in "fc":
        raise HalTypeError(f"finfo: {dtype} is not a floating dtype; use iinfo for integers")
    return finfo_object(dtype)


def iinfo(type, /) -> iinfo_object:
    dtype = _dtype_of_arg(type, "iinfo")
    if dtype.kind not in "iu":
        raise HalTypeError(f"iinfo: {dtype} is not an integer dtype; use finfo for floats")
    return iinfo_object(dtype)
