"""Third-party programs written against the Array API standard, run on hal.

These are the programs a new user brings: scikit-learn's Array API mode and the
array-api-extra helpers.  Each runs once on NumPy arrays (the reference) and once on
hal arrays of the device under test, and the results must agree.  A representative
few of scikit-learn's own Array API checks run here (tests/sklearn_cases.py); all of
them, on every device, in ``tox -e sklearn`` (tests/sklearn_sweep/).
"""

import os

# scikit-learn's Array API mode needs SciPy's, which is read when SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import hal  # noqa: E402
import sklearn_cases  # noqa: E402

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is in the test extra")
xpx = pytest.importorskip("array_api_extra", reason="array-api-extra is in the test extra")


@pytest.fixture(scope="module")
def data(device):
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3,
                               random_state=0)
    dtype = np.float64 if hal.float64 in device.dtypes else np.float32
    return X.astype(dtype), y


def _estimators():
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    return [
        ("LinearDiscriminantAnalysis", lambda: LinearDiscriminantAnalysis(), "transform"),
        ("PCA", lambda: PCA(n_components=3, svd_solver="full"), "transform"),
        ("StandardScaler", lambda: StandardScaler(), "transform"),
        ("MinMaxScaler", lambda: MinMaxScaler(), "transform"),
        ("Ridge", lambda: Ridge(solver="svd"), "predict"),
    ]


@pytest.mark.parametrize("name,make,method", _estimators(), ids=[e[0] for e in _estimators()])
def test_sklearn_array_api_mode_matches_numpy(name, make, method, data, device):
    from sklearn import config_context
    X, y = data
    expected = getattr(make().fit(X, y), method)(X)
    with config_context(array_api_dispatch=True):
        Xh = hal.asarray(X, device=device)
        yh = hal.asarray(y, device=device)
        fitted = make().fit(Xh, yh)
        result = getattr(fitted, method)(Xh)
    assert isinstance(result, hal.Array), f"{name} returned {type(result)}"
    assert result.device == device
    tol = 1e-10 if X.dtype == np.float64 else 1e-4
    np.testing.assert_allclose(hal.to_numpy(result), expected, rtol=tol, atol=tol)


def test_array_api_extra_functions_match_numpy(device):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 4))
    if hal.float64 not in device.dtypes:
        A = A.astype(np.float32)
    h = hal.asarray(A, device=device)
    checks = {
        "cov": (xpx.cov(h.T), np.cov(A.T)),
        "kron": (xpx.kron(h, h), np.kron(A, A)),
        "sinc": (xpx.sinc(h), np.sinc(A)),
        "pad": (xpx.pad(h, 2), np.pad(A, 2)),
        "at.set": (xpx.at(h)[0, :].set(0.0), np.vstack([np.zeros(4), A[1:]])),
        "setdiff1d": (xpx.setdiff1d(hal.asarray([4, 1, 2, 3], device=device),
                                    hal.asarray([2, 4], device=device)), np.array([1, 3])),
        "one_hot": (xpx.one_hot(hal.asarray([0, 2, 1], device=device), 3),
                    np.eye(3)[[0, 2, 1]]),
    }
    for name, (got, expected) in checks.items():
        assert isinstance(got, hal.Array), name
        np.testing.assert_allclose(hal.to_numpy(got), expected, rtol=1e-5, atol=1e-6,
                                   err_msg=name)


#: scikit-learn's own checks, chosen to cover what its Array API mode does with hal
#: arrays: fits and predictions, label handling (unique values, one-hot), sorting
#: (curves), pairwise reductions, and the mixed NumPy/hal inputs that go through
#: np.asarray (a zero-copy host view on host-memory devices)
REPRESENTATIVE = (
    "LogisticRegression", "GaussianNB", "Nystroem", "PolynomialFeatures",
    "accuracy_score:multiclass_classification",
    "confusion_matrix:multiclass_classification",
    "f1_score:multiclass_classification",
    "roc_curve:binary_classification",
    "log_loss:multiclass_continuous_classification",
    "r2_score:regression_metric_multioutput",
    "median_absolute_error:regression",
    "mean_tweedie_deviance[power=1.5]:regression",
    "euclidean_distances:metric_pairwise",
    "pairwise_distances_argmin:metric_pairwise",
)


@pytest.fixture(scope="module")
def sklearn_checks():
    return sklearn_cases.all_cases()


#: scikit-learn with array_api_dispatch off passes hal arrays to NumPy's functions: hal
#: answers them on the array's device, as CuPy does (README, "More than one device or
#: machine"), so np.unique(y) gives a hal array, which scikit-learn then compares with
#: a NumPy array: refused, as hal refuses every hal/NumPy mix (before hal answered
#: NumPy's protocols, np.unique converted through np.asarray and this case agreed).
#: NumPy functions hal lacks, or called with NumPy arrays among the arguments, run
#: NumPy's own code on zero-copy views of host-memory devices (log_loss agrees again).
_NUMPY_RESULTS_MIXED_WITH_HAL = pytest.mark.xfail(
    strict=True, reason="np.unique(hal_array) is a hal array (CuPy's semantics); "
                        "scikit-learn's dispatch-off path compares it with an ndarray")
REPRESENTATIVE = tuple(
    pytest.param(case, marks=_NUMPY_RESULTS_MIXED_WITH_HAL)
    if case == "roc_curve:binary_classification" else case
    for case in REPRESENTATIVE)


@pytest.mark.parametrize("case", REPRESENTATIVE)
def test_sklearn_own_array_api_check(case, sklearn_checks, device):
    status, why = sklearn_cases.run_case(sklearn_checks[case], device)
    assert status == "ok", f"{case} on {device}: {why}"


def test_constants_from_xp_asarray_are_host_scalars(device):
    """SciPy and array-api-extra make constants with xp.asarray(c) and no device: a 0-D
    array on the NumPy device, which combines with arrays on any device as a Python
    scalar would (README, "More than one device or machine")."""
    import scipy.stats
    rng = np.random.default_rng(1)
    A = rng.standard_normal(40).astype(np.float64 if hal.float64 in device.dtypes
                                       else np.float32)
    h = hal.asarray(A, device=device)
    got = scipy.stats.ttest_1samp(h, 0.1)
    want = scipy.stats.ttest_1samp(A, 0.1)
    assert isinstance(got.statistic, hal.Array) and got.statistic.device == device
    tol = 1e-10 if A.dtype == np.float64 else 1e-4
    np.testing.assert_allclose(float(got.statistic), want.statistic, rtol=tol)
    np.testing.assert_allclose(float(got.pvalue), want.pvalue, rtol=tol)
    clipped = xpx.at(h)[1:5].min(0.0)
    assert clipped.device == device
    expected = A.copy()
    expected[1:5] = np.minimum(A[1:5], 0.0)
    np.testing.assert_array_equal(hal.to_numpy(clipped), expected)
