"""Backups and restore (ihms_desk/backup.py): checked copies, rotation, the second folder, the
daily rule, backups under continuous writes, and a restore that refuses what it should."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ihms_desk import cli
from ihms_desk.backup import (
    SyncRunning,
    BackupUnusable,
    WrongFacility,
    backup_dir,
    backup_summary,
    inspect_backup,
    list_backups,
    plain_backup,
    restore_backup,
    run_daily_backup,
    take_backup,
)
from ihms_desk.instance_lock import AlreadyRunning, InstanceLock
from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine

FACILITY = "RJ-TST-CHC-001"  # the code of tests/conftest.py's template CHC


def count(path: Path, sql: str) -> int:
    with plain_backup(path) as plain:  # a compressed backup is read decompressed
        conn = sqlite3.connect(plain)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()


def documents(path: Path) -> int:
    return count(path, "SELECT count(*) FROM document")


def receive(store: Store, voucher: str, qty: int = 1000) -> None:
    store.receive(source="ddw", voucher_no=voucher, voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "PCM-1", "2028-12", qty), ReceiptLine("D0003", "ORS-1", "2028-06", qty)])


def dispense(store: Store, opd_no: str) -> None:
    store.dispense(patient=Patient(opd_no=opd_no, name="Sita Devi", age=34, sex="F"), prescriber="Dr. Meena",
                   lines=[DispenseLine("D0001", 10), DispenseLine("D0003", 2)])


def doctor_exit(data_dir: Path) -> int:
    return cli.main(["--data-dir", str(data_dir), "doctor"])


def run_cli(data_dir: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(data_dir), *args])


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backed_up_then_one_more_receipt(clerk: Store, now: dt.datetime | None = None) -> tuple[Path, Path]:
    """The data folder and a backup of its two receipts, taken before a third receipt; the
    program is then closed."""
    data_dir = clerk.path.parent
    copy = take_backup(data_dir, now=now).copies[0]
    receive(clerk, "DDW/3")
    clerk.close()
    return data_dir, copy


@contextlib.contextmanager
def held_by_another_process(script: str, path: Path, ready: str) -> Iterator[None]:
    """While the block runs, a child process runs ``script`` on ``path``: it takes a lock,
    prints ``ready`` and holds the lock until told to end (when the block ends)."""
    holder = subprocess.Popen([sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == ready
        yield
    finally:
        holder.communicate("", timeout=10)


@pytest.fixture
def clerk(make_store) -> Store:
    store = make_store(user="clerk")
    receive(store, "DDW/1")
    receive(store, "DDW/2")
    return store


# -- taking backups ---------------------------------------------------------------------------


def test_backup_is_one_checked_file_holding_every_document(clerk: Store) -> None:
    data_dir = clerk.path.parent
    report = take_backup(data_dir, now=dt.datetime(2026, 11, 20, 13, 5, 0))
    assert report.ok and len(report.copies) == 1
    copy = report.copies[0]
    assert copy == backup_dir(data_dir) / f"ihms-desk-{FACILITY}-20261120-130500.sqlite3.zst"
    assert copy.read_bytes()[:4] == b"\x50\x2a\x4d\x18", "a zstd skippable frame: the summary"
    assert backup_summary(copy) == {"facility_code": FACILITY, "facility_name": "CHC Test", "documents": 2,
                                    "last_document_at": clerk.conn.execute("SELECT max(created_at) FROM document")
                                    .fetchone()[0], "epoch": 1}
    assert documents(copy) == 2
    assert count(copy, "SELECT sum(qty) FROM stock") == 4000
    # One self-contained file: rollback journal mode, no WAL or half-written copy beside it.
    with plain_backup(copy) as plain:
        assert plain.read_bytes()[18:20] == b"\x01\x01", "file format bytes 18-19 say WAL; the copy needs its -wal"
    assert sorted(p.name for p in backup_dir(data_dir).iterdir()) == [copy.name]
    info = inspect_backup(copy)
    assert (info.facility_code, info.documents, info.epoch) == (FACILITY, 2, 1)


def test_backups_are_kept_by_the_policy_and_other_files_are_left_alone(clerk: Store) -> None:
    """Daily for a week, weekly for nine weeks, monthly for a year; old plain backups too."""
    data_dir = clerk.path.parent
    folder = backup_dir(data_dir)
    folder.mkdir()
    (folder / "notes.txt").write_text("the in-charge's own file")
    (folder / "before-m002-20261101-100000.sqlite3").write_bytes(b"kept by migrations")
    # A year and a half of daily backups, the early ones plain (taken by an older version):
    # each is a real backup file, copied (taking 540 would be slow and prove nothing more).
    template = take_backup(data_dir, now=dt.datetime(2025, 1, 1, 9, 0)).copies[0]
    with plain_backup(template) as plain:
        plain_bytes = plain.read_bytes()
    start = dt.datetime(2025, 6, 2, 9, 0)  # a Monday
    for day in range(540):
        when = start + dt.timedelta(days=day)
        name = f"ihms-desk-{FACILITY}-{when:%Y%m%d-%H%M%S}.sqlite3"
        if day < 300:
            (folder / name).write_bytes(plain_bytes)
        else:
            (folder / (name + ".zst")).write_bytes(template.read_bytes())
    now = start + dt.timedelta(days=540)  # 2026-11-24, a Tuesday
    take_backup(data_dir, now=now)
    kept = [path.name for path in list_backups(folder)]
    days = sorted({name.split("-")[-2] for name in kept}, reverse=True)
    last_7_days = ["20261124", "20261123", "20261122", "20261121", "20261120", "20261119", "20261118"]
    # Weeks run Monday to Sunday: this week's newest is today's, the eight before end on Sundays.
    weeks = ["20261122", "20261115", "20261108", "20261101", "20261025", "20261018", "20261011", "20261004"]
    # This month's newest is today's; the eleven before end on their last day.
    months = ["20261031", "20260930", "20260831", "20260731", "20260630", "20260531", "20260430", "20260331",
              "20260228", "20260131", "20251231"]
    assert days == sorted(set(last_7_days + weeks + months), reverse=True)
    assert len(kept) == len(days) == 7 + 7 + 11
    assert kept[-1].endswith(".sqlite3") and kept[0].endswith(".sqlite3.zst")
    assert (folder / "notes.txt").exists() and (folder / "before-m002-20261101-100000.sqlite3").exists()


def test_an_old_plain_backup_still_restores(clerk: Store, tmp_path: Path) -> None:
    data_dir = clerk.path.parent
    copy = take_backup(data_dir, now=dt.datetime(2026, 11, 20, 9, 0)).copies[0]
    old = tmp_path / copy.name.removesuffix(".zst")
    with plain_backup(copy) as plain:
        old.write_bytes(plain.read_bytes())
    receive(clerk, "DDW/3")
    clerk.close()
    assert documents(data_dir / "ihms-desk.sqlite3") == 3
    assert run_cli(data_dir, "restore", str(old)) == 0
    assert documents(data_dir / "ihms-desk.sqlite3") == 2
    assert doctor_exit(data_dir) == 0


def test_a_garbled_compressed_copy_is_refused(clerk: Store, tmp_path: Path) -> None:
    data_dir = clerk.path.parent
    copy = take_backup(data_dir).copies[0]
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / copy.name
    bad.write_bytes(bytes(data))
    clerk.close()
    before = file_digest(data_dir / "ihms-desk.sqlite3")
    with pytest.raises(BackupUnusable):
        restore_backup(data_dir, bad)
    assert file_digest(data_dir / "ihms-desk.sqlite3") == before


def test_second_folder_gets_a_copy_and_a_missing_stick_does_not_undo_the_first(make_store, tmp_path: Path) -> None:
    store = make_store(user="incharge")
    data_dir = store.path.parent
    stick = tmp_path / "usb"
    stick.mkdir()
    store.set_setting("backup_folder", str(stick))
    report = take_backup(data_dir, now=dt.datetime(2026, 11, 20, 18, 0))
    assert report.ok
    assert [p.parent for p in report.copies] == [backup_dir(data_dir), stick]
    assert file_digest(report.copies[0]) == file_digest(report.copies[1])

    # The stick is pulled out: the setting now names a folder that cannot be made.
    unplugged = tmp_path / "not-a-folder"
    unplugged.write_text("a file where the stick's folder was")
    store.set_setting("backup_folder", str(unplugged / "ihms"))
    report = take_backup(data_dir, now=dt.datetime(2026, 11, 21, 18, 0))
    assert not report.ok
    assert len(report.copies) == 1 and report.copies[0].exists()
    assert "cannot be used" in report.problems[0] or "cannot be written" in report.problems[0]


def test_daily_backup_runs_once_a_day(clerk: Store) -> None:
    data_dir = clerk.path.parent
    morning = dt.datetime(2026, 11, 20, 9, 30)
    assert len(run_daily_backup(data_dir, now=morning).copies) == 1
    assert run_daily_backup(data_dir, now=morning + dt.timedelta(hours=6)).skipped
    receive(clerk, "DDW/3")
    next_day = run_daily_backup(data_dir, now=morning + dt.timedelta(days=1))
    assert len(next_day.copies) == 1 and documents(next_day.copies[0]) == 3
    assert len(list_backups(backup_dir(data_dir))) == 2


def test_a_damaged_database_is_not_kept_as_a_backup(clerk: Store) -> None:
    data_dir = clerk.path.parent
    good = take_backup(data_dir, now=dt.datetime(2026, 11, 20, 9, 0)).copies[0]
    # Break the ledger behind the store's back: a document number counter behind its documents
    # (the backup's own check runs the ledger's quick checks; balances against the ledger, a
    # minute on a five-year file, are the background check's and doctor's).
    clerk.conn.execute("UPDATE doc_counter SET last_serial = last_serial - 1")
    clerk.conn.commit()
    with pytest.raises(BackupUnusable, match="did not pass its check"):
        take_backup(data_dir, now=dt.datetime(2026, 11, 21, 9, 0))
    assert list_backups(backup_dir(data_dir)) == [good]
    assert not list(backup_dir(data_dir).glob("*.partial"))


# -- backup under load, then restore ----------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ihms_desk.store import Store
    from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
    data_dir, stop = Path(sys.argv[1]), Path(sys.argv[2])
    store = Store.open(data_dir)
    store.act_as("incharge")
    n = 0
    print("READY", flush=True)
    while not stop.exists():
        n += 1
        if n % 5 == 0:
            store.receive(source="ddw", voucher_no=f"W/{n}", voucher_date=store.today(),
                          lines=[ReceiptLine("D0001", "PCM-W", "2029-01", 200)])
        else:
            store.dispense(patient=Patient(opd_no=f"W/{n}", name="Writer", age=40, sex="M"),
                           prescriber="Dr. Load", lines=[DispenseLine("D0001", 5), DispenseLine("D0003", 1)])
    print(n, flush=True)
    """
)


