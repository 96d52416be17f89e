"""Issue 14 end to end through the real state server, desk side, on SQLite and PostgreSQL: an
indent approved on the desk goes up, the warehouse issues a voucher against it on the server,
the desk pulls it and receives it with one short line, and the server's indent shows the
difference; the receipt reversed, the voucher waits again on both sides and is received again;
a redistribution suggestion pulled by the sending desk becomes a transfer that the
other desk pulls as a voucher and receives, and both stocks converge on the server; a transfer
the sender reverses is withdrawn at the receiving desk (or, received already, a conflict the
server lists until the receiver reverses its receipt)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from e2e_desk import FACILITY_CODE, ITEMS_CSV, PASSWORD, Desk, assert_converged, server_stock

from ihms_desk.store import Store
from ihms_desk.store.errors import VoucherWithdrawn
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine, TransferLine
from ihms_desk.store.vouchers import VoucherCheck
from ihms_server import indents as server_indents
from ihms_server.testing import add_facility
from ihms_server.testing_supply import add_warehouse_and_accounts

OTHER = "CHC-TEST-002"


def issue(server: Any, number: str, lines: list[dict[str, str]]) -> str:
    store = server.store
    indent = server_indents.indent_by_number(store, FACILITY_CODE, number)
    assert indent is not None, f"the server does not hold indent {number}"
    checked, problems = server_indents.check_voucher_lines(lines, dt.date.today())
    assert not problems, problems
    warehouse = server_indents.warehouse_of(store, "Jaipur")
    assert warehouse is not None
    return server_indents.issue_voucher(store, warehouse, FACILITY_CODE, checked, "ware", indent_id=indent.id)


def server_lines(server: Any, number: str) -> list[tuple[int, bool]]:
    """(received, closed) of each line of the server's copy of the desk's indent."""
    indent = server_indents.indent_by_number(server.store, FACILITY_CODE, number)
    assert indent is not None, f"the server does not hold indent {number}"
    return [(line.received_qty, line.closed) for line in indent.lines]


def server_voucher(server: Any, number: str) -> server_indents.Voucher:
    (found,) = [v for v in server_indents.vouchers(server.store, district="Jaipur") if v.number == number]
    return found


@pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)
def test_indent_issued_pulled_and_received_with_a_short_line(server: Any, make_desk: Any) -> None:
    add_warehouse_and_accounts(server.store)
    desk = make_desk()
    desk.enrol(server.url, server.enrolment_code())
    desk.store.start_indent_draft()
    desk.store.set_indent_line("D0001", 500)
    desk.store.set_indent_line("D0002", 200)
    number = desk.store.approve_indent().number
    desk.sync_until_done()
    assert desk.store.indent_status(number).status == "sent"
    expiry = (dt.date.today() + dt.timedelta(days=700)).strftime("%Y-%m")
    voucher_no = issue(server, number, [
        {"item_code": "D0001", "batch_no": "W-1", "expiry_month": expiry, "qty": "500"},
        {"item_code": "D0002", "batch_no": "W-2", "expiry_month": expiry, "qty": "150"}])
    assert len(desk.sync_until_vouchers(1)) == 1
    pulled = desk.store.voucher(voucher_no)
    assert pulled.indent_number == number and [(l.item_code, l.qty) for l in pulled.lines] == [("D0001", 500), ("D0002", 150)]
    assert desk.store.indent_status(number).status == "partly_issued"  # 150 of 200 of D0002
    receipt = desk.store.receive_voucher(voucher_no, [VoucherCheck(1, 450, "short", "one carton missing")])
    desk.sync_until_done()
    assert desk.stock() == {("D0001", "W-1"): 450, ("D0002", "W-2"): 150}
    on_server = server_indents.indent_by_number(server.store, FACILITY_CODE, number)
    assert on_server is not None and on_server.status != "sent"
    assert receipt.header["differences"][0]["received"] == 450
    assert_converged(desk, server.store)
    assert desk.sync_until_done().vouchers == 0  # nothing pulled twice

    # The carton was there: counted wrong. The in-charge reverses the receipt, the voucher waits
    # again on both sides, and the clerk receives it again as it came.
    desk.store.reverse(receipt.number, reason="carton found: counted wrong")
    desk.sync_until_done()
    assert [v.number for v in desk.store.vouchers()] == [voucher_no]
    assert desk.store.indent_status(number).received == 0
    assert server_lines(server, number) == [(0, False), (0, False)]
    assert server_voucher(server, voucher_no).receipt_number is None
    again = desk.store.receive_voucher(voucher_no)
    desk.sync_until_done()
    assert desk.stock() == {("D0001", "W-1"): 500, ("D0002", "W-2"): 150}
    assert desk.store.indent_status(number).received == 650
    assert server_lines(server, number) == [(500, True), (150, True)]
    kept = server_voucher(server, voucher_no)
    assert kept.receipt_number == again.number and kept.differences == []
    assert_converged(desk, server.store)


def other_desk(folder: Path) -> Desk:
    """A desk of a second facility of the same district."""
    folder.mkdir(parents=True)
    with Store.open(folder) as store:
        store.set_up(code=OTHER, name="CHC Two", district="Jaipur", block="Sanganer", type="CHC",
                     admin_username="admin", admin_full_name="Admin Two", admin_password=PASSWORD)
        store.act_as("admin")
        assert store.import_catalogue_csv(io.StringIO(ITEMS_CSV)).ok
    return Desk(None, folder)


@pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)
def test_a_suggested_transfer_is_made_pulled_and_received(server: Any, make_desk: Any, tmp_path: Path) -> None:
    add_facility(server.store, OTHER, name="CHC Two", district="Jaipur")
    sender = make_desk()
    sender.enrol(server.url, server.enrolment_code())
    receiver = other_desk(tmp_path / "two")
    receiver.enrol(server.url, server.enrolment_code(OTHER))
    expiry = (dt.date.today() + dt.timedelta(days=700)).strftime("%Y-%m")
    # The sender holds 1,000 it never uses (above any maximum); the receiver dispensed 300
    # last month and has none left.
    sender.store.receive(source="ddw", voucher_no="DDW/1", voucher_date=dt.date.today(),
                         lines=[ReceiptLine("D0001", "S-1", expiry, 1000)])
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    receiver.store.set_setting("backdate_days", "60")
    receiver.store.receive(source="ddw", voucher_no="DDW/9", voucher_date=last_month, doc_date=last_month,
                           lines=[ReceiptLine("D0001", "R-1", expiry, 300)])
    # Dispensed: the server counts OPD dispensing as consumption (the desk counts transfers
    # out too; see the report).
    receiver.store.dispense(patient=Patient("OPD/1", "Sita Devi", 34, "F"), prescriber="Dr. R. Meena",
                            lines=[DispenseLine("D0001", 300)], doc_date=last_month)
    receiver.sync_until_done()
    sender.sync_until_done()
    offered = sender.store.transfer_suggestions()
    assert [(s.item_code, s.to_code, s.reason) for s in offered] == [("D0001", OTHER, "surplus")]
    # The receiver's AMC is 100 (300 over 3 months): up to its maximum months of it.
    qty = offered[0].qty
    assert qty > 0
    transfer = sender.store.transfer_from_suggestion(offered[0].id)
    assert transfer.header["to_facility"] == OTHER and transfer.header["suggestion_id"] == offered[0].id
    sender.sync_until_done()
    assert sender.store.transfer_suggestions() == []
    assert len(receiver.sync_until_vouchers(1)) == 1
    voucher = receiver.store.vouchers()[0]
    assert (voucher.kind, voucher.number, voucher.from_code) == ("transfer", transfer.number, FACILITY_CODE)
    receiver.store.receive_voucher(voucher.number, from_code=voucher.from_code)
    receiver.sync_until_done()
    sender.sync_until_done()
    assert server_stock(server.store, FACILITY_CODE) == {("D0001", "S-1"): 1000 - qty}
    assert server_stock(server.store, OTHER) == {("D0001", "S-1"): qty}
    assert sender.stock() == {("D0001", "S-1"): 1000 - qty} and receiver.stock() == {("D0001", "S-1"): qty}
    assert_converged(sender, server.store)


@pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)
def test_a_reversed_transfer_is_withdrawn_at_the_receiver(server: Any, make_desk: Any, tmp_path: Path) -> None:
    """Two desks and the real server: the sender transfers to the other facility, whose desk
    pulls the voucher; the sender reverses the transfer and syncs; the receiver's next sync
    marks its voucher withdrawn and receiving it is refused, both stocks as before on the
    server. A second transfer the receiver received before the reversal came is a conflict on
    the server, which the receiver settles by reversing its receipt (the voucher then withdrawn
    on its desk too)."""
    add_facility(server.store, OTHER, name="CHC Two", district="Jaipur")
    sender = make_desk()
    sender.enrol(server.url, server.enrolment_code())
    receiver = other_desk(tmp_path / "two")
    try:
        receiver.enrol(server.url, server.enrolment_code(OTHER))
        expiry = (dt.date.today() + dt.timedelta(days=700)).strftime("%Y-%m")
        sender.store.receive(source="ddw", voucher_no="DDW/1", voucher_date=dt.date.today(),
                             lines=[ReceiptLine("D0001", "S-1", expiry, 1000)])

        def transfer(qty: int) -> str:
            return sender.store.transfer_out(
                destination_type="facility", destination_name="CHC Two", lines=[TransferLine("D0001", qty)],
                extra_header={"to_facility": OTHER}).number

        first = transfer(300)
        sender.sync_until_done()
        assert [v.number for v in receiver.sync_until_vouchers(1)] == [first]
        sender.store.reverse(first, reason="sent to the wrong facility")
        sender.sync_until_done()
        receiver.sync_until(lambda: receiver.store.voucher(first).withdrawn)
        pulled = receiver.store.voucher(first)
        assert pulled.withdrawn and pulled.withdrawn_by == sender.store.document(first).reversed_by
        with pytest.raises(VoucherWithdrawn):
            receiver.store.receive_voucher(first, from_code=FACILITY_CODE)
        assert server_stock(server.store, FACILITY_CODE) == {("D0001", "S-1"): 1000}
        assert server_stock(server.store, OTHER) == {} and receiver.stock() == {}
        assert server_indents.conflicts(server.store, district="Jaipur") == []

        # Received before the sender's reversal reached the server: a conflict, listed.
        second = transfer(200)
        sender.sync_until_done()
        receiver.sync_until(lambda: any(v.number == second for v in receiver.store.vouchers()))
        receipt = receiver.store.receive_voucher(second, from_code=FACILITY_CODE)
        receiver.sync_until_done()
        sender.store.reverse(second, reason="the district asked us to keep it")
        sender.sync_until_done()
        (conflict,) = server_indents.conflicts(server.store, district="Jaipur")
        assert (conflict.number, conflict.receipt_number, conflict.units) == (second, receipt.number, 200)
        assert server_stock(server.store, FACILITY_CODE) == {("D0001", "S-1"): 1000}
        assert server_stock(server.store, OTHER) == {("D0001", "S-1"): 200}  # the units counted twice
        # The receiver sends the stock back by reversing its receipt: settled, and withdrawn there.
        receiver.store.reverse(receipt.number, reason="CHC Test took it back")
        receiver.sync_until(lambda: receiver.store.voucher(second).withdrawn)
        assert server_indents.conflicts(server.store, district="Jaipur") == []
        assert server_stock(server.store, OTHER) == {} and receiver.stock() == {}
        with pytest.raises(VoucherWithdrawn):
            receiver.store.receive_voucher(second, from_code=FACILITY_CODE)
        assert_converged(sender, server.store)
    finally:
        receiver.close()
