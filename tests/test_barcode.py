"""Tests for ihms_desk/barcode.py: reading what a keyboard-wedge scanner types."""

from __future__ import annotations

import datetime as dt

import pytest

from ihms_desk.barcode import GS, BarcodeError, gs1_date, gtin_check_digit, normalise_gtin, parse_scan

GTIN = "08901234567890"  # check digit 0 is right for 0890123456789
TODAY = dt.date(2026, 11, 25)


def scan(text: str):
    return parse_scan(text, today=TODAY)


# -- check digits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gtin",
    ["08901234567890", "4006381333931", "96385074", "036000291452", "10614141000415", "00012345600012"],
)
def test_valid_gtins_pass_their_check_digit(gtin: str) -> None:
    assert gtin_check_digit(gtin[:-1]) == int(gtin[-1])
    assert normalise_gtin(gtin) == gtin.rjust(14, "0")


@pytest.mark.parametrize("gtin", ["08901234567891", "4006381333932", "96385075"])
def test_a_wrong_check_digit_is_refused(gtin: str) -> None:
    with pytest.raises(BarcodeError, match="check digit") as error:
        normalise_gtin(gtin)
    assert error.value.field == "gtin"


def test_a_gtin_with_a_wrong_check_digit_inside_a_gs1_string_is_refused() -> None:
    with pytest.raises(BarcodeError, match="check digit"):
        scan("]d2" "0108901234567891" "17270331" "10AB123")


@pytest.mark.parametrize("text", ["123", "0890123456789X", "089012345678901"])
def test_not_a_gtin(text: str) -> None:
    with pytest.raises(BarcodeError, match="not a GTIN"):
        normalise_gtin(text)


# -- element strings ----------------------------------------------------------------------


def test_datamatrix_with_symbology_prefix_and_gs_separator() -> None:
    result = scan("]d2" "01" + GTIN + "17270331" "10AB123" + GS + "21SN0001")
    assert result.gtin == GTIN
    assert result.batch_no == "AB123"
    assert result.expiry_month == "2027-03"
    assert result.expiry_date == dt.date(2027, 3, 31)
    assert result.serial == "SN0001"
    assert result.elements == {"01": GTIN, "17": "270331", "10": "AB123", "21": "SN0001"}


def test_gs1_128_prefix_and_leading_fnc1() -> None:
    result = scan("]C1" + GS + "01" + GTIN + "10B-77/X" + GS + "17280200")
    assert (result.gtin, result.batch_no, result.expiry_month) == (GTIN, "B-77/X", "2028-02")
    assert result.expiry_date == dt.date(2028, 2, 29)  # day 00: end of month, leap year


def test_no_prefix_at_all() -> None:
    result = scan("01" + GTIN + "10LOT9" + GS + "17270415")
    assert (result.batch_no, result.expiry_month, result.expiry_date) == ("LOT9", "2027-04", dt.date(2027, 4, 15))


def test_variable_field_last_needs_no_separator() -> None:
    assert scan("01" + GTIN + "17270331" "21SERIAL-1").serial == "SERIAL-1"


def test_separator_after_a_fixed_length_field_is_tolerated() -> None:
    result = scan("01" + GTIN + GS + "17270331" + GS + "10AB1")
    assert (result.expiry_month, result.batch_no) == ("2027-03", "AB1")


def test_the_visible_separator_symbol_counts_as_gs() -> None:
    assert scan("01" + GTIN + "10AB1\u241d17270331").batch_no == "AB1"


def test_production_date_and_trailing_newline() -> None:
    result = scan("01" + GTIN + "11250110" "17270131" "10X1\r\n")
    assert result.production_date == dt.date(2025, 1, 10)
    assert result.batch_no == "X1"


def test_four_digit_and_three_digit_ais_are_stepped_over() -> None:
    result = scan("01" + GTIN + "3103000250" "240REF-9" + GS + "10B1")
    assert result.elements["3103"] == "000250"
    assert result.elements["240"] == "REF-9"
    assert result.batch_no == "B1"


# -- bracketed human-readable form ----------------------------------------------------------


def test_bracketed_form() -> None:
    result = scan("(01)08901234567890(17)270331(10)AB123")
    assert (result.gtin, result.expiry_month, result.batch_no) == (GTIN, "2027-03", "AB123")


def test_bracketed_form_with_spaces() -> None:
    result = scan(" (01) 08901234567890 (10) AB 12 (17) 270300 ")
    assert result.batch_no == "AB 12"
    assert result.expiry_date == dt.date(2027, 3, 31)


def test_bracketed_fixed_length_checked() -> None:
    with pytest.raises(BarcodeError, match=r"\(17\) expiry date needs 6 characters"):
        scan("(01)08901234567890(17)2703")


