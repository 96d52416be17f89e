"""The data folder, the connection's pragmas, and the append-only guards in the schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import platformdirs
import pytest
from ledger_checks import receive

from ihms_desk import paths
from ihms_desk.store import Store, database


def test_data_dir_explicit_beats_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IHMS_DATA_DIR", str(tmp_path / "from-env"))
    assert paths.resolve_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert paths.resolve_data_dir(str(tmp_path / "explicit")) == tmp_path / "explicit"


def test_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IHMS_DATA_DIR", str(tmp_path / "from-env"))
    assert paths.resolve_data_dir(None) == tmp_path / "from-env"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("IHMS_DATA_DIR", "~/ihms")
    assert paths.resolve_data_dir(None) == tmp_path / "home" / "ihms"


def test_data_dir_default_is_platformdirs_user_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IHMS_DATA_DIR", raising=False)
    expected = Path(platformdirs.user_data_dir("IHMS Desk", "IHMS"))
    assert paths.resolve_data_dir(None) == expected
    assert paths.resolve_data_dir("") == expected
    assert paths.demo_data_dir() == expected / "demo"


def test_one_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    with Store.open(tmp_path / "d") as store:
        assert store.path == tmp_path / "d" / "ihms-desk.sqlite3"
    assert (tmp_path / "d" / "ihms-desk.sqlite3").is_file()
    assert sqlite3.connect(tmp_path / "d" / "ihms-desk.sqlite3").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_pragmas_on_an_opened_store(store: Store) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS >= 1000


def test_pragmas_on_a_worker_connection(store: Store) -> None:
    other = store.open_another()
    try:
        assert other.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert other.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert other.user == store.user
    finally:
        other.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("INSERT INTO stock (batch_id, item_id, qty) VALUES (9999, 9999, 1)")
    store.conn.rollback()


def test_stock_check_refuses_negative_in_the_schema(store: Store) -> None:
    store.act_as("clerk")
    receive(store, ("D0001", "B1", "2027-03", 10))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        store.conn.execute("UPDATE stock SET qty = -1")
    store.conn.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE document SET reason = 'edited'",
        "DELETE FROM document",
        "UPDATE movement SET qty = 99",
        "DELETE FROM movement",
        "UPDATE document_line SET qty = 99",
        "DELETE FROM document_line",
        "UPDATE outbox SET payload = '{}'",
        "UPDATE outbox SET event_id = 'x'",
        "DELETE FROM outbox",
    ],
)
def test_ledger_rows_are_never_edited_or_deleted(store: Store, statement: str) -> None:
    store.act_as("clerk")
    receive(store, ("D0001", "B1", "2027-03", 10))
    conn = sqlite3.connect(store.path)
    try:
        before = conn.execute("SELECT (SELECT group_concat(header || reason) FROM document), "
                              "(SELECT group_concat(qty) FROM movement), (SELECT group_concat(payload) FROM outbox), "
                              "(SELECT count(*) FROM document_line)").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="never"):
            conn.execute(statement)
        conn.rollback()
        after = conn.execute("SELECT (SELECT group_concat(header || reason) FROM document), "
                             "(SELECT group_concat(qty) FROM movement), (SELECT group_concat(payload) FROM outbox), "
                             "(SELECT count(*) FROM document_line)").fetchone()
        assert before == after
    finally:
        conn.close()


def test_outbox_status_may_change(store: Store) -> None:
    """The sync worker records what the server said; only the event itself is frozen."""
    store.act_as("clerk")
    receive(store, ("D0001", "B1", "2027-03", 10))
    event = store.pending_events()[0]
    store.record_sync_results([(event.event_id, "applied", None, None)])
    assert store.outbox_counts() == {"pending": 0, "sent": 1, "rejected": 0}
    assert store.conn.execute("SELECT acknowledged_at IS NOT NULL, attempts FROM outbox").fetchone()[:] == (1, 1)


def test_backup_to_is_a_consistent_copy_while_in_use(store: Store, tmp_path: Path) -> None:
    store.act_as("clerk")
    receive(store, ("D0001", "B1", "2027-03", 10))
    reader = store.open_another()
    try:
        target = reader.backup_to(tmp_path / "copies" / "now.sqlite3")  # from another connection, WAL still open
    finally:
        reader.close()
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT number FROM document").fetchall() == [("RCV/2026-27/000001",)]
        assert copy.execute("SELECT qty FROM stock").fetchall() == [(10,)]
    finally:
        copy.close()


def test_sync_failure_counts_attempts_and_keeps_the_reason(store: Store) -> None:
    store.act_as("clerk")
    receive(store, ("D0001", "B1", "2027-03", 10))
    receive(store, ("D0001", "B1", "2027-03", 10))
    events = store.pending_events()
    assert [e.sequence for e in store.pending_events(after_sequence=1)] == [2]
    assert [e.sequence for e in store.pending_events(limit=1)] == [1]
    store.record_sync_failure([e.event_id for e in events], "connection refused " * 100)
    rows = store.conn.execute("SELECT attempts, last_error, status FROM outbox ORDER BY sequence").fetchall()
    assert [(r[0], len(r[1]), r[2]) for r in rows] == [(1, 500, "pending"), (1, 500, "pending")]
    assert store.pending_events()[0].attempts == 1


def test_hybrid_logical_clock_never_goes_back(store: Store) -> None:
    from ihms_desk.store.outbox import claim_event_place

    first = store.device_state()["next_sequence"]
    store.conn.execute("BEGIN IMMEDIATE")
    try:
        places = [claim_event_place(store.conn, wall) for wall in (5_000, 5_000, 4_000, 6_000, 1_000)]
    finally:
        store.conn.rollback()  # numbers taken without events would leave a gap in the outbox
    stamps = [place.hlc for place in places]
    assert stamps == ["0000000000005000-00000", "0000000000005000-00001", "0000000000005000-00002",
                      "0000000000006000-00000", "0000000000006000-00001"]
    assert stamps == sorted(stamps)
    # Each claim takes the next sequence number, under the desk's epoch and its number series.
    assert [place.sequence for place in places] == list(range(first, first + 5))
    assert {(place.epoch, place.series) for place in places} == {(1, "")}
