"""The kernel registry and the dispatcher, on a real but restricted backend.

``RestrictedPlugin`` (tests/_plugin_helpers.py) is registered with
``hal.register_plugin`` for this module: one device without float64/complex128 and
float32 kernels for a handful of ops only.  Everything else it is asked to do must go
through a core decomposition or the fallback policy, visibly (warnings, counts,
``hal.trace``, ``hal.explain``), and never silently.
"""

from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np
import pytest

import hal
from hal import _dispatch, _policy
from hal._dispatch import op

from _plugin_helpers import (RESTRICTED_DTYPES, RestrictedPlugin, clean_env,
                             forget_fallbacks, registered, run_python)

BACKEND = "restricted"
PLUGIN = "restricted_plugin"


@pytest.fixture(scope="module")
def plugin():
    with registered(RestrictedPlugin(BACKEND), PLUGIN, BACKEND) as p:
        yield p


@pytest.fixture(scope="module")
def dev(plugin):
    return hal.get_device(BACKEND)


@pytest.fixture(autouse=True)
def fresh_resolutions():
    """Each test sees first resolutions: once-per-key warnings and counts start over."""
    forget_fallbacks(BACKEND)
    _dispatch.clear_caches()
    yield
    forget_fallbacks(BACKEND)
    _dispatch.clear_caches()


def f32(values, dev):
    return hal.asarray(np.asarray(values, dtype=np.float32), device=dev)


def host(x) -> np.ndarray:
    return hal.to_numpy(x)


def fallback_warnings(record) -> list:
    return [w for w in record if issubclass(w.category, hal.HalFallbackWarning)]


# -- the device and its capabilities ---------------------------------------------------

def test_registered_backend_is_a_device_without_float64(plugin, dev):
    assert dev in hal.devices()
    assert str(dev) == BACKEND and dev.backend == BACKEND
    assert dev.name == "Restricted Test Device"
    assert hal.float64 not in dev.dtypes and hal.complex128 not in dev.dtypes
    assert hal.float32 in dev.dtypes
    assert dev.runtime is plugin.runtime
    # a CPU-class device of a plugin is never chosen as the default over NumPy
    assert hal.get_device("numpy") in hal.devices()
    assert hal.devices().index(dev) > hal.devices().index(hal.get_device("numpy"))


def test_default_dtypes_of_the_device_are_float32(dev):
    info = hal.__array_namespace_info__()
    assert info.default_dtypes(device=dev) == {
        "real floating": hal.float32, "complex floating": hal.complex64,
        "integral": hal.int64, "indexing": hal.int64}
    assert info.dtypes(device=dev, kind="real floating") == {"float32": hal.float32}
    assert info.dtypes(device=dev, kind="complex floating") == {"complex64": hal.complex64}
    assert "float64" not in info.dtypes(device=dev)
    # Python data and creation functions without dtype= use those defaults
    assert hal.asarray([1.0, 2.0], device=dev).dtype is hal.float32
    assert hal.asarray(1j, device=dev).dtype is hal.complex64
    z = hal.zeros((2, 3), device=dev)
    assert (z.dtype, z.device, z.shape) == (hal.float32, dev, (2, 3))
    assert np.array_equal(host(z), np.zeros((2, 3), np.float32))
    # a Python float with an integer array gives the device's default float
    with hal.fallback_policy("allow"):
        q = hal.asarray([1, 2], device=dev) / 2.0
    assert q.dtype is hal.float32 and np.allclose(host(q), [0.5, 1.0])


@pytest.mark.parametrize("make", [
    pytest.param(lambda d: hal.asarray([1.0], dtype=hal.float64, device=d), id="asarray"),
    pytest.param(lambda d: hal.asarray(np.ones(2)), id="asarray-numpy-float64-data"),
    pytest.param(lambda d: hal.zeros(3, dtype=hal.float64, device=d), id="zeros"),
    pytest.param(lambda d: hal.full(3, 1.0, dtype="float64", device=d), id="full"),
    pytest.param(lambda d: hal.astype(f32([1, 2], d), hal.float64), id="astype"),
    pytest.param(lambda d: hal.asarray([1.0], dtype=hal.float64).to_device(d),
                 id="to_device"),
])
def test_float64_is_refused_naming_devices_that_hold_it(dev, make):
    with pytest.raises(hal.HalTypeError) as info:
        with hal.default_device(dev):
            make(dev)
    msg = str(info.value)
    assert isinstance(info.value, TypeError)
    assert "float64" in msg and "'Restricted Test Device' (restricted)" in msg
    assert "numpy" in msg.split("a device with")[-1]      # where float64 does work
    assert "use float32" in msg


