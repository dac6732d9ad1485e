"""Launching hal's kernels on a oneAPI device: one queue wait and one synchronous submit,
results in pooled USM memory, strides metadata uploaded once, Python scalars as
kernel arguments.  Shared by the elementwise loops (``_portable_ops``) and the copies
(``_copies``).

Where the time of a small op goes (dpnp 0.20, dpctl 0.22, Intel's OpenCL CPU runtime):
``q.submit`` of a kernel ~8-10 us (a bare PyOpenCL launch-and-wait on the same device:
~4.5 us), ``q.wait()`` on an idle queue 1.6 us, a USM allocation 1.5 us (5-6 us from
4 KiB up, and its first writes page-fault), a dpnp array wrapped around it ~1.5 us.
"""

from __future__ import annotations

import ctypes
import math
import os
from sys import getrefcount

import numpy as np

from . import _setup
from ._queues import queue

dpnp = _setup.dpnp()
_usm_ndarray = dpnp.tensor.usm_ndarray
_from_usm = dpnp.ndarray._create_from_usm_ndarray
_device_memory = _setup.dpctl().memory.MemoryUSMDevice

c_index = ctypes.c_int64  # index_t
c_int = ctypes.c_int32

#: calls of a loop whose kernel gives dpnp's bits that run dpnp's function before
#: hal's kernel is built (``Tiered``)
HOT_AFTER = int(os.environ.get("HAL_ONEAPI_HOT_AFTER", "3"))

#: a Python scalar as a kernel argument of the loop dtype (weak typing: the value is
#: converted).  dpctl refuses ctypes.c_byte: an int8 travels as the unsigned byte of
#: the same bits.  bool, float16 and complex scalars have no ctypes type dpctl takes:
#: they become 0-D device arrays, read with stride 0.
_SCALAR_ARG = {
    "float32": ctypes.c_float, "float64": ctypes.c_double,
    "int8": lambda v: ctypes.c_uint8(v & 0xFF), "int16": ctypes.c_int16,
    "int32": ctypes.c_int32, "int64": ctypes.c_int64, "uint8": ctypes.c_uint8,
    "uint16": ctypes.c_uint16, "uint32": ctypes.c_uint32, "uint64": ctypes.c_uint64,
}
_FLOAT_MAX = 1.7976931348623157e308
_c_index = ctypes.c_int64
_c_int = ctypes.c_int32


#: allocations from this size up are reused (below it the driver's own are cheap)
_POOLED_FROM = 4096
#: bytes of USM memory the pool of a device keeps (in use or free)
_POOL_BYTES = int(os.environ.get("HAL_ONEAPI_POOL_BYTES", str(256 << 20)))
#: allocations of one size the pool keeps
_POOL_PER_SIZE = 16


class Pool:
    """USM allocations of hal's own kernels' results, reused once no array holds them.

    A block is free when only the pool references it: every array on it (its views,
    DLPack exports, host views and dpnp's pending work, which keeps its arguments
    alive until it has run) holds a reference to its ``MemoryUSM`` object.  A block
    is written again only by a launch, which waits for the queue first (``launch``),
    so no earlier work can still be reading it.  The pool keeps at most
    ``_POOL_BYTES`` (``HAL_ONEAPI_POOL_BYTES``), ``_POOL_PER_SIZE`` blocks per size,
    and drops its free blocks when an allocation fails.
    """

    def __init__(self, q):
        self.queue = q
        self.blocks: dict = {}   # nbytes -> [MemoryUSMDevice]
        self.held = 0
        probe = [_device_memory(1, queue=q)]
        self._free_refs = self._refs(probe)  # the count of a block only the pool holds

    @staticmethod
    def _refs(blocks):
        for block in blocks:
            return getrefcount(block)

    def take(self, nbytes: int):
        """A free block of ``nbytes`` (a new one kept by the pool when it has room),
        or None: the caller allocates one the pool does not keep."""
        blocks = self.blocks.get(nbytes)
        if blocks is None:
            blocks = self.blocks[nbytes] = []
        free = self._free_refs
        for block in blocks:
            if getrefcount(block) == free:
                return block
        if len(blocks) >= _POOL_PER_SIZE or self.held + nbytes > _POOL_BYTES:
            return None
        try:
            block = _device_memory(nbytes, queue=self.queue)
        except Exception:  # USMAllocationError: give the free blocks back, once
            self.release()
            return None
        blocks.append(block)
        self.held += nbytes
        return block

    def release(self) -> int:
        """Free every block no array holds; the bytes freed."""
        free, before = self._free_refs, self.held
        for nbytes, blocks in self.blocks.items():
            kept = [b for b in blocks if getrefcount(b) > free]
            self.held -= nbytes * (len(blocks) - len(kept))
            blocks[:] = kept
        return before - self.held


#: elements from which strided loops run as row kernels: below it the decoding
#: kernel is faster (an 8-element copy: 11 us strided, 20 us by rows; 10^4: 46 vs
#: 28 us; 10^5: 213 vs 47 us)
ROWS_FROM = 4096

#: work-items per work-group.  Given a bare range, the SYCL runtime picks a group
#: size dividing it: 99998 (= 2 x 49999) items ran in groups of 2, a copy taking
#: 496 us instead of 39 us (9998 items: 88 us instead of 11).  A group of 1024 and a
#: range rounded up to it was as fast or faster at every size tried (8 to 10^6).
_GROUP = 1024


