"""Documents that move stock: receipts, OPD dispensing, adjustments, transfers, stocktakes, reversals.

Every save is one transaction that writes the document, its lines, its ledger movements, the
per-batch balances and exactly one outbox event. A refusal raises before commit, so nothing
of a refused document is ever stored.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from ihms_desk.store.base import StoreBase
from ihms_desk.store.errors import (
    AlreadyReversed,
    BatchExpired,
    BatchExpiryMismatch,
    DocumentNotFound,
    DuplicateVoucher,
    ExpiresSoon,
    InvalidInput,
    SameLinesAsEarlier,
    StockTooLow,
    UnknownBatch,
    UnknownItem,
)
from ihms_desk.store.model import (
    SEXES,
    AdjustmentLine,
    AdjustmentReason,
    Allocation,
    DispenseLine,
    Item,
    LinePlan,
    Patient,
    ReceiptLine,
    ReceiptSource,
    SavedDocument,
    StocktakeCount,
    StocktakeDifference,
    TransferDestination,
    TransferLine,
)
from ihms_desk.store.footprint import dispense_line, dispense_line_detail
from ihms_desk.store.outbox import claim_event_place, write_event
from ihms_desk.store.rules import (
    MAX_DISPENSE_QTY,
    MAX_LINES,
    check_abha,
    check_quantity,
    check_text,
    check_unit_cost,
    document_number,
    expires_this_month_or_next,
    financial_year,
    is_expired,
    normalise_batch_no,
    parse_date,
    parse_expiry_month,
)
from ihms_desk.store.users import Action

#: Paper records from a power cut or outage may be entered later, but not from long ago.
DEFAULT_BACKDATE_DAYS = 30
#: Movements of these kinds are consumption (they feed the average monthly consumption).
ISSUE_KINDS = ("dispense", "transfer")


@dataclass
class _Batch:
    id: int
    item_id: int
    batch_no: str
    expiry_month: str
    manufacturer: str | None
    unit_cost: str | None


@dataclass
class _Movement:
    line_no: int
    batch_id: int
    item_id: int
    qty: int
    kind: str
    #: The batch's facts and the item's code, when the caller has them at hand (the saved
    #: document names them; ``_save`` reads the rest before it writes).
    batch: _Batch | None = None
    item_code: str | None = None


@dataclass
class _Shelf:
    """The items a document's lines name and their usable batches (earliest expiry first,
    rows of ``id, batch_no, expiry_month, qty, manufacturer, unit_cost, item_id``), read for
    all lines at once (``LedgerMixin._shelf``)."""

    items: dict[str, Item]
    usable: dict[int, list[sqlite3.Row]]

    def batch(self, item_id: int, batch_id: int) -> _Batch:
        """A usable batch's facts, which the saved document's movements name (so nothing is
        read back after it is written)."""
        row = next(row for row in self.usable[item_id] if row[0] == batch_id)
        return _Batch(batch_id, row[6], row[1], row[2], row[4], row[5])


class LedgerMixin(StoreBase):
    """Saving and reversing documents."""

    # -- receipt ----------------------------------------------------------------------------

    def receive(
        self,
        *,
        source: ReceiptSource | str,
        voucher_no: str,
        voucher_date: dt.date | str,
        lines: Sequence[ReceiptLine],
        source_name: str = "",
        doc_date: dt.date | None = None,
        warn: bool = False,
        same_lines_ok: bool = False,
    ) -> SavedDocument:
        """Record stock received from the district drug warehouse, another facility or a purchase.

        A new batch is created on first receipt; the same batch number again must carry the
        same expiry. Already-expired stock is refused. A line's ``short_expiry_reason`` is kept
        with the line.

        With ``warn`` (a challan a person entered: the Receive screen, a CSV import) two more
        things a clerk would miss are refused until answered: stock expiring this month or next
        without a ``short_expiry_reason`` (:class:`ExpiresSoon`), and a challan whose lines all
        equal an earlier receipt's, the same file imported twice under another number
        (:class:`SameLinesAsEarlier`) unless ``same_lines_ok``; the earlier receipt's number is
        then kept in the header (``same_lines_as``). Without ``warn`` (the demo, a program
        replaying facts) neither is asked::

            doc = store.receive(
                source="ddw", voucher_no="DDW/JPR/2026/4411", voucher_date="2026-11-20",
                lines=[ReceiptLine("D0001", "PCM2411", "2027-03", 5000,
                                   manufacturer="RMSCL", unit_cost="0.18")],
            )
            doc.number  # 'RCV/2026-27/000001'
        """
        self._require(Action.RECEIVE, "receive")
        day = self._document_day(doc_date)
        if (source_kind := _member(ReceiptSource, source)) is None:
            raise InvalidInput("choose_source", field="source")
        header = {
            "source": source_kind.value,
            "source_name": check_text(source_name, "source_name", "Sender", required=source_kind is ReceiptSource.OTHER_FACILITY),
            "voucher_no": check_text(voucher_no, "voucher_no", "Voucher or challan number", max_length=40),
            "voucher_date": self._voucher_date(voucher_date, day).isoformat(),
        }
        self._check_line_count(lines)
        clean: list[tuple[Item, str, str, int, str | None, str | None, str | None]] = []
        for line in lines:
            # Every line's own fields first; the batch on record is checked in the transaction.
            item, batch_no, expiry, reason = self._receipt_line_fields(line, day, warn)
            qty = check_quantity(line.qty)
            manufacturer = check_text(line.manufacturer, "manufacturer", "Manufacturer", required=False) or None
            clean.append((item, batch_no, expiry, qty, manufacturer, check_unit_cost(line.unit_cost), reason))
        with self._transaction() as conn:
            # A challan typed or imported twice would double the stock on the books.
            earlier = conn.execute(
                "SELECT d.number FROM document d WHERE d.kind = 'receipt' "
                "AND json_extract(d.header, '$.source') = ? AND json_extract(d.header, '$.source_name') = ? "
                "AND upper(json_extract(d.header, '$.voucher_no')) = upper(?) "
                "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id)",
                (header["source"], header["source_name"], header["voucher_no"]),
            ).fetchone()
            if earlier is not None:
                raise DuplicateVoucher(header["voucher_no"], earlier[0])
            movements: list[_Movement] = []
            doc_lines: list[dict[str, Any]] = []
            for line_no, (item, batch_no, expiry, qty, manufacturer, cost, reason) in enumerate(clean, start=1):
                batch = self._batch_for_receipt(conn, item, batch_no, expiry, manufacturer, cost)
                movements.append(_Movement(line_no, batch.id, item.id, qty, "receipt", batch, item.code))
                doc_line: dict[str, Any] = {
                    "line_no": line_no,
                    "item_code": item.code,
                    "batch_no": batch_no,
                    "expiry_month": expiry,
                    "manufacturer": manufacturer,
                    "unit_cost": cost,
                    "qty": qty,
                }
                if reason:
                    doc_line["short_expiry_reason"] = reason
                doc_lines.append(doc_line)
            # After the batches are checked (an expiry differing from the batch on record is
            # the harder fault), before anything is saved.
            same = self._receipt_with_same_lines(conn, [(item.id, batch_no, qty) for item, batch_no, _, qty, *_ in clean]) \
                if warn else None
            if same is not None:
                if not same_lines_ok:
                    raise SameLinesAsEarlier(*same)
                header["same_lines_as"] = same[0]
            return self._save(conn, "receipt", day, header, doc_lines, movements)

    def check_receipt_line(self, line: ReceiptLine, day: dt.date | None = None, *,
                           warn: bool = True) -> tuple[Item, str, str, str | None]:
        """The checks a receipt line must pass before the challan is saved, so the Receive
        screen says them at the line: the item exists, the batch number and expiry read, the
        stock is not expired, its expiry agrees with the batch on record, and stock expiring
        this month or next carries a reason (unless not ``warn``). Returns the item, the batch
        number and expiry as stored, and the reason (None when none was given)."""
        item, batch_no, expiry, reason = self._receipt_line_fields(line, day or self.today(), warn)
        known = self._scalar("SELECT expiry_month FROM batch WHERE item_id = ? AND batch_no = ?", (item.id, batch_no))
        if known is not None and known != expiry:
            raise BatchExpiryMismatch(item.code, batch_no, str(known), expiry)
        return item, batch_no, expiry, reason

    def _receipt_line_fields(self, line: ReceiptLine, day: dt.date, warn: bool) -> tuple[Item, str, str, str | None]:
        """A receipt line's own fields: the item, the batch number and expiry as stored (not
        expired), and its reason (needed, with ``warn``, for stock expiring this month or next)."""
        item = self.item(line.item_code)
        batch_no = normalise_batch_no(line.batch_no)
        expiry = parse_expiry_month(line.expiry_month)
        if is_expired(expiry, day):
            raise BatchExpired(item.code, batch_no, expiry, receiving=True)
        reason = check_text(line.short_expiry_reason, "short_expiry_reason", "Reason for short expiry",
                            required=False) or None
        if warn and reason is None and expires_this_month_or_next(expiry, day):
            raise ExpiresSoon(item.code, batch_no, expiry)
        return item, batch_no, expiry, reason

    @staticmethod
    def _receipt_with_same_lines(conn: sqlite3.Connection, lines: list[tuple[int, str, int]]) -> tuple[str, str, str] | None:
        """The earlier receipt (not reversed) whose lines are exactly these (item, batch,
        quantity), as number, voucher number and voucher date; None when there is none.

        Only receipts holding the first line's batch and quantity are compared whole, so this
        stays one indexed look-up and a few small reads however long the ledger grows."""
        wanted = sorted(lines)
        item_id, batch_no, qty = lines[0]
        candidates = conn.execute(
            "SELECT DISTINCT m.document_id FROM movement m JOIN batch b ON b.id = m.batch_id "
            "WHERE b.item_id = ? AND b.batch_no = ? AND m.kind = 'receipt' AND m.qty = ?",
            (item_id, batch_no, qty),
        ).fetchall()
        for (document_id,) in candidates:
            found = sorted(
                (row[0], row[1], row[2]) for row in conn.execute(
                    "SELECT b.item_id, b.batch_no, m.qty FROM movement m JOIN batch b ON b.id = m.batch_id "
                    "WHERE m.document_id = ?", (document_id,)))
            if found != wanted:
                continue
            row = conn.execute(
                "SELECT d.number, json_extract(d.header, '$.voucher_no'), json_extract(d.header, '$.voucher_date') "
                "FROM document d WHERE d.id = ? AND d.kind = 'receipt' "
                "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id)", (document_id,)).fetchone()
            if row is not None:
                return str(row[0]), str(row[1]), str(row[2])
        return None

    # -- OPD dispense -----------------------------------------------------------------------

    def plan_dispense(self, lines: Sequence[DispenseLine], *, doc_date: dt.date | None = None) -> list[LinePlan]:
        """What :meth:`dispense` would take from which batch, without saving anything.

        The screen shows this plan (FEFO batches and any shortfall) while the pharmacist types.
        """
        day = self._document_day(doc_date)
        shelf = self._shelf(self.conn, [line.item_code for line in lines], day)
        return [self._plan_line(self.conn, shelf, n, line, day, allow_short=True) for n, line in enumerate(lines, start=1)]

    def dispense(
        self,
        *,
        patient: Patient,
        prescriber: str,
        lines: Sequence[DispenseLine],
        doc_date: dt.date | None = None,
    ) -> SavedDocument:
        """Record medicines handed to an OPD patient.

        Each line takes the earliest-expiring usable batch first (FEFO), splitting across
        batches; a chosen ``batch_no`` is used first if it is valid. When there is not enough,
        what there is is dispensed and the rest is recorded as not available (``qty=None``);
        an explicit ``qty`` that cannot be met is refused with :class:`StockTooLow`::

            doc = store.dispense(
                patient=Patient(opd_no="OPD/4521", name="Sita Devi", age=34, sex="F"),
                prescriber="Dr. R. Meena",
                lines=[DispenseLine("D0001", qty_prescribed=15), DispenseLine("D0107", 10)],
            )
            doc.shortfalls  # [{'line_no': 2, 'item_code': 'D0107', 'not_available': 4}]
        """
        self._require(Action.DISPENSE, "dispense")
        day = self._document_day(doc_date)
        header, lines = self._checked_dispense(patient, prescriber, lines)
        with self._transaction() as conn:
            return self._dispense_in(conn, day, header, lines)

    def _checked_dispense(self, patient: Patient, prescriber: str,
                          lines: Sequence[DispenseLine]) -> tuple[dict[str, Any], list[DispenseLine]]:
        """The dispense's header and lines as the store keeps them, or the refusal of the first
        field that is wrong."""
        sex = str(patient.sex or "").strip().upper()[:1]
        if sex not in SEXES:
            raise InvalidInput("choose_sex", field="sex")
        if isinstance(patient.age, bool) or not isinstance(patient.age, int) or not 0 <= patient.age <= 130:
            raise InvalidInput("bad_age", field="age")
        months = patient.age_months
        if months is not None and (isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 36):
            raise InvalidInput("bad_age_months", field="age")
        header = {
            "opd_no": check_text(patient.opd_no, "opd_no", "OPD registration number", max_length=30),
            "patient_name": check_text(patient.name, "patient_name", "Patient name"),
            "age": patient.age if months is None else months // 12,
            "sex": sex,
            "abha": check_abha(patient.abha),
            "prescriber": check_text(prescriber, "prescriber", "Prescriber"),
        }
        if months is not None:
            header["age_months"] = months
        self._check_line_count(lines)
        seen: set[str] = set()
        checked: list[DispenseLine] = []
        for line in lines:
            code = line.item_code.strip().upper()
            if code in seen:
                raise InvalidInput("prescribed_twice", field="item", item=code)
            seen.add(code)
            # Keep the checked numbers: a quantity typed as text ("15") is read as a number here.
            prescribed = check_quantity(line.qty_prescribed, field="qty_prescribed", maximum=MAX_DISPENSE_QTY)
            qty = line.qty
            if qty is not None and qty != 0:
                qty = check_quantity(qty, maximum=MAX_DISPENSE_QTY)
                if qty > prescribed:
                    raise InvalidInput("more_than_prescribed", field="quantity")
            dose = (line.dose or "").strip()[:40] or None
            checked.append(DispenseLine(line.item_code, prescribed, qty, line.batch_no, dose))
        return header, checked

    def _dispense_in(self, conn: sqlite3.Connection, day: dt.date, header: dict[str, Any],
                     lines: list[DispenseLine]) -> SavedDocument:
        """Save a checked dispense inside the caller's transaction (and remember its doses)."""
        shelf = self._shelf(conn, [line.item_code for line in lines], day)
        plans = [self._plan_line(conn, shelf, n, line, day, allow_short=line.qty is None)
                 for n, line in enumerate(lines, start=1)]
        movements: list[_Movement] = []
        doc_lines: list[dict[str, Any]] = []
        for plan, line in zip(plans, lines):
            movements += [_Movement(plan.line_no, a.batch_id, plan.item.id, -a.qty, "dispense",
                                    shelf.batch(plan.item.id, a.batch_id), plan.item.code) for a in plan.allocations]
            doc_lines.append(dispense_line(plan.line_no, plan.item.code, line.qty_prescribed, plan.qty))
        doses = [(plan.item.id, line.dose, self.now_utc_iso()) for plan, line in zip(plans, lines) if line.dose]
        if doses:
            # The counter's memory of how each item is prescribed: offered on its next line.
            conn.executemany("INSERT INTO dose_memory (item_id, dose, used_at) VALUES (?, ?, ?) "
                             "ON CONFLICT (item_id) DO UPDATE SET dose = excluded.dose, used_at = excluded.used_at", doses)
        return self._save(conn, "dispense", day, header, doc_lines, movements, qty_prescribed=[line.qty_prescribed for line in lines])

    # -- adjustment -------------------------------------------------------------------------

    def adjust(self, *, reason: AdjustmentReason | str, lines: Sequence[AdjustmentLine], note: str = "", doc_date: dt.date | None = None) -> SavedDocument:
        """Correct stock of named batches, for a reason.

        Write-offs (damaged, expired, lost) need the MO in-charge or admin; ``found`` adds
        stock; ``stocktake_correction`` takes a signed quantity; the rest remove stock.
        Expired batches may be adjusted (that is how they leave the shelf)::

            store.adjust(reason="expired_write_off",
                         lines=[AdjustmentLine("D0001", "PCM2301", 120)], note="condemned 25-11")
        """
        if (reason_kind := _member(AdjustmentReason, reason)) is None:
            raise InvalidInput("choose_adjustment_reason", field="reason")
        if reason_kind.is_write_off:
            self._require(Action.WRITE_OFF, "write_off")
        else:
            self._require(Action.ADJUST, "adjust")
        day = self._document_day(doc_date)
        header = {"reason_code": reason_kind.value, "note": check_text(note, "note", "Note", max_length=300, required=False)}
        self._check_line_count(lines)
        with self._transaction() as conn:
            movements: list[_Movement] = []
            doc_lines: list[dict[str, Any]] = []
            for line_no, line in enumerate(lines, start=1):
                item = self.item(line.item_code)
                batch = self._existing_batch(conn, item, line.batch_no)
                if reason_kind.direction == 0:
                    if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty == 0:
                        raise InvalidInput("correction_not_zero", field="quantity")
                    check_quantity(abs(line.qty))
                    delta = line.qty
                else:
                    delta = reason_kind.direction * check_quantity(line.qty)
                if delta < 0:
                    self._check_batch_stock(conn, item, batch, -delta)
                movements.append(_Movement(line_no, batch.id, item.id, delta, "adjustment", batch, item.code))
                doc_lines.append(
                    {"line_no": line_no, "item_code": item.code, "batch_no": batch.batch_no, "expiry_month": batch.expiry_month, "qty": delta}
                )
            return self._save(conn, "adjustment", day, header, doc_lines, movements)

    # -- transfer out -----------------------------------------------------------------------

    def transfer_out(
        self,
        *,
        destination_type: TransferDestination | str,
        destination_name: str,
        lines: Sequence[TransferLine],
        note: str = "",
        doc_date: dt.date | None = None,
        extra_header: Mapping[str, Any] | None = None,
    ) -> SavedDocument:
        """Issue stock to a ward, a sub-centre or another facility (FEFO unless a batch is named).
        ``extra_header`` adds keys the caller has checked (a transfer made from a redistribution
        suggestion names ``to_facility`` and ``suggestion_id``: ``store/vouchers.py``).

        Unlike OPD dispensing, a transfer is never short: not enough stock is refused::

            store.transfer_out(destination_type="ward", destination_name="Labour room",
                               lines=[TransferLine("D0210", 20)])
        """
        self._require(Action.TRANSFER, "transfer")
        day = self._document_day(doc_date)
        if (destination := _member(TransferDestination, destination_type)) is None:
            raise InvalidInput("choose_destination", field="destination_type")
        header = {
            "destination_type": destination.value,
            "destination_name": check_text(destination_name, "destination_name", "Destination"),
            "note": check_text(note, "note", "Note", max_length=300, required=False),
            **(extra_header or {}),
        }
        self._check_line_count(lines)
        with self._transaction() as conn:
            movements: list[_Movement] = []
            doc_lines: list[dict[str, Any]] = []
            taken: dict[int, int] = {}  # one item may be on several lines (one per batch, say)
            shelf = self._shelf(conn, [line.item_code for line in lines], day)
            for line_no, line in enumerate(lines, start=1):
                qty = check_quantity(line.qty)
                plan = self._plan_line(
                    conn, shelf, line_no, DispenseLine(line.item_code, qty, qty, line.batch_no), day, allow_short=False,
                    taken=taken,
                )
                movements += [_Movement(line_no, a.batch_id, plan.item.id, -a.qty, "transfer",
                                        shelf.batch(plan.item.id, a.batch_id), plan.item.code) for a in plan.allocations]
                doc_lines.append({"line_no": line_no, "item_code": plan.item.code, "qty": plan.qty})
            return self._save(conn, "transfer", day, header, doc_lines, movements)

    # -- stocktake --------------------------------------------------------------------------

    def preview_stocktake(self, counts: Sequence[StocktakeCount]) -> list[StocktakeDifference]:
        """Book quantity beside the counted one for each batch counted; nothing is saved."""
        result = []
        for count in counts:
            item = self.item(count.item_code)
            batch = self._existing_batch(self.conn, item, count.batch_no)
            book = self._batch_qty(self.conn, batch.id)
            if isinstance(count.counted, bool) or not isinstance(count.counted, int) or not 0 <= count.counted <= 10_000_000:
                raise InvalidInput("counted_whole_number", field="counted")
            result.append(StocktakeDifference(item.code, item.name, batch.batch_no, batch.expiry_month, book, count.counted))
        return result

    def stocktake(self, counts: Sequence[StocktakeCount], *, note: str = "", doc_date: dt.date | None = None) -> SavedDocument:
        """Record a physical count: each counted batch's difference becomes a correction movement.

        Batches not counted are left alone (a stocktake may cover one shelf)::

            diffs = store.preview_stocktake([StocktakeCount("D0001", "PCM2411", 4890)])
            store.stocktake([StocktakeCount("D0001", "PCM2411", 4890)], note="March count")
        """
        self._require(Action.STOCKTAKE, "stocktake")
        day = self._document_day(doc_date)
        header = {"note": check_text(note, "note", "Note", max_length=300, required=False)}
        self._check_line_count(counts)
        seen: set[tuple[str, str]] = set()
        with self._transaction() as conn:
            movements: list[_Movement] = []
            doc_lines: list[dict[str, Any]] = []
            for line_no, count in enumerate(counts, start=1):
                item = self.item(count.item_code)
                batch = self._existing_batch(conn, item, count.batch_no)
                if (item.code, batch.batch_no) in seen:
                    raise InvalidInput("counted_twice", field="batch", batch=batch.batch_no, item=item.code)
                seen.add((item.code, batch.batch_no))
                if isinstance(count.counted, bool) or not isinstance(count.counted, int) or not 0 <= count.counted <= 10_000_000:
                    raise InvalidInput("counted_whole_number", field="counted")
                book = self._batch_qty(conn, batch.id)
                difference = count.counted - book
                if difference:
                    movements.append(_Movement(line_no, batch.id, item.id, difference, "stocktake", batch, item.code))
                doc_lines.append(
                    {"line_no": line_no, "item_code": item.code, "batch_no": batch.batch_no, "expiry_month": batch.expiry_month,
                     "book_qty": book, "counted": count.counted, "qty": difference}
                )
            return self._save(conn, "stocktake", day, header, doc_lines, movements)

    # -- reversal ---------------------------------------------------------------------------

    def reverse(self, number: str, *, reason: str) -> SavedDocument:
        """Undo a saved document by a new one that moves every unit back. Nothing is edited.

        Only the MO in-charge or admin may reverse. A document is reversed at most once, a
        reversal is not itself reversed (enter the document again), and a receipt whose stock
        has already gone cannot be reversed. A receipt against a pulled voucher releases the
        voucher, which then waits to be received again::

            store.reverse("DSP/2026-27/000123", reason="wrong patient")
        """
        self._require(Action.REVERSE, "reverse")
        reason = check_text(reason, "reason", "Reason for the reversal", max_length=300)
        day = self._document_day(None)
        with self._transaction() as conn:
            return self._reverse_in(conn, number, reason, day)

    def _reverse_in(self, conn: sqlite3.Connection, number: str, reason: str, day: dt.date) -> SavedDocument:
        """Reverse a document inside the caller's transaction (the reason already checked)."""
        original = conn.execute(
            "SELECT d.id, d.kind, d.number, d.doc_date, "
            "(SELECT r.number FROM document r WHERE r.reverses_id = d.id) AS reversed_by FROM document d "
            "WHERE d.number = ?",
            (number.strip().upper(),),
        ).fetchone()
        if original is None:
            raise DocumentNotFound("document_not_found", field="number", number=number)
        if original["kind"] == "reversal":
            raise AlreadyReversed("reversal_of_reversal", number=number)
        if original["reversed_by"]:
            raise AlreadyReversed("already_reversed", number=number, by=original["reversed_by"])
        if original["kind"] == "dispense":
            # Units a patient brought back are on the shelf already: reversing the slip would
            # put them back twice. The return is reversed first (it is a document too).
            returns = conn.execute(
                "SELECT d.number FROM document d WHERE d.kind = 'adjustment' "
                "AND json_extract(d.header, '$.returns_number') = ? "
                "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id)", (original["number"],)).fetchall()
            if returns:
                raise AlreadyReversed("reverse_returns_first", number=original["number"],
                                      returns=", ".join(row[0] for row in returns))
        # One reversal line per original movement: a dispense line split over two batches
        # becomes two reversal lines, each naming its batch and the line it undoes.
        originals = conn.execute(
            "SELECT line_no, batch_id, item_id, qty, kind FROM movement WHERE document_id = ? ORDER BY id",
            (original["id"],),
        ).fetchall()
        movements = [
            _Movement(line_no, row["batch_id"], row["item_id"], -row["qty"], row["kind"])
            for line_no, row in enumerate(originals, start=1)
        ]
        needed: dict[int, int] = {}
        for movement in movements:
            if movement.qty < 0:
                needed[movement.batch_id] = needed.get(movement.batch_id, 0) - movement.qty
        for batch_id, qty in needed.items():
            on_hand = self._batch_qty(conn, batch_id)
            if on_hand < qty:
                batch = conn.execute(
                    "SELECT b.batch_no, i.code FROM batch b JOIN item i ON i.id = b.item_id WHERE b.id = ?", (batch_id,)
                ).fetchone()
                raise StockTooLow(batch["code"], qty, on_hand, batch["batch_no"])
        if original["kind"] == "receipt":
            # A receipt made against a pulled voucher lets the voucher go, in this transaction:
            # it waits again, to be received anew (the wrong voucher, wrong counts), and the
            # indent's received, status and on-order figures no longer count it. The history
            # stays in the ledger: the receipt names the voucher, the reversal the receipt.
            conn.execute("UPDATE voucher SET receipt_id = NULL WHERE receipt_id = ?", (original["id"],))
        header = {"reverses_number": original["number"], "reverses_kind": original["kind"]}
        doc_lines = [
            {"line_no": m.line_no, "reverses_line_no": row["line_no"], "item_code": self._item_code(conn, m.item_id),
             "batch_no": self._batch_no(conn, m.batch_id), "qty": m.qty}
            for m, row in zip(movements, originals)
        ]
        if not doc_lines:
            # The original moved no stock (every line not available, or a stocktake that found
            # the books right): the reversal still names each line it cancels, with no quantity.
            doc_lines = [
                {"line_no": n, "reverses_line_no": row["line_no"], "item_code": row["code"], "batch_no": None, "qty": 0}
                for n, row in enumerate(conn.execute(
                    "SELECT l.line_no, i.code FROM document_line l JOIN item i ON i.id = l.item_id "
                    "WHERE l.document_id = ? ORDER BY l.line_no", (original["id"],)), start=1)
            ]
        return self._save(
            conn, "reversal", day, header, doc_lines, movements, reverses=(original["id"], original["number"]),
            reverses_day=dt.date.fromisoformat(original["doc_date"]), reason=reason,
        )

    # -- reading documents ------------------------------------------------------------------

    def document(self, number: str) -> SavedDocument:
        """A saved document with its lines and movements, by number."""
        row = self._row("SELECT id FROM document WHERE number = ?", (number.strip().upper(),))
        if row is None:
            raise DocumentNotFound("document_not_found", field="number", number=number)
        return self._load_document(self.conn, row["id"])

    # -- internals --------------------------------------------------------------------------

    def _document_day(self, doc_date: dt.date | str | None) -> dt.date:
        today = self.today()
        if doc_date is None:
            return today
        day = parse_date(doc_date, "doc_date", "Document date")
        if day > today:
            raise InvalidInput("dated_in_future", field="doc_date")
        limit = int(self.setting("backdate_days", str(DEFAULT_BACKDATE_DAYS)))
        if day < today - dt.timedelta(days=limit):
            raise InvalidInput("backdated_too_far", field="doc_date", days=limit)
        return day

    @staticmethod
    def _voucher_date(value: dt.date | str, day: dt.date) -> dt.date:
        voucher = parse_date(value, "voucher_date", "Voucher date")
        if voucher > day:
            raise InvalidInput("voucher_after_today", field="voucher_date")
        if voucher < day - dt.timedelta(days=366):
            raise InvalidInput("voucher_too_old", field="voucher_date")
        return voucher

    @staticmethod
    def _check_line_count(lines: Sequence[object]) -> None:
        if not lines:
            raise InvalidInput("no_lines", field="lines")
        if len(lines) > MAX_LINES:
            raise InvalidInput("too_many_lines", field="lines", n=MAX_LINES)

    def _batch_for_receipt(
        self, conn: sqlite3.Connection, item: Item, batch_no: str, expiry: str, manufacturer: str | None, cost: str | None
    ) -> _Batch:
        row = conn.execute(
            "SELECT id, item_id, batch_no, expiry_month, manufacturer, unit_cost FROM batch WHERE item_id = ? AND batch_no = ?",
            (item.id, batch_no),
        ).fetchone()
        if row is not None:
            if row["expiry_month"] != expiry:
                raise BatchExpiryMismatch(item.code, batch_no, row["expiry_month"], expiry)
            return _Batch(*row)
        cursor = conn.execute(
            "INSERT INTO batch (item_id, batch_no, expiry_month, manufacturer, unit_cost, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (item.id, batch_no, expiry, manufacturer, cost, self.now_utc_iso()),
        )
        assert cursor.lastrowid is not None
        return _Batch(cursor.lastrowid, item.id, batch_no, expiry, manufacturer, cost)

    def _existing_batch(self, conn: sqlite3.Connection, item: Item, batch_no: str) -> _Batch:
        number = normalise_batch_no(batch_no)
        row = conn.execute(
            "SELECT id, item_id, batch_no, expiry_month, manufacturer, unit_cost FROM batch WHERE item_id = ? AND batch_no = ?",
            (item.id, number),
        ).fetchone()
        if row is None:
            raise UnknownBatch(item.code, number)
        return _Batch(*row)

    @staticmethod
    def _batch_qty(conn: sqlite3.Connection, batch_id: int) -> int:
        row = conn.execute("SELECT qty FROM stock WHERE batch_id = ?", (batch_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def _check_batch_stock(self, conn: sqlite3.Connection, item: Item, batch: _Batch, qty: int) -> None:
        on_hand = self._batch_qty(conn, batch.id)
        if on_hand < qty:
            raise StockTooLow(item.code, qty, on_hand, batch.batch_no)

    def _shelf(self, conn: sqlite3.Connection, codes: Sequence[str], day: dt.date) -> _Shelf:
        """The active items with these codes and their usable batches on ``day``, earliest
        expiry first: two statements for a whole document's lines (one once its items were
        read: ``ActiveItems``)."""
        with self._sqlite_errors():
            items = self._active_items.read(conn, {code.strip().upper() for code in codes if isinstance(code, str)})
            ids = [item.id for item in items.values()]
            rows = conn.execute(
                "SELECT b.id, b.batch_no, b.expiry_month, s.qty, b.manufacturer, b.unit_cost, s.item_id "
                "FROM stock s JOIN batch b ON b.id = s.batch_id "
                f"WHERE s.item_id IN ({', '.join('?' for _ in ids)}) AND s.qty > 0 AND b.expiry_month >= ? "
                "ORDER BY b.expiry_month, b.id", (*ids, day.isoformat()[:7])).fetchall()
        usable: dict[int, list[sqlite3.Row]] = {item_id: [] for item_id in ids}
        for row in rows:
            usable[row[6]].append(row)
        return _Shelf(items, usable)

    def _plan_line(
        self, conn: sqlite3.Connection, shelf: _Shelf, line_no: int, line: DispenseLine, day: dt.date, *,
        allow_short: bool, taken: dict[int, int] | None = None,
    ) -> LinePlan:
        """FEFO: the chosen batch first if valid, then usable batches by earliest expiry.

        ``taken`` holds what earlier lines of the same document already took from each batch
        (the balances are only updated when the document is saved); it is updated here.
        """
        taken = {} if taken is None else taken
        item = shelf.items.get(line.item_code.strip().upper())
        if item is None:
            raise UnknownItem(line.item_code, field="item")
        wanted = line.qty_prescribed if line.qty is None else line.qty
        candidates = list(shelf.usable.get(item.id, ()))
        if line.batch_no:
            chosen = self._existing_batch(conn, item, line.batch_no)
            if is_expired(chosen.expiry_month, day):
                raise BatchExpired(item.code, chosen.batch_no, chosen.expiry_month)
            # A row of the shelf: id, batch_no, expiry_month, qty, ...
            left = sum(row[3] - taken.get(row[0], 0) for row in candidates if row[0] == chosen.id)
            if wanted > 0 and left <= 0:
                # Silently taking another batch would make the books differ from the strip
                # the patient was handed: say the chosen one is empty instead.
                raise StockTooLow(item.code, wanted, 0, chosen.batch_no)
            candidates.sort(key=lambda row: row[0] != chosen.id)
        allocations: list[Allocation] = []
        remaining = wanted
        for batch_id, batch_no, expiry_month, on_shelf, *_ in candidates:
            if remaining <= 0:
                break
            take = min(remaining, on_shelf - taken.get(batch_id, 0))
            if take <= 0:
                continue
            allocations.append(Allocation(batch_id, batch_no, expiry_month, take))
            taken[batch_id] = taken.get(batch_id, 0) + take
            remaining -= take
        if remaining > 0 and not allow_short:
            raise StockTooLow(item.code, wanted, wanted - remaining)
        return LinePlan(line_no, item, wanted, tuple(allocations), remaining)

    def _item_code(self, conn: sqlite3.Connection, item_id: int) -> str:
        return str(conn.execute("SELECT code FROM item WHERE id = ?", (item_id,)).fetchone()[0])

    def _batch_no(self, conn: sqlite3.Connection, batch_id: int) -> str:
        return str(conn.execute("SELECT batch_no FROM batch WHERE id = ?", (batch_id,)).fetchone()[0])

    def _save(
        self,
        conn: sqlite3.Connection,
        kind: str,
        day: dt.date,
        header: dict[str, Any],
        lines: list[dict[str, Any]],
        movements: list[_Movement],
        *,
        qty_prescribed: list[int] | None = None,
        reverses: tuple[int, str] | None = None,
        reverses_day: dt.date | None = None,
        reason: str | None = None,
    ) -> SavedDocument:
        """Write document, lines, movements, balances and the outbox event (inside the caller's
        transaction), and return the document as reading it back would give it: made from
        what was written, not read back."""
        user = self.user
        assert user is not None
        facts = self._movement_facts(conn, movements)
        fy = financial_year(day)
        serial = conn.execute(
            "INSERT INTO doc_counter (kind, financial_year, last_serial) VALUES (?, ?, 1) "
            "ON CONFLICT (kind, financial_year) DO UPDATE SET last_serial = last_serial + 1 RETURNING last_serial",
            (kind, fy),
        ).fetchone()[0]
        place = claim_event_place(conn, int(time.time() * 1000))
        number = document_number(kind, fy, serial, place.series)
        created_at = self.now_utc_iso()
        header_text = json.dumps(header, ensure_ascii=False)
        document_id = conn.execute(
            "INSERT INTO document (number, kind, financial_year, serial, doc_date, created_at, created_by, header, reverses_id, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (number, kind, fy, serial, day.isoformat(), created_at, user.id, header_text, reverses[0] if reverses else None, reason),
        ).lastrowid
        assert document_id is not None
        line_texts = [json.dumps(line, ensure_ascii=False) for line in lines]
        # A line's item by its code; the movements' items are known already, and coalesce()
        # looks up only the others (a line with nothing on the shelf, a reversal's).
        known_ids = {m.item_code: m.item_id for m in movements if m.item_code is not None}
        conn.executemany(
            "INSERT INTO document_line (document_id, line_no, item_id, qty_prescribed, qty, detail) "
            "VALUES (?, ?, coalesce(?, (SELECT id FROM item WHERE code = ?)), ?, ?, ?)",
            [(document_id, line["line_no"], known_ids.get(line["item_code"]), line["item_code"],
              qty_prescribed[index] if qty_prescribed else None, line.get("qty_dispensed", line.get("qty", 0)), text)
             for index, (line, text) in enumerate(zip(lines, line_texts))],
        )
        moved_on = day.isoformat()
        conn.executemany(
            "INSERT INTO movement (document_id, line_no, batch_id, item_id, kind, qty, moved_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(document_id, m.line_no, m.batch_id, m.item_id, m.kind, m.qty, moved_on) for m in movements],
        )
        for movement in movements:
            # UPDATE first: an INSERT .. ON CONFLICT would check the new row's CHECK (qty >= 0)
            # before noticing the conflict, and refuse every outgoing movement.
            updated = conn.execute(
                "UPDATE stock SET qty = qty + ? WHERE batch_id = ? AND qty + ? >= 0 RETURNING qty",
                (movement.qty, movement.batch_id, movement.qty),
            ).fetchone()
            if updated is None:
                if movement.qty < 0 or conn.execute("SELECT 1 FROM stock WHERE batch_id = ?", (movement.batch_id,)).fetchone():
                    # Checked before saving too; this is the last guard, said plainly.
                    raise StockTooLow(
                        self._item_code(conn, movement.item_id), -movement.qty,
                        self._batch_qty(conn, movement.batch_id), self._batch_no(conn, movement.batch_id),
                    )
                conn.execute(
                    "INSERT INTO stock (batch_id, item_id, qty) VALUES (?, ?, ?)",
                    (movement.batch_id, movement.item_id, movement.qty),
                )
        # Issues count as consumption in their month. A reversal takes its units back from the
        # month of the document it reverses: a dispense undone is not what patients took then.
        # One row per item and month, so an item's movements are summed first.
        issued: dict[int, int] = {}
        for movement in movements:
            if movement.kind in ISSUE_KINDS:
                issued[movement.item_id] = issued.get(movement.item_id, 0) - movement.qty
        month = (reverses_day or day).isoformat()[:7]
        conn.executemany(
            "INSERT INTO consumption_month (item_id, month, qty) VALUES (?, ?, ?) "
            "ON CONFLICT (item_id, month) DO UPDATE SET qty = qty + excluded.qty",
            [(item_id, month, qty) for item_id, qty in issued.items()],
        )
        # The header and lines as reading them back gives them (one parse: a few µs each).
        saved_header, *saved_lines = json.loads(f"[{','.join([header_text, *line_texts])}]")
        saved_lines.sort(key=lambda line: line["line_no"])
        document = SavedDocument(
            id=document_id, number=number, kind=kind, doc_date=day, created_at=created_at, created_by=user.username,
            header=saved_header, lines=saved_lines, movements=facts,
            reverses_number=reverses[1] if reverses else None, reason=reason, reversed_by=None,
            shortfalls=_shortfalls(saved_lines),
        )
        write_event(self, conn, document, place)
        return document

    @staticmethod
    def _movement_facts(conn: sqlite3.Connection, movements: list[_Movement]) -> list[dict[str, Any]]:
        """The movements as the saved document names them (``SavedDocument.movements``): the
        item's code and the batch's number, expiry, maker and cost, from the movement where the
        caller had them, else read (one statement for the batches, one for the items)."""
        batches: dict[int, _Batch] = {m.batch_id: m.batch for m in movements if m.batch is not None}
        codes: dict[int, str] = {m.item_id: m.item_code for m in movements if m.item_code is not None}
        missing = sorted({m.batch_id for m in movements} - batches.keys())
        if missing:
            for row in conn.execute("SELECT id, item_id, batch_no, expiry_month, manufacturer, unit_cost FROM batch "
                                    f"WHERE id IN ({', '.join('?' for _ in missing)})", missing):
                batches[row[0]] = _Batch(*row)
        missing = sorted({m.item_id for m in movements} - codes.keys())
        if missing:
            codes.update(conn.execute(f"SELECT id, code FROM item WHERE id IN ({', '.join('?' for _ in missing)})", missing))
        return [{"line_no": m.line_no, "item_code": codes[m.item_id], "batch_no": batches[m.batch_id].batch_no,
                 "expiry_month": batches[m.batch_id].expiry_month, "manufacturer": batches[m.batch_id].manufacturer,
                 "unit_cost": batches[m.batch_id].unit_cost, "qty": m.qty} for m in movements]

    def _load_document(self, conn: sqlite3.Connection, document_id: int) -> SavedDocument:
        row = conn.execute(
            "SELECT d.id, d.number, d.kind, d.doc_date, d.created_at, u.username, d.header, d.reason, "
            "o.number AS reverses_number, "
            # A correlated subquery, not a LEFT JOIN: SQLite scans every document for the join
            # (1.1 M on a five-year desk, ~0.5-1 s per save) but uses the reverses_id index here.
            "(SELECT r.number FROM document r WHERE r.reverses_id = d.id) AS reversed_by FROM document d "
            "JOIN app_user u ON u.id = d.created_by LEFT JOIN document o ON o.id = d.reverses_id "
            "WHERE d.id = ?",
            (document_id,),
        ).fetchone()
        lines = [json.loads(r[0] if r[0] is not None else dispense_line_detail(*r[1:])) for r in conn.execute(
            "SELECT l.detail, l.line_no, i.code, l.qty_prescribed, l.qty FROM document_line l JOIN item i ON i.id = l.item_id "
            "WHERE l.document_id = ? ORDER BY l.line_no", (document_id,))]
        movements = [
            {"line_no": m["line_no"], "item_code": m["code"], "batch_no": m["batch_no"], "expiry_month": m["expiry_month"],
             "manufacturer": m["manufacturer"], "unit_cost": m["unit_cost"], "qty": m["qty"]}
            for m in conn.execute(
                "SELECT m.line_no, i.code, b.batch_no, b.expiry_month, b.manufacturer, b.unit_cost, m.qty FROM movement m "
                "JOIN batch b ON b.id = m.batch_id JOIN item i ON i.id = m.item_id WHERE m.document_id = ? ORDER BY m.id",
                (document_id,),
            )
        ]
        return SavedDocument(
            id=row["id"], number=row["number"], kind=row["kind"], doc_date=dt.date.fromisoformat(row["doc_date"]),
            created_at=row["created_at"], created_by=row["username"], header=json.loads(row["header"]), lines=lines,
            movements=movements, reverses_number=row["reverses_number"], reason=row["reason"], reversed_by=row["reversed_by"],
            shortfalls=_shortfalls(lines),
        )


def _shortfalls(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines of a slip the counter could not give in full, and how much of each."""
    return [{"line_no": line["line_no"], "item_code": line["item_code"], "not_available": line["not_available"]}
            for line in lines if line.get("not_available")]


_E = TypeVar("_E", bound=Enum)


def _member(kind: type[_E], value: Any) -> _E | None:
    """``value`` as one of ``kind``'s members, or None for anything else (the caller refuses
    it with its own kind, written out where the wording test finds it)."""
    try:
        return kind(value)
    except ValueError:
        return None
