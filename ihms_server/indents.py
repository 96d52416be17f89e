"""Indents, issue vouchers and receipts against them on the state server (issue 14).

What a push does beyond the stock projection (:func:`project`, inside the push's own
transaction): an ``indent`` event is kept as an indent with its lines; a ``receipt`` naming
``against_voucher`` marks the voucher received, closes the indent lines it covered and keeps
the differences, and its ``reversal`` undoes all that (the voucher waits to be received
again); a ``transfer`` naming ``to_facility`` becomes a voucher of kind ``transfer`` for that
facility, and its ``reversal`` withdraws that voucher (or, received already, makes it a
conflict the district settles); dispenses add to the facility's monthly consumption (the
server's AMC).
Also the warehouse's side (:func:`issue_voucher`), the desk's voucher pull
(:func:`voucher_page`) and the fill rate and lead time the dashboard shows. The wire shapes
are docs/indents.md; functions over an open :class:`~ihms_server.store.Store`, written with
its SQL primitives, so both backends share every statement but the pull's horizon.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ihms_desk import fields
from ihms_desk.fields import FieldProblem
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.protocol import Event, ProtocolError
from ihms_server.store import Store, parse_cursor, utc_now

log = logging.getLogger(__name__)

VOUCHER_DEFAULT_LIMIT = 100
VOUCHER_MAX_LIMIT = 500
#: Fill rate and lead time look back this far (the issue's "last 3 months").
REVIEW_DAYS = 91
DIFFERENCE_KINDS = ("short", "excess", "damaged")
#: Lines a voucher may carry (a warehouse issue file of a whole indent fits easily).
MAX_VOUCHER_LINES = 500


# --- what a pushed event must hold (checked before it is stored) ------------------------------


def _field(check: Callable[[Any], Any], value: Any, where: str) -> Any:
    try:
        return check(value)
    except FieldProblem as problem:
        raise ProtocolError(wire.INVALID_EVENT, f"{where}: {problem.problem}", where) from None


def _whole(value: Any, where: str, *, low: int = 0, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= fields.MAX_ABS_QTY:
        raise ProtocolError(wire.INVALID_EVENT, f"{where}: must be a whole number from {low} to "
                            f"{fields.MAX_ABS_QTY}", where)
    return value


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1e12:
        raise ProtocolError(wire.INVALID_EVENT, f"{where}: must be a number of at least 0", where)
    return float(value)


def check_event(event: Event) -> None:
    """Refuse (``invalid_event``, naming the field) an indent, a receipt against a voucher or a
    transfer to a facility whose parts this server reads are not as docs/indents.md says."""
    document = event.raw["payload"]["document"]
    header, where = document["header"], "payload.document.header."
    if event.type == "indent" and document.get("reverses_number") is None:
        if not document["lines"]:
            raise ProtocolError(wire.INVALID_EVENT, "payload.document.lines: an indent needs a "
                                "line", "payload.document.lines")
        seen: set[int] = set()
        for index, line in enumerate(document["lines"]):
            at = f"payload.document.lines[{index}]."
            line_no = _whole(line.get("line_no"), f"{at}line_no", low=1)
            if line_no in seen:
                raise ProtocolError(wire.INVALID_EVENT, f"{at}line_no: {line_no} twice", f"{at}line_no")
            seen.add(line_no or 0)
            _field(fields.item_code, line.get("item_code"), f"{at}item_code")
            _whole(line.get("qty"), f"{at}qty", low=1)
            for key in ("suggested", "usable_stock", "on_order", "days_out_of_stock"):
                _whole(line.get(key), f"{at}{key}", optional=True)
            _number(line.get("amc"), f"{at}amc")
        _number(header.get("months_max"), f"{where}months_max")
    if event.type == "receipt" and header.get("against_voucher") is not None:
        _field(lambda v: fields.text(v, 80), header["against_voucher"], f"{where}against_voucher")
        differences = header.get("differences", [])
        if not isinstance(differences, list):
            raise ProtocolError(wire.INVALID_EVENT, f"{where}differences: must be a list",
                                f"{where}differences")
        for index, difference in enumerate(differences):
            at = f"{where}differences[{index}]."
            if not isinstance(difference, dict):
                raise ProtocolError(wire.INVALID_EVENT, f"{at[:-1]}: must be an object", at[:-1])
            _whole(difference.get("voucher_line"), f"{at}voucher_line", low=1, optional=True)
            _field(fields.item_code, difference.get("item_code"), f"{at}item_code")
            _whole(difference.get("sent"), f"{at}sent")
            _whole(difference.get("received"), f"{at}received")
            if difference.get("kind") not in DIFFERENCE_KINDS:
                raise ProtocolError(wire.INVALID_EVENT, f"{at}kind: must be one of "
                                    f"{', '.join(DIFFERENCE_KINDS)}", f"{at}kind")
    if event.type == "transfer" and header.get("to_facility") is not None:
        _field(fields.facility_code, header["to_facility"], f"{where}to_facility")
        if header["to_facility"] == event.facility_code:
            raise ProtocolError(wire.INVALID_EVENT, f"{where}to_facility: a facility cannot "
                                "transfer to itself", f"{where}to_facility")
        if header.get("suggestion_id") is not None:
            _field(lambda v: fields.text(v, 40), header["suggestion_id"], f"{where}suggestion_id")


# --- the push's projection ---------------------------------------------------------------------


def project(store: Store, cur: Any, events: Sequence[Event], now: dt.datetime) -> None:
    """Apply newly stored events to indents, vouchers and consumption (in the push's
    transaction, so an event and what it did commit together)."""
    consumption: dict[tuple[str, str, str], int] = defaultdict(int)
    for event in events:
        document = event.raw["payload"]["document"]
        header = document["header"]
        if event.type == "dispense":
            for movement in event.movements:
                consumption[(event.facility_code, movement["item_code"],
                             document["doc_date"][:7])] -= movement["qty"]
        elif event.type == "indent":
            _store_indent(store, cur, event, document, now)
        elif event.type == "reversal":
            _reverse(store, cur, event, document, consumption, now)
        elif event.type == "receipt" and header.get("against_voucher") is not None:
            _receive(store, cur, event, document, now)
        elif event.type == "transfer" and header.get("to_facility") is not None:
            _transfer_voucher(store, cur, event, document, now)
    for key in sorted(consumption):
        cur.execute("INSERT INTO consumption_month (facility_code, item_code, month, qty)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT (facility_code, item_code, month)"
                    " DO UPDATE SET qty = consumption_month.qty + excluded.qty",
                    (*key, consumption[key]))


def _store_indent(store: Store, cur: Any, event: Event, document: Mapping[str, Any],
                  now: dt.datetime) -> None:
    if document.get("reverses_number") is not None:
        return
    header = document["header"]
    cur.execute(
        "INSERT INTO indent (facility_code, number, event_id, doc_date, received_at, to_name,"
        " months_max, emergency, approved_by, note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (facility_code, number) DO NOTHING RETURNING id",
        (event.facility_code, event.document_number, event.event_id, document["doc_date"],
         store._ts(now), str(header.get("to_name") or header.get("to") or "")[:80],
         header.get("months_max"), int(bool(header.get("emergency"))),
         str(header.get("approved_by") or "")[:80], _short(header.get("note"), 500)))
    row = cur.fetchone()
    if row is None:
        return
    for line in document["lines"]:
        cur.execute(
            "INSERT INTO indent_line (indent_id, line_no, item_code, qty, suggested, usable_stock,"
            " amc, on_order, days_out_of_stock, emergency)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (row[0], line["line_no"], line["item_code"], line["qty"], line.get("suggested"),
             line.get("usable_stock"), line.get("amc"), line.get("on_order"),
             line.get("days_out_of_stock"), int(bool(line.get("emergency")))))


def _short(value: Any, length: int) -> str | None:
    return None if value is None else str(value)[:length]


def _reverse(store: Store, cur: Any, event: Event, document: Mapping[str, Any],
             consumption: dict[tuple[str, str, str], int], now: dt.datetime) -> None:
    """A reversal cancels an indent, takes a dispense back out of consumption, lets the
    voucher a receipt received wait again, or withdraws the voucher a transfer made."""
    reversed_number = document.get("reverses_number")
    if reversed_number is None:
        return
    cur.execute("UPDATE indent SET status = 'cancelled' WHERE facility_code = %s AND number = %s",
                (event.facility_code, reversed_number))
    cur.execute("SELECT type, body FROM event WHERE facility_code = %s AND number_key = %s",
                (event.facility_code, reversed_number))
    row = cur.fetchone()
    # The transfer itself may not be here yet (refused, then sent again under a fresh epoch):
    # the desk's reversal says what it reverses.
    kind = row[0] if row is not None else document["header"].get("reverses_kind")
    if row is not None and kind == "dispense":
        original = store._json_out(row[1])
        month = original["payload"]["document"]["doc_date"][:7]
        for movement in original["payload"]["movements"]:
            consumption[(event.facility_code, movement["item_code"], month)] += movement["qty"]
    elif row is not None and kind == "receipt":
        _unreceive(store, cur, event.facility_code, reversed_number, now)
    elif kind == "transfer":
        _withdraw_transfer(store, cur, event, document, reversed_number, now)


def _receive(store: Store, cur: Any, event: Event, document: Mapping[str, Any],
             now: dt.datetime) -> None:
    """Mark the voucher received: what arrived per line, the differences kept, the indent
    lines it covered closed."""
    header = document["header"]
    # Two senders may number alike (a transfer's number is its facility's): the oldest
    # voucher of that number not yet received (and not withdrawn) is the one.
    cur.execute("SELECT id, indent_id, receipt_number FROM voucher WHERE to_facility = %s"
                " AND number = %s ORDER BY CASE WHEN received_at IS NULL THEN 0 ELSE 1 END,"
                " CASE WHEN withdrawn_at IS NULL THEN 0 ELSE 1 END, id LIMIT 1",
                (event.facility_code, header["against_voucher"]))
    found = cur.fetchone()
    if found is None:
        log.warning("facility %s received %s against voucher %s, which this server does not "
                    "hold", event.facility_code, event.document_number, header["against_voucher"])
        return
    voucher_id, indent_id, received_by = found
    if received_by is not None:
        # Received already (by a receipt not reversed): counting this one too would add its
        # units to the indent twice. It is stored as any receipt; its reversal does nothing here.
        log.warning("facility %s received %s against voucher %s, which %s received already",
                    event.facility_code, event.document_number, header["against_voucher"],
                    received_by)
        return
    differences = header.get("differences") or []
    received_of = {d["voucher_line"]: d["received"] for d in differences
                   if d.get("voucher_line") is not None}
    cur.execute("SELECT line_no, item_code, qty FROM voucher_line WHERE voucher_id = %s"
                " ORDER BY line_no", (voucher_id,))
    lines = cur.fetchall()
    received_per_item: dict[str, int] = defaultdict(int)
    for line_no, item_code, qty in lines:
        received = received_of.get(line_no, qty)
        received_per_item[item_code] += received
        cur.execute("UPDATE voucher_line SET received_qty = %s WHERE voucher_id = %s AND line_no = %s",
                    (received, voucher_id, line_no))
    for difference in differences:
        cur.execute(
            "INSERT INTO receipt_difference (voucher_id, voucher_line, item_code, batch_no, sent,"
            " received, kind, reason, receipt_number) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (voucher_id, difference.get("voucher_line"), difference["item_code"],
             str(difference.get("batch_no") or "")[:40], difference["sent"],
             difference["received"], difference["kind"],
             str(difference.get("reason") or "")[:fields.MAX_REASON], event.document_number))
    cur.execute("UPDATE voucher SET received_at = %s, receipt_number = %s, receipt_date = %s"
                " WHERE id = %s AND received_at IS NULL RETURNING withdrawn_at",
                (store._ts(now), event.document_number, document["doc_date"], voucher_id))
    withdrawn = cur.fetchone()
    if withdrawn is not None and withdrawn[0] is not None:
        # Received on a desk that had not heard of the withdrawal: the units are now on both
        # shelves. Kept as received, so the district sees the conflict (conflicts()).
        log.warning("facility %s received %s against voucher %s, which its sender withdrew",
                    event.facility_code, event.document_number, header["against_voucher"])
    if indent_id is None:
        return
    for item_code in sorted(received_per_item):
        cur.execute("SELECT line_no FROM indent_line WHERE indent_id = %s AND item_code = %s"
                    " ORDER BY line_no LIMIT 1", (indent_id, item_code))
        line = cur.fetchone()
        if line is not None:
            cur.execute("UPDATE indent_line SET received_qty = received_qty + %s,"
                        " closed_at = coalesce(closed_at, %s)"
                        " WHERE indent_id = %s AND line_no = %s",
                        (received_per_item[item_code], store._ts(now), indent_id, line[0]))
    refresh_status(store, cur, indent_id, now)


def _unreceive(store: Store, cur: Any, facility_code: str, receipt_number: str,
               now: dt.datetime) -> None:
    """A receipt against a voucher, reversed on the desk (the wrong voucher, wrong counts): the
    voucher waits to be received again, its differences go (the events keep them), the units
    it added leave the indent lines, and each line it closed opens again unless another
    received voucher carries its item or the warehouse closed the indent. Lead time counts
    only the receipt that then holds the voucher."""
    cur.execute("SELECT id, indent_id FROM voucher WHERE to_facility = %s AND receipt_number = %s",
                (facility_code, receipt_number))
    found = cur.fetchone()
    if found is None:
        return  # an ordinary receipt, or one against a voucher another receipt holds
    voucher_id, indent_id = found
    cur.execute("SELECT item_code, sum(received_qty) FROM voucher_line WHERE voucher_id = %s"
                " GROUP BY item_code ORDER BY item_code", (voucher_id,))
    took = cur.fetchall()
    cur.execute("UPDATE voucher_line SET received_qty = NULL WHERE voucher_id = %s", (voucher_id,))
    cur.execute("DELETE FROM receipt_difference WHERE voucher_id = %s AND receipt_number = %s",
                (voucher_id, receipt_number))
    cur.execute("UPDATE voucher SET received_at = NULL, receipt_number = NULL, receipt_date = NULL"
                " WHERE id = %s", (voucher_id,))
    # A transfer its sender reversed meanwhile: with the receipt gone the voucher is withdrawn
    # now (the conflict it made is settled by this reversal), and the receiver hears so.
    cur.execute("SELECT 1 FROM voucher v JOIN transfer_reversal r ON r.facility_code = v.from_code"
                " AND r.transfer_number = v.number WHERE v.id = %s AND v.kind = 'transfer'",
                (voucher_id,))
    if cur.fetchone() is not None:
        _mark_withdrawn(store, cur, voucher_id, now)
    if indent_id is None:
        return
    for item_code, qty in took:
        # The line the receipt added to (an item's first). Closed as it was if the warehouse
        # closed the indent; else when the earliest voucher carrying its item still received was.
        cur.execute(
            "UPDATE indent_line SET received_qty = received_qty - %s, closed_at = CASE WHEN"
            " (SELECT i.warehouse_closed_at FROM indent i WHERE i.id = indent_line.indent_id)"
            " IS NOT NULL THEN closed_at ELSE (SELECT min(v.received_at) FROM voucher v"
            " JOIN voucher_line vl ON vl.voucher_id = v.id WHERE v.indent_id = indent_line.indent_id"
            " AND vl.item_code = indent_line.item_code AND v.received_at IS NOT NULL) END"
            " WHERE indent_id = %s AND line_no = (SELECT min(line_no) FROM indent_line"
            " WHERE indent_id = %s AND item_code = %s)",
            (int(qty or 0), indent_id, indent_id, item_code))
    refresh_status(store, cur, indent_id, now)


def refresh_status(store: Store, cur: Any, indent_id: int, now: dt.datetime) -> None:
    """An indent's status from its lines: closed (every line closed), issued (every line
    issued in full), partly issued, or open; a cancelled indent stays cancelled."""
    cur.execute("SELECT qty, issued_qty, closed_at FROM indent_line WHERE indent_id = %s",
                (indent_id,))
    lines = cur.fetchall()
    if lines and all(line[2] is not None for line in lines):
        status = "closed"
    elif lines and all(line[1] >= line[0] for line in lines):
        status = "issued"
    elif any(line[1] > 0 for line in lines):
        status = "partly_issued"
    else:
        status = "open"
    cur.execute("UPDATE indent SET status = %s, closed_at = CASE WHEN %s = 'closed'"
                " THEN coalesce(closed_at, %s) END WHERE id = %s AND status <> 'cancelled'",
                (status, status, store._ts(now), indent_id))


def _withdraw_transfer(store: Store, cur: Any, event: Event, document: Mapping[str, Any],
                       transfer_number: str, now: dt.datetime) -> None:
    """The sender reversed a transfer: its stock is back on the sender's shelf, so the voucher
    made from it is withdrawn and handed out again marked so. One the receiver received
    already cannot be taken back by the server: it stays received, a conflict the district
    sees and settles (:func:`conflicts`). The reversal is kept in any case, so a transfer
    arriving after its own reversal issues no voucher at all."""
    cur.execute("INSERT INTO transfer_reversal (facility_code, transfer_number, reversal_number,"
                " reversed_on, received_at) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (facility_code, transfer_number) DO NOTHING",
                (event.facility_code, transfer_number, event.document_number, document["doc_date"],
                 store._ts(now)))
    cur.execute("SELECT id, receipt_number, to_facility FROM voucher WHERE kind = 'transfer'"
                " AND from_code = %s AND number = %s", (event.facility_code, transfer_number))
    found = cur.fetchone()
    if found is None:
        return  # to a ward or a sub-centre, or the transfer is not here yet
    voucher_id, receipt_number, to_facility = found
    if receipt_number is not None:
        log.warning("facility %s reversed transfer %s, which %s received already as %s: a "
                    "conflict for the district", event.facility_code, transfer_number,
                    to_facility, receipt_number)
        return
    _mark_withdrawn(store, cur, voucher_id, now)


def _mark_withdrawn(store: Store, cur: Any, voucher_id: int, now: dt.datetime) -> None:
    """Withdraw a voucher not received and move it after every pull cursor handed out so far,
    so a desk that pulled it before hears of the withdrawal at its next pull. (On PostgreSQL a
    receipt committed while this waited for the row is seen here: the voucher then stays a
    conflict, received before the withdrawal.)"""
    cur.execute(f"UPDATE voucher SET withdrawn_at = coalesce(withdrawn_at, %s), txid = {store._feed_again}"
                " WHERE id = %s AND receipt_number IS NULL", (store._ts(now), voucher_id))


def _transfer_voucher(store: Store, cur: Any, event: Event, document: Mapping[str, Any],
                      now: dt.datetime) -> None:
    """Another facility's transfer, as a voucher the receiving facility pulls (none if the
    sender's reversal of it came first)."""
    header = document["header"]
    to_code = header["to_facility"]
    cur.execute("SELECT reversal_number FROM transfer_reversal WHERE facility_code = %s"
                " AND transfer_number = %s", (event.facility_code, event.document_number))
    reversed_by = cur.fetchone()
    if reversed_by is not None:
        log.info("transfer %s of %s arrived after its reversal %s: no voucher issued",
                 event.document_number, event.facility_code, reversed_by[0])
        return
    cur.execute("SELECT name FROM facility WHERE code = %s", (event.facility_code,))
    sender = cur.fetchone()
    cur.execute("SELECT 1 FROM facility WHERE code = %s", (to_code,))
    outgoing = [m for m in event.movements if m["qty"] < 0]
    if cur.fetchone() is None or not outgoing:
        log.warning("transfer %s of %s names facility %s, which this server does not know (or "
                    "moves nothing out)", event.document_number, event.facility_code, to_code)
        return
    cur.execute(
        "INSERT INTO voucher (kind, number, from_code, from_name, to_facility, issued_on,"
        " suggestion_id, created_at) VALUES ('transfer', %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (from_code, number) DO NOTHING RETURNING id",
        (event.document_number, event.facility_code, sender[0] if sender else event.facility_code,
         to_code, document["doc_date"], header.get("suggestion_id"), store._ts(now)))
    row = cur.fetchone()
    if row is None:
        return
    for line_no, movement in enumerate(outgoing, start=1):
        cur.execute(
            "INSERT INTO voucher_line (voucher_id, line_no, item_code, batch_no, expiry_month, qty,"
            " manufacturer, unit_cost) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (row[0], line_no, movement["item_code"], movement["batch_no"],
             movement["expiry_month"], -movement["qty"], movement.get("manufacturer"),
             movement.get("unit_cost")))
    if header.get("suggestion_id") is not None:
        cur.execute(
            "INSERT INTO suggestion_done (suggestion_id, from_code, to_code, item_code,"
            " transfer_number, done_at) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (suggestion_id) DO NOTHING",
            (header["suggestion_id"], event.facility_code, to_code, outgoing[0]["item_code"],
             event.document_number, store._ts(now)))


