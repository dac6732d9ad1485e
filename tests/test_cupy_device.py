"""The CuPy backend on a real CUDA or ROCm device (marked ``gpu``: skipped without one).

Each test compares with NumPy, the reference backend.  None of these ran on the
machine this was written on (no GPU); they run in tox's cuda / rocm environments.
"""

from __future__ import annotations

import numpy as np
import pytest

import hal

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def dev():
    devices = [d for d in hal.devices() if d.backend == "cupy"]
    if not devices:
        reasons = [u.reason for u in hal.unavailable_plugins() if u.name == "cupy"]
        pytest.skip(f"no CuPy device: {reasons[0] if reasons else 'cupy not installed'}")
    return devices[0]


def test_device_info(dev):
    assert dev.info.vendor in ("NVIDIA", "AMD")
    assert dev.info.device_type == "gpu" and dev.info.memory_bytes > 0
    assert dev.info.compute_units > 0
    assert hal.float64 in dev.dtypes and hal.float16 in dev.dtypes


def test_elementwise_and_scalars_match_numpy(dev):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = hal.asarray(a, device=dev)
    r = hal.exp(x) * 2.0 + x
    assert r.dtype == hal.float32 and r.device == dev
    np.testing.assert_allclose(hal.to_numpy(r), np.exp(a) * 2 + a, rtol=4e-6)
    i8 = hal.asarray(np.array([1, 2, 3], dtype=np.int8), device=dev)
    s = i8 + 1
    assert s.dtype == hal.int8 and hal.to_numpy(s).dtype == np.int8


def test_adapted_ops_match_numpy(dev):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 5))
    x = hal.asarray(a, device=dev)
    np.testing.assert_allclose(hal.to_numpy(hal.var(x, axis=0, correction=1)),
                               np.var(a, axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_array_equal(hal.to_numpy(hal.sort(x, axis=1, descending=True)),
                                  -np.sort(-a, axis=1))
    np.testing.assert_allclose(hal.to_numpy(hal.linalg.vector_norm(x, axis=(0, 1), ord=3)),
                               np.linalg.vector_norm(a, axis=(0, 1), ord=3), rtol=1e-12)
    np.testing.assert_allclose(hal.to_numpy(hal.linalg.matrix_norm(x)),
                               np.linalg.matrix_norm(a), rtol=1e-12)
    np.testing.assert_array_equal(
        hal.to_numpy(hal.cumulative_prod(x, axis=0, include_initial=True)),
        np.cumulative_prod(a, axis=0, include_initial=True))


def test_dlpack_and_cuda_array_interface_are_zero_copy(dev):
    import cupy
    x = hal.asarray(np.arange(6, dtype=np.float32), device=dev)
    c = cupy.from_dlpack(x)
    c[0] = 42.0
    hal.synchronize(dev)
    assert float(x[0]) == 42.0
    iface = x.__cuda_array_interface__
    assert iface["shape"] == (6,) and iface["data"][0] == c.data.ptr
    back = hal.from_dlpack(c, device=dev)
    assert back._native.data.ptr == c.data.ptr


def test_portable_kernels_build_on_the_device(dev):
    from hal import _kernelcheck
    target = "hip" if "ROCm" in dev.info.platform else "cuda"
    results = _kernelcheck.check(target, dev, files=["fill.c"], dtypes=[hal.float32])
    assert results and all(r.ok for r in results), [r.error for r in results]
