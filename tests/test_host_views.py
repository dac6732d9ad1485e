"""Host views never see queued work half done, and never race it (a few trials on the
device under test; tests/reliability/test_host_views.py runs many on every device).
Views are taken each way a device offers: its DLPack consumer, NumPy's host import
(``np.from_dlpack(x, device="cpu")``) and ``np.asarray(x)``."""

from __future__ import annotations

import pytest

import host_view_checks as checks


def _assert_no_host_view(xp, device, path):
    """Memory the host cannot address: that way of viewing it is refused outright."""
    x = xp.ones((4,), dtype=xp.float32, device=device)
    with pytest.raises((xp.HalDeviceError, BufferError)):
        checks.take_by(path, x)


@pytest.mark.parametrize("path", checks.PATHS)
@pytest.mark.parametrize("check", sorted(checks.CHECKS))
def test_host_view_sees_eager_results(xp, device, check, path):
    if path not in checks.paths_for(device):
        _assert_no_host_view(xp, device, path)
        return
    views = checks.Views(xp, device, path)
    assert checks.CHECKS[check](views, trials=3) == 0


@pytest.mark.parametrize("path", checks.PATHS)
def test_view_of_an_array_keeps_the_device_asynchronous_once_dropped(xp, device, path):
    """A dropped view no longer forces ops to finish: results stay right either way."""
    if path not in checks.paths_for(device):
        _assert_no_host_view(xp, device, path)
        return
    x = xp.ones((1000,), dtype=xp.float32, device=device)
    views = checks.Views(xp, device, path)
    view = views.take(x)
    del view
    y = x * 3
    assert float(xp.sum(y)) == 3000.0
