"""The OpenCL device states of this process, created on first use of each device."""

from __future__ import annotations

import threading

import hal

_STATES: dict = {}
# Two threads making the first op on a device at once must share one DeviceState: two
# would mean two OpenCL contexts, and a buffer of one passed to a kernel of the other
# fails (clSetKernelArg: INVALID_MEM_OBJECT).
_CREATING = threading.Lock()


def state_of(device):
    """The ``DeviceState`` of a hal ``Device`` of the opencl backend."""
    state = _STATES.get(device.index)
    if state is None:
        with _CREATING:
            state = _STATES.get(device.index)
            if state is None:
                from . import _platform
                from ._context import DeviceState
                cl = _platform.cl()
                platform, cl_device = _platform.devices()[device.index]
                state = DeviceState(cl, platform, cl_device, device)
                _STATES[device.index] = state
                hal.mark_fork_unsafe(f"opencl:{device.index}", "OpenCL contexts")
    return state
