"""Every scikit-learn Array API check (tests/sklearn_cases.py: each estimator tagged
``array_api_support``, each metric checker) on every device here, against the same
checks on hal's NumPy device: a device must agree with NumPy wherever hal's NumPy
device does (issue 13: "on every backend as on hal's NumPy device").  The cases that
fail on the NumPy device too are listed in the closing figures, not hidden."""

from __future__ import annotations

import pytest

import hal
import sklearn_cases

pytest.importorskip("sklearn", reason="scikit-learn is in the test extra")


@pytest.fixture(scope="module")
def cases():
    return sklearn_cases.all_cases()


@pytest.fixture(scope="module")
def on_numpy(cases):
    """Case id -> (status, why) on hal's NumPy device: the reference."""
    device = hal.get_device("numpy")
    return {case: sklearn_cases.run_case(run, device) for case, run in cases.items()}


def test_sklearn_agrees_with_numpy_as_on_hal_numpy(sweep_device, cases, on_numpy,
                                                    sweep_counts):
    results = {case: sklearn_cases.run_case(run, sweep_device)
               for case, run in cases.items()}
    failing = sorted(c for c, (status, _) in results.items() if status == "fail")
    ran = [c for c, (status, _) in results.items() if status != "skip"]
    sweep_counts[str(sweep_device)] = (len(ran) - len(failing), len(ran), failing)
    worse = {c: results[c][1] for c in failing if on_numpy[c][0] == "ok"}
    assert not worse, f"{sweep_device} disagrees where hal's NumPy device agrees: {worse}"
    assert len(ran) > 100, f"only {len(ran)} of scikit-learn's checks ran"
