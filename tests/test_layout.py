"""The import rule of docs/layout.md, checked on the source: the core (store, sync, the wording
tables, the server) never reaches up into a front end (ui, cli), not even by ``import_module``,
and never imports Qt; the screens carry no ``type: ignore``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONT_ENDS = ("ihms_desk.ui", "ihms_desk.cli")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports: import statements, and names handed to import_module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            found += [(node.lineno, arg.value) for arg in node.args
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return found


def _modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["ihms_desk/store", "ihms_desk/sync", "ihms_desk/wording", "ihms_server"])
def test_the_core_never_imports_a_front_end_or_qt(folder: str) -> None:
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in _modules(folder) for line, name in _imports(path)
             if name.startswith(FRONT_ENDS) or name.split(".")[0] == "PySide6"]
    assert wrong == []


def test_the_store_imports_nothing_above_it() -> None:
    allowed = ("ihms_desk.store", "ihms_desk.paths", "ihms_desk.wording", "ihms_desk.fields")
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in _modules("ihms_desk/store") for line, name in _imports(path)
             if name.startswith("ihms_desk.") and not name.startswith(allowed)]
    assert wrong == []


def test_the_wording_tables_stand_alone() -> None:
    wrong = [name for path in _modules("ihms_desk/wording") for _, name in _imports(path)
             if name.startswith("ihms_desk") and not name.startswith("ihms_desk.wording")]
    assert wrong == []


def test_the_scan_sees_imports_of_every_kind(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import importlib\nfrom ihms_desk.ui import app\n_cli = importlib.import_module('ihms_desk.cli')\n")
    assert {name for _, name in _imports(sample)} >= {"ihms_desk.ui", "ihms_desk.cli"}


def test_no_type_ignore_in_the_screens() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}" for path in _modules("ihms_desk/ui")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if "type: ignore" in line]
    assert found == []


def test_the_self_test_does_not_import_the_parser() -> None:
    # The parser runs the self-test (--self-test); the self-test checks the command modules
    # from cli.common.COMMANDS, so the two do not import each other.
    names = {name for _, name in _imports(ROOT / "ihms_desk" / "cli" / "selftest.py")}
    assert "ihms_desk.cli.common.COMMANDS" in names
    assert not any(name.startswith("ihms_desk.cli.parser") for name in names)
