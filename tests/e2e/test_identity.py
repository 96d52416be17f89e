"""Who is speaking and when: a desk restored from a backup or cloned, a PC clock that is
wrong or jumps, a desk on another protocol version (cases 10-12 of issue 5)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from e2e_desk import assert_converged, server_documents

from ihms_desk.sync import protocol as wire
from ihms_desk.sync.client import SyncClient
from ihms_desk.sync.device import require_enrolment
from ihms_desk.sync.errors import VersionMismatch
from ihms_desk.sync.worker import envelope


def restore(desk, backup) -> None:
    """Put an older copy of the database back, as someone restoring a backup would."""
    desk.store.close()
    database = desk.data_dir / "ihms-desk.sqlite3"
    for suffix in ("-wal", "-shm"):
        (desk.data_dir / (database.name + suffix)).unlink(missing_ok=True)
    shutil.copy(backup, database)
    desk.reopen()


def test_10_desk_restored_from_an_old_backup_starts_a_new_epoch(make_desk, server, proxy, tmp_path):
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    desk.receive()
    desk.dispense(4)
    backup = desk.store.backup_to(tmp_path / "backup.sqlite3")
    desk.dispense(5)
    desk.sync_until_done()
    assert desk.store.device_state() == {"epoch": 1, "next_sequence": 11}
    restore(desk, backup)
    assert desk.store.device_state() == {"epoch": 1, "next_sequence": 6}
    # The first pass notices the database went back (the server acknowledged sequence 10) and
    # starts a new epoch; the five events the backup still had waiting come back as duplicates.
    outcome = desk.sync_until_done()
    assert (outcome.sent, outcome.duplicates, outcome.set_aside) == (0, 5, 0)
    assert desk.store.device_state()["epoch"] == 2
    desk.dispense(3)
    outcome = desk.sync_until_done()
    assert (outcome.sent, outcome.set_aside) == (3, 0)
    epochs = [row["epoch"] for row in desk.outbox()]
    assert epochs == [1] * 5 + [2] * 3
    # The five documents saved after the backup exist only on the server now.
    assert_converged(desk, server.store, lost_on_desk=5)


def test_10_restored_desk_used_before_it_synced_gets_a_clear_refusal(make_desk, server, proxy, tmp_path):
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    desk.receive()
    backup = desk.store.backup_to(tmp_path / "backup.sqlite3")
    desk.dispense(3)
    desk.sync_until_done()
    restore(desk, backup)
    desk.dispense(2)  # saved before any sync noticed the restore: they reuse sequences 2 and 3
    desk.sync_until_done()
    set_aside = desk.store.rejected_events()
    assert [(row["sequence"], row["reject_code"]) for row in set_aside] == [(2, "sequence_reused"), (3, "sequence_reused")]
    assert "restored from an old backup" in set_aside[0]["reject_reason"]
    assert desk.store.device_state()["epoch"] == 2
    desk.dispense(1)
    assert desk.sync_until_done().sent == 1
    assert_converged(desk, server.store, lost_on_desk=3)


def test_10_cloned_desk_is_refused_with_a_clear_reason(make_desk, server, proxy):
    original = make_desk("original")
    original.enrol(proxy.url, server.enrolment_code())
    original.receive()
    original.dispense(5)
    original.sync_until_done()
    original.copy_folder_to(original.data_dir.parent / "clone")
    clone = make_desk("clone", existing=True)
    original.dispense(3)
    clone.dispense(3)  # the same device, epoch and sequences 7-9, with other content
    original.sync_until_done()
    clone.sync_until_done()
    set_aside = clone.store.rejected_events()
    assert [row["sequence"] for row in set_aside] == [7, 8, 9]
    assert {row["reject_code"] for row in set_aside} == {"sequence_reused"}
    assert "copy of another desk" in set_aside[0]["reject_reason"]
    assert "copy of another desk" in clone.store.sync_state().last_error
    # The clone carries on under a new epoch, so what it saves from now on is not lost.
    clone.dispense(2)
    assert clone.sync_until_done().sent == 2
    assert clone.store.device_state()["epoch"] == 2
    assert_converged([original, clone], server.store)


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current


def test_11_pc_clock_five_years_off_then_jumping_back(make_desk, server, proxy):
    real_now = dt.datetime.now().astimezone()
    clock = Clock(real_now.replace(year=real_now.year + 5))
    desk = make_desk(clock=clock)
    desk.enrol(proxy.url, server.enrolment_code())
    desk.receive()
    desk.dispense(5)
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
def test_12_desk_speaking_another_protocol_version(make_desk, server, proxy, version):
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    desk.receive()
    desk.dispense(5)
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
