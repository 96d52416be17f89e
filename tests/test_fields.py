"""The field rules every record obeys (ihms_desk.fields): what each accepts and refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ihms_desk import fields
from ihms_desk.fields import FieldProblem


@pytest.mark.parametrize("value", ["Sita Devi", "सीता देवी", "क्‍ष (with a joiner)", "x" * 100, "O'Brien & Sons"])
def test_text_accepts_what_people_type(value: str) -> None:
    assert fields.text(value, 100) == value


@pytest.mark.parametrize(("value", "problem"), [
    ("", "is required"), ("   ", "is required"), ("x" * 101, "longer than 100"),
    ("a\x00b", "control characters"), ("tab\there", "control characters"), ("del\x7f", "control characters"),
    ("c1\x85", "control characters"), ("evil\u202eexe.txt", "invisible character"),
    ("zero\u200bwidth", "invisible character"), ("\ufeffbom", "invisible character"),
    ("line\u2028sep", "invisible character"), ("lone \ud800", "invisible character"),
])
def test_text_refuses_what_would_hide_or_break(value: str, problem: str) -> None:
    with pytest.raises(FieldProblem, match=problem):
        fields.text(value, 100)


def test_optional_text_may_be_empty() -> None:
    assert fields.text("", 10, required=False) == ""
    with pytest.raises(FieldProblem, match="must be text"):
        fields.text(None, 10)


@pytest.mark.parametrize("value", ["PCM2411", "B 12/34-A.5", "x", "!" * 40, "AB#1"])
def test_batch_numbers_are_printable_ascii(value: str) -> None:
    assert fields.batch_no(value) == value


@pytest.mark.parametrize(("value", "problem"), [
    ("", "required"), ("A" * 41, "longer than 40"), (" PCM", "start or end"), ("PCM ", "start or end"),
    ("PCM\x7f1", "printed on the pack"), ("PCM\u202e1", "printed on the pack"), ("PCM\u200b1", "printed on the pack"),
    ("बैच१", "printed on the pack"), ("PCM\t1", "printed on the pack"), (5, "required"),
])
def test_batch_numbers_refused(value: Any, problem: str) -> None:
    with pytest.raises(FieldProblem, match=problem):
        fields.batch_no(value)


@pytest.mark.parametrize(("rule", "good", "bad"), [
    (fields.item_code, ["D0001", "S/12.5-X_2", "A" * 20], ["d0001", "", "-D1", "A" * 21, "D 1", 1]),
    (fields.facility_code, ["CHC-JPR-014", "chc.1", "A" * 40], ["", "CHC/1", "-CHC", "A" * 41, "CHC 1"]),
    (fields.month, ["2027-03", "2000-01", "2099-12"], ["2027-13", "2027-3", "1999-12", "2100-01", "03/2027"]),
    (fields.date, ["2026-11-25", "2028-02-29"], ["2026-02-30", "25-11-2026", "2026-1-1", None]),
    (fields.movement_qty, [1, -1, fields.MAX_ABS_QTY, -fields.MAX_ABS_QTY],
     [0, True, 1.5, "3", fields.MAX_ABS_QTY + 1]),
    (fields.unit_cost, [None, "0", "12.50", "0.1234", "10000000"],
     ["12.12345", "-1", "1e3", "10000000.01", 12.5, "", "123456789"]),
    (fields.document_number, ["DSP/2026-27/000123", "RCV/2026-27/B-000001", "REV/2026-27/A2-000101"],
     ["dsp/2026-27/1", "", "DSP 2026", "/DSP", "D" * 65]),
])
def test_code_like_rules(rule: Any, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert rule(value) == value
    for value in bad:
        with pytest.raises(FieldProblem):
            rule(value)


def test_patterns_are_the_rules() -> None:
    # The server's OpenAPI models take the patterns; the rules use the same compiled text.
    assert re.fullmatch(fields.BATCH_NO_PATTERN, "PCM 2411")
    assert not re.fullmatch(fields.BATCH_NO_PATTERN, "PCM 2411 ")
    assert re.fullmatch(fields.BATCH_NO_PATTERN, "A" * 40) and not re.fullmatch(fields.BATCH_NO_PATTERN, "A" * 41)
    assert set(fields.DESK_FACILITY_TYPES) <= set(fields.FACILITY_TYPES)


@pytest.mark.parametrize("value", [
    "PCM2411",
    "\u0420CM2411",  # Cyrillic Р (looks like P)
    "PCM24\u04211",   # Cyrillic С (looks like C)
    "B\u0410TCH",     # Cyrillic А
    "Β12",            # Greek capital beta
    "PCM\uff12411",   # a full-width digit
])
def test_batch_numbers_with_look_alike_letters_are_refused(value: str) -> None:
    """A batch number is ASCII, as GS1 allows: a Cyrillic or Greek letter that looks Latin
    would make one batch two on the shelf and in the ledger."""
    if value.isascii():
        assert fields.batch_no(value) == value
        return
    with pytest.raises(FieldProblem, match="printed on the pack") as refused:
        fields.batch_no(value)
    assert refused.value.kind == "characters"


@pytest.mark.parametrize("value", ["pharma1", "new.user", "a", "x_y-z", "9" * 30])
def test_user_names(value: str) -> None:
    assert fields.user_name(value) == value


@pytest.mark.parametrize("value", ["", "x" * 31, "a b", "ph\u202earma", "pha\u200brma", "pha\u200drma",
                                   "\u0430dmin", "Admin", "...", "user\n"])
def test_user_names_refused(value: str) -> None:
    with pytest.raises(FieldProblem):
        fields.user_name(value)


def test_the_text_pattern_says_what_the_text_rule_does() -> None:
    """The OpenAPI document's pattern for text, checked against the rule on every character
    (the whole code space, not only the planes the pattern is built from)."""
    pattern = re.compile(fields.text_pattern())
    spreadsheet = re.compile(fields.spreadsheet_text_pattern())
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # not text: JSON Schema cannot name them; the rule refuses them
        ch = chr(code)
        try:
            fields.text(f"a{ch}", 10)
            accepted = True
        except FieldProblem:
            accepted = False
        assert bool(pattern.match(f"a{ch}")) == accepted, hex(code)
        if ch not in "\t\n\r":
            assert bool(spreadsheet.match(f"a{ch}")) == accepted, hex(code)
    for value in ["", " ", "\t", "a\n", "x\u2028"]:
        assert not pattern.match(value)
    assert spreadsheet.match("DDC\tcounter\n1") and not spreadsheet.match("\t\n")
