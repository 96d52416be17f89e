"""Indian number grouping, dd-mm-yyyy dates and expiry months as printed on packs."""

from __future__ import annotations

import datetime as dt

import pytest

from ihms_desk.ui import formatting as fmt


@pytest.mark.parametrize(
    ("number", "text"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (99999, "99,999"), (100000, "1,00,000"),
     (1234567, "12,34,567"), (10000000, "1,00,00,000"), (-150000, "-1,50,000")],
)
def test_indian_grouping(number: int, text: str) -> None:
    assert fmt.group_indian(number) == text
    assert fmt.qty(number) == text


def test_empty_values() -> None:
    assert fmt.qty(None) == ""
    assert fmt.date(None) == ""
    assert fmt.expiry(None) == ""
    assert fmt.months(None) == ""


def test_dates_are_day_month_year() -> None:
    assert fmt.date(dt.date(2026, 4, 1)) == "01-04-2026"
    assert fmt.date("2026-11-25") == "25-11-2026"
    assert fmt.date("2026-11-25T04:31:00.000+00:00") == "25-11-2026"


def test_timestamp_in_local_time() -> None:
    stamp = dt.datetime(2026, 11, 25, 4, 31, tzinfo=dt.timezone.utc)
    assert fmt.datetime_local(stamp.isoformat()) == stamp.astimezone().strftime("%d-%m-%Y %H:%M")


def test_expiry_and_money() -> None:
    assert fmt.expiry("2027-03") == "03/2027"
    assert fmt.money("123456.5") == "₹1,23,456.50"
    assert fmt.signed_qty(500) == "+500"
    assert fmt.signed_qty(-1200) == "-1,200"


def test_units_in_the_users_language() -> None:
    from ihms_desk.ui import i18n
    from ihms_desk.ui.app import create_application

    create_application()
    assert fmt.unit("tablet") == "tablet"
    assert fmt.unit("unheard-of") == "unheard-of"
    try:
        assert i18n.set_language("hi")
        assert fmt.unit("tablet") == "गोली"
        assert fmt.unit("unheard-of") == "unheard-of"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(("months", "text"), [(1497.0, "1,497"), (1.9, "1"), (2.0, "2"), (0.8, "<1"), (0.0, "0"),
                                              (12.34, "12")])
def test_months_of_stock_are_whole_months_rounded_down(months: float, text: str) -> None:
    # 1.9 months is one full month on the shelf: rounding up would hide a shortage.
    assert fmt.months(months) == text


def test_a_quantity_with_its_unit_in_the_users_language() -> None:
    from ihms_desk.ui import i18n
    from ihms_desk.ui.app import create_application

    create_application()
    assert fmt.qty_unit(150000, "tablet") == "1,50,000 tablet"
    assert fmt.qty_unit(5, None) == "5"
    try:
        assert i18n.set_language("hi")
        assert fmt.qty_unit(455, "tablet") == "455 गोली"
    finally:
        i18n.set_language("en")
