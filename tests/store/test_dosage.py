"""Quantities typed as a dose pattern (1-0-1 x5, BD x5) become a number of units."""

from __future__ import annotations

import pytest

from ihms_desk.store.dosage import parse_quantity
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
