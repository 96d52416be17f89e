"""Consumption and months of stock: what each item used month by month, its average monthly
consumption adjusted for days out of stock, how many months the usable stock will last, and a
status against the in-charge's minimum and maximum months.

- Consumption is what was dispensed to OPD and issued to wards and other facilities, by
  calendar month (``consumption_month``, kept by every save; a reversal takes its units back
  from the month of the document it undoes).
- AMC is taken over the last 3 complete months of the period: the period's own last month when
  the period ends on its last day, else the 3 months before it. With N the days of those months
  and D the days among them that ended with no usable stock, the adjusted AMC is
  AMC x N / (N - D): a month half spent stocked-out counts as what it would have used.
- Months of stock = usable (unexpired) stock at the end of the period / adjusted AMC, in whole
  months (rounded down), and the status is read from that whole number, so what is printed
  and the verdict beside it always agree.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ihms_desk.store.reports.result import Column, Note, Row, Table
from ihms_desk.store.reports.result import ColumnKind as K
from ihms_desk.store.reports.scan import (
    ONE_DAY,
    Scope,
    balances_at_end_of,
    days_out_of_stock,
    month_key,
    months_between,
    usable_at_end_of,
)
from ihms_desk.store.rules import last_usable_day

AMC_MONTHS = 3
DEFAULT_MIN_MONTHS = 2
DEFAULT_MAX_MONTHS = 4


@dataclass(frozen=True)
class Amc:
    """The average monthly consumption of one item, worked as the report prints it (in whole
    numbers until it is shown, so months of stock are never off by a rounding)."""

    consumed: int  # over the AMC months
    days: int  # N: days in the AMC months
    days_out: int  # D: of those, days that ended with no usable stock

    def _ratio(self) -> tuple[int, int]:
        """Adjusted AMC as numerator / denominator: consumed x N / (3 x (N - D)), or the
        plain consumed / 3 when every day was out of stock (nothing to scale by)."""
        if self.days_out >= self.days:
            return self.consumed, AMC_MONTHS
        return self.consumed * self.days, AMC_MONTHS * (self.days - self.days_out)

    @property
    def plain(self) -> Decimal:
        return _tenths(self.consumed, AMC_MONTHS)

    @property
    def adjusted(self) -> Decimal:
        return _tenths(*self._ratio())

    @property
    def units(self) -> int:
        """The adjusted AMC in whole units, rounded half up: what an indent line carries and
        multiplies (so the warehouse can work the suggested quantity again from the line)."""
        numerator, denominator = self._ratio()
        return (2 * numerator + denominator) // (2 * denominator)

    def months_of_stock(self, usable: int) -> int | None:
        """Whole months the usable stock lasts at the adjusted AMC (rounded down); None without
        consumption."""
        numerator, denominator = self._ratio()
        if numerator <= 0:
            return None
        return usable * denominator // numerator


def _tenths(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def status(usable: int, months: int | None, minimum: int, maximum: int) -> str:
    """The verdict for one item, from the whole months printed beside it."""
    if usable <= 0:
        return "stocked_out"
    if months is None:
        return "no_consumption"
    if months < minimum:
        return "below_minimum"
    if months > maximum:
        return "over_maximum"
    return "adequate"


def amc_months(end: dt.date) -> list[str]:
    """The 3 complete months the AMC is taken over, for a period ending on ``end``."""
    last_complete = end if last_usable_day(month_key(end)) == end else end.replace(day=1) - ONE_DAY
    months = [month_key(last_complete)]
    while len(months) < AMC_MONTHS:
        first = dt.date.fromisoformat(months[-1] + "-01")
        months.append(month_key(first - ONE_DAY))
    return list(reversed(months))


def build(
    conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, today: dt.date, minimum: int, maximum: int,
) -> tuple[tuple[Table, ...], tuple[Note, ...]]:
    shown = months_between(start, end)
    averaged = amc_months(end)
    window_start = dt.date.fromisoformat(averaged[0] + "-01")
    window_end = last_usable_day(averaged[-1])
    days = (window_end - window_start).days + 1
    wanted = sorted({*shown, *averaged})
    consumption: dict[int, dict[str, int]] = {}
    for item_id, month, qty in conn.execute(
        "SELECT item_id, month, qty FROM consumption_month WHERE month BETWEEN ? AND ?", (wanted[0], wanted[-1]),
    ):
        if item_id in scope.items and month in wanted:
            consumption.setdefault(item_id, {})[month] = qty
    out_days = days_out_of_stock(conn, scope, window_start, window_end, today)
    usable = usable_at_end_of(scope, balances_at_end_of(conn, scope, end, today), end)
    stocked = scope.stocked_item_ids()
    columns = (
        Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("unit", K.TEXT),
        *(Column("consumption_month", K.INT, param=month) for month in shown),
        Column("consumption_total", K.INT), Column("days_out_of_stock", K.INT), Column("amc", K.DECIMAL),
        Column("amc_adjusted", K.DECIMAL), Column("usable_stock", K.INT), Column("months_of_stock", K.INT),
        Column("status", K.LABEL),
    )
    rows: list[Row] = []
    for item in sorted(scope.items.values(), key=lambda i: (i.name.lower(), i.code)):
        monthly = consumption.get(item.id, {})
        if item.id not in stocked and not monthly and item.min_stock <= 0:
            continue  # never held here and not meant to be: nothing to report
        amc = Amc(sum(monthly.get(month, 0) for month in averaged), days, out_days.get(item.id, 0))
        on_shelf = usable.get(item.id, 0)
        months = amc.months_of_stock(on_shelf)
        rows.append(Row((
            item.code, item.name, item.unit, *(monthly.get(month, 0) for month in shown),
            sum(monthly.get(month, 0) for month in shown), amc.days_out, amc.plain, amc.adjusted,
            on_shelf, months, status(on_shelf, months, minimum, maximum),
        )))
    notes = (
        Note("amc_window", {"first": averaged[0], "last": averaged[-1], "days": days}),
        Note("amc_formula"),
        Note("stock_levels", {"minimum": minimum, "maximum": maximum}),
    )
    return (Table("consumption", columns, rows),), notes
