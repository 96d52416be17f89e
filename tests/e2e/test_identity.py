"""Who is speaking and when: a PC clock that is wrong or jumps, a desk on another protocol
version (cases 11-12 of issue 5). Restored and cloned desks (case 10) have their own suite:
test_restores.py."""

from __future__ import annotations

import datetime as dt

import pytest
from e2e_desk import assert_converged, server_documents

from ihms_desk.sync import protocol as wire
from ihms_desk.sync.client import SyncClient
from ihms_desk.sync.device import require_enrolment
from ihms_desk.sync.errors import VersionMismatch
from ihms_desk.sync.worker import envelope
from tests.conftest import FakeClock


def test_11_pc_clock_five_years_off_then_jumping_back(enrolled_desk, server, proxy):
    real_now = dt.datetime.now().astimezone()
    clock = FakeClock(real_now.replace(year=real_now.year + 5))
    desk = enrolled_desk(5, clock=clock)
    desk.sync_until_done()
    state = desk.store.sync_state()
    assert state.clock_skew_flagged
    assert state.clock_skew_seconds is not None and -5.1 * 365 * 86400 < state.clock_skew_seconds < -4.9 * 365 * 86400
    # Mid-session the clock jumps back to three days before the real date.
    clock.current = real_now - dt.timedelta(days=3)
    desk.dispense(5)
    desk.sync_until_done()
    assert 2.9 * 86400 < desk.store.sync_state().clock_skew_seconds < 3.1 * 86400
    # Order is the sequence: the server lists the documents in the order they were saved,
    # although their wall times go backwards half-way.
    with server.store._read() as cur:
        cur.execute("SELECT doc_number, wall_time FROM event ORDER BY sequence")
        rows = cur.fetchall()
    assert [row[0] for row in rows] == [row["number"] for row in desk.outbox()]
    assert rows[5][1] > rows[6][1], "wall time went backwards between sequences 6 and 7"
    hlcs = [row["hlc"] for row in desk.store.conn.execute("SELECT hlc FROM outbox ORDER BY sequence")]
    assert hlcs == sorted(hlcs)
    clock.current = dt.datetime.now().astimezone()
    desk.sync_until_done()
    assert not desk.store.sync_state().clock_skew_flagged
    assert_converged(desk, server.store)


@pytest.mark.parametrize("version", [wire.PROTOCOL_VERSION - 1, wire.PROTOCOL_VERSION + 1])
def test_12_desk_speaking_another_protocol_version(enrolled_desk, server, proxy, version):
    desk = enrolled_desk(5)
    outcome = desk.worker(protocol_version=version).sync_once()
    assert isinstance(outcome.error, VersionMismatch)
    assert f"speaks sync version {version}" in outcome.error.message
    assert desk.store.sync_state().last_error == outcome.error.message
    assert desk.counts()["pending"] == 6 and not server_documents(server.store)
    # Past the desk's own check, the server refuses too, in plain words (HTTP 426).
    url, device_id, token = require_enrolment(desk.store)
    client = SyncClient(url, token, protocol_version=version)
    events = [envelope(e, device_id, desk.store.require_facility().code) for e in desk.store.pending_events(10)]
    with pytest.raises(VersionMismatch, match="Please update IHMS Desk"):
        client.push(device_id, events)
    client.close()
    assert not server_documents(server.store)
    desk.sync_until_done()  # the same desk, updated to the server's version
    assert_converged(desk, server.store)
