"""One SYCL queue per hal device: every array and kernel of ``oneapi:N`` uses it.

dpnp follows "compute follows data": an op runs on the queue of its inputs, and
inputs on different queues are an error.  Creating every array of a device on that
device's one queue keeps every hal op on a device valid, and gives
``hal.synchronize`` one queue to wait on.
"""

from __future__ import annotations

import threading

import hal

from . import _setup
from ._devices import sycl_devices

_QUEUES: dict = {}
# two threads making a device's first array at once must get the same queue: dpnp
# refuses to mix arrays of two queues in one op
_CREATING = threading.Lock()


def queue(index: int):
    """The ``dpctl.SyclQueue`` of ``oneapi:index`` (created on first use)."""
    q = _QUEUES.get(index)
    if q is None:
        with _CREATING:
            q = _QUEUES.get(index)
            if q is None:
                q = _QUEUES[index] = _setup.dpctl().SyclQueue(sycl_devices()[index])
                hal.mark_fork_unsafe(f"oneapi:{index}", "SYCL queues")
    return q


def index_of(sycl_device) -> int:
    """hal's index of a ``dpctl.SyclDevice``."""
    for index, dev in enumerate(sycl_devices()):
        if dev == sycl_device:
            return index
    raise ValueError(f"SYCL device {sycl_device.filter_string} ({sycl_device.name}) is "
                     f"not one of hal's oneapi devices (ONEAPI_DEVICE_SELECTOR may hide it)")
