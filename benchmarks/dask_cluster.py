"""A 2-worker LocalCluster sum and matmul over a chunked array several times one
worker's chunk size: hal chunks (worker 0 on opencl:intel, worker 1 on the NumPy
device, hal.dask.DevicePlugin) against NumPy chunks, with the bytes the workers sent
each other (Worker.transfer_outgoing_bytes_total).  python benchmarks/dask_cluster.py"""

import time

import numpy as np

import dask.array as da
import distributed

import hal
import hal.dask

N, M, CHUNK = 4096, 512, 512          # 8 row chunks of 1 MiB (float32) each
REPEAT = 5


def sent(client):
    return sum(client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
               .values())


def run(client, X, label):
    out = {}
    for name, build in (("sum", lambda: X.sum(axis=0)), ("matmul", lambda: X.T @ X)):
        build().compute()  # warm-up: kernels built, connections open
        before, times = sent(client), []
        for _ in range(REPEAT):
            t = time.perf_counter()
            result = build().compute()
            times.append(time.perf_counter() - t)
        moved = (sent(client) - before) / REPEAT
        out[name] = (min(times), moved, result)
        print(f"{label:6s} {name:6s} best {min(times) * 1e3:7.1f} ms   "
              f"moved between workers {moved / 2**20:6.2f} MiB per run")
    return out


def main():
    host = np.random.default_rng(0).standard_normal((N, M)).astype(np.float32)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, memory_limit=None) as cluster, \
            distributed.Client(cluster) as client:
        client.register_plugin(hal.dask.DevicePlugin(["opencl:intel", "numpy"]))
        Xn = da.from_array(host, chunks=(CHUNK, M)).persist()
        Xh = da.from_array(host, chunks=(CHUNK, M)).map_blocks(
            lambda b: hal.asarray(b), meta=hal.empty((0, 0), dtype=hal.float32)).persist()
        distributed.wait([Xn, Xh])
        where = client.run(lambda dask_worker: sorted(
            {str(getattr(v, "device", "ndarray")) for v in dask_worker.data.values()}))
        print("chunks per worker:", where)
        numpy_r = run(client, Xn, "numpy")
        hal_r = run(client, Xh, "hal")
        for name in ("sum", "matmul"):
            np.testing.assert_allclose(hal.to_numpy(hal_r[name][2]), numpy_r[name][2],
                                       rtol=1e-3, atol=1e-2)
            print(f"{name}: hal/numpy time {hal_r[name][0] / numpy_r[name][0]:.2f}x, "
                  f"bytes moved hal/numpy {hal_r[name][1] / max(numpy_r[name][1], 1):.2f}x")


if __name__ == "__main__":
    main()