# --- the warehouse's side ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Warehouse:
    code: str
    name: str
    district: str


class VoucherProblem(ValueError):
    """An issue voucher the warehouse cannot record as entered; ``problems`` say where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def add_warehouse(store: Store, code: str, name: str, district: str) -> None:
    """Add or rename a district's warehouse (one per district)."""
    code = fields.facility_code(code.strip().upper())
    name = fields.text(name.strip(), 80)
    district = fields.text(district.strip(), 80)
    with store._write() as cur:
        cur.execute("INSERT INTO warehouse (code, name, district, created_at) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
                    " district = excluded.district",
                    (code, name, district, store._ts(utc_now())))


def warehouse_of(store: Store, district: str) -> Warehouse | None:
    with store._read() as cur:
        cur.execute("SELECT code, name, district FROM warehouse WHERE district = %s", (district,))
        row = cur.fetchone()
    return None if row is None else Warehouse(*row)


def warehouses(store: Store) -> list[Warehouse]:
    with store._read() as cur:
        cur.execute("SELECT code, name, district FROM warehouse ORDER BY district")
        return [Warehouse(*row) for row in cur.fetchall()]


def financial_year(day: dt.date) -> str:
    """India's financial year, April to March: 2026-27."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


#: One line the warehouse enters (or imports) on an issue voucher: what the pack's label says.
VoucherLineIn = fields.PackLine


#: Expiry as warehouse systems write it: 2028-03, 2028-03-31, 03/2028, 03-2028, 31/03/2028.
_MONTH_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$"), 1, 2),
    (re.compile(r"^(\d{1,2})[/-](\d{4})$"), 2, 1),
    (re.compile(r"^\d{1,2}[/-](\d{1,2})[/-](\d{4})$"), 2, 1),
)


def month_of(value: str) -> str:
    """An expiry as YYYY-MM; what matches no known form comes back as it was (the field
    rule then says what is wrong)."""
    for pattern, year, month in _MONTH_FORMS:
        found = pattern.match(value.strip())
        if found:
            return f"{found.group(year)}-{int(found.group(month)):02d}"
    return value


def _quantity(value: str) -> int:
    if not value.isdecimal() or not 0 < int(value) <= fields.MAX_ABS_QTY:
        raise FieldProblem("must be a whole number of units above 0")
    return int(value)


#: Each column of a voucher line: its key, its name in a problem, and the rule it obeys.
_VOUCHER_LINE_RULES: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("item_code", "item code", lambda v: fields.item_code(v.upper())),
    ("batch_no", "batch", lambda v: fields.batch_no(v.upper())),
    ("expiry_month", "expiry", lambda v: fields.month(month_of(v))),
    ("qty", "quantity", _quantity),
    ("manufacturer", "manufacturer",
     lambda v: fields.text(v, fields.MAX_MANUFACTURER, required=False) or None),
    ("unit_cost", "unit cost", lambda v: fields.unit_cost(v or None)),
)


def check_voucher_lines(raw: Sequence[Mapping[str, str]], today: dt.date,
                        first_row: int = 1) -> tuple[list[VoucherLineIn], list[str]]:
    """Lines as typed or read from a file (text values), each checked by the field rules;
    problems name the row (``first_row`` is the number of the first)."""
    lines: list[VoucherLineIn] = []
    problems: list[str] = []
    this_month = today.strftime("%Y-%m")
    for row_number, row in enumerate(raw, start=first_row):
        values = {key: (row.get(key) or "").strip() for key in
                  ("item_code", "batch_no", "expiry_month", "qty", "manufacturer", "unit_cost")}
        if not any(values[key] for key in ("batch_no", "expiry_month", "qty")):
            continue  # a blank row, or an indent's item the warehouse does not issue now
        checked: dict[str, Any] = {}
        try:
            for key, label, rule in _VOUCHER_LINE_RULES:
                checked[key] = rule(values[key])
        except FieldProblem as problem:
            problems.append(f"row {row_number}: {label} {problem.problem}")
            continue
        batch_no, expiry = checked["batch_no"], checked["expiry_month"]
        if expiry < this_month:
            problems.append(f"row {row_number}: batch {batch_no} expired in {expiry}; "
                            "do not issue expired stock")
            continue
        lines.append(VoucherLineIn(**checked))
    if not lines and not problems:
        problems.append("the voucher has no lines: enter at least one item, batch, expiry "
                        "and quantity")
    if len(lines) > MAX_VOUCHER_LINES:
        problems.append(f"a voucher holds at most {MAX_VOUCHER_LINES} lines")
    return lines, problems


def issue_voucher(store: Store, warehouse: Warehouse, facility_code: str,
                  lines: Sequence[VoucherLineIn], issued_by: str,
                  indent_id: int | None = None, today: dt.date | None = None) -> str:
    """Record an issue voucher of ``warehouse`` to a facility of its district, against an
    indent or without one, in one transaction; return its number."""
    now = utc_now()
    today = today or now.date()
    problems: list[str] = []
    with store._write() as cur:
        # Serial numbers per warehouse and year: lock the warehouse so two issues take turns.
        cur.execute(f"SELECT code FROM warehouse WHERE code = %s{store._for_update}",
                    (warehouse.code,))
        cur.execute("SELECT district FROM facility WHERE code = %s", (facility_code,))
        facility = cur.fetchone()
        if facility is None or facility[0] != warehouse.district:
            problems.append(f"facility {facility_code} is not in {warehouse.district} district")
        indent_items: set[str] = set()
        if indent_id is not None:
            cur.execute("SELECT facility_code, status FROM indent WHERE id = %s", (indent_id,))
            indent = cur.fetchone()
            if indent is None or indent[0] != facility_code:
                problems.append("that indent is not this facility's")
            elif indent[1] in ("cancelled", "closed"):
                problems.append(f"that indent is {indent[1]}: nothing more is issued against it")
            cur.execute("SELECT item_code FROM indent_line WHERE indent_id = %s", (indent_id,))
            indent_items = {r[0] for r in cur.fetchall()}
            problems.extend(f"item {line.item_code} is not on the indent" for line in lines
                            if line.item_code not in indent_items)
        if problems:
            raise VoucherProblem(problems)
        prefix = f"{warehouse.code}/{financial_year(today)}/"
        cur.execute("SELECT count(*) FROM voucher WHERE from_code = %s AND number LIKE %s",
                    (warehouse.code, prefix + "%"))
        number = f"{prefix}{int(cur.fetchone()[0]) + 1:06d}"
        cur.execute(
            "INSERT INTO voucher (kind, number, from_code, from_name, to_facility, indent_id,"
            " issued_on, issued_by, created_at) VALUES ('voucher', %s, %s, %s, %s, %s, %s, %s, %s)"
            " RETURNING id",
            (number, warehouse.code, warehouse.name, facility_code, indent_id, today.isoformat(),
             issued_by, store._ts(now)))
        voucher_id = cur.fetchone()[0]
        issued: dict[str, int] = defaultdict(int)
        for line_no, line in enumerate(lines, start=1):
            cur.execute(
                "INSERT INTO voucher_line (voucher_id, line_no, item_code, batch_no, expiry_month,"
                " qty, manufacturer, unit_cost) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (voucher_id, line_no, line.item_code, line.batch_no, line.expiry_month, line.qty,
                 line.manufacturer, line.unit_cost))
            issued[line.item_code] += line.qty
        if indent_id is not None:
            for item_code in sorted(issued):
                cur.execute(
                    "UPDATE indent_line SET issued_qty = issued_qty + %s WHERE indent_id = %s"
                    " AND line_no = (SELECT min(line_no) FROM indent_line WHERE indent_id = %s"
                    " AND item_code = %s)", (issued[item_code], indent_id, indent_id, item_code))
            refresh_status(store, cur, indent_id, now)
    return number


def close_indent(store: Store, indent_id: int, district: str) -> bool:
    """The warehouse will issue nothing more against this indent: close its open lines."""
    now = utc_now()
    with store._write() as cur:
        cur.execute("SELECT f.district FROM indent i JOIN facility f ON f.code = i.facility_code"
                    " WHERE i.id = %s", (indent_id,))
        row = cur.fetchone()
        if row is None or row[0] != district:
            return False
        cur.execute("UPDATE indent_line SET closed_at = %s WHERE indent_id = %s AND closed_at IS NULL",
                    (store._ts(now), indent_id))
        # Kept apart from the lines' closes: a receipt reversed later opens again only the
        # lines its receipt closed, never an indent the warehouse closed.
        cur.execute("UPDATE indent SET warehouse_closed_at = coalesce(warehouse_closed_at, %s)"
                    " WHERE id = %s", (store._ts(now), indent_id))
        refresh_status(store, cur, indent_id, now)
    return True


# --- what the warehouse and the district see -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IndentLine:
    line_no: int
    item_code: str
    item_name: str | None
    qty: int
    suggested: int | None
    usable_stock: int | None
    amc: float | None
    on_order: int | None
    days_out_of_stock: int | None
    emergency: bool
    issued_qty: int
    received_qty: int
    closed: bool


@dataclasses.dataclass(frozen=True)
class Indent:
    id: int
    facility_code: str
    facility_name: str
    number: str
    doc_date: str
    received_at: dt.datetime | None
    to_name: str
    months_max: float | None
    emergency: bool
    approved_by: str
    note: str | None
    status: str
    lines: list[IndentLine] = dataclasses.field(default_factory=list)

    @property
    def status_words(self) -> str:
        return self.status.replace("_", " ")


_INDENT_COLUMNS = ("i.id, i.facility_code, f.name, i.number, i.doc_date, i.received_at, i.to_name,"
                   " i.months_max, i.emergency, i.approved_by, i.note, i.status")


def _indent(store: Store, row: Sequence[Any]) -> Indent:
    return Indent(int(row[0]), row[1], row[2], row[3], row[4], store._ts_out(row[5]), row[6],
                  row[7], bool(row[8]), row[9], row[10], row[11])


def district_indents(store: Store, district: str, *, limit: int = 200) -> list[Indent]:
    """The district's indents, open ones first, newest first."""
    with store._read() as cur:
        cur.execute(
            f"SELECT {_INDENT_COLUMNS} FROM indent i JOIN facility f ON f.code = i.facility_code"
            " WHERE f.district = %s ORDER BY CASE WHEN i.status IN ('open', 'partly_issued')"
            " THEN 0 ELSE 1 END, i.doc_date DESC, i.id DESC LIMIT %s", (district, limit))
        return [_indent(store, row) for row in cur.fetchall()]


