"""The wheel ships every package of the source tree: pyproject lists them by hand (the mapped-in
resources/ folder keeps setuptools' find from seeing them), and a package left off the list is
missing from a non-editable install (ihms_desk.cli and ihms_desk.wording once were)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_the_tree_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    in_tree = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("ihms_desk", "ihms_server")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert in_tree - listed == set(), "packages missing from [tool.setuptools] packages"
    assert "ihms_desk.resources" in listed
