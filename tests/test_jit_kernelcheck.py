"""``hal kernels check --target cuda|hip`` also compiles hal.jit's generated kernels
(``hal._jit._samples``): elementwise chains, map+reduce, several outputs, strided and
broadcast variants, row kernels, for the CUDA (NVRTC) and HIP (hipcc) targets with no
GPU.  Skipped with the reason when the compiler is absent."""

from __future__ import annotations

import pytest

from hal import _kernelcheck, _toolchains
from hal._jit._samples import samples


def test_the_samples_cover_every_kind_of_jit_kernel():
    names = " | ".join(s.name for s in samples())
    for part in ("elementwise chain: step 0 fused (flat)", "fused (strided)",
                 "mixed dtypes", "float16 and float64", "multi-output",
                 "map+reduce: step 0 reduce (flat)", "reduce (cols)", "reduce (strided)",
                 "reduce (grid, strides 1",
                 "var and std", "row softmax: step 0 row (row, strides 1)",
                 "row layer norm: step 0 row (row, strides sss)"):
        assert part in names, part
    src, _ = next(s for s in samples() if "row softmax" in s.name).source_for("cuda")
    assert "LOCAL_BARRIER" in src and "KERNEL HAL_JIT_ROW_GROUP void hal_jit_row(" in src


@pytest.mark.slow
@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_jit_kernels_compile_for_gpu_targets(target):
    try:
        if target == "cuda":
            _toolchains.nvrtc_version()
        else:
            _toolchains.hipcc_path()
    except _toolchains.ToolchainMissing as exc:
        pytest.skip(str(exc))
    arch = _toolchains.DEFAULT_ARCHS[target][0]
    results = _kernelcheck.check_offline(target, archs=[arch], files=[_kernelcheck.JIT])
    failed = [f"{r.file}: {r.error or 'missing ' + ', '.join(r.missing)}"
              for r in results if not r.ok]
    assert failed == [], "\n".join(failed)
    assert len(results) == len(samples()) and all(r.kernels > 0 for r in results)
    assert all(r.file.startswith("jit ") for r in results)
