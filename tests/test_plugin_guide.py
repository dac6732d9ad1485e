"""Every Python snippet of docs/writing-a-plugin.md runs.

The guide's ```python blocks run in order, in one fresh interpreter, with the example
plugin importable and registered through its entry point (a ``.dist-info`` on
``PYTHONPATH``, as pip would write it) and ``HAL_TEST_BACKEND=example``.  A block that
starts with ``# from <path>`` is an excerpt of the example plugin: it must be a
verbatim excerpt of that file, and it runs in that module's namespace (so the guide
cannot drift from the code it explains).  Other blocks share one namespace, like a
tutorial.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from _plugin_helpers import clean_env

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "writing-a-plugin.md"
EXAMPLE = ROOT / "examples" / "hal-example-restricted"
FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)

RUNNER = r'''
import importlib, json, sys, textwrap, traceback
blocks = json.load(open(sys.argv[1]))
shared = {"__name__": "__guide__"}
for block in blocks:
    code = textwrap.dedent(block["code"])
    if block["module"]:
        import hal
        from hal._registry import KernelRegistrar, Registry
        namespace = dict(vars(importlib.import_module(block["module"])))
        namespace["registry"] = KernelRegistrar(Registry(), "example", "guide")
    else:
        namespace = shared
    try:
        exec(compile(code, f"{block['where']}", "exec"), namespace)
    except BaseException:
        print(f"GUIDE BLOCK FAILED: {block['where']}")
        traceback.print_exc()
        sys.exit(1)
    print(f"GUIDE BLOCK OK: {block['where']}")
'''


def blocks() -> list[dict]:
    text = GUIDE.read_text()
    out = []
    for m in FENCE.finditer(text):
        code = m.group(1)
        line = text.count("\n", 0, m.start()) + 2
        first = code.splitlines()[0].strip() if code.strip() else ""
        module = source = None
        if first.startswith("# from "):
            source = first.removeprefix("# from ").strip()
            module = "hal_example_restricted." + Path(source).stem \
                if Path(source).stem != "__init__" else "hal_example_restricted"
            code = code.split("\n", 1)[1]
        out.append({"code": code, "where": f"docs/writing-a-plugin.md:{line}",
                    "module": module, "source": source})
    return out


def test_the_guide_has_python_snippets():
    found = blocks()
    assert len(found) >= 10
    assert any(b["module"] for b in found) and any(not b["module"] for b in found)


@pytest.mark.parametrize("block", [b for b in blocks() if b["source"]],
                         ids=lambda b: b["where"].rsplit(":", 1)[1])
def test_an_excerpt_is_verbatim(block):
    """An excerpt's lines appear, in order and consecutively, in its source file."""
    source = (EXAMPLE / block["source"]).read_text().splitlines()
    lines = block["code"].rstrip("\n").splitlines()
    starts = [i for i, s in enumerate(source) if s == lines[0]]
    assert any(source[i:i + len(lines)] == lines for i in starts), (
        f"{block['where']} is no longer an excerpt of {block['source']}: update the guide")


def test_every_python_snippet_runs(tmp_path):
    site = tmp_path / "site"
    dist = site / "hal_example_restricted-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hal-example-restricted\n"
                                   "Version: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[hal.plugins]\nexample = hal_example_restricted\n")
    (tmp_path / "blocks.json").write_text(json.dumps(blocks()))
    (tmp_path / "runner.py").write_text(RUNNER)
    env = clean_env(PYTHONPATH=f"{site}{__import__('os').pathsep}{EXAMPLE / 'src'}",
                    HAL_DISABLE_PLUGINS="opencl", HAL_TEST_BACKEND="example")
    proc = subprocess.run([sys.executable, str(tmp_path / "runner.py"),
                           str(tmp_path / "blocks.json")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    assert proc.stdout.count("GUIDE BLOCK OK") == len(blocks())
