"""Portable kernels: the sources in ``kernels/`` and their manifest.

A kernel file is written once in hal's small C dialect (``KERNEL``, ``GLOBAL_MEM``,
``GLOBAL_ID_0``, the ``hal_<dtype>`` types ...) and compiled for a target by prefixing
the target's prelude (``kernels/prelude/{opencl,cuda,hip}.h``).  ``#include "x.h"``
lines are inlined here, so the text a plugin compiles (and hashes for its binary
cache) is self-contained.  ``kernels/manifest.toml`` lists every kernel with its
signature, dtypes and required capabilities, validated by pydantic.

Each source file ``kernels/<name>.c`` has a manifest ``kernels/<name>.toml``; a
program is compiled per loop dtype ``T`` and holds the kernels its manifest lists
(``<op>``/``<dst>`` in a kernel name stand for each op or destination dtype).
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import _dtypes
from ._errors import HalValueError

__all__ = ["KernelSpec", "Manifest", "manifest", "source", "kernels_root", "TARGETS",
           "elementwise_result_dtype", "elementwise_instance"]

TARGETS = ("opencl", "cuda", "hip")
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$', re.M)


def kernels_root() -> Path:
    import hal_kernels
    return hal_kernels.ROOT


class KernelArg(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    kind: Literal["buffer", "scalar"]
    type: str = Field(description="a hal dtype name, a template name (T, TO) or index")


class KernelSpec(BaseModel):
    """One kernel of the manifest."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z_][a-z0-9_<>]*$")
    file: str
    description: str = ""
    args: tuple[KernelArg, ...]
    #: dtype names the template parameter ``T`` takes; "all" = every hal dtype
    dtypes: tuple[str, ...] = ("all",)
    requires: frozenset[str] = frozenset()

    @field_validator("dtypes")
    @classmethod
    def _dtypes_known(cls, value):
        bad = [v for v in value if v != "all" and v not in _dtypes.BY_NAME]
        if bad:
            raise ValueError(f"unknown dtype(s) {bad}")
        return value

    @field_validator("requires")
    @classmethod
    def _features_known(cls, value):
        from ._capabilities import FEATURES
        bad = sorted(set(value) - FEATURES)
        if bad:
            raise ValueError(f"unknown feature(s) {bad}; known: {sorted(FEATURES)}")
        return value

    def dtype_list(self) -> list[_dtypes.DType]:
        if "all" in self.dtypes:
            return list(_dtypes.ALL)
        return [_dtypes.BY_NAME[n] for n in self.dtypes]


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kernel: tuple[KernelSpec, ...]

    def find(self, file: str, name: str) -> KernelSpec | None:
        """The entry of kernel ``name`` of ``file``: an exact name, else the pattern
        with the longest literal part (``binary_as_<op>`` before ``binary_<op>``)."""
        best, best_len = None, -1
        for k in self.kernel:
            if k.file != file:
                continue
            if k.name == name:
                return k
            if pattern(k.name).match(name):
                literal = len(re.sub(r"<[a-z]+>", "", k.name))
                if literal > best_len:
                    best, best_len = k, literal
        return best

    def get(self, name: str) -> KernelSpec:
        for k in self.kernel:
            if k.name == name:
                return k
        raise HalValueError(f"no kernel {name!r} in kernels/manifest.toml; known: "
                            f"{', '.join(k.name for k in self.kernel)}")


def pattern(name: str) -> re.Pattern:
    """A manifest kernel name (``unary_<op>``) as a regular expression."""
    return re.compile("^" + re.sub(r"<[a-z]+>", "[a-z0-9_]+", name) + "$")


@functools.cache
def manifest() -> Manifest:
    """Every kernel of every ``kernels/*.toml``, validated."""
    entries = []
    for path in sorted(kernels_root().glob("*.toml")):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        part = Manifest.model_validate(data)
        for k in part.kernel:
            if not (kernels_root() / k.file).exists():
                raise HalValueError(f"kernels/{path.name}: kernel {k.name!r} names "
                                    f"missing file {k.file!r}")
        entries.extend(part.kernel)
    return Manifest(kernel=tuple(entries))


def files() -> list[str]:
    """The kernel source files the manifests name, each once."""
    return sorted({k.file for k in manifest().kernel})


