"""The OpenCL device states of this process, created on first use of each device."""

from __future__ import annotations

_STATES: dict = {}


def state_of(device):
    """The ``DeviceState`` of a hal ``Device`` of the opencl backend."""
    state = _STATES.get(device.index)
    if state is None:
        from . import _platform
        from ._context import DeviceState
        cl = _platform.cl()
        platform, cl_device = _platform.devices()[device.index]
        state = DeviceState(cl, platform, cl_device, device)
        _STATES[device.index] = state
    return state
