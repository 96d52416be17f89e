"""The issues, transfers, adjustments and reversals register: every document other than a
receipt or an OPD slip that moved stock in the period, batch by batch, and a summary by type.

Quantities are signed as they move the stock (- leaves the shelf, + comes back) and valued at
the batch's unit cost. A document that moved nothing (a stocktake that found the books right,
the reversal of a slip that gave nothing) is still listed, line by line, with quantity 0.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal

from ihms_desk.store.reports.result import Column, Row, Table, money
from ihms_desk.store.reports.result import ColumnKind as K
from ihms_desk.store.reports.scan import Scope

COLUMNS = (
    Column("date", K.DATE), Column("document_no", K.TEXT), Column("type", K.LABEL), Column("particulars", K.TEXT),
    Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("batch_no", K.TEXT), Column("expiry", K.MONTH),
    Column("qty", K.INT), Column("value", K.MONEY), Column("entered_by", K.TEXT), Column("reversed_by", K.TEXT),
)
SUMMARY_COLUMNS = (Column("type", K.LABEL), Column("documents", K.INT), Column("lines", K.INT), Column("value", K.MONEY))
KINDS = ("transfer", "adjustment", "stocktake", "reversal")


def document_type(kind: str, header: dict[str, object]) -> str:
    """The label of a document's type: the kind, with the destination or reason it carries."""
    if kind == "transfer":
        return f"transfer_{header.get('destination_type')}"
    if kind == "adjustment":
        return f"adjustment_{header.get('reason_code')}"
    return kind


def _particulars(kind: str, header: dict[str, object], reason: str | None, reverses: str | None) -> str | None:
    if kind == "reversal":
        return f"{reverses}: {reason}" if reason else reverses
    parts = [str(header.get("destination_name") or ""), str(header.get("note") or "")]
    return " · ".join(part for part in parts if part) or None


def build(conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date) -> tuple[Table, ...]:
    rows: list[Row] = []
    summary: dict[str, tuple[set[int], list[int], list[Decimal]]] = {}
    documents = conn.execute(
        "SELECT d.id, d.number, d.kind, d.doc_date, d.header, d.reason, u.full_name, o.number, "
        "(SELECT r.number FROM document r WHERE r.reverses_id = d.id) "
        "FROM document d JOIN app_user u ON u.id = d.created_by LEFT JOIN document o ON o.id = d.reverses_id "
        f"WHERE d.kind IN ({', '.join('?' for _ in KINDS)}) AND d.doc_date BETWEEN ? AND ? ORDER BY d.doc_date, d.id",
        (*KINDS, start.isoformat(), end.isoformat()),
    ).fetchall()
    ids = [row[0] for row in documents]
    moved: dict[int, list[tuple[int, int | None, int]]] = {}
    listed: dict[int, list[int]] = {}
    # The documents of a period are few (a busy CHC saves a handful a day); read their
    # movements and lines by document id in chunks SQLite's parameter limit allows.
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ", ".join("?" for _ in part)
        for document_id, item_id, batch_id, qty in conn.execute(
            f"SELECT document_id, item_id, batch_id, qty FROM movement WHERE document_id IN ({marks}) ORDER BY id", part,
        ):
            moved.setdefault(document_id, []).append((item_id, batch_id, qty))
        for document_id, item_id in conn.execute(
            f"SELECT document_id, item_id FROM document_line WHERE document_id IN ({marks}) ORDER BY document_id, line_no",
            part,
        ):
            listed.setdefault(document_id, []).append(item_id)
    for document_id, number, kind, day, header_text, reason, entered_by, reverses, reversed_by in documents:
        header = json.loads(header_text)
        label = document_type(kind, header)
        particulars = _particulars(kind, header, reason, reverses)
        date = dt.date.fromisoformat(day)
        lines = moved.get(document_id) or [(item_id, None, 0) for item_id in listed.get(document_id, [])]
        for item_id, batch_id, qty in lines:
            item = scope.items.get(item_id)
            if item is None:
                continue
            batch = scope.batches.get(batch_id) if batch_id is not None else None
            value = money(qty * batch.unit_cost) if batch is not None and batch.unit_cost is not None else None
            rows.append(Row((
                date, number, label, particulars, item.code, item.name, batch.batch_no if batch else None,
                batch.expiry_month if batch else None, qty, value, entered_by, reversed_by,
            )))
            documents_of, line_count, values = summary.setdefault(label, (set(), [0], [Decimal(0)]))
            documents_of.add(document_id)
            line_count[0] += 1
            values[0] += value or 0
    summary_rows = [
        Row((label, len(documents_of), line_count[0], money(values[0])))
        for label, (documents_of, line_count, values) in sorted(summary.items())
    ]
    totals = (None, sum(row.values[1] for row in summary_rows), sum(row.values[2] for row in summary_rows),
              money(sum((row.values[3] for row in summary_rows), Decimal(0))))
    register_totals = (*(None,) * 9, money(sum((row.values[9] or Decimal(0) for row in rows), Decimal(0))), None, None)
    return (
        Table("issues_register", COLUMNS, rows, register_totals),
        Table("issues_summary", SUMMARY_COLUMNS, summary_rows, totals),
    )
