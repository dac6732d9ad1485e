"""Manipulation functions and ``astype`` against NumPy, for every dtype of the device
(shapes and dtypes of concat/stack promotion also against array-api-strict)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import _strategies as hs
import hal as xp

strict = hs.strict

ALL = hs.dtype_params()


def _array(data, dtype, **shape_kw):
    a = data.draw(hs.arrays(dtype, hs.shapes(**shape_kw) if shape_kw else None), label="x")
    return a, hs.to_device(a)


def _axis(data, ndim, label="axis", extra=0):
    return data.draw(st.integers(-(ndim + extra), ndim + extra - 1), label=label)


# -- astype ----------------------------------------------------------------------------

def _cast_safe_values(source, target):
    """Values whose cast to ``target`` the standard defines (no NaN/inf/out-of-range
    floats to integers)."""
    if source.kind in "fc" and target.kind in "iu":
        return hs.finite_arrays(source, lo=0, hi=100)
    return hs.arrays(source)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_astype(dtype, data, device):
    target = data.draw(st.sampled_from(hs.device_dtypes()), label="target")
    a = data.draw(_cast_safe_values(dtype, target), label="x")
    x = hs.to_device(a)
    if dtype.kind == "c" and target.kind != "c":
        with pytest.raises(TypeError) as info:
            xp.astype(x, target)
        assert isinstance(info.value, xp.HalError) and "astype" in str(info.value)
        return
    copy = data.draw(st.booleans(), label="copy")
    out = xp.astype(x, target, copy=copy)
    with np.errstate(all="ignore"):
        hs.assert_matches(out, a.astype(hs.np_dtype(target)))
    if not copy and target is dtype:
        assert out is x, "astype(copy=False) to the same dtype returns x itself"
    elif a.size:
        assert out is not x


@pytest.mark.parametrize("dtype", [p for p in ALL if p.values[0] is not xp.float16])
def test_astype_refuses_what_strict_refuses(dtype):
    """complex -> real or bool drops information: both refuse it, nothing else."""
    a = np.ones(2, dtype=hs.np_dtype(dtype))
    for target in hs.device_dtypes():
        if target is xp.float16:
            continue
        try:
            strict.astype(strict.asarray(a), hs.strict_dtype(target))
            refused = False
        except TypeError:
            refused = True
        if refused:
            with pytest.raises(TypeError):
                xp.astype(hs.to_device(a), target)
        else:
            assert xp.astype(hs.to_device(a), target).dtype is target


def test_astype_device_and_names(device):
    x = hs.to_device(np.arange(3))
    hs.assert_matches(xp.astype(x, xp.float32, device=device), np.arange(3.0, dtype="f4"))
    hs.assert_matches(xp.astype(x, "int16"), np.arange(3, dtype="i2"))
    with pytest.raises(TypeError):
        xp.astype(x, "not a dtype")


# -- broadcasting ----------------------------------------------------------------------

@given(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=4))
def test_broadcast_shapes(shapes):
    expected = np.broadcast_shapes(*shapes.input_shapes)
    # (strict has broadcast_shapes from 2025.12 only; hal offers it early)
    assert xp.broadcast_shapes(*shapes.input_shapes) == expected == shapes.result_shape


def test_broadcast_shapes_mismatch():
    with pytest.raises(ValueError) as info:
        xp.broadcast_shapes((2, 3), (4,))
    assert isinstance(info.value, xp.HalError)
    assert xp.broadcast_shapes() == ()


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_broadcast_to(dtype, data):
    target = data.draw(hs.shapes(), label="target")
    # x's shape: a suffix of the target with some sides set to 1
    n = data.draw(st.integers(0, len(target)), label="ndim")
    suffix = target[len(target) - n:]
    ones = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="ones")
    shape = tuple(1 if one else side for side, one in zip(suffix, ones))
    a = data.draw(hs.arrays(dtype, shape), label="x")
    hs.assert_matches(xp.broadcast_to(hs.to_device(a), target), np.broadcast_to(a, target))


def test_broadcast_to_refuses(device):
    with pytest.raises(ValueError) as info:
        xp.broadcast_to(hs.to_device(np.ones((2, 3))), (3, 3))
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_broadcast_arrays(dtype, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3,
                                                         max_side=3), label="shapes")
    arrays = [data.draw(hs.arrays(dtype, s), label="x") for s in shapes.input_shapes]
    out = xp.broadcast_arrays(*[hs.to_device(a) for a in arrays])
    ref = np.broadcast_arrays(*arrays)
    assert len(out) == len(ref)
    for got, want in zip(out, ref):
        hs.assert_matches(got, want)


# -- concat / stack --------------------------------------------------------------------

def _other_dtypes(dtype):
    """Mostly ``dtype`` itself, sometimes any dtype of the device (promotion)."""
    return st.sampled_from([dtype] * len(hs.device_dtypes()) + hs.device_dtypes())


def _same_shaped_arrays(data, dtype, shape, count):
    """``count`` arrays of ``shape``: the first of ``dtype``, others of any dtype."""
    dtypes = [dtype] + [data.draw(_other_dtypes(dtype), label="dtype")
                        for _ in range(count - 1)]
    return [data.draw(hs.arrays(d, shape), label="x") for d in dtypes], dtypes


def _promoted(dtypes):
    result = dtypes[0]
    for d in dtypes[1:]:
        result = hs.expected_promotion(result, d) if result is not None else None
    return result


def _strict_check(fn, arrays, got, **kwargs):
    """Compare shape and dtype with array-api-strict where it has every dtype."""
    if any(hs.strict_dtype(hs.hal_dtype(a.dtype)) is None for a in arrays):
        return
    try:
        ref = fn([strict.asarray(a) for a in arrays], **kwargs)
    except TypeError:
        return
    assert ref.shape == got.shape
    assert hs.strict_dtype_name(ref.dtype) == got.dtype.name


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_concat(dtype, data):
    base = data.draw(hs.shapes(min_dims=1), label="shape")
    count = data.draw(st.integers(1, 3), label="count")
    use_none = data.draw(st.booleans(), label="axis=None")
    axis = None if use_none else _axis(data, len(base))
    arrays, dtypes = [], []
    for i in range(count):
        shape = list(base)
        if axis is not None:  # sides may differ along the axis only
            shape[axis] = data.draw(st.integers(0, 3), label="side")
        d = dtype if i == 0 else data.draw(_other_dtypes(dtype), label="dtype")
        arrays.append(data.draw(hs.arrays(d, tuple(shape)), label="x"))
        dtypes.append(d)
    expected = _promoted(dtypes)
    hal_arrays = [hs.to_device(a) for a in arrays]
    if expected is None:
        with pytest.raises(TypeError):
            xp.concat(hal_arrays, axis=axis)
        return
    out = xp.concat(hal_arrays, axis=axis)
    cast = [a.astype(hs.np_dtype(expected)) for a in arrays]
    ref = np.concatenate([c.ravel() for c in cast]) if axis is None \
        else np.concatenate(cast, axis=axis)
    hs.assert_matches(out, ref, dtype=expected)
    _strict_check(strict.concat, arrays, out, axis=axis)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_stack(dtype, data):
    shape = data.draw(hs.shapes(), label="shape")
    count = data.draw(st.integers(1, 3), label="count")
    arrays, dtypes = _same_shaped_arrays(data, dtype, shape, count)
    axis = _axis(data, len(shape) + 1)
    expected = _promoted(dtypes)
    hal_arrays = [hs.to_device(a) for a in arrays]
    if expected is None:
        with pytest.raises(TypeError):
            xp.stack(hal_arrays, axis=axis)
        return
    out = xp.stack(hal_arrays, axis=axis)
    ref = np.stack([a.astype(hs.np_dtype(expected)) for a in arrays], axis=axis)
    hs.assert_matches(out, ref, dtype=expected)
    _strict_check(strict.stack, arrays, out, axis=axis)


def test_concat_stack_bad_shapes(device):
    a, b = hs.to_device(np.ones((2, 3))), hs.to_device(np.ones((3, 2)))
    for fn in (lambda: xp.concat([a, b], axis=0), lambda: xp.stack([a, b]),
               lambda: xp.concat([hs.to_device(np.ones(()))])):
        with pytest.raises(ValueError) as info:
            fn()
        assert isinstance(info.value, xp.HalError)


# -- axes ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_expand_dims(dtype, data):
    a, x = _array(data, dtype)
    axis = _axis(data, a.ndim + 1)
    hs.assert_matches(xp.expand_dims(x, axis=axis), np.expand_dims(a, axis))
    # the valid range is -ndim-1 .. ndim; beyond it the standard asks for IndexError
    hs.assert_matches(xp.expand_dims(x, axis=a.ndim), np.expand_dims(a, a.ndim))
    hs.assert_matches(xp.expand_dims(x, axis=-a.ndim - 1), np.expand_dims(a, 0))
    for bad in (a.ndim + 1, -a.ndim - 2):
        with pytest.raises(IndexError):
            xp.expand_dims(x, axis=bad)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_flip(dtype, data):
    a, x = _array(data, dtype)
    choice = data.draw(st.sampled_from(["none", "int", "tuple"]), label="axis kind")
    if choice == "none" or a.ndim == 0:
        axis = None
    elif choice == "int":
        axis = _axis(data, a.ndim)
    else:
        axis = tuple(data.draw(st.lists(st.integers(0, a.ndim - 1), unique=True),
                               label="axes"))
    hs.assert_matches(xp.flip(x, axis=axis), np.flip(a, axis=axis))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_moveaxis(dtype, data):
    a, x = _array(data, dtype, min_dims=1)
    n = data.draw(st.integers(1, a.ndim), label="count")
    axes = st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=n, max_size=n,
                    unique_by=lambda i: i % a.ndim)
    src, dst = data.draw(axes, label="source"), data.draw(axes, label="destination")
    if n == 1 and data.draw(st.booleans(), label="ints"):
        src, dst = src[0], dst[0]
    else:
        src, dst = tuple(src), tuple(dst)
    hs.assert_matches(xp.moveaxis(x, src, dst), np.moveaxis(a, src, dst))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_permute_dims(dtype, data):
    a, x = _array(data, dtype)
    axes = tuple(data.draw(st.permutations(range(a.ndim)), label="axes"))
    hs.assert_matches(xp.permute_dims(x, axes), np.permute_dims(a, axes))
    if a.ndim:
        with pytest.raises(ValueError):
            xp.permute_dims(x, axes[:-1])


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_squeeze(dtype, data):
    a, x = _array(data, dtype)
    ones = [i for i, s in enumerate(a.shape) if s == 1]
    axes = data.draw(st.lists(st.sampled_from(ones), unique=True, min_size=1), label="axes") \
        if ones else []
    if axes:
        axis = tuple(axes) if len(axes) > 1 else axes[0] - a.ndim  # a negative int too
        hs.assert_matches(xp.squeeze(x, axis=axis), np.squeeze(a, axis=axis))
    others = [i for i, s in enumerate(a.shape) if s != 1]
    if others:
        with pytest.raises(ValueError) as info:
            xp.squeeze(x, axis=others[0])
        assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_unstack(dtype, data):
    a, x = _array(data, dtype, min_dims=1)
    axis = _axis(data, a.ndim)
    out = xp.unstack(x, axis=axis)
    ref = tuple(np.moveaxis(a, axis, 0))
    assert isinstance(out, tuple) and len(out) == len(ref)
    for got, want in zip(out, ref):
        hs.assert_matches(got, want)


# -- shape changes ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_reshape(dtype, data):
    a, x = _array(data, dtype)
    # a new shape of the same size: the size's factors, regrouped, maybe with a -1
    size = a.size
    shape = list(data.draw(st.sampled_from(_factorizations(size)), label="shape"))
    if shape and size and data.draw(st.booleans(), label="use -1"):
        shape[data.draw(st.integers(0, len(shape) - 1), label="-1 at")] = -1
    copy = data.draw(st.sampled_from([None, True]), label="copy")
    out = xp.reshape(x, tuple(shape), copy=copy)
    hs.assert_matches(out, np.reshape(a, tuple(shape)))
    with pytest.raises(ValueError) as info:
        xp.reshape(x, (size + 1,))
    assert isinstance(info.value, xp.HalError)


def _factorizations(n):
    if n == 0:
        return [(0,), (0, 3), (2, 0, 1)]
    found = [(n,), (1, n), (n, 1)]
    for d in range(2, n):
        if n % d == 0:
            found.append((d, n // d))
    return found if n != 1 else found + [()]


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_repeat(dtype, data):
    a, x = _array(data, dtype)
    axis = None if a.ndim == 0 or data.draw(st.booleans(), label="flat") \
        else _axis(data, a.ndim)
    n = a.size if axis is None else a.shape[axis]
    if data.draw(st.booleans(), label="array repeats") and n:
        reps = np.asarray(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n),
                                    label="repeats"), dtype=hs.np_dtype(hs.default_int()))
        out = xp.repeat(x, hs.to_device(reps), axis=axis)
    else:
        reps = data.draw(st.integers(0, 3), label="repeats")
        out = xp.repeat(x, reps, axis=axis)
    hs.assert_matches(out, np.repeat(a, reps, axis=axis))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_roll(dtype, data):
    a, x = _array(data, dtype)
    if a.ndim == 0 or data.draw(st.booleans(), label="flat"):
        axis, shift = None, data.draw(st.integers(-6, 6), label="shift")
    else:
        axes = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim,
                                  unique=True), label="axes")
        shifts = data.draw(st.lists(st.integers(-6, 6), min_size=len(axes),
                                    max_size=len(axes)), label="shifts")
        axis, shift = (tuple(axes), tuple(shifts)) if len(axes) > 1 else (axes[0], shifts[0])
    hs.assert_matches(xp.roll(x, shift, axis=axis), np.roll(a, shift, axis=axis))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_tile(dtype, data):
    a, x = _array(data, dtype)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), max_size=4), label="reps"))
    hs.assert_matches(xp.tile(x, reps), np.tile(a, reps))


def test_axis_errors_name_the_op(device):
    x = hs.to_device(np.ones((2, 3)))
    cases = {"flip": lambda: xp.flip(x, axis=2), "roll": lambda: xp.roll(x, 1, axis=-3),
             "unstack": lambda: xp.unstack(x, axis=5),
             "moveaxis": lambda: xp.moveaxis(x, 0, 4),
             "expand_dims": lambda: xp.expand_dims(x, axis=-4)}
    for name, fn in cases.items():
        with pytest.raises((ValueError, IndexError)) as info:
            fn()
        assert isinstance(info.value, xp.HalError), name
        assert name in str(info.value), (name, str(info.value))
