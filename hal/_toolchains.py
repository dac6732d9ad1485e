"""Device-free compilers for the portable kernels: NVRTC (CUDA) and hipcc (HIP).

``hal kernels check --target cuda`` and ``--target hip`` use these to prove every
kernel of ``kernels/`` compiles for NVIDIA and AMD GPUs on a machine that has neither
(CI included).  Neither needs a GPU or a driver:

* CUDA: NVRTC, through ``cuda.bindings.nvrtc`` (``pip install -e ".[nvrtc]"``: the
  ``cuda-bindings`` and ``nvidia-cuda-nvrtc`` wheels), compiles to PTX for one
  ``sm_XX`` at a time.
* HIP: ``hipcc`` (Debian's ``hipcc`` package) with ``HIP_PLATFORM=amd`` compiles to an
  AMD code object (``--genco``) for one ``gfxNNNN``.  A GFX arch the installed ROCm
  device libraries do not cover (Debian 12's ROCm 5.2 stops before gfx11) is compiled
  to ISA assembly without them (``-S -nogpulib``): every kernel still goes through
  the gfx11 code generator, only the final link against the math library is skipped,
  and the result says so.

Each ``compile_*`` function returns a :class:`Compiled`: the kernel names found in the
output (PTX ``.entry`` lines, code-object ``.kd`` symbols, assembly ``.amdhsa_kernel``
directives) and a note, or raises :class:`CompileError` with the compiler's log.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from ._errors import KernelBuildError

__all__ = ["Compiled", "CompileError", "ToolchainMissing", "DEFAULT_ARCHS",
           "compile_cuda", "compile_hip", "nvrtc_version", "hipcc_path", "hipcc_version",
           "compiler_identity"]

#: the architectures ``hal kernels check`` compiles for when none is named
DEFAULT_ARCHS = {"cuda": ("sm_80", "sm_90"), "hip": ("gfx90a", "gfx1100")}

_PTX_ENTRY = re.compile(r"^\s*(?:\.visible\s+)?\.entry\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
# an AMDGPU kernel's descriptor symbol is its name with ".kd" (LLVM AMDGPUUsage)
_KD_SYMBOL = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*)\.kd\x00")
_AMDHSA_KERNEL = re.compile(r"^\s*\.amdhsa_kernel\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


class CompileError(KernelBuildError):
    """A kernel did not compile (or the compiler crashed); the message carries the
    compiler's log."""


class ToolchainMissing(KernelBuildError):
    """The compiler a target needs is not installed; the message says how to get it."""


@dataclass
class Compiled:
    kernel_names: list[str]
    note: str = ""      # e.g. "assembly only: no ROCm device library for gfx1100"
    log: str = ""       # compiler warnings, if any


# -- CUDA: NVRTC ---------------------------------------------------------------------

NVRTC_INSTALL = 'pip install -e ".[nvrtc]"  (cuda-bindings and nvidia-cuda-nvrtc)'


@functools.cache
def _nvrtc():
    try:
        from cuda.bindings import nvrtc
        err, major, minor = nvrtc.nvrtcVersion()  # loads libnvrtc: fails here if absent
    except Exception as exc:  # ImportError, or the library itself is missing
        raise ToolchainMissing(f"NVRTC is not available ({type(exc).__name__}: {exc}); "
                               f"install it: {NVRTC_INSTALL}") from None
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise ToolchainMissing(f"NVRTC failed to start ({err}); reinstall: {NVRTC_INSTALL}")
    return nvrtc


def nvrtc_version() -> str:
    """NVRTC's version, e.g. ``"13.5"``; raises :class:`ToolchainMissing`."""
    nvrtc = _nvrtc()
    _, major, minor = nvrtc.nvrtcVersion()
    return f"{major}.{minor}"


def _nvrtc_include_dirs() -> list[str]:
    """The CUDA headers shipped in the nvidia-cuda-nvrtc / cuda-runtime wheels
    (``cuda_fp16.h``), where NVRTC does not have them built in."""
    dirs = []
    try:
        import nvidia
        for root in nvidia.__path__:
            for sub in ("cu13/include", "cuda_nvrtc/include", "cuda_runtime/include"):
                path = os.path.join(root, sub)
                if os.path.isdir(path):
                    dirs.append(path)
    except ImportError:
        pass
    return dirs


def compile_cuda(source: str, options: tuple[str, ...], arch: str, name: str) -> Compiled:
    """Compile CUDA ``source`` to PTX for ``arch`` (``sm_80``) with NVRTC."""
    nvrtc = _nvrtc()
    ok = nvrtc.nvrtcResult.NVRTC_SUCCESS
    err, prog = nvrtc.nvrtcCreateProgram(source.encode(), name.encode(), 0, [], [])
    if err != ok:
        raise CompileError(f"NVRTC could not create program {name}: {err}")
    try:
        flags = [f"--gpu-architecture=compute_{arch.removeprefix('sm_')}", "--std=c++17",
                 *(f"-I{d}" for d in _nvrtc_include_dirs()), *options]
        flags = [f.encode() for f in flags]
        (err,) = nvrtc.nvrtcCompileProgram(prog, len(flags), flags)
        _, size = nvrtc.nvrtcGetProgramLogSize(prog)
        log = b" " * size
        nvrtc.nvrtcGetProgramLog(prog, log)
        log = log.rstrip(b"\x00 ").decode(errors="replace")
        if err != ok:
            raise CompileError(f"NVRTC ({arch}) failed on {name}:\n{log}")
        _, size = nvrtc.nvrtcGetPTXSize(prog)
        ptx = b" " * size
        nvrtc.nvrtcGetPTX(prog, ptx)
    finally:
        nvrtc.nvrtcDestroyProgram(prog)
    names = _PTX_ENTRY.findall(ptx.decode(errors="replace"))
    return Compiled(names, log=log)


