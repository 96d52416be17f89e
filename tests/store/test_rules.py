"""The pure rules: quantities, text fields, ABHA numbers, unit costs, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from ihms_desk.store.errors import InvalidABHA, InvalidInput, InvalidQuantity
from ihms_desk.store.rules import (
    MAX_LINE_QTY,
    check_abha,
    check_quantity,
    check_text,
    check_unit_cost,
    document_number,
    expires_within,
    format_abha,
    normalise_batch_no,
    parse_date,
)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (MAX_LINE_QTY, MAX_LINE_QTY), ("15", 15), (" 7 ", 7), ("१२", 12)])
def test_quantities(value: object, expected: int) -> None:
    assert check_quantity(value) == expected


@pytest.mark.parametrize("value", [0, -1, MAX_LINE_QTY + 1, 1.0, 2.5, True, None, "", "1.5", "-3", "ten", "²",
                                   pytest.param("9" * 5000, id="5000-digits"), [1]])
def test_not_quantities(value: object) -> None:
    with pytest.raises(InvalidQuantity) as refused:
        check_quantity(value, field="qty")
    assert refused.value.field == "qty"


def test_quantity_maximum() -> None:
    assert check_quantity(10, maximum=10) == 10
    with pytest.raises(InvalidQuantity, match="more than 10"):
        check_quantity(11, maximum=10)


def test_text_fields() -> None:
    assert check_text("  Sita Devi ", "name", "Name") == "Sita Devi"
    assert check_text(None, "note", "Note", required=False) == ""
    for value, pattern in [("", "is required"), ("x" * 101, "longer than 100"), ("a\x00b", "control characters")]:
        with pytest.raises(InvalidInput, match=pattern):
            check_text(value, "name", "Name")


def test_batch_numbers_compare_without_case_or_extra_space() -> None:
    assert normalise_batch_no("  pcm  2411 ") == "PCM 2411"
    with pytest.raises(InvalidInput):
        normalise_batch_no("")


def test_abha() -> None:
    assert check_abha("91-1234-5678-9012") == "91123456789012"
    assert format_abha("91123456789012") == "91-1234-5678-9012"
    assert check_abha(None) is None and check_abha(" ") is None
    for bad in ("9112345678901", "911234567890123", "91-1234-5678-901a", "९११२३४५६७८९०१२", "9112345678901²"):
        with pytest.raises(InvalidABHA):
            check_abha(bad)


@pytest.mark.parametrize(("value", "expected"), [("0.18", "0.18"), ("12.50", "12.5"), (3, "3"), ("0", "0"), ("1E2", "100"), (None, None), ("", None)])
def test_unit_costs(value: object, expected: str | None) -> None:
    assert check_unit_cost(value) == expected


@pytest.mark.parametrize("value", ["abc", "-1", "NaN", "Infinity", "0.12345", "10000001"])
def test_not_unit_costs(value: str) -> None:
    with pytest.raises(InvalidInput):
        check_unit_cost(value)


def test_dates() -> None:
    assert parse_date("2026-11-20", "d", "Date") == dt.date(2026, 11, 20)
    assert parse_date("20-11-2026", "d", "Date") == dt.date(2026, 11, 20)
    assert parse_date("20/11/2026", "d", "Date") == dt.date(2026, 11, 20)
    assert parse_date(dt.datetime(2026, 11, 20, 23), "d", "Date") == dt.date(2026, 11, 20)
    with pytest.raises(InvalidInput, match="dd-mm-yyyy"):
        parse_date("31-02-2026", "d", "Date")


def test_document_numbers_and_expiry_windows() -> None:
    assert document_number("dispense", "2026-27", 123) == "DSP/2026-27/000123"
    assert document_number("reversal", "2027-28", 1) == "REV/2027-28/000001"
    assert expires_within("2027-01", dt.date(2026, 11, 20), 90)
    assert not expires_within("2027-02", dt.date(2026, 11, 20), 90)
    assert not expires_within("2026-10", dt.date(2026, 11, 20), 90)  # already expired: not "near"


@pytest.mark.parametrize(("typed", "problem"), [
    ("PCM\x7f1", "printed on the pack"), ("PCM\u202e1", "printed on the pack"), ("PCM\u200b1", "printed on the pack"),
    ("बैच१", "printed on the pack"), ("X" * 41, "longer than 40"), ("   ", "is required"),
])
def test_batch_numbers_the_server_would_refuse_are_refused_at_save(typed: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as refused:
        normalise_batch_no(typed)
    assert refused.value.field == "batch"


@pytest.mark.parametrize("typed", ["Sita\u202eDevi", "Sita\u200bDevi", "Sita\x7f", "Si\x85ta", "\ufeffSita"])
def test_text_with_hidden_characters_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="Patient name (contains control characters|contains an invisible)"):
        check_text(typed, "patient_name", "Patient name")
    assert check_text("सीता क्\u200dष", "patient_name", "Patient name") == "सीता क्\u200dष"


def test_document_numbers_carry_the_desk_and_epoch_series() -> None:
    from ihms_desk.store.rules import number_series

    assert document_number("dispense", "2026-27", 123) == "DSP/2026-27/000123"
    assert number_series(None, 1) == number_series(1, 1) == ""
    assert [number_series(n, 1) for n in (2, 26, 27, 28)] == ["B", "Z", "AA", "AB"]
    assert number_series(1, 2) == "A2" and number_series(3, 5) == "C5" and number_series(None, 2) == "A2"
    assert document_number("receipt", "2026-27", 45, "B") == "RCV/2026-27/B-000045"
    assert document_number("reversal", "2026-27", 101, "A2") == "REV/2026-27/A2-000101"
