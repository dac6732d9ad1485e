"""Test-only plugins and the helpers that register and remove them.

``RestrictedPlugin`` is a real hal backend plugin (``@hal.hookimpl`` hooks, a
``Runtime`` subclass, kernels registered through the registrar) backed by NumPy, for
a device that cannot hold float64/complex128 and has only a handful of float32
kernels.  Its native arrays are ``Buf`` objects, not ``np.ndarray``: a NumPy kernel
that is handed one (a fallback that forgot to copy to the host, say) fails loudly
instead of silently working on shared memory.

``registered(plugin, name, backend)`` registers a plugin by hand for a ``with`` block
and then takes every trace of it back out of hal's process-wide state, so the rest of
the suite never sees the extra device.  hal has no public "unregister": that is test
surgery on private state, kept here in one place.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap

import numpy as np

import hal

RESTRICTED_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                     "uint32", "uint64", "float32", "complex64")

#: the ops RestrictedPlugin has kernels for (all float32-only)
RESTRICTED_KERNELS = ("add", "subtract", "multiply", "exp", "sqrt", "abs", "astype",
                      "getitem", "setitem", "sum", "zeros")


class Buf:
    """A restricted device's native array: NumPy memory hal must not touch directly."""

    __slots__ = ("a",)

    def __init__(self, a):
        self.a = np.asarray(a)

    @property
    def shape(self):
        return self.a.shape

    @property
    def ndim(self):
        return self.a.ndim

    def __array__(self, *args, **kwargs):
        raise TypeError("a restricted-device buffer was handed to NumPy without "
                        "to_host(): hal moved data behind the runtime's back")

    def __repr__(self):
        return f"Buf({self.a!r})"


def _un(v):
    return v.a if v.__class__ is Buf else v


def _check_float32(*arrays):
    for a in arrays:
        if a.__class__ is Buf and a.a.dtype != np.float32:
            raise TypeError(f"restricted kernel given {a.a.dtype}, registered for float32")


def _binary(ufunc):
    def kernel(x1, x2):
        _check_float32(x1, x2)
        return Buf(ufunc(_un(x1), _un(x2)))
    kernel.__name__ = ufunc.__name__
    return kernel


def _unary(ufunc):
    def kernel(x):
        _check_float32(x)
        return Buf(ufunc(x.a))
    kernel.__name__ = ufunc.__name__
    return kernel


def astype(x, dtype, *, copy=True):
    return Buf(x.a.astype(dtype.numpy, copy=copy))


def getitem(x, key):
    return Buf(x.a[key])


def setitem(x, key, value):
    x.a[key] = _un(value)
    return x


def sum_(x, *, axis, dtype, keepdims):
    return Buf(np.sum(x.a, axis=axis, dtype=dtype.numpy, keepdims=keepdims))


def zeros(shape, *, dtype, device):
    return Buf(np.zeros(shape, dtype=dtype.numpy))


class RestrictedRuntime(hal.Runtime):
    """Data movement of the restricted device: always a copy, like device memory."""

    def __init__(self, backend, dtypes=RESTRICTED_DTYPES):
        self.backend = backend
        self.dtypes = tuple(dtypes)
        self.synchronized = 0
        self.synchronized_indices: list[int] = []

    def dtype_of(self, native):
        from hal._dtypes import FROM_NUMPY
        return FROM_NUMPY[native.a.dtype]

    def native_dtype(self, dtype):
        return dtype.numpy

    def from_host(self, host, device_index, *, copy=True):
        host = np.asarray(host)
        if host.dtype.name not in self.dtypes:
            raise TypeError(f"{self.backend} cannot hold {host.dtype}")
        return Buf(np.array(host, copy=True))

    def to_host(self, native):
        return np.array(native.a, copy=True)

    def is_native(self, obj):
        return obj.__class__ is Buf

    def synchronize(self, device_index):
        self.synchronized += 1
        self.synchronized_indices.append(device_index)


#: (name, vendor, platform, device type) of the one device RestrictedPlugin has
ONE_DEVICE = (("Restricted Test Device", "hal tests", "Restricted Platform", "cpu"),)