def indent_detail(store: Store, indent_id: int) -> Indent | None:
    with store._read() as cur:
        cur.execute(f"SELECT {_INDENT_COLUMNS} FROM indent i JOIN facility f ON f.code = i.facility_code"
                    " WHERE i.id = %s", (indent_id,))
        row = cur.fetchone()
        if row is None:
            return None
        indent = _indent(store, row)
        cur.execute(
            "SELECT l.line_no, l.item_code, it.name, l.qty, l.suggested, l.usable_stock, l.amc,"
            " l.on_order, l.days_out_of_stock, l.emergency, l.issued_qty, l.received_qty,"
            " l.closed_at FROM indent_line l LEFT JOIN item it ON it.code = l.item_code"
            " WHERE l.indent_id = %s ORDER BY l.line_no", (indent_id,))
        indent.lines.extend(
            IndentLine(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7], r[8], bool(r[9]),
                       int(r[10]), int(r[11]), r[12] is not None) for r in cur.fetchall())
    return indent


def indent_by_number(store: Store, facility_code: str, number: str) -> Indent | None:
    with store._read() as cur:
        cur.execute("SELECT id FROM indent WHERE facility_code = %s AND number = %s",
                    (facility_code, number))
        row = cur.fetchone()
    return None if row is None else indent_detail(store, int(row[0]))


