"""User kernels in hal's portable dialect, shaped like CuPy's: ``ElementwiseKernel``,
``ReductionKernel`` and ``RawKernel``.  They run on every device whose plugin builds
portable kernels (OpenCL, oneAPI through dpctl, CUDA/HIP through CuPy); on others
(NumPy) a call raises a hal error naming the devices that can run it."""

from ._elementwise import ElementwiseKernel
from ._raw import RawKernel
from ._reduction import ReductionKernel

__all__ = ["ElementwiseKernel", "ReductionKernel", "RawKernel"]
