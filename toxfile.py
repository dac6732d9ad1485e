"""tox's inline plugin for hal: skip a backend's environment where its device is absent.

tox loads this file by itself (it sits next to ``tox.ini``).  An environment names
the device it tests with ``hal_device`` (a hal selector) and, for GPU backends, the
hardware it needs with ``hal_hardware``:

* ``hal_hardware = nvidia-gpu`` / ``amd-gpu``: checked before anything is installed
  (the device nodes the vendor's kernel driver creates), so a machine without a GPU
  does not download CuPy just to find out;
* ``hal_tool``: a program that must be on PATH (``hipcc`` for the HIP compile check),
  with the command that installs it, also checked before installing;
* ``hal_device``: checked after installation, by asking hal itself inside the
  environment, so a device that is installed but unusable (a driver that cannot
  compile for this CPU, say) is caught with hal's own reason.

Either way the environment ends as **SKIP** in tox's summary with the reason, never
as passed: tox's own ``Skip`` is what it uses for a missing interpreter.
"""

from __future__ import annotations

import glob
import shutil

from tox.plugin import impl
from tox.tox_env.errors import Fail, Skip

# the device nodes each GPU driver creates; none of them exists without the hardware
_HARDWARE = {
    "nvidia-gpu": ("/dev/nvidia[0-9]*", "no NVIDIA GPU: /dev/nvidia0 is missing "
                   "(no device or no NVIDIA kernel driver)"),
    "amd-gpu": ("/dev/kfd", "no AMD GPU: /dev/kfd is missing (no device or no ROCm "
                "kernel driver)"),
}

# Exit status 3 means "hal works, the device is not here" (a skip); anything else that
# is not 0 (hal fails to import, an unexpected error) fails the environment, so a
# broken hal can never hide behind skipped environments.
_ABSENT = 3
_CHECK = f"""\
import sys
import hal
try:
    dev = hal.get_device(sys.argv[1])
except (hal.HalDeviceError, hal.HalValueError) as exc:
    print(exc, file=sys.stderr)
    sys.exit({_ABSENT})
print(f"{{dev}} ({{dev.name}})")
"""


@impl
def tox_add_env_config(env_conf, state):
    env_conf.add_config(keys=["hal_device"], of_type=str, default="",
                        desc="hal device selector this environment tests (checked first)")
    env_conf.add_config(keys=["hal_hardware"], of_type=str, default="",
                        desc="hardware needed before installing: nvidia-gpu or amd-gpu")
    env_conf.add_config(keys=["hal_tool"], of_type=str, default="",
                        desc="'program (how to install it)', needed on PATH")


@impl
def tox_on_install(tox_env, arguments, section, of_type):
    tool = tox_env.conf["hal_tool"]
    if tool:
        program, _, install = tool.strip().partition(" ")
        if shutil.which(program) is None:
            raise Skip(f"{program} is not on PATH; install it with {install.strip()}")
    need = tox_env.conf["hal_hardware"]
    if not need:
        return
    if need not in _HARDWARE:  # a typo in tox.ini, not a missing device
        raise Fail(f"unknown hal_hardware {need!r}; known: {', '.join(_HARDWARE)}")
    pattern, reason = _HARDWARE[need]
    if not glob.glob(pattern):
        raise Skip(reason)


@impl
def tox_before_run_commands(tox_env):
    selector = tox_env.conf["hal_device"]
    if not selector:
        return
    from tox.execute.request import StdinSource
    outcome = tox_env.execute(["python", "-c", _CHECK, selector], StdinSource.OFF,
                              show=False, run_id="hal-device-check")
    detail = (outcome.err or outcome.out).strip().splitlines()
    last = detail[-1] if detail else "(no output)"
    if outcome.exit_code == _ABSENT:
        raise Skip(f"no usable device {selector!r} here: {last}")
    if outcome.exit_code != 0:
        raise Fail(f"checking for device {selector!r} failed: {last}")
