"""How a fused kernel is built and launched on each backend that builds portable source.

Builds go through the plugin's public hook ``hal_compile_kernel`` (OpenCL: the
DeviceState's ``build_source``, cached on disk and checksummed; oneAPI: dpctl's
program API); a backend whose plugin returns ``None`` (NumPy) has no launcher and
jitted functions run eagerly there.  A launcher also reads an input's buffer, offset
and strides (in elements) and allocates outputs, in the backend's own terms.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .. import _lazy
from .._array import Placement, new_array
from .._layout import rows_layout

#: scalar kinds of kernel arguments
INDEX, INT = "index", "int"


class Index(int):
    """A kernel argument of type index_t (int64)."""


class Int32(int):
    """A kernel argument of type int."""


# -- launch arguments shared by hal.jit, lazy evaluation and user kernels ----------------

def broadcast_strides(shape, strides, out_shape) -> list:
    """``strides`` of an input of ``shape`` seen through ``out_shape`` (0 where broadcast)."""
    pad = len(out_shape) - len(shape)
    return [0] * pad + [0 if e == 1 else s for e, s in zip(shape, strides)]


def strided_args(launcher, views, shape) -> list:
    """The trailing arguments of a strided elementwise kernel: the rank, and a meta
    buffer holding the output shape and then each input's broadcast strides."""
    meta = list(shape)
    for v in views:
        meta += broadcast_strides(v[2], v[3], shape)
    return [Int32(len(shape)), launcher.meta(meta)]


def ew_variant(launcher, views, shape):
    """``(variant, layout)`` of an elementwise kernel over leaves ``views``: ``flat``
    (contiguous, of the output's shape), a row kernel ``("rows", step, ...)`` with its
    ``rows_layout`` where the launcher runs them and every leaf's rows are contiguous
    or broadcast, else ``strided`` (the meta buffer)."""
    if all(v[4] and tuple(v[2]) == shape for v in views):
        return "flat", None
    if hasattr(launcher, "launch_rows"):
        layout = rows_layout(shape, [broadcast_strides(v[2], v[3], shape) for v in views])
        if layout is not None:
            return ("rows",) + tuple(step for _, _, step in layout[3]), layout
    return "strided", None


def rows_args(layout) -> list:
    """The trailing arguments of a row kernel (``_lower.ew_rows_kernel``)."""
    n0, n1, inner, strides = layout
    args = [Index(inner), Index(n1)]
    for s0, s1, _ in strides:
        args += [Index(s0), Index(s1)]
    return args


def _cached_meta(cache: dict, values, upload):
    """A small device buffer of int64 ``values`` (shapes, strides), made by
    ``upload(host_array)`` once per distinct tuple; the cache is bounded."""
    values = tuple(values)
    buf = cache.get(values)
    if buf is None:
        if len(cache) > 4096:
            cache.clear()
        buf = cache[values] = upload(np.asarray(values or (0,), dtype=np.int64))
    return buf


class _Kernels(dict):
    """{name: kernel} of one program, each kernel made by ``make(name)`` when first
    looked up; iterating gives every kernel (made then)."""

    def __init__(self, names, make):
        super().__init__()
        self._names, self._make = tuple(names), make

    def __missing__(self, name):
        if name not in self._names:
            raise KeyError(name)
        k = self[name] = self._make(name)
        return k

    def values(self):
        return [self[n] for n in self._names]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


def reduce_variant(views, full, axes) -> str:
    """Which map+reduce kernel fits: ``flat`` (contiguous inputs of the full shape,
    reduced axes last), ``cols`` (reduced axes first) or ``strided``."""
    same = all(v[4] and tuple(v[2]) == full for v in views)
    nd = len(full)
    if same and tuple(axes) == tuple(range(nd - len(axes), nd)):
        return "flat"
    if same and tuple(axes) == tuple(range(len(axes))):
        return "cols"
    return "strided"


def compile_source(device, name, source, options):
    """The plugin's build of ``source`` for ``device``, or ``None`` if it builds none."""
    from .._plugins import host
    host.ensure_loaded()
    return host.pm.hook.hal_compile_kernel(backend=device.backend, device_index=device.index,
                                           name=name, source=source, options=options)


