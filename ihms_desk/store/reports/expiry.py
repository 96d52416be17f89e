"""Expiry: batches on the shelf at the end of the period that have expired, or will within 3
or within 3 to 6 months, with their value at unit cost (for the condemnation committee).

A batch marked 2027-03 is usable through 31 March 2027. "Within 3 months" of 30-11-2026 means
its last usable day is on or before 28-02-2027.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

from ihms_desk.store.reports.result import Column, Row, Table, money
from ihms_desk.store.reports.result import ColumnKind as K
from ihms_desk.store.reports.scan import Scope, add_months, balances_at_end_of, month_key
from ihms_desk.store.rules import last_usable_day

COLUMNS = (
    Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("unit", K.TEXT), Column("batch_no", K.TEXT),
    Column("expiry", K.MONTH), Column("manufacturer", K.TEXT), Column("qty", K.INT), Column("unit_cost", K.MONEY),
    Column("value", K.MONEY),
)
#: The three tables, nearest first, and how many months after the period's end each reaches.
BUCKETS = (("expired_on_shelf", 0), ("expiring_3_months", 3), ("expiring_6_months", 6))


def build(conn: sqlite3.Connection, scope: Scope, end: dt.date, today: dt.date) -> tuple[Table, ...]:
    balances = balances_at_end_of(conn, scope, end, today)
    month = month_key(end)
    within_3 = add_months(end, 3)
    within_6 = add_months(end, 6)
    buckets: dict[str, list[tuple[tuple[str, str, str], Row]]] = {key: [] for key, _ in BUCKETS}
    for batch_id, qty in balances.items():
        if qty <= 0:
            continue
        batch = scope.batches[batch_id]
        if batch.expiry_month < month:
            key = "expired_on_shelf"
        else:
            last_day = last_usable_day(batch.expiry_month)
            if last_day <= within_3:
                key = "expiring_3_months"
            elif last_day <= within_6:
                key = "expiring_6_months"
            else:
                continue
        item = scope.items[batch.item_id]
        cost = batch.unit_cost
        row = Row((item.code, item.name, item.unit, batch.batch_no, batch.expiry_month, batch.manufacturer, qty,
                   money(cost) if cost is not None else None, money(qty * cost) if cost is not None else None))
        buckets[key].append(((batch.expiry_month, item.name.lower(), batch.batch_no), row))
    tables = []
    for key, _ in BUCKETS:
        rows = [row for _, row in sorted(buckets[key], key=lambda entry: entry[0])]
        value = sum((row.values[-1] or Decimal(0) for row in rows), Decimal(0))
        tables.append(Table(key, COLUMNS, rows, (*(None,) * (len(COLUMNS) - 1), money(value))))
    return tuple(tables)
