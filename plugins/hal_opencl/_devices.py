"""OpenCL devices as hal sees them: enumeration, selectors and capabilities.

Every device of every platform gets an index in a stable order (platforms as the ICD
loader lists them, devices within a platform in order).  ``PYOPENCL_CTX`` (PyOpenCL's
own selector, e.g. ``0`` or ``0:1``) restricts the list to the device it names, as it
does for PyOpenCL programs.
"""

from __future__ import annotations

import os

import hal


def _type_name(cl, device) -> str:
    t = device.type
    if t & cl.device_type.GPU:
        return "gpu"
    if t & cl.device_type.ACCELERATOR:
        return "accelerator"
    if t & cl.device_type.CPU:
        return "cpu"
    return "other"


def _pyopencl_ctx_filter(pairs):
    """Keep the (platform, device) PYOPENCL_CTX names, like pyopencl.create_some_context."""
    spec = os.environ.get("PYOPENCL_CTX", "").strip()
    if not spec:
        return pairs
    platform_part, _, device_part = spec.partition(":")
    platforms = []
    for p, _ in pairs:
        if p not in platforms:
            platforms.append(p)
    try:
        platform = platforms[int(platform_part)] if platform_part else platforms[0]
    except (ValueError, IndexError):
        matching = [p for p in platforms if platform_part.lower() in p.name.lower()]
        if not matching:
            return pairs
        platform = matching[0]
    devices = [d for p, d in pairs if p == platform]
    if device_part:
        try:
            devices = [devices[int(device_part)]]
        except (ValueError, IndexError):
            devices = [d for d in devices if device_part.lower() in d.name.lower()] or devices
    return [(platform, d) for d in devices]


def enumerate_devices(cl):
    """[(platform, device)] in hal's index order."""
    pairs = []
    seen = set()
    for platform in cl.get_platforms():
        try:
            devices = platform.get_devices()
        except cl.Error:
            continue  # a platform with no usable device (broken driver): skip it
        for device in devices:
            # the same ICD registered twice shows the same platform twice
            ident = (platform.name, platform.version, device.name, device.driver_version)
            if ident in seen:
                continue
            seen.add(ident)
            pairs.append((platform, device))
    return _pyopencl_ctx_filter(pairs)


def capabilities(cl, device) -> hal.Capabilities:
    ext = device.extensions.split()
    fp64 = "cl_khr_fp64" in ext or bool(getattr(device, "double_fp_config", 0))
    fp16 = "cl_khr_fp16" in ext
    dtypes = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
              "uint64", "float32", "complex64"]
    if fp64:
        dtypes += ["float64", "complex128"]
    if fp16:
        dtypes.append("float16")
    features = {"raw_kernels"}
    if fp64:
        features.add("fp64")
    if fp16:
        features.add("fp16")
    if "cl_khr_global_int32_base_atomics" in ext or device.version >= "OpenCL 1.1":
        features.add("atomics")
    if "cl_khr_int64_base_atomics" in ext:
        features.add("atomics64")
    if "cl_khr_subgroups" in ext or "cl_intel_subgroups" in ext:
        features.add("subgroups")
    if getattr(device, "host_unified_memory", False):
        features.add("unified_memory")
    if _type_name(cl, device) == "cpu":
        features.add("host_memory")
    from ._kernels import HOST_OPS
    return hal.Capabilities(
        dtypes=tuple(dtypes), features=frozenset(features), max_dimensions=32,
        host_fallback_ops=HOST_OPS,
        # transcendental functions follow OpenCL's ULP bounds, not NumPy's libm
        tolerances={"float32": 4e-6, "float64": 1e-13, "float16": 2e-3,
                    "complex64": 4e-6, "complex128": 1e-13},
    )


def device_infos(cl) -> list[hal.DeviceInfo]:
    from ._probe import compiler_problem
    infos = []
    for index, (platform, device) in enumerate(enumerate_devices(cl)):
        problem, fix = compiler_problem(cl, platform, device)
        infos.append(hal.DeviceInfo(
            backend="opencl", index=index, name=device.name.strip(),
            vendor=device.vendor.strip(), platform=platform.name.strip(),
            device_type=_type_name(cl, device), memory_bytes=device.global_mem_size,
            max_allocation_bytes=device.max_mem_alloc_size,
            compute_units=device.max_compute_units,
            max_work_group_size=device.max_work_group_size,
            driver_version=f"{device.version.strip()} (driver {device.driver_version})",
            capabilities=capabilities(cl, device), problem=problem, problem_fix=fix))
    return infos