def test_backups_taken_during_continuous_writes_restore_to_sound_databases(clerk: Store, tmp_path: Path) -> None:
    data_dir = clerk.path.parent
    clerk.close()
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "READY"
        copies = []
        for second in range(4):
            time.sleep(0.3)
            before = documents(data_dir / "ihms-desk.sqlite3")
            copy = take_backup(data_dir, now=dt.datetime(2026, 11, 20, 12, 0, second)).copies[0]
            after = documents(data_dir / "ihms-desk.sqlite3")
            assert before <= documents(copy) <= after
            copies.append(copy)
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=30)
    assert writer.returncode == 0
    assert int(out.split()[-1]) > 20, "the writer should have saved many documents meanwhile"
    assert documents(copies[-1]) > documents(copies[0]) > 2, "backups must have been taken while documents were saved"

    # Each backup restores into a fresh folder of the same facility and passes doctor.
    for index, copy in enumerate(copies):
        target = tmp_path / f"restored-{index}"
        report = restore_backup(target, copy, facility_code=FACILITY)
        assert doctor_exit(target) == 0
        assert documents(target / "ihms-desk.sqlite3") == documents(copy) == report.documents

    # And the live folder itself goes back to the first backup, keeping what it replaced.
    live = data_dir / "ihms-desk.sqlite3"
    newest_count = documents(live)
    report = restore_backup(data_dir, copies[0])
    assert doctor_exit(data_dir) == 0
    assert documents(live) == documents(copies[0]) < newest_count
    assert report.replaced_copy is not None and documents(report.replaced_copy) == newest_count


