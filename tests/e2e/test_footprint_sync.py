"""A payload dropped after the server acknowledged it is rebuilt from the ledger byte for byte,
and the event made from it hashes as the server holds it (store/footprint.py), on both server
backends; a resend of the rebuilt event is a duplicate, never a second event."""

from __future__ import annotations

import datetime as dt

import pytest
from e2e_desk import FACILITY_CODE, assert_converged

from ihms_desk.store.footprint import DROPPED
from ihms_desk.store.sync_state import WireEvent
from ihms_desk.sync import protocol
from ihms_desk.sync.client import SyncClient
from ihms_desk.sync.device import require_enrolment
from ihms_desk.sync.worker import envelope


@pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)
def test_a_dropped_payload_rebuilds_to_the_event_the_server_holds(make_desk, server) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk()
    desk.receive()
    desk.dispense(5)
    desk.enrol(server.url, server.enrolment_code())
    desk.sync_until_done()
    store = desk.store
    rows = store.conn.execute(
        "SELECT sequence, event_id, epoch, type, hlc, created_at, payload FROM outbox ORDER BY sequence").fetchall()
    assert [row["payload"] != DROPPED for row in rows] == [True] * 6

    later = store.now() + dt.timedelta(days=30)
    assert store.drop_rebuildable_payloads(now=later).dropped == 6
    url, device_id, token = require_enrolment(store)
    with server.store._read() as cur:  # noqa: SLF001 - what the server's database really holds
        held = server.store._stored_hashes(cur, [row["event_id"] for row in rows])  # noqa: SLF001
    events = []
    for row in rows:
        assert store.conn.execute("SELECT payload FROM outbox WHERE sequence = ?", (row["sequence"],)).fetchone()[0] == ""
        rebuilt = store.event_payload(row["sequence"])
        assert rebuilt is not None and rebuilt.encode() == row["payload"].encode(), "byte for byte"
        event = envelope(WireEvent(row["sequence"], row["event_id"], row["epoch"], row["type"], row["hlc"],
                                   row["created_at"], rebuilt), device_id, FACILITY_CODE)
        assert protocol.content_hash(event) == held[row["event_id"]]
        events.append(event)

    # Sent again as rebuilt (as a desk would after a lost answer), each is a duplicate.
    answer = SyncClient(url, token).push(device_id, events)
    assert {result["status"] for result in answer.body["results"]} == {"duplicate"}
    assert_converged(desk, server.store)
