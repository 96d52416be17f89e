"""The daily OPD dispensing register: every slip line, each day's totals, by prescriber, by item.

A slip reversed later (wrong patient, typed twice) is listed with the number of the reversal
that undid it and left out of every total, so the totals are what patients took home.
Patients are counted as visits: distinct OPD numbers on a day.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import NamedTuple

from ihms_desk.store.reports.result import Column, Row, Table
from ihms_desk.store.reports.result import ColumnKind as K
from ihms_desk.store.reports.scan import ItemInfo, Scope

SLIP_COLUMNS = (
    Column("date", K.DATE), Column("slip_no", K.TEXT), Column("opd_no", K.TEXT), Column("patient", K.TEXT),
    Column("age_sex", K.TEXT), Column("prescriber", K.TEXT), Column("item_code", K.TEXT), Column("item_name", K.TEXT),
    Column("batch_no", K.TEXT), Column("qty_prescribed", K.INT), Column("qty_dispensed", K.INT),
    Column("not_given", K.INT), Column("reversed_by", K.TEXT),
)
DAY_COLUMNS = (
    Column("date", K.DATE), Column("patients", K.INT), Column("slips", K.INT), Column("lines", K.INT),
    Column("qty_dispensed", K.INT), Column("not_given", K.INT),
)
PRESCRIBER_COLUMNS = (
    Column("date", K.DATE), Column("prescriber", K.TEXT), Column("patients", K.INT), Column("slips", K.INT),
    Column("lines", K.INT), Column("qty_dispensed", K.INT), Column("not_given", K.INT),
)
ITEM_COLUMNS = (
    Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("unit", K.TEXT), Column("patients", K.INT),
    Column("lines", K.INT), Column("qty_dispensed", K.INT), Column("not_given", K.INT),
)


class _Slip(NamedTuple):
    shown: tuple[object, ...]  # date, slip number, OPD number, patient, age/sex, prescriber
    day: dt.date
    visit: int  # one number per patient's visit: a day and an OPD number
    prescriber: str
    reversed_by: str | None


def build(conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date) -> tuple[Table, ...]:
    days = (start.isoformat(), end.isoformat())
    reversed_by = dict(conn.execute(
        "SELECT reverses_id, number FROM document WHERE reverses_id IS NOT NULL AND kind = 'reversal'"))
    # Each slip's header is read once (a month of a busy CHC: about 18,000 slips, 54,000
    # lines); what a row shows of it is made once per slip, not once per line.
    slips: dict[int, _Slip] = {}
    visits: dict[tuple[str, str], int] = {}
    for document_id, number, day, header_text in conn.execute(
        "SELECT id, number, doc_date, header FROM document WHERE kind = 'dispense' AND doc_date BETWEEN ? AND ?", days,
    ):
        header = json.loads(header_text)
        date = dt.date.fromisoformat(day)
        opd_no = str(header.get("opd_no") or "")
        slips[document_id] = _Slip(
            (date, number, opd_no, header.get("patient_name"), f"{header.get('age')}/{header.get('sex')}",
             header.get("prescriber")), date,
            visits.setdefault((day, opd_no), len(visits)), str(header.get("prescriber") or ""), reversed_by.get(document_id),
        )
    names = {item.id: (item.code, item.name) for item in scope.items.values()}
    batch_no = {batch.id: batch.batch_no for batch in scope.batches.values()}
    rows: list[Row] = []
    add_row = rows.append
    per_slip: dict[int, list[int]] = {}  # lines, quantity, not given (slips not reversed)
    per_item: dict[int, list[int]] = {}  # lines, quantity, not given
    receivers: dict[int, set[int]] = {}  # visits that took some of the item
    previous = -1
    first_taken: tuple[str, int] = ("", 0)
    taken: list[tuple[str, int]] = []
    batch_text: str | None
    slip_id = -1
    slip = _Slip((), dt.date.min, -1, "", None)
    slip_tally: list[int] | None = None
    # One SQL row per line and batch it took, in slip order. This loop is the report's cost
    # (54,000 lines a month at a busy CHC), so it is written out flat. A line split over two
    # batches (FEFO) comes as consecutive rows and becomes one register row naming both.
    for document_id, line_no, item_id, prescribed, qty, batch_id, moved in conn.execute(
        "SELECT l.document_id, l.line_no, l.item_id, l.qty_prescribed, l.qty, m.batch_id, m.qty "
        "FROM document d CROSS JOIN document_line l ON l.document_id = d.id "
        "LEFT JOIN movement m ON m.document_id = l.document_id AND m.line_no = l.line_no "
        "WHERE d.kind = 'dispense' AND d.doc_date BETWEEN ? AND ? ORDER BY d.doc_date, d.id, l.line_no, m.id", days,
    ):
        key = document_id * 1000 + line_no  # a slip has at most 200 lines
        if key == previous:
            if item_id in names:
                if not taken:
                    taken.append(first_taken)
                taken.append((batch_no.get(batch_id, "?"), -moved))
                values = rows[-1].values
                rows[-1] = Row((*values[:8], ", ".join(f"{name} ({part})" for name, part in taken), *values[9:]))
            continue
        previous = key
        item = names.get(item_id)
        if item is None:
            continue
        if document_id != slip_id:  # a slip's lines come together
            slip_id, slip, slip_tally = document_id, slips[document_id], None
        prescribed = prescribed or 0
        not_given = prescribed - qty
        batch_text = None
        if taken:
            taken = []
        if batch_id is not None:
            batch_text = batch_no.get(batch_id, "?")
            first_taken = (batch_text, -moved)
        add_row(Row((*slip.shown, *item, batch_text, prescribed, qty, not_given or None, slip.reversed_by)))
        if slip.reversed_by is not None:
            continue
        if slip_tally is None:
            slip_tally = per_slip[document_id] = [0, 0, 0]
        slip_tally[0] += 1
        slip_tally[1] += qty
        slip_tally[2] += not_given
        tally = per_item.get(item_id)
        if tally is None:
            tally = per_item[item_id] = [0, 0, 0]
            receivers[item_id] = set()
        tally[0] += 1
        tally[1] += qty
        tally[2] += not_given
        if qty:
            receivers[item_id].add(slip.visit)
    items = scope.items
    return (
        Table("dispensing_slips", SLIP_COLUMNS, rows),
        *_day_tables(slips, per_slip),
        _item_table(items, per_item, receivers),
    )


class _Day:
    """Totals of one day (or one prescriber's day): visits, slips, lines, quantities."""

    __slots__ = ("visits", "slips", "lines", "qty", "not_given")

    def __init__(self) -> None:
        self.visits: set[int] = set()
        self.slips = self.lines = self.qty = self.not_given = 0

    def add(self, visit: int, lines: int, qty: int, not_given: int) -> None:
        self.visits.add(visit)
        self.slips += 1
        self.lines += lines
        self.qty += qty
        self.not_given += not_given

    def figures(self) -> tuple[int, int, int, int, int]:
        return len(self.visits), self.slips, self.lines, self.qty, self.not_given




def _day_tables(slips: dict[int, _Slip], per_slip: dict[int, list[int]]) -> tuple[Table, Table]:
    """Each day's totals and each prescriber's, from each slip's (reversed slips left out)."""
    by_day: dict[dt.date, _Day] = {}
    by_prescriber: dict[tuple[dt.date, str], _Day] = {}
    for document_id, tally in per_slip.items():
        slip = slips[document_id]
        day = slip.day
        figures = by_day.get(day)
        if figures is None:
            figures = by_day[day] = _Day()
        figures.add(slip.visit, *tally)
        figures = by_prescriber.get((day, slip.prescriber))
        if figures is None:
            figures = by_prescriber[(day, slip.prescriber)] = _Day()
        figures.add(slip.visit, *tally)
    day_rows = [Row((day, *tally.figures())) for day, tally in sorted(by_day.items())]
    prescriber_rows = [Row((day, prescriber, *tally.figures())) for (day, prescriber), tally in sorted(by_prescriber.items())]
    return (
        Table("dispensing_days", DAY_COLUMNS, day_rows, (None, *_sums(day_rows, 1, len(DAY_COLUMNS)))),
        Table("dispensing_prescribers", PRESCRIBER_COLUMNS, prescriber_rows,
              (None, None, *_sums(prescriber_rows, 2, len(PRESCRIBER_COLUMNS)))),
    )


def _sums(rows: list[Row], first: int, last: int) -> list[int]:
    return [sum(row.values[index] for row in rows) for index in range(first, last)]


def _item_table(
    items: dict[int, ItemInfo], per_item: dict[int, list[int]], receivers: dict[int, set[int]],
) -> Table:
    rows = [
        Row((items[item_id].code, items[item_id].name, items[item_id].unit, len(receivers[item_id]), lines, qty, not_given))
        for item_id, (lines, qty, not_given) in sorted(per_item.items(), key=lambda e: (-e[1][1], items[e[0]].name.lower()))
    ]
    return Table("dispensing_items", ITEM_COLUMNS, rows)
