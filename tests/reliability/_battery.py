"""Helpers of the reliability battery: run code in a fresh interpreter, read its figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap


def run_python(code: str, *, env: dict | None = None, timeout: float = 300,
               cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (watchdog: ``timeout`` seconds)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def last_json(proc: subprocess.CompletedProcess):
    """The JSON object a child printed on its last stdout line."""
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"child failed (exit {proc.returncode}):\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])
