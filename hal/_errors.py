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
    "HalFallbackWarning",
    "KernelBuildError",
    "HalCacheWarning",
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
    """A device ran out of memory."""


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


def translate(exc: BaseException, op: str, device: object) -> BaseException:
    """Turn a backend library's exception into the matching ``HalError``.

    Called only after a kernel has already raised, so it costs nothing on the
    hot path.  The original exception is kept as ``__cause__``.
    """
    text = f"{op} on {device}: {exc}"
    if isinstance(exc, HalError):
        # a plugin's own HalError (a shape check inside a kernel, say) may not say
        # which op and device it came from; the user needs both
        message = str(exc)
        if op in message and str(device) in message:
            return exc
        try:
            return type(exc)(text)
        except Exception:  # a subclass with another signature: keep it as it is
            return exc
    if isinstance(exc, MemoryError):
        return HalMemoryError(text + "; free arrays or use a device with more memory")
    if isinstance(exc, IndexError):
        return HalIndexError(text)
    if isinstance(exc, TypeError):
        return HalTypeError(text)
    if isinstance(exc, NotImplementedError):
        return HalNotImplementedError(text)
    if isinstance(exc, (ValueError, ArithmeticError)):
        # AxisError is both ValueError and IndexError (handled above).
        err = HalValueError(text)
        return err
    return exc