@dataclasses.dataclass(frozen=True)
class Difference:
    voucher_line: int | None
    item_code: str
    batch_no: str
    sent: int
    received: int
    kind: str
    reason: str
    receipt_number: str


@dataclasses.dataclass(frozen=True)
class Voucher:
    id: int
    kind: str
    number: str
    from_code: str
    from_name: str
    to_facility: str
    indent_number: str | None
    issued_on: str
    received_at: dt.datetime | None
    receipt_number: str | None
    lines: list[dict[str, Any]]
    differences: list[Difference]
    #: A transfer its sender reversed: the reversal's number, and when the voucher was
    #: withdrawn (None while the receiver holds a receipt of it: a conflict).
    reversed_by: str | None = None
    withdrawn_at: dt.datetime | None = None

    @property
    def conflict(self) -> bool:
        """Received although its sender reversed the transfer: the units are on both shelves."""
        return self.reversed_by is not None and self.receipt_number is not None


#: A voucher's sender's reversal, if it is a transfer that was reversed (``r``).
_REVERSAL_JOIN = (" LEFT JOIN transfer_reversal r ON v.kind = 'transfer'"
                  " AND r.facility_code = v.from_code AND r.transfer_number = v.number")


def vouchers(store: Store, *, district: str | None = None, indent_id: int | None = None,
             limit: int = 100) -> list[Voucher]:
    """Vouchers of a district (newest first) or against one indent, with lines and differences."""
    where, params = ("v.indent_id = %s", (indent_id,)) if indent_id is not None \
        else ("f.district = %s", (district,))
    with store._read() as cur:
        cur.execute(
            "SELECT v.id, v.kind, v.number, v.from_code, v.from_name, v.to_facility, i.number,"
            " v.issued_on, v.received_at, v.receipt_number, r.reversal_number, v.withdrawn_at"
            " FROM voucher v JOIN facility f ON f.code = v.to_facility"
            f" LEFT JOIN indent i ON i.id = v.indent_id{_REVERSAL_JOIN}"
            f" WHERE {where} ORDER BY v.id DESC LIMIT %s", (*params, limit))
        rows = cur.fetchall()
        found = []
        for row in rows:
            cur.execute("SELECT line_no, item_code, batch_no, expiry_month, qty, manufacturer,"
                        " unit_cost, received_qty FROM voucher_line WHERE voucher_id = %s"
                        " ORDER BY line_no", (row[0],))
            lines = [dict(zip(("line_no", "item_code", "batch_no", "expiry_month", "qty",
                               "manufacturer", "unit_cost", "received_qty"), r))
                     for r in cur.fetchall()]
            cur.execute("SELECT voucher_line, item_code, batch_no, sent, received, kind, reason,"
                        " receipt_number FROM receipt_difference WHERE voucher_id = %s"
                        " ORDER BY voucher_line", (row[0],))
            differences = [Difference(*r) for r in cur.fetchall()]
            found.append(Voucher(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6],
                                 row[7], store._ts_out(row[8]), row[9], lines, differences,
                                 row[10], store._ts_out(row[11])))
    return found