# -- HIP: hipcc ----------------------------------------------------------------------

HIPCC_INSTALL = "apt-get install hipcc  (Debian/Ubuntu; or ROCm's own hipcc)"


def hipcc_path() -> str:
    """The ``hipcc`` to use (``$HIPCC`` or the one on PATH); raises if none."""
    path = os.environ.get("HIPCC")
    if path:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise ToolchainMissing(f"HIPCC={path} is not an executable file; point HIPCC "
                                   f"at hipcc, or unset it and install hipcc: "
                                   f"{HIPCC_INSTALL}")
        return path
    path = shutil.which("hipcc")
    if not path:
        raise ToolchainMissing(f"hipcc is not installed; install it: {HIPCC_INSTALL}")
    return path


@functools.cache
def hipcc_version() -> str:
    """The first line of ``hipcc --version`` and clang's version (identifies results)."""
    run = _hipcc(["--version"], os.getcwd())
    return " | ".join(line.strip() for line in run.stdout.splitlines() if line.strip())


def compiler_identity(target: str) -> str:
    """What a cached check result depends on besides source and options."""
    return f"nvrtc {nvrtc_version()}" if target == "cuda" else f"hipcc {hipcc_version()}"


def _hipcc(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    # HIP_PLATFORM=amd: hipcc would pick nvcc (the NVIDIA platform) if it finds one
    env = {**os.environ, "HIP_PLATFORM": "amd"}
    path = hipcc_path()
    try:
        return subprocess.run([path, *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600)
    except OSError as exc:  # vanished, or not runnable (exec format, permissions)
        raise ToolchainMissing(f"{path} cannot be run ({exc.strerror}); reinstall it: "
                               f"{HIPCC_INSTALL}") from None
    except subprocess.TimeoutExpired:
        raise CompileError(f"{path} {' '.join(args[:3])} ... did not finish in 600 s "
                           f"and was stopped") from None


def _failure(run: subprocess.CompletedProcess) -> str:
    """How hipcc ended: its exit status (or the signal that killed it) and its log."""
    if run.returncode < 0:
        import signal
        try:
            name = signal.Signals(-run.returncode).name
        except ValueError:
            name = f"signal {-run.returncode}"
        status = f"the compiler crashed (killed by {name})"
    else:
        status = f"exit status {run.returncode}"
    log = (run.stderr or "").strip() or (run.stdout or "").strip() or "(no output)"
    return f"{status}:\n{log}"


@functools.cache
def _has_device_library(arch: str) -> bool:
    """Whether hipcc can link a code object for ``arch`` (its ROCm device library exists)."""
    with tempfile.TemporaryDirectory(prefix="hal-hip-") as tmp:
        with open(os.path.join(tmp, "probe.hip"), "w") as f:
            f.write('#include <hip/hip_runtime.h>\n'
                    'extern "C" __global__ void probe(float *x) { x[0] = sinf(x[1]); }\n')
        run = _hipcc(["--genco", f"--offload-arch={arch}", "-o", "probe.hsaco",
                      "probe.hip"], tmp)
        if run.returncode == 0:
            return True
        if "cannot find ROCm device library" in run.stderr:
            return False
        raise CompileError(f"hipcc cannot compile even a one-line kernel for {arch}, "
                           f"{_failure(run)}")


def compile_hip(source: str, options: tuple[str, ...], arch: str, name: str) -> Compiled:
    """Compile HIP ``source`` for ``arch`` (``gfx90a``) with hipcc: a code object, or
    ISA assembly where no ROCm device library covers ``arch``."""
    linked = _has_device_library(arch)
    with tempfile.TemporaryDirectory(prefix="hal-hip-") as tmp:
        with open(os.path.join(tmp, "kernel.hip"), "w") as f:
            f.write(source)
        if linked:
            out = "kernel.hsaco"
            args = ["--genco", f"--offload-arch={arch}", "-o", out]
        else:
            out = "kernel.s"
            args = ["--cuda-device-only", "-S", "-nogpulib", f"--offload-arch={arch}",
                    "-o", out]
        run = _hipcc([*args, "-std=c++17", "-Wno-unused-command-line-argument",
                      *options, "kernel.hip"], tmp)
        if run.returncode != 0:
            raise CompileError(f"hipcc ({arch}) failed on {name}, {_failure(run)}")
        with open(os.path.join(tmp, out), "rb") as f:
            output = f.read()
    if linked:
        names = [m.decode() for m in _KD_SYMBOL.findall(output)]
        note = ""
    else:
        names = _AMDHSA_KERNEL.findall(output.decode(errors="replace"))
        note = (f"ISA assembly, not linked: the installed ROCm device library has no "
                f"{arch} (Debian 12's ROCm 5.2 stops before gfx11)")
    return Compiled(sorted(set(names)), note=note, log=run.stderr.strip())


COMPILERS = {"cuda": compile_cuda, "hip": compile_hip}
