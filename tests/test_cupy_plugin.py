"""The CuPy backend on this machine: discovery, and unavailability without a GPU.

These run with the real CuPy wheel (``pip install -e ".[cuda12]"``) and skip without
it.  On a machine with no driver or no GPU the backend must be listed as unavailable
with a reason and a fix, and hal must go on working.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys

import pytest

import hal

needs_cupy = pytest.mark.skipif(importlib.util.find_spec("cupy") is None,
                                reason="CuPy is not installed (pip install -e '.[cuda12]')")


def test_entry_point_names_the_plugin():
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="hal.plugins")}
    assert eps.get("cupy") == "hal_cupy"


def test_import_hal_imports_no_cupy():
    """``import hal`` loads no plugin at all; using the NumPy device loads the plugin
    module (tiny) but still not CuPy."""
    code = ("import sys, hal; before = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('cupy', 'cupy_backends', 'hal_cupy')); hal.asarray([1.0]) + 1; "
            "print(before, sorted(m for m in sys.modules if m.split('.')[0] in "
            "('cupy', 'cupy_backends')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"HAL_DEVICE": "numpy", **_env()})
    assert out.stdout.strip() == "[] []"


def _env():
    import os
    return {k: v for k, v in os.environ.items() if k != "HAL_DEVICE"}


@needs_cupy
def test_backend_is_listed_with_its_state():
    from hal._plugins import host
    state = host.backend("cupy")
    assert state is not None and state.plugin == "cupy"
    assert state.spec.priority > host.backend("numpy").spec.priority
    if state.availability.available:
        assert state.devices and all(d.backend == "cupy" for d in state.devices)
    else:
        assert state.availability.reason and state.availability.fix
        assert state.devices == []


@needs_cupy
def test_unavailable_without_gpu_says_why_and_hal_still_works():
    import cupy
    try:
        has_gpu = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        has_gpu = False
    if has_gpu:
        pytest.skip("a CUDA/ROCm device is present: the backend is available here")
    rows = {u.name: u for u in hal.unavailable_plugins()}
    row = rows["cupy"]
    assert row.kind == "backend"
    assert "no CUDA driver" in row.reason or "no device" in row.reason \
        or "no ROCm driver" in row.reason
    assert "nvidia-smi" in row.fix or "rocminfo" in row.fix
    assert not [d for d in hal.devices() if d.backend == "cupy"]
    with pytest.raises(hal.HalError):
        hal.get_device("cupy")
    # everything else goes on
    x = hal.asarray([1.0, 2.0], device="numpy")
    assert float(hal.sum(x)) == 3.0


@needs_cupy
def test_cli_devices_and_doctor_show_the_row(capsys):
    from hal import _cli
    _cli.main(["devices", "--no-check"])
    out = capsys.readouterr().out
    assert "cupy" in out
    _cli.main(["doctor"])
    out = capsys.readouterr().out
    assert "cupy" in out