# --- the desk's pull -----------------------------------------------------------------------------


_VOUCHER_CURSOR_UNKNOWN = ("This voucher cursor is not from this server (or the server was reset "
                           "or restored from a backup). Start again from the beginning: vouchers "
                           "already received are recognised by number.")


def _parse_cursor(cursor: str, instance: str) -> tuple[int, int]:
    return parse_cursor(cursor, instance, _VOUCHER_CURSOR_UNKNOWN)


def voucher_page(store: Store, facility_code: str, cursor: str, limit: int) -> wire.VoucherPageDict:
    """The facility's vouchers after ``cursor``, oldest first, each once: on PostgreSQL only
    those of transactions older than every one still running (as the catalogue does), so a
    voucher committed late is never skipped. A withdrawn voucher moved after every cursor
    handed out before (:func:`_mark_withdrawn`), so it comes again, with ``withdrawn``."""
    instance = store.instance_id()
    after = _parse_cursor(cursor, instance)
    columns = ("SELECT v.txid, v.id, v.kind, v.number, v.from_code, v.from_name, i.number,"
               " v.issued_on, v.withdrawn_at, r.reversal_number, r.reversed_on FROM voucher v"
               f" LEFT JOIN indent i ON i.id = v.indent_id{_REVERSAL_JOIN}")
    with store._read() as cur:
        if store.kind == "postgresql":
            horizon = " AND v.txid < pg_snapshot_xmin(pg_current_snapshot())"
            cur.execute(f"{columns.replace('v.txid', 'v.txid::text::bigint', 1)}"
                        " WHERE v.to_facility = %s AND (v.txid, v.id) > (%s::text::xid8, %s)"
                        f"{horizon} ORDER BY v.txid, v.id LIMIT %s",
                        (facility_code, after[0], after[1], limit + 1))
        else:
            cur.execute(f"{columns} WHERE v.to_facility = %s AND (v.txid, v.id) > (%s, %s)"
                        " ORDER BY v.txid, v.id LIMIT %s",
                        (facility_code, after[0], after[1], limit + 1))
        rows = cur.fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        page: list[wire.VoucherDict] = []
        for row in rows:
            cur.execute("SELECT line_no, item_code, batch_no, expiry_month, qty, manufacturer,"
                        " unit_cost FROM voucher_line WHERE voucher_id = %s ORDER BY line_no",
                        (row[1],))
            page.append({
                "number": row[3], "kind": row[2], "from_code": row[4], "from_name": row[5],
                "indent_number": row[6], "issued_on": row[7],
                "lines": [{"line_no": r[0], "item_code": r[1], "batch_no": r[2],
                           "expiry_month": r[3], "qty": int(r[4]), "manufacturer": r[5],
                           "unit_cost": r[6]} for r in cur.fetchall()],
                "withdrawn": None if row[8] is None or row[9] is None else
                {"reversal_number": row[9], "reversed_on": row[10]}})
    last = (int(rows[-1][0]), int(rows[-1][1])) if rows else after
    return {"vouchers": page, "cursor": f"{instance}-{last[0]}-{last[1]}", "more": more}


