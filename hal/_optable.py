"""The one op table.

Every op hal knows is listed here once.  The table drives:

* the namespace: elementwise functions and the Array's operators are generated from
  the ``UNARY`` and ``BINARY`` rows; the rest are written by hand in the namespace
  modules but must appear here;
* the kernel registry: a plugin may only register kernels for ops listed here;
* the tests and the conformance kit, which walk the table.

A row of an elementwise op says which input dtypes the op accepts (a category of
``_dtypes``) and how the result dtype follows from the promoted input dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OpSpec", "OPS", "UNARY", "BINARY", "op_names"]

# Input categories (what the op accepts).  ``floating`` ops also take integers,
# computed in the device's default floating dtype (as NumPy does); bool is refused.
NUMERIC = "numeric"
REAL = "real numeric"
FLOATING = "floating"
REAL_FLOATING = "real floating"
INTEGER = "integer"
INTEGER_OR_BOOL = "integer or boolean"
BOOL = "boolean"
ANY = "any"
REAL_OR_BOOL = "real numeric or boolean"

# Result rules (what dtype comes out, given the promoted input dtype).
SAME = "same"          # the promoted dtype
TO_BOOL = "bool"       # always bool
TO_REAL = "real"       # complex64 -> float32, complex128 -> float64, else same


@dataclass(frozen=True)
class OpSpec:
    name: str
    kind: str                      # "unary", "binary" or "function"
    namespace: str = ""            # "", "linalg", "fft" or "internal"
    accepts: str = ANY
    result: str = SAME
    dunder: str | None = None      # operator spelling on the Array, if any
    reflected: bool = True         # binary dunders only: has __r<op>__ and __i<op>__

    @property
    def qualname(self) -> str:
        return f"{self.namespace}.{self.name}" if self.namespace not in ("", "internal") else self.name


def _u(name, accepts, result=SAME, dunder=None):
    return OpSpec(name, "unary", "", accepts, result, dunder)


def _b(name, accepts, result=SAME, dunder=None, reflected=True):
    return OpSpec(name, "binary", "", accepts, result, dunder, reflected)


UNARY: tuple[OpSpec, ...] = (
    _u("abs", NUMERIC, TO_REAL, "__abs__"),
    _u("acos", FLOATING), _u("acosh", FLOATING), _u("asin", FLOATING),
    _u("asinh", FLOATING), _u("atan", FLOATING), _u("atanh", FLOATING),
    _u("bitwise_invert", INTEGER_OR_BOOL, SAME, "__invert__"),
    _u("ceil", REAL), _u("floor", REAL), _u("trunc", REAL),
    _u("conj", NUMERIC),
    _u("cos", FLOATING), _u("cosh", FLOATING),
    _u("exp", FLOATING), _u("expm1", FLOATING),
    _u("imag", NUMERIC, TO_REAL), _u("real", NUMERIC, TO_REAL),
    _u("isfinite", NUMERIC, TO_BOOL), _u("isinf", NUMERIC, TO_BOOL),
    _u("isnan", NUMERIC, TO_BOOL),
    _u("log", FLOATING), _u("log1p", FLOATING), _u("log2", FLOATING),
    _u("log10", FLOATING),
    _u("logical_not", BOOL, TO_BOOL),
    _u("negative", NUMERIC, SAME, "__neg__"), _u("positive", NUMERIC, SAME, "__pos__"),
    _u("reciprocal", FLOATING),
    _u("round", NUMERIC),
    _u("sign", NUMERIC),
    _u("signbit", REAL_FLOATING, TO_BOOL),
    _u("sin", FLOATING), _u("sinh", FLOATING),
    _u("sqrt", FLOATING), _u("square", NUMERIC),
    _u("tan", FLOATING), _u("tanh", FLOATING),
)

BINARY: tuple[OpSpec, ...] = (
    _b("add", NUMERIC, SAME, "add"),
    _b("subtract", NUMERIC, SAME, "sub"),
    _b("multiply", NUMERIC, SAME, "mul"),
    _b("divide", FLOATING, SAME, "truediv"),
    _b("floor_divide", REAL, SAME, "floordiv"),
    _b("remainder", REAL, SAME, "mod"),
    _b("pow", NUMERIC, SAME, "pow"),
    _b("atan2", REAL_FLOATING), _b("hypot", REAL_FLOATING),
    _b("copysign", REAL_FLOATING), _b("nextafter", REAL_FLOATING),
    _b("logaddexp", REAL_FLOATING),
    _b("maximum", REAL), _b("minimum", REAL),
    _b("bitwise_and", INTEGER_OR_BOOL, SAME, "and"),
    _b("bitwise_or", INTEGER_OR_BOOL, SAME, "or"),
    _b("bitwise_xor", INTEGER_OR_BOOL, SAME, "xor"),
    _b("bitwise_left_shift", INTEGER, SAME, "lshift"),
    _b("bitwise_right_shift", INTEGER, SAME, "rshift"),
    _b("equal", ANY, TO_BOOL, "eq", reflected=False),
    _b("not_equal", ANY, TO_BOOL, "ne", reflected=False),
    _b("greater", REAL_OR_BOOL, TO_BOOL, "gt", reflected=False),
    _b("greater_equal", REAL_OR_BOOL, TO_BOOL, "ge", reflected=False),
    _b("less", REAL_OR_BOOL, TO_BOOL, "lt", reflected=False),
    _b("less_equal", REAL_OR_BOOL, TO_BOOL, "le", reflected=False),
    _b("logical_and", BOOL, TO_BOOL), _b("logical_or", BOOL, TO_BOOL),
    _b("logical_xor", BOOL, TO_BOOL),
)


def _f(names: str, namespace: str = "") -> tuple[OpSpec, ...]:
    return tuple(OpSpec(n, "function", namespace) for n in names.split())


FUNCTIONS: tuple[OpSpec, ...] = (
    # creation (kernels take a device index and a native dtype)
    # (asarray, from_dlpack and the *_like functions need no kernel: the core builds
    # them from the backend's Runtime and the functions below)
    *_f("arange empty eye full linspace meshgrid ones tril triu zeros"),
    # data types
    *_f("astype"),
    # manipulation
    *_f("broadcast_arrays broadcast_to concat expand_dims flip moveaxis permute_dims "
        "repeat reshape roll squeeze stack tile unstack"),
    # searching, sets, sorting, indexing
    *_f("argmax argmin count_nonzero nonzero searchsorted where "
        "unique_all unique_counts unique_inverse unique_values isin argsort sort "
        "take take_along_axis"),
    # statistics and utility
    *_f("cumulative_prod cumulative_sum max mean min prod std sum var all any diff "
        "clip"),
    # linear algebra in the main namespace
    *_f("matmul matrix_transpose tensordot vecdot"),
    # the linalg extension
    *_f("cholesky cross det diagonal eig eigh eigvals eigvalsh inv matmul matrix_norm "
        "matrix_power matrix_rank matrix_transpose outer pinv qr slogdet solve svd "
        "svdvals tensordot trace vecdot vector_norm", "linalg"),
    # the fft extension
    *_f("fft ifft fftn ifftn rfft irfft rfftn irfftn hfft ihfft fftfreq rfftfreq "
        "fftshift ifftshift", "fft"),
    # the Array's own data plane: indexing (basic keys: views) and writes; keys that
    # hold index arrays are the *_advanced ops (gathers and scatters)
    *_f("getitem setitem getitem_advanced setitem_advanced", "internal"),
)

OPS: dict[str, OpSpec] = {}
for _spec in UNARY + BINARY + FUNCTIONS:
    OPS[_spec.qualname] = _spec


def op_names() -> list[str]:
    """Every op's qualified name (``add``, ``linalg.svd``, ``fft.rfft`` ...)."""
    return list(OPS)