class OpenCLLauncher:
    target = "opencl"
    #: kernels get typed scalar arguments (``kernels``): Python numbers will do
    packs_python_scalars = True

    def __init__(self, device):
        from hal_opencl._state import state_of
        self.device = device
        self.state = state_of(device)

    def kernels(self, program, names, signatures):
        """The kernels of ``program``, each made on its first use: a map+reduce whose
        launch needs only ``final`` makes one kernel, not three (each costs ~1 ms of
        PyOpenCL's argument-packing code generation, in a disk-cache hit's first call)."""
        cl = self.state.cl

        def make(name):
            k = cl.Kernel(program, name)
            # "buf", INDEX, INT, or a NumPy scalar type (user kernels' scalars)
            k.set_scalar_arg_dtypes([None if s == "buf" else np.int64 if s == INDEX else
                                     np.int32 if s == INT else s
                                     for s in signatures[name]])
            return k
        return _Kernels(names, make)

    @staticmethod
    def view(native):
        return native.data, native.offset, native.shape, native.strides, native.contiguous

    @staticmethod
    def contiguous(native) -> bool:
        return native.contiguous

    def empty(self, shape, dtype):
        return self.state.empty(tuple(shape), dtype)

    def meta(self, values):
        return self.state.meta(tuple(values))

    @staticmethod
    def buffer(native):
        return native.data

    def launch(self, kernel, n, args, serial=False, group=None):
        """``serial``: each work-item walks a long chunk; on a CPU device one-item
        work-groups spread the items over the cores (as hal_opencl._reduce launches).
        ``group``: work-groups of exactly that many work-items (``n`` a multiple)."""
        if _lazy.ARMED:
            _lazy.flush()  # a user kernel may write any argument a pending tree reads
        if group is not None:
            if n > 0:
                self.state.launch_nd(kernel, (n,), (group,), *args)
            return
        self.launch_own(kernel, n, args, serial)

    @property
    def row_group(self) -> int:
        """Work-items per row of a row kernel: a CPU runs a work-group as SIMD lanes
        (16 float32 lanes of AVX-512), a GPU wants a few warps."""
        return 16 if self.state.is_cpu else 256

    def shared(self, native) -> bool:
        """Whether the host holds a live view of ``native``'s memory (hal_opencl)."""
        return self.state.has_host_view(native.data)

    def launch_own(self, kernel, n, args, serial=False):
        """``launch`` of a kernel that writes only arrays it allocated (lazy mode's)."""
        if n > 0:
            local = (1,) if serial and self.state.is_cpu else None
            self.state.launch_nd(kernel, (n,), local, *args)

    def launch_rows(self, kernel, inner, n1, n0, args):
        """A row kernel (``_lower.ew_rows_kernel``) over ``(n0, n1, inner)``."""
        self.state.launch_rows(kernel, inner, n1, n0, *args)

    def wrap(self, native, dtype):
        return new_array(native, Placement.of(self.device, dtype))


