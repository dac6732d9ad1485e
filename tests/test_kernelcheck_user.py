"""``hal kernels check --user``: a user's kernels (a file or a module) compiled for the
device under test, and for CUDA (NVRTC) and HIP (hipcc) without a GPU where those
compilers are installed, in one table."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import hal
from hal._userkernels import _check

KERNELS = textwrap.dedent('''
    import hal

    sqdiff = hal.ElementwiseKernel("T x, T y", "T z", "z = (x - y) * (x - y)", "sqdiff")
    l2norm = hal.ReductionKernel("T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0",
                                 "l2norm")
    scale = hal.RawKernel(r"""
    KERNEL void scale(GLOBAL_MEM const T *x, GLOBAL_MEM T *y, const T s, const index_t n)
    {
        index_t i = GLOBAL_ID_0;
        if (i < n) y[i] = x[i] * s;
    }
    """, "scale")
    not_a_kernel = 3
''')
BROKEN = 'import hal\nbad = hal.ElementwiseKernel("T x", "T y", "y = x +* 1", "bad")\n'


@pytest.fixture
def kernel_file(tmp_path):
    path = tmp_path / "my_kernels.py"
    path.write_text(KERNELS)
    return path


def builds(device) -> bool:
    return _check.columns(device=device)[0].unavailable == ""


def test_load_file_and_module(kernel_file, tmp_path, monkeypatch):
    names = sorted(n for n, _ in _check.load(str(kernel_file)))
    assert names == ["l2norm", "scale", "sqdiff"]
    monkeypatch.syspath_prepend(str(tmp_path))
    assert sorted(n for n, _ in _check.load("my_kernels")) == names
    (tmp_path / "empty_mod.py").write_text("x = 1\n")
    with pytest.raises(hal.HalValueError, match="defines no hal.ElementwiseKernel"):
        _check.load(str(tmp_path / "empty_mod.py"))
    with pytest.raises(hal.HalValueError, match="cannot import"):
        _check.load("no_such_module_here")


def test_instances_cover_the_variants(kernel_file):
    found = dict(_check.load(str(kernel_file)))
    inst = _check.instances("sqdiff", found["sqdiff"], hal.float32)
    assert [i.variant for i in inst] == ["contiguous", "strided"]
    src, opts = inst[1].build("cuda", _check.AnyGPU())
    assert "KERNEL void sqdiff(" in src and "meta" in src and "#define T hal_float32" in src
    red = _check.instances("l2norm", found["l2norm"], hal.float64)
    assert {i.variant for i in red} == {"flat", "strided"}
    assert red[0].names == ["hal_uk_final", "hal_uk_partial", "hal_uk_combine"]
    assert found["scale"].placeholders == ("T",)


def test_compiles_on_the_device_under_test(kernel_file, tmp_path, device):
    cols = _check.columns(device=device)
    kernels = _check.load(str(kernel_file))
    rows = _check.check(kernels, ["float32"], cols)
    cells = [cell for _, cs in rows for cell in cs]
    if not builds(device):
        assert all(c.skipped for c in cells)  # NumPy: said, not pretended
        return
    assert len(rows) == 5 and all(c.ok for c in cells), [c.error for c in cells]
    # sqrt of an integer is ambiguous in OpenCL C: the check finds it without running
    rows = _check.check([k for k in kernels if k[0] == "l2norm"], ["int32"], cols)
    bad = [c for _, cs in rows for c in cs if not c.ok]
    assert bad and "sqrt" in bad[0].error
    (tmp_path / "broken.py").write_text(BROKEN)
    rows = _check.check(_check.load(str(tmp_path / "broken.py")), ["float32"], cols)
    assert all(not c.ok and "bad" in c.error for _, cs in rows for c in cs)


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_device_free_targets(kernel_file, target):
    cols = _check.columns(targets=[target], archs={target: [
        "sm_80" if target == "cuda" else "gfx90a"]})
    (col,) = cols
    # float16: the GPU preludes' struct type, the likeliest to break (cached after)
    rows = _check.check(_check.load(str(kernel_file)), ["float16"], cols)
    cells = [c for _, cs in rows for c in cs]
    if col.unavailable:  # no compiler here: every cell says why, with the install line
        assert all(c.skipped == col.unavailable for c in cells)
        assert "install" in col.unavailable
    else:
        assert all(c.ok for c in cells), [c.error for c in cells if not c.ok]


def test_cli_one_table(kernel_file, device):
    env = dict(os.environ, COLUMNS="200")
    proc = subprocess.run([sys.executable, "-m", "hal._cli", "kernels", "check", "--user",
                           str(kernel_file), "--device", str(device), "--dtypes",
                           "float32"], capture_output=True, text=True, env=env, timeout=600)
    assert "hal kernels check --user" in proc.stdout
    for name in ("sqdiff", "l2norm", "scale"):
        assert name in proc.stdout
    if builds(device):
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "5 compiled, 0 failed" in proc.stdout
    else:
        assert proc.returncode == 1 and "n/a" in proc.stdout
