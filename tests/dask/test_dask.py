"""hal arrays as Dask chunks (README, "More than one device or machine"): dask.array
operations on the device under test, and a real 2-process LocalCluster whose workers
hold their chunks on different devices (worker 0 on opencl:intel, worker 1 on the
NumPy device) and exchange them through hal's Dask serializer.  Run by `tox -e dask`."""

import numpy as np
import pytest

import hal

da = pytest.importorskip("dask.array", reason="the dask extra: pip install hal-arrays[dask]")
import dask  # noqa: E402

import hal.dask  # noqa: E402,F401  (registers hal with Dask)

distributed = pytest.importorskip("distributed", reason="the dask extra")


def _dtype(device):
    return np.float64 if hal.float64 in device.dtypes else np.float32


@pytest.fixture
def chunked(device):
    host = np.random.default_rng(0).standard_normal((12, 10)).astype(_dtype(device))
    x = hal.asarray(host, device=device)
    return host, da.from_array(x, chunks=(5, 4), asarray=False)


@pytest.mark.parametrize("name,build", [
    ("elementwise", lambda m, X: m.exp(X) * 2 + X),
    ("sum axis 0", lambda m, X: X.sum(axis=0)),
    ("mean axis 1", lambda m, X: X.mean(axis=1)),
    ("std", lambda m, X: X.std(axis=0)),
    ("max", lambda m, X: X.max(axis=1)),
    ("matmul", lambda m, X: X @ X.T),
    ("tensordot", lambda m, X: m.tensordot(X, X, axes=((0,), (0,)))),
    ("rechunk", lambda m, X: (X.rechunk((3, 10)) if m is da else X) + 1),
    ("concatenate", lambda m, X: m.concatenate([X, X[:, :3]], axis=1)),
    ("slice", lambda m, X: X[2:9, ::3].T),
])
def test_dask_array_ops_on_hal_chunks(chunked, device, name, build):
    host, X = chunked
    with dask.config.set(scheduler="threads"):
        got = build(da, X).compute()
    assert isinstance(got, hal.Array) and got.device == device, name
    want = build(np, host)
    tol = 1e-10 if host.dtype == np.float64 else 1e-4
    np.testing.assert_allclose(hal.to_numpy(got), want, rtol=tol, atol=tol, err_msg=name)


def test_map_blocks_with_hal_meta(chunked, device):
    host, X = chunked
    Y = X.map_blocks(hal.sin, meta=hal.empty((0, 0), dtype=X.dtype, device=device))
    assert isinstance(Y._meta, hal.Array)
    got = Y.sum().compute(scheduler="sync")
    assert got.device == device
    np.testing.assert_allclose(float(got), np.sin(host).sum(), rtol=1e-4)


# -- a real cluster -----------------------------------------------------------------

WORKER_DEVICES = ["opencl:intel", "numpy"]


@pytest.fixture(scope="module")
def client():
    try:
        hal.get_device("opencl:intel")
    except hal.HalError as exc:
        pytest.skip(f"worker 0 runs on opencl:intel, which this machine lacks: {exc}")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, worker_dashboard_address=None,
                                  memory_limit=None) as cluster, \
            distributed.Client(cluster) as c:
        c.register_plugin(hal.dask.DevicePlugin(WORKER_DEVICES))
        yield c


def _chunk_devices(dask_worker):
    return sorted({str(v.device) for v in dask_worker.data.values()
                   if isinstance(v, hal.Array)})


def _sent(client):
    return sum(client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
               .values())


def test_cluster_workers_hold_chunks_on_their_own_devices(client):
    workers = client.run(lambda dask_worker: (dask_worker.name,
                                               str(hal.dask.worker_device())))
    # a device's name depends on what else this machine lists ("opencl" when Intel's is
    # the only OpenCL device, "opencl:0" beside PoCL): ask hal, as the workers did
    opencl = str(hal.get_device(WORKER_DEVICES[0]))
    assert sorted(workers.values()) == [(0, opencl), (1, "numpy")]
    host = np.arange(64 * 48, dtype=np.float32).reshape(64, 48) / 100
    # independent chunk tasks spread over both workers; each puts its NumPy block on
    # its own (default) device explicitly
    X = da.from_array(host, chunks=(8, 48)).map_blocks(
        lambda b: hal.asarray(b), meta=hal.empty((0, 0), dtype=hal.float32))
    X = X.persist()
    distributed.wait(X)
    held = client.run(_chunk_devices)
    by_name = {workers[addr][0]: devs for addr, devs in held.items()}
    assert by_name == {0: [opencl], 1: ["numpy"]}
    sent_before = _sent(client)
    total = (X.sum(axis=0) + (X.T @ X).sum(axis=1)).compute()
    want = host.sum(axis=0) + (host.T @ host).sum(axis=1)
    assert isinstance(total, hal.Array)
    np.testing.assert_allclose(hal.to_numpy(total), want, rtol=1e-4)
    assert _sent(client) >= sent_before


def test_cluster_results_equal_numpys_with_chunks_moving(client):
    rng = np.random.default_rng(3)
    host = rng.standard_normal((96, 32)).astype(np.float32)
    X = da.from_array(hal.asarray(host, device="numpy"), chunks=(12, 32), asarray=False)
    X = X.persist()
    distributed.wait(X)
    sent_before = _sent(client)
    results = dask.compute(X.sum(axis=0), X.mean(axis=1), X.T @ X,
                           da.concatenate([X, X], axis=0).max(axis=0))
    wants = (host.sum(axis=0), host.mean(axis=1), host.T @ host,
             np.concatenate([host, host]).max(axis=0))
    for got, want in zip(results, wants):
        assert isinstance(got, hal.Array)
        np.testing.assert_allclose(hal.to_numpy(got), want, rtol=1e-4, atol=1e-4)
    # the reductions combine chunks held by both workers: some moved between them
    assert _sent(client) > sent_before
