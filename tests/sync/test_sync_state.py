"""The store's sync bookkeeping (ihms_desk/store/sync_state.py) and the wire form the worker
builds from it: no network here, a real SQLite file in the test's own folder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from ihms_desk.store.sync_state import CursorMoved
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.client import encode_push, encode_push_raw, normalise_server_url
from ihms_desk.sync.device import advance_marker, read_marker, restored_from_backup
from ihms_desk.sync.errors import ServerUnreachable
from ihms_desk.sync.worker import envelope, envelope_head

DEVICE = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


def item(code: str, **changes: object) -> dict:
    return {"entity": "item", "key": code, "data": {
        "code": code, "name": f"Medicine {code}", "generic_name": "Generic", "strength": "5 mg",
        "dosage_form": "tablet", "unit_of_issue": "tablet", "category": "drug", "min_stock": 0,
        "active": True, **changes}}


def items(store: Store) -> dict[str, tuple]:
    return {row[0]: tuple(row) for row in store.conn.execute("SELECT code, name, active FROM item")}


def test_a_page_and_its_cursor_commit_together(store):
    report = store.apply_catalogue_page([item("A1"), item("A2")], cursor_before="", next_cursor="c-0-2")
    assert (report.added, report.updated, report.refused) == (2, 0, [])
    assert store.sync_state().catalogue_cursor == "c-0-2"
    # A page applied against a cursor that moved meanwhile changes nothing at all.
    with pytest.raises(CursorMoved):
        store.apply_catalogue_page([item("A3")], cursor_before="", next_cursor="c-0-3")
    assert set(items(store)) == {"A1", "A2"}
    assert store.sync_state().catalogue_cursor == "c-0-2"


def test_bad_items_are_refused_by_the_import_rules_and_a_later_change_wins(store):
    report = store.apply_catalogue_page(
        [item("B1"), item("B2", category="food"), item("B1", name="Renamed", active=False),
         {"entity": "ward", "key": "W1", "data": {}}],
        cursor_before="", next_cursor="c-0-4")
    refused = dict(report.refused)
    assert set(refused) == {"B2", "W1"}
    assert "category" in refused["B2"]
    assert items(store) == {"B1": ("B1", "Renamed", 0)}
    assert store.sync_state().catalogue_cursor == "c-0-4"


def test_facility_changes_touch_only_this_desks_own_row(store):
    other = {"entity": "facility", "key": "CHC-OTHER", "data": {
        "code": "CHC-OTHER", "name": "Elsewhere", "district": "Ajmer", "block": "Kekri", "type": "CHC"}}
    own = {"entity": "facility", "key": "CHC-UNIT-001", "data": {
        "code": "CHC-UNIT-001", "name": "CHC Unit (new name)", "district": "Jaipur", "block": "Chaksu",
        "type": "SC"}}
    assert not store.apply_catalogue_page([other], cursor_before="", next_cursor="1").facility_updated
    assert store.require_facility().name == "CHC Unit"
    assert store.apply_catalogue_page([own], cursor_before="1", next_cursor="2").facility_updated
    facility = store.require_facility()
    assert (facility.name, facility.type) == ("CHC Unit (new name)", "CHC")  # SC is no desk type


def test_enrolment_with_another_server_restarts_the_catalogue(store):
    store.record_enrolment("https://a.example", DEVICE)
    store.apply_catalogue_page([], cursor_before="", next_cursor="a-0-9")
    store.record_enrolment("https://a.example", DEVICE)
    assert store.sync_state().catalogue_cursor == "a-0-9"
    store.record_enrolment("https://b.example", DEVICE)
    assert store.sync_state().catalogue_cursor == ""
    assert store.sync_state().enrolled


def save_documents(store: Store) -> None:
    store.upsert_items([(1, item("D1")["data"])])
    store.receive(source="ddw", voucher_no="V1", voucher_date=store.today(),
                  lines=[ReceiptLine("D1", "B-1", "2040-12", 100, manufacturer="Mfr", unit_cost="1.50")])
    store.dispense(patient=Patient("OPD-1", "सीता देवी", 40, "F"), prescriber="Dr. G",
                   lines=[DispenseLine("D1", 3)])


def test_wire_events_are_valid_and_the_raw_encoding_equals_the_plain_one(store):
    save_documents(store)
    code = store.require_facility().code
    raw = store.pending_wire_events(10)
    parsed = store.pending_events(10)
    assert [e.sequence for e in raw] == [1, 2]
    for event in raw:
        wire.validate_event(envelope(event, DEVICE, code))  # raises if the server would refuse it
    plain = json.loads(gzip.decompress(encode_push(DEVICE, [envelope(e, DEVICE, code) for e in parsed])))
    spliced = json.loads(gzip.decompress(encode_push_raw(
        DEVICE, [(envelope_head(e, DEVICE, code), e.payload_json) for e in raw])))
    assert spliced == plain
    hashes = {wire.content_hash(e) for e in spliced["events"]}
    assert hashes == {wire.content_hash(envelope(e, DEVICE, code)) for e in parsed}


def test_restore_marker_spots_a_database_that_went_back(store):
    save_documents(store)  # next sequence is 3
    data_dir = store.path.parent
    assert not restored_from_backup(store, DEVICE)
    advance_marker(data_dir, DEVICE, 1, 2)
    assert not restored_from_backup(store, DEVICE)
    advance_marker(data_dir, DEVICE, 1, 1)  # never goes back
    assert read_marker(data_dir).sequence == 2
    advance_marker(data_dir, DEVICE, 1, 5)  # the server has 5; this file only reached 2
    assert restored_from_backup(store, DEVICE)
    assert not restored_from_backup(store, "another-device")
    store.start_new_epoch()
    assert not restored_from_backup(store, DEVICE)


@pytest.mark.parametrize("typed, expected", [
    ("ihms.example.in", "https://ihms.example.in"),
    (" https://ihms.example.in/ ", "https://ihms.example.in"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
])
def test_server_addresses(typed, expected):
    assert normalise_server_url(typed) == expected


@pytest.mark.parametrize("typed", ["", "ftp://ihms", "https://", "https://x.in/?a=1"])
def test_not_server_addresses(typed):
    with pytest.raises(ServerUnreachable, match="is not a server address"):
        normalise_server_url(typed)