class OneAPILauncher:
    target = "opencl"

    def __init__(self, device):
        from hal_oneapi import _setup
        from hal_oneapi._launch import launcher
        from hal_oneapi._queues import queue
        self.device = device
        self.dpnp = _setup.dpnp()
        self.queue = queue(device.index)
        self._meta: dict = {}
        # the plugin's own launcher: pooled USM results (a fresh dpnp.empty is fresh
        # pages, faulted in by the kernel that first writes them: ~400 us for 10^5
        # float32), work-groups of 1024 over a rounded range (a bare range of 99998
        # items ran in groups of 2), and row launches in SYCL's dimension order
        self._plugin = launcher(device.index)

    def kernels(self, program, names, signatures):
        return {name: program.kernel(name) for name in names}

    def view(self, native):
        from hal_oneapi._programs import element_offset
        item = native.itemsize
        strides = tuple(s // item for s in native.strides)
        return (native, element_offset(native), tuple(native.shape), strides,
                native.flags.c_contiguous)

    @staticmethod
    def contiguous(native) -> bool:
        return native.flags.c_contiguous

    def empty(self, shape, dtype):
        return self._plugin.empty(tuple(shape), dtype.numpy)[0]

    def meta(self, values):
        return _cached_meta(self._meta, values, lambda host: self.dpnp.asarray(
            host, sycl_queue=self.queue))

    @staticmethod
    def buffer(native):
        return native

    def launch(self, kernel, n, args, serial=False, group=None):
        if _lazy.ARMED:
            _lazy.flush()  # a user kernel may write any argument a pending tree reads
        self.launch_own(kernel, n, args, serial, group)

    @property
    def row_group(self) -> int:
        return 16 if self.queue.sycl_device.is_cpu else 256

    @staticmethod
    def shared(native) -> bool:
        """Whether ``native``'s memory was shared with another library (hal_oneapi)."""
        from hal_oneapi import _serial
        return bool(_serial.SHARED) and _serial.pointer_of(native) in _serial.SHARED

    def launch_own(self, kernel, n, args, serial=False, group=None):
        """``launch`` of a kernel that writes only arrays it allocated (lazy mode's)."""
        if n <= 0:
            return
        conv = self._converted(args)
        if group is not None:
            # dpnp queues work out of order and not every event is in its order
            # manager (see hal_oneapi._programs.Program.run): wait, launch, wait
            self.queue.wait()
            self.queue.submit(kernel, conv, [n], [group]).wait()
        else:
            self._plugin.launch(kernel, n, conv)

    def launch_rows(self, kernel, inner, n1, n0, args):
        """A row kernel (``_lower.ew_rows_kernel``) over ``(n0, n1, inner)``."""
        self._plugin.launch_rows(kernel, inner, n1, n0, self._converted(args))

    @staticmethod
    def _converted(args) -> list:
        """Kernel arguments as dpctl takes them: ctypes scalars, USM memory."""
        conv = []
        for a in args:
            if isinstance(a, Index):
                conv.append(ctypes.c_int64(a))
            elif isinstance(a, Int32):
                conv.append(ctypes.c_int32(a))
            elif isinstance(a, np.generic):  # a user kernel's scalar argument
                conv.append(_CTYPES[a.dtype.char](a.item()))
            else:
                conv.append(a.get_array().usm_data if hasattr(a, "get_array") else a)
        return conv

    def wrap(self, native, dtype):
        return new_array(native, Placement.of(self.device, dtype))


# dpctl refuses ctypes.c_byte: an int8 travels as the unsigned byte of the same bits
_CTYPES = {"f": ctypes.c_float, "d": ctypes.c_double, "b": lambda v: ctypes.c_ubyte(v & 0xFF),
           "B": ctypes.c_uint8, "h": ctypes.c_int16, "H": ctypes.c_uint16,
           "i": ctypes.c_int32, "I": ctypes.c_uint32, "l": ctypes.c_int64,
           "L": ctypes.c_uint64, "q": ctypes.c_int64, "Q": ctypes.c_uint64}


class CuPyLauncher:
    """CUDA and ROCm devices through CuPy (``hal.ElementwiseKernel`` and friends; hal.jit
    does not fuse there yet).  A CuPy array passed to a kernel is the pointer to its
    first element, so offsets are 0 and strides come from the array itself."""

    BLOCK = 256

    def __init__(self, device):
        from hal_cupy._devices import cupy
        self.device = device
        self.cp = cupy()
        self.target = "hip" if getattr(self.cp.cuda.runtime, "is_hip", False) else "cuda"
        self._meta: dict = {}

    def kernels(self, program, names, signatures):
        return {name: program.function(name) for name in names}

    @staticmethod
    def view(native):
        item = native.itemsize
        return (native, 0, tuple(native.shape), tuple(s // item for s in native.strides),
                native.flags.c_contiguous)

    @staticmethod
    def contiguous(native) -> bool:
        return native.flags.c_contiguous

    def empty(self, shape, dtype):
        with self.cp.cuda.Device(self.device.index):
            return self.cp.empty(tuple(shape), dtype=dtype.numpy)

    def meta(self, values):
        def upload(host):
            with self.cp.cuda.Device(self.device.index):
                return self.cp.asarray(host)
        return _cached_meta(self._meta, values, upload)

    @staticmethod
    def buffer(native):
        return native

    row_group = BLOCK

    def launch(self, kernel, n, args, serial=False, group=None):
        if n <= 0:
            return
        conv = [np.int64(a) if isinstance(a, Index) else np.int32(a) if isinstance(a, Int32)
                else a for a in args]
        block = group or self.BLOCK
        with self.cp.cuda.Device(self.device.index):
            kernel(((n + block - 1) // block,), (block,), tuple(conv))

    def wrap(self, native, dtype):
        return new_array(native, Placement.of(self.device, dtype))


def launcher_for(device):
    """The launcher of ``device``'s backend, or (None, reason) when there is none."""
    if device.backend == "opencl":
        return OpenCLLauncher(device), ""
    if device.backend == "oneapi":
        if "raw_kernels" not in getattr(device.capabilities, "features", ()):
            return None, (f"{device} does not build OpenCL C (no raw_kernels feature): "
                          f"jitted functions run eagerly there")
        return OneAPILauncher(device), ""
    return None, (f"the {device.backend} backend has no fused-kernel launcher in hal.jit "
                  f"(its plugin compiles no portable kernels): the function runs eagerly")