def test_restore_starts_a_new_sync_epoch_and_new_events_carry_it(clerk: Store) -> None:
    data_dir, copy = backed_up_then_one_more_receipt(clerk, now=dt.datetime(2026, 11, 20, 9, 0))
    assert restore_backup(data_dir, copy).epoch == 2
    with Store.open(data_dir) as store:
        assert store.device_state()["epoch"] == 2
        assert store.doctor() == []
        store.act_as("clerk")
        receive(store, "DDW/after-restore")
        epochs = [row[0] for row in store.conn.execute("SELECT epoch FROM outbox ORDER BY sequence")]
    assert epochs == [1, 1, 2]
    # Restoring the same (epoch 1) backup again must not fall back to epoch 2: it moves past it.
    assert restore_backup(data_dir, copy).epoch == 3


def test_restore_refuses_another_facilitys_backup_and_changes_nothing(clerk: Store, tmp_path: Path) -> None:
    other_dir = tmp_path / "other"
    with Store.open(other_dir) as other:
        other.set_up(code="RJ-AJM-CHC-002", name="CHC Other", district="Ajmer", block="Kishangarh", type="CHC",
                     admin_username="admin", admin_full_name="Other Admin", admin_password="other-pass")
    foreign = take_backup(other_dir).copies[0]
    data_dir = clerk.path.parent
    live = data_dir / "ihms-desk.sqlite3"
    clerk.close()
    before = file_digest(live)
    with pytest.raises(WrongFacility, match="RJ-AJM-CHC-002"):
        restore_backup(data_dir, foreign)
    assert file_digest(live) == before and documents(live) == 2
    assert not list(data_dir.glob("*.restoring"))