def test_complex128_is_refused_too(dev):
    with pytest.raises(hal.HalTypeError, match=r"complex128 .*restricted.*use complex64"):
        hal.asarray([1j], dtype=hal.complex128, device=dev)


# -- decompositions ----------------------------------------------------------------------

X = [0.5, -1.5, 2.0, 3.25]
Y = [1.0, 2.0, -0.5, 0.75]


@pytest.mark.parametrize("name, nargs, kwargs, reference", [
    ("square", 1, {}, lambda x, y: np.square(x)),
    # (hypot decomposes through maximum/where, which this device lacks)
    ("linalg.vecdot", 2, {}, lambda x, y: np.vecdot(x, y)),
    ("linalg.vector_norm", 1, {}, lambda x, y: np.linalg.vector_norm(x)),
    ("linalg.vector_norm", 1, {"ord": 1}, lambda x, y: np.linalg.vector_norm(x, ord=1)),
])
def test_decomposition_runs_on_the_devices_own_kernels(dev, name, nargs, kwargs, reference):
    args = [f32(X, dev), f32(Y, dev)][:nargs]
    # "error": any host fallback inside the decomposition would raise
    with hal.fallback_policy("error"):
        e = hal.explain(name, *args, **kwargs)
        result = _dispatch_by_name(name)(*args, **kwargs)
    assert e.how == "decomposition" and not e.fallback
    assert e.kernel == f"hal decomposition of {name}"
    main = [r for r in e.resolutions if r.op == name]
    assert main and main[0].plugin == "hal"
    assert any(f"no plugin registers a {name} kernel for restricted" in r
               for r in main[0].reasons)
    steps = [r for r in e.resolutions if r.op != name]
    assert steps and all(r.how == "kernel" and r.plugin == PLUGIN for r in steps)
    assert result.device is dev and result.dtype is hal.float32
    expected = reference(np.float32(X), np.float32(Y))
    np.testing.assert_allclose(host(result), expected, rtol=1e-6)


def _dispatch_by_name(name):
    target = hal
    for part in name.split("."):
        target = getattr(target, part)
    return target


def test_explain_a_linalg_function_object_reports_its_decomposition(dev):
    x = f32(X, dev)
    with hal.fallback_policy("error"):
        by_function = hal.explain(hal.linalg.vector_norm, x)
        by_name = hal.explain("linalg.vector_norm", x)
    assert by_function.op == by_name.op == "linalg.vector_norm"
    assert by_function.how == by_name.how == "decomposition"


def test_decomposition_whose_steps_fall_back(dev):
    x, y = f32(X, dev), f32(Y, dev)
    with hal.fallback_policy("allow"):
        e = hal.explain(hal.logaddexp, x, y)
        result = hal.logaddexp(x, y)
    assert e.how == "decomposition" and e.fallback  # a step ran on the host
    fell_back = {r.op for r in e.resolutions if r.fallback}
    assert {"maximum", "log1p"} <= fell_back
    assert "exp" not in fell_back and "add" not in fell_back    # native kernels
    np.testing.assert_allclose(host(result), np.logaddexp(np.float32(X), np.float32(Y)),
                               rtol=1e-6)
    assert result.device is dev and result.dtype is hal.float32


# -- the fallback policy -----------------------------------------------------------------

def test_warn_gives_one_warning_per_op_device_and_dtypes(dev):
    x = f32(X, dev)
    key = ("sin", BACKEND, ("float32",))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with hal.fallback_policy("warn"):
            a = hal.sin(x)
            b = hal.sin(x)
            c = hal.sin(f32([[1.0, 2.0]], dev))                  # same key, new shape
            _dispatch.clear_caches()                             # re-resolved: no new warning
            d = hal.sin(x)
            e = hal.sin(hal.asarray([1j], device=dev))            # new dtypes: a new key
    found = fallback_warnings(record)
    assert len(found) == 2, [str(w.message) for w in found]
    first = str(found[0].message)
    assert "hal.sin" in first and "restricted (Restricted Test Device)" in first
    assert "(float32)" in first and "HAL_FALLBACK" in first
    assert "(complex64)" in str(found[1].message)
    assert found[0].filename == __file__       # points at the caller's line, not hal's
    counts = hal.fallback_counts()
    assert counts[key] == 4
    assert counts[("sin", BACKEND, ("complex64",))] == 1
    for r, expected in ((a, np.sin(np.float32(X))), (b, np.sin(np.float32(X))),
                        (c, np.sin(np.float32([[1, 2]]))), (d, np.sin(np.float32(X)))):
        assert r.device is dev and r.dtype is hal.float32
        np.testing.assert_allclose(host(r), expected, rtol=1e-6)
    assert e.dtype is hal.complex64 and e.device is dev


