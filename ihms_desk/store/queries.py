"""Read-only views of stock: on hand, batches, near expiry, expired, stock-outs, low stock, a day's documents."""

from __future__ import annotations

import datetime as dt
import json

from ihms_desk.store.base import StoreBase
from ihms_desk.store.catalogue import ITEM_COLUMN_COUNT, ITEM_COLUMNS, item_from_row
from ihms_desk.store.model import Alert, BatchStock, DocumentSummary, ItemStock
from ihms_desk.store.rules import expires_within, is_expired
from ihms_desk.wording import month_as_printed, whole_months

DEFAULT_NEAR_EXPIRY_DAYS = 90
DEFAULT_LOW_STOCK_MONTHS = 1.0
#: Average monthly consumption is taken over this many complete months before the current one.
AMC_MONTHS = 3


def _months_back(day: dt.date, count: int) -> list[str]:
    """The ``count`` complete months before ``day``'s month, as ``YYYY-MM``."""
    year, month = day.year, day.month
    result = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        result.append(f"{year:04d}-{month:02d}")
    return result


class QueriesMixin(StoreBase):
    """Stock views used by the screens, the CLI and alerts."""

    def near_expiry_days(self) -> int:
        return int(self.setting("near_expiry_days", str(DEFAULT_NEAR_EXPIRY_DAYS)))

    def low_stock_months(self) -> float:
        return float(self.setting("low_stock_months", str(DEFAULT_LOW_STOCK_MONTHS)))

    def stock_on_hand(self, *, category: str | None = None, include_zero: bool = True) -> list[ItemStock]:
        """Every active item with its stock, usable (unexpired) part, nearest expiry and AMC::

            for row in store.stock_on_hand():
                print(row.item.code, row.qty, row.usable_qty, row.months_of_stock)
        """
        today = self.today()
        month = today.strftime("%Y-%m")
        months = _months_back(today, AMC_MONTHS)
        params: list[object] = [month, month, *months]
        # An item withdrawn from the catalogue still shows while any of it is on the shelf.
        where = "(i.active = 1 OR s.qty > 0)"
        if category:
            where += " AND i.category = ?"
            params.append(category)
        rows = self._rows(
            f"""
            SELECT {ITEM_COLUMNS},
                coalesce(s.qty, 0) AS qty,
                coalesce(s.usable, 0) AS usable,
                coalesce(s.batches, 0) AS batches,
                s.nearest AS nearest,
                coalesce(c.issued, 0) AS issued
            FROM item i
            LEFT JOIN (
                SELECT st.item_id,
                    sum(st.qty) AS qty,
                    sum(CASE WHEN b.expiry_month >= ? THEN st.qty ELSE 0 END) AS usable,
                    count(*) AS batches,
                    min(CASE WHEN b.expiry_month >= ? THEN b.expiry_month END) AS nearest
                FROM stock st JOIN batch b ON b.id = st.batch_id
                WHERE st.qty > 0
                GROUP BY st.item_id
            ) s ON s.item_id = i.id
            LEFT JOIN (
                SELECT item_id, sum(qty) AS issued FROM consumption_month
                WHERE month IN ({", ".join("?" for _ in months)}) GROUP BY item_id
            ) c ON c.item_id = i.id
            WHERE {where}
            ORDER BY i.name
            """,
            tuple(params),
        )
        result = []
        # The Item of each row is reused while its catalogue columns are unchanged: building
        # 6,000 frozen dataclasses was a third of this call on the five-year database.
        items = self._stock_items
        for row in rows:
            qty, usable, batches, nearest, issued = row[ITEM_COLUMN_COUNT:]
            if not include_zero and qty == 0:
                continue
            columns = tuple(row[:ITEM_COLUMN_COUNT])
            item_id: int = columns[0]
            known = items.get(item_id)
            if known is None or known[0] != columns:
                known = items[item_id] = (columns, item_from_row(columns))
            amc = issued / AMC_MONTHS
            result.append(ItemStock(known[1], qty, usable, qty - usable, batches, nearest, amc,
                                    usable / amc if amc > 0 else None))
        return result

    def item_batches(self, item_code: str, *, include_empty: bool = False) -> list[BatchStock]:
        """The item's batches, earliest expiry first, with balance and expiry flags."""
        item = self.item(item_code)
        today = self.today()
        window = self.near_expiry_days()
        rows = self._rows(
            "SELECT b.id, b.batch_no, b.expiry_month, b.manufacturer, b.unit_cost, coalesce(s.qty, 0) AS qty "
            "FROM batch b LEFT JOIN stock s ON s.batch_id = b.id WHERE b.item_id = ? "
            + ("" if include_empty else "AND s.qty > 0 ")
            + "ORDER BY b.expiry_month, b.id",
            (item.id,),
        )
        return [
            BatchStock(
                batch_id=row["id"], item_code=item.code, batch_no=row["batch_no"], expiry_month=row["expiry_month"],
                manufacturer=row["manufacturer"], unit_cost=row["unit_cost"], qty=row["qty"],
                expired=is_expired(row["expiry_month"], today),
                near_expiry=expires_within(row["expiry_month"], today, window),
            )
            for row in rows
        ]

    def _batches_where(self, condition: str, params: tuple[object, ...]) -> list[tuple[str, str, BatchStock]]:
        today = self.today()
        window = self.near_expiry_days()
        rows = self._rows(
            "SELECT b.id, i.code, i.name, b.batch_no, b.expiry_month, b.manufacturer, b.unit_cost, s.qty "
            "FROM stock s JOIN batch b ON b.id = s.batch_id JOIN item i ON i.id = s.item_id "
            f"WHERE s.qty > 0 AND {condition} ORDER BY b.expiry_month, i.name",
            params,
        )
        return [
            (row["code"], row["name"], BatchStock(
                batch_id=row["id"], item_code=row["code"], batch_no=row["batch_no"], expiry_month=row["expiry_month"],
                manufacturer=row["manufacturer"], unit_cost=row["unit_cost"], qty=row["qty"],
                expired=is_expired(row["expiry_month"], today),
                near_expiry=expires_within(row["expiry_month"], today, window),
            ))
            for row in rows
        ]

    def near_expiry(self, days: int | None = None) -> list[BatchStock]:
        """Batches on the shelf that expire within the window (default: the setting, 90 days)."""
        today = self.today()
        window = self.near_expiry_days() if days is None else days
        last = today + dt.timedelta(days=window)
        # A batch is near expiry when its last usable day (end of month) is within the window.
        candidates = self._batches_where(
            "b.expiry_month >= ? AND b.expiry_month <= ?", (today.strftime("%Y-%m"), last.strftime("%Y-%m"))
        )
        return [batch for _, _, batch in candidates if expires_within(batch.expiry_month, today, window)]

    def near_expiry_codes(self, rows: list[ItemStock], days: int | None = None) -> frozenset[str]:
        """The codes of the items :meth:`near_expiry` would list, from stock already read::

            rows = store.stock_on_hand()
            flagged = store.near_expiry_codes(rows)

        An item has a batch near expiry exactly when its nearest unexpired batch on the shelf
        (``nearest_expiry``) is near expiry, so the batches need not be read again (on the
        five-year database this took the stock screen's verdicts from 25-70 ms to 2)."""
        today = self.today()
        window = self.near_expiry_days() if days is None else days
        return frozenset(row.item.code for row in rows
                         if row.nearest_expiry is not None and expires_within(row.nearest_expiry, today, window))

    def expired_on_shelf(self) -> list[BatchStock]:
        """Batches past their expiry month that still hold stock: to be written off or returned."""
        return [batch for _, _, batch in self._batches_where("b.expiry_month < ?", (self.today().strftime("%Y-%m"),))]

    def stock_outs(self, rows: list[ItemStock] | None = None) -> list[ItemStock]:
        """Items the facility stocks (ever received, or with a minimum) that have no usable stock.

        ``rows``: a :meth:`stock_on_hand` result the caller already has (it is the costly part).
        """
        stocked = {row[0] for row in self._rows("SELECT DISTINCT item_id FROM batch")}
        rows = self.stock_on_hand() if rows is None else rows
        return [row for row in rows if row.usable_qty == 0 and (row.item.id in stocked or row.item.min_stock > 0)]

    def low_stock(self, months: float | None = None, rows: list[ItemStock] | None = None) -> list[ItemStock]:
        """Items with some usable stock but below their minimum or below ``months`` of AMC."""
        threshold = self.low_stock_months() if months is None else months
        return [
            row
            for row in (self.stock_on_hand() if rows is None else rows)
            if row.usable_qty > 0
            and (row.usable_qty < row.item.min_stock or (row.months_of_stock is not None and row.months_of_stock < threshold))
        ]

    def alerts(self) -> list[Alert]:
        """Everything that needs attention now, most serious first."""
        alerts: list[Alert] = []
        on_hand = self.stock_on_hand()
        for row in self.stock_outs(on_hand):
            alerts.append(Alert("stock_out", row.item.code, f"{row.item.name}: out of stock", 2, {"name": row.item.name}))
        for batch in self.expired_on_shelf():
            alerts.append(Alert(
                "expired", batch.item_code,
                f"{batch.item_code} batch {batch.batch_no} expired {month_as_printed(batch.expiry_month)}: {batch.qty} on shelf", 2,
                {"batch_no": batch.batch_no, "expiry_month": batch.expiry_month, "qty": batch.qty},
            ))
        for row in self.low_stock(rows=on_hand):
            mos = (f"{whole_months(row.months_of_stock)} months" if row.months_of_stock is not None
                   else f"below minimum {row.item.min_stock}")
            alerts.append(Alert(
                "low_stock", row.item.code, f"{row.item.name}: {row.usable_qty} left ({mos})", 1,
                {"name": row.item.name, "qty": row.usable_qty, "months": row.months_of_stock, "minimum": row.item.min_stock,
                 "unit": row.item.unit_of_issue},
            ))
        for batch in self.near_expiry():
            alerts.append(Alert(
                "near_expiry", batch.item_code,
                f"{batch.item_code} batch {batch.batch_no} expires {month_as_printed(batch.expiry_month)}: {batch.qty} on shelf", 1,
                {"batch_no": batch.batch_no, "expiry_month": batch.expiry_month, "qty": batch.qty},
            ))
        return alerts

    def documents_on(self, day: dt.date | None = None, *, kind: str | None = None, limit: int = 1000,
                     before_id: int | None = None) -> list[DocumentSummary]:
        """A day's documents, newest first (default today), optionally of one kind; with
        ``before_id``, those older than that document (the next page of a long day)."""
        where = "doc_date = ?"
        params: list[object] = [(day or self.today()).isoformat()]
        if kind:
            where += " AND kind = ?"
            params.append(kind)
        if before_id is not None:
            where += " AND id < ?"
            params.append(before_id)
        return self._document_summaries(where, params, limit)

    def documents_counted_on(self, day: dt.date | None = None, *, kind: str | None = None) -> int:
        """How many documents a day has (of one kind): the document_date index alone."""
        where, params = "doc_date = ?", [(day or self.today()).isoformat()]
        if kind:
            where += " AND kind = ?"
            params.append(kind)
        return int(self._rows(f"SELECT count(*) AS n FROM document WHERE {where}", tuple(params))[0]["n"])

    def recent_dispenses(self, limit: int = 20) -> list[DocumentSummary]:
        """The last dispenses saved, newest first, whatever their date."""
        return self._document_summaries("kind = 'dispense'", [], limit)

    def _document_summaries(self, where: str, params: list[object], limit: int) -> list[DocumentSummary]:
        rows = self._rows(
            "SELECT d.id, d.number, d.kind, d.doc_date, d.created_at, u.username, d.header, "
            "(SELECT count(*) FROM document_line l WHERE l.document_id = d.id) AS lines, "
            # Subquery, not LEFT JOIN: the join made SQLite scan all documents once per row.
            "(SELECT r.number FROM document r WHERE r.reverses_id = d.id) AS reversed_by, o.number AS reverses_number "
            "FROM document d JOIN app_user u ON u.id = d.created_by "
            "LEFT JOIN document o ON o.id = d.reverses_id "
            # The ids first, from the index alone: with the filter on the outer query SQLite
            # built every row of the day (line count, reversal) before sorting and keeping
            # `limit` of them, 112-125 ms for a day of 24,000 documents instead of 30-40.
            f"WHERE d.id IN (SELECT id FROM document WHERE {where} ORDER BY id DESC LIMIT ?) ORDER BY d.id DESC",
            (*params, limit),
        )
        return [
            DocumentSummary(
                id=row["id"], number=row["number"], kind=row["kind"], doc_date=row["doc_date"], created_at=row["created_at"],
                created_by=row["username"], summary=_summary(row["kind"], json.loads(row["header"])), lines=row["lines"],
                reversed_by=row["reversed_by"], reverses_number=row["reverses_number"],
            )
            for row in rows
        ]

    def not_available_report(self, start: dt.date, end: dt.date) -> list[dict[str, object]]:
        """Quantity prescribed but not dispensed per item between two days (the state's NA figure)."""
        rows = self._rows(
            "SELECT i.code, i.name, sum(l.qty_prescribed - l.qty) AS not_available, count(*) AS lines "
            "FROM document_line l JOIN document d ON d.id = l.document_id JOIN item i ON i.id = l.item_id "
            "WHERE d.kind = 'dispense' AND d.doc_date BETWEEN ? AND ? AND l.qty_prescribed > l.qty "
            "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id) "
            "GROUP BY i.id ORDER BY not_available DESC",
            (start.isoformat(), end.isoformat()),
        )
        return [dict(row) for row in rows]


def _summary(kind: str, header: dict[str, object]) -> str:
    if kind == "dispense":
        return f"{header.get('opd_no')} · {header.get('patient_name')} ({header.get('age')}/{header.get('sex')})"
    if kind == "receipt":
        return f"{header.get('source')} · {header.get('voucher_no')}"
    if kind == "adjustment":
        return str(header.get("reason_code"))
    if kind == "transfer":
        return f"{header.get('destination_type')} · {header.get('destination_name')}"
    if kind == "reversal":
        return f"reverses {header.get('reverses_number')}"
    return str(header.get("note") or "")
