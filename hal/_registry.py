"""The kernel registry: (op, backend) -> kernels, and the core's decompositions.

Plugins fill it through a :class:`KernelRegistrar` in ``hal_register_kernels``, once
per backend.  A kernel says which loop dtypes it accepts and which device features it
needs; the dispatcher picks the highest-priority kernel the device can run.

The calling convention of a kernel is the standard's signature of its op with every
``hal.Array`` replaced by the backend's native array, every dtype by a ``hal`` dtype
and every device by its integer index.  Elementwise kernels also take Python scalars
in place of arrays, with the standard's weak typing (``float32 + 1.0 -> float32``).
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass
from typing import Callable, Iterable

from . import _dtypes
from ._optable import OPS

__all__ = ["Kernel", "KernelRegistrar", "registry", "decomposition"]


@dataclass(frozen=True)
class Kernel:
    op: str
    backend: str
    fn: Callable
    #: loop dtypes the kernel accepts; ``None`` means every dtype of the device
    dtypes: frozenset | None
    requires: frozenset
    priority: int
    plugin: str
    #: the kernel mixes dtypes of one kind (``int8 + int16``) with the standard's
    #: promotion by itself, so the dispatcher need not cast first
    promotes: bool
    name: str
    #: ``fn(device, dtypes)`` builds the kernel at resolution time (once per
    #: device and loop dtypes), so the per-op call needs no dtype lookups
    factory: bool = False

    def accepts(self, dtypes: Iterable) -> bool:
        return self.dtypes is None or all(d in self.dtypes for d in dtypes)


class KernelRegistrar:
    """Handed to ``hal_register_kernels``: what a plugin calls to add kernels."""

    def __init__(self, registry: Registry, backend: str, plugin: str):
        self._registry = registry
        self.backend = backend
        self.plugin = plugin
        self.errors: list[str] = []

    def register(self, op: str, fn: Callable, *, dtypes=None, requires=(), priority: int = 0,
                 promotes: bool = False, name: str | None = None,
                 factory: bool = False) -> None:
        """Register ``fn`` as a kernel of ``op`` (a name of hal's op table).

        ``dtypes``: hal dtypes or names the kernel accepts (``None``: all).
        ``requires``: device features needed, e.g. ``{"fp64"}``.
        ``priority``: the highest-priority kernel the device can run wins.
        ``promotes``: the kernel mixes dtypes of one kind with the standard's
        promotion itself (else hal casts the inputs to the loop dtype first).
        ``factory``: ``fn(device, dtypes)`` returns the kernel; hal calls it once per
        (device, loop dtypes) when the op is first resolved (CuPy's loop tables).
        """
        problem = None
        label = name or getattr(fn, "__name__", None) or repr(fn)
        if not isinstance(op, str) or op not in OPS:
            import difflib
            close = [n for n in OPS if isinstance(op, str) and
                     (n.endswith(op) or op.endswith(n))][:3]
            if not close and isinstance(op, str):
                close = difflib.get_close_matches(op, list(OPS), n=3)
            problem = (f"kernel {label!r} for unknown op {op!r}: expected an op of hal's "
                       f"op table (hal.op_names())"
                       + (f"; did you mean {', '.join(close)}?" if close else ""))
        elif not callable(fn):
            problem = (f"kernel for {op!r} is not callable: expected a function (or a "
                       f"factory with factory=True), found {fn!r}")
        parsed = None
        if problem is None and dtypes is not None:
            try:
                if isinstance(dtypes, (str, _dtypes.DType)):
                    raise TypeError("a single dtype, not a collection of them")
                parsed = frozenset(_dtypes.BY_NAME[d] if isinstance(d, str) else d
                                   for d in dtypes)
                bad = [d for d in parsed if d.__class__ is not _dtypes.DType]
                if bad:
                    raise KeyError(bad)
            except (KeyError, TypeError) as exc:
                problem = (f"kernel {label!r} for {op!r} has a malformed dtype signature "
                           f"{dtypes!r}: expected a collection of hal dtypes or their names "
                           f"({', '.join(_dtypes.BY_NAME)}), found {exc}")
        from ._capabilities import FEATURES
        req = frozenset(requires)
        if problem is None and not req <= FEATURES:
            problem = (f"kernel {label!r} for {op!r} requires unknown feature(s) "
                       f"{sorted(req - FEATURES)}: expected features of {sorted(FEATURES)}")
        if problem is not None:
            self.errors.append(f"plugin {self.plugin!r}, backend {self.backend!r}: {problem}")
            return
        kernel = Kernel(op, self.backend, fn, parsed, req, priority, self.plugin, promotes,
                        name or f"{self.plugin}.{getattr(fn, '__name__', op)}", factory)
        self._registry.add(kernel)

    def register_many(self, kernels: dict[str, Callable], **common) -> None:
        for op, fn in kernels.items():
            self.register(op, fn, **common)


class Registry:
    def __init__(self) -> None:
        self.kernels: dict[tuple[str, str], list[Kernel]] = {}
        self.decompositions: dict[str, Callable] = {}
        self.loaded_backends: set[str] = set()
        self.errors: list[str] = []
        # A backend counts as loaded only once every plugin has registered its kernels:
        # a thread that saw it "loaded" half-way would resolve an op to no kernel.  The
        # lock is re-entrant because a plugin's registration may itself resolve ops.
        self._lock = threading.RLock()
        self._loading: set[str] = set()

    def add(self, kernel: Kernel) -> None:
        # a new list, never sorted in place: another thread may be iterating the old one
        key = (kernel.op, kernel.backend)
        self.kernels[key] = sorted(self.kernels.get(key, []) + [kernel],
                                   key=lambda k: -k.priority)

    def ensure_backend(self, backend: str) -> None:
        """Ask every plugin for its kernels of ``backend`` (once)."""
        if backend in self.loaded_backends:
            return
        from ._plugins import host
        with self._lock:
            if backend in self.loaded_backends or backend in self._loading:
                return  # loaded meanwhile, or this thread is loading it right now
            self._loading.add(backend)
            try:
                for impl in reversed(host.pm.hook.hal_register_kernels.get_hookimpls()):
                    self._ask(impl, backend)
                self.loaded_backends.add(backend)
            finally:
                self._loading.discard(backend)

    def add_plugin(self, plugin: str) -> None:
        """A plugin registered after some backends' kernels were loaded: ask it for its
        kernels of those backends too (a plugin may add kernels to any backend)."""
        from ._plugins import host
        with self._lock:
            for impl in host.pm.hook.hal_register_kernels.get_hookimpls():
                if impl.plugin_name == plugin:
                    for backend in sorted(self.loaded_backends):
                        self._ask(impl, backend)

    def _ask(self, impl, backend: str) -> None:
        """Call one plugin's ``hal_register_kernels`` for ``backend``; record failures."""
        from ._plugins import UnavailablePlugin, host
        registrar = KernelRegistrar(self, backend, impl.plugin_name)
        try:
            # through the plugin host: a third-party plugin runs with a time limit
            host.guarded(impl.plugin_name, f"hal_register_kernels({backend!r})",
                         impl.function, *[{"backend": backend, "registry": registrar}[a]
                                          for a in impl.argnames])
        except (Exception, SystemExit) as exc:
            from ._plugins import describe_failure
            registrar.errors.append(
                f"plugin {impl.plugin_name!r}: hal_register_kernels raised "
                f"{describe_failure(exc)}\n{traceback.format_exc()}")
        self.errors.extend(registrar.errors)
        for err in registrar.errors:
            host.unavailable.append(UnavailablePlugin(
                impl.plugin_name, err, "fix the plugin's kernel registration (see "
                f"hal.KernelRegistrar.register), or disable it: "
                f"HAL_DISABLE_PLUGINS={impl.plugin_name}", "kernel"))

    def candidates(self, op: str, backend: str) -> list[Kernel]:
        self.ensure_backend(backend)
        return self.kernels.get((op, backend), [])


registry = Registry()


def decomposition(op: str):
    """Register a decomposition of ``op`` written with other hal ops (core only).

    The function takes and returns ``hal.Array`` objects, with the op's own signature.
    It is used on a device that has no native kernel for ``op``, before falling back.
    """
    if op not in OPS:
        raise KeyError(f"decomposition for unknown op {op!r}")

    def deco(fn):
        registry.decompositions[op] = fn
        return fn
    return deco
