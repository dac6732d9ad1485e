"""Every environment variable hal reads, in one place (documented in the README).

Read once, where the value is first needed; never on the per-op path.
"""

from __future__ import annotations

import os

#: selector of the default device: ``numpy``, ``opencl:0``, ``opencl:pocl`` ...
HAL_DEVICE = "HAL_DEVICE"
#: what to do when a device has no kernel for an op: ``error``, ``warn`` or ``allow``
HAL_FALLBACK = "HAL_FALLBACK"
#: ``1`` turns off loading plugins from the ``hal.plugins`` entry point group
HAL_DISABLE_PLUGIN_AUTOLOAD = "HAL_DISABLE_PLUGIN_AUTOLOAD"
#: comma-separated plugin names (entry point names) not to load
HAL_DISABLE_PLUGINS = "HAL_DISABLE_PLUGINS"
#: seconds a third-party plugin's import or hook may take before hal gives up on it
HAL_PLUGIN_TIMEOUT = "HAL_PLUGIN_TIMEOUT"
#: directory of the on-disk kernel binary cache
HAL_CACHE_DIR = "HAL_CACHE_DIR"
#: ``1`` turns the on-disk kernel cache off
HAL_NO_CACHE = "HAL_NO_CACHE"
#: ``1`` turns off the C speedups of the per-op path (pure Python, same results)
HAL_NO_SPEEDUPS = "HAL_NO_SPEEDUPS"
#: an unpickled array whose device this process lacks: ``warn`` (default: on the
#: default device, with a HalDeviceWarning) or ``strict`` (a HalDeviceError)
HAL_UNPICKLE = "HAL_UNPICKLE"
#: the backend the test suite runs on (``numpy``, ``opencl:pocl`` ...)
HAL_TEST_BACKEND = "HAL_TEST_BACKEND"

ALL = (
    HAL_DEVICE,
    HAL_FALLBACK,
    HAL_DISABLE_PLUGIN_AUTOLOAD,
    HAL_DISABLE_PLUGINS,
    HAL_PLUGIN_TIMEOUT,
    HAL_CACHE_DIR,
    HAL_NO_CACHE,
    HAL_NO_SPEEDUPS,
    HAL_UNPICKLE,
    HAL_TEST_BACKEND,
)


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def flag(name: str) -> bool:
    return get(name, "0").lower() in ("1", "true", "yes", "on")
