"""Which device the kit tests, against which reference, with which hypothesis profile.

Set by the pytest plugin (``--hal-device``, ``--hal-profile``, ``--hal-plugin``) when
pytest configures itself; read lazily, so that importing ``hal.testing`` neither
loads plugins nor touches a device.  Outside pytest the device under test is
``$HAL_TEST_BACKEND`` or ``numpy``.
"""

from __future__ import annotations

import os

#: hal's reference backend: every device is compared with it
REFERENCE = "numpy"

#: hypothesis profiles of the kit: name -> settings keyword arguments
PROFILES = {
    # a full kit run on the NumPy backend in well under two minutes
    "default": dict(max_examples=5),
    # the same, reproducible (tox / CI)
    "ci": dict(max_examples=5, derandomize=True, database=None),
    # hunting bugs before a release
    "thorough": dict(max_examples=100),
}

CONFIG: dict = {"selector": None, "profile": None, "plugin": None}


def selector() -> str:
    """The selector of the device under test."""
    return (CONFIG["selector"] or os.environ.get("HAL_TEST_BACKEND", "").strip()
            or REFERENCE)


def profile() -> str:
    name = CONFIG["profile"]
    if name is None:
        name = "ci" if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else "default"
    return name


def device_under_test():
    """The ``hal.Device`` the kit (and ``hal.testing``'s helpers) test."""
    import hal
    return hal.get_device(selector())


def device_or_error():
    """``(device, None)``, or ``(None, why the device cannot be used)``."""
    try:
        return device_under_test(), None
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


def reference_device():
    """The NumPy backend's device: what every result is compared with."""
    import hal
    return hal.get_device(REFERENCE)


def hypothesis_settings(**overrides):
    """A ``hypothesis.settings`` for the kit's profile (decorator)."""
    from hypothesis import HealthCheck, settings
    kwargs = dict(deadline=None, print_blob=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.filter_too_much,
                                         HealthCheck.function_scoped_fixture])
    name = profile()
    if name != "thorough":
        # inputs are small already: no shrinking, so a failing kit run stays short
        from hypothesis import Phase
        kwargs["phases"] = (Phase.explicit, Phase.reuse, Phase.generate)
    kwargs.update(PROFILES[name])
    kwargs.update(overrides)
    return settings(**kwargs)
