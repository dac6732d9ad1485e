"""Every portable kernel of kernels/ compiled for CUDA (NVRTC -> PTX, sm_80 and sm_90)
and HIP (hipcc, gfx90a and gfx1100), with no GPU: one test per (file, target).

Skipped with the reason when the compiler is absent (``pip install -e ".[nvrtc]"``;
``apt-get install hipcc``).  ``hal kernels check --target cuda|hip`` runs the same.
"""

from __future__ import annotations

import pytest

from hal import _kernelcheck, _kernels, _toolchains


def _compiler_or_skip(target: str) -> None:
    try:
        if target == "cuda":
            _toolchains.nvrtc_version()
        else:
            _toolchains.hipcc_path()
    except _toolchains.ToolchainMissing as exc:
        pytest.skip(str(exc))


@pytest.mark.slow
@pytest.mark.parametrize("target", ["cuda", "hip"])
@pytest.mark.parametrize("file", _kernels.files())
def test_every_kernel_compiles(target, file):
    _compiler_or_skip(target)
    results = _kernelcheck.check_offline(target, files=[file])
    failed = [f"{r.dtype} {r.arch}: {r.error or 'missing ' + ', '.join(r.missing)}"
              for r in results if not r.ok]
    assert failed == [], "\n".join(failed)
    archs = {r.arch for r in results}
    assert archs == set(_toolchains.DEFAULT_ARCHS[target])
    assert all(r.kernels > 0 for r in results)


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_a_broken_kernel_is_reported_with_the_compiler_log(target):
    _compiler_or_skip(target)
    source = _kernels.source(target, "fill.c") + "\nKERNEL void broken(int *x) { x[0] = y; }\n"
    with pytest.raises(_toolchains.CompileError, match="y"):
        _toolchains.COMPILERS[target](source, ("-DT=hal_float32", "-DT_KIND_F=1"),
                                      _toolchains.DEFAULT_ARCHS[target][0], "broken")