class Launcher:
    """What every loop of one device shares: its queue, synchronous launches, new
    arrays straight from USM allocations, and strides metadata uploaded once."""

    def __init__(self, index: int):
        self.queue = q = queue(index)
        self._wait, self._submit = q.wait, q.submit
        self._meta: dict = {}
        self.pool = Pool(q)
        self.group = min(_GROUP, q.sycl_device.max_work_group_size)

    def launch(self, kernel, n: int, args: list) -> None:
        """Run ``kernel`` over ``n`` work-items (the kernels ignore those past ``n``)."""
        # dpnp queues its work asynchronously on an out-of-order queue, and not every
        # event it waits for is in its order manager (copies from the host): wait for
        # the queue (1.6 us when idle), then submit synchronously, so dpnp's later
        # work, which does not know this kernel, finds it done
        group = self.group
        self._wait()
        self._submit(kernel, args, [-(-n // group) * group], [group])

    def launch_rows(self, kernel, inner: int, n1: int, n0: int, args: list) -> None:
        """Run a row kernel (``kernels/strided.h``) over an output folded into
        ``(n0, n1, inner)``, rows split into work-groups (items past a row's end
        return).  SYCL lists a range's dimensions slowest first: OpenCL's dimension
        0 (a row) is the last here."""
        group = min(self.group, 1 << (inner - 1).bit_length())
        self._wait()
        self._submit(kernel, args, [n0, n1, -(-inner // group) * group], [1, 1, group])

    def empty(self, shape: tuple, dtype: np.dtype):
        """A new C-contiguous array and its USM memory (None when it has no elements).

        ``dpnp.empty`` costs 4-9 us; the USM allocation it wraps ~1.5 us of that, the
        rest is its argument handling.  From 4 KiB up an allocation is fresh pages
        (5-6 us), and the kernel writing them first pays the page faults: ~400 us
        for 10^5 float32 (the kernel itself: ~40 us).  So those come from ``Pool``.
        """
        nbytes = math.prod(shape) * dtype.itemsize
        if not nbytes:
            return dpnp.empty(shape, dtype=dtype, sycl_queue=self.queue), None
        mem = self.pool.take(nbytes) if nbytes >= _POOLED_FROM else None
        if mem is None:
            try:
                mem = _device_memory(nbytes, queue=self.queue)
            except Exception:  # USMAllocationError: with the pool's free blocks back
                if not self.pool.release():
                    raise
                mem = _device_memory(nbytes, queue=self.queue)
        return _from_usm(_usm_ndarray(shape, dtype=dtype, buffer=mem)), mem

    def meta(self, values: tuple):
        """``values`` (shape and strides, in elements) as an int64 device array,
        uploaded once per distinct tuple; kernels read it only while they run, and
        every launch here finishes before returning, so a dropped entry is unused."""
        found = self._meta.get(values)
        if found is None:
            if len(self._meta) >= 256:
                self._meta.clear()
            # 0-D: the kernel reads nothing, but dpctl wants an allocation
            host = np.asarray(values or (0,), dtype=np.int64)
            found = self._meta[values] = dpnp.asarray(host, sycl_queue=self.queue) \
                .get_array().usm_data
        return found

    def scalar_array(self, value, loop):
        return dpnp.asarray(value, dtype=loop.numpy, sycl_queue=self.queue)


_LAUNCHERS: dict = {}


def launcher(index: int) -> Launcher:
    """The ``Launcher`` of ``oneapi:index``."""
    found = _LAUNCHERS.get(index)
    if found is None:
        found = _LAUNCHERS[index] = Launcher(index)
    return found


def strides(usm, shape: tuple) -> tuple:
    """``usm``'s strides (in elements) seen through the broadcast ``shape``."""
    pad = len(shape) - usm.ndim
    return (0,) * pad + tuple(0 if extent == 1 else s
                              for extent, s in zip(usm.shape, usm.strides))


def scalar_arg(loop):
    """The converter of a Python scalar into a kernel argument of ``loop``, or None."""
    make = _SCALAR_ARG.get(loop.name)
    if make is None or loop.kind != "f":
        return make

    def floating(value):
        if value.__class__ is int and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            float(value)  # the OverflowError NumPy's backend gives (a HalOverflowError)
        return make(value)
    return floating



class Tiered:
    """A kernel that gives dpnp's bits, built once its key is hot: dpnp's function
    for the first ``after`` calls (a program calling an op once pays no build: dpctl
    builds OpenCL C in ~150 ms per op and dtype, with no binary cache), then
    ``make()``'s.  Built kernels and counts are kept per key across the dispatcher's
    cache clears (a trace, lazy mode), so a kernel is built once per process; every
    call runs under the plugin's lock (``_serial``)."""

    _BUILT: dict = {}
    _CALLS: dict = {}

    def __init__(self, key, make, fallback, after: int):
        self.key, self.make, self.fallback, self.after = key, make, fallback, after
        self.kernel = self._BUILT.get(key)

    def __call__(self, *args, **kwargs):
        kernel = self.kernel
        if kernel is None:
            kernel = self._BUILT.get(self.key)
            if kernel is None:
                calls = self._CALLS.get(self.key, 0) + 1
                if calls <= self.after:
                    self._CALLS[self.key] = calls
                    return self.fallback(*args, **kwargs)
                kernel = self._BUILT[self.key] = self.make()
            self.kernel = kernel
        return kernel(*args, **kwargs)
