"""Reading the ledger for reports: each question answered by one pass over an index range.

Every query here reads ``movement`` through ``movement_day_kind (moved_on, kind, batch_id,
qty)`` (schema m005), so a range of days is read from the index alone whatever the size of the
ledger, and batches are grouped in SQL; nothing is ever asked item by item. Balances at a past
date come from today's balance less what moved since, or from the sum of what moved until
then, whichever range is shorter.

The queries name the index (``INDEXED BY``): a desk's database has no planner statistics, and
on a file that has some but none for this newer index, SQLite guessed an open-ended date range
too wide and read all 3.3 million movements of a five-year ledger in batch order (6.5 s
instead of 60 ms). For these range scans the index is always right.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ihms_desk.store.rules import last_usable_day

#: Movements read by day, from the index alone.
MOVEMENTS_BY_DAY = "movement INDEXED BY movement_day_kind"
ONE_DAY = dt.timedelta(days=1)


class ItemInfo(NamedTuple):
    """An item as reports show it (NamedTuples: a report makes 6,000 of each, and a frozen
    dataclass costs three times as much to make)."""

    id: int
    code: str
    name: str
    unit: str
    category: str
    min_stock: int


class BatchInfo(NamedTuple):
    id: int
    item_id: int
    batch_no: str
    expiry_month: str
    manufacturer: str | None
    unit_cost: Decimal | None
    #: Balance now (the ``stock`` table): the point every past balance is worked back from.
    on_hand: int


def unit_cost(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # the store writes only checked decimals; an old row may not be
        return None


@dataclass
class Scope:
    """The items and batches a report covers (after its category and item filters)."""

    items: dict[int, ItemInfo]
    batches: dict[int, BatchInfo]

    @classmethod
    def load(cls, conn: sqlite3.Connection, *, category: str | None, item_ids: Iterable[int] | None) -> Scope:
        wanted = None if item_ids is None else set(item_ids)
        sql = "SELECT id, code, name, unit_of_issue, category, min_stock FROM item"
        params: tuple[object, ...] = ()
        if category:
            sql += " WHERE category = ?"
            params = (category,)
        items = {
            row[0]: ItemInfo(*row) for row in conn.execute(sql, params) if wanted is None or row[0] in wanted
        }
        batches = {
            row[0]: BatchInfo(row[0], row[1], row[2], row[3], row[4], unit_cost(row[5]), row[6])
            for row in conn.execute(
                "SELECT b.id, b.item_id, b.batch_no, b.expiry_month, b.manufacturer, b.unit_cost, coalesce(s.qty, 0) "
                "FROM batch b LEFT JOIN stock s ON s.batch_id = b.id"
            )
            if row[1] in items
        }
        return cls(items, batches)

    def stocked_item_ids(self) -> set[int]:
        """Items the facility has ever received (they have a batch)."""
        return {batch.item_id for batch in self.batches.values()}

    def batches_of(self) -> dict[int, list[BatchInfo]]:
        """Each item's batches, earliest expiry first."""
        result: dict[int, list[BatchInfo]] = {}
        for batch in sorted(self.batches.values(), key=lambda b: (b.expiry_month, b.id)):
            result.setdefault(batch.item_id, []).append(batch)
        return result


def first_movement_day(conn: sqlite3.Connection) -> dt.date | None:
    """The date of the earliest movement of the ledger (one index probe)."""
    day = conn.execute(f"SELECT min(moved_on) FROM {MOVEMENTS_BY_DAY}").fetchone()[0]
    return None if day is None else dt.date.fromisoformat(day)


def net_by_batch(conn: sqlite3.Connection, after: dt.date | None, until: dt.date | None) -> dict[int, int]:
    """The net quantity each batch moved on days after ``after`` up to and including ``until``
    (``None``: no bound), all kinds together."""
    bounds = [("moved_on > ?", after), ("moved_on <= ?", until)]
    where = " AND ".join(condition for condition, day in bounds if day is not None) or "1"
    params = [day.isoformat() for _, day in bounds if day is not None]
    return dict(conn.execute(f"SELECT batch_id, sum(qty) FROM {MOVEMENTS_BY_DAY} WHERE {where} GROUP BY batch_id", params))


