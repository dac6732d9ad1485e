"""The ``HalError`` family.

Every error hal raises is a :class:`HalError` and also the builtin exception the
Array API standard (or plain Python) expects, so ``except TypeError`` keeps working
in code written against any other array library.  Each message names *who* (the op),
*where* (the device) and *what would work*.
"""

from __future__ import annotations

__all__ = [
    "HalError",
    "HalTypeError",
    "HalValueError",
    "HalOverflowError",
    "HalIndexError",
    "HalDeviceError",
    "HalNotImplementedError",
    "HalPluginError",
    "HalMemoryError",
    "HalRuntimeError",
    "HalFallbackWarning",
    "KernelBuildError",
    "HalCacheWarning",
    "HalDeviceWarning",
]


class HalError(Exception):
    """Base class of every error raised by hal."""


class HalTypeError(HalError, TypeError):
    """Wrong dtype or wrong kind of argument for an op."""


class HalValueError(HalError, ValueError):
    """A value out of the op's domain: bad shape, axis, selector, policy ..."""


class HalOverflowError(HalValueError, OverflowError):
    """A Python int that the op's integer dtype cannot hold (``int8_array + 1000``,
    ``asarray(300, dtype=int8)``): refused on every device, as NumPy 2 does."""


class HalIndexError(HalError, IndexError):
    """An index out of range or of a kind the op does not accept."""


class HalDeviceError(HalError, ValueError):
    """Arrays on different devices, or a device that cannot hold a dtype.

    The standard asks for ``ValueError`` when arrays on different devices meet.
    """


class HalNotImplementedError(HalError, NotImplementedError):
    """No kernel for an op on a device and the fallback policy says ``error``."""


class HalPluginError(HalError, RuntimeError):
    """A plugin broke its contract (bad hook result, bad kernel registration)."""


class HalMemoryError(HalError, MemoryError):
    """A device ran out of memory, or an allocation is larger than it can hold.

    ``nbytes`` is the size asked for (``None`` when the device's library did not say).
    Raised after hal has freed its pools' cached blocks and retried once; the device
    keeps working afterwards.
    """

    nbytes: int | None = None

    @classmethod
    def allocation(cls, device, nbytes: int | None, op: str = "") -> HalMemoryError:
        """The error for ``nbytes`` that ``device`` (a ``hal.Device``) cannot allocate,
        naming what the device has.  For plugins: raise it from an allocator, before
        asking the vendor for more than the device's largest allocation."""
        asked = "memory" if nbytes is None else f"{_size(nbytes)} ({nbytes} bytes)"
        err = cls(f"{op + ' on ' if op else ''}{device}: cannot allocate {asked}; "
                  f"{_has(device)}; free arrays, work in smaller pieces or use a device "
                  f"with more memory")
        err.nbytes = nbytes
        return err


class HalRuntimeError(HalError, RuntimeError):
    """A device's library failed in a way hal has no more specific error for.

    The library's own exception is kept as ``__cause__``.
    """


class KernelBuildError(HalError, RuntimeError):
    """A kernel did not compile (bad source or option, compiler crash, missing
    compiler); the message names the kernel and device and carries the build log.
    Nothing of a failed build is cached: the next build compiles again."""


class HalCacheWarning(UserWarning):
    """hal's on-disk kernel cache is not used (an untrusted directory or entry, a
    read-only or full disk); the message names the path, the problem and the fix.
    Kernels still compile; only the cache is off."""


class HalFallbackWarning(UserWarning):
    """An op ran on the host (NumPy) because its device has no kernel for it.

    Emitted once per (op, device, dtypes) under ``HAL_FALLBACK=warn``.
    """


class HalDeviceWarning(UserWarning):
    """An array was placed on another device than the one it names: an unpickled
    array whose device this process lacks lands on the default device (README, "More
    than one device or machine"; ``HAL_UNPICKLE=strict`` makes it an error)."""


def _size(nbytes: int) -> str:
    value = float(nbytes)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024 or unit == "EiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.2f} {unit}"
        value /= 1024
    return f"{nbytes} bytes"  # not reached: EiB takes every larger value


def _has(device) -> str:
    """What ``device`` has, from its DeviceInfo: global memory and largest allocation."""
    info = getattr(device, "info", None)
    total = getattr(info, "memory_bytes", None)
    largest = getattr(info, "max_allocation_bytes", None)
    name = getattr(device, "name", "")
    has = f"{total and _size(total) or 'an unknown amount'} of memory"
    if largest:
        has += f" and takes at most {_size(largest)} in one allocation"
    return f"{device} ({name}) has {has}" if name else f"{device} has {has}"


def _vendor_out_of_memory(exc: BaseException, device) -> bool:
    runtime = getattr(device, "runtime", None)
    if runtime is None:
        return False
    try:
        return bool(runtime.is_out_of_memory(exc))
    except Exception:  # a plugin's classifier must not hide the error it classifies
        return False


def translate(exc: BaseException, op: str, device: object) -> BaseException:
    """Turn a backend library's exception into the matching ``HalError``.

    Called only after a kernel has already raised, so it costs nothing on the
    hot path.  The original exception is kept as ``__cause__`` (``raise ... from``).
    An exception of a kind hal does not know becomes a ``HalRuntimeError``: no
    vendor exception type reaches the user.
    """
    text = f"{op} on {device}: {exc}"
    if isinstance(exc, HalError):
        # a plugin's own HalError (a shape check inside a kernel, say) may not say
        # which op and device it came from; the user needs both
        message = str(exc)
        if op in message and str(device) in message:
            return exc
        if isinstance(exc, HalMemoryError) and message.startswith(str(device)):
            text = f"{op} on {message}"  # HalMemoryError.allocation without op
        try:
            err = type(exc)(text)
        except Exception:  # a subclass with another signature: keep it as it is
            return exc
        err.__dict__.update(exc.__dict__)  # e.g. HalMemoryError.nbytes
        return err
    if isinstance(exc, MemoryError) or _vendor_out_of_memory(exc, device):
        nbytes = _numpy_nbytes(exc)
        err = HalMemoryError.allocation(device, nbytes, op)
        if nbytes is None:  # the library's own words are all there is to go on
            err.args = (f"{err.args[0]} ({type(exc).__name__}: {exc})",)
        return err
    if isinstance(exc, IndexError):
        return HalIndexError(text)
    if isinstance(exc, TypeError):
        return HalTypeError(text)
    if isinstance(exc, NotImplementedError):
        return HalNotImplementedError(text)
    if isinstance(exc, OverflowError):  # a Python int no dtype of the op can hold
        return HalOverflowError(text)
    if isinstance(exc, (ValueError, ArithmeticError)):
        # AxisError is both ValueError and IndexError (handled above).
        return HalValueError(text)
    if isinstance(exc, BufferError):
        return exc  # the standard's error for DLPack export, already the right type
    return HalRuntimeError(f"{text} ({type(exc).__module__}.{type(exc).__name__})")


def _numpy_nbytes(exc: BaseException) -> int | None:
    """The size NumPy's ``_ArrayMemoryError`` was asked for (it keeps shape and dtype)."""
    shape, dtype = getattr(exc, "shape", None), getattr(exc, "dtype", None)
    if shape is None or dtype is None:
        return None
    try:
        n = int(getattr(dtype, "itemsize", 0))
        for s in shape:
            n *= int(s)
        return n
    except (TypeError, ValueError):
        return None
