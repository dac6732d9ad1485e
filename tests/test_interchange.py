"""Host views and DLPack per the standard, on the device under test.

* ``np.asarray(x)`` (``__array__``, NumPy 2's ``dtype``/``copy`` protocol) is a
  zero-copy view on devices whose memory is the host's (the ``host_memory`` feature:
  NumPy, CPU OpenCL and SYCL devices); device memory refuses implicit conversion.
* ``__dlpack__(dl_device=(1, 0), copy=...)``: ``None`` copies only if it must,
  ``False`` never copies (``BufferError``), ``True`` always copies.

Views racing queued work are covered by tests/test_host_views.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import hal
from _plugin_helpers import RestrictedPlugin, registered

KDLCPU = (1, 0)


def _host_memory(device) -> bool:
    return "host_memory" in device.capabilities.features


def _x(device, values=(0.0, 1.0, 2.0, 3.0, 4.0, 5.0), dtype=None):
    return hal.asarray(np.asarray(values, dtype=dtype or np.float32), device=device)


@pytest.fixture
def host_device(device):
    if not _host_memory(device):
        pytest.skip(f"{device}: memory the host cannot address (no host_memory); "
                    f"the refusal is tested on the restricted device below")
    return device


# -- np.asarray: zero-copy views of host memory ---------------------------------------

def test_asarray_is_a_view_both_ways(host_device):
    x = _x(host_device)
    view = np.asarray(x)
    assert view.dtype == np.float32 and view.shape == (6,)
    x[0] = 7.0                       # a hal write is seen by the view
    assert view[0] == 7.0
    view[1] = -1.0                   # a host write is seen by hal's next op
    np.testing.assert_array_equal(hal.to_numpy(x * 2), [14, -2, 4, 6, 8, 10])
    assert np.asarray(x, copy=False)[1] == -1.0


def test_asarray_views_strided_arrays(host_device):
    base = hal.reshape(hal.arange(24, dtype=hal.float32, device=host_device), (4, 6))
    expected = np.arange(24, dtype=np.float32).reshape(4, 6)
    cases = {
        "slice": (base[1:3, 2:5], expected[1:3, 2:5]),
        "step": (base[::2, 1::3], expected[::2, 1::3]),
        "flip": (hal.flip(base, axis=1), expected[:, ::-1]),
        "transpose": (base.mT, expected.T),
        "0-d": (base[2, 3], expected[2, 3]),
    }
    for name, (x, want) in cases.items():
        got = np.asarray(x)
        np.testing.assert_array_equal(got, want, err_msg=name)
    # a write through a strided view lands where the hal view says
    np.asarray(base[1:3, 2:5])[...] = -5.0
    expected[1:3, 2:5] = -5.0
    np.testing.assert_array_equal(hal.to_numpy(base), expected)


def test_asarray_copy_and_dtype_follow_numpy2(host_device):
    x = _x(host_device)
    copied = np.asarray(x, copy=True)
    also = np.array(x)               # np.array copies by default
    copied[0] = also[0] = 100.0
    assert float(x[0]) == 0.0, "copy=True must not share memory"
    cast = np.asarray(x, dtype=np.float64)  # copy=None: a cast copy is allowed
    assert cast.dtype == np.float64 and cast[2] == 2.0
    assert np.asarray(x, dtype=np.float32, copy=False)[3] == 3.0  # same dtype: a view
    with pytest.raises(hal.HalValueError) as info:
        np.asarray(x, dtype=np.float64, copy=False)
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert str(host_device) in msg and "copy=False" in msg and "astype" in msg, msg


def test_oneapi_view_matches_dpnp(device):
    """On a CPU SYCL device the NumPy view and dpnp's own view are the same bytes."""
    if device.backend != "oneapi" or not _host_memory(device):
        pytest.skip("a oneAPI device on the CPU")
    import dpnp
    x = _x(device)
    view = np.asarray(x)
    theirs = dpnp.from_dlpack(x)     # dpnp's zero-copy view of the same USM memory
    view[2] = 42.0
    np.testing.assert_array_equal(dpnp.asnumpy(theirs), view)
    theirs[3] = -3.0
    theirs.sycl_queue.wait()
    assert view[3] == -3.0
    x += 1
    np.testing.assert_array_equal(view, dpnp.asnumpy(theirs))
    np.testing.assert_array_equal(view, [1, 2, 43, -2, 5, 6])


# -- DLPack to the host ------------------------------------------------------------------

def test_dlpack_to_host_copy_none_copies_only_if_it_must(device):
    x = _x(device)
    host = np.from_dlpack(x, device="cpu")   # dl_device=(1, 0), copy=None
    np.testing.assert_array_equal(host, [0, 1, 2, 3, 4, 5])
    x[0] = 9.0
    hal.synchronize()
    assert (host[0] == 9.0) == _host_memory(device), \
        "copy=None shares host memory and copies device memory"


def test_dlpack_to_host_copy_false_shares_or_refuses(device):
    x = _x(device)
    if not _host_memory(device):
        with pytest.raises(BufferError, match="copy"):
            x.__dlpack__(dl_device=KDLCPU, copy=False)
        return
    shared = np.from_dlpack(x, device="cpu", copy=False)
    shared[1] = -1.0
    assert float(x[1]) == -1.0


def test_dlpack_copy_true_always_copies(device):
    x = _x(device)
    host = np.from_dlpack(x, device="cpu", copy=True)
    host[0] = 100.0
    assert float(x[0]) == 0.0
    if x.__dlpack_device__()[0] == KDLCPU[0]:
        own = np.from_dlpack(x, copy=True)  # dl_device=None: the array's own device
        own[0] = 100.0
        assert float(x[0]) == 0.0


def test_dlpack_device_tells_the_truth(device):
    kind, _ = _x(device).__dlpack_device__()
    if device.backend == "oneapi":
        assert kind == 14, "SYCL memory is kDLOneAPI, even where the host addresses it"
    elif _host_memory(device):
        assert kind == KDLCPU[0]


# -- memory the host cannot address -------------------------------------------------------

@pytest.fixture(scope="module")
def restricted():
    """A real plugin's device without ``host_memory`` (tests/_plugin_helpers.py)."""
    with registered(RestrictedPlugin("restricted_x"), "restricted_x_plugin",
                    "restricted_x"):
        yield hal.get_device("restricted_x")


def test_device_memory_refuses_implicit_conversion(restricted):
    x = hal.asarray(np.arange(3, dtype=np.float32), device=restricted)
    for attempt in (lambda: np.asarray(x), lambda: np.asarray(x, copy=True),
                    lambda: np.array(x)):
        with pytest.raises(hal.HalDeviceError) as info:
            attempt()
        msg = str(info.value)
        assert "restricted_x" in msg and "never moves data to the host silently" in msg
        assert "np.from_dlpack(x, device='cpu')" in msg and "to_device" in msg, msg
    # what the message offers works: a host copy through DLPack
    np.testing.assert_array_equal(np.from_dlpack(x, device="cpu"), [0, 1, 2])
    with pytest.raises(BufferError, match="host copy"):
        x.__dlpack__(dl_device=KDLCPU, copy=False)