def balances_at_end_of(conn: sqlite3.Connection, scope: Scope, day: dt.date, today: dt.date) -> dict[int, int]:
    """Each batch's balance at the end of ``day`` (batches that held nothing are left out)."""
    first = first_movement_day(conn)
    if first is None or day < first:
        return {}
    if (today - day) <= (day - first):
        later = net_by_batch(conn, day, None)
        balances = {batch.id: batch.on_hand - later.get(batch.id, 0) for batch in scope.batches.values()}
    else:
        until = net_by_batch(conn, None, day)
        balances = {batch_id: until.get(batch_id, 0) for batch_id in scope.batches}
    return {batch_id: qty for batch_id, qty in balances.items() if qty}


def outflow_by_batch(conn: sqlite3.Connection, start: dt.date, end: dt.date) -> dict[int, int]:
    """How much left each batch in ``[start, end]``, whatever came in."""
    return dict(conn.execute(
        f"SELECT batch_id, -sum(qty) FROM {MOVEMENTS_BY_DAY} WHERE moved_on BETWEEN ? AND ? AND qty < 0 GROUP BY batch_id",
        (start.isoformat(), end.isoformat()),
    ).fetchall())


def daily_net(
    conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, batch_ids: set[int] | None = None,
) -> dict[int, dict[int, list[tuple[int, int]]]]:
    """What moved each item's batches (or only ``batch_ids``) on each day of ``[start, end]``
    that moved any: ``{item_id: {day ordinal: [(batch_id, net qty), ...]}}``."""
    result: dict[int, dict[int, list[tuple[int, int]]]] = {}
    batches = scope.batches
    if batch_ids is not None:
        if not batch_ids:
            return result
        batches = {batch_id: batches[batch_id] for batch_id in batch_ids}
    only = f" AND batch_id IN ({', '.join(map(str, sorted(batch_ids)))})" if batch_ids is not None else ""
    ordinal: dict[str, int] = {}  # a few dozen distinct days among tens of thousands of rows
    for batch_id, day, qty in conn.execute(
        f"SELECT batch_id, moved_on, sum(qty) FROM {MOVEMENTS_BY_DAY} WHERE moved_on BETWEEN ? AND ?{only} "
        "GROUP BY batch_id, moved_on",
        (start.isoformat(), end.isoformat()),
    ):
        batch = batches.get(batch_id)
        if batch is None or not qty:
            continue
        number = ordinal.get(day)
        if number is None:
            number = ordinal[day] = dt.date.fromisoformat(day).toordinal()
        result.setdefault(batch.item_id, {}).setdefault(number, []).append((batch_id, qty))
    return result


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month that begins after ``start`` and on or before ``end``."""
    result: list[dt.date] = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        first = dt.date(year, month, 1)
        if first > end:
            return result
        result.append(first)


def _opening_and_outflow(
    conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, today: dt.date,
) -> tuple[dict[int, int], dict[int, int]]:
    """Each batch's balance at the end of the day before ``start``, and how much left it in
    ``[start, end]``; for a recent period both from one pass over the days since ``start``."""
    before = start - ONE_DAY
    first = first_movement_day(conn)
    if first is None or before < first or (today - before) > (before - first):
        return balances_at_end_of(conn, scope, before, today), outflow_by_batch(conn, start, end)
    later: dict[int, int] = {}
    outflow: dict[int, int] = {}
    for batch_id, net, left in conn.execute(
        f"SELECT batch_id, sum(qty), -sum(qty) FILTER (WHERE qty < 0 AND moved_on <= ?) FROM {MOVEMENTS_BY_DAY} "
        "WHERE moved_on > ? GROUP BY batch_id", (end.isoformat(), before.isoformat()),
    ):
        later[batch_id] = net
        if left:
            outflow[batch_id] = left
    opening = {batch.id: batch.on_hand - later.get(batch.id, 0) for batch in scope.batches.values()}
    return {batch_id: qty for batch_id, qty in opening.items() if qty}, outflow


def stock_out_spells(
    conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, today: dt.date,
    item_ids: Iterable[int] | None = None,
) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """For each stocked item, the spells in ``[start, end]`` (first and last day) of days that
    ended with no usable stock; items never received are left out.

    A day counts when the item's usable stock (unexpired batches: a batch marked 2027-03 is
    usable through 31 March 2027) is 0 at the end of it, however much moved during it: the day
    it ran out counts, the day a receipt came does not.
    """
    stocked = scope.stocked_item_ids()
    wanted = stocked if item_ids is None else set(item_ids) & stocked
    opening, outflow = _opening_and_outflow(conn, scope, start, end, today)
    by_item = scope.batches_of()
    # Most items never come near empty: if what was usable at the start, less everything that
    # left, still covers the last month's usable batches, the item had stock every day, and
    # only the others need their days read one by one.
    last_month = month_key(end)
    at_risk = {
        item_id for item_id in wanted
        if sum(opening.get(b.id, 0) - outflow.get(b.id, 0) for b in by_item.get(item_id, ()) if b.expiry_month >= last_month) <= 0
    }
    changes = daily_net(conn, scope, start, end, {b.id for item_id in at_risk for b in by_item[item_id]})
    first, after = start.toordinal(), end.toordinal() + 1
    # Usable stock changes only on a day something moved or when a month (and with it a
    # batch's expiry) turns over, so the walk visits those days, not every day.
    turns = [day.toordinal() for day in month_starts(start, end)]
    month_of = {number: month_key(dt.date.fromordinal(number)) for number in (first, *turns)}
    result: dict[int, list[tuple[dt.date, dt.date]]] = {item_id: [] for item_id in wanted}
    for item_id in at_risk:
        batches = by_item[item_id]
        balance = {batch.id: opening.get(batch.id, 0) for batch in batches}
        events = changes.get(item_id, {})
        points = sorted({first, *turns, *events})
        spells: list[list[int]] = []
        month = month_of[first]
        for index, day in enumerate(points):
            for batch_id, qty in events.get(day, ()):
                balance[batch_id] += qty
            month = month_of.get(day, month)
            if sum(balance[batch.id] for batch in batches if batch.expiry_month >= month) > 0:
                continue
            following = points[index + 1] if index + 1 < len(points) else after
            if spells and spells[-1][1] == day:
                spells[-1][1] = following
            else:
                spells.append([day, following])
        result[item_id] = [(dt.date.fromordinal(a), dt.date.fromordinal(b - 1)) for a, b in spells]
    return result


def days_out_of_stock(
    conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, today: dt.date,
    item_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """For each stocked item, how many days in ``[start, end]`` ended with no usable stock
    (see :func:`stock_out_spells`)."""
    return {
        item_id: sum((last - first).days + 1 for first, last in spells)
        for item_id, spells in stock_out_spells(conn, scope, start, end, today, item_ids).items()
    }


def usable_at_end_of(scope: Scope, balances: dict[int, int], day: dt.date) -> dict[int, int]:
    """Each item's usable (unexpired) stock from batch balances at the end of ``day``."""
    month = f"{day.year:04d}-{day.month:02d}"
    usable: dict[int, int] = {}
    for batch_id, qty in balances.items():
        batch = scope.batches[batch_id]
        if batch.expiry_month >= month:
            usable[batch.item_id] = usable.get(batch.item_id, 0) + qty
    return usable


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of the month when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = last_usable_day(f"{year:04d}-{month:02d}").day
    return dt.date(year, month, min(day.day, last))


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """Every month ``YYYY-MM`` from ``start``'s to ``end``'s, in order."""
    return [month_key(start), *(month_key(first) for first in month_starts(start, end))]
