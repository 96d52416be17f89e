"""The stock register: per item, and per batch under it, the bin-card columns for a period.

Opening, received (with the challan or voucher numbers), dispensed to OPD, issued to wards,
sub-centres and other facilities, returned to the warehouse, each adjustment reason, stocktake
corrections, reversals and closing, so that for every row

    opening + received - issues - returns - write-offs + found +/- stocktake +/- reversals = closing

A reversal is shown in its own column (signed: + puts stock back), on the day it was saved,
so the column it undoes keeps what really happened that day and the two cancel over a period
that holds both.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal

from ihms_desk.store.reports.result import Column, Row, Table, money
from ihms_desk.store.reports.result import ColumnKind as K
from ihms_desk.store.reports.scan import MOVEMENTS_BY_DAY, BatchInfo, Scope, balances_at_end_of

#: Columns whose quantity leaves the shelf (shown positive, subtracted for the closing).
OUT_COLUMNS = ("dispensed_opd", "issued_ward", "issued_sub_centre", "issued_facility", "returned_to_warehouse",
               "damaged", "expired_written_off", "lost")
#: Columns whose quantity comes in (shown positive, added).
IN_COLUMNS = ("received", "found")
#: Columns already signed (+ in, - out).
SIGNED_COLUMNS = ("stocktake_correction", "reversals")
FLOW_COLUMNS = ("received", *OUT_COLUMNS, "found", *SIGNED_COLUMNS)

COLUMNS = (
    Column("item_code", K.TEXT), Column("item_name", K.TEXT), Column("unit", K.TEXT), Column("batch_no", K.TEXT),
    Column("expiry", K.MONTH), Column("vouchers", K.TEXT), Column("opening", K.INT),
    *(Column(key, K.INT) for key in FLOW_COLUMNS),
    Column("closing", K.INT), Column("closing_value", K.MONEY),
)

_TRANSFER_COLUMN = {"ward": "issued_ward", "sub_centre": "issued_sub_centre", "facility": "issued_facility"}
_ADJUSTMENT_COLUMN = {
    "return_to_warehouse": "returned_to_warehouse", "damaged": "damaged", "expired_write_off": "expired_written_off",
    "lost": "lost", "found": "found", "stocktake_correction": "stocktake_correction",
}
_SIGN = {**{key: -1 for key in OUT_COLUMNS}, **{key: 1 for key in IN_COLUMNS}, **{key: 1 for key in SIGNED_COLUMNS}}


@dataclass
class Flows:
    """What one batch (or one item) moved in the period, by register column."""

    qty: dict[str, int] = field(default_factory=dict)
    vouchers: set[str] = field(default_factory=set)

    def add(self, column: str, qty: int) -> None:
        self.qty[column] = self.qty.get(column, 0) + qty

    def net(self) -> int:
        """The change of stock these flows make."""
        return sum(_SIGN[column] * qty for column, qty in self.qty.items())


def period_flows(conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date) -> dict[int, Flows]:
    """Each batch's flows in ``[start, end]``: one index range for OPD dispensing (by far the
    most rows, grouped in SQL), one for everything else with its document."""
    flows: dict[int, Flows] = {}
    batches = scope.batches
    days = (start.isoformat(), end.isoformat())
    # Dispense movements are always negative; a positive one is a reversal putting stock back.
    # Summing both signs apart in one scan costs SQLite twice a plain sum, so OPD dispensing
    # (nearly every movement) is summed plainly from the index, and everything else, reversals
    # included, is read through its documents, which are few.
    undone: dict[int, int] = {}
    headers: dict[int, dict[str, object]] = {}
    for batch_id, kind, qty, document_id, document_kind, header in conn.execute(
        "SELECT m.batch_id, m.kind, m.qty, d.id, d.kind, d.header FROM document d CROSS JOIN movement m ON m.document_id = d.id "
        "WHERE d.doc_date BETWEEN ? AND ? AND d.kind IN ('receipt', 'transfer', 'adjustment', 'stocktake', 'reversal')", days,
    ):
        if batch_id not in batches:
            continue
        batch = flows.setdefault(batch_id, Flows())
        if document_kind == "reversal":
            batch.add("reversals", qty)
            if kind == "dispense":
                undone[batch_id] = undone.get(batch_id, 0) + qty
            continue
        if document_id not in headers:
            headers[document_id] = json.loads(header)
        fields = headers[document_id]
        if kind == "receipt":
            batch.add("received", qty)
            batch.vouchers.add(str(fields.get("voucher_no") or ""))
        elif kind == "transfer":
            batch.add(_TRANSFER_COLUMN[str(fields.get("destination_type"))], -qty)
        elif kind == "adjustment":
            column = _ADJUSTMENT_COLUMN[str(fields.get("reason_code"))]
            batch.add(column, qty * _SIGN[column])
        else:  # a stocktake's difference
            batch.add("stocktake_correction", qty)
    for batch_id, net in conn.execute(
        f"SELECT batch_id, sum(qty) FROM {MOVEMENTS_BY_DAY} WHERE moved_on BETWEEN ? AND ? AND kind = 'dispense' "
        "GROUP BY batch_id", days,
    ):
        if batch_id in batches:
            dispensed = undone.get(batch_id, 0) - net
            if dispensed:
                flows.setdefault(batch_id, Flows()).add("dispensed_opd", dispensed)
    return flows


def build(conn: sqlite3.Connection, scope: Scope, start: dt.date, end: dt.date, today: dt.date) -> Table:
    """The register as one table: an item row (level 0) followed by its batch rows (level 1)."""
    closing = balances_at_end_of(conn, scope, end, today)
    flows = period_flows(conn, scope, start, end)
    rows: list[Row] = []
    total_value = Decimal(0)
    for item_id, batches in _batches_by_item_name(scope):
        item = scope.items[item_id]
        item_flows = Flows()
        item_opening = item_closing = 0
        item_value = Decimal(0)
        batch_rows: list[Row] = []
        for batch in batches:
            batch_flows = flows.get(batch.id)
            shut = closing.get(batch.id, 0)
            opening = shut - (batch_flows.net() if batch_flows else 0)
            if not (batch_flows or opening or shut):
                continue
            batch_flows = batch_flows or Flows()
            value = money(shut * batch.unit_cost) if batch.unit_cost is not None else None
            batch_rows.append(Row((
                item.code, item.name, item.unit, batch.batch_no, batch.expiry_month,
                ", ".join(sorted(batch_flows.vouchers)) or None, opening,
                *(batch_flows.qty.get(column) or None for column in FLOW_COLUMNS), shut, value,
            ), level=1))
            item_opening += opening
            item_closing += shut
            item_value += value or 0
            for column, qty in batch_flows.qty.items():
                item_flows.add(column, qty)
            item_flows.vouchers |= batch_flows.vouchers
        if not batch_rows:
            continue
        rows.append(Row((
            item.code, item.name, item.unit, None, None, ", ".join(sorted(item_flows.vouchers)) or None, item_opening,
            *(item_flows.qty.get(column) or None for column in FLOW_COLUMNS), item_closing, money(item_value),
        )))
        rows.extend(batch_rows)
        total_value += item_value
    totals = tuple(money(total_value) if column.key == "closing_value" else None for column in COLUMNS)
    return Table("stock_register", COLUMNS, rows, totals)


def _batches_by_item_name(scope: Scope) -> list[tuple[int, list[BatchInfo]]]:
    by_item = scope.batches_of()
    return sorted(by_item.items(), key=lambda entry: (scope.items[entry[0]].name.lower(), scope.items[entry[0]].code))
