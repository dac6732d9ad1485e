"""The JSON report of ``hal bench --json FILE``: every figure, with the machine, the
versions and the settings it was measured with.

Layout (``"schema": "hal-bench/1"``):

- ``created`` (ISO 8601, UTC), ``duration_s``;
- ``settings``: ``quick``, ``groups``, ``devices`` (selectors), ``fallback_policy``,
  ``clock``, ``vector_elements``, ``first_call_ops``;
- ``machine``: ``cpu``, ``logical_cpus``, ``usable_cpus``, ``memory_bytes``,
  ``platform``, ``python``, ``environment`` (HAL_* and thread-count variables);
- ``versions``: package -> version (hal, numpy, pyopencl ...);
- ``devices``: one object per device: ``selector``, ``name``, ``backend``, ``vendor``,
  ``platform``, ``device_type``, ``compute_units``, ``driver_version``, ``status``
  (``ok`` | ``failed``) and ``reason``;
- ``rows``: one object per (benchmark, device): ``group``, ``label``, ``key``,
  ``device``, ``status`` (``ok`` | ``failed`` | ``wrong`` | ``skipped``), ``reason``,
  ``note``; timed rows add ``unit`` (``time``, ``GB/s``, ``GFLOP/s``), ``work``,
  ``numpy_s``, ``device_s`` (medians, seconds per call), ``numpy_value``, ``value``
  (the figure in ``unit``), ``ratio`` with ``ratio_p25``/``ratio_p75`` (NumPy time /
  device time, paired rounds), ``rounds``, ``number`` (calls per timed batch),
  ``max_error``, ``tolerance``; first-call rows add ``cold_s``, ``warm_s``, ``steady_s``.
"""

from __future__ import annotations

import json
import math
import os

__all__ = ["write", "dumps"]


def _finite(value):
    """JSON has no inf/nan: an infinite error (shapes differ) is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def dumps(report: dict) -> str:
    return json.dumps(_finite(report), indent=2, ensure_ascii=False)


def write(report: dict, path: str) -> None:
    """Write ``report`` to ``path`` (through a temporary file: never half a file)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(dumps(report))
        f.write("\n")
    os.replace(tmp, path)
