"""One OpenCL device's state: context, in-order queue, memory pool, built kernels.

Built once per device, the first time it is used.  Programs are compiled from the
portable sources in ``kernels/`` with per-instance ``-D`` defines; each binary is kept
in memory per (file, defines) and on disk (``hal.toolkit``'s cache) keyed by the source
hash, build options, device identity and driver version, so a second process's first
op loads a binary instead of compiling.
"""

from __future__ import annotations

import gc
import re
import threading
import weakref

import numpy as np

import hal
from hal import toolkit

from ._array import CLArray

_DTYPE_ITEMSIZE = {d: d.itemsize for d in hal.all_dtypes()}


#: hal's public build error (``hal.KernelBuildError``), also importable from here
KernelBuildError = hal.KernelBuildError


# the compiler's log inside PyOpenCL's build error message
_BUILD_LOG = re.compile(r"^Build on [^\n]*:\n(.*?)(?:^\(options: |\Z)", re.S | re.M)


def _named(exc: Exception, message: str) -> Exception:
    """``exc``'s build error again with ``message`` (its kernel's name added)."""
    err = KernelBuildError(message)
    err.__dict__.update(exc.__dict__)
    return err


#: OpenCL status codes that mean "could not allocate" (cl.h)
_OUT_OF_MEMORY_CODES = frozenset({
    -4,   # CL_MEM_OBJECT_ALLOCATION_FAILURE
    -5,   # CL_OUT_OF_RESOURCES
    -6,   # CL_OUT_OF_HOST_MEMORY
    -61,  # CL_INVALID_BUFFER_SIZE
})


def out_of_memory(cl, exc: BaseException) -> bool:
    """Whether a PyOpenCL exception means an allocation failed (directly, or in a
    launch: drivers may allocate a buffer lazily at its first use)."""
    if isinstance(exc, cl.MemoryError):
        return True
    if isinstance(exc, cl.Error):
        try:
            return exc.code in _OUT_OF_MEMORY_CODES
        except Exception:  # an Error built without a status code
            return False
    return False


