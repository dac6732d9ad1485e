"""One oneAPI call at a time per process: dpnp and dpctl are not safe under threads.

dpctl orders the work Python submits to a queue with a ``SequentialOrderManager``
kept in a ``ContextVar`` whose *default* (a ``defaultdict``) is one object shared by
every thread, and its C++ event lists are not locked.  Eight threads running dpnp ops
on one queue deadlocked within a few hundred ops (dpctl 0.22, dpnp 0.20).  So every
kernel and data movement of this plugin runs under one process-wide lock: threads
still overlap their Python work and their waits on other devices, and a oneAPI op
costs ~0.1 us more (its own latency is ~100 us).

The same wrapper keeps memory shared with another SYCL library (DLPack, zero-copy)
in step with it.  That library works on its own queue, which does not wait for hal's
queue: so an allocation is exported only after hal's queued work on it is done, and
from then on any hal op that touches it finishes before returning (DESIGN.md, "host
views").  Allocations are known by their USM base pointer: dpctl's memory objects take
no weak references, so a pointer stays in ``SHARED`` after the memory is freed, and a
later allocation at the same address merely runs synchronously too.
"""

from __future__ import annotations

import functools
import threading

LOCK = threading.RLock()  # re-entrant: a kernel may call another op of this plugin

#: USM base pointers of allocations shared zero-copy with another SYCL library
SHARED: set[int] = set()


def serialized(fn):
    """``fn`` run under the plugin's lock (and finished, if it touches shared memory)."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with LOCK:
            result = fn(*args, **kwargs)
            if SHARED:
                finish_if_shared(args, kwargs.values(), result)
            return result
    return run


def pointer_of(native) -> int | None:
    """The USM base pointer of a dpnp array (the same for all its views)."""
    try:
        return native.get_array().usm_data._pointer
    except AttributeError:  # not a dpnp array
        return None


def share(native) -> None:
    """Record that ``native``'s memory is shared with another library; wait for the
    work queued on it first, so the other side never sees it half written."""
    native.sycl_queue.wait()
    SHARED.add(pointer_of(native))


def _arrays_in(values):
    for value in values:
        if isinstance(value, (list, tuple)):  # concat's list, a tuple of results
            yield from (v for v in value if hasattr(v, "get_array"))
        elif hasattr(value, "get_array"):
            yield value


def finish_if_shared(args, kwargs, result) -> None:
    """Wait for the queue when an argument or the result lives in shared memory."""
    for array in _arrays_in((*args, *kwargs, result)):
        if pointer_of(array) in SHARED:
            array.sycl_queue.wait()
            return


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
