"""``hal.explain``: which kernel runs an op on given arguments, from which plugin, why."""

from __future__ import annotations

import inspect

from ._errors import HalTypeError, HalValueError
from ._trace import Trace

__all__ = ["explain", "Explanation"]


class Explanation:
    """The resolutions an op call went through (the op itself and any casts or
    sub-ops of a decomposition), printable."""

    def __init__(self, op: str, resolutions: list, events: list):
        self.op = op
        self.resolutions = resolutions
        self.events = events

    @property
    def fallback(self) -> bool:
        return any(r.fallback for r in self.resolutions)

    @property
    def kernel(self) -> str:
        main = [r for r in self.resolutions if r.op == self.op]
        return (main or self.resolutions)[-1].kernel if self.resolutions else ""

    @property
    def how(self) -> str:
        main = [r for r in self.resolutions if r.op == self.op]
        return (main or self.resolutions)[-1].how if self.resolutions else ""

    def __str__(self) -> str:
        if not self.resolutions:
            return f"hal.{self.op}: no kernel ran (the call was resolved from Python alone)"
        return "\n".join(str(r) for r in self.resolutions)

    __repr__ = __str__


def _function(op):
    import hal
    if callable(op):
        return _op_name(op), op
    if not isinstance(op, str):
        raise HalTypeError(f"explain: op must be an op name such as 'add' or a hal "
                           f"function, got {type(op).__name__}")
    target = hal
    for part in op.split("."):
        target = getattr(target, part, None)
    if not callable(target):
        raise HalValueError(f"explain: hal has no function {op!r}; see hal.op_names()")
    return op, target


def _op_name(fn) -> str:
    """The op-table name of a hal function: ``hal.linalg.vector_norm`` is
    ``"linalg.vector_norm"`` (what its resolutions are recorded under), not its
    ``__name__``."""
    import hal
    for prefix, namespace in (("", hal), ("linalg.", hal.linalg), ("fft.", hal.fft)):
        for name in getattr(namespace, "__all__", ()):
            if getattr(namespace, name, None) is fn:
                return prefix + name
    return getattr(fn, "__name__", str(fn))


def explain(op, *args, **kwargs) -> Explanation:
    """Run ``op(*args, **kwargs)`` once and say how each step was resolved.

    ``op`` is a name (``"add"``, ``"linalg.svd"``) or a hal function.  The op really
    runs (so data-dependent choices are the real ones) under a private trace.
    """
    name, fn = _function(op)
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as exc:  # the arguments of the call, not the op, are wrong
        raise HalTypeError(f"explain: hal.{name} cannot take these arguments: {exc}") from None
    except ValueError:
        pass  # no signature to check against (a builtin): the call will say
    with Trace() as t:
        fn(*args, **kwargs)
    return Explanation(name, list(t.resolutions), list(t.events))