class DeviceState:
    def __init__(self, cl, platform, device, hal_device):
        self.cl = cl
        self.platform = platform
        self.device = device
        self.hal_device = hal_device
        self.context = cl.Context([device])
        self.queue = cl.CommandQueue(self.context)
        #: (kernel, event) of every launch while a hal.trace(device_times=True) is open
        #: (the queue is then a profiling one: see set_profiling); None otherwise
        self.profile_events: list | None = None
        self._plain_queue = None
        from pyopencl.tools import ImmediateAllocator, MemoryPool
        self.pool = MemoryPool(ImmediateAllocator(self.queue))
        self.max_allocation = int(device.max_mem_alloc_size)
        self.max_work_group_size = device.max_work_group_size
        self.compute_units = device.max_compute_units
        self.is_cpu = bool(device.type & cl.device_type.CPU)
        self._kernels: dict = {}
        self._programs: dict = {}
        self._lock = threading.Lock()
        self._launching = threading.Lock()
        #: id(buffer) -> number of live host views of it (see open_host_view)
        self._viewed: dict[int, int] = {}
        self._views_lock = threading.RLock()
        self._identity = "|".join((platform.name, platform.version, device.name,
                                   device.vendor, device.version, device.driver_version))
        # memory of the last ``meta`` buffers (shapes and strides of strided launches)
        self._meta: dict = {}
        self.stats = {"built": 0, "loaded": 0}

    # -- memory -------------------------------------------------------------------

    def allocate(self, nbytes: int):
        """A pooled buffer of ``nbytes``, or ``hal.HalMemoryError``.

        A size above the device's largest allocation is refused before PyOpenCL sees
        it (it would raise INVALID_BUFFER_SIZE, or pybind's TypeError past 2**64).  On
        out-of-memory, arrays only the garbage collector would free and the pool's
        cached blocks are released and the allocation is tried once more."""
        nbytes = max(int(nbytes), 1)
        if nbytes > self.max_allocation:
            raise hal.HalMemoryError.allocation(self.hal_device, nbytes)
        try:
            return self.pool.allocate(nbytes)
        except self.cl.Error as exc:
            if not out_of_memory(self.cl, exc):
                raise
        gc.collect()
        self.pool.free_held()
        try:
            return self.pool.allocate(nbytes)
        except self.cl.Error as exc:
            if not out_of_memory(self.cl, exc):
                raise
            raise hal.HalMemoryError.allocation(self.hal_device, nbytes) from exc

    def empty(self, shape: tuple, dtype) -> CLArray:
        n = 1
        for s in shape:
            n *= s
        buf = self.allocate(n * dtype.itemsize)
        return CLArray.new_contiguous(self, buf, tuple(shape), dtype)

    def from_host(self, host: np.ndarray) -> CLArray:
        dtype = toolkit.from_numpy_dtype(host.dtype)
        if dtype not in self.hal_device.dtypes:
            from hal.toolkit import dtype_error
            raise dtype_error("to_device", self.hal_device, dtype)
        if not host.flags.c_contiguous:  # (np.ascontiguousarray would make 0-D 1-D)
            host = host.copy(order="C")
        out = self.empty(host.shape, dtype)
        if host.size:
            self.cl.enqueue_copy(self.queue, out.data, host, is_blocking=False)
            # the host array may be freed by the caller: finish before returning
            self.queue.finish()
        return out

    def to_host(self, arr: CLArray) -> np.ndarray:
        if not arr.contiguous:
            from ._kernels import copy_contiguous
            arr = copy_contiguous(arr)
        host = np.empty(arr.shape, dtype=arr.dtype.numpy)
        if host.size:
            self.cl.enqueue_copy(self.queue, host, arr.data,
                                 src_offset=arr.offset * arr.dtype.itemsize,
                                 is_blocking=True)
        return host

    def meta(self, values: tuple):
        """A small read-only device buffer of int64 values (shapes, strides), cached."""
        buf = self._meta.get(values)
        if buf is None:
            if len(self._meta) > 4096:
                self._meta.clear()
            host = np.asarray(values if values else (0,), dtype=np.int64)
            mf = self.cl.mem_flags
            buf = self.cl.Buffer(self.context, mf.READ_ONLY | mf.COPY_HOST_PTR, hostbuf=host)
            self._meta[values] = buf
        return buf

    def cached(self, key, make):
        """Memoize ``make()`` per key on this device (kernels of the plain ops)."""
        value = self._kernels.get(key)
        if value is None:
            value = self._kernels[key] = make()
        return value

    # -- kernels ------------------------------------------------------------------

    def kernel(self, file: str, dtype, name: str, instance: str = ""):
        """Kernel ``name`` of ``kernels/<file>`` built for loop dtype ``dtype``.

        ``instance`` is appended to the source: the template instantiation that
        defines the kernel (``HAL_DEFINE_UNARY(exp, T)``), so a program holds only
        what one op needs and a first use compiles little.
        """
        key = (file, dtype, name)
        k = self._kernels.get(key)
        if k is None:
            with self._lock:
                k = self._kernels.get(key)
                if k is None:
                    try:
                        program = self.program(file, dtype, instance)
                    except KernelBuildError as exc:
                        raise _named(exc, f"kernel {name!r}: {exc}") from None
                    try:
                        k = self.cl.Kernel(program, name)
                    except self.cl.Error as exc:
                        raise KernelBuildError(
                            f"kernels/{file} built for {dtype} on {self.hal_device} has no "
                            f"kernel {name!r} ({exc})") from None
                    # Typed scalar arguments: PyOpenCL then packs Python numbers in
                    # about a microsecond; untyped numpy scalars cost ~18 us each.
                    k.set_scalar_arg_dtypes(self.scalar_arg_dtypes(file, name, dtype))
                    self._kernels[key] = k
        return k

    def scalar_arg_dtypes(self, file: str, name: str, dtype) -> list:
        """NumPy dtypes of a kernel's scalar arguments, from its manifest entry."""
        spec = toolkit.manifest().find(file, name)
        if spec is None:
            raise KernelBuildError(f"kernel {name!r} of kernels/{file} is not in the "
                                   f"kernels/*.toml manifest; add it there")
        fp64 = hal.float64 in self.hal_device.dtypes
        by_type = {
            "index": np.int64, "int": np.int32, "uint": np.uint32,
            "T": np.uint8 if dtype.kind == "b" else dtype.numpy.type,
            "T_REAL": np.dtype(toolkit.real_of(dtype).name).type
            if dtype.kind in "fc" else None,
            "ACC": np.int64 if dtype.kind in "iub" else (np.float64 if fp64 else np.float32),
        }
        result = []
        for arg in spec.args:
            if arg.kind == "buffer":
                result.append(None)
            elif by_type.get(arg.type) is not None:
                result.append(by_type[arg.type])
            else:
                result.append(np.dtype(arg.type).type)  # a fixed dtype name
        return result

    def program(self, file: str, dtype, instance: str = ""):
        key = (file, dtype, instance)
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = self.build_program(
                file, self.defines_for(dtype), instance)
        return program

    def defines_for(self, dtype) -> dict[str, str]:
        """The template defines of a program for loop dtype ``dtype`` on this device."""
        return toolkit.program_defines(dtype, self.hal_device.dtypes)

    def build_program(self, file: str, defines: dict[str, str], instance: str = ""):
        """Build ``kernels/<file>`` with ``defines`` (plus an ``instance`` line), cached."""
        # PyOpenCL's CompilerWarning (notes printed even on success) is filtered once
        # when PyOpenCL is imported (_platform.cl); a real failure raises with the log.
        return self._build(file, defines, instance)

    def _build(self, file: str, defines: dict[str, str], instance: str):
        source = toolkit.source("opencl", file)
        if instance:
            source = f"{source}\n/* instance */\n{instance}\n"
        return self.build_source(source, list(toolkit.options(defines)),
                                 f"kernels/{file} {instance}".strip())

    def build_source(self, source: str, options: list[str], what: str):
        """Compile ``source`` (or load its verified binary from the disk cache).

        A failed build raises :class:`hal.KernelBuildError` with the compiler's log and
        leaves nothing behind: callers keep only what this returns (no program in
        ``_programs``), and only a successful build is stored on disk, so the next
        build compiles again.
        """
        cl = self.cl
        digest = toolkit.cache_key(source, " ".join(options), self._identity, cl.VERSION_TEXT)
        binary = toolkit.cache_load("opencl", digest)
        if binary is not None:
            try:
                program = cl.Program(self.context, [self.device], [binary])
                program.build(options=options)
                self.stats["loaded"] += 1
                return program
            except cl.Error:
                pass  # a binary the driver no longer accepts: rebuild it from source
        try:
            program = cl.Program(self.context, source)
            program.build(options=options, cache_dir=False)
        except Exception as exc:  # cl.Error, or whatever a failing compiler raises
            raise self._build_error(what, options, exc) from None
        self.stats["built"] += 1
        try:
            binaries = program.binaries
            if binaries and binaries[0]:
                toolkit.cache_store("opencl", digest, bytes(binaries[0]))
        except cl.Error:
            pass
        return program

    # -- launching ------------------------------------------------------------------
    #
    # A pyopencl Kernel holds its arguments (clSetKernelArg) until the next launch, so
    # set_args and the enqueue of one launch must not interleave with another thread's
    # launch of the same kernel object: one lock per device covers both (uncontended,
    # it costs ~0.1 us of a ~5 us launch).

    def _build_error(self, what: str, options: list[str], exc) -> Exception:
        """The ``KernelBuildError`` of a failed build: kernel, device, driver, options
        and the compiler's log (cut out of PyOpenCL's message, which repeats its status
        three times before it and names a temporary copy of the source after it)."""
        text = str(exc) or type(exc).__name__
        found = _BUILD_LOG.search(text)
        log = found.group(1).strip() if found else text
        status = text.split(" - ")[0].splitlines()[0]
        driver = f"{self.platform.name.strip()} {self.device.driver_version}"
        err = KernelBuildError(
            f"building {what} failed on {self.hal_device} ({self.device.name.strip()}, "
            f"{driver}) with options {' '.join(options) or '(none)'}: {status}; nothing "
            f"was cached, the next build compiles again. Build log:\n{log}")
        err.kernel, err.device, err.options, err.log = what, str(self.hal_device), \
            list(options), log
        return err

    def launch(self, kernel, n: int, *args) -> None:
        """Run ``kernel`` over ``n`` work-items (one per element), CPU-friendly shape."""
        if n <= 0:
            return
        local = None if self.is_cpu else min(256, self.max_work_group_size)
        global_size = n if local is None else -(-n // local) * local
        with self._launching:
            kernel.set_args(*args)
            event = self.cl.enqueue_nd_range_kernel(self.queue, kernel, (global_size,),
                                                    None if local is None else (local,))
            if self.profile_events is not None:
                self.profile_events.append((kernel, event))
        if self._viewed:
            self.finish_if_viewed(args)

    def launch_rows(self, kernel, inner: int, n1: int, n0: int, *args) -> None:
        """Run a row kernel (kernels/strided.h) over an output folded into
        ``(n0, n1, inner)``: an ``(inner, n1, n0)`` launch.  A CPU runtime picks its
        work-group (it vectorises along the first dimension); a GPU gets rows of up
        to 256 work-items."""
        if inner <= 0 or n1 <= 0 or n0 <= 0:
            return
        if self.is_cpu:
            global_size, local = (inner, n1, n0), None
        else:
            width = min(256, self.max_work_group_size)
            global_size, local = (-(-inner // width) * width, n1, n0), (width, 1, 1)
        with self._launching:
            kernel.set_args(*args)
            event = self.cl.enqueue_nd_range_kernel(self.queue, kernel, global_size, local)
            if self.profile_events is not None:
                self.profile_events.append((kernel, event))
        if self._viewed:
            self.finish_if_viewed(args)

    def launch_nd(self, kernel, global_size: tuple, local_size: tuple | None, *args) -> None:
        """Run ``kernel`` with an explicit launch shape (reductions, matmul tiles)."""
        with self._launching:
            kernel.set_args(*args)
            event = self.cl.enqueue_nd_range_kernel(self.queue, kernel, global_size,
                                                    local_size)
            if self.profile_events is not None:
                self.profile_events.append((kernel, event))
        if self._viewed:
            self.finish_if_viewed(args)

    # -- device times for hal.trace(device_times=True) ----------------------------------
    #
    # Profiling costs ~3 us per launch on Intel's CPU runtime, so the queue profiles
    # only while a trace asks for device times: the plain queue is finished and a
    # profiling queue takes its place (every enqueue reads ``self.queue``), and back
    # when the trace closes.  Work another thread enqueues while the swap happens
    # would not be ordered against the other queue: start such a trace between
    # threads' work (README, "Tracing").

    def set_profiling(self, on: bool) -> None:
        cl = self.cl
        with self._launching:
            if on == (self.profile_events is not None):
                return
            self.queue.finish()
            if on:
                self._plain_queue = self.queue
                self.queue = cl.CommandQueue(
                    self.context, properties=cl.command_queue_properties.PROFILING_ENABLE)
                self.profile_events = []
            else:
                self.queue = self._plain_queue
                self._plain_queue = None
                self.profile_events = None

    def take_profile(self) -> list[tuple[str, float]]:
        """(kernel name, seconds on the device) of each launch since the last call,
        waiting for them to finish."""
        with self._launching:
            events = self.profile_events
            if not events:
                return []
            self.profile_events = []
        out = []
        for kernel, event in events:
            event.wait()
            out.append((kernel.function_name,
                        (event.profile.end - event.profile.start) * 1e-9))
        return out

    # -- memory the host can see -----------------------------------------------------
    #
    # A NumPy view of a buffer (DLPack on a CPU device) is handed out by a blocking map,
    # so every write queued before it has finished.  While the view lives, an op that
    # reads or writes that buffer finishes before it returns (DESIGN.md, "host views"):
    # the host never reads a half-written result, and never writes under a kernel that
    # is still reading.  Buffers are tracked by identity; the view keeps its buffer
    # alive, so an id cannot be reused while it is in the table.

    def open_host_view(self, buffer) -> int:
        """Record that a host view of ``buffer`` is being made; returns its key.

        Recorded *before* the blocking map that makes the view: an op another thread
        queues from then on finishes before returning, and one queued before is waited
        for by the map itself.  Pass the key to ``close_host_view_with`` once the view
        exists (or to ``close_host_view`` if making it failed)."""
        key = id(buffer)
        with self._views_lock:
            self._viewed[key] = self._viewed.get(key, 0) + 1
        return key

    def close_host_view_with(self, view_owner, key: int) -> None:
        """The view's record ends when ``view_owner`` is garbage-collected."""
        weakref.finalize(view_owner, self.close_host_view, key)

    def close_host_view(self, key: int) -> None:
        # re-entrant: a finalizer may run in the middle of open_host_view (GC)
        with self._views_lock:
            left = self._viewed.get(key, 0) - 1
            if left > 0:
                self._viewed[key] = left
            else:
                self._viewed.pop(key, None)

    def has_host_view(self, buffer) -> bool:
        return id(buffer) in self._viewed

    def finish_if_viewed(self, buffers) -> None:
        """Wait for the queue when any of ``buffers`` (other arguments are ignored)
        has a live host view: call after enqueueing work that touches them."""
        viewed = self._viewed
        for b in buffers:
            if id(b) in viewed:
                self.queue.finish()
                return