# --- transfers reversed after their receiver received them ----------------------------------------


@dataclasses.dataclass(frozen=True)
class VoucherConflict:
    """A transfer its sender reversed that the receiver received all the same (before the
    reversal reached the server, or on a desk that had not pulled the withdrawal): the units
    are on both shelves until a person settles it, by the receiver reversing its receipt
    (settled by itself, the voucher then withdrawn) or returning the stock."""

    voucher_id: int
    number: str
    from_code: str
    from_name: str
    to_facility: str
    to_name: str
    district: str  # the receiver's
    issued_on: str
    units: int
    reversal_number: str
    reversed_on: str
    receipt_number: str
    #: When the later of the reversal and the receipt reached the server.
    noted_at: dt.datetime
    #: The receipt reached the server after the voucher was withdrawn.
    received_after_withdrawal: bool
    settled_at: dt.datetime | None
    settled_by: str | None
    note: str | None


def conflicts(store: Store, *, district: str | None = None, facility_code: str | None = None,
              voucher_id: int | None = None, limit: int = 500) -> list[VoucherConflict]:
    """Withdrawal conflicts of a district (by the receiver's district), of a facility (sending
    or receiving), one voucher, or every one; open ones first, newest first."""
    params: tuple[Any, ...]
    where, params = "", ()
    if voucher_id is not None:
        where, params = " AND v.id = %s", (voucher_id,)
    elif facility_code is not None:
        where, params = " AND (v.to_facility = %s OR v.from_code = %s)", (facility_code, facility_code)
    elif district is not None:
        where, params = " AND f.district = %s", (district,)
    with store._read() as cur:
        cur.execute(
            "SELECT v.id, v.number, v.from_code, v.from_name, v.to_facility, f.name, f.district,"
            " v.issued_on,"
            " (SELECT sum(l.qty) FROM voucher_line l WHERE l.voucher_id = v.id),"
            " r.reversal_number, r.reversed_on, v.receipt_number, r.received_at, v.received_at,"
            " v.withdrawn_at, v.conflict_settled_at, v.conflict_settled_by, v.conflict_note"
            " FROM voucher v JOIN transfer_reversal r ON r.facility_code = v.from_code"
            " AND r.transfer_number = v.number JOIN facility f ON f.code = v.to_facility"
            f" WHERE v.kind = 'transfer' AND v.receipt_number IS NOT NULL{where}"
            " ORDER BY CASE WHEN v.conflict_settled_at IS NULL THEN 0 ELSE 1 END, v.id DESC"
            " LIMIT %s", (*params, limit))
        rows = cur.fetchall()
    found = []
    for r in rows:
        reversal_at, received_at = store._ts_out(r[12]), store._ts_out(r[13])
        moments = [moment for moment in (reversal_at, received_at) if moment is not None]
        found.append(VoucherConflict(
            int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8] or 0), r[9], r[10],
            r[11], max(moments) if moments else utc_now(), r[14] is not None,
            store._ts_out(r[15]), r[16], r[17]))
    return found


