"""``hal.RawKernel``: a whole kernel in hal's portable dialect, launched as CuPy launches
one: ``kernel(grid, block, args)`` (``grid`` blocks of ``block`` work-items; on OpenCL
and SYCL a global size of grid x block with work-groups of ``block``).

    add = hal.RawKernel(r'''
    KERNEL void add1(GLOBAL_MEM const T *x, GLOBAL_MEM T *y, const index_t n) {
        index_t i = GLOBAL_ID_0;
        if (i < n) y[i] = x[i] + (T)1;
    }''', "add1")
    add((blocks,), (256,), (x, y, np.int64(n)), types={"T": hal.float32})

Arguments: hal arrays (C-contiguous, starting at their buffer's first element: the
kernel gets a plain pointer on every target) and NumPy scalars of the parameter's type
(a Python int travels as int64, a float as float64, a bool as uint8, as in CuPy).
``types`` binds placeholders the code uses (``T``) to dtypes: one build per binding.
"""

from __future__ import annotations

import re
import time

import numpy as np

from .. import _dtypes
from .._array import Array
from .._errors import HalTypeError, HalValueError
from . import _common


class RawKernel:
    """A user kernel written whole (CuPy's ``RawKernel(code, name)``)."""

    def __init__(self, code: str, name: str, *, requires=(), options=(),
                 preamble: str = "", placeholders=None):
        self.code, self.name = code, name
        #: type placeholders the code uses (``hal kernels check`` binds each to the
        #: dtypes it checks); default: ``T`` if the code names it
        self.placeholders = tuple(placeholders) if placeholders is not None else \
            (("T",) if re.search(r"\bT\b", code) else ())
        self._label = f"RawKernel {name!r}"
        self.requires = _common.features(self._label, requires)
        self.options = tuple(options)
        self.preamble = preamble
        self._built: dict = {}

    def __repr__(self) -> str:
        return f"<hal.RawKernel {self.name}>"

    def source(self, target: str, device, types: dict) -> tuple[str, tuple]:
        head, opts = _common.header(target, device, set(types.values()), self.requires,
                                    self.preamble)
        defs, undefs = _common.type_defines(types)
        return "\n".join([head, *defs, self.code, *undefs]) + "\n", opts + self.options

    def __call__(self, grid, block, args, *, types=None, shared_mem: int = 0):
        start = time.perf_counter()
        grid, block = _dims(self._label, "grid", grid), _dims(self._label, "block", block)
        if len(grid) != len(block):
            raise HalValueError(f"{self._label}: grid {grid} and block {block} need the "
                                f"same number of dimensions")
        if shared_mem:
            raise HalValueError(f"{self._label}: dynamic shared memory is not portable; "
                                f"declare LOCAL_MEM arrays of fixed size in the kernel")
        types = {k: _dtypes.as_dtype(v) for k, v in (types or {}).items()}
        arrays = [a for a in args if isinstance(a, Array)]
        device = _common.device_of(self._label, arrays)
        launch = _common.check_device(self._label, device, self.requires,
                                      set(types.values()) | {a.dtype for a in arrays})
        conv, sig = [], []
        for pos, a in enumerate(args):
            if isinstance(a, Array):
                v = launch.view(a._native)
                if not v[4] or v[1]:
                    raise HalValueError(
                        f"{self._label}: argument {pos} is a view (strided or not at its "
                        f"buffer's start); raw kernels take plain pointers: pass "
                        f"hal.asarray(x, copy=True) and copy results back")
                conv.append(launch.buffer(a._native))
                sig.append("buf")
            else:
                s = _scalar(self._label, pos, a, device)
                conv.append(s)
                sig.append(s.dtype.type)
        key = (device, tuple(sorted(types.items(), key=lambda kv: kv[0])), tuple(sig))
        k = self._built.get(key)
        if k is None:
            src, opts = self.source(launch.target, device, types)
            k = self._built[key] = _common.build(launch, self._label, src, opts,
                                                 [self.name], {self.name: sig})[self.name]
        _launch(launch, k, grid, block, conv)
        _common.record(self.name, device, tuple(types.values()), f"RawKernel {self.name}",
                       start)


def _dims(label, what, v) -> tuple[int, ...]:
    v = (v,) if isinstance(v, int) else tuple(v)
    if not 1 <= len(v) <= 3 or not all(isinstance(x, int) and x > 0 for x in v):
        raise HalValueError(f"{label}: {what} must be 1 to 3 positive ints, got {v!r}")
    return v


def _scalar(label, pos, a, device):
    if isinstance(a, np.generic):
        if a.dtype.kind == "c":
            raise HalTypeError(f"{label}: argument {pos}: complex scalars are not portable")
        if a.dtype == np.float16:
            raise HalTypeError(f"{label}: argument {pos}: float16 is not passed by value on "
                               f"every target; pass np.float32 and convert in the kernel")
        value = a
    elif isinstance(a, bool):
        value = np.uint8(a)
    elif isinstance(a, int):
        value = np.int64(a)
    elif isinstance(a, float):
        value = np.float64(a)
    else:
        raise HalTypeError(f"{label}: argument {pos} is a {type(a).__name__}; pass hal "
                           f"arrays and NumPy scalars (np.float32(x), np.int64(n))")
    if value.dtype == np.float64 and _dtypes.float64 not in device.dtypes:
        raise HalTypeError(f"{label}: argument {pos} is float64 (a Python float), which "
                           f"{device} lacks; pass np.float32(x)")
    return value


def _launch(launch, kernel, grid, block, args) -> None:
    from .. import _lazy
    if _lazy.ARMED:
        _lazy.flush()  # the kernel may write any argument a pending tree reads
    global_size = tuple(g * b for g, b in zip(grid, block))
    backend = launch.device.backend
    if backend == "opencl":
        launch.state.launch_nd(kernel, global_size, block, *args)
    elif backend == "oneapi":
        from .._jit._backends import _CTYPES
        conv = [_CTYPES[a.dtype.char](a.item()) if isinstance(a, np.generic) else
                (a.get_array().usm_data if hasattr(a, "get_array") else a) for a in args]
        launch.queue.wait()
        launch.queue.submit(kernel, conv, list(global_size), list(block)).wait()
    else:  # CuPy: grid and block as CUDA has them
        with launch.cp.cuda.Device(launch.device.index):
            kernel(grid, block, tuple(args))