@pytest.mark.parametrize("damage", ["garbage", "torn page"])
def test_restore_refuses_a_damaged_file_and_changes_nothing(clerk: Store, tmp_path: Path, damage: str) -> None:
    data_dir = clerk.path.parent
    copy = take_backup(data_dir).copies[0]
    bad = tmp_path / f"ihms-desk-{FACILITY}-20261120-100000.sqlite3"
    if damage == "garbage":
        bad.write_bytes(b"this is a photo, not a database" * 100)
    else:
        with plain_backup(copy) as plain:
            data = bytearray(plain.read_bytes())
        page = 4096
        data[3 * page: 5 * page] = b"\xff" * (2 * page)  # two pages overwritten, as a failing disk does
        bad.write_bytes(bytes(data))
    live = data_dir / "ihms-desk.sqlite3"
    clerk.close()
    before = file_digest(live)
    with pytest.raises(BackupUnusable):
        restore_backup(data_dir, bad)
    assert file_digest(live) == before


RUNNING_COPY = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ihms_desk.instance_lock import InstanceLock
    lock = InstanceLock(Path(sys.argv[1])).acquire()
    print("HOLDING", flush=True)
    sys.stdin.read()
    """
)


def test_restore_is_refused_while_the_program_is_open(clerk: Store) -> None:
    data_dir, copy = backed_up_then_one_more_receipt(clerk)
    with held_by_another_process(RUNNING_COPY, data_dir, "HOLDING"):
        with pytest.raises(AlreadyRunning, match="already open"):
            restore_backup(data_dir, copy)
        result = subprocess.run([sys.executable, "-m", "ihms_desk", "--data-dir", str(data_dir), "restore", str(copy)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == cli.EXIT_ENVIRONMENT
        assert "already open on this data folder" in result.stderr
        assert documents(data_dir / "ihms-desk.sqlite3") == 3
    # The holder has exited: its lock went with it, and the restore goes ahead.
    restore_backup(data_dir, copy)
    assert documents(data_dir / "ihms-desk.sqlite3") == 2


def test_backup_and_restore_from_the_command_line(clerk: Store, tmp_path: Path) -> None:
    data_dir = clerk.path.parent
    clerk.close()
    stick = tmp_path / "stick"
    run = lambda *args: subprocess.run([sys.executable, "-m", "ihms_desk", "--data-dir", str(data_dir), *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=60)
    made = run("backup", "--to", str(stick))
    assert made.returncode == 0, made.stderr
    copy = list_backups(stick)[0]
    assert f"Backup written: {copy}" in made.stdout and documents(copy) == 2
    with Store.open(data_dir) as store:
        store.act_as("clerk")
        receive(store, "DDW/3")
    restored = run("restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    assert "Sync continues with epoch 2" in restored.stdout
    assert documents(data_dir / "ihms-desk.sqlite3") == 2
    assert run("doctor").returncode == 0
    refused = run("restore", str(tmp_path / "nothing.sqlite3"))
    assert refused.returncode == cli.EXIT_REFUSED and "There is no file" in refused.stderr


def test_restore_into_a_folder_whose_database_cannot_be_read_uses_its_own_backups(clerk: Store) -> None:
    data_dir = clerk.path.parent
    copy = take_backup(data_dir).copies[0]
    clerk.close()
    live = data_dir / "ihms-desk.sqlite3"
    live.write_bytes(b"\0" * 8192)  # wiped by a failing disk: no facility can be read from it
    (data_dir / "ihms-desk.sqlite3-wal").unlink(missing_ok=True)
    report = restore_backup(data_dir, copy)  # the facility comes from the folder's own backups
    assert report.replaced_copy is not None and report.replaced_copy.read_bytes() == b"\0" * 8192
    assert doctor_exit(data_dir) == 0 and documents(live) == 2


def test_instance_lock_refuses_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    with InstanceLock(tmp_path):
        with pytest.raises(AlreadyRunning):
            InstanceLock(tmp_path).acquire()
    with InstanceLock(tmp_path) as again:
        assert again.held


CRASHING_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from ihms_desk.store import Store
    from ihms_desk.store.model import ReceiptLine
    store = Store.open(Path(sys.argv[1]))
    store.act_as("clerk")
    for n in range(20):
        store.receive(source="ddw", voucher_no=f"CRASH/{n}", voucher_date=store.today(),
                      lines=[ReceiptLine("D0001", "PCM-C", "2029-01", 10)])
    os.kill(os.getpid(), signal.SIGKILL)  # dies with its committed pages still in the WAL
    """
)


