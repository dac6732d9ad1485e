"""SYCL devices as hal sees them: enumeration, names and capabilities.

hal's device ``oneapi:N`` is the N-th device of ``dpctl.get_devices()``, which
already honours ``ONEAPI_DEVICE_SELECTOR`` (the SYCL runtime filters its device list
before dpctl sees it), so the user's selector restricts hal exactly as it restricts
any other SYCL program.  Each device's SYCL filter string (``opencl:cpu:0``) is part
of its platform text, so ``hal.get_device("oneapi:opencl:cpu")`` finds it too.

Capabilities come from the device's SYCL aspects: fp64/fp16 decide the dtypes,
``atomic64`` the 64-bit atomics, the USM aspects the memory features.
"""

from __future__ import annotations

import functools

import hal

from . import _setup

_BASE_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "complex64")


@functools.cache
def sycl_devices() -> tuple:
    """The SYCL devices, in hal's index order (``oneapi:0`` first)."""
    return tuple(_setup.dpctl().get_devices())


def device_type(dev) -> str:
    if dev.has_aspect_gpu:
        return "gpu"
    if dev.has_aspect_accelerator:
        return "accelerator"
    if dev.has_aspect_cpu:
        return "cpu"
    return "other"


def accepts_opencl_c(dev) -> bool:
    """Whether dpctl's program API can build OpenCL C source for ``dev``.

    dpctl builds source only on OpenCL-backend devices with an online compiler
    (Level Zero and CUDA devices take SPIR-V or PTX, not OpenCL C).
    """
    return dev.backend.name == "opencl" and dev.has_aspect_online_compiler


def capabilities(dev) -> hal.Capabilities:
    dtypes = list(_BASE_DTYPES)
    features = {"dlpack", "atomics"}  # DLPack (kDLOneAPI) and 32-bit atomics: core SYCL
    if dev.has_aspect_fp64:
        dtypes += ["float64", "complex128"]
        features.add("fp64")
    if dev.has_aspect_fp16:
        dtypes.append("float16")
        features.add("fp16")
    if dev.has_aspect_atomic64:
        features.add("atomics64")
    if dev.sub_group_sizes:
        features.add("subgroups")
    if dev.has_aspect_usm_shared_allocations:
        features.add("unified_memory")
    if device_type(dev) == "cpu":
        features.add("host_memory")
    if accepts_opencl_c(dev):
        features.add("raw_kernels")
    from ._kernels import HOST_OPS
    return hal.Capabilities(
        dtypes=tuple(dtypes), features=frozenset(features), max_dimensions=64,
        host_fallback_ops=HOST_OPS,
        # dpnp computes transcendental functions with SYCL's built-ins and oneMKL VM,
        # whose error bounds are a few ULP, not the correctly-rounded libm of NumPy
        tolerances={"float32": 4e-6, "float64": 1e-13, "float16": 2e-3,
                    "complex64": 4e-6, "complex128": 1e-13},
    )


def device_infos() -> list[hal.DeviceInfo]:
    infos = []
    for index, dev in enumerate(sycl_devices()):
        platform = dev.sycl_platform
        infos.append(hal.DeviceInfo(
            backend="oneapi", index=index, name=dev.name.strip(),
            vendor=dev.vendor.strip(),
            platform=f"{platform.name.strip()} [{dev.filter_string}]",
            device_type=device_type(dev), memory_bytes=dev.global_mem_size,
            max_allocation_bytes=dev.max_mem_alloc_size,
            compute_units=dev.max_compute_units,
            max_work_group_size=dev.max_work_group_size,
            driver_version=f"{dev.backend.name} {dev.driver_version} (SYCL {platform.version})",
            capabilities=capabilities(dev)))
    return infos
