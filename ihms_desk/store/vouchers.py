"""Issue vouchers pulled from the state server, received line by line against what was sent;
and the server's redistribution suggestions, each turned into a transfer in one action.

A voucher (``kind`` ``voucher``: the warehouse's issue, usually against an indent; or
``transfer``: another facility's transfer naming this one) is stored as the server sent it,
page by page with the pull's cursor in the same transaction (``apply_voucher_page``), and is
never edited. Receiving it saves one ``receipt`` document whose header names the voucher and
every difference (short, excess, damaged, with a reason; docs/indents.md); its movements are
what arrived in usable condition. The voucher row then points at the receipt, in the same
transaction; reversing that receipt (``LedgerMixin.reverse``) lets the voucher go again, in
the reversal's transaction, so it waits to be received anew.

A transfer its sender reversed is withdrawn by the server and pulled again marked so
(``withdrawn``); the voucher keeps the sender's reversal and is never received
(:class:`VoucherWithdrawn`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ihms_desk import fields
from ihms_desk.store.errors import BatchExpired, DocumentNotFound, DuplicateVoucher, InvalidInput, VoucherWithdrawn
from ihms_desk.store.ledger import LedgerMixin, _Movement
from ihms_desk.store.model import SavedDocument, TransferDestination, TransferLine
from ihms_desk.store.rules import MAX_LINES, check_text, is_expired
from ihms_desk.store.sync_state import CursorMoved
from ihms_desk.store.users import Action

_T = TypeVar("_T")

#: What a checked line may record besides "as sent".
DIFFERENCE_KINDS = ("short", "excess", "damaged")
SUGGESTION_REASONS = ("surplus", "near_expiry")
#: A withdrawn voucher not received stays on the Vouchers screen, marked withdrawn, for this
#: many days after its sender's reversal (so the clerk who expects the stock learns why).
WITHDRAWN_SHOWN_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class VoucherLine(fields.PackLine):
    """A line of a pulled voucher: packs as the warehouse sent them, under its line number."""

    line_no: int


@dataclass(frozen=True)
class Voucher:
    """An issue voucher (or another facility's transfer) as pulled, and its receipt if any."""

    number: str
    kind: str  # voucher or transfer
    from_code: str
    from_name: str
    indent_number: str | None
    issued_on: str
    lines: tuple[VoucherLine, ...]
    receipt_number: str | None = None
    #: The sender's reversal of the transfer, and its date: the voucher is withdrawn.
    withdrawn_by: str | None = None
    withdrawn_on: str | None = None

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_by is not None

    def refusal_if_withdrawn(self) -> VoucherWithdrawn | None:
        """The refusal receiving it meets, if its sender reversed the transfer."""
        if self.withdrawn_by is None:
            return None
        return VoucherWithdrawn(self.number, self.from_name, self.withdrawn_by, self.withdrawn_on or "")


@dataclass(frozen=True)
class VoucherCheck:
    """What the clerk found on one voucher line that differs from what was sent: ``received``
    is what arrived in usable condition (short and damaged: less than sent; excess: more)."""

    voucher_line: int
    received: int
    kind: str
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """A redistribution suggestion in which this facility sends."""

    id: str
    item_code: str
    to_code: str
    to_name: str
    qty: int
    reason: str  # surplus or near_expiry
    expires: str | None


@dataclass(frozen=True)
class PulledPage:
    """What one pulled page stored; refused entries are (number or id, reason); ``withdrawn``:
    vouchers held already that the page says were withdrawn since."""

    stored: int
    refused: list[tuple[str, str]]
    withdrawn: int = 0


def check_voucher(raw: Any) -> Voucher:
    """A voucher from the server, checked field by field with the rules the store saves by;
    raises :class:`fields.FieldProblem` naming the field."""
    if not isinstance(raw, Mapping):
        raise fields.FieldProblem("a voucher must be an object")
    where = "voucher"
    try:
        number = fields.document_number(raw.get("number"))
        where = number
        kind = raw.get("kind")
        if kind not in ("voucher", "transfer"):
            raise fields.FieldProblem("kind must be voucher or transfer")
        indent = raw.get("indent_number")
        lines_raw = raw.get("lines")
        if not isinstance(lines_raw, list) or not 1 <= len(lines_raw) <= MAX_LINES:
            raise fields.FieldProblem(f"lines must be a list of 1 to {MAX_LINES}")
        lines = tuple(_check_voucher_line(line) for line in lines_raw)
        if len({line.line_no for line in lines}) != len(lines):
            raise fields.FieldProblem("line numbers repeat")
        # Absent from a server older than withdrawals: not withdrawn.
        withdrawn = raw.get("withdrawn")
        if withdrawn is not None and not isinstance(withdrawn, Mapping):
            raise fields.FieldProblem("withdrawn must be an object or null")
        return Voucher(
            number=number, kind=kind, from_code=fields.facility_code(raw.get("from_code")),
            from_name=fields.text(raw.get("from_name"), 100), issued_on=fields.date(raw.get("issued_on")),
            indent_number=None if indent is None else fields.document_number(indent), lines=lines,
            withdrawn_by=None if withdrawn is None else fields.document_number(withdrawn.get("reversal_number")),
            withdrawn_on=None if withdrawn is None else fields.date(withdrawn.get("reversed_on")))
    except fields.FieldProblem as problem:
        raise fields.FieldProblem(f"{where}: {problem.problem}") from None


def _check_voucher_line(raw: Any) -> VoucherLine:
    if not isinstance(raw, Mapping):
        raise fields.FieldProblem("a line must be an object")
    line_no, qty = _whole(raw.get("line_no")), _whole(raw.get("qty"))
    manufacturer = raw.get("manufacturer")
    return VoucherLine(
        line_no=line_no, item_code=fields.item_code(raw.get("item_code")), batch_no=fields.batch_no(raw.get("batch_no")),
        expiry_month=fields.month(raw.get("expiry_month")), qty=qty,
        manufacturer=None if manufacturer is None else fields.text(manufacturer, fields.MAX_MANUFACTURER, required=False) or None,
        unit_cost=fields.unit_cost(raw.get("unit_cost")))


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= fields.MAX_LINE_QTY:
        raise fields.FieldProblem("line_no and qty must be whole numbers from 1")
    return value


def check_suggestion(raw: Any) -> Suggestion:
    if not isinstance(raw, Mapping):
        raise fields.FieldProblem("a suggestion must be an object")
    qty, reason, expires = raw.get("qty"), raw.get("reason"), raw.get("expires")
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= fields.MAX_LINE_QTY:
        raise fields.FieldProblem("qty must be a whole number from 1")
    if reason not in SUGGESTION_REASONS:
        raise fields.FieldProblem("reason must be surplus or near_expiry")
    return Suggestion(
        id=fields.text(raw.get("id"), 64), item_code=fields.item_code(raw.get("item_code")),
        to_code=fields.facility_code(raw.get("to_code")), to_name=fields.text(raw.get("to_name"), 100), qty=qty,
        reason=reason, expires=None if expires is None else fields.month(expires))


def _checked(raws: Iterable[Any], check: Callable[[Any], _T], key: str) -> tuple[list[_T], list[tuple[str, str]]]:
    """Each pulled record through ``check``: those that pass, and (its ``key`` field, the
    problem) for each refused one, so one bad record does not stop the rest of the page."""
    checked: list[_T] = []
    refused: list[tuple[str, str]] = []
    for raw in raws:
        try:
            checked.append(check(raw))
        except fields.FieldProblem as problem:
            refused.append((str(raw.get(key) if isinstance(raw, Mapping) else "?"), problem.problem))
    return checked, refused


def check_differences(voucher: Voucher, checks: Sequence[VoucherCheck]) -> dict[int, VoucherCheck]:
    """Each check, refused unless it names a line of the voucher once and says a real
    difference (short and damaged less than sent, excess more) with a reason."""
    sent = {line.line_no: line.qty for line in voucher.lines}
    found: dict[int, VoucherCheck] = {}
    for check in checks:
        if check.voucher_line not in sent or check.voucher_line in found:
            raise InvalidInput("no_such_voucher_line", field="lines", line=check.voucher_line, number=voucher.number)
        if check.kind not in DIFFERENCE_KINDS:
            raise InvalidInput("choose_difference", field="difference", line=check.voucher_line)
        qty = check.received
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= fields.MAX_LINE_QTY:
            raise InvalidInput("bad_received_qty", field="received", line=check.voucher_line)
        more = qty > sent[check.voucher_line]
        if (check.kind == "excess") != more or qty == sent[check.voucher_line]:
            raise InvalidInput(f"difference_{check.kind}", field="received", line=check.voucher_line,
                               sent=sent[check.voucher_line], received=qty)
        reason = check_text(check.reason, "difference_reason", "Reason", max_length=200)
        found[check.voucher_line] = VoucherCheck(check.voucher_line, qty, check.kind, reason)
    return found


class VouchersMixin(LedgerMixin):
    """Vouchers pulled, received against; suggestions pulled, turned into transfers."""

    # -- what the sync worker stores ---------------------------------------------------------------

    def voucher_cursor(self) -> str:
        return str(self._scalar("SELECT voucher_cursor FROM sync_state WHERE id = 1") or "")

    def apply_voucher_page(self, vouchers: Iterable[Any], *, cursor_before: str, next_cursor: str) -> PulledPage:
        """Store a page of pulled vouchers and move the cursor, in one transaction. A voucher
        already held is left as it is, but for its withdrawal (the sender reversed the transfer
        after this desk pulled it: the server sends it again, withdrawn); one that breaks a
        field rule is refused (and logged by the caller), not stored. :class:`CursorMoved` if
        another pass moved the cursor first."""
        checked, refused = _checked(vouchers, check_voucher, "number")
        now = self.now_utc_iso()
        stored = withdrawn = 0
        with self._transaction() as conn:
            if conn.execute("SELECT voucher_cursor FROM sync_state WHERE id = 1").fetchone()[0] != cursor_before:
                raise CursorMoved()
            for voucher in checked:
                cursor = conn.execute(
                    "INSERT INTO voucher (number, kind, from_code, from_name, indent_number, issued_on, pulled_at, "
                    "withdrawn_by, withdrawn_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (from_code, number) DO NOTHING",
                    (voucher.number, voucher.kind, voucher.from_code, voucher.from_name, voucher.indent_number,
                     voucher.issued_on, now, voucher.withdrawn_by, voucher.withdrawn_on))
                if cursor.rowcount == 0:
                    # Held already: the same voucher sent again, or withdrawn since. Marked even
                    # if received here (the server then lists the receipt as a conflict).
                    if voucher.withdrawn_by is not None:
                        withdrawn += conn.execute(
                            "UPDATE voucher SET withdrawn_by = ?, withdrawn_on = ? WHERE from_code = ? AND number = ? "
                            "AND withdrawn_by IS NULL",
                            (voucher.withdrawn_by, voucher.withdrawn_on, voucher.from_code, voucher.number)).rowcount
                    continue
                stored += 1
                conn.executemany(
                    "INSERT INTO voucher_line (voucher_id, line_no, item_code, batch_no, expiry_month, qty, manufacturer, "
                    "unit_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(cursor.lastrowid, line.line_no, line.item_code, line.batch_no, line.expiry_month, line.qty,
                      line.manufacturer, line.unit_cost) for line in voucher.lines])
            conn.execute("UPDATE sync_state SET voucher_cursor = ? WHERE id = 1", (next_cursor,))
        return PulledPage(stored, refused, withdrawn)

    def replace_suggestions(self, suggestions: Iterable[Any]) -> PulledPage:
        """The server's current suggestions for this facility replace those held."""
        checked, refused = _checked(suggestions, check_suggestion, "id")
        now = self.now_utc_iso()
        with self._transaction() as conn:
            conn.execute("DELETE FROM transfer_suggestion")
            conn.executemany(
                "INSERT OR REPLACE INTO transfer_suggestion (id, item_code, to_code, to_name, qty, reason, expires, pulled_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(s.id, s.item_code, s.to_code, s.to_name, s.qty, s.reason, s.expires, now) for s in checked])
        return PulledPage(len(checked), refused)

    # -- vouchers -----------------------------------------------------------------------------------

    def vouchers(self, *, waiting: bool = True, limit: int = 100) -> list[Voucher]:
        """Pulled vouchers, oldest first: those not yet received, then those not received that
        their sender withdrew in the last :data:`WITHDRAWN_SHOWN_DAYS` days (or, ``waiting=False``,
        the newest received and not alike, newest first)."""
        if waiting:
            since = (self.today() - dt.timedelta(days=WITHDRAWN_SHOWN_DAYS)).isoformat()
            rows = self._rows(
                "SELECT id FROM voucher WHERE receipt_id IS NULL AND (withdrawn_by IS NULL OR withdrawn_on >= ?) "
                "ORDER BY withdrawn_by IS NOT NULL, issued_on, id LIMIT ?", (since, limit))
        else:
            rows = self._rows("SELECT id FROM voucher ORDER BY id DESC LIMIT ?", (limit,))
        return [self._voucher(row["id"]) for row in rows]

    def voucher(self, number: str, from_code: str | None = None) -> Voucher:
        """A pulled voucher by its number (and sender, when two senders used one number)."""
        row = self._row(
            "SELECT id FROM voucher WHERE number = ? AND (? IS NULL OR from_code = ?) ORDER BY id LIMIT 1",
            (str(number).strip().upper(), from_code, from_code))
        if row is None:
            raise DocumentNotFound("voucher_not_found", field="voucher", number=number)
        return self._voucher(row["id"])

    def _voucher(self, voucher_id: int) -> Voucher:
        row = self._row(
            "SELECT v.*, d.number AS receipt_number FROM voucher v LEFT JOIN document d ON d.id = v.receipt_id "
            "WHERE v.id = ?", (voucher_id,))
        assert row is not None
        lines = tuple(
            VoucherLine(r["item_code"], r["batch_no"], r["expiry_month"], r["qty"], r["manufacturer"], r["unit_cost"],
                        line_no=r["line_no"])
            for r in self._rows("SELECT * FROM voucher_line WHERE voucher_id = ? ORDER BY line_no", (voucher_id,)))
        return Voucher(row["number"], row["kind"], row["from_code"], row["from_name"], row["indent_number"],
                       row["issued_on"], lines, row["receipt_number"], row["withdrawn_by"], row["withdrawn_on"])

    def receive_voucher(self, number: str, checks: Sequence[VoucherCheck] = (), *, from_code: str | None = None,
                        doc_date: dt.date | None = None) -> SavedDocument:
        """Receive a pulled voucher: every line as sent, except those ``checks`` name. Saves one
        receipt document referencing the voucher (and its indent), with the differences::

            store.receive_voucher("DDW-JAI/2026-27/000031",
                                  [VoucherCheck(3, 450, "short", "one carton missing")])
        """
        self._require(Action.RECEIVE, "receive")
        day = self._document_day(doc_date)
        voucher = self.voucher(number, from_code)
        if voucher.receipt_number is not None:
            raise DuplicateVoucher(voucher.number, voucher.receipt_number)
        if (withdrawn := voucher.refusal_if_withdrawn()) is not None:
            raise withdrawn
        found = check_differences(voucher, checks)
        differences: list[dict[str, Any]] = []
        received: list[tuple[VoucherLine, int]] = []
        for line in voucher.lines:
            check = found.get(line.line_no)
            qty = line.qty if check is None else check.received
            if check is not None:
                differences.append({"voucher_line": line.line_no, "item_code": line.item_code, "batch_no": line.batch_no,
                                    "sent": line.qty, "received": qty, "kind": check.kind, "reason": check.reason})
            if qty > 0:
                item = self.item(line.item_code, field="lines")
                if is_expired(line.expiry_month, day):
                    raise BatchExpired(item.code, line.batch_no, line.expiry_month, receiving=True)
                received.append((line, qty))
        if not received:
            raise InvalidInput("nothing_received", field="lines", number=voucher.number)
        header = {
            "source": "ddw" if voucher.kind == "voucher" else "facility",
            "source_name": check_text(voucher.from_name, "source_name", "Sender"),
            "voucher_no": voucher.number,
            "voucher_date": self._voucher_date(voucher.issued_on, day).isoformat(),
            "against_voucher": voucher.number,
            "indent_number": voucher.indent_number,
            "differences": differences,
        }
        with self._transaction() as conn:
            earlier = conn.execute(
                "SELECT d.number FROM document d WHERE d.kind = 'receipt' AND upper(json_extract(d.header, '$.voucher_no')) = ? "
                "AND json_extract(d.header, '$.source') = ? AND d.id NOT IN (SELECT reverses_id FROM document "
                "WHERE reverses_id IS NOT NULL)", (voucher.number, header["source"])).fetchone()
            if earlier is not None:  # typed by hand on the Receive screen before the voucher came
                raise DuplicateVoucher(voucher.number, earlier[0])
            movements: list[_Movement] = []
            doc_lines: list[dict[str, Any]] = []
            for line_no, (line, qty) in enumerate(received, start=1):
                item = self.item(line.item_code, field="lines")
                batch = self._batch_for_receipt(conn, item, line.batch_no, line.expiry_month, line.manufacturer, line.unit_cost)
                movements.append(_Movement(line_no, batch.id, item.id, qty, "receipt", batch, item.code))
                doc_lines.append({"line_no": line_no, "item_code": item.code, "batch_no": line.batch_no,
                                  "expiry_month": line.expiry_month, "manufacturer": line.manufacturer,
                                  "unit_cost": line.unit_cost, "qty": qty, "voucher_line": line.line_no})
            document = self._save(conn, "receipt", day, header, doc_lines, movements)
            updated = conn.execute(
                "UPDATE voucher SET receipt_id = ? WHERE number = ? AND from_code = ? AND receipt_id IS NULL "
                "AND withdrawn_by IS NULL", (document.id, voucher.number, voucher.from_code)).rowcount
            if updated != 1:
                # Another counter received it meanwhile, or a sync pass marked it withdrawn
                # since it was read: the receipt goes with this transaction.
                now = self._voucher(conn.execute("SELECT id FROM voucher WHERE number = ? AND from_code = ?",
                                                 (voucher.number, voucher.from_code)).fetchone()[0])
                raise now.refusal_if_withdrawn() or DuplicateVoucher(voucher.number, now.receipt_number or "?")
        return document

    # -- redistribution ------------------------------------------------------------------------------

    def transfer_suggestions(self) -> list[Suggestion]:
        """The suggestions this desk has not acted on (a transfer naming one, not reversed)."""
        rows = self._rows(
            "SELECT s.* FROM transfer_suggestion s WHERE NOT EXISTS (SELECT 1 FROM document d WHERE d.kind = 'transfer' "
            "AND json_extract(d.header, '$.suggestion_id') = s.id AND NOT EXISTS "
            "(SELECT 1 FROM document r WHERE r.reverses_id = d.id)) ORDER BY s.reason = 'near_expiry' DESC, s.item_code, s.id")
        return [Suggestion(r["id"], r["item_code"], r["to_code"], r["to_name"], r["qty"], r["reason"], r["expires"])
                for r in rows]

    def transfer_from_suggestion(self, suggestion_id: str) -> SavedDocument:
        """The one action: a transfer out to the suggested facility of the suggested quantity
        (FEFO: near-expiry stock leaves first), its header naming the facility and the
        suggestion (docs/indents.md). Not enough usable stock is refused (StockTooLow)."""
        self._require(Action.TRANSFER, "transfer")
        for suggestion in self.transfer_suggestions():
            if suggestion.id == suggestion_id:
                break
        else:
            raise DocumentNotFound("suggestion_not_found", field="suggestion", id=suggestion_id)
        return self.transfer_out(
            destination_type=TransferDestination.FACILITY, destination_name=suggestion.to_name,
            lines=[TransferLine(suggestion.item_code, suggestion.qty)],
            extra_header={"to_facility": suggestion.to_code, "suggestion_id": suggestion.id})
