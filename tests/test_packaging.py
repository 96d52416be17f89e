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


def test_every_migration_script_is_package_data() -> None:
    """The store reads migrations/common/, postgresql/ and sqlite/ through importlib.resources,
    so each .sql file must match a package-data pattern of ihms_server (a folder left out would
    make a non-editable install migrate without it)."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["ihms_server"]
    scripts = sorted((ROOT / "ihms_server" / "migrations").rglob("*.sql"))
    assert {p.parent.name for p in scripts} == {"common", "postgresql", "sqlite"}
    for script in scripts:
        relative = script.relative_to(ROOT / "ihms_server")
        assert any(relative.match(pattern) for pattern in patterns), relative