class RestrictedPlugin:
    """A hal plugin for float32-first devices with a few kernels.

    ``devices``: (name, vendor, platform, device type) per device, index order;
    ``dtypes``: the dtype names its devices hold.
    """

    def __init__(self, backend="restricted", devices=ONE_DEVICE, dtypes=RESTRICTED_DTYPES):
        self.backend = backend
        self.devices = devices
        self.dtypes = tuple(dtypes)
        self.runtime = RestrictedRuntime(backend, self.dtypes)
        self.kernel_calls = 0   # how often hal asked for kernels (once per backend)

    @hal.hookimpl
    def hal_backends(self):
        return [hal.BackendSpec(name=self.backend, priority=-10,
                                description="hal's test device without float64",
                                install_hint="nothing to install (test plugin)")]

    @hal.hookimpl
    def hal_backend_available(self, backend):
        if backend != self.backend:
            return None
        return hal.Availability(available=True)

    @hal.hookimpl
    def hal_devices(self, backend):
        if backend != self.backend:
            return None
        caps = hal.Capabilities(dtypes=self.dtypes,
                                features=frozenset({"atomics"}))
        return [hal.DeviceInfo(backend=self.backend, index=i, name=name, vendor=vendor,
                               platform=platform, device_type=kind, capabilities=caps)
                for i, (name, vendor, platform, kind) in enumerate(self.devices)]

    @hal.hookimpl
    def hal_runtime(self, backend):
        return self.runtime if backend == self.backend else None

    @hal.hookimpl
    def hal_register_kernels(self, backend, registry):
        if backend != self.backend:
            return
        self.kernel_calls += 1
        f32 = ("float32",)
        for name, ufunc in (("add", np.add), ("subtract", np.subtract),
                            ("multiply", np.multiply)):
            registry.register(name, _binary(ufunc), dtypes=f32)
        for name, ufunc in (("exp", np.exp), ("sqrt", np.sqrt), ("abs", np.abs)):
            registry.register(name, _unary(ufunc), dtypes=f32)
        registry.register("astype", astype, dtypes=f32)
        registry.register("getitem", getitem, dtypes=f32)
        registry.register("setitem", setitem, dtypes=f32)
        registry.register("sum", sum_, dtypes=f32, name="restricted.sum")
        registry.register("zeros", zeros, dtypes=f32)


# -- registering for a block, and taking it all back out ------------------------------

def forget_backend(plugin_name: str, backend: str | None) -> None:
    """Remove a hand-registered plugin (and its backend) from hal's process state."""
    from hal import _array, _device, _devices, _dispatch, _policy
    from hal._plugins import host
    from hal._registry import registry

    if host.pm is not None and host.pm.get_plugin(plugin_name) is not None:
        host.pm.unregister(name=plugin_name)
    host._extra[:] = [(o, n) for o, n in host._extra if n != plugin_name]
    names = {plugin_name, backend}
    host.unavailable[:] = [u for u in host.unavailable if u.name not in names
                           and not (backend and u.name.startswith(f"{backend}:"))]
    for key in [k for k, ks in registry.kernels.items()
                if k[1] == backend or any(x.plugin == plugin_name for x in ks)]:
        kept = [x for x in registry.kernels[key] if x.plugin != plugin_name
                and x.backend != backend]
        if kept:
            registry.kernels[key] = kept
        else:
            del registry.kernels[key]
    if backend is not None:
        state = host.backends.pop(backend, None)
        registry.loaded_backends.discard(backend)
        gone = set(state.devices) if state is not None else set()
        for key in [k for k in _device.Device._interned if k[0] == backend]:
            gone.add(_device.Device._interned.pop(key))
        for key in [k for k in _array.Placement._interned if k[0] in gone]:
            del _array.Placement._interned[key]
        if _devices._global_default[0] in gone:
            _devices._global_default[0] = None
        for key in [k for k in _policy.FALLBACKS if k[1] == backend]:
            del _policy.FALLBACKS[key]
        _policy.WARNED.difference_update({k for k in _policy.WARNED if k[1] == backend})
    _dispatch.clear_caches()


@contextlib.contextmanager
def registered(plugin, name: str, backend: str | None = None):
    """``plugin`` registered with ``hal.register_plugin`` inside the block only."""
    from hal._plugins import host
    host.ensure_loaded()
    hal.register_plugin(plugin, name)
    try:
        yield plugin
    finally:
        forget_backend(name, backend)


def forget_fallbacks(backend: str) -> None:
    """Reset hal's once-per-key warnings and counts for one backend's devices."""
    from hal import _policy
    for key in [k for k in _policy.FALLBACKS if k[1] == backend]:
        del _policy.FALLBACKS[key]
    _policy.WARNED.difference_update({k for k in _policy.WARNED if k[1] == backend})


# -- subprocesses ---------------------------------------------------------------------

def clean_env(**extra: str) -> dict:
    """The environment without any HAL_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAL_")}
    env.update(extra)
    return env


def run_python(code: str, env: dict | None = None, cwd=None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (the venv's), capturing its output."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env=clean_env() if env is None else env)


def last_json(proc: subprocess.CompletedProcess):
    """The JSON document on the last line of a subprocess's stdout."""
    import json
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])
