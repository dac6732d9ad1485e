"""The fallback policy: what happens when a device has no kernel for an op.

``error``: raise ``HalNotImplementedError``.  ``warn`` (the default): run the op on
the host through the NumPy backend, with one ``HalFallbackWarning`` per
(op, device, dtypes).  ``allow``: the same, silently.  Every fallback is counted in
:func:`fallback_counts` and recorded by :func:`hal.trace`.
"""

from __future__ import annotations

import contextlib
from collections import Counter

from . import _env
from ._errors import HalValueError

__all__ = ["get_fallback_policy", "set_fallback_policy", "fallback_policy",
           "fallback_counts"]

POLICIES = ("error", "warn", "allow")


def _from_env() -> str:
    value = (_env.get(_env.HAL_FALLBACK) or "warn").lower()
    if value not in POLICIES:
        raise HalValueError(f"HAL_FALLBACK={value!r} is not a policy; use one of "
                            f"{', '.join(POLICIES)}")
    return value


_state: dict[str, object] = {"policy": None}
#: (op, device selector, dtype names) -> how many times it ran on the host
FALLBACKS: Counter = Counter()
WARNED: set = set()


def get_fallback_policy() -> str:
    policy = _state["policy"]
    if policy is None:
        policy = _state["policy"] = _from_env()
    return policy  # type: ignore[return-value]


def set_fallback_policy(policy: str) -> None:
    if not isinstance(policy, str) or policy not in POLICIES:
        raise HalValueError(f"set_fallback_policy: {policy!r} is not a policy; use one "
                            f"of {', '.join(POLICIES)}")
    if policy != _state["policy"]:
        _state["policy"] = policy
        from ._dispatch import clear_caches
        clear_caches()  # resolutions depend on the policy


@contextlib.contextmanager
def fallback_policy(policy: str):
    """``with hal.fallback_policy("error"):`` — the policy inside the block."""
    previous = get_fallback_policy()
    set_fallback_policy(policy)
    try:
        yield policy
    finally:
        set_fallback_policy(previous)


def fallback_counts() -> dict[tuple[str, str, tuple[str, ...]], int]:
    """How many times each (op, device, dtypes) ran on the host so far."""
    return dict(FALLBACKS)
