"""hal arrays as Dask chunks, on one machine or a ``dask.distributed`` cluster.

``import hal.dask`` once, in the client (workers running ``DevicePlugin`` import it
themselves).  It registers with Dask what Dask's NumPy-API code cannot find through
NumPy's protocols alone:

* ``dask.array``'s dispatch tables for ``hal.Array`` chunks (element counts of
  ``mean``/``var``, ``concatenate``, ``tensordot``, ``take``), each
  running hal's op on the chunk's device;
* ``sizeof`` (the bytes a chunk holds, so Dask's memory accounting and transfer
  figures are real);
* a Dask serializer (``dask_serialize`` family ``"dask"``): a chunk leaves its worker
  as its device selector, dtype and one host buffer (one copy off the device, no
  pickle), and lands on the receiving worker's device (``DevicePlugin``), or on the
  same selector when the receiver chose none.

``DevicePlugin`` is the ``dask.distributed`` worker plugin that gives each worker its
device: ``client.register_plugin(hal.dask.DevicePlugin(["opencl:intel", "numpy"]))``
puts worker 0's chunks on ``opencl:intel`` and worker 1's on the NumPy device.
"""

from __future__ import annotations

import numpy as np

import hal

from . import _pickle
from ._array import Array

__all__ = ["DevicePlugin", "register", "worker_device"]

_REGISTERED = [False]


def register() -> None:
    """Register hal's chunk type with Dask (idempotent; done on import)."""
    if _REGISTERED[0]:
        return
    _REGISTERED[0] = True
    _register_sizeof()
    _register_array_dispatch()
    _register_serializer()


def _register_sizeof() -> None:
    from dask.sizeof import sizeof

    @sizeof.register(Array)
    def _sizeof(x):
        return int(x.size) * x.dtype.itemsize


def _register_array_dispatch() -> None:
    try:
        from dask.array import dispatch
    except ImportError:  # dask without its array extra
        return
    from dask.array.backends import _numel_arraylike

    dispatch.numel_lookup.register(Array, _numel_arraylike)

    @dispatch.nannumel_lookup.register(Array)
    def _nannumel(x, axis=None, keepdims=False, dtype=None, **kwargs):
        counts = hal.sum(hal.astype(hal.logical_not(hal.isnan(x)), hal.int64
                                    if hal.int64 in x.device.dtypes else hal.int32),
                         axis=axis, keepdims=keepdims)
        return counts if dtype is None else hal.astype(counts, hal._dtypes.as_dtype(dtype))

    @dispatch.concatenate_lookup.register(Array)
    def _concatenate(arrays, axis=0):
        return hal.concat(list(arrays), axis=axis)

    @dispatch.tensordot_lookup.register(Array)
    def _tensordot(a, b, axes=2):
        return np.tensordot(a, b, axes=axes)  # hal's adapter (NumPy's axes forms)

    @dispatch.take_lookup.register(Array)
    def _take(a, indices, axis=0):
        if not isinstance(indices, Array):
            indices = hal.asarray(np.asarray(indices), device=a.device)
        return hal.take(a, indices, axis=axis)

    @dispatch.to_numpy_dispatch.register(Array)
    def _to_numpy(x, **kwargs):
        return hal.to_numpy(x)  # an explicit move Dask's to_numpy() asks for


def _register_serializer() -> None:
    try:
        from distributed.protocol import dask_deserialize, dask_serialize
        from distributed.protocol.numpy import (deserialize_numpy_ndarray,
                                                serialize_numpy_ndarray)
    except ImportError:  # dask without distributed: pickling does it
        return

    @dask_serialize.register(Array)
    def _serialize(x, context=None):
        _, (selector, dtype_name, host) = _pickle.reduce(x)
        header, frames = serialize_numpy_ndarray(np.ascontiguousarray(host))
        header["hal"] = (selector, dtype_name)
        return header, frames

    @dask_deserialize.register(Array)
    def _deserialize(header, frames):
        selector, dtype_name = header["hal"]
        return _pickle.rebuild(selector, dtype_name, deserialize_numpy_ndarray(header,
                                                                               frames))


def worker_device():
    """The device ``DevicePlugin`` gave this process (``None`` outside such a worker)."""
    return _pickle.loading_device()


try:  # Client.register_plugin tells plugin kinds apart by class
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:  # dask without distributed
    _PluginBase = object


class DevicePlugin(_PluginBase):
    """A ``dask.distributed`` worker plugin: worker ``i`` (its name in a
    ``LocalCluster``; else its position among the plugin's workers by name) puts its
    chunks on ``devices[i % len(devices)]``: that device becomes the worker's default
    device, and every hal array it receives (task arguments, chunks from other
    workers) is loaded onto it.  A device the worker lacks is an error at setup."""

    name = "hal-device"
    idempotent = True

    def __init__(self, devices):
        if isinstance(devices, str):
            devices = [devices]
        self.devices = [str(d) for d in devices]
        if not self.devices:
            raise hal.HalValueError("DevicePlugin: give at least one device selector")

    def setup(self, worker):
        register()
        name = worker.name
        try:
            index = int(name)
        except (TypeError, ValueError):
            index = sum(map(ord, str(name)))
        device = hal.get_device(self.devices[index % len(self.devices)])
        hal.set_default_device(device)
        _pickle.load_onto(device)

    def teardown(self, worker):
        _pickle.load_onto(None)
        hal.set_default_device(None)


register()
