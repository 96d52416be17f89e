"""The full integrity check of a large file, table by table across starts (store/integrity.py):
it resumes where it was cancelled, starts again a week after a finished cycle, and finds
damage in the middle of a history table's index that the check before writing leaves alone."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest

from ihms_desk.paths import DataFolder
from ihms_desk.store import Store, database, integrity
from ihms_desk.store.model import DispenseLine, Patient

from ledger_checks import receive


@pytest.fixture
def large_ish(make_store) -> Path:  # type: ignore[no-untyped-def]
    """A database of a few MB: 800 OPD slips over many pages of each history table."""
    store: Store = make_store(user="incharge")
    receive(store, ("D0001", "PCM-1", "2029-03", 100_000), ("D0002", "AMX-1", "2029-01", 100_000))
    for n in range(800):
        store.dispense(patient=Patient(f"OPD/{n}", "Patient", 30, "F"), prescriber="Dr. Rao",
                       lines=[DispenseLine("D0001", 2), DispenseLine("D0002", 1)])
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = store.path
    store.close()
    return path


def test_a_sound_file_is_checked_whole_once_a_week(large_ish: Path) -> None:
    now = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
    outcome = integrity.run_cycle(large_ish, now=now)
    assert outcome.finished and not outcome.problems and not outcome.cancelled
    with database.read_only(large_ish) as conn:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    assert set(outcome.checked) == tables | {integrity.WHOLE_FILE}
    assert outcome.checked[-1] == integrity.WHOLE_FILE
    assert integrity.run_cycle(large_ish, now=now + dt.timedelta(days=6)).checked == [], "not due yet"
    again = integrity.run_cycle(large_ish, now=now + dt.timedelta(days=8))
    assert set(again.checked) == set(outcome.checked), "a new cycle a week later"


def test_a_cancelled_check_goes_on_where_it_stopped(large_ish: Path) -> None:
    cancelled = integrity.run_cycle(large_ish, cancelled=lambda: True)
    assert cancelled.cancelled and not cancelled.finished and not cancelled.problems
    stopped_at = integrity.read_cycle(large_ish)
    done_before = stopped_at.done if stopped_at is not None else []
    assert done_before == cancelled.checked, "only the steps that finished are written down"
    assert "movement" not in done_before, "a table of thousands of rows is not checked in 10,000 steps"
    rest = integrity.run_cycle(large_ish)
    assert rest.finished and not set(rest.checked) & set(done_before), "no step checked twice"
    assert integrity.WHOLE_FILE in rest.checked


def test_damage_in_a_history_index_is_found_and_offered_the_backup(large_ish: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from ihms_desk.backup import take_backup
    from ihms_desk.ui import startup_checks

    data_dir = large_ish.parent
    good = take_backup(data_dir).copies[0]
    with database.read_only(large_ish) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'movement_document' AND pagetype = 'leaf' ORDER BY pageno")]
    assert len(leaves) >= 3
    with open(large_ish, "r+b") as handle:  # one leaf in the middle of the index, as a failing disk does
        handle.seek((leaves[len(leaves) // 2] - 1) * page_size + 8)
        handle.write(random.Random(10).randbytes(page_size - 8))
    # As a large file: the check before writing reads only the bounded tables, so it opens.
    monkeypatch.setattr(database, "QUICK_CHECK_MAX_BYTES", 0)
    database.check_file(large_ish)
    monkeypatch.setattr(integrity, "WHOLE_CHECK_MAX_BYTES", 0)

    problem = startup_checks.check_database_at_start(DataFolder(data_dir), cancelled=lambda: False)
    assert problem is not None and problem.kind == "corrupt"
    assert problem.offered_backup is not None and problem.offered_backup.path == good
    assert "movement" in problem.message
    noted = database.damage_noted(large_ish)
    assert noted is not None and "movement" in noted
    with pytest.raises(Exception, match="damaged"):
        Store.open(data_dir)
    # Before any window (a first run's checks) the large file's check is left to the thread.
    database.clear_damage_note(large_ish)
    assert startup_checks.check_database_at_start(DataFolder(data_dir)) is None
    with pytest.raises(sqlite3.DatabaseError):
        with database.read_only(large_ish) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            if rows != [("ok",)]:
                raise sqlite3.DatabaseError(rows[0][0])


def test_an_index_that_disagrees_with_its_table_is_found_by_the_daily_job(large_ish: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """One bit of one index entry flipped: every page is still sound, so the check before
    writing and the backup's quick_check pass, but the index no longer agrees with its table.
    The daily job's steps of the full check find it and write it down."""
    from ihms_desk.backup import run_daily_backup

    with database.read_only(large_ish) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'movement_document' AND pagetype = 'leaf' ORDER BY pageno")]
    with open(large_ish, "r+b") as handle:  # the last byte of a leaf: the row id of one entry
        handle.seek(leaves[len(leaves) // 2] * page_size - 1)
        last = handle.read(1)[0]
        handle.seek(-1, 1)
        handle.write(bytes([last ^ 1]))
    with database.read_only(large_ish) as conn:
        assert database.quick_check_problems(conn, whole=True) == []
    monkeypatch.setattr(integrity, "WHOLE_CHECK_MAX_BYTES", 0)

    report = run_daily_backup(large_ish.parent)
    assert report.ok, "the backup's own check cannot see it"
    assert report.payload_pass is not None
    report.payload_pass.join(120)
    noted = database.damage_noted(large_ish)
    assert noted is not None and "missing from index movement_document" in noted
    with pytest.raises(Exception, match="damaged"):
        Store.open(large_ish.parent)
