"""What a device is and what it can do: pydantic models of the control plane.

Plugins return these from ``hal_devices``; hal validates them once, when the backend
is first asked for, and never touches them on the per-op path.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import _dtypes

__all__ = ["Capabilities", "DeviceInfo", "BackendSpec", "Availability", "FEATURES"]

#: features a device may report (and a kernel may require)
FEATURES = frozenset({
    "fp64",            # float64 and complex128 arithmetic
    "fp16",            # float16 storage and arithmetic
    "bf16",            # bfloat16
    "atomics",         # 32-bit global atomics
    "atomics64",       # 64-bit global atomics
    "subgroups",       # sub-groups / warps / wavefronts usable from kernels
    "unified_memory",  # host and device share memory (zero-copy host access)
    "raw_kernels",     # the device runs portable kernels from kernels/
    "dlpack",          # zero-copy DLPack exchange
    "host_memory",     # arrays live in host memory (CPU devices)
})


class Capabilities(BaseModel):
    """What a device can do: dtypes, features, and what it does not do exactly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dtypes: tuple[str, ...] = Field(
        description="names of the hal dtypes the device can hold and compute with")
    features: frozenset[str] = frozenset()
    max_dimensions: int | None = 64
    data_dependent_shapes: bool = True
    boolean_indexing: bool = True
    #: ops this device runs on the host by design (declared, visible in explain/trace)
    host_fallback_ops: frozenset[str] = frozenset()
    #: relative tolerance per dtype name where results are not exact vs NumPy
    tolerances: dict[str, float] = Field(default_factory=dict)

    @field_validator("dtypes")
    @classmethod
    def _known_dtypes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in _dtypes.BY_NAME]
        if unknown:
            raise ValueError(
                f"unknown dtype name(s) {unknown}; hal knows {sorted(_dtypes.BY_NAME)}")
        if "bool" not in value:
            raise ValueError("every device must support bool")
        return value

    @field_validator("features")
    @classmethod
    def _known_features(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - FEATURES)
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; hal knows {sorted(FEATURES)}")
        return value


class DeviceInfo(BaseModel):
    """One device as its plugin reports it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str
    index: int = Field(ge=0)
    name: str
    vendor: str = ""
    platform: str = ""
    device_type: Literal["cpu", "gpu", "accelerator", "other"] = "other"
    memory_bytes: int | None = None
    #: the largest single allocation the device takes (OpenCL's CL_DEVICE_MAX_MEM_ALLOC_SIZE);
    #: hal refuses larger arrays with ``HalMemoryError`` before asking the device
    max_allocation_bytes: int | None = None
    compute_units: int | None = None
    max_work_group_size: int | None = None
    driver_version: str = ""
    capabilities: Capabilities
    #: why the device, though found, cannot be used (e.g. its compiler cannot build
    #: anything); such a device is listed by ``hal devices`` but never handed out
    problem: str = ""
    problem_fix: str = ""


class BackendSpec(BaseModel):
    """A backend a plugin offers: what it is called and how it ranks.

    Higher ``priority`` wins when hal picks the default device among devices of the
    same class (GPU/accelerator before CPU).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    priority: int = 0
    description: str = ""
    #: the command that installs what the backend needs (shown when unavailable)
    install_hint: str = ""


class Availability(BaseModel):
    """Whether a backend can run here, and if not why and how to fix it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    available: bool
    reason: str = ""
    fix: str = ""
