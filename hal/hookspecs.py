"""The plugin contract: every hook a hal backend plugin may implement.

A plugin is a module (or object) registered through the ``hal.plugins`` entry point
group, with functions marked ``@hal.hookimpl``.  hal's own NumPy backend
(``plugins/hal_numpy``) is registered exactly the same way.

Every hook here is *control plane*: hal calls it once per process, backend, device or
kernel, never once per op.  What an op needs on the hot path (kernels, data movement)
the plugin hands over once, as plain callables, through ``hal_register_kernels`` and
``hal_runtime``.

Hooks that take a ``backend`` argument are ``firstresult``: a plugin returns ``None``
for backends that are not its own.  hal calls each plugin's implementation on its own
and records a plugin that raises as unavailable (with the error) instead of failing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ._capabilities import Availability, BackendSpec, DeviceInfo
    from ._registry import KernelRegistrar
    from ._runtime import Runtime

hookspec = pluggy.HookspecMarker("hal")
hookimpl = pluggy.HookimplMarker("hal")

# -------------------------------------------------------------------------
# Discovery: once per process, on the first call that needs a device
# -------------------------------------------------------------------------


@hookspec
def hal_backends() -> list[BackendSpec]:
    """Announce the backends this plugin provides.

    Called once per process, when hal first needs to know its devices (never at
    ``import hal``).  Must be cheap and must not import the vendor library: a plugin
    for a library that is not installed still announces its backend, and says why it
    is unavailable from :func:`hal_backend_available`.
    """


@hookspec(firstresult=True)
def hal_backend_available(backend: str) -> Availability | None:
    """Say whether ``backend`` can run on this machine, and if not, why and the fix.

    Called once per backend, the first time its devices are needed.  This is where a
    plugin imports its vendor library.  Must not raise; if it does, hal records the
    backend as unavailable with the exception as the reason.
    """


# -------------------------------------------------------------------------
# Devices and capabilities: once per available backend
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def hal_devices(backend: str) -> list[DeviceInfo] | None:
    """List the devices of ``backend``, with their capabilities.

    Called once per available backend.  Indices must be ``0..n-1`` and stable for the
    process.  The capabilities are a promise: the conformance kit checks that every
    dtype claimed works and every dtype not claimed is refused.
    """


# -------------------------------------------------------------------------
# Data plane set-up: once per backend, on its first array
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def hal_runtime(backend: str) -> Runtime | None:
    """Return the backend's :class:`hal.Runtime`: how data moves to and from it.

    Called once per backend.  The runtime's methods are called directly by hal (not
    through pluggy) whenever data crosses the host boundary: ``asarray`` from host
    data, ``to_device``, DLPack, ``synchronize``.
    """


@hookspec
def hal_register_kernels(backend: str, registry: KernelRegistrar) -> None:
    """Register the kernels this plugin provides for ``backend``.

    Called once per backend, before its first op is resolved.  Every plugin is asked
    (so a plugin may add kernels to another plugin's backend); register only for the
    backends you know.  Each kernel names an op of hal's op table, the dtypes it
    accepts and the capabilities it needs; see :class:`hal.KernelRegistrar`.
    """


# -------------------------------------------------------------------------
# Portable kernels: once per (kernel source, device, options)
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def hal_compile_kernel(backend: str, device_index: int, name: str, source: str,
                       options: tuple[str, ...]) -> Any | None:
    """Compile portable kernel ``source`` for one device: a file of ``kernels/``, a
    user kernel (``hal.ElementwiseKernel`` ...) or a ``hal.jit`` fused kernel, always
    self-contained (prelude and includes inlined).

    Return a backend object that can launch the kernel, or ``None`` if this backend
    does not compile portable kernels.  Called once per (source, device, options);
    the plugin caches binaries on disk.  Raise ``hal.HalError`` with the build log
    when the build fails.
    """
