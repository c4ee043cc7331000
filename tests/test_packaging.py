"""The wheel ships every module: pyproject's explicit package list names every folder of code."""
from __future__ import annotations

import tomllib

from tests.conftest import PROJECT_ROOT


def _declared() -> tuple[set[str], dict[str, str]]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"]), config["package-dir"]


def test_every_folder_with_python_code_is_a_declared_package():
    packages, package_dir = _declared()
    expected = set()
    for name, folder in package_dir.items():
        if name in ("alur.processes", "alur.forms"):
            continue
        root = PROJECT_ROOT / folder
        for path in root.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            relative = path.parent.relative_to(root)
            expected.add(".".join([name, *relative.parts]))
    assert expected <= packages, f"add to [tool.setuptools] packages: {sorted(expected - packages)}"
