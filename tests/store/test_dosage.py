"""Quantities typed as a dose pattern (1-0-1 x5, BD x5) become a number of units."""

from __future__ import annotations

import pytest

from ihms_desk.store.dosage import bottle_ml, parse_quantity, read_dose
from ihms_desk.store.errors import InvalidQuantity


@pytest.mark.parametrize(
    ("text", "units"),
    [("10", 10), (" 7 ", 7), ("1-0-1 x5", 10), ("1-1-1-1 x 3", 12), ("1/2-0-0 x5", 3), ("1/2-0-1/2 x3", 3),
     ("BD x5", 10), ("bd X5", 10), ("OD x 30", 30), ("HS x7", 7), ("SOS x2", 2), ("TDS x 5 days", 15), ("tid x5d", 15),
     ("QID x2 day", 8), ("QDS*3", 12), ("2 BD x 5", 20), ("1/2 OD x 5", 3), ("1-0-1 × 5", 10), ("0-0-1 x1", 1)],
)
def test_dose_patterns(text: str, units: int) -> None:
    assert parse_quantity(text) == units


@pytest.mark.parametrize("text", ["", "0", "-5", "abc", "1-0-1", "BD", "x5", "1-0-1 x0", "0-0-0 x5", "BD x 5 weeks",
                                  "1.5", "10001", "5000 BD x 5", "1-0-1-1-1-1 x2", "1/0-0-1 x2", "1/0 BD x2", "²", "1-0-1 x²",
                                  pytest.param("9" * 5000, id="5000-digits"), pytest.param("1-0-1 x" + "9" * 5000, id="5000-days")])
def test_what_is_not_a_quantity(text: str) -> None:
    with pytest.raises(InvalidQuantity) as refused:
        parse_quantity(text)
    assert refused.value.field == "quantity" and refused.value.message


def test_maximum_can_be_lowered() -> None:
    assert parse_quantity("30", maximum=30) == 30
    with pytest.raises(InvalidQuantity, match="more than 30"):
        parse_quantity("TDS x 11", maximum=30)


@pytest.mark.parametrize(
    ("text", "units"),
    # The forms issue 12 found on slips: the "x" left out, the days said in words.
    [("BD 5", 10), ("OD 10", 10), ("HS 7", 7), ("SOS 6", 6), ("TDS x5", 15), ("1-0-1 5 days", 10), ("1-0-1 5", 10),
     ("1/2-0-1/2 x3", 3), ("1-0-1  x  5", 10), ("tds 5 days", 15)],
)
def test_forms_written_on_slips(text: str, units: int) -> None:
    assert parse_quantity(text) == units


@pytest.mark.parametrize(
    ("text", "bottles", "ml"),
    [("5ml TDS x5", 2, 75), ("5 ml tds 5", 2, 75), ("2.5ml BD 3", 1, 15), ("100 ml", 2, 100), ("60ml", 1, 60),
     ("5ml 1-0-1 x5", 1, 50), ("10 ml 1-1-1 x 5", 3, 150)],
)
def test_syrup_doses_in_ml_count_bottles(text: str, bottles: int, ml: int) -> None:
    dose = read_dose(text, bottle=60)
    assert (dose.units, dose.millilitres) == (bottles, ml)


def test_the_bottle_comes_from_the_item_name() -> None:
    assert bottle_ml("Paracetamol 125 mg/5 ml Syrup (60 ml)") == 60
    assert bottle_ml("Antacid Oral Suspension ( 170 ml )") == 170
    assert bottle_ml("Paracetamol 500 mg Tablet") is None


def test_ml_for_an_item_without_a_bottle_is_refused_saying_what_to_type() -> None:
    with pytest.raises(InvalidQuantity) as refused:
        read_dose("5ml TDS x5", bottle=None)
    assert refused.value.kind == "ml_needs_a_bottle" and "2" in refused.value.message


def test_an_unknown_form_is_refused_with_examples() -> None:
    with pytest.raises(InvalidQuantity) as refused:
        parse_quantity("twice daily")
    assert refused.value.kind == "not_a_quantity"
    assert "1-0-1 x5" in refused.value.message and "BD 5" in refused.value.message
