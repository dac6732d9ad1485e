"""What the three user-kernel forms share: which device runs a call, whether it can,
binding placeholders to dtypes, scalar arguments, building and the trace.

Kernels are built through the device plugin's ``hal_compile_kernel`` hook (OpenCL:
compiled binaries cached on disk by the plugin, keyed by source, options and driver;
oneAPI: dpctl's program API; CUDA/HIP: CuPy's RawModule and its own disk cache) and
kept in memory in ``hal.jit``'s table of compiled programs, so a user kernel and a
fused region with the same text share one build.
"""

from __future__ import annotations

import time

import numpy as np

from .. import _dtypes, _trace
from .._array import Array
from .._errors import (HalDeviceError, HalNotImplementedError, HalOverflowError,
                       HalTypeError)

#: features a kernel may declare, with the dtype-named spellings users write
_FEATURE_ALIASES = {"float64": "fp64", "float16": "fp16", "bfloat16": "bf16"}
#: scalar kernel arguments of dtypes a driver cannot take by value travel as these
_CARRIER = {"float16": _dtypes.float32, "bool": _dtypes.uint8}

_LAUNCHERS: dict = {}


def features(kernel: str, requires) -> frozenset[str]:
    from .._capabilities import FEATURES
    if isinstance(requires, str):
        requires = (requires,)
    out = frozenset(_FEATURE_ALIASES.get(r, r) for r in requires)
    bad = sorted(out - FEATURES)
    if bad:
        raise HalTypeError(f"{kernel}: unknown capability {bad}; declare some of "
                           f"{sorted(set(FEATURES) | set(_FEATURE_ALIASES))}")
    return out


def launcher(device):
    """The launcher (``hal._jit._backends``) of ``device``, or ``(None, reason)``."""
    entry = _LAUNCHERS.get(device)
    if entry is None:
        from .._jit._backends import CuPyLauncher, launcher_for
        if device.backend == "cupy":
            entry = (CuPyLauncher(device), "")
        else:
            entry = launcher_for(device)
        _LAUNCHERS[device] = entry
    return entry


def able_devices(needs: frozenset[str], dtypes=()) -> list[str]:
    """Devices of this machine that run user kernels with these features and dtypes."""
    from .._devices import devices
    out = []
    for d in devices():
        feats = getattr(d.capabilities, "features", frozenset())
        if d.backend not in ("opencl", "oneapi", "cupy") or "raw_kernels" not in feats \
                and d.backend != "cupy":
            continue
        if needs <= feats and all(t in d.dtypes for t in dtypes):
            out.append(str(d))
    return out


def check_device(kernel: str, device, needs: frozenset[str], dtypes):
    """The launcher for ``device``, after checking it can run this call; else a hal
    error naming the devices that can."""
    launch, reason = launcher(device)
    if launch is None:
        able = able_devices(needs, dtypes)
        raise HalNotImplementedError(
            f"{kernel}: user kernels are C code in hal's portable dialect and need a "
            f"device whose plugin compiles portable kernels; {device} cannot (the "
            f"{device.backend} plugin compiles none), and there is no host "
            f"path for kernel code, so the fallback policy does not apply. Devices that "
            f"can run it: {', '.join(able) or 'none on this machine'} (move the arrays "
            f"with hal.to_device(x, '{able[0] if able else 'opencl:0'}'))")
    feats = getattr(device.capabilities, "features", frozenset())
    missing = sorted(needs - feats)
    if missing:
        able = able_devices(needs, dtypes)
        raise HalDeviceError(f"{kernel}: the kernel declares {missing}, which {device} "
                             f"({device.name}) lacks; devices that have it: "
                             f"{', '.join(able) or 'none on this machine'}")
    for t in dtypes:
        if t not in device.dtypes:
            able = able_devices(needs, (t,))
            raise HalTypeError(f"{kernel}: {t} is not supported on {device.name!r} "
                               f"({device}); use a device with {t}: "
                               f"{', '.join(able) or 'none on this machine'}")
        if t.kind == "c":
            raise HalTypeError(f"{kernel}: {t} arguments are not supported by user "
                               f"kernels (the portable dialect has no complex arithmetic "
                               f"operators on every target); pass the real and imaginary "
                               f"parts (hal.real, hal.imag) as two arrays")
    return launch


def device_of(kernel: str, arrays):
    device = None
    for a in arrays:
        if device is None:
            device = a._p.device
        elif a._p.device != device:
            raise HalDeviceError(f"{kernel}: arguments are on {device} and {a._p.device}; "
                                 f"hal moves nothing silently: hal.to_device(x, {str(device)!r})")
    if device is None:
        raise HalTypeError(f"{kernel}: no hal array among the arguments, so no device to "
                           f"run on; pass at least one hal.Array")
    return device


