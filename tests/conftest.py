"""The device under test, the ``xp``/``device`` fixtures and hypothesis profiles.

The whole suite runs on one device, chosen by ``--hal-device`` (or the
``HAL_TEST_BACKEND`` environment variable; default ``numpy``).  Every differential
test puts its NumPy inputs on that device with ``xp.asarray(np_array, device=device)``
and compares ``hal.to_numpy(result)`` with NumPy's answer.

Hypothesis profiles (``HYPOTHESIS_PROFILE``):

* ``default``: few examples per test, random; sized so that the whole ``tests/``
  directory runs in a few minutes on a 2-core machine;
* ``ci``: the same, derandomized (reproducible runs in tox/CI);
* ``thorough``: many examples, for hunting bugs locally.
"""

from __future__ import annotations

import os
import sys
import warnings

import pytest
from hypothesis import HealthCheck, settings

import _strategies

_COMMON = dict(
    deadline=None,  # tests never time things (DESIGN.md)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile("default", max_examples=10, **_COMMON)
settings.register_profile("ci", max_examples=10, derandomize=True, database=None,
                          **_COMMON)
settings.register_profile("thorough", max_examples=100, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser, pluginmanager):
    kit = sys.modules.get("hal.testing.plugin")
    if kit is not None and pluginmanager.is_registered(kit):
        return  # hal's conformance kit (hal.testing) adds --hal-device, same meaning
    parser.addoption(
        "--hal-device", action="store", default=None,
        help="selector of the hal device the suite runs on (numpy, opencl:0, "
             "opencl:pocl ...); default: $HAL_TEST_BACKEND or 'numpy'")


def pytest_configure(config):
    selector = (config.getoption("--hal-device")
                or os.environ.get("HAL_TEST_BACKEND", "").strip() or "numpy")
    # Test modules parametrize over the device's dtypes at import time, so the
    # device must be known before collection starts.
    _strategies.configure(selector)
    # Overflow, 0/0, log(-1) ... are part of what we feed both libraries on purpose:
    # NumPy's RuntimeWarnings about them are noise, not findings.
    config.addinivalue_line("filterwarnings", "ignore::RuntimeWarning")
    warnings.filterwarnings("ignore", category=RuntimeWarning)


def pytest_report_header(config):
    dev = _strategies.device()
    return (f"hal device under test: {dev} ({dev.name}); dtypes: "
            + ", ".join(d.name for d in _strategies.device_dtypes()))


@pytest.fixture(scope="session")
def xp():
    """The hal namespace."""
    return _strategies.xp


@pytest.fixture(scope="session")
def device():
    """The hal device under test (``hal.get_device(selector)``)."""
    return _strategies.device()
