"""hal's distribution name (``hal-arrays``: ``hal`` on PyPI is an unrelated project) is
used wherever a distribution is named, and every package of hal is in the wheel."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = "hal-arrays"


def _pyproject(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def test_name_and_extras_self_references():
    project = _pyproject(ROOT / "pyproject.toml")["project"]
    assert project["name"] == DIST
    for extra, reqs in project["optional-dependencies"].items():
        for r in reqs:
            assert not re.match(r"^hal\[", r), f"extra {extra}: {r} names another project"


def test_every_hal_package_is_in_the_wheel():
    listed = set(_pyproject(ROOT / "pyproject.toml")["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "hal").rglob("__init__.py")}
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"


def test_example_plugin_depends_on_the_distribution():
    project = _pyproject(ROOT / "examples/hal-example-restricted/pyproject.toml")["project"]
    assert DIST in project["dependencies"]
    assert f"{DIST}[testing]" in project["optional-dependencies"]["test"]


def test_no_text_names_the_other_project():
    texts = [ROOT / "README.md", ROOT / "docs/writing-a-plugin.md", ROOT / "tox.ini",
             *sorted((ROOT / "hal/testing").glob("*.py"))]
    for path in texts:
        text = path.read_text()
        assert not re.search(r"""pip install[^\n]*['" ]hal\[""", text), path
        assert '["hal", ' not in text and '"hal[testing]"' not in text, path
    assert "--no-deps" not in (ROOT / "tox.ini").read_text()
