"""A NumPy view of a CPU OpenCL device's array, sharing its memory (for DLPack).

On a CPU device a buffer lives in host memory, and mapping it hands the host a
pointer to the same bytes.  The view keeps the ``CLArray`` (hence its pooled buffer)
alive for as long as any consumer holds it: otherwise the pool could give the memory
to a new array while NumPy still reads it.  While it lives, the device state finishes
every op that touches the buffer before the op returns (``DeviceState.open_host_view``).
"""

from __future__ import annotations

import numpy as np


class _Holder:
    """Exposes the mapped memory to NumPy and owns what must outlive the view."""

    def __init__(self, native, mapped: np.ndarray):
        self._keep = (native, mapped)   # the CLArray (buffer) and the mapping
        itemsize = native.dtype.itemsize
        self.__array_interface__ = {
            "shape": tuple(native.shape),
            "strides": tuple(s * itemsize for s in native.strides),
            "typestr": native.dtype.numpy.str,
            "data": (mapped.ctypes.data + native.offset * itemsize, False),
            "version": 3,
        }


def host_view(native) -> np.ndarray:
    """``native``'s elements as a writable NumPy array over the same memory."""
    if native.size == 0:
        return np.empty(native.shape, dtype=native.dtype.numpy)
    state = native.state
    cl = state.cl
    key = state.open_host_view(native.data)  # from now on, ops on it finish first
    try:
        # blocking: every kernel queued before has finished writing when the map returns
        mapped, _ = cl.enqueue_map_buffer(
            state.queue, native.data, cl.map_flags.READ | cl.map_flags.WRITE, 0,
            (native.data.size,), np.uint8, is_blocking=True)
        holder = _Holder(native, mapped)
    except BaseException:
        state.close_host_view(key)
        raise
    state.close_host_view_with(holder, key)
    return np.asarray(holder)
