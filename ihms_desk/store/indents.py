"""Indents to the district drug warehouse (DDW): suggested from consumption, drafted by the
clerk, approved by the in-charge, then followed through the warehouse's vouchers.

The suggestion for each item (``docs/indents.md``, "The desk"):

- **AMC** is taken over the 3 complete calendar months before the current one. With C the
  units consumed in them (dispensed to OPD and transferred out, ``consumption_month``), N the
  days of those months and D the days among them that ended with no usable stock (the same
  count as the consumption report's, ``reports.scan.days_out_of_stock``)::

      AMC = C x N / (3 x (N - D)), rounded half up to whole units      (C / 3 when D = N)

  so a month half spent stocked-out counts as what it would have used.
- **Suggested** = max(0, maximum months x AMC - usable stock - on order), with the maximum
  the in-charge's ``max_stock_months`` setting, usable stock the unexpired stock now, and on
  order what approved indents still open asked for and no received voucher has brought yet.
- **Emergency**: usable stock below ``emergency_order_months`` (default 0.5) x AMC.

A draft is local and editable (``indent_draft``: not in the ledger, no event); approving it
writes an ``indent`` document and its outbox event in one transaction and empties the draft.
Each line carries the figures it was computed from, so the warehouse sees why.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ihms_desk.store.ledger import LedgerMixin
from ihms_desk.store.errors import DocumentNotFound, InvalidInput
from ihms_desk.store.model import SavedDocument
from ihms_desk.store.reports.consumption import Amc, amc_months
from ihms_desk.store.reports.result import Column, ColumnKind, Note, Report, Row, Table
from ihms_desk.store.reports.scan import ONE_DAY, Scope, days_out_of_stock
from ihms_desk.store.rules import MAX_LINES, check_quantity, check_text, last_usable_day
from ihms_desk.store.users import Action

if TYPE_CHECKING:
    from ihms_desk.store.model import Facility

#: The in-charge's emergency order point, in months of AMC, when none is set.
DEFAULT_EMERGENCY_MONTHS = "0.5"
#: The maximum months of stock an indent orders up to, when none is set (the consumption
#: report's maximum: one setting, ``max_stock_months``, for both).
DEFAULT_MAX_MONTHS = "4"
#: Statuses of an indent, in the order it passes through them (``cancelled``: reversed).
STATUSES = ("draft", "approved", "sent", "partly_issued", "issued", "closed", "cancelled")


@dataclass(frozen=True)
class IndentLine:
    """One item of an indent, with the figures its suggestion was worked from."""

    item_code: str
    item_name: str
    unit: str
    qty: int
    suggested: int
    usable_stock: int
    amc: int
    on_order: int
    days_out_of_stock: int
    emergency: bool

    def wire(self, line_no: int) -> dict[str, Any]:
        """The line as the ``indent`` document carries it (docs/indents.md)."""
        return {"line_no": line_no, "item_code": self.item_code, "qty": self.qty, "suggested": self.suggested,
                "usable_stock": self.usable_stock, "amc": self.amc, "on_order": self.on_order,
                "days_out_of_stock": self.days_out_of_stock, "emergency": self.emergency}


@dataclass(frozen=True)
class IndentLevels:
    """What the suggestions are worked with: the in-charge's levels and the AMC's months."""

    months_max: int
    emergency_months: Decimal
    first_month: str
    last_month: str
    days: int


@dataclass(frozen=True)
class IndentDraft:
    """The indent being prepared (local until approved)."""

    created_at: str
    created_by: str
    updated_at: str
    note: str
    lines: tuple[IndentLine, ...]

    @property
    def emergency(self) -> bool:
        return any(line.emergency and line.qty > 0 for line in self.lines)


@dataclass(frozen=True)
class IndentSummary:
    """An approved indent as the desk lists it, with where it stands."""

    number: str
    doc_date: dt.date
    status: str
    lines: int
    units: int
    emergency: bool
    issued: int  # units on the warehouse's vouchers against it
    received: int  # units the desk's receipts of those vouchers took in (short, excess, damaged as counted)
    approved_by: str


class IndentsMixin(LedgerMixin):
    """Drafting, approving and following indents."""

    if TYPE_CHECKING:
        # Provided by the Store itself (api.py).
        def require_facility(self) -> Facility: ...

    # -- the levels and the suggestion ---------------------------------------------------------

    def indent_levels(self) -> IndentLevels:
        """The maximum months, the emergency order point and the AMC's months for today."""
        months = amc_months(self.today().replace(day=1) - ONE_DAY)
        first = dt.date.fromisoformat(months[0] + "-01")
        return IndentLevels(
            months_max=int(self.setting("max_stock_months", DEFAULT_MAX_MONTHS)),
            emergency_months=Decimal(self.setting("emergency_order_months", DEFAULT_EMERGENCY_MONTHS)),
            first_month=months[0], last_month=months[-1],
            days=(last_usable_day(months[-1]) - first).days + 1,
        )

    def suggest_indent(self, item_codes: Iterable[str] | None = None) -> list[IndentLine]:
        """The suggested line of every item held or used here (or of ``item_codes``), worked as
        the module docstring says; lines with nothing to order are included (``suggested`` 0)."""
        self._require(Action.INDENT, "indent")
        levels = self.indent_levels()
        conn = self.conn
        wanted = None
        if item_codes is not None:
            wanted = [self.item(code).id for code in item_codes]
        conn.execute("BEGIN")  # one snapshot of stock, consumption and indents
        try:
            return self._suggestions(conn, levels, wanted)
        finally:
            conn.rollback()

    def _suggestions(self, conn: sqlite3.Connection, levels: IndentLevels, wanted: list[int] | None) -> list[IndentLine]:
        scope = Scope.load(conn, category=None, item_ids=wanted)
        first = dt.date.fromisoformat(levels.first_month + "-01")
        last = last_usable_day(levels.last_month)
        consumed: dict[int, int] = {}
        for item_id, qty in conn.execute(
            "SELECT item_id, sum(qty) FROM consumption_month WHERE month BETWEEN ? AND ? GROUP BY item_id",
            (levels.first_month, levels.last_month),
        ):
            consumed[item_id] = qty
        out_days = days_out_of_stock(conn, scope, first, last, self.today())
        month = self.today().strftime("%Y-%m")
        usable = dict(conn.execute(
            "SELECT s.item_id, sum(s.qty) FROM stock s JOIN batch b ON b.id = s.batch_id "
            "WHERE b.expiry_month >= ? GROUP BY s.item_id", (month,)).fetchall())
        on_order = self._on_order(conn)
        active = {row[0] for row in conn.execute("SELECT id FROM item WHERE active = 1")}
        stocked = scope.stocked_item_ids()
        lines: list[IndentLine] = []
        for item in sorted(scope.items.values(), key=lambda i: (i.name.lower(), i.code)):
            if item.id not in active or (wanted is None and item.id not in stocked and item.id not in consumed):
                continue
            amc = Amc(max(0, consumed.get(item.id, 0)), levels.days, out_days.get(item.id, 0)).units
            have = usable.get(item.id, 0)
            ordered = on_order.get(item.id, 0)
            lines.append(IndentLine(
                item_code=item.code, item_name=item.name, unit=item.unit, qty=0,
                suggested=max(0, levels.months_max * amc - have - ordered), usable_stock=have, amc=amc,
                on_order=ordered, days_out_of_stock=out_days.get(item.id, 0),
                emergency=amc > 0 and have < levels.emergency_months * amc,
            ))
        return [replace(line, qty=line.suggested) for line in lines]

    def _on_order(self, conn: sqlite3.Connection) -> dict[int, int]:
        """Per item: what open approved indents asked for, less what their received vouchers
        brought (never below 0 per indent line)."""
        result: dict[int, int] = {}
        for number, item_id, asked in conn.execute(
            "SELECT d.number, l.item_id, l.qty FROM document d JOIN document_line l ON l.document_id = d.id "
            "WHERE d.kind = 'indent' AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id) "
            "AND NOT EXISTS (SELECT 1 FROM indent_closed c WHERE c.document_id = d.id)"
        ).fetchall():
            brought = self._voucher_units(conn, number, received_only=True).get(item_id, 0)
            if asked > brought:
                result[item_id] = result.get(item_id, 0) + asked - brought
        return result

    @staticmethod
    def _voucher_units(conn: sqlite3.Connection, indent_number: str, *, received_only: bool) -> dict[int, int]:
        """Units per item on the vouchers issued against an indent (or only those received)."""
        received = " AND v.receipt_id IS NOT NULL" if received_only else ""
        return dict(conn.execute(
            "SELECT i.id, sum(l.qty) FROM voucher v JOIN voucher_line l ON l.voucher_id = v.id "
            f"JOIN item i ON i.code = l.item_code WHERE v.indent_number = ?{received} GROUP BY i.id",
            (indent_number,)).fetchall())

    @staticmethod
    def _received_units(conn: sqlite3.Connection, indent_number: str) -> dict[int, int]:
        """Units per item the receipts of the vouchers against an indent took in: the receipt's
        lines, which hold what arrived usable (a short or damaged line less than sent, an
        excess line more), not the voucher's sent quantities."""
        return dict(conn.execute(
            "SELECT l.item_id, sum(l.qty) FROM voucher v JOIN document_line l ON l.document_id = v.receipt_id "
            "WHERE v.indent_number = ? GROUP BY l.item_id", (indent_number,)).fetchall())

    # -- the draft --------------------------------------------------------------------------------

    def indent_draft(self) -> IndentDraft | None:
        """The indent being prepared, or None."""
        row = self._row("SELECT created_at, created_by, updated_at, note FROM indent_draft WHERE id = 1")
        if row is None:
            return None
        lines = tuple(
            IndentLine(r["code"], r["name"], r["unit_of_issue"], r["qty"], r["suggested"], r["usable_stock"], r["amc"],
                       r["on_order"], r["days_out_of_stock"], bool(r["emergency"]))
            for r in self._rows(
                "SELECT i.code, i.name, i.unit_of_issue, l.* FROM indent_draft_line l JOIN item i ON i.id = l.item_id "
                "ORDER BY l.position")
        )
        return IndentDraft(row["created_at"], row["created_by"], row["updated_at"], row["note"], lines)

    def start_indent_draft(self, *, afresh: bool = False) -> IndentDraft:
        """The draft, made from today's suggestions if there is none (or ``afresh``: the lines
        are worked again and the clerk's changes dropped). Items with nothing to order are
        left out; the clerk adds any item with :meth:`set_indent_line`."""
        user = self._require(Action.INDENT, "indent")
        draft = self.indent_draft()
        if draft is not None and not afresh:
            return draft
        # An indent holds at most MAX_LINES lines: emergencies first, so none is left for later.
        wanted = sorted((line for line in self.suggest_indent() if line.suggested > 0), key=lambda line: not line.emergency)
        lines = wanted[:MAX_LINES]
        now = self.now_utc_iso()
        with self._transaction() as conn:
            conn.execute("DELETE FROM indent_draft_line")
            conn.execute(
                "INSERT INTO indent_draft (id, created_at, created_by, updated_at, note) VALUES (1, ?, ?, ?, '') "
                "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
                (now, user.username, now))
            for position, line in enumerate(lines, start=1):
                self._write_draft_line(conn, line, position)
        result = self.indent_draft()
        assert result is not None
        return result

    def set_indent_line(self, item_code: str, qty: int | str) -> IndentDraft:
        """Ask for ``qty`` of an item (0 takes it off the draft); an item not on the draft yet is
        added with its own figures. The draft is made first if there is none."""
        self._require(Action.INDENT, "indent")
        item = self.item(item_code)
        amount = 0 if str(qty).strip() == "0" else check_quantity(qty)
        draft = self.indent_draft() or self.start_indent_draft()
        with self._transaction() as conn:
            if amount == 0:
                conn.execute("DELETE FROM indent_draft_line WHERE item_id = ?", (item.id,))
            elif conn.execute("UPDATE indent_draft_line SET qty = ? WHERE item_id = ?", (amount, item.id)).rowcount == 0:
                if len(draft.lines) >= MAX_LINES:
                    raise InvalidInput("too_many_lines", field="lines", n=MAX_LINES)
                line = self._suggestions(conn, self.indent_levels(), [item.id])[0]
                position = conn.execute("SELECT coalesce(max(position), 0) + 1 FROM indent_draft_line").fetchone()[0]
                self._write_draft_line(conn, replace(line, qty=amount), position)
            conn.execute("UPDATE indent_draft SET updated_at = ? WHERE id = 1", (self.now_utc_iso(),))
        result = self.indent_draft()
        assert result is not None
        return result

    def set_indent_note(self, note: str) -> None:
        """The draft's note (for the warehouse)."""
        self._require(Action.INDENT, "indent")
        text = check_text(note, "note", "Note", max_length=300, required=False)
        self.indent_draft() or self.start_indent_draft()
        with self._transaction() as conn:
            conn.execute("UPDATE indent_draft SET note = ?, updated_at = ? WHERE id = 1", (text, self.now_utc_iso()))

    def discard_indent_draft(self) -> None:
        """Throw the draft away (nothing of it was ever in the ledger)."""
        self._require(Action.INDENT, "indent")
        with self._transaction() as conn:
            conn.execute("DELETE FROM indent_draft_line")
            conn.execute("DELETE FROM indent_draft")

    @staticmethod
    def _write_draft_line(conn: sqlite3.Connection, line: IndentLine, position: int) -> None:
        conn.execute(
            "INSERT INTO indent_draft_line (item_id, position, qty, suggested, usable_stock, amc, on_order, "
            "days_out_of_stock, emergency) VALUES ((SELECT id FROM item WHERE code = ?), ?, ?, ?, ?, ?, ?, ?, ?)",
            (line.item_code, position, line.qty, line.suggested, line.usable_stock, line.amc, line.on_order,
             line.days_out_of_stock, int(line.emergency)))

    # -- approving ---------------------------------------------------------------------------------

    def approve_indent(self, *, note: str | None = None) -> SavedDocument:
        """The in-charge approves the draft: it becomes an ``indent`` document (``IND/2026-27/
        000004``) with its outbox event, in one transaction that also empties the draft::

            store.approve_indent()
        """
        user = self._require(Action.APPROVE_INDENT, "approve_indent")
        if note is not None:
            self.set_indent_note(note)
        draft = self.indent_draft()
        if draft is None or not draft.lines:
            raise InvalidInput("indent_draft_empty", field="lines")
        facility = self.require_facility()
        levels = self.indent_levels()
        header = {"to": "DDW", "to_name": f"DDW {facility.district}", "months_max": levels.months_max,
                  "emergency": draft.emergency, "approved_by": user.username, "note": draft.note or None}
        lines = [line.wire(n) for n, line in enumerate(draft.lines, start=1)]
        day = self.today()
        with self._transaction() as conn:
            # Saving is the ledger's; the draft goes in the same transaction, so a power cut
            # leaves either the draft or the indent, never both and never neither.
            document = self._save(conn, "indent", day, header, lines, [])
            conn.execute("DELETE FROM indent_draft_line")
            conn.execute("DELETE FROM indent_draft")
        return document

    # -- following --------------------------------------------------------------------------------

    def indents(self, limit: int = 50) -> list[IndentSummary]:
        """The newest approved indents first, each with its status."""
        rows = self._rows("SELECT id FROM document WHERE kind = 'indent' ORDER BY id DESC LIMIT ?", (limit,))
        return [self._summary(row["id"]) for row in rows]

    def indent_status(self, number: str) -> IndentSummary:
        row = self._row("SELECT id FROM document WHERE number = ? AND kind = 'indent'", (number.strip().upper(),))
        if row is None:
            raise DocumentNotFound("document_not_found", field="number", number=number)
        return self._summary(row["id"])

    def _summary(self, document_id: int) -> IndentSummary:
        conn = self.conn
        doc = conn.execute(
            "SELECT d.number, d.doc_date, d.header, (SELECT 1 FROM document r WHERE r.reverses_id = d.id) AS reversed, "
            "(SELECT 1 FROM indent_closed c WHERE c.document_id = d.id) AS closed, "
            "(SELECT status FROM outbox o WHERE o.document_id = d.id) AS outbox FROM document d WHERE d.id = ?",
            (document_id,)).fetchone()
        asked = dict(conn.execute("SELECT item_id, qty FROM document_line WHERE document_id = ?", (document_id,)).fetchall())
        issued = self._voucher_units(conn, doc["number"], received_only=False)
        # The status goes by the received vouchers as sent, as the server closes an indent line
        # when a receipt against it is stored; ``received`` below is what those receipts took in.
        delivered = self._voucher_units(conn, doc["number"], received_only=True)
        vouchers, waiting = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE receipt_id IS NULL) FROM voucher WHERE indent_number = ?",
            (doc["number"],)).fetchone()
        if doc["reversed"]:
            status = "cancelled"
        elif doc["closed"] or (vouchers and not waiting and all(delivered.get(i, 0) >= q for i, q in asked.items())):
            status = "closed"
        elif vouchers:
            status = "issued" if all(issued.get(i, 0) >= q for i, q in asked.items()) else "partly_issued"
        else:
            status = "sent" if doc["outbox"] == "sent" else "approved"
        header = json.loads(doc["header"])
        return IndentSummary(
            number=doc["number"], doc_date=dt.date.fromisoformat(doc["doc_date"]), status=status, lines=len(asked),
            units=sum(asked.values()), emergency=bool(header.get("emergency")), issued=sum(issued.values()),
            received=sum(self._received_units(conn, doc["number"]).values()), approved_by=str(header.get("approved_by") or ""))

    def close_indent(self, number: str, reason: str) -> IndentSummary:
        """The in-charge closes an indent nothing more will come against (its rest is then no
        longer on order). Local to this desk: the warehouse closes its side from the receipts."""
        user = self._require(Action.APPROVE_INDENT, "approve_indent")
        summary = self.indent_status(number)
        text = check_text(reason, "close_reason", "Why it is closed", max_length=300)
        if summary.status in ("closed", "cancelled"):
            raise InvalidInput("indent_not_open", field="number", number=summary.number)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO indent_closed (document_id, closed_at, closed_by, reason) "
                "VALUES ((SELECT id FROM document WHERE number = ?), ?, ?, ?)",
                (summary.number, self.now_utc_iso(), user.username, text))
        return self.indent_status(number)

    # -- printing ----------------------------------------------------------------------------------

    def indent_report(self, number: str | None = None) -> Report:
        """The draft (``number`` None) or an approved indent as a :class:`Report`, printed and
        exported by the same path as every register (``ihms_desk.exports``, the print preview)."""
        self._require(Action.VIEW_STOCK, "view_stock")
        levels = self.indent_levels()
        if number is None:
            draft = self.indent_draft()
            if draft is None or not draft.lines:
                raise InvalidInput("indent_draft_empty", field="lines")
            lines = draft.lines
            notes = [Note("indent_draft")]
        else:
            document = self.document(number)
            if document.kind != "indent":
                raise DocumentNotFound("document_not_found", field="number", number=number)
            names = {row["code"]: (row["name"], row["unit_of_issue"]) for row in self._rows(
                "SELECT i.code, i.name, i.unit_of_issue FROM document_line l JOIN item i ON i.id = l.item_id "
                "WHERE l.document_id = ?", (document.id,))}
            lines = tuple(
                IndentLine(line["item_code"], *names[line["item_code"]], line["qty"], line["suggested"], line["usable_stock"],
                           line["amc"], line["on_order"], line["days_out_of_stock"], bool(line["emergency"]))
                for line in document.lines)
            status = self.indent_status(number)
            notes = [Note("indent_number", {"number": document.number, "date": document.doc_date,
                                            "approved_by": status.approved_by}),
                     Note(f"indent_{status.status}")]
        notes += [Note("indent_formula", {"first": levels.first_month, "last": levels.last_month, "days": levels.days,
                                          "months": levels.months_max, "emergency": levels.emergency_months})]
        columns = (
            Column("item_code", ColumnKind.TEXT), Column("item_name", ColumnKind.TEXT), Column("unit", ColumnKind.TEXT),
            Column("usable_stock", ColumnKind.INT), Column("days_out_of_stock", ColumnKind.INT),
            Column("indent_amc", ColumnKind.INT), Column("on_order", ColumnKind.INT), Column("suggested", ColumnKind.INT),
            Column("indented", ColumnKind.INT), Column("emergency", ColumnKind.LABEL),
        )
        rows = [Row((line.item_code, line.item_name, line.unit, line.usable_stock, line.days_out_of_stock, line.amc,
                     line.on_order, line.suggested, line.qty, "emergency" if line.emergency else None)) for line in lines]
        user = self.user
        assert user is not None
        today = self.today()
        return Report(name="indent", start=today, end=today, facility=self.require_facility(),
                      tables=(Table("indent_lines", columns, rows),), notes=tuple(notes),
                      generated_by=f"{user.full_name} ({user.username})", generated_at=self.now())
