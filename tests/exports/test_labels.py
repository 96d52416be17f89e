"""Every word a report can show exists in English and Hindi, and numbers, dates and months read
the way Indian registers write them."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal

import pytest

from ihms_desk.exports import cells, labels
from ihms_desk.exports.files import FORMATS
from ihms_desk.store.model import CATEGORIES
from ihms_desk import wording
from ihms_desk.store.reports import MESSAGES, REPORT_NAMES, consumption, dispensing, expiry, issues, not_available, stock_register
from ihms_desk.store.reports.result import Column, ColumnKind, Note

ALL_COLUMNS = (
    *stock_register.COLUMNS, *dispensing.SLIP_COLUMNS, *dispensing.DAY_COLUMNS, *dispensing.PRESCRIBER_COLUMNS,
    *dispensing.ITEM_COLUMNS, *not_available.ITEM_COLUMNS, *not_available.DAY_COLUMNS, *expiry.COLUMNS,
    *issues.COLUMNS, *issues.SUMMARY_COLUMNS, Column("consumption_month", ColumnKind.INT, "2026-08"),
    Column("item_batch", ColumnKind.TEXT),
    *(Column(key, ColumnKind.INT) for key in ("consumption_total", "days_out_of_stock", "amc", "amc_adjusted",
                                               "usable_stock", "months_of_stock", "status")),
)
STATUSES = ("stocked_out", "below_minimum", "adequate", "over_maximum", "no_consumption")
DOCUMENT_TYPES = (*(f"transfer_{d}" for d in ("ward", "sub_centre", "facility")),
                  *(f"adjustment_{r}" for r in ("damaged", "expired_write_off", "return_to_warehouse", "lost", "found",
                                                "stocktake_correction")), "stocktake", "reversal")
TABLES = ("stock_register", "dispensing_slips", "dispensing_days", "dispensing_prescribers", "dispensing_items",
          "consumption", "not_available_items", "not_available_days", "expired_on_shelf", "expiring_3_months",
          "expiring_6_months", "issues_register", "issues_summary")


def test_english_and_hindi_have_the_same_keys_and_placeholders() -> None:
    english, hindi = labels.TEXTS["en"], labels.TEXTS["hi"]
    assert set(english) == set(hindi)
    for key, text in english.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert fields == {name for _, name, _, _ in string.Formatter().parse(hindi[key]) if name}, key
        # No English left in the Hindi, apart from codes and abbreviations (AMC, N, dd-mm-yyyy).
        assert not re.search(r"\b(?!AMC\b|N\b|IHMS\b|Desk\b|dd\b|mm\b|yyyy\b|report\b)[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", hindi[key])), key


def test_every_key_a_report_uses_is_worded() -> None:
    english = labels.TEXTS["en"]
    for name in REPORT_NAMES:
        assert f"report.{name}" in english and f"report.{name}.about" in english
    for column in ALL_COLUMNS:
        assert f"column.{column.key}" in english, column.key
    for table in TABLES:
        assert f"table.{table}" in english, table
    for label in (*STATUSES, *DOCUMENT_TYPES, *CATEGORIES, "yes"):
        assert f"label.{label}" in english, label
    for kind in MESSAGES:
        # A report's refusal is worded from the program's tables, in both languages.
        assert kind in wording.en.MESSAGES and kind in wording.hi.MESSAGES, kind
        assert MESSAGES[kind] == wording.en.MESSAGES[kind], kind
    for note in ("stock_register", "dispensing", "amc_window", "amc_formula", "stock_levels", "expiry", "not_available"):
        assert f"note.{note}" in english, note


def test_statuses_and_reasons_come_from_the_builders() -> None:
    """The LABEL values the store writes are the ones worded here (not a list kept apart)."""
    assert {consumption.status(u, m, 2, 4) for u, m in ((0, None), (1, None), (1, 0), (1, 3), (1, 9))} == set(STATUSES)
    assert {issues.document_type(kind, {"destination_type": d, "reason_code": r})
            for kind, d, r in [("transfer", "ward", None), ("adjustment", None, "lost"), ("reversal", None, None)]} <= set(DOCUMENT_TYPES)


@pytest.mark.parametrize("lang", labels.LANGUAGES)
def test_the_government_register_terms(lang: str) -> None:
    shown = {key: labels.heading(Column(key, ColumnKind.INT), lang)
             for key in ("usable_stock", "amc", "months_of_stock", "expiry", "returned_to_warehouse")}
    if lang == "hi":
        assert shown == {"usable_stock": "देने योग्य स्टॉक", "amc": "औसत मासिक खपत (AMC)",
                         "months_of_stock": "कितने महीने का स्टॉक", "expiry": "समाप्ति तिथि",
                         "returned_to_warehouse": "ज़िला औषधि भंडार को वापसी"}
        assert "निर्गम" in labels.heading(Column("issued_ward", ColumnKind.INT), "hi")
    assert labels.heading(Column("consumption_month", ColumnKind.INT, "2026-08"), lang).endswith("08/2026")


def test_notes_and_errors_fill_in_their_values() -> None:
    assert labels.note(Note("amc_window", {"first": "2026-08", "last": "2026-10", "days": 92}), "hi") == (
        "औसत मासिक खपत 08/2026 से 10/2026 (92 दिन) की खपत से निकाली गई है।")
    assert labels.note(Note("expiry", {"end": dt.date(2026, 11, 30)}), "en").startswith("Stock on the shelf at the end of 30-11-2026")
    assert labels.error("unknown_format", {"format": "doc", "known": ", ".join(FORMATS)}, "en") == (
        "'doc' is not a file format for reports: use csv, xlsx, pdf.")


@pytest.mark.parametrize(("number", "text"), [
    (0, "0"), (999, "999"), (1000, "1,000"), (99999, "99,999"), (100000, "1,00,000"), (1234567, "12,34,567"),
    (123456789, "12,34,56,789"), (-1500, "-1,500"), (-250000, "-2,50,000"),
])
def test_indian_digit_grouping(number: int, text: str) -> None:
    assert cells.indian(number) == text


def test_cells_read_as_on_paper() -> None:
    assert cells.shown(Column("v", ColumnKind.MONEY), Decimal("2247634.26"), "en") == "22,47,634.26"
    assert cells.shown(Column("v", ColumnKind.MONEY), Decimal("-0.50"), "en") == "-0.50"
    assert cells.plain(Column("v", ColumnKind.MONEY), Decimal("2247634.26"), "en") == "2247634.26"
    assert cells.shown(Column("v", ColumnKind.DECIMAL), Decimal("473.96"), "en") == "474.0"
    assert cells.shown(Column("d", ColumnKind.DATE), dt.date(2026, 3, 7), "hi") == "07-03-2026"
    assert cells.shown(Column("m", ColumnKind.MONTH), "2027-03", "en") == "03/2027"
    assert cells.shown(Column("s", ColumnKind.LABEL), "adequate", "hi") == "पर्याप्त"
    assert cells.shown(Column("q", ColumnKind.INT), None, "en") == ""
    # The unit of issue in the reader's language (issue 12: a Hindi register says गोली).
    assert cells.shown(Column("unit", ColumnKind.TEXT), "tablet", "hi") == "गोली"
    assert cells.plain(Column("unit", ColumnKind.TEXT), "vial", "hi") == "वायल"
    assert cells.shown(Column("unit", ColumnKind.TEXT), "tablet", "en") == "tablet"
    assert cells.shown(Column("unit", ColumnKind.TEXT), "unheard-of", "hi") == "unheard-of"