def settle_conflict(store: Store, voucher_id: int, settled_by: str, note: str) -> bool:
    """A person settled a withdrawal conflict (the receiver returned the stock, say): it stays
    listed as settled, with who and how. False if it is not an open conflict."""
    with store._write() as cur:
        cur.execute(
            "UPDATE voucher SET conflict_settled_at = %s, conflict_settled_by = %s,"
            " conflict_note = %s WHERE id = %s AND kind = 'transfer'"
            " AND receipt_number IS NOT NULL AND conflict_settled_at IS NULL AND EXISTS"
            " (SELECT 1 FROM transfer_reversal r WHERE r.facility_code = voucher.from_code"
            " AND r.transfer_number = voucher.number) RETURNING id",
            (store._ts(utc_now()), settled_by[:80], note[:500], voucher_id))
        return cur.fetchone() is not None


# --- fill rate and lead time ---------------------------------------------------------------------


@dataclasses.dataclass
class Supply:
    """Fill rate and lead time of one facility (or a district's total) over the review period."""

    code: str
    name: str
    indents: int = 0
    lines: int = 0
    lines_filled: int = 0
    qty_indented: int = 0
    qty_issued: int = 0
    lead_days: list[int] = dataclasses.field(default_factory=list)

    @property
    def fill_rate_lines(self) -> float | None:
        return None if self.lines == 0 else self.lines_filled / self.lines

    @property
    def fill_rate_qty(self) -> float | None:
        return None if self.qty_indented == 0 else self.qty_issued / self.qty_indented

    @property
    def lead_time_days(self) -> float | None:
        return None if not self.lead_days else sum(self.lead_days) / len(self.lead_days)

    def add(self, other: "Supply") -> None:
        self.indents += other.indents
        self.lines += other.lines
        self.lines_filled += other.lines_filled
        self.qty_indented += other.qty_indented
        self.qty_issued += other.qty_issued
        self.lead_days.extend(other.lead_days)


