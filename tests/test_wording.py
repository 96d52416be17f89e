"""The wording tables (ihms_desk/wording): every kind the program raises has its English and
its Hindi, the Hindi uses only values the error carries, and no English is parsed back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ihms_desk import wording
from ihms_desk.barcode import _TABLE as GS1_ELEMENTS
from ihms_desk.barcode import BarcodeError, parse_scan
from ihms_desk.store.errors import BatchExpired, StockTooLow, StoreError
from ihms_desk.store.users import Role
from ihms_desk.sync.errors import SyncError, identify
from ihms_desk.wording import Label, Said, en, hi

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "ihms_desk").rglob("*.py"))
DEVANAGARI = re.compile("[\u0900-\u097f]")
#: Values an error carries beyond those its English names (BatchExpired words the month as
#: the pack prints it, 03/2027, where the English keeps the stored 2027-03).
EXTRA_VALUES = {"batch_expired": {"month"}, "batch_expired_receiving": {"month"}}


def _error_classes() -> set[str]:
    found: set[str] = set()
    todo: list[type] = [StoreError, BarcodeError, SyncError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    # backup.py and instance_lock.py add refusals of their own (imported by the scan's caller or not).
    return found | {"BackupUnusable", "WrongFacility", "SyncRunning", "BackupFolderProblem", "AlreadyRunning",
                    "ReportRefused", "ReportCancelled", "ExportError"}


def _kinds_in_code() -> dict[str, str]:
    """Every kind written as the first argument of an error, ``Said``, ``say`` or ``.of``."""
    classes = _error_classes() | {"Said", "say", "of"}
    kinds: dict[str, str] = {}
    for path in SOURCES:
        if "wording" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in classes and isinstance(first, ast.Constant) and isinstance(first.value, str):
                kinds[first.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return kinds


def test_every_kind_has_hindi_with_the_same_values() -> None:
    assert set(hi.MESSAGES) == set(en.MESSAGES)
    for kind, english in en.MESSAGES.items():
        allowed = wording.placeholders(english) | EXTRA_VALUES.get(kind, set())
        assert wording.placeholders(hi.MESSAGES[kind]) <= allowed, kind
        assert DEVANAGARI.search(hi.MESSAGES[kind]), f"{kind} has no Hindi words"


def test_every_label_has_hindi() -> None:
    assert set(en.LABELS) <= set(hi.LABELS)
    for key, english in en.LABELS.items():
        assert wording.placeholders(hi.LABELS[key]) == wording.placeholders(english), key


def test_every_kind_the_code_raises_is_in_the_tables() -> None:
    kinds = _kinds_in_code()
    assert len(kinds) > 120  # the scan finds the program's refusals at all
    # Sync raises most failures with their English written out (client.py, device.py): those
    # must be recognised as one of its kinds (ihms_desk.sync.errors.identify).
    missing = {kind: where for kind, where in kinds.items() if kind not in en.MESSAGES and identify(kind)[0] is None}
    assert missing == {}


def test_every_field_role_and_barcode_element_has_a_hindi_label() -> None:
    fields = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
            if name in ("check_text", "parse_date") and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                fields.add(f"field.{node.args[1].value}")
    assert len(fields) > 10
    assert fields <= set(hi.LABELS)
    assert {f"role.{role.value}" for role in Role} <= set(hi.LABELS)
    assert {f"gs1.{element.title}" for element in GS1_ELEMENTS.values()} <= set(hi.LABELS)


@pytest.mark.parametrize("kind", sorted(en.MESSAGES))
def test_every_kind_words_in_both_languages(kind: str) -> None:
    values = {name: "X1" for name in wording.placeholders(en.MESSAGES[kind]) | EXTRA_VALUES.get(kind, set())}
    english, hindi = wording.say(kind, values, "en"), wording.say(kind, values, "hi")
    assert "{" not in english + hindi and hindi != english


def test_errors_word_themselves_in_hindi() -> None:
    expired = BatchExpired("D0009", "AZ-OLD", "2026-09")
    assert expired.message == ("Batch AZ-OLD of D0009 expired at the end of 09/2026 and cannot be issued. "
                               "Choose another batch, or write it off.")
    hindi = wording.text_of(expired, "hi")
    assert "AZ-OLD" in hindi and "09/2026" in hindi and "एक्सपायर" in hindi
    assert wording.text_of(StockTooLow("D0005", 10, 4, "B7"), "hi") == "D0005 के बैच B7 में केवल 4 उपलब्ध; 10 माँगे गए।"
    with pytest.raises(BarcodeError) as scan:
        parse_scan("(01)08901234567891(10)AB1")
    assert wording.text_of(scan.value, "hi").startswith("GTIN 08901234567891 का जाँच अंक गलत है")


def test_labels_and_said_reword_in_each_language() -> None:
    role = Label("role.store_clerk")
    assert str(role) == "store clerk" and wording.label(role, "hi") == "स्टोर क्लर्क"
    assert wording.label(Label("field.unknown", "Odd field"), "hi") == "Odd field"  # no entry: the English stands
    reason = Said("row_code_repeats", {"code": "D1", "row": 2})
    assert reason == "code D1 repeats row 2" and wording.text_of(reason, "hi") == "कोड D1 पंक्ति 2 में पहले आ चुका है"


def test_sync_phrases_inside_a_value_are_reworded() -> None:
    error = SyncError.of("not_ihms_server", server="http://x", detail="it answered with a web page (HTTP 200)")
    assert "उसने एक वेब पेज से जवाब दिया (HTTP 200)" in wording.text_of(error, "hi")
    assert wording.reword("a reason nobody wrote down", "hi") == "a reason nobody wrote down"


def test_the_command_line_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(wording.LANGUAGE_ENV, raising=False)
    assert wording.language_for_cli(None) == "en" and wording.language_for_cli("hi") == "hi"
    monkeypatch.setenv(wording.LANGUAGE_ENV, "HI")
    assert wording.language_for_cli("en") == "hi"
    monkeypatch.setenv(wording.LANGUAGE_ENV, "fr")
    assert wording.language_for_cli(None) == "en"
