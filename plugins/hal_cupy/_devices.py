"""CUDA / ROCm devices as hal sees them, from CuPy's runtime module.

``cupy.cuda.runtime`` wraps the CUDA runtime, or HIP in CuPy's ROCm build
(``runtime.is_hip``).  The runtime itself applies ``CUDA_VISIBLE_DEVICES`` /
``HIP_VISIBLE_DEVICES``, so hal's ``cupy:N`` is CuPy's device ``N`` is the N-th
visible GPU.
"""

from __future__ import annotations

import functools
import importlib.util
import os

import hal

# cudaError_t / hipError_t values (the same numbers in both runtimes)
_INSUFFICIENT_DRIVER = 35
_NO_DEVICE = 100

_ALL_DTYPES = tuple(d.name for d in hal.all_dtypes())


@functools.cache
def cupy():
    import cupy
    return cupy


def _install_hint() -> str:
    from . import INSTALL
    return INSTALL


def _visible_devices_env(is_hip: bool) -> str:
    names = ("HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES") \
        if is_hip else ("CUDA_VISIBLE_DEVICES",)
    set_ = [f"{n}={os.environ[n]!r}" for n in names if n in os.environ]
    return f" ({', '.join(set_)} is set)" if set_ else ""


def availability() -> hal.Availability:
    """Whether CuPy can reach a GPU here; never raises."""
    if importlib.util.find_spec("cupy") is None:
        return hal.Availability(available=False, reason="CuPy is not installed",
                                fix=_install_hint())
    try:
        cp = cupy()
    except Exception as exc:  # a broken wheel or missing CUDA libraries
        return hal.Availability(
            available=False, reason=f"CuPy failed to import: {type(exc).__name__}: {exc}",
            fix=f"reinstall CuPy for this machine's CUDA/ROCm version: {_install_hint()}")
    runtime = cp.cuda.runtime
    is_hip = bool(runtime.is_hip)
    try:
        count = runtime.getDeviceCount()
    except Exception as exc:  # cupy_backends...CUDARuntimeError
        return _unavailable_from_error(exc, is_hip, cp.__version__)
    if count == 0:
        return _no_device(is_hip, cp.__version__, "")
    return hal.Availability(available=True)


def _unavailable_from_error(exc: Exception, is_hip: bool, version: str) -> hal.Availability:
    status = getattr(exc, "status", None)
    if status == _NO_DEVICE:
        return _no_device(is_hip, version, f": {exc}")
    if status == _INSUFFICIENT_DRIVER:
        if is_hip:
            return hal.Availability(
                available=False,
                reason=f"no ROCm driver (or one too old for CuPy {version}'s HIP runtime): "
                       f"{exc}",
                fix="install the amdgpu driver and ROCm (`rocminfo` must list the GPU), "
                    "then the CuPy ROCm wheel for that ROCm version")
        return hal.Availability(
            available=False,
            reason=f"no CUDA driver (or one older than CuPy {version}'s CUDA runtime): "
                   f"{exc}",
            fix="install the NVIDIA driver (`nvidia-smi` must list the GPU); with an older "
                'driver use the matching CuPy: pip install -e ".[cuda12]" for CUDA 12')
    return hal.Availability(
        available=False,
        reason=f"the {'HIP' if is_hip else 'CUDA'} runtime failed: "
               f"{type(exc).__name__}: {exc}",
        fix=f"check the driver (`{'rocminfo' if is_hip else 'nvidia-smi'}`), then "
            f"`hal doctor`; reinstall with {_install_hint()}")


def _no_device(is_hip: bool, version: str, detail: str) -> hal.Availability:
    kind = "ROCm" if is_hip else "CUDA"
    return hal.Availability(
        available=False,
        reason=f"no device: CuPy {version} sees no {kind} GPU"
               f"{_visible_devices_env(is_hip)}{detail}",
        fix=("check `rocminfo` and HIP_VISIBLE_DEVICES" if is_hip else
             "check `nvidia-smi` and CUDA_VISIBLE_DEVICES"))


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _version(v: int) -> str:
    """CUDA encodes 12040 as 12.4; HIP encodes 50221153 as 5.2.21153."""
    if cupy().cuda.runtime.is_hip:
        return f"{v // 10_000_000}.{v // 100_000 % 100}.{v % 100_000}"
    return f"{v // 1000}.{v % 1000 // 10}"


def arch_of(props: dict) -> str:
    """``sm_80`` on CUDA, ``gfx90a`` on ROCm (without feature suffixes such as :xnack-)."""
    if cupy().cuda.runtime.is_hip:
        return _text(props.get("gcnArchName", "")).split(":")[0] or "gfx?"
    return f"sm_{props['major']}{props['minor']}"


def _bf16(arch: str) -> bool:
    """bfloat16 arithmetic: NVIDIA Ampere (sm_80) and later; AMD CDNA2+ and RDNA3+."""
    if arch.startswith("sm_"):
        return int(arch[3:]) >= 80
    return arch.startswith(("gfx90a", "gfx94", "gfx95", "gfx11", "gfx12"))


def capabilities(props: dict) -> hal.Capabilities:
    arch = arch_of(props)
    features = {"fp64", "raw_kernels", "dlpack", "atomics", "atomics64", "subgroups"}
    # float16 arithmetic in hardware: compute capability 5.3+ (every ROCm GPU); older
    # GPUs still store float16 and compute it in float32 (CuPy's float16 type)
    if not arch.startswith("sm_") or (props["major"], props["minor"]) >= (5, 3):
        features.add("fp16")
    if _bf16(arch):
        features.add("bf16")
    if props.get("integrated"):
        features.add("unified_memory")
    return hal.Capabilities(
        dtypes=_ALL_DTYPES, features=frozenset(features), max_dimensions=64,
        # CUDA's and HIP's math libraries have ULP bounds (CUDA C Programming Guide,
        # "Mathematical Functions"), not glibc's results
        tolerances={"float32": 4e-6, "float64": 1e-13, "float16": 2e-3,
                    "complex64": 4e-6, "complex128": 1e-13},
    )


def device_infos() -> list[hal.DeviceInfo]:
    cp = cupy()
    runtime = cp.cuda.runtime
    is_hip = bool(runtime.is_hip)
    driver = _version(runtime.driverGetVersion())
    rt = _version(runtime.runtimeGetVersion())
    infos = []
    for index in range(runtime.getDeviceCount()):
        props = runtime.getDeviceProperties(index)
        arch = arch_of(props)
        infos.append(hal.DeviceInfo(
            backend="cupy", index=index, name=_text(props["name"]).strip(),
            vendor="AMD" if is_hip else "NVIDIA",
            platform=f"CuPy {cp.__version__} ({'ROCm/HIP' if is_hip else 'CUDA'} {rt}, {arch})",
            device_type="gpu", memory_bytes=int(props["totalGlobalMem"]),
            max_allocation_bytes=int(props["totalGlobalMem"]),
            compute_units=int(props["multiProcessorCount"]),
            max_work_group_size=int(props["maxThreadsPerBlock"]),
            driver_version=f"{'HIP' if is_hip else 'CUDA'} driver {driver}",
            capabilities=capabilities(props)))
    return infos