def test_warn_is_the_default_and_is_an_error_under_pytest_filterwarnings(dev):
    # pyproject's filterwarnings turns HalFallbackWarning into an error in this suite,
    # so an unexpected fallback anywhere in the tests fails loudly.
    with hal.fallback_policy("warn"):
        with pytest.warns(hal.HalFallbackWarning, match="hal.cosh has no kernel"):
            hal.cosh(f32(X, dev))


def test_allow_is_silent_and_counted(dev):
    x = f32(X, dev)
    before = hal.fallback_counts().get(("cos", BACKEND, ("float32",)), 0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with hal.fallback_policy("allow"):
            r1 = hal.cos(x)
            r2 = hal.cos(x)
    assert fallback_warnings(record) == []
    assert hal.fallback_counts()[("cos", BACKEND, ("float32",))] == before + 2
    np.testing.assert_allclose(host(r1), np.cos(np.float32(X)), rtol=1e-6)
    assert host(r2).dtype == np.float32


def test_error_raises_naming_the_op_and_the_device(dev):
    x = f32(X, dev)
    counts = hal.fallback_counts()
    with hal.fallback_policy("error"):
        with pytest.raises(hal.HalNotImplementedError) as info:
            hal.tan(x)
        assert isinstance(info.value, NotImplementedError)
        msg = str(info.value)
        assert msg.startswith("tan cannot run on 'Restricted Test Device' (restricted)")
        assert "HAL_FALLBACK=error" in msg and "to_device" in msg
        # the non-elementwise path and advanced indexing obey the same policy
        with pytest.raises(hal.HalNotImplementedError, match=r"^flip .*\(restricted\)"):
            hal.flip(x)
        with pytest.raises(hal.HalNotImplementedError, match=r"getitem_advanced .*restricted"):
            x[hal.asarray([0, 1], device=dev)]
        # but what the device has kernels for still runs
        np.testing.assert_allclose(host(x + x), 2 * np.float32(X))
    assert hal.fallback_counts() == counts   # nothing ran on the host


def test_the_policy_context_manager_restores_and_rejects_unknown_policies():
    before = hal.get_fallback_policy()
    with hal.fallback_policy("error"):
        assert hal.get_fallback_policy() == "error"
        with hal.fallback_policy("allow"):
            assert hal.get_fallback_policy() == "allow"
        assert hal.get_fallback_policy() == "error"
    assert hal.get_fallback_policy() == before
    with pytest.raises(hal.HalValueError, match="error, warn, allow"):
        hal.set_fallback_policy("sometimes")
    with pytest.raises(hal.HalValueError):
        with hal.fallback_policy("never"):
            pass
    assert hal.get_fallback_policy() == before


def test_HAL_FALLBACK_is_read_from_the_environment(monkeypatch):
    monkeypatch.setitem(_policy._state, "policy", None)   # as in a fresh process
    monkeypatch.setenv("HAL_FALLBACK", "Allow")
    assert hal.get_fallback_policy() == "allow"
    monkeypatch.setitem(_policy._state, "policy", None)
    monkeypatch.setenv("HAL_FALLBACK", "bogus")
    with pytest.raises(hal.HalValueError, match=r"HAL_FALLBACK='bogus'.*error, warn, allow"):
        hal.get_fallback_policy()


def test_HAL_FALLBACK_error_in_a_fresh_process():
    code = """
        import json, hal, numpy as np
        from _plugin_helpers import RestrictedPlugin
        hal.register_plugin(RestrictedPlugin("restricted"), "restricted_plugin")
        x = hal.asarray([1.0, 2.0], device="restricted")
        out = {"policy": hal.get_fallback_policy(), "native": hal.to_numpy(x + x).tolist()}
        try:
            hal.sin(x)
        except hal.HalNotImplementedError as exc:
            out["error"] = str(exc)
        print(json.dumps(out))
    """
    here = os.path.dirname(__file__)
    proc = run_python(code, clean_env(HAL_FALLBACK="error", PYTHONPATH=here,
                                      HAL_DISABLE_PLUGINS="opencl"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["policy"] == "error" and out["native"] == [2.0, 4.0]
    assert out["error"].startswith("sin cannot run on 'Restricted Test Device'")


@pytest.mark.parametrize("name, run, reference", [
    ("flip", lambda x: hal.flip(x), lambda a: np.flip(a)),
    ("sort", lambda x: hal.sort(x), lambda a: np.sort(a)),
    ("ones", lambda x: hal.ones(3, device=x.device), lambda a: np.ones(3, np.float32)),
    ("cumulative_sum", lambda x: hal.cumulative_sum(x), lambda a: np.cumulative_sum(a)),
    ("getitem_advanced", lambda x: x[hal.asarray([3, 0, 0], device=x.device)],
     lambda a: a[[3, 0, 0]]),
    ("getitem_advanced", lambda x: x[x > 0.0], lambda a: a[a > 0]),
])
def test_fallback_of_other_ops_copies_through_the_host(dev, name, run, reference):
    x = f32(X, dev)
    with hal.fallback_policy("allow"), hal.trace() as t:
        result = run(x)
    assert result.device is dev and result.dtype is hal.float32
    np.testing.assert_allclose(host(result), reference(np.float32(X)), rtol=1e-6)
    assert name in {e.op for e in t.fallbacks}
    assert hal.fallback_counts()[(name, BACKEND, ("float32",))] == 1


def test_setitem_with_an_index_array_falls_back_and_writes(dev):
    x = f32(X, dev)
    view_source = x
    with hal.fallback_policy("allow"):
        x[hal.asarray([0, 2], device=dev)] = 7.0
        x[1:2] = 5.0            # basic: the device's own setitem kernel
    expected = np.float32(X)
    expected[[0, 2]] = 7.0
    expected[1] = 5.0
    np.testing.assert_array_equal(host(x), expected)
    assert x is view_source and x.device is dev
    assert hal.fallback_counts()[("setitem_advanced", BACKEND, ("float32",))] == 1
    assert ("setitem", BACKEND, ("float32",)) not in hal.fallback_counts()


def test_a_dtype_no_kernel_takes_falls_back_with_the_reason(dev):
    a = hal.asarray([1, 2, 3], dtype=hal.int32, device=dev)
    with hal.fallback_policy("allow"):
        e = hal.explain("add", a, a)
        r = a + a
    assert e.how == "host fallback" and e.fallback and e.kernel == "numpy.add"
    assert any("does not take (int32)" in reason for reason in e.resolutions[-1].reasons)
    assert r.dtype is hal.int32 and r.device is dev
    np.testing.assert_array_equal(host(r), [2, 4, 6])


# -- trace and explain --------------------------------------------------------------------

def test_trace_records_every_op_with_kernel_and_fallback(dev):
    x = f32(X, dev)
    with hal.fallback_policy("allow"), hal.trace() as t:
        y = x + x
        z = hal.sin(y)
        s = hal.sum(z)
        _ = x + x                        # a cache hit is recorded too
    got = [(e.op, e.device, e.dtypes, e.kernel, e.how, e.fallback) for e in t.events]
    assert got == [
        ("add", BACKEND, ("float32",), f"{PLUGIN}.add", "kernel", False),
        ("sin", BACKEND, ("float32",), "numpy.sin", "host fallback", True),
        ("sum", BACKEND, ("float32",), "restricted.sum", "kernel", False),
        ("add", BACKEND, ("float32",), f"{PLUGIN}.add", "kernel", False),
    ]
    assert len(t) == 4 and list(t) == t.events
    assert [e.op for e in t.fallbacks] == ["sin"]
    assert all(e.seconds >= 0 for e in t.events)
    assert {r.op for r in t.resolutions} == {"add", "sin", "sum"}
    assert "1 fallbacks" in repr(t) and "numpy.sin" in t.summary()
    np.testing.assert_allclose(float(s), np.sum(np.sin(2 * np.float32(X))), rtol=1e-5)
    # closed: later ops are not recorded, and the cache no longer holds recorders
    x * x
    assert len(t) == 4
    assert hal.explain("multiply", x, x).kernel == f"{PLUGIN}.multiply"


def test_nested_traces_both_record(dev):
    x = f32(X, dev)
    with hal.trace() as outer:
        x + x
        with hal.trace() as inner:
            x * x
        x - x
    assert [e.op for e in outer.events] == ["add", "multiply", "subtract"]
    assert [e.op for e in inner.events] == ["multiply"]


def test_explain_names_the_kernel_and_the_plugin(dev):
    x = f32(X, dev)
    e = hal.explain("add", x, x)
    assert (e.op, e.how, e.kernel, e.fallback) == ("add", "kernel", f"{PLUGIN}.add", False)
    res = e.resolutions[-1]
    assert res.plugin == PLUGIN and res.device is dev and res.dtypes == (hal.float32,)
    text = str(e)
    assert f"runs: {PLUGIN}.add  [kernel, plugin '{PLUGIN}']" in text
    assert "hal.add on restricted (Restricted Test Device) for (float32)" in text
    assert "result dtype: hal.float32" in text

    s = hal.explain(hal.sum, x)
    assert (s.how, s.kernel, s.resolutions[-1].plugin) == ("kernel", "restricted.sum", PLUGIN)

    with hal.fallback_policy("allow"):
        f = hal.explain(hal.sin, x)
    assert (f.how, f.kernel, f.fallback) == ("host fallback", "numpy.sin", True)
    assert f.resolutions[-1].plugin == "numpy"
    assert "no plugin registers a sin kernel for restricted" in str(f)
    # the host kernel is part of the fallback, not an op of its own
    assert [r.device for r in f.resolutions] == [dev]

    one = hal.asarray([1.0], device="numpy")
    n = hal.explain("add", one, one)
    assert (n.kernel, n.resolutions[-1].plugin) == ("numpy.add", "numpy")


# -- devices never mix ---------------------------------------------------------------------

def test_mixing_devices_raises_naming_both(dev):
    x = f32(X, dev)
    y = hal.asarray(np.float32(Y), device="numpy")
    attempts = [lambda: x + y, lambda: y * x, lambda: hal.add(x, y),
                lambda: hal.stack([x, y]), lambda: hal.where(x > 0, x, y)]
    for attempt in attempts:
        with pytest.raises(hal.HalDeviceError) as info, hal.fallback_policy("allow"):
            attempt()
        msg = str(info.value)
        assert isinstance(info.value, ValueError)
        assert "restricted" in msg and "numpy" in msg and ".to_device(" in msg, msg
    with pytest.raises(hal.HalDeviceError, match=r"restricted.*to_device"):
        x[0:2] = y[0:2]
    with pytest.raises(hal.HalDeviceError, match=r"numpy.*restricted.*to_device"):
        x[hal.asarray([0, 1], device="numpy")]
    # the explicit move works, and is a real copy
    moved = y.to_device(dev)
    assert moved.device is dev
    np.testing.assert_allclose(host(x + moved), np.float32(X) + np.float32(Y))


# -- the dispatcher cache ---------------------------------------------------------------

def counting(monkeypatch, module, calls):
    real = module.resolve

    def spy(o, device, dtypes):
        calls.append((o.name, str(device)))
        return real(o, device, dtypes)
    monkeypatch.setattr(module, "resolve", spy)


def test_second_call_is_a_cache_hit(monkeypatch, dev):
    import hal._elementwise as elementwise
    calls: list = []
    counting(monkeypatch, elementwise, calls)
    counting(monkeypatch, _dispatch, calls)
    x, y = f32(X, dev), f32(Y, dev)
    add = op("add")
    assert (x._p, y._p) not in add.cache
    first = x + y
    entry = add.cache[(x._p, y._p)]
    kernel, placement = entry
    assert placement.device is dev and placement.dtype is hal.float32
    assert add.resolutions[(x._p, y._p)].kernel == f"{PLUGIN}.add"
    n = len(calls)
    assert n >= 1
    second = x + y
    third = hal.add(x, y)
    assert len(calls) == n                    # no resolution: the cache answered
    assert add.cache[(x._p, y._p)] is entry
    np.testing.assert_array_equal(host(second), host(first))
    np.testing.assert_array_equal(host(third), host(first))

    s1 = hal.sum(x)
    m = len(calls)
    s2 = hal.sum(x)
    # (a reduction keeping x's dtype is cached under x's placement, as indexing is)
    assert len(calls) == m and x._p in op("sum").cache
    assert float(s1) == float(s2)

    x[1:3]
    k = len(calls)
    x[0:2]
    x[1]
    assert len(calls) == k and x._p in op("getitem").cache


def test_registering_a_plugin_later_clears_caches_and_adds_its_kernels(dev):
    x = f32(X, dev)
    x + x
    assert op("add").cache

    class SinPlugin:
        @hal.hookimpl
        def hal_register_kernels(self, backend, registry):
            if backend == BACKEND:
                from _plugin_helpers import Buf
                registry.register("sin", lambda a: Buf(np.sin(a.a)), dtypes=("float32",),
                                  name="late.sin")

    with hal.fallback_policy("error"):
        with pytest.raises(hal.HalNotImplementedError):
            hal.sin(x)
        with registered(SinPlugin(), "late_sin_plugin"):
            assert not op("add").cache and not op("sin").cache
            e = hal.explain(hal.sin, x)
            assert (e.how, e.kernel, e.resolutions[-1].plugin) == \
                ("kernel", "late.sin", "late_sin_plugin")
            np.testing.assert_allclose(host(hal.sin(x)), np.sin(np.float32(X)), rtol=1e-6)
        with pytest.raises(hal.HalNotImplementedError):    # gone again
            hal.sin(x)


def test_kernels_are_asked_for_once_per_backend_and_lazily():
    plugin = RestrictedPlugin("restricted_lazy")
    with registered(plugin, "restricted_lazy_plugin", "restricted_lazy"):
        d = hal.get_device("restricted_lazy")
        x = hal.asarray([1.0, 2.0], device=d)
        assert plugin.kernel_calls == 0          # devices and data need no kernels
        for _ in range(3):
            x + x
            hal.exp(x)
            _dispatch.clear_caches()
        assert plugin.kernel_calls == 1
    assert "restricted_lazy" not in {dv.backend for dv in hal.devices()}


def test_synchronize_reaches_the_runtime(plugin, dev):
    before = plugin.runtime.synchronized
    hal.synchronize(dev)
    hal.synchronize("restricted")
    assert plugin.runtime.synchronized == before + 2
    hal.synchronize()                            # every active device
    assert plugin.runtime.synchronized == before + 3


def test_math_sanity_of_native_kernels(dev):
    x = f32(X, dev)
    r = hal.sqrt(hal.abs(x)) * 2.0 - hal.exp(x) + 1.0
    expected = np.sqrt(np.abs(np.float32(X))) * 2 - np.exp(np.float32(X)) + 1
    np.testing.assert_allclose(host(r), expected, rtol=1e-6)
    assert r.dtype is hal.float32
    assert math.isclose(float(hal.sum(x)), sum(X), rel_tol=1e-6)


NO_X64 = tuple(d for d in RESTRICTED_DTYPES if d not in ("int64", "uint64"))


@pytest.mark.parametrize("name, run, reference", [
    ("argmax", lambda x: hal.argmax(x), lambda a: np.argmax(a)),
    ("argsort", lambda x: hal.argsort(x), lambda a: np.argsort(a, stable=True)),
    ("nonzero", lambda x: hal.nonzero(x)[0], lambda a: np.nonzero(a)[0]),
    ("searchsorted", lambda x: hal.searchsorted(hal.sort(x), x),
     lambda a: np.searchsorted(np.sort(a), a)),
    ("unique_counts", lambda x: hal.unique_counts(x).counts,
     lambda a: np.unique_counts(a).counts),
])
def test_host_fallback_indices_use_the_devices_index_dtype(name, run, reference):
    """NumPy answers int64; a device without int64 gets its own index dtype."""
    plugin = RestrictedPlugin("restricted_nox64", dtypes=NO_X64)
    with registered(plugin, "restricted_nox64_plugin", "restricted_nox64"):
        d = hal.get_device("restricted_nox64")
        assert d.default_index is hal.int32
        x = hal.asarray([1.0, 3.0, 0.0, 3.0, 2.0], device=d)
        with hal.fallback_policy("allow"):
            result = run(x)
        assert result.device is d and result.dtype is hal.int32
        np.testing.assert_array_equal(host(result), reference(np.float32(host(x))))
