"""The example device's data plane: how arrays get on and off it.

Native arrays are :class:`ExampleArray` objects: NumPy memory behind a wrapper.
hal never reads them except through :class:`ExampleRuntime` and the plugin's own
kernels, exactly as it would treat a GPU buffer, so a kernel or a fallback that
forgot to move data through the runtime fails loudly here instead of working by
accident on shared memory.
"""

from __future__ import annotations

import numpy as np

import hal

from . import BACKEND, DTYPES

_HAL_DTYPE = {np.dtype(name): getattr(hal, name) for name in DTYPES}


class ExampleArray:
    """A buffer on the example device (what kernels take and return)."""

    __slots__ = ("data",)

    def __init__(self, data: np.ndarray):
        self.data = data

    # hal reads exactly these two attributes of a native array
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def __array__(self, *args, **kwargs):
        raise TypeError("an example-device buffer was handed to NumPy without "
                        "Runtime.to_host(): data must move through the runtime")

    def __repr__(self) -> str:
        return f"ExampleArray({self.data!r})"


class ExampleRuntime(hal.Runtime):
    """Data movement: always a copy, as with device memory; no DLPack."""

    backend = BACKEND

    def dtype_of(self, native):
        return _HAL_DTYPE[native.data.dtype]

    def native_dtype(self, dtype):
        return np.dtype(dtype.name)

    def from_host(self, host, device_index, *, copy=True):
        host = np.asarray(host)
        if host.dtype not in _HAL_DTYPE:
            # hal checks dtypes before it gets here; a plugin still refuses what it
            # cannot hold rather than silently converting it
            raise TypeError(f"the example device cannot hold {host.dtype}; it holds "
                            f"{', '.join(DTYPES)}")
        return ExampleArray(np.array(host, copy=True))

    def to_host(self, native):
        return np.array(native.data, copy=True)

    def is_native(self, obj):
        return obj.__class__ is ExampleArray

    def synchronize(self, device_index):
        pass  # every kernel here finishes before it returns

    # dlpack(), dlpack_device(): the base class raises BufferError (no DLPack);
    # from_dlpack(): the base class copies through the host with from_host().
