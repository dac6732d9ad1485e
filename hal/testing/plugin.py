"""The pytest plugin of hal's conformance kit (entry point ``pytest11``: ``hal``).

Adds ``--hal-device``, ``--hal-profile`` and ``--hal-plugin``, and the fixtures
``hal_device`` (the device under test) and ``hal_reference`` (the NumPy device).
It is loaded in every pytest run of an environment where hal is installed, so it does
nothing else: no plugin is loaded and no device touched until a test asks.
"""

from __future__ import annotations

import pytest

from . import _state


def _option_exists(parser, option: str) -> bool:
    """Whether someone (a conftest loaded first) already added ``option``."""
    groups = [getattr(parser, "_anonymous", None), *getattr(parser, "_groups", [])]
    for group in groups:
        for opt in getattr(group, "options", []) if group is not None else []:
            if option in opt.names():
                return True
    return False


def pytest_addoption(parser):
    group = parser.getgroup("hal", "hal conformance kit (hal.testing)")
    if not _option_exists(parser, "--hal-device"):
        # hal's own tests/conftest.py reads the same option (and defers to this one)
        group.addoption(
            "--hal-device", action="store", default=None, metavar="SELECTOR",
            help="the hal device under test (numpy, opencl:0, opencl:pocl, example ...); "
                 "default: $HAL_TEST_BACKEND or 'numpy'")
    group.addoption(
        "--hal-profile", action="store", default=None, choices=sorted(_state.PROFILES),
        help="hypothesis profile of the kit: default (few examples, a couple of minutes "
             "on NumPy), ci (the same, derandomized) or thorough (many examples); "
             "default: ci when HYPOTHESIS_PROFILE=ci, else default")
    group.addoption(
        "--hal-plugin", action="store", default=None, metavar="NAME",
        help="the plugin whose contract the kit checks (its hal.plugins entry point "
             "name); default: the plugin that provides the device's backend")


#: what ``pip install 'hal-arrays[testing]'`` adds: import name -> distribution (pyproject.toml)
TESTING_EXTRA = {"hypothesis": "hypothesis", "array_api_strict": "array-api-strict"}


def missing_requirements() -> list[str]:
    """Distributions of the ``testing`` extra that are not installed."""
    import importlib.util
    return [dist for module, dist in TESTING_EXTRA.items()
            if importlib.util.find_spec(module) is None]


def _check_requirements(config) -> None:
    """A one-line fix instead of a collection traceback when the kit's extra is missing.

    Runs before any conftest is imported (a conftest of hal's checkout imports
    array-api-strict), and only when the kit is asked for: this plugin is loaded by
    every pytest run of an environment with hal installed.
    """
    if not _kit_requested(config):
        return
    missing = missing_requirements()
    if missing:
        raise pytest.UsageError(
            f"hal's conformance kit needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            "pip install 'hal-arrays[testing]'  (from a checkout of hal: pip install -e '.[testing]')")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    _check_requirements(early_config)


def pytest_configure(config):
    _check_requirements(config)   # the kit asked for with -p, after the conftests
    _state.CONFIG.update(selector=config.getoption("--hal-device", None),
                         profile=config.getoption("--hal-profile", None),
                         plugin=config.getoption("--hal-plugin", None))


@pytest.fixture(scope="session")
def hal_device():
    """The hal device under test (``--hal-device``); fails the test when the device
    cannot be used, with hal's reason."""
    device, error = _state.device_or_error()
    if device is None:
        pytest.fail(f"the device under test {_state.selector()!r} cannot be used: {error}",
                    pytrace=False)
    return device


@pytest.fixture(scope="session")
def hal_reference():
    """hal's NumPy device: what the device under test is compared with."""
    return _state.reference_device()


def _kit_requested(config) -> bool:
    args = [str(a) for a in config.invocation_params.args]
    return any(a.startswith("hal.testing") or "hal/testing" in a for a in args)


def pytest_report_header(config):
    if not _kit_requested(config):
        return None
    import hal
    device, error = _state.device_or_error()
    if device is None:
        return f"hal conformance kit: device {_state.selector()!r} unusable: {error}"
    return (f"hal conformance kit: {device} ({device.name}), dtypes "
            f"{', '.join(d.name for d in hal.all_dtypes() if d in device.dtypes)}; "
            f"reference: numpy; hypothesis profile {_state.profile()!r}")
