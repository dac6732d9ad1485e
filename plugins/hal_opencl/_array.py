"""``CLArray``: the OpenCL backend's native array.

A buffer plus shape, strides and offset (both counted in elements, as kernels index),
so slicing, ``permute_dims``, ``reshape`` of contiguous data and ``broadcast_to`` are
views that share the buffer.  Deliberately not ``pyopencl.array.Array``: its
constructor costs more than an 8-element kernel launch, and hal needs only these
fields.
"""

from __future__ import annotations


_new = object.__new__


def c_strides(shape: tuple) -> tuple:
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


class CLArray:
    __slots__ = ("state", "data", "shape", "strides", "offset", "dtype", "contiguous",
                 "__weakref__")

    def __init__(self, state, data, shape, strides, offset, dtype):
        self.state = state          # the DeviceState that owns the buffer
        self.data = data            # pyopencl Buffer / PooledBuffer
        self.shape = shape          # tuple of ints
        self.strides = strides      # tuple of ints, in elements
        self.offset = offset        # in elements
        self.dtype = dtype          # hal dtype
        # C-contiguous from ``offset`` on: contiguous kernels take an offset argument
        self.contiguous = _is_c_contiguous(shape, strides)

    @classmethod
    def new_contiguous(cls, state, data, shape, dtype):
        # every op's result comes through here: set the slots directly (contiguous by
        # construction) instead of deriving strides and contiguity in __init__
        a = _new(cls)
        a.state = state
        a.data = data
        a.shape = shape
        a.strides = (1,) if len(shape) == 1 else c_strides(shape)
        a.offset = 0
        a.dtype = dtype
        a.contiguous = True
        return a

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    def view(self, shape, strides, offset) -> CLArray:
        return CLArray(self.state, self.data, tuple(shape), tuple(strides), offset,
                       self.dtype)

    def __repr__(self) -> str:
        return (f"<CLArray {self.dtype.name}{list(self.shape)} strides={self.strides} "
                f"offset={self.offset} on {self.state.hal_device}>")


def _is_c_contiguous(shape, strides) -> bool:
    expected = 1
    for s, st in zip(reversed(shape), reversed(strides)):
        if s == 1:
            continue
        if st != expected:
            return False
        expected *= s
    return True
