"""Host views against queued work: the checks shared by tests/test_host_views.py (a few
trials on the device under test) and the reliability battery (many, on every device).

A *view* is memory that code outside hal reads or writes in place while hal may still
have work queued on it: a NumPy array from ``np.from_dlpack(x)`` or ``np.asarray(x)``
(devices whose memory is the host's: NumPy's, CPU OpenCL and SYCL devices), or on
oneAPI an array of another SYCL library sharing the USM memory (``dpnp.from_dlpack(x)``).
DESIGN.md's rule: a view is handed out only after every queued write to it has
finished, and while it lives an op that reads or writes that memory finishes before
it returns.  Each check returns how many trials saw wrong data.

Arrays are large (2**22 float32) so that a kernel is still running when the host
looks, if hal let it.
"""

from __future__ import annotations

import threading

import numpy as np

N = 1 << 22


#: how a view is taken: the device's DLPack consumer (NumPy; dpnp on oneAPI), NumPy's
#: host import ``np.from_dlpack(x, device="cpu")`` and NumPy's ``np.asarray(x)``
#: (``__array__``); the last two only on devices whose memory is the host's
PATHS = ("dlpack", "host dlpack", "asarray")


def paths_for(device) -> tuple[str, ...]:
    """The view paths a device offers (host paths need the ``host_memory`` feature)."""
    if "host_memory" in device.capabilities.features:
        return PATHS
    return ("dlpack",)


def take_by(path: str, x):
    """A NumPy view of ``x`` taken the way ``path`` names."""
    if path == "asarray":
        return np.asarray(x)
    if path == "host dlpack":
        return np.from_dlpack(x, device="cpu", copy=False)
    return np.from_dlpack(x)


class Views:
    """How to take a view of a hal array on one device, and read/write it in place."""

    def __init__(self, hal, device, path: str = "dlpack"):
        if path not in paths_for(device):
            raise ValueError(f"{device} offers views by {paths_for(device)}, not {path!r}")
        self.hal, self.device, self.path = hal, device, path
        self._dpnp = None
        if device.backend == "oneapi" and path == "dlpack":
            import dpnp
            self._dpnp = dpnp

    def take(self, x):
        if self._dpnp is not None:
            return self._dpnp.from_dlpack(x)
        return take_by(self.path, x)

    def read(self, view) -> np.ndarray:
        if self._dpnp is not None:
            return self._dpnp.asnumpy(view)
        return np.array(view, copy=True)

    def fill(self, view, value) -> None:
        view[...] = value
        if self._dpnp is not None:  # the other library's own write must land too
            view.sycl_queue.wait()


def zeros(views: Views):
    return views.hal.zeros((N,), dtype=views.hal.float32, device=views.device)


def stale_reads_after_inplace(views: Views, trials: int) -> int:
    """A view is live; ``x += 1`` is queued; the view must show the new values."""
    bad = 0
    for _ in range(trials):
        x = zeros(views)
        view = views.take(x)
        x += 1
        if not (views.read(view) == 1).all():
            bad += 1
    return bad


def stale_reads_after_setitem(views: Views, trials: int) -> int:
    """A view is live; ``x[...] = y`` and ``x[1::2] = 3`` are queued."""
    hal = views.hal
    bad = 0
    for _ in range(trials):
        x = zeros(views)
        y = hal.full((N,), 2.0, dtype=hal.float32, device=views.device)
        view = views.take(x)
        x[...] = y
        x[1::2] = 3.0
        got = views.read(view)
        if not ((got[0::2] == 2).all() and (got[1::2] == 3).all()):
            bad += 1
    return bad


def stale_view_of_fresh_result(views: Views, trials: int) -> int:
    """A view taken right after the op that writes the array was queued."""
    hal = views.hal
    bad = 0
    for _ in range(trials):
        a = hal.full((N,), 1.5, dtype=hal.float32, device=views.device)
        x = a * 2 + 1
        if not (views.read(views.take(x)) == 4).all():
            bad += 1
    return bad


def writes_racing_a_queued_read(views: Views, trials: int) -> int:
    """``y = x * 2`` is queued while a view of x is live, then the host writes the
    view: y must hold the old values doubled, and a later op the new ones."""
    hal = views.hal
    bad = 0
    for _ in range(trials):
        x = hal.ones((N,), dtype=hal.float32, device=views.device)
        view = views.take(x)
        y = x * 2
        views.fill(view, 5)
        z = x + 0
        if not (hal.to_numpy(y) == 2).all() or not (hal.to_numpy(z) == 5).all():
            bad += 1
    return bad


class _Writer(threading.Thread):
    """Queues ``x += 1`` once per ``go`` and reports each step it has queued."""

    def __init__(self, x, steps: int):
        super().__init__()
        self.x, self.steps = x, steps
        self.queued = 0
        self.go, self.step = threading.Event(), threading.Event()

    def run(self):
        for _ in range(self.steps):
            self.go.wait()
            self.go.clear()
            self.x += 1
            self.queued += 1
            self.step.set()


def reads_while_another_thread_queues(views: Views, trials: int) -> int:
    """Another thread queues ``x += 1`` step by step while this one reads the view
    after each step it is told about: every read must show at least that step."""
    bad = 0
    for _ in range(max(1, trials // 10)):
        x = zeros(views)
        view = views.take(x)
        writer = _Writer(x, 10)
        writer.start()
        for _ in range(10):
            writer.go.set()
            writer.step.wait()
            writer.step.clear()
            if views.read(view)[-1] < writer.queued:
                bad += 1
        writer.join()
    return bad


CHECKS = {
    "inplace": stale_reads_after_inplace,
    "setitem": stale_reads_after_setitem,
    "fresh result": stale_view_of_fresh_result,
    "write vs queued read": writes_racing_a_queued_read,
    "threads": reads_while_another_thread_queues,
}
