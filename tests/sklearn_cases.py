"""scikit-learn's own Array API checks, run with hal as the namespace.

The cases are scikit-learn's: every estimator tagged ``array_api_support`` through
``check_array_api_input`` (fit, then every method, values compared with NumPy), and
every metric of scikit-learn's ``array_api_metric_checkers`` table through each of its
checkers (NumPy, hal and mixed NumPy/hal inputs, compared with NumPy).  Shared by
tests/test_third_party.py (a representative few on the device under test) and
tests/sklearn/test_sklearn_sweep.py (all of them, ``tox -e sklearn``).
"""

from __future__ import annotations

import os
import traceback
import warnings

# scikit-learn's Array API mode needs SciPy's, which is read when SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


def estimator_cases() -> dict[str, object]:
    """``{case id: run(selector, dtype_name)}`` for each array-API estimator instance."""
    from sklearn.utils import all_estimators
    from sklearn.utils._tags import get_tags
    from sklearn.utils._test_common.instance_generator import (
        _construct_instances,
        _yield_instances_for_check,
    )
    from sklearn.utils.estimator_checks import check_array_api_input

    cases = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated estimators announce themselves
        for name, cls in all_estimators():
            try:
                instances = list(_construct_instances(cls))
            except Exception:  # scikit-learn's own skip: not constructible here
                continue
            for est in instances:
                if not get_tags(est).array_api_support:
                    continue
                for i, inst in enumerate(_yield_instances_for_check(check_array_api_input,
                                                                    est)):
                    def run(selector, dtype_name, name=name, inst=inst):
                        check_array_api_input(name, inst, "hal", selector, dtype_name,
                                              check_values=True)
                    cases[f"{name}-{i}" if i else name] = run
    return cases


def metric_cases() -> dict[str, object]:
    """``{case id: run(selector, dtype_name)}`` for each (metric, checker) pair."""
    from sklearn.metrics.tests.test_common import array_api_metric_checkers

    cases = {}
    for metric, checkers in array_api_metric_checkers.items():
        fn = getattr(metric, "func", metric)  # functools.partial
        kw = getattr(metric, "keywords", {})
        label = fn.__name__ + "".join(f"[{k}={v}]" for k, v in sorted(kw.items()))
        for checker in checkers:
            kind = checker.__name__.removeprefix("check_array_api_")
            kind = kind.removesuffix("_metric")

            def run(selector, dtype_name, metric=metric, checker=checker):
                checker(metric, "hal", selector, dtype_name)
            cases[f"{label}:{kind}"] = run
    return cases


def all_cases() -> dict[str, object]:
    return {**estimator_cases(), **metric_cases()}


def run_case(run, device) -> tuple[str, str]:
    """``("ok", "")`` if the case agrees with NumPy on ``device``, ``("skip", why)`` if
    scikit-learn itself skips it, else ``("fail", why)`` (one line)."""
    import hal

    dtype_name = "float64" if hal.float64 in device.dtypes else "float32"
    try:
        # the checks turn scikit-learn's array_api_dispatch on and off themselves
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(device.selector, dtype_name)
    except Exception as exc:
        first = (str(exc).splitlines() or [""])[0][:160]
        if type(exc).__name__ == "SkipTest":  # scikit-learn's own skip (e.g. no float64)
            return "skip", first
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "fail", (f"{type(exc).__name__}: {first} "
                        f"({os.path.basename(where.filename)}:{where.lineno})")
    return "ok", ""