def test_bracketed_garbage_between_elements() -> None:
    with pytest.raises(BarcodeError, match="Cannot read"):
        scan("junk(01)08901234567890")


# -- linear codes -------------------------------------------------------------------------


def test_plain_ean13_is_a_gtin() -> None:
    result = scan("8901234567890"[:-1] + str(gtin_check_digit("890123456789")))
    assert result.gtin == "0" + "890123456789" + str(gtin_check_digit("890123456789"))
    assert result.batch_no is None and result.expiry_month is None


def test_ean_symbology_prefix() -> None:
    assert scan("]E04006381333931").gtin == "04006381333931"


def test_non_gs1_symbology_is_refused() -> None:
    with pytest.raises(BarcodeError, match="no GS1 data"):
        scan("]A0HELLO")


# -- dates --------------------------------------------------------------------------------


def test_day_00_means_end_of_month() -> None:
    assert gs1_date("270200", ai="17", today=TODAY) == dt.date(2027, 2, 28)
    assert gs1_date("261100", ai="17", today=TODAY) == dt.date(2026, 11, 30)


def test_century_window() -> None:
    assert gs1_date("991231", ai="11", today=TODAY) == dt.date(1999, 12, 31)
    assert gs1_date("760101", ai="17", today=TODAY) == dt.date(2076, 1, 1)
    assert gs1_date("770101", ai="17", today=TODAY) == dt.date(1977, 1, 1)


@pytest.mark.parametrize("value", ["271301", "270230", "27033", "2703AA"])
def test_impossible_expiry_is_refused_on_the_expiry_field(value: str) -> None:
    with pytest.raises(BarcodeError) as error:
        gs1_date(value, ai="17", today=TODAY)
    assert error.value.field == "expiry"


def test_impossible_expiry_in_a_scan() -> None:
    with pytest.raises(BarcodeError, match="month 13"):
        scan("01" + GTIN + "17271331")


# -- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\r\n"])
def test_empty_scan(text: str) -> None:
    with pytest.raises(BarcodeError, match="empty"):
        scan(text)


def test_truncated_fixed_field() -> None:
    with pytest.raises(BarcodeError, match="ends early"):
        scan("10AB" + GS + "01" + GTIN[:10])


def test_gs_inside_a_fixed_field_is_refused() -> None:
    with pytest.raises(BarcodeError, match="ends early"):
        scan("01089012" + GS + "34567890")


def test_unknown_ai() -> None:
    with pytest.raises(BarcodeError, match="does not know"):
        scan("01" + GTIN + "05XYZ")


def test_missing_separator_makes_the_batch_too_long() -> None:
    # Without GS the batch swallows what follows; past 20 characters that is certain.
    with pytest.raises(BarcodeError, match="group separator"):
        scan("01" + GTIN + "10ABCDEFGHIJ" + "21SERIAL0123456")


def test_numeric_ai_with_letters() -> None:
    with pytest.raises(BarcodeError, match="must be digits"):
        scan("01" + GTIN + "30AB")


def test_empty_variable_field() -> None:
    with pytest.raises(BarcodeError, match="empty"):
        scan("01" + GTIN + "10" + GS + "17270331")


def test_same_ai_twice_with_different_values() -> None:
    with pytest.raises(BarcodeError, match="twice"):
        scan("01" + GTIN + "10A" + GS + "10B")


def test_error_carries_a_message_attribute() -> None:
    with pytest.raises(BarcodeError) as error:
        scan("hello")
    assert error.value.message == str(error.value)
    assert error.value.field == "scan"


def test_abha_card_qr_and_opd_slip_barcode() -> None:
    """Issue 12: a scan at the dispensing counter fills the patient's header."""
    from ihms_desk.barcode import looks_like_abha_qr, parse_patient_scan

    card = parse_patient_scan('{"hidn":"91-1234-5678-9012","hid":"sita@abdm","name":"Sita  Devi","gender":"F",'
                              '"statelgd":"08","dob":"12-3-1990"}')
    assert (card.name, card.sex, card.year_of_birth, card.abha, card.opd_no) == (
        "Sita Devi", "F", 1990, "91-1234-5678-9012", None)
    newer = parse_patient_scan('{"abha_number":"91123456789012","name":"Mohan Lal","gender":"Male","yob":"1971"}')
    assert (newer.sex, newer.year_of_birth, newer.abha) == ("M", 1971, "91-1234-5678-9012")
    assert parse_patient_scan(" 261202/0042 ").opd_no == "261202/0042"
    assert looks_like_abha_qr('{"name": "x"}') and not looks_like_abha_qr("261202/0042")
    for bad in ("{not json}", '{"mobile": "98"}', "x" * 31, ""):
        with pytest.raises(BarcodeError) as refused:
            parse_patient_scan(bad)
        assert refused.value.field == "opd_no" and refused.value.message
