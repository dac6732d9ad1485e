"""A NumPy view of a oneAPI array on a CPU SYCL device, sharing its USM memory.

On a CPU device a USM allocation (device, shared or host kind alike) is ordinary host
memory: the host reads and writes it through its pointer.  dpnp offers no such view
(its ``__dlpack__`` refuses ``dl_device=kDLCPU`` without a copy), so the view is built
from the array's ``__sycl_usm_array_interface__``.  It keeps the dpnp array (hence
its USM allocation) alive for as long as NumPy holds it, and the allocation is
``share``d first: hal's queued work on it has finished when the view is handed out,
and every later hal op touching it finishes before returning (``_serial``).
"""

from __future__ import annotations

import numpy as np

from ._serial import share


class _Holder:
    """Exposes the USM memory to NumPy and owns the dpnp array that must outlive it."""

    def __init__(self, native, interface: dict, dtype: np.dtype):
        self._keep = native
        itemsize = dtype.itemsize
        pointer, readonly = interface["data"]
        strides = interface.get("strides")
        self.__array_interface__ = {
            "shape": tuple(interface["shape"]),
            "strides": None if strides is None else tuple(s * itemsize for s in strides),
            "typestr": dtype.str,
            "data": (pointer + interface.get("offset", 0) * itemsize, bool(readonly)),
            "version": 3,
        }


def is_host_addressable(native) -> bool:
    """Whether the host can read ``native``'s memory through its pointer: USM of a
    CPU device (every kind), or USM shared/host allocations of any device."""
    import dpctl
    if native.sycl_device.device_type == dpctl.device_type.cpu:
        return True
    return native.usm_type in ("shared", "host")


class _Interface:
    """Exposes an array interface to NumPy, for one copy (nothing to keep alive)."""

    __slots__ = ("__array_interface__",)


def host_copy(native) -> np.ndarray:
    """A NumPy copy of ``native``, read by the host through its pointer: ~4 us where
    ``dpnp.asnumpy`` takes 14-48 us (a queue copy and its event) for 1 to 10^4
    elements.  Only for host-addressable memory; the caller holds the plugin's lock."""
    dtype = native.dtype
    if native.size == 0:
        return np.empty(native.shape, dtype=dtype)
    native.sycl_queue.wait()  # the work producing it (and all before) has run
    usm = native.get_array()
    itemsize = dtype.itemsize
    view = _Interface()
    view.__array_interface__ = {
        "shape": usm.shape,
        "strides": None if native.flags.c_contiguous else
        tuple(s * itemsize for s in usm.strides),
        "typestr": dtype.str,
        "data": (usm.usm_data._pointer + usm._element_offset * itemsize, True),
        "version": 3,
    }
    return np.array(view, copy=True)


def host_upload(host: np.ndarray, device_index: int):
    """A new C-contiguous array on ``oneapi:device_index`` (a CPU device) holding
    ``host``'s values, written by the host through the pointer of a pooled allocation:
    ~5 us plus the copy where ``dpnp.asarray`` takes ~15 us plus the copy into fresh
    pages.  The caller holds the plugin's lock."""
    from ._launch import launcher
    dev = launcher(device_index)
    out, mem = dev.empty(host.shape, host.dtype)
    if mem is None:
        return out
    dev.queue.wait()  # no earlier work still touches the (reused) block
    view = _Interface()
    view.__array_interface__ = {"shape": host.shape, "strides": None,
                                "typestr": host.dtype.str, "data": (mem._pointer, False),
                                "version": 3}
    np.copyto(np.asarray(view), host, casting="no")
    return out


def host_view(native) -> np.ndarray:
    """``native``'s elements as a NumPy array over the same memory (BufferError when
    the host cannot address it)."""
    if not is_host_addressable(native):
        raise BufferError(f"the array is in USM {native.usm_type} memory of "
                          f"{native.sycl_device.name}, which the host cannot address")
    dtype = np.dtype(native.dtype)
    if native.size == 0:
        return np.empty(native.shape, dtype=dtype)
    share(native)  # queued work on it finished; from now on, ops on it finish first
    interface = native.get_array().__sycl_usm_array_interface__
    return np.asarray(_Holder(native, interface, dtype))
