"""A second NumPy-backed device for the kit's placement tests on the NumPy backend.

When the device under test *is* NumPy, mixing devices needs another one: this plugin
(registered by hand, only by the placement tests, only then) provides ``halkit``, a
device with NumPy's kernels and dtypes — array-api-strict's fake devices in spirit.
"""

from __future__ import annotations

import hal

BACKEND = "halkit"


class MirrorPlugin:
    @hal.hookimpl
    def hal_backends(self):
        return [hal.BackendSpec(name=BACKEND, priority=-100,
                                description="hal.testing's second device (placement tests)")]

    @hal.hookimpl
    def hal_backend_available(self, backend):
        return hal.Availability(available=True) if backend == BACKEND else None

    @hal.hookimpl
    def hal_devices(self, backend):
        if backend != BACKEND:
            return None
        caps = hal.Capabilities(dtypes=tuple(d.name for d in hal.all_dtypes()),
                                features=frozenset({"host_memory"}))
        return [hal.DeviceInfo(backend=BACKEND, index=0, name="hal.testing mirror",
                               vendor="hal.testing", device_type="other",
                               capabilities=caps)]

    @hal.hookimpl
    def hal_runtime(self, backend):
        if backend != BACKEND:
            return None
        from hal_numpy._runtime import NumpyRuntime

        class MirrorRuntime(NumpyRuntime):
            pass
        MirrorRuntime.backend = BACKEND
        return MirrorRuntime()

    @hal.hookimpl
    def hal_register_kernels(self, backend, registry):
        if backend == BACKEND:
            from hal_numpy._kernels import register
            register(registry)


def mirror_device():
    from hal._plugins import host
    host.ensure_loaded()
    if BACKEND not in host.backends:
        hal.register_plugin(MirrorPlugin(), "halkit_mirror")
    return hal.get_device(BACKEND)