def test_restore_after_a_crash_does_not_replay_the_old_wal_onto_the_backup(clerk: Store) -> None:
    data_dir = clerk.path.parent
    copy = take_backup(data_dir).copies[0]
    clerk.close()
    crashed = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(data_dir)], timeout=60)
    assert crashed.returncode == -9
    wal = data_dir / "ihms-desk.sqlite3-wal"
    assert wal.exists() and wal.stat().st_size > 0, "the crash should leave committed pages in the WAL"
    report = restore_backup(data_dir, copy)
    assert doctor_exit(data_dir) == 0
    assert documents(data_dir / "ihms-desk.sqlite3") == 2
    # What the crashed program had saved is not lost: it is in the copy kept of the replaced database.
    assert report.replaced_copy is not None and documents(report.replaced_copy) == 22


SYNC_PASS = textwrap.dedent(
    """
    import sys
    from filelock import FileLock
    lock = FileLock(sys.argv[1])
    lock.acquire()
    print("SYNCING", flush=True)
    sys.stdin.read()
    """
)


def test_restore_waits_for_a_running_sync_pass_and_gives_up_plainly(clerk: Store) -> None:
    data_dir, copy = backed_up_then_one_more_receipt(clerk)
    with held_by_another_process(SYNC_PASS, data_dir / "sync.lock", "SYNCING"):
        with pytest.raises(SyncRunning, match="sync with the state server is running"):
            restore_backup(data_dir, copy, sync_wait=0.5)
        assert documents(data_dir / "ihms-desk.sqlite3") == 3
    assert restore_backup(data_dir, copy, sync_wait=0.5).documents == 2
    # Neither lock is left held: the program can open the folder.
    with InstanceLock(data_dir) as lock:
        assert lock.held


