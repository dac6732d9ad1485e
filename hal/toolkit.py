"""``hal.toolkit``: the public kernel toolkit for backend plugins.

Everything a plugin needs to compile and run hal's portable kernels for its own
target, and the few core helpers the built-in plugins use, behind one stable surface
(the built-in plugins import nothing else of hal's internals; a test enforces it).
Names here keep their meaning across releases; hal's ``_``-modules may change any day.

Portable kernels (``kernels/``: sources in hal's C dialect, one ``.toml`` manifest per
source file)
    ``TARGETS``, ``prelude(target)``, ``source(target, file)`` (prelude + includes
    inlined: the exact text to compile and hash), ``kernel_text(file)`` (includes
    inlined, no prelude: for a target of your own), ``files()``, ``manifest()`` (a
    ``Manifest`` of every ``KernelSpec`` and its ``KernelArg`` entries, validated),
    ``pattern(name)``, ``kernels_root()``.
Instantiation
    ``program_defines(dtype, device_dtypes)`` (``T=hal_float32``, ``T_KIND_F`` ...,
    ``HAL_FP64``/``HAL_FP16`` when the device holds them), ``type_defines``,
    ``feature_defines``, ``options(defines)`` (``-DK=V`` compiler options),
    ``elementwise_instance`` and ``elementwise_result_dtype`` (one line instantiating
    an elementwise op of ``elementwise.c``).
Disk cache (content-addressed, atomic writes, checksummed, refuses untrusted
directories; ``HAL_NO_CACHE=1`` turns it off)
    ``cache_key(*parts)``, ``cache_load(namespace, digest)``, ``cache_store(namespace,
    digest, payload)``, ``private_dir(name)``, ``cache_root()``, ``cache_enabled()``.
Op table and dtypes
    ``OPS`` (qualified name -> ``OpSpec``), ``UNARY``, ``BINARY``, ``OpSpec``,
    ``TO_BOOL``/``TO_REAL`` (kinds of result), ``DType``, ``ALL_DTYPES``,
    ``dtype_by_name``, ``from_numpy_dtype``, ``real_of``, ``as_dtype``.
Launch layouts
    ``rows_layout(shape, operand_strides)`` (a strided iteration folded into at most
    three dimensions for the row kernels of ``kernels/strided.h``, or None).
Errors and dispatch from inside a kernel
    ``dtype_error(op, device, dtype)`` (the error naming devices that hold a dtype),
    ``call_op(name, device, dtypes, *native_args)`` (run another op of the same
    device through hal's dispatcher, fallback policy included), ``as_axes``.

See docs/writing-a-plugin.md, "Compiling hal's portable kernels for your target".
"""

from __future__ import annotations

from ._diskcache import cache_root, private_dir
from ._diskcache import enabled as cache_enabled
from ._diskcache import key as cache_key
from ._diskcache import load as cache_load
from ._diskcache import store as cache_store
from ._dtypes import ALL as ALL_DTYPES
from ._dtypes import BY_NAME as _BY_NAME
from ._dtypes import FROM_NUMPY as _FROM_NUMPY
from ._dtypes import DType, as_dtype, real_of
from ._kernels import (TARGETS, KernelArg, KernelSpec, Manifest, elementwise_instance,
                       elementwise_result_dtype, feature_defines, files, kernel_text,
                       kernels_root, manifest, options, pattern, prelude, program_defines,
                       source, type_defines)
from ._layout import rows_layout
from ._optable import BINARY, OPS, TO_BOOL, TO_REAL, UNARY, OpSpec

__all__ = [
    # portable kernels
    "TARGETS", "prelude", "source", "kernel_text", "files", "manifest", "pattern", "kernels_root",
    "KernelSpec", "KernelArg", "Manifest",
    # instantiation
    "program_defines", "type_defines", "feature_defines", "options",
    "elementwise_instance", "elementwise_result_dtype",
    # launch layouts
    "rows_layout",
    # disk cache
    "cache_key", "cache_load", "cache_store", "private_dir", "cache_root",
    "cache_enabled",
    # op table and dtypes
    "OPS", "UNARY", "BINARY", "OpSpec", "TO_BOOL", "TO_REAL", "DType", "ALL_DTYPES",
    "dtype_by_name", "from_numpy_dtype", "real_of", "as_dtype",
    # errors and dispatch
    "dtype_error", "call_op", "as_axes",
]


def dtype_by_name(name: str) -> DType:
    """The hal dtype called ``name`` (``"float32"``); KeyError for an unknown name."""
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> DType:
    """The hal dtype of a NumPy dtype; KeyError for one hal has not."""
    return _FROM_NUMPY[np_dtype]


def dtype_error(op: str, device, dtype):
    """The ``HalTypeError`` to raise when ``device`` cannot hold ``dtype`` for ``op``:
    names the devices that can and the dtype to use instead."""
    from ._dispatch import dtype_error as make
    return make(op, device, dtype)


def call_op(name: str, device, dtypes: tuple, /, *args, **kwargs):
    """Run op ``name`` (e.g. ``"linalg.svdvals"``) for ``device`` and ``dtypes`` through
    hal's dispatcher (its own kernel, a decomposition, or the fallback policy) on
    native arguments; returns a ``hal.Array``."""
    from ._dispatch import call
    return call(name, device, dtypes, *args, **kwargs)


def as_axes(axis, ndim: int, op: str):
    """``None``, an int or a tuple of ints -> ``None`` or a tuple of normalized, unique
    axes; a hal error naming ``op`` otherwise."""
    from ._helpers import as_axes as norm
    return norm(axis, ndim, op)