@functools.cache
def _read(relative: str) -> str:
    path = kernels_root() / relative
    text = path.read_text()

    def inline(match: re.Match) -> str:
        return f"/* begin {match.group(1)} */\n{_read(match.group(1))}\n/* end {match.group(1)} */"
    return _INCLUDE.sub(inline, text)


def prelude(target: str) -> str:
    """The prelude of ``target`` alone (what a generated kernel's text starts with)."""
    if target not in TARGETS:
        raise HalValueError(f"unknown kernel target {target!r}; use one of {TARGETS}")
    return _read(f"prelude/{target}.h")


def kernel_text(file: str) -> str:
    """``kernels/<file>`` with its includes inlined and no prelude: for a target of a
    plugin's own, which prefixes its own prelude (the dialect's macros and types)."""
    if file not in files() and not (kernels_root() / file).is_file():
        raise HalValueError(f"no kernel file {file!r} in kernels/; known: "
                            f"{', '.join(files())}")
    return _read(file)


@functools.cache
def source(target: str, file: str) -> str:
    """The self-contained source of ``file`` for ``target`` (prelude + includes)."""
    if target not in TARGETS:
        raise HalValueError(f"unknown kernel target {target!r}; use one of {TARGETS}")
    return f"{_read(f'prelude/{target}.h')}\n/* ---- {file} ---- */\n{_read(file)}"


def type_defines(prefix: str, dtype: _dtypes.DType) -> dict[str, str]:
    """``-D`` defines describing one template dtype: ``T=hal_float32``, ``T_KIND_F`` ..."""
    defines = {prefix: f"hal_{dtype.name}", f"{prefix}_KIND_{dtype.kind.upper()}": "1"}
    if dtype.kind == "c":
        defines[f"{prefix}_REAL"] = f"hal_{_dtypes.real_of(dtype).name}"
    return defines


def feature_defines(dtypes) -> dict[str, str]:
    """Extension switches the prelude needs for these dtypes (``HAL_FP64`` ...)."""
    defines = {}
    for d in dtypes:
        if d in (_dtypes.float64, _dtypes.complex128):
            defines["HAL_FP64"] = "1"
        if d is _dtypes.float16:
            defines["HAL_FP16"] = "1"
    return defines


def program_defines(dtype: _dtypes.DType, device_dtypes) -> dict[str, str]:
    """The template defines of a program for loop dtype ``dtype`` on a device that can
    hold ``device_dtypes``: ``T`` and its kind, ``TU``/``T_BITS`` for integers, and
    ``HAL_FP64``/``HAL_FP16`` when the device has them (so every program may name the
    device's optional types, e.g. as cast destinations)."""
    defines = type_defines("T", dtype)
    if dtype.kind in "iu":
        defines["TU"] = f"hal_uint{8 * dtype.itemsize}"
        defines["T_BITS"] = str(8 * dtype.itemsize)
    if _dtypes.float64 in device_dtypes:
        defines["HAL_FP64"] = "1"
    if _dtypes.float16 in device_dtypes:
        defines["HAL_FP16"] = "1"
    return defines


def options(defines: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"-D{k}={v}" for k, v in sorted(defines.items()))


# -- elementwise instances (kernels/elementwise.c), shared by every plugin that builds them

def elementwise_result_dtype(spec, loop: _dtypes.DType) -> _dtypes.DType:
    """The dtype ``op_<name>`` of elementwise_ops.h returns for loop dtype ``loop``."""
    from ._optable import TO_BOOL, TO_REAL
    if spec.result == TO_BOOL:
        return _dtypes.bool
    if spec.result == TO_REAL:
        return _dtypes.real_of(loop)
    return loop


def elementwise_instance(kind: str, name: str, spec, loop: _dtypes.DType) -> str:
    """The template line that defines one elementwise kernel set, e.g.
    ``HAL_DEFINE_UNARY(exp, T)``: ``kind`` UNARY or BINARY, ``name`` the op in
    elementwise_ops.h, the C result type from the op's kind of result."""
    from ._optable import TO_BOOL, TO_REAL
    if spec.result == TO_BOOL:
        c_type = "hal_bool"
    elif spec.result == TO_REAL and loop.kind == "c":
        c_type = "T_REAL"
    else:
        c_type = "T"
    return f"HAL_DEFINE_{kind}({name}, {c_type})"