# -- the footprint: acknowledged payloads dropped, the file rewritten smaller ------------------


def _acknowledged_long_ago(store: Store) -> None:
    """Every event acknowledged by the server a month ago (as the sync loop records it)."""
    events = [row[0] for row in store.conn.execute("SELECT event_id FROM outbox")]
    store.record_sync_results([(event_id, "applied", None, None) for event_id in events])
    store.conn.execute("UPDATE outbox SET acknowledged_at = '2026-10-01T00:00:00.000+00:00'")
    store.conn.commit()


def test_compact_drops_acknowledged_payloads_and_rewrites_the_file_smaller(make_store, capsys) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="incharge")
    receive(store, "DDW/1", qty=100_000)
    for n in range(400):
        dispense(store, f"OPD/{n}")
    _acknowledged_long_ago(store)
    data_dir = store.path.parent
    numbers = [row[0] for row in store.conn.execute("SELECT number FROM document ORDER BY id")]
    before = {number: store.document(number) for number in numbers}
    store.close()

    size = (data_dir / "ihms-desk.sqlite3").stat().st_size
    with InstanceLock(data_dir):
        assert run_cli(data_dir, "compact") != 0
    assert "already open" in capsys.readouterr().err
    assert (data_dir / "ihms-desk.sqlite3").stat().st_size == size, "refused: nothing changed"
    assert run_cli(data_dir, "compact") == 0
    assert (data_dir / "ihms-desk.sqlite3").stat().st_size < size * 0.8
    with Store.open(data_dir) as after:
        assert after.conn.execute("SELECT count(*) FROM outbox WHERE payload <> ''").fetchone()[0] == 0
        assert {number: after.document(number) for number in numbers} == before
        assert after.space().incremental
    assert doctor_exit(data_dir) == 0
    # A backup of the compacted file restores whole.
    copy = take_backup(data_dir).copies[0]
    target = data_dir.parent / "restored"
    restore_backup(target, copy, facility_code=FACILITY)
    with Store.open(target) as restored:
        restored.act_as("incharge")
        assert {number: restored.document(number) for number in numbers} == before


def test_the_daily_backup_then_drops_acknowledged_payloads(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="incharge")
    receive(store, "DDW/1")
    dispense(store, "OPD/1")
    _acknowledged_long_ago(store)
    dispense(store, "OPD/2")  # waiting to be sent: kept whole
    report = run_daily_backup(store.path.parent)
    assert report.ok and report.payload_pass is not None
    report.payload_pass.join(60)
    payloads = [row[0] for row in store.conn.execute("SELECT payload FROM outbox ORDER BY sequence")]
    assert payloads[:2] == ["", ""] and payloads[2] != ""
    # The backup taken before the pass holds every payload whole.
    with plain_backup(report.copies[0]) as plain:
        assert count(plain, "SELECT count(*) FROM outbox WHERE payload = ''") == 0