def bind(kernel: str, params, values, bound: dict) -> dict:
    """Placeholder -> dtype from the arrays (and weakly, Python scalars) passed for each
    placeholder parameter, promoted by the standard's rules (``hal.result_type``)."""
    groups: dict = {}
    for p, v in zip(params, values):
        if p.dtype is None:
            groups.setdefault(p.type, []).append(v)
    for name, vals in groups.items():
        arrays = [v.dtype for v in vals if isinstance(v, Array)]
        if name in bound:
            arrays.append(bound[name])
        scalars = [v for v in vals if not isinstance(v, Array)]
        if not arrays:
            raise HalTypeError(f"{kernel}: cannot tell the dtype of {name}: only Python "
                               f"scalars are passed for it; pass a hal array (or an output "
                               f"array) of the dtype {name} should be")
        bound[name] = _dtypes.result_type(*arrays, *scalars)
    return bound


def resolve(kernel: str, param, bound: dict):
    d = param.dtype
    if d is None:
        d = bound.get(param.type)
        if d is None:
            raise HalTypeError(f"{kernel}: cannot tell the dtype of {param.type} (of "
                               f"{param.name}): no input binds it; pass an output array")
    return d


def scalar_arg(kernel: str, name: str, value, dtype):
    """A Python scalar as the NumPy scalar the kernel takes for a ``dtype`` parameter
    (float16 and bool travel as float32 and uint8: drivers take no half by value)."""
    if isinstance(value, (complex, np.complexfloating)):
        raise HalTypeError(f"{kernel}: complex scalar for {name} is not supported")
    carrier = _CARRIER.get(dtype.name, dtype)
    if dtype.kind in "iu":
        if isinstance(value, float):
            raise HalTypeError(f"{kernel}: float {value!r} passed for integer parameter "
                               f"{name} ({dtype})")
        info = np.iinfo(dtype.numpy)
        if not info.min <= int(value) <= info.max:
            raise HalOverflowError(f"{kernel}: {value!r} is out of range for {name} "
                                   f"({dtype}: {info.min}..{info.max})")
        return carrier.numpy.type(int(value))
    if dtype.kind == "b":
        return carrier.numpy.type(1 if value else 0)
    return carrier.numpy.type(value)


def scalar_ctype(dtype) -> str:
    return f"hal_{_CARRIER.get(dtype.name, dtype).name}"


def build(launch, kernel_name: str, source: str, options, names, signatures):
    """The compiled kernels of ``source`` (memory cache shared with hal.jit)."""
    from .._jit._backends import compile_source
    from .._jit._run import _COMPILED
    key = (launch.device, source, options)
    ks = _COMPILED.get(key)
    if ks is None:
        program = compile_source(launch.device, kernel_name, source, options)
        ks = _COMPILED[key] = launch.kernels(program, names, signatures)
    return ks


def record(op: str, device, dtypes, kernel: str, start: float) -> None:
    """A trace event for a user-kernel call, when a ``hal.trace()`` is open."""
    if _trace.ACTIVE:
        kernels = _trace.device_kernels(device)
        event = _trace.TraceEvent(op, str(device), tuple(d.name for d in dtypes), kernel,
                                  "user kernel", False, time.perf_counter() - start, start,
                                  kernels)
        for t in _trace.ACTIVE:
            t.events.append(event)


def header(target: str, device, dtypes, needs, preamble: str) -> tuple[str, tuple]:
    """The prelude (with the dialect's optional types the device has), the portable
    atomics when declared, and the user's preamble; the build options."""
    from .. import _kernels
    defines = {}
    if _dtypes.float64 in device.dtypes or "fp64" in needs:
        defines["HAL_FP64"] = "1"
    if _dtypes.float16 in device.dtypes or "fp16" in needs:
        defines["HAL_FP16"] = "1"
    parts = [_kernels.prelude(target), "/* ---- hal user kernel ---- */"]
    if needs & {"atomics", "atomics64"}:
        parts.append(_ATOMICS[target != "opencl"])
    if preamble:
        parts.append(preamble)
    return "\n".join(parts), _kernels.options(defines)


_ATOMICS = (
    # OpenCL C 1.2's 32-bit global atomics; 64-bit ones with cl_khr_int64_base_atomics
    "#define HAL_ATOMIC_ADD(p, v) atomic_add((p), (v))\n"
    "#define HAL_ATOMIC_MAX(p, v) atomic_max((p), (v))\n"
    "#define HAL_ATOMIC_MIN(p, v) atomic_min((p), (v))\n"
    "#define HAL_ATOMIC_XCHG(p, v) atomic_xchg((p), (v))\n",
    "#define HAL_ATOMIC_ADD(p, v) atomicAdd((p), (v))\n"
    "#define HAL_ATOMIC_MAX(p, v) atomicMax((p), (v))\n"
    "#define HAL_ATOMIC_MIN(p, v) atomicMin((p), (v))\n"
    "#define HAL_ATOMIC_XCHG(p, v) atomicExch((p), (v))\n",
)


def type_defines(bound: dict) -> tuple[list[str], list[str]]:
    """``#define T hal_float32`` per placeholder, and the matching ``#undef``s."""
    return ([f"#define {k} hal_{v.name}" for k, v in sorted(bound.items())],
            [f"#undef {k}" for k in sorted(bound)])
