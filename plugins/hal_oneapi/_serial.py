"""One oneAPI call at a time per process: dpnp and dpctl are not safe under threads.

dpctl orders the work Python submits to a queue with a ``SequentialOrderManager``
kept in a ``ContextVar`` whose *default* (a ``defaultdict``) is one object shared by
every thread, and its C++ event lists are not locked.  Eight threads running dpnp ops
on one queue deadlocked within a few hundred ops (dpctl 0.22, dpnp 0.20).  So every
kernel and data movement of this plugin runs under one process-wide lock: threads
still overlap their Python work and their waits on other devices, and a oneAPI op
costs ~0.1 us more (its own latency is ~100 us).
"""

from __future__ import annotations

import functools
import threading

LOCK = threading.RLock()  # re-entrant: a kernel may call another op of this plugin


def serialized(fn):
    """``fn`` run under the plugin's lock."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with LOCK:
            return fn(*args, **kwargs)
    return run


class SerializedRegistrar:
    """Wraps hal's ``KernelRegistrar``: every kernel it registers runs under the lock
    (a factory's kernels too), so no registration site can forget it."""

    def __init__(self, registry):
        self._registry = registry

    def register(self, op, fn, *, factory=False, **options):
        if factory:
            make = fn

            @functools.wraps(make)
            def fn(device, dtypes):
                return serialized(make(device, dtypes))
        else:
            fn = serialized(fn)
        self._registry.register(op, fn, factory=factory, **options)

    def register_many(self, kernels, **options):
        for op, fn in kernels.items():
            self.register(op, fn, **options)
