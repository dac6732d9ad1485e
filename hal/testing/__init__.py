"""hal's conformance kit, and helpers for testing a hal backend.

Run the kit against any installed device::

    pytest --pyargs hal.testing --hal-device example
    pytest --pyargs hal.testing --hal-device opencl:pocl --hal-profile thorough

It compares every op of hal's op table with hal's NumPy backend on hypothesis inputs,
for every dtype the device claims; checks the device's claims (dtypes it holds and
refuses, declared host ops); DLPack and ``to_device``; placement errors; and the
plugin contract (hook signatures, ``hal_backend_available`` never raising, kernel
registrations, errors with reasons).  See docs/writing-a-plugin.md.

Write your own tests the same way (``cupy.testing``'s model)::

    import hal.testing as ht

    @ht.for_each_dtype("if")
    @ht.numpy_hal_allclose()
    def test_mine(xp, dtype):
        return xp.cumulative_sum(xp.arange(10, dtype=dtype))

The pytest plugin (``hal.testing.plugin``) is registered through the ``pytest11``
entry point when hal is installed; with ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set, load
it with ``-p hal.testing.plugin``.
"""

from __future__ import annotations

from ._compare import Namespace, expected_dtype
from ._helpers import (assert_same, device_dtypes, for_dtypes, for_each_dtype,
                       numpy_hal_allclose, numpy_hal_array_equal)
from ._state import PROFILES, device_under_test, reference_device, selector

__all__ = ["assert_same", "device_dtypes", "device_under_test", "expected_dtype",
           "for_dtypes", "for_each_dtype", "Namespace", "numpy_hal_allclose",
           "numpy_hal_array_equal", "PROFILES", "reference_device", "selector",
           "arrays", "hypothesis_settings"]


def __getattr__(name):
    # hypothesis is imported only by those who draw inputs
    if name == "arrays":
        from ._cases import arrays
        return arrays
    if name == "hypothesis_settings":
        from ._state import hypothesis_settings
        return hypothesis_settings
    raise AttributeError(f"module 'hal.testing' has no attribute {name!r}")
