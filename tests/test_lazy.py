"""Lazy evaluation (``hal.lazy``): a program sees exactly the eager results, on the
device under test; only when kernels run changes.  Lazy results are compared with
eager hal bit for bit (the fused kernels run the eager kernels' own op functions), and
eager with NumPy where the standard fixes the answer."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import _strategies as S
import hal
import hal._lazy as lazy_mod
import host_view_checks as checks
from hal._elementwise import _ACCEPTS
from hal._optable import BINARY, UNARY




@pytest.fixture(autouse=True, scope="module")
def _defer_every_size():
    """These tests use small arrays; lazy mode runs results under ``MIN_SIZE``
    elements eagerly (test_small_results_run_eagerly checks that), so here every
    size is deferred."""
    saved, lazy_mod.MIN_SIZE = lazy_mod.MIN_SIZE, 0
    yield
    lazy_mod.MIN_SIZE = saved

def defers(device) -> bool:
    return device.backend == "opencl" or (
        device.backend == "oneapi" and "raw_kernels" in device.capabilities.features)


def is_pending(x) -> bool:
    return x._native.__class__ is lazy_mod.Pending


def same(lazy_result, eager_result):
    assert lazy_result.dtype == eager_result.dtype
    assert lazy_result.shape == eager_result.shape
    np.testing.assert_array_equal(hal.to_numpy(lazy_result), hal.to_numpy(eager_result))


def ops_for(dtype, specs):
    return [s for s in specs if dtype.kind in _ACCEPTS[s.accepts]]


def run(fn, *args):
    """``fn(*args)`` eagerly and lazily: (eager result, lazy result, error or None)."""
    with hal.lazy(False):
        try:
            eager = fn(*args)
        except hal.HalError as exc:
            eager = exc
    with hal.lazy():
        try:
            lazy = fn(*args)
        except hal.HalError as exc:
            lazy = exc
    return eager, lazy


def check_same(eager, lazy):
    if isinstance(eager, Exception):
        assert type(lazy) is type(eager), (eager, lazy)
        return
    assert not isinstance(lazy, Exception), lazy
    eager = eager if isinstance(eager, tuple) else (eager,)
    lazy = lazy if isinstance(lazy, tuple) else (lazy,)
    for e, la in zip(eager, lazy):
        same(la, e)


# -- property tests: every op and dtype, in chains --------------------------------------

@pytest.mark.parametrize("dtype", S.dtype_params())
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_elementwise_chains_match_eager(xp, device, dtype, data):
    """Two ops chained (an op's result feeding another, a Python scalar, a broadcast):
    lazily, the same dtypes, shapes, values and errors as eagerly."""
    unary, binary = ops_for(dtype, UNARY), ops_for(dtype, BINARY)
    shape = data.draw(S.shapes(max_dims=2), label="shape")
    a = S.to_device(data.draw(S.arrays(dtype, shape), label="a"))
    b = S.to_device(data.draw(S.arrays(dtype, shape[1:]), label="b (broadcast)"))
    scalar_type = data.draw(st.sampled_from((bool, int, float)), label="scalar type")
    scalar = data.draw(S.python_scalars(scalar_type, dtype), label="scalar")
    op1 = data.draw(st.sampled_from(binary), label="op1") if binary else None
    op2 = data.draw(st.sampled_from(unary), label="op2") if unary else None

    def program(x, y):
        out = []
        z = getattr(hal, op1.name)(x, y) if op1 else x
        out.append(z)
        if op2 is not None and z.dtype.kind in _ACCEPTS[op2.accepts]:
            out.append(getattr(hal, op2.name)(z))
        if op1 is not None:
            try:
                out.append(getattr(hal, op1.name)(x, scalar))
            except hal.HalError:
                pass
        return tuple(out)
    check_same(*run(program, a, b))


@pytest.mark.parametrize("dtype", S.dtype_params("biuf"))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_reductions_of_pending_trees_match_eager_and_numpy(xp, device, dtype, data):
    x = data.draw(S.finite_arrays(dtype, S.shapes(min_dims=1, max_dims=2, min_side=1),
                                  lo=-4, hi=4), label="x")
    name = data.draw(st.sampled_from(["sum", "max", "min", "any", "all"]
                                     + (["mean"] if dtype.kind == "f" else [])), label="op")
    axis = data.draw(st.sampled_from([None, 0, -1]), label="axis")
    a = S.to_device(x)

    def program(v):
        w = hal.astype(v, dtype) if dtype.kind == "b" else v * 2 - v  # = v, as a tree
        return getattr(hal, name)(w, axis=axis), getattr(hal, name)(hal.abs(w) if
                                                                  dtype.kind != "b" else w)
    eager, lazy = run(program, a)
    check_same(eager, lazy)
    expected = getattr(np, name)(x, axis=axis)
    S.assert_close(lazy[0], expected, dtype=lazy[0].dtype, rtol=S.tolerance(dtype) * 8,
                   atol=S.tolerance(dtype) * 8)


def test_a_long_program_matches_numpy(xp, device):
    """Jacobi-like steps with casts, comparisons, where and reductions, vs NumPy."""
    rng = np.random.default_rng(0)
    h = rng.standard_normal((64, 64)).astype(np.float32)
    u = S.to_device(h)
    with hal.lazy():
        for _ in range(5):
            inner = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
            u[1:-1, 1:-1] = inner
        m = hal.astype(u > 0, hal.float32) * u - 1
        total = float(hal.sum(m))
    for _ in range(5):
        h[1:-1, 1:-1] = np.float32(0.25) * (h[:-2, 1:-1] + h[2:, 1:-1] + h[1:-1, :-2]
                                            + h[1:-1, 2:])
    expected = float(np.sum((h > 0).astype(np.float32) * h - 1))
    assert total == pytest.approx(expected, rel=1e-4)


# -- what a program can observe ------------------------------------------------------------

def f32(xp, device, values):
    return hal.asarray(np.asarray(values, dtype=np.float32), device=device)


def test_elementwise_results_are_deferred_on_devices_that_fuse(xp, device):
    x = f32(xp, device, [1, 2, 3])
    with hal.lazy():
        y = (x * 2 + 1) * x
        assert is_pending(y) == defers(device)
        assert y.shape == (3,) and y.dtype == hal.float32  # known without running
        np.testing.assert_array_equal(hal.to_numpy(y), [3, 10, 21])
    with hal.lazy(), hal.lazy(False):
        assert not is_pending(x * 2)


def test_aliasing_a_later_inplace_op_does_not_reach_an_earlier_result(xp, device):
    x = f32(xp, device, [1, 2, 3])
    with hal.lazy():
        y = x * 2
        x += 1
        z = x * 2
        x[0] = 100
        np.testing.assert_array_equal(hal.to_numpy(y), [2, 4, 6])
        np.testing.assert_array_equal(hal.to_numpy(z), [4, 6, 8])
        np.testing.assert_array_equal(hal.to_numpy(x), [100, 3, 4])


def test_inplace_ops_on_pending_arrays(xp, device):
    x = f32(xp, device, [1, 2, 3])
    with hal.lazy():
        y = x + 1          # pending
        keep = y           # another name for the same array
        y *= 2             # in place: both names see it, as eagerly
        y -= x
        np.testing.assert_array_equal(hal.to_numpy(keep), [3, 4, 5])
        assert keep is y
        with pytest.raises(hal.HalTypeError):
            y += hal.asarray(np.ones(3), device=device) if hal.float64 in device.dtypes \
                else hal.asarray(np.ones(3, dtype=np.int64).astype(np.complex64),
                                 device=device)


def test_views_and_setitem_of_pending_arrays(xp, device):
    x = f32(xp, device, np.arange(6).reshape(2, 3))
    with hal.lazy():
        y = x * 10
        row = y[1]                 # a view of y
        y[1, 0] = -1               # the view sees the write, as eagerly
        np.testing.assert_array_equal(hal.to_numpy(row), [-1, 40, 50])
        z = x + 1
        z[:, 1] = y[0, :2] + 0.5   # a pending value written into a pending target
        np.testing.assert_array_equal(hal.to_numpy(z), [[1, 0.5, 3], [4, 10.5, 6]])
        np.testing.assert_array_equal(hal.to_numpy(x), np.arange(6).reshape(2, 3))


def test_scalar_conversions_and_len(xp, device):
    x = f32(xp, device, [1.5, -2.0])
    with hal.lazy():
        s = hal.sum(x * 2)
        t = (x * 0)[0] + 1
        assert float(s) == -1.0 and bool(t) and int(t) == 1
        assert len(x * 2) == 2
        i = hal.asarray(np.array([0, 1], dtype=np.int32), device=device)
        assert [0, 1, 2][(i + 1)[0]] == 1
        assert "2." in repr(x + 1) and "-1." in str(x + 1)


def test_dlpack_and_host_views_of_pending_arrays(xp, device):
    x = f32(xp, device, [1, 2, 3])
    with hal.lazy():
        y = x * 3
        np.testing.assert_array_equal(np.from_dlpack(y.to_device("numpy")), [3, 6, 9])
        for path in checks.paths_for(device):
            views = checks.Views(xp, device, path)
            z = x + 1
            view = views.take(z)
            np.testing.assert_array_equal(views.read(view), [2, 3, 4])
            w = z * 2            # z is shared with the host: computed now, not later
            views.fill(view, 7.0)
            np.testing.assert_array_equal(hal.to_numpy(w), [4, 6, 8])
            np.testing.assert_array_equal(hal.to_numpy(z), [7, 7, 7])
            del view


@pytest.mark.parametrize("check", sorted(checks.CHECKS))
def test_host_view_checks_in_lazy_mode(xp, device, check):
    with hal.lazy():
        for path in checks.paths_for(device):
            assert checks.CHECKS[check](checks.Views(xp, device, path), trials=2) == 0


def test_mode_switch_mid_program(xp, device):
    x = f32(xp, device, [1, 2, 3])
    with hal.lazy():
        y = x * 2 + 1
    with hal.lazy(False):
        z = y * x                   # eager, on a still-pending input
    assert not is_pending(z)
    with hal.lazy():
        w = z - y
        with hal.lazy(False):
            v = w + 1
            assert not is_pending(v)
    np.testing.assert_array_equal(hal.to_numpy(v), [1, 6, 15])
    assert hal.to_numpy(hal.sum(w)).item() == 19


def test_lazy_results_in_jit_and_user_kernels(xp, device):
    x = f32(xp, device, [1, 2, 3])
    f = hal.jit(lambda a: a * a + 1)
    with hal.lazy():
        y = x + 1
        np.testing.assert_array_equal(hal.to_numpy(f(y)), [5, 10, 17])


def test_threads_each_in_lazy_mode(xp, device):
    errors, results = [], {}

    def work(k):
        try:
            with hal.lazy():
                x = f32(xp, device, np.arange(1000) + k)
                acc = x * 0
                for i in range(30):
                    acc = acc + x * (i % 3) - 1
                results[k] = hal.to_numpy(acc)
        except Exception as exc:  # reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in range(2):
        x = (np.arange(1000) + k).astype(np.float32)
        expected = np.zeros(1000, np.float32)
        for i in range(30):
            expected = expected + x * np.float32(i % 3) - np.float32(1)
        np.testing.assert_array_equal(results[k], expected)


def test_errors_come_at_the_op_call(xp, device):
    x = hal.asarray(np.array([1, 2], dtype=np.int8), device=device)
    y = f32(xp, device, [1, 2, 3])
    with hal.lazy():
        with pytest.raises(hal.HalOverflowError):
            x + 1000                                  # Python int out of int8's range
        with pytest.raises(hal.HalValueError):
            hal.pow(x * 1, -1)                        # int ** negative int
        with pytest.raises(hal.HalError):
            (y * 2) + f32(xp, device, [1, 2])         # shapes that do not broadcast
        with pytest.raises(hal.HalTypeError):
            hal.bitwise_and(y * 2, 1)                 # a float where ints are needed
        z = x * 2
        np.testing.assert_array_equal(hal.to_numpy(z // (x * 0)), [0, 0])  # no error


def test_tree_size_is_bounded(xp, device):
    x = f32(xp, device, np.ones(4))
    with hal.lazy():
        y = x
        for _ in range(200):
            y = y * 1 + 1
        if defers(device):
            assert y._native.count <= lazy_mod.MAX_NODES + 2
        np.testing.assert_array_equal(hal.to_numpy(y), np.full(4, 201, np.float32))


def test_lazy_mode_is_on_by_default_on_opencl_and_a_no_op_without_fused_kernels(
        xp, device):
    x = f32(xp, device, [1, 2])
    assert lazy_mod.enabled() == lazy_mod._DEFAULT
    by_default = lazy_mod._DEFAULT and (device.backend == "opencl" or
                                        lazy_mod._MODE in ("1", "true", "yes", "on"))
    assert is_pending(x * 2) == (defers(device) and by_default)
    with hal.lazy():
        assert is_pending(x * 2) == defers(device)
    with hal.lazy(False):
        assert not is_pending(x * 2)
    assert hal.lazy().on and not hal.lazy(False).on


def test_HAL_LAZY_0_turns_it_off_for_the_process(device):
    code = ("import hal, hal._lazy as L; d = hal.get_device(%r); x = hal.ones((8,), device=d); "
            "L.MIN_SIZE = 0; y = x * 2; print(L.ARMED, L.enabled(), "
            "y._native.__class__ is L.Pending)" % device.selector)
    auto = defers(device) and device.backend == "opencl"
    for value, want in (("0", "False False False"), ("1", f"True True {defers(device)}"),
                        ("auto", f"True True {auto}")):
        env = dict(os.environ, HAL_LAZY=value)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.split()
        assert " ".join(out) == want, (value, out)


def test_a_device_first_used_while_armed_gives_values_to_host_code():
    """Lazy mode armed on one device, then a second device's first ops: host copies
    of its pending results are values (dpnp.asnumpy once made an object array of the
    Pending node, because only the devices in use at arming had their runtime wrapped).
    Runs in a fresh process so the second device is truly first used while armed."""
    import subprocess
    import sys
    import textwrap
    code = textwrap.dedent("""
        import hal
        devs = []
        for sel in ("opencl:intel", "oneapi"):
            try:
                devs.append(hal.get_device(sel))
            except Exception:
                pass
        if len(devs) < 2:
            print("SKIP")
            raise SystemExit(0)
        first, second = devs
        with hal.lazy():
            a = hal.ones((4,), dtype=hal.float32, device=first) + 1
            b = hal.ones((4,), dtype=hal.float32, device=second) + 1
            print(hal.to_numpy(a).tolist(), hal.to_numpy(b).tolist(), hal.to_numpy(b).dtype)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout.strip().splitlines()[-1]
    if out == "SKIP":
        pytest.skip("needs two devices that build fused kernels (opencl:intel and oneapi)")
    assert out == "[2.0, 2.0, 2.0, 2.0] [2.0, 2.0, 2.0, 2.0] float32", out


def test_an_inner_node_held_elsewhere_is_written_by_its_trees_kernel(xp, device):
    """``err`` read by several later trees is computed once, as an extra output of the
    first tree's kernel; a node nobody else holds is not written."""
    if not defers(device):
        pytest.skip(f"{device} runs elementwise ops eagerly in lazy mode")
    x_np = np.random.default_rng(5).standard_normal((3, 64)).astype(np.float32)
    x = hal.asarray(x_np, device=device)
    with hal.lazy(False):
        err_e = (x * 2 + 1) * 0.5 - x
        eager = [hal.sum(err_e * x[k]) for k in range(3)]
    with hal.lazy():
        err = (x * 2 + 1) * 0.5 - x
        first = hal.sum(err * x[0])
        assert err._native._value is not None   # written by the first tree's kernel
        rest = [hal.sum(err * x[k]) for k in (1, 2)]
        for got, want in zip([first] + rest, eager):
            same(got, want)
        probe = (x + 1) * 3                     # (x + 1) is held only by the tree
        before = lazy_mod.STATS["kernels"]
        np.testing.assert_array_equal(hal.to_numpy(probe), (x_np + 1) * 3)
        assert lazy_mod.STATS["kernels"] == before + 1


@pytest.mark.parametrize("n", [8, 100, 1000])
def test_fused_bitwise_not_of_an_integer_max_or_min(xp, device, n):
    """Intel's OpenCL CPU compiler returns max(x, y) for ~max(x, y) in the scalar code
    of partial work-groups (hal/_jit/_lower.py ``_barrier``): fused lazily and by
    hal.jit, the results must be NumPy's."""
    rng = np.random.default_rng(n)
    for dtype in (np.int32, np.int64):
        if getattr(hal, dtype.__name__) not in device.dtypes:
            continue
        a_np = rng.integers(0, 1000, n).astype(dtype)
        b_np = rng.integers(0, 1000, n).astype(dtype)
        a, b = hal.asarray(a_np, device=device), hal.asarray(b_np, device=device)

        def program(x, y):
            return (hal.bitwise_invert(hal.maximum(x, y)), -1 - hal.minimum(x, y),
                    hal.bitwise_xor(hal.where(x > y, x, y), -1))
        want = (~np.maximum(a_np, b_np), -1 - np.minimum(a_np, b_np),
                ~np.maximum(a_np, b_np))
        with hal.lazy():
            lazy = program(a, b)
        jitted = hal.jit(program)(a, b)
        for got in (lazy, jitted):
            for g, w in zip(got, want):
                np.testing.assert_array_equal(hal.to_numpy(g), w)



def test_small_results_run_eagerly_and_large_ones_are_deferred(xp, device):
    small = hal.ones((8,), dtype=hal.float32, device=device)
    large = hal.ones((65536,), dtype=hal.float32, device=device)
    saved, lazy_mod.MIN_SIZE = lazy_mod.MIN_SIZE, 65536
    try:
        with hal.lazy():
            assert not is_pending(small * 2 + 1)
            y = large * 2 + 1
            assert is_pending(y) == defers(device)
            assert float(hal.sum(y)) == 3.0 * large.size
    finally:
        lazy_mod.MIN_SIZE = saved


def test_a_tree_whose_kernel_cannot_be_built_runs_op_by_op(xp, device, monkeypatch):
    """Fusion is an optimisation: when the driver cannot build a fused kernel (its
    compiler out of memory under a memory cap, found by the reliability battery), the
    tree runs as eager ops, with eager's results."""
    if not defers(device):
        pytest.skip(f"{device} runs elementwise ops eagerly in lazy mode")

    def refuse(*args, **kwargs):
        raise hal.KernelBuildError("the driver refused (test)")
    monkeypatch.setattr(lazy_mod, "_compile", refuse)
    monkeypatch.setattr(lazy_mod, "_KERNELS", {})
    x_np = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = hal.asarray(x_np, device=device)
    before = lazy_mod.STATS["eager_trees"]
    with hal.lazy():
        kept = x * 2
        y = hal.astype((1 - kept) * x[0] + 0.5, hal.float64)
        got = hal.to_numpy(y)
        assert hal.to_numpy(kept).tolist() == (x_np * 2).tolist()
    want = ((1 - x_np * np.float32(2)) * x_np[0] + np.float32(0.5)).astype(np.float64)
    np.testing.assert_array_equal(got, want)
    assert lazy_mod.STATS["eager_trees"] > before
