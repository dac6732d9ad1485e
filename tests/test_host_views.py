"""Host views never see queued work half done, and never race it (a few trials on the
device under test; tests/reliability/test_host_views.py runs many on every device)."""

from __future__ import annotations

import pytest

import host_view_checks as checks


@pytest.mark.parametrize("check", sorted(checks.CHECKS))
def test_host_view_sees_eager_results(xp, device, check):
    views = checks.Views(xp, device)
    assert checks.CHECKS[check](views, trials=3) == 0


def test_view_of_an_array_keeps_the_device_asynchronous_once_dropped(xp, device):
    """A dropped view no longer forces ops to finish: results stay right either way."""
    x = xp.ones((1000,), dtype=xp.float32, device=device)
    views = checks.Views(xp, device)
    view = views.take(x)
    del view
    y = x * 3
    assert float(xp.sum(y)) == 3000.0
