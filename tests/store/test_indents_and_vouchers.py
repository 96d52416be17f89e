"""Indents and vouchers in the store: the suggestion from a known consumption, worked by hand;
draft, approval (one document, one event), statuses through the warehouse's vouchers, a
receipt against a voucher with a short line (and one reversed, the voucher received again),
a transfer from a redistribution suggestion, and another facility's transfer withdrawn."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from ihms_desk.store import Store
from ihms_desk.store.errors import (
    AlreadyReversed, DuplicateVoucher, InvalidInput, PermissionDenied, StockTooLow, VoucherWithdrawn,
)
from ihms_desk.store.model import ReceiptLine, TransferLine
from ihms_desk.store.sync_state import CursorMoved
from ihms_desk.store.vouchers import VoucherCheck

from tests.conftest import IST, StoreFactory
from tests.store.ledger_checks import assert_unchanged, batch_qty, check_invariants, snapshot


def _at(store: Store, day: dt.date) -> None:
    store.clock.set(day.year, day.month, day.day)  # type: ignore[attr-defined]


def known_consumption(make_store: StoreFactory) -> Store:
    """D0001: 900 received on 1 Aug 2026, 300 issued on 10 Aug, 10 Sep and 10 Oct (the last
    empties the shelf: 10-31 Oct, 22 days, end with no stock), 100 received on 1 Nov.
    D0002: 600 received, 60 issued each month: never out of stock."""
    store = make_store(user="admin", start=dt.datetime(2026, 8, 1, 10, tzinfo=IST))
    store.receive(source="ddw", voucher_no="DDW/1", voucher_date="2026-08-01", lines=[
        ReceiptLine("D0001", "B1", "2028-03", 900), ReceiptLine("D0002", "A1", "2028-03", 600)])
    for month in (8, 9, 10):
        _at(store, dt.date(2026, month, 10))
        store.transfer_out(destination_type="ward", destination_name="Ward 1",
                           lines=[TransferLine("D0001", 300), TransferLine("D0002", 60)])
    _at(store, dt.date(2026, 11, 1))
    store.receive(source="ddw", voucher_no="DDW/2", voucher_date="2026-11-01", lines=[ReceiptLine("D0001", "B2", "2028-06", 100)])
    _at(store, dt.date(2026, 11, 20))
    return store


def test_suggestion_is_worked_as_by_hand(make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # after m010 widened document.kind
    levels = store.indent_levels()
    assert (levels.first_month, levels.last_month, levels.days, levels.months_max) == ("2026-08", "2026-10", 92, 4)
    assert levels.emergency_months == Decimal("0.5")
    lines = {line.item_code: line for line in store.suggest_indent()}
    assert set(lines) == {"D0001", "D0002"}  # items never held nor used are not suggested
    pcm = lines["D0001"]
    # By hand: C = 900, N = 92, D = 22: AMC = 900 x 92 / (3 x 70) = 394.29 -> 394;
    # 4 months x 394 = 1576, less 100 usable, less 0 on order = 1476; 100 < 0.5 x 394: emergency.
    assert (pcm.amc, pcm.days_out_of_stock, pcm.usable_stock, pcm.on_order) == (394, 22, 100, 0)
    assert (pcm.suggested, pcm.qty, pcm.emergency) == (1476, 1476, True)
    amx = lines["D0002"]
    # C = 180, no day out: AMC 60; 4 x 60 = 240 < 420 usable: nothing to order.
    assert (amx.amc, amx.days_out_of_stock, amx.usable_stock, amx.suggested, amx.emergency) == (60, 0, 420, 0, False)
    store.set_setting("max_stock_months", "3")
    store.set_setting("emergency_order_months", "0.2")
    pcm = store.suggest_indent(["D0001"])[0]
    assert (pcm.suggested, pcm.emergency) == (3 * 394 - 100, False)  # 100 >= 0.2 x 394 = 78.8


def test_draft_then_approval_writes_one_document_and_event(make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    store.act_as("clerk")
    draft = store.start_indent_draft()
    assert [(line.item_code, line.qty) for line in draft.lines] == [("D0001", 1476)]
    draft = store.set_indent_line("D0001", 1500)
    draft = store.set_indent_line("D0002", "100")  # not suggested: added with its own figures
    assert [(line.item_code, line.qty, line.suggested, line.amc) for line in draft.lines] == [
        ("D0001", 1500, 1476, 394), ("D0002", 100, 0, 60)]
    store.set_indent_note("monsoon stock")
    with pytest.raises(PermissionDenied):
        store.approve_indent()  # the clerk drafts; the in-charge approves
    assert store.indent_draft() is not None and store.outbox_counts()["pending"] == 5
    store.act_as("incharge")
    document = store.approve_indent()
    assert document.number == "IND/2026-27/000001" and document.kind == "indent" and document.movements == []
    assert document.header == {"to": "DDW", "to_name": "DDW Jaipur", "months_max": 4, "emergency": True,
                               "approved_by": "incharge", "note": "monsoon stock"}
    assert document.lines[0] == {"line_no": 1, "item_code": "D0001", "qty": 1500, "suggested": 1476, "usable_stock": 100,
                                 "amc": 394, "on_order": 0, "days_out_of_stock": 22, "emergency": True}
    assert store.indent_draft() is None
    events = store.pending_events(10)
    assert events[-1].type == "indent" and events[-1].payload["document"]["number"] == document.number
    assert store.indent_status(document.number).status == "approved"
    store.record_sync_results([(events[-1].event_id, "applied", None, None)])
    assert store.indent_status(document.number).status == "sent"
    # What is on order is no longer suggested.
    assert store.suggest_indent(["D0001"])[0].on_order == 1500
    assert store.suggest_indent(["D0001"])[0].suggested == 0
    assert store.doctor() == []
    with pytest.raises(InvalidInput) as refused:
        store.approve_indent()
    assert refused.value.kind == "indent_draft_empty"


def approved_indent(make_store: StoreFactory, lines: dict[str, int]) -> tuple[Store, str]:
    """The known consumption, and an indent the in-charge approved asking for ``lines`` (item
    code -> units) besides the suggested ones; the store acts as the in-charge."""
    store = known_consumption(make_store)
    store.act_as("incharge")
    store.start_indent_draft()
    for code, qty in lines.items():
        store.set_indent_line(code, qty)
    return store, store.approve_indent().number


def _voucher(number: str, indent: str | None, lines: list[tuple[str, str, str, int]], kind: str = "voucher") -> dict[str, object]:
    return {"number": number, "kind": kind, "from_code": "DDW-JAI", "from_name": "DDW Jaipur", "indent_number": indent,
            "issued_on": "2026-11-19",
            "lines": [{"line_no": n, "item_code": code, "batch_no": batch, "expiry_month": expiry, "qty": qty,
                       "manufacturer": None, "unit_cost": None} for n, (code, batch, expiry, qty) in enumerate(lines, start=1)]}


def test_voucher_received_with_a_short_line_moves_the_indent_on(make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    store.act_as("incharge")
    store.start_indent_draft()
    indent = store.approve_indent().number
    issued = _voucher("DDW-JAI/2026-27/000031", indent, [("D0001", "B3", "2028-09", 1000), ("D0002", "A2", "2028-09", 100)])
    bad = dict(_voucher("DDW-JAI/2026-27/000032", None, [("D0001", "B3", "13/2028", 5)]))
    page = store.apply_voucher_page([issued, bad], cursor_before="", next_cursor="c1")
    assert page.stored == 1 and page.refused[0][0] == "DDW-JAI/2026-27/000032"
    assert store.voucher_cursor() == "c1"
    assert store.apply_voucher_page([issued], cursor_before="c1", next_cursor="c2").stored == 0  # held already
    with pytest.raises(CursorMoved):
        store.apply_voucher_page([], cursor_before="c1", next_cursor="c3")
    assert store.indent_status(indent).status == "partly_issued"  # 1000 of 1476 issued
    store.act_as("clerk")
    with pytest.raises(InvalidInput) as refused:
        store.receive_voucher("DDW-JAI/2026-27/000031", [VoucherCheck(1, 1050, "short", "carton missing")])
    assert refused.value.kind == "difference_short" and refused.value.values["sent"] == 1000
    with pytest.raises(InvalidInput):
        store.receive_voucher("DDW-JAI/2026-27/000031", [VoucherCheck(1, 950, "short", "  ")])
    assert store.outbox_counts()["pending"] == 6  # nothing written by the refusals
    receipt = store.receive_voucher("DDW-JAI/2026-27/000031", [VoucherCheck(1, 950, "short", "one carton missing")])
    assert receipt.header["against_voucher"] == "DDW-JAI/2026-27/000031" and receipt.header["indent_number"] == indent
    assert receipt.header["source"] == "ddw" and receipt.header["source_name"] == "DDW Jaipur"
    assert receipt.header["differences"] == [{"voucher_line": 1, "item_code": "D0001", "batch_no": "B3", "sent": 1000,
                                              "received": 950, "kind": "short", "reason": "one carton missing"}]
    assert [(m["item_code"], m["batch_no"], m["qty"]) for m in receipt.movements] == [("D0001", "B3", 950), ("D0002", "A2", 100)]
    assert [line["voucher_line"] for line in receipt.lines] == [1, 2]
    stock = {row.item.code: row.usable_qty for row in store.stock_on_hand()}
    assert stock["D0001"] == 1050 and stock["D0002"] == 520
    assert store.voucher("DDW-JAI/2026-27/000031").receipt_number == receipt.number
    assert store.vouchers() == []
    with pytest.raises(DuplicateVoucher):
        store.receive_voucher("DDW-JAI/2026-27/000031")
    summary = store.indent_status(indent)
    # Received: what the receipt took in (950 of the short line, 100), not the 1,100 sent.
    assert (summary.status, summary.issued, summary.received) == ("partly_issued", 1100, 1050)
    # Still on order: 1476 asked less the 1000 the received voucher brought.
    assert store.suggest_indent(["D0001"])[0].on_order == 476
    store.act_as("incharge")
    assert store.close_indent(indent, "DDW has no more this quarter").status == "closed"
    assert store.suggest_indent(["D0001"])[0].on_order == 0
    assert store.doctor() == []


def test_an_indents_received_units_are_what_its_receipts_took_in(make_store: StoreFactory) -> None:
    store, indent = approved_indent(make_store, {"D0001": 600, "D0002": 200})
    store.apply_voucher_page([
        _voucher("DDW-JAI/2026-27/000050", indent, [("D0001", "B7", "2028-09", 400), ("D0002", "A7", "2028-09", 100)]),
        _voucher("DDW-JAI/2026-27/000051", indent, [("D0001", "B8", "2028-09", 200), ("D0002", "A8", "2028-09", 100)]),
    ], cursor_before="", next_cursor="v")
    store.act_as("clerk")
    # The first voucher short on one line and damaged (none usable) on the other.
    store.receive_voucher("DDW-JAI/2026-27/000050", [VoucherCheck(1, 350, "short", "a box missing"),
                                                     VoucherCheck(2, 0, "damaged", "wet cartons")])
    summary = store.indent_status(indent)
    assert (summary.issued, summary.received) == (800, 350)
    # The second with one line over what was sent: the excess arrived, so it counts.
    store.receive_voucher("DDW-JAI/2026-27/000051", [VoucherCheck(1, 210, "excess", "ten more in the box")])
    summary = store.indent_status(indent)
    assert (summary.issued, summary.received) == (800, 350 + 210 + 100)
    assert summary.received == sum(m["qty"] for number in ("DDW-JAI/2026-27/000050", "DDW-JAI/2026-27/000051")
                                   for m in store.document(store.voucher(number).receipt_number).movements)
    # The status goes by the vouchers received, as the server's does (a received line closes).
    assert summary.status == "closed"


def test_fully_received_indent_is_closed_and_a_transfer_voucher_comes_from_a_facility(make_store: StoreFactory) -> None:
    store, indent = approved_indent(make_store, {"D0001": 300})
    store.apply_voucher_page([
        _voucher("DDW-JAI/2026-27/000040", indent, [("D0001", "B5", "2028-09", 300)]),
        {**_voucher("TRF/2026-27/000007", None, [("D0002", "A9", "2028-01", 40)], kind="transfer"),
         "from_code": "CHC-B", "from_name": "CHC B"},
    ], cursor_before="", next_cursor="x")
    assert store.indent_status(indent).status == "issued"
    store.receive_voucher("DDW-JAI/2026-27/000040")
    assert store.indent_status(indent).status == "closed"
    transfer = store.receive_voucher("TRF/2026-27/000007")
    assert (transfer.header["source"], transfer.header["source_name"], transfer.header["indent_number"]) == (
        "facility", "CHC B", None)


def test_transfer_from_a_suggestion_in_one_action(make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    store.replace_suggestions([
        {"id": "S-17", "item_code": "D0002", "to_code": "CHC-B", "to_name": "CHC B", "qty": 50, "reason": "surplus",
         "expires": None},
        {"id": "S-18", "item_code": "D0001", "to_code": "CHC-C", "to_name": "CHC C", "qty": 5000, "reason": "surplus",
         "expires": None},
        {"id": "bad", "qty": -1},
    ])
    assert [s.id for s in store.transfer_suggestions()] == ["S-18", "S-17"]
    store.act_as("clerk")
    document = store.transfer_from_suggestion("S-17")
    assert document.kind == "transfer" and document.header["to_facility"] == "CHC-B"
    assert document.header["suggestion_id"] == "S-17" and document.header["destination_type"] == "facility"
    assert [(m["item_code"], m["qty"]) for m in document.movements] == [("D0002", -50)]
    assert [s.id for s in store.transfer_suggestions()] == ["S-18"]
    event = json.loads(store.conn.execute("SELECT payload FROM outbox ORDER BY sequence DESC LIMIT 1").fetchone()[0])
    assert event["document"]["header"]["suggestion_id"] == "S-17"
    with pytest.raises(Exception) as refused:
        store.transfer_from_suggestion("S-18")  # 5000 asked, 100 usable: refused, nothing written
    assert getattr(refused.value, "kind", "") == "stock_too_low"


def test_indent_report_prints_the_draft_and_the_indent(make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    store.act_as("incharge")
    store.start_indent_draft()
    report = store.indent_report()
    table = report.table("indent_lines")
    assert table.values("item_code") == ["D0001"] and table.values("indented") == [1476]
    assert table.values("emergency") == ["emergency"]
    number = store.approve_indent().number
    printed = store.indent_report(number)
    assert [note.key for note in printed.notes] == ["indent_number", "indent_approved", "indent_formula"]
    assert printed.table("indent_lines").values("indent_amc") == [394]
    from ihms_desk.exports import page
    for lang in ("en", "hi"):  # every word of it exists in both languages
        heading = page.heading(printed, lang)
        assert "IND/2026-27/000001" in heading.notes[0] and "394" not in heading.title


def test_a_reversed_voucher_receipt_lets_the_voucher_be_received_again(make_store: StoreFactory) -> None:
    """The clerk received a voucher with the wrong counts: the in-charge reverses the receipt,
    the voucher waits again, and is received again as it really came; the indent's figures
    follow each step and the ledger stays whole."""
    store, indent = approved_indent(make_store, {"D0001": 600, "D0002": 100})
    number = "DDW-JAI/2026-27/000060"
    store.apply_voucher_page([_voucher(number, indent, [("D0001", "B9", "2028-09", 600), ("D0002", "A9", "2028-09", 100)])],
                             cursor_before="", next_cursor="r")
    store.act_as("clerk")
    wrong = store.receive_voucher(number, [VoucherCheck(1, 500, "short", "counted one box short")])
    assert store.vouchers() == []
    summary = store.indent_status(indent)  # closed by the voucher as sent, as the server does
    assert (summary.status, summary.received, store.suggest_indent(["D0001"])[0].on_order) == ("closed", 600, 0)

    store.act_as("incharge")
    reversal = store.reverse(wrong.number, reason="the box was there: counted wrong")
    check_invariants(store)
    # Waiting again, with nothing of the reversed receipt counted for the indent.
    assert [v.number for v in store.vouchers()] == [number]
    assert store.voucher(number).receipt_number is None
    summary = store.indent_status(indent)
    assert (summary.status, summary.issued, summary.received) == ("issued", 700, 0)
    assert store.suggest_indent(["D0001"])[0].on_order == 600
    assert batch_qty(store, "D0001", "B9") == 0
    # A reversal is not reversed again: the voucher is received anew instead.
    with pytest.raises(AlreadyReversed) as refused:
        store.reverse(reversal.number, reason="undo the undo")
    assert refused.value.kind == "reversal_of_reversal"
    with pytest.raises(AlreadyReversed):
        store.reverse(wrong.number, reason="again")

    store.act_as("clerk")
    right = store.receive_voucher(number)  # as sent, this time
    assert right.number != wrong.number and right.header["differences"] == []
    assert store.voucher(number).receipt_number == right.number and store.vouchers() == []
    summary = store.indent_status(indent)
    assert (summary.status, summary.received) == ("closed", 700)
    assert store.suggest_indent(["D0001"])[0].on_order == 0
    assert batch_qty(store, "D0001", "B9") == 600 and batch_qty(store, "D0002", "A9") == 100
    with pytest.raises(DuplicateVoucher) as duplicate:
        store.receive_voucher(number)
    assert duplicate.value.number == right.number
    check_invariants(store)


def test_a_voucher_receipt_whose_stock_went_is_not_reversed_and_the_voucher_stays_received(
        make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    number = "DDW-JAI/2026-27/000061"
    store.apply_voucher_page([_voucher(number, None, [("D0003", "C1", "2028-09", 50)])], cursor_before="",
                             next_cursor="s")
    receipt = store.receive_voucher(number)
    store.transfer_out(destination_type="ward", destination_name="Ward 2", lines=[TransferLine("D0003", 50, "C1")])
    store.act_as("incharge")
    before = snapshot(store)
    with pytest.raises(StockTooLow):
        store.reverse(receipt.number, reason="wrong voucher")
    assert_unchanged(before, store)
    assert store.voucher(number).receipt_number == receipt.number and store.vouchers() == []


def test_a_hand_typed_challan_blocks_the_voucher_until_it_is_reversed(make_store: StoreFactory) -> None:
    """Typed on the Receive screen before the voucher came, the challan is the receipt: the
    voucher is refused as a duplicate; once the typed one is reversed it no longer blocks."""
    store = known_consumption(make_store)
    number = "DDW-JAI/2026-27/000062"
    typed = store.receive(source="ddw", source_name="DDW Jaipur", voucher_no=number.lower(), voucher_date="2026-11-19",
                          lines=[ReceiptLine("D0003", "C2", "2028-09", 40)])
    store.apply_voucher_page([_voucher(number, None, [("D0003", "C2", "2028-09", 40)])], cursor_before="",
                             next_cursor="t")
    with pytest.raises(DuplicateVoucher) as refused:
        store.receive_voucher(number)
    assert refused.value.number == typed.number
    store.act_as("incharge")
    store.reverse(typed.number, reason="came as a voucher")
    assert [v.number for v in store.vouchers()] == [number]  # the typed receipt never held it
    received = store.receive_voucher(number)
    store.reverse(received.number, reason="wrong voucher")  # the voucher's own receipt, reversed too
    again = store.receive_voucher(number)
    assert store.voucher(number).receipt_number == again.number
    assert batch_qty(store, "D0003", "C2") == 40
    check_invariants(store)


TRANSFER = "TRF/2026-27/A000007"


def _transfer(number: str = TRANSFER, withdrawn: dict[str, str] | None = None) -> dict[str, object]:
    """Another facility's transfer as the pull sends it; ``withdrawn`` once its sender reversed it."""
    voucher = {**_voucher(number, None, [("D0002", "A9", "2028-01", 40)], kind="transfer"),
               "from_code": "CHC-B", "from_name": "CHC B"}
    return voucher if withdrawn is None else {**voucher, "withdrawn": withdrawn}


