"""Devices whose driver state does not survive ``fork()``: a clear error in the child.

An OpenCL context or a SYCL queue created before ``os.fork()`` is copied into the child
without the driver threads behind it: using it there hangs (dpctl) or is undefined
behaviour (OpenCL).  A plugin calls :func:`mark_fork_unsafe` when it creates such state;
in a child forked after that, the backend's runtime is replaced by one that raises and
the dispatcher's caches are cleared, so the first use of a device of that backend
raises :class:`HalRuntimeError` saying what to do instead.  The per-op path is
untouched in the parent (the check sits where an op is resolved, a cache miss).

A fork *before* any such state exists is fine, and so is the NumPy device.
"""

from __future__ import annotations

import os

from ._errors import HalRuntimeError, HalTypeError

__all__ = ["mark_fork_unsafe"]

#: backend -> (device selector, what) of the first fork-unsafe state made in this process
_MADE: dict[str, tuple[str, str]] = {}
#: in a forked child: backend -> why its devices cannot be used here
FORKED: dict[str, str] = {}
_registered = [False]


def mark_fork_unsafe(device: str, what: str = "its driver context") -> None:
    """Tell hal that ``device`` (a selector, ``"opencl:0"``) now holds driver state that
    does not survive ``fork()`` (``what``: ``"OpenCL contexts"``).  Call it once, where
    the context or queue is created; control plane only."""
    if not isinstance(device, str) or not device.partition(":")[0]:
        raise HalTypeError(f"mark_fork_unsafe: device must be a selector string such as "
                           f"'opencl:0', not {device!r}")
    if not isinstance(what, str):
        raise HalTypeError(f"mark_fork_unsafe: what must be a string naming the state "
                           f"('OpenCL contexts'), not {type(what).__name__}")
    backend = device.partition(":")[0]
    if backend in _MADE:
        return
    _MADE[backend] = (device, what)
    if not _registered[0]:
        _registered[0] = True
        os.register_at_fork(after_in_child=_after_fork_in_child)


def forked_error(op: str, device) -> HalRuntimeError:
    return HalRuntimeError(f"{op} on {device}: {FORKED[device.backend]}")


class _ForkedRuntime:
    """Stands in for a backend's runtime in a forked child: every use raises."""

    def __init__(self, backend: str):
        self._backend = backend

    def __getattr__(self, name: str):
        message = FORKED[self._backend]

        def refuse(*args, **kwargs):
            raise HalRuntimeError(f"{name} on {self._backend}: {message}")
        return refuse


def _after_fork_in_child() -> None:
    # runs in the child right after fork: no locks (another thread of the parent may
    # have held one), only dict updates
    for backend, (device, what) in _MADE.items():
        FORKED[backend] = (
            f"this process was forked after {device} was initialised in its parent; "
            f"{what} do not survive fork: use multiprocessing's 'spawn' or 'forkserver' "
            "start method (multiprocessing.get_context('spawn')), or fork before the "
            "first use of the device")
    _MADE.clear()
    from ._plugins import host
    for backend in FORKED:
        state = host.backends.get(backend)
        if state is None:
            continue
        state.runtime = _ForkedRuntime(backend)
        for dev in state.devices:
            dev.runtime = state.runtime
    from . import _dispatch
    _dispatch.clear_caches()
