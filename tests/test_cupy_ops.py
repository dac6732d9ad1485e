"""The CuPy backend's op mapping (plugins/hal_cupy/_ops.py) against hal's op table.

Every op of the table must be mapped straight onto a CuPy function, adapted, or
declared a host fallback, exactly once; and with CuPy installed every CuPy function
the table names must exist (no GPU needed to look them up).
"""

from __future__ import annotations

import importlib.util

import pytest

import hal
from hal_cupy import _ops

needs_cupy = pytest.mark.skipif(importlib.util.find_spec("cupy") is None,
                                reason="CuPy is not installed (pip install -e '.[cuda12]')")


def test_every_op_is_mapped_adapted_or_a_declared_fallback():
    elementwise = set(_ops.elementwise_ops())
    tables = {"elementwise": elementwise, "DIRECT": set(_ops.DIRECT),
              "ADAPTED": set(_ops.ADAPTED), "FALLBACK": set(_ops.FALLBACK)}
    covered = set().union(*tables.values())
    assert sorted(set(hal.op_names()) - covered) == []
    assert sorted(covered - set(hal.op_names())) == []
    names = list(tables)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert tables[a] & tables[b] == set(), f"{a} and {b} both list these ops"


def test_every_adapter_says_why():
    for op, fn in _ops.ADAPTED.items():
        assert (fn.__doc__ or "").strip(), op
    for op, why in _ops.FALLBACK.items():
        assert why.strip(), op


@needs_cupy
def test_every_cupy_function_named_exists():
    missing = []
    for op in _ops.elementwise_ops():
        name = _ops.UFUNC_NAMES.get(op, op)
        try:
            fn = _ops.resolve(name)
        except AttributeError:
            missing.append(name)
            continue
        assert callable(fn), name
    for dotted in _ops.DIRECT.values():
        try:
            assert callable(_ops.resolve(dotted)), dotted
        except AttributeError:
            missing.append(dotted)
    assert missing == []


@needs_cupy
def test_registration_is_accepted_by_hal():
    """The plugin's hal_register_kernels against hal's real registrar: no errors."""
    from hal._registry import KernelRegistrar, Registry
    registry = Registry()
    registrar = KernelRegistrar(registry, "cupy", "cupy")
    _ops.register(registrar)
    assert registrar.errors == []
    registered = {op for op, backend in registry.kernels if backend == "cupy"}
    assert registered == set(hal.op_names()) - set(_ops.FALLBACK)
