"""One rule for what a valid record is (issue 10, item 7): anything the desk's store accepts,
the server accepts. Generated input, hostile characters included, goes through the store's
own operations; every document it saves is sent as the sync worker sends it and must be
applied by the server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ihms_desk.store.errors import StoreError
from ihms_desk.store.model import AdjustmentLine, DispenseLine, Patient, ReceiptLine, TransferLine
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.worker import envelope
from ihms_server.app import push_batch
from ihms_server.store import Device, Store
from ihms_server.testing import add_facility

#: What people and scanners have typed, and what a corrupted file or a hostile paste holds.
NASTY = ["PCM2411", "pcm  2411", " B-12/7 ", "PCM\x7f1", "B\u202e1", "B\u200b1", "\ufeffB1", "बैच१२",
         "B\t1", "B\n1", "B\x001", "B\x85", "Ｂ１", "ß", "x" * 40, "x" * 41, "", "   ", "क्\u200dष",
         "O'Brien & Sons", "\ud800", "line\u2028break", "😀", "a\u0301"]
#: What is typed every day, so that enough documents are saved for the check to bite.
GOOD = ["PCM2411", "Sita Devi", "सीता देवी", "B-12/7", "OPD-4521", "Dr. R. Meena", "Labour room", "AB 1234"]
# Everyday values weigh half (one_of picks its branches evenly), so that enough is saved.
texts = st.one_of(st.sampled_from(GOOD), st.sampled_from(GOOD), st.sampled_from(NASTY), st.text(max_size=45),
                  st.text(alphabet=st.characters(codec="ascii"), max_size=45))
numbers = st.one_of(st.integers(1, 500), st.integers(-3, 2_000_000),
                    st.sampled_from(["12", " 7 ", "१२", "1.5", "", "x"]))
costs = st.one_of(st.none(), st.sampled_from(["0.18", "12.50", "1e3", "0.00001", "-1", "10000000", "NaN", "₹5"]),
                  st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str))
expiries = st.one_of(st.sampled_from(["03/2040", "2040-03", "3/40", "EXP 12/2041"]),
                     st.sampled_from(["13/2040", "03/1999", "3/2040/1"]), texts)
ITEMS = ["D0001", "D0002", "D0003"]


def test_anything_the_store_accepts_the_server_accepts(make_store: Any, store: Store) -> None:
    desk = make_store()
    facility = desk.require_facility().code
    add_facility(store, facility)
    answer = store.enrol(facility, store.create_enrolment_code(facility), "property desk")
    device = Device(answer["device_id"], facility, "property desk")
    vouchers = itertools.count(1)
    saved: list[str] = []

    def send_what_was_saved() -> None:
        waiting = desk.pending_wire_events(100)
        if not waiting:
            return
        events = [envelope(e, device.device_id, facility) for e in waiting]
        results = push_batch(store, device, {"device_id": device.device_id, "events": events})["results"]
        refused = [(r["code"], r["reason"]) for r in results if r["status"] != wire.APPLIED]
        assert not refused, f"the store saved what the server refuses: {refused}"
        desk.record_sync_results((r["event_id"], r["status"], None, None) for r in results)
        saved.extend(r["event_id"] for r in results)

    def attempt(operation: Any) -> None:
        try:
            operation()
        except StoreError:
            return  # refused with a message, nothing saved: what the store is for
        send_what_was_saved()

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(batch=texts, expiry=expiries, qty=numbers, manufacturer=st.one_of(st.none(), texts), cost=costs,
           voucher=texts, sender=texts, name=texts, opd=texts, prescriber=texts, note=texts,
           item=st.sampled_from(ITEMS), abha=st.one_of(st.none(), st.sampled_from(["91-1234-5678-9012", "12"]), texts))
    @example(batch="PCM\x7f1", expiry="03/2040", qty=10, manufacturer=None, cost=None, voucher="V", sender="",
             name="Sita", opd="OPD-1", prescriber="Dr", note="", item="D0001", abha=None)
    @example(batch="B\u202e1", expiry="03/2040", qty=10, manufacturer="M\u202e", cost="0.18", voucher="V\u200b",
             sender="x", name="Sita\u202e", opd="OPD\x7f", prescriber="Dr", note="n\u2028", item="D0001", abha=None)
    # An everyday Hindi record, so that the check below always has non-ASCII text to find.
    @example(batch="PCM2411", expiry="03/2040", qty=10, manufacturer=None, cost="0.18", voucher="V", sender="",
             name="सीता देवी", opd="OPD-4521", prescriber="डॉ. मीणा", note="", item="D0002", abha=None)
    def save_and_send(batch: str, expiry: str, qty: Any, manufacturer: str | None, cost: str | None,
                      voucher: str, sender: str, name: str, opd: str, prescriber: str, note: str, item: str,
                      abha: str | None) -> None:
        attempt(lambda: desk.receive(
            source="ddw" if not sender.strip() else "facility", source_name=sender,
            voucher_no=f"V{next(vouchers)}{voucher}", voucher_date=desk.today(),
            lines=[ReceiptLine(item, batch, expiry, qty, manufacturer=manufacturer, unit_cost=cost)]))
        attempt(lambda: desk.dispense(
            patient=Patient(opd, name, 30, "F", abha), prescriber=prescriber,
            lines=[DispenseLine(item, qty if isinstance(qty, int) and qty > 0 else 1)]))
        attempt(lambda: desk.adjust(reason="found", note=note, lines=[AdjustmentLine(item, batch, qty)]))
        attempt(lambda: desk.transfer_out(destination_type="ward", destination_name=name, note=note,
                                          lines=[TransferLine(item, 1)]))
        number = desk.conn.execute("SELECT number FROM document ORDER BY id DESC LIMIT 1").fetchone()
        if number is not None and number[0].startswith(("RCV", "DSP")):
            attempt(lambda: desk.reverse(number[0], reason=note or "entered twice"))

    save_and_send()
    assert len(saved) > 20, "the store accepted too little for the check to mean anything"
    # ...and what it accepted includes text beyond plain ASCII (Devanagari, joiners, marks).
    headers = [json.loads(row[0]) for row in desk.conn.execute("SELECT header FROM document")]
    assert any(not str(value).isascii() for header in headers for value in header.values())
    with store._read() as cur:  # noqa: SLF001 - what the server really holds
        cur.execute("SELECT count(*) FROM event WHERE facility_code = %s", (facility,))
        assert cur.fetchone()[0] == len(saved)