REVERSED = {"reversal_number": "REV/2026-27/A000003", "reversed_on": "2026-11-19"}


def test_a_withdrawn_transfer_is_marked_and_never_received(make_store: StoreFactory) -> None:
    """Pulled, then pulled again withdrawn (the sender reversed it): marked once, kept on the
    list as withdrawn for a month, and receiving it is refused with nothing written; one pulled
    already withdrawn is stored so; a malformed withdrawal is refused like any bad field."""
    store = known_consumption(make_store)
    store.act_as("clerk")
    page = store.apply_voucher_page([_transfer(), _voucher("DDW-JAI/2026-27/000070", None, [("D0001", "B4", "2028-09", 10)])],
                                    cursor_before="", next_cursor="a")
    assert (page.stored, page.withdrawn) == (2, 0)
    assert not store.voucher(TRANSFER).withdrawn
    again = store.apply_voucher_page([_transfer(withdrawn=REVERSED)], cursor_before="a", next_cursor="b")
    assert (again.stored, again.withdrawn, again.refused) == (0, 1, [])
    assert store.apply_voucher_page([_transfer(withdrawn=REVERSED)], cursor_before="b", next_cursor="c").withdrawn == 0
    voucher = store.voucher(TRANSFER)
    assert (voucher.withdrawn_by, voucher.withdrawn_on) == ("REV/2026-27/A000003", "2026-11-19")
    # Waiting vouchers first, then the withdrawn one.
    assert [v.number for v in store.vouchers()] == ["DDW-JAI/2026-27/000070", TRANSFER]
    before = snapshot(store)
    with pytest.raises(VoucherWithdrawn) as refused:
        store.receive_voucher(TRANSFER)
    assert refused.value.kind == "voucher_withdrawn" and refused.value.field == "voucher"
    assert refused.value.values == {"number": TRANSFER, "sender": "CHC B", "reversal": "REV/2026-27/A000003",
                                    "date": "19-11-2026"}
    assert "cannot be received" in refused.value.message
    assert_unchanged(before, store)

    bad = store.apply_voucher_page([_transfer("TRF/2026-27/A000008", withdrawn="yes"),  # type: ignore[arg-type]
                                    _transfer("TRF/2026-27/A000009", withdrawn=REVERSED)],
                                   cursor_before="c", next_cursor="d")
    assert bad.stored == 1 and bad.refused[0][0] == "TRF/2026-27/A000008"
    with pytest.raises(VoucherWithdrawn):
        store.receive_voucher("TRF/2026-27/A000009")
    # A month after the sender's reversal, a withdrawn voucher leaves the list.
    _at(store, dt.date(2026, 12, 20))
    assert [v.number for v in store.vouchers()] == ["DDW-JAI/2026-27/000070"]
    check_invariants(store)


def test_a_transfer_received_before_its_withdrawal_came(make_store: StoreFactory) -> None:
    """Received here before the withdrawal was pulled: the receipt stands (the server lists it
    for the district to settle) and the voucher is marked; the in-charge reversing that receipt
    leaves the voucher withdrawn, not waiting to be received again."""
    store = known_consumption(make_store)
    store.apply_voucher_page([_transfer()], cursor_before="", next_cursor="a")
    receipt = store.receive_voucher(TRANSFER)
    assert store.apply_voucher_page([_transfer(withdrawn=REVERSED)], cursor_before="a", next_cursor="b").withdrawn == 1
    voucher = store.voucher(TRANSFER)
    assert voucher.withdrawn and voucher.receipt_number == receipt.number and store.vouchers() == []
    store.act_as("incharge")
    store.reverse(receipt.number, reason="the sender took it back")
    assert [(v.number, v.withdrawn) for v in store.vouchers()] == [(TRANSFER, True)]
    with pytest.raises(VoucherWithdrawn):
        store.receive_voucher(TRANSFER)
    assert batch_qty(store, "D0002", "A9") == 0
    check_invariants(store)
