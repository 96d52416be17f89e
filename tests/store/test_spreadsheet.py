"""The one guard every CSV and XLSX writer uses against cells a spreadsheet would run as formulas."""

from __future__ import annotations

import pytest

from ihms_desk.store.spreadsheet import csv_row, csv_text, is_formula_like


@pytest.mark.parametrize("text", ["=1+2", "+91 98290", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", "＝1+2", "＠x"])
def test_formula_like_text_is_marked_as_text(text: str) -> None:
    assert is_formula_like(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Paracetamol 500 mg", "PCM2411", "", "1-0-1", "सीता देवी", " =leading space", "'quoted"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert not is_formula_like(text)
    assert csv_text(text) == text


def test_a_row_guards_its_text_and_keeps_its_numbers() -> None:
    assert csv_row(["=HYPERLINK(x)", -5, 2.5, None, "ORS"]) == ["'=HYPERLINK(x)", -5, 2.5, None, "ORS"]