def supply_figures(store: Store, district: str, today: dt.date) -> tuple[list[Supply], Supply]:
    """Per facility of the district and for the district: fill rate (issued ÷ indented, by
    lines filled in full and by quantity, an issue above the indented quantity counting as
    the indented quantity) of the indents dated in the last :data:`REVIEW_DAYS` days (not
    cancelled), and lead time (days from the indent's date to the date of the receipt
    against each of its vouchers, for receipts dated in that period)."""
    since = (today - dt.timedelta(days=REVIEW_DAYS)).isoformat()
    with store._read() as cur:
        cur.execute("SELECT code, name FROM facility WHERE district = %s ORDER BY name, code",
                    (district,))
        per_facility = {code: Supply(code, name) for code, name in cur.fetchall()}
        cur.execute(
            "SELECT i.facility_code, i.id, l.qty, l.issued_qty FROM indent i"
            " JOIN facility f ON f.code = i.facility_code"
            " JOIN indent_line l ON l.indent_id = i.id"
            " WHERE f.district = %s AND i.doc_date >= %s AND i.status <> 'cancelled'",
            (district, since))
        seen: set[int] = set()
        for code, indent_id, qty, issued in cur.fetchall():
            figures = per_facility[code]
            if indent_id not in seen:
                seen.add(indent_id)
                figures.indents += 1
            figures.lines += 1
            figures.lines_filled += int(issued >= qty)
            figures.qty_indented += int(qty)
            figures.qty_issued += int(min(issued, qty))
        cur.execute(
            "SELECT v.to_facility, i.doc_date, v.receipt_date FROM voucher v"
            " JOIN indent i ON i.id = v.indent_id JOIN facility f ON f.code = v.to_facility"
            " WHERE f.district = %s AND v.receipt_date >= %s", (district, since))
        for code, indent_date, receipt_date in cur.fetchall():
            per_facility[code].lead_days.append(
                (dt.date.fromisoformat(receipt_date) - dt.date.fromisoformat(indent_date)).days)
    total = Supply(district, f"{district} district")
    for figures in per_facility.values():
        total.add(figures)
    return list(per_facility.values()), total
