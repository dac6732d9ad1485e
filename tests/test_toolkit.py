"""hal.toolkit, the public kernel toolkit for plugins: every documented name imports,
works on hal's own kernels, and no module under plugins/ (nor the example plugin)
reaches into a private ``hal._`` module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hal
from hal import toolkit

ROOT = Path(__file__).resolve().parents[1]


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("hal._")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("hal._"):
                found.append(f"from {node.module} import ...")
            elif node.module == "hal":
                found += [f"from hal import {a.name}" for a in node.names
                          if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "hal" and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            found.append(f"hal.{node.attr}")
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [f"{where}:{u}" for u in found]


def test_plugins_import_only_public_hal():
    files = sorted((ROOT / "plugins").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py"))
    assert files
    private = [u for f in files for u in _private_uses(f)]
    assert not private, ("plugins must use hal's public surface (hal, hal.toolkit); "
                         "private imports: " + ", ".join(private))


def test_the_check_catches_private_imports(tmp_path):
    bad = tmp_path / "plugin.py"
    bad.write_text("import hal\nimport hal._kernels\nfrom hal._kernels import source\n"
                   "from hal import _dtypes, toolkit\nx = hal._optable\ny = hal.__version__\n")
    assert len(_private_uses(bad)) == 4


def test_every_documented_name_imports():
    doc = toolkit.__doc__
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None
        assert name in doc, f"hal.toolkit.{name} is exported but not documented"


def test_toolkit_builds_hal_sources():
    assert set(toolkit.TARGETS) >= {"opencl", "cuda", "hip"}
    assert "elementwise.c" in toolkit.files()
    src = toolkit.source("opencl", "elementwise.c")
    assert src.startswith(toolkit.prelude("opencl")) and '#include "' not in src
    spec = toolkit.manifest().find("elementwise.c", "binary_add")
    assert spec is not None and toolkit.pattern(spec.name).match("binary_add")
    defines = toolkit.program_defines(hal.float32, toolkit.ALL_DTYPES)
    assert defines["T"] == "hal_float32" and defines["HAL_FP64"] == "1"
    assert "-DT=hal_float32" in toolkit.options(defines)
    add = toolkit.OPS["add"]
    assert toolkit.elementwise_instance("BINARY", "add", add, hal.float32) == \
        "HAL_DEFINE_BINARY(add, T)"
    assert toolkit.elementwise_result_dtype(toolkit.OPS["less"], hal.float32) is hal.bool
    assert toolkit.real_of(hal.complex64) is hal.float32
    assert toolkit.dtype_by_name("int8") is hal.int8
    import numpy as np
    assert toolkit.from_numpy_dtype(np.dtype("uint16")) is hal.uint16
    with pytest.raises(hal.HalValueError):
        toolkit.source("metal", "elementwise.c")


def test_toolkit_disk_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HAL_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("HAL_NO_CACHE", raising=False)
    digest = toolkit.cache_key("my-plugin-v1", "source text", "-DX=1")
    assert digest == toolkit.cache_key("my-plugin-v1", "source text", "-DX=1")
    if not toolkit.cache_enabled():
        pytest.skip("hal's disk cache is off in this environment")
    assert toolkit.cache_store("my-plugin", digest, b"binary")
    assert toolkit.cache_load("my-plugin", digest) == b"binary"
    assert toolkit.cache_load("my-plugin", toolkit.cache_key("other")) is None


def test_toolkit_errors_name_devices():
    err = toolkit.dtype_error("my_op", hal.get_device("numpy"), hal.float64)
    assert isinstance(err, hal.HalTypeError) and "my_op" in str(err)
    assert sorted(toolkit.as_axes((-1, 0), 3, "my_op")) == [0, 2]
    with pytest.raises(hal.HalError, match="my_op"):
        toolkit.as_axes((0, 0), 3, "my_op")
