"""Not available: what doctors prescribed and the counter could not give, by item and by day,
beside the days each item had no usable stock (the figures the state watches).

The quantity not given is prescribed minus dispensed on every OPD slip line that was not
reversed. An item is listed when some of it was not given, or when it ran out during the
period even if nobody asked for it then.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from ihms_desk.store.reports.result import Column, Row, Table
from ihms_desk.store.reports.result import ColumnKind as K
from ihms_desk.store.reports.scan import Scope, balances_at_end_of, stock_out_spells, usable_at_end_of

ITEM_COLUMNS = (
    Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("unit", K.TEXT), Column("lines_short", K.INT),
    Column("patients", K.INT), Column("not_given", K.INT), Column("days_short", K.INT),
    Column("days_out_of_stock", K.INT), Column("usable_stock", K.INT),
)
DAY_COLUMNS = (
    Column("date", K.DATE), Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("unit", K.TEXT),
    Column("lines_short", K.INT), Column("not_given", K.INT), Column("out_of_stock", K.LABEL),
)


def build(conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, today: dt.date) -> tuple[Table, ...]:
    per_day: dict[tuple[str, int], list[int]] = {}  # (day, item) -> [lines, quantity]
    patients: dict[int, set[tuple[str, str]]] = {}
    for day, item_id, short, opd_no in conn.execute(
        "SELECT d.doc_date, l.item_id, l.qty_prescribed - l.qty, json_extract(d.header, '$.opd_no') "
        "FROM document d JOIN document_line l ON l.document_id = d.id "
        "WHERE d.kind = 'dispense' AND d.doc_date BETWEEN ? AND ? AND l.qty_prescribed > l.qty "
        "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id)",
        (start.isoformat(), end.isoformat()),
    ):
        if item_id not in scope.items:
            continue
        tally = per_day.setdefault((day, item_id), [0, 0])
        tally[0] += 1
        tally[1] += short
        patients.setdefault(item_id, set()).add((day, str(opd_no)))
    spells = stock_out_spells(conn, scope, start, end, today)
    usable = usable_at_end_of(scope, balances_at_end_of(conn, scope, end, today), end)

    def out_on(item_id: int, day: dt.date) -> bool:
        return any(first <= day <= last for first, last in spells.get(item_id, ()))

    by_item: dict[int, list[int]] = {}  # lines, quantity, days short
    for (_, item_id), (lines, quantity) in per_day.items():
        tally = by_item.setdefault(item_id, [0, 0, 0])
        tally[0] += lines
        tally[1] += quantity
        tally[2] += 1
    for item_id, item_spells in spells.items():
        if item_spells:
            by_item.setdefault(item_id, [0, 0, 0])
    items = scope.items
    out_days = {item_id: sum((last - first).days + 1 for first, last in s) for item_id, s in spells.items()}
    item_rows = [
        Row((items[item_id].code, items[item_id].name, items[item_id].unit, lines or None,
             len(patients.get(item_id, ())) or None, quantity or None, days_short or None, out_days.get(item_id, 0),
             usable.get(item_id, 0)))
        for item_id, (lines, quantity, days_short) in sorted(
            by_item.items(), key=lambda entry: (-entry[1][1], -out_days.get(entry[0], 0), items[entry[0]].name.lower()))
    ]
    # Only the count of slip lines adds up across items (quantities are in different units,
    # and one patient may have missed two items).
    item_totals = (None, None, None, sum(row.values[3] or 0 for row in item_rows), None, None, None, None, None)
    day_rows = []
    for (day, item_id), (lines, quantity) in sorted(per_day.items(), key=lambda e: (e[0][0], items[e[0][1]].name.lower())):
        date = dt.date.fromisoformat(day)
        day_rows.append(Row((date, items[item_id].code, items[item_id].name, items[item_id].unit, lines, quantity,
                             "yes" if out_on(item_id, date) else None)))
    return (
        Table("not_available_items", ITEM_COLUMNS, item_rows, item_totals),
        Table("not_available_days", DAY_COLUMNS, day_rows),
    )
