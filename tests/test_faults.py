"""The machine misbehaves: a full disk, a read-only data folder, a database locked by another
program, a second copy, a damaged database at start. Each gives its plain message, and
nothing committed before is lost.

The disk and the folder are made full and read-only for real, with a small tmpfs and a
read-only bind mount (the tests run as root, and root ignores permission bits, so chmod would
prove nothing). Where mount is not permitted, SQLite's own limits stand in (max_page_count
for a full disk, ``query_only`` for a read-only file) and the test says so in its output.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ihms_desk import cli
from ihms_desk.paths import DataFolder
from ihms_desk.backup import BackupFolderProblem, plain_backup, take_backup
from ihms_desk.instance_lock import InstanceLock
from ihms_desk.store import Store
from ihms_desk.store.errors import DatabaseLocked, DatabaseReadOnly, DiskFull, EnvironmentProblem
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from ihms_desk.ui import startup_checks
from ihms_desk.ui.startup_checks import QUIT, RESTORE, StartupProblem


def documents(path: Path) -> list[str]:
    with plain_backup(path) as plain:  # a backup is compressed
        conn = sqlite3.connect(plain)
        try:
            return [row[0] for row in conn.execute("SELECT number FROM document ORDER BY id")]
        finally:
            conn.close()


def dispense(store: Store, opd_no: str) -> str:
    return store.dispense(patient=Patient(opd_no=opd_no, name="Geeta Meena", age=52, sex="F"), prescriber="Dr. Jain",
                          lines=[DispenseLine("D0001", 10), DispenseLine("D0003", 1)]).number


def stocked_chc(make_store, target: Path) -> Path:
    """A set-up CHC with stock, copied into ``target`` (which may be a mount point)."""
    store = make_store(user="clerk")
    store.receive(source="ddw", voucher_no="DDW/F/1", voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "PCM-F", "2029-03", 100_000), ReceiptLine("D0003", "ORS-F", "2029-03", 10_000)])
    target.mkdir(parents=True, exist_ok=True)
    store.backup_to(target / "ihms-desk.sqlite3")
    store.close()
    return target


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[bool]:
    """A tmpfs of ``size`` on ``folder``; yields False (nothing mounted) if mount is refused."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=True)


@contextmanager
def bind_mount(folder: Path) -> Iterator[bool]:
    """``folder`` bound onto itself, so that it can be flipped read-only and back."""
    mounted = _mount("--bind", str(folder), str(folder))
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def set_read_only(folder: Path, read_only: bool) -> None:
    assert _mount("-o", f"remount,bind,{'ro' if read_only else 'rw'}", str(folder))


# -- disk full --------------------------------------------------------------------------------


def test_disk_full_refuses_the_save_with_its_message_and_loses_nothing(make_store, tmp_path: Path) -> None:
    mount_point = tmp_path / "small-disk"
    with small_disk(mount_point) as mounted:
        data_dir = stocked_chc(make_store, mount_point / "data")
        filler = mount_point / "filler.bin"
        store = Store.open(data_dir)
        store.act_as("pharma")
        if mounted:
            free = os.statvfs(mount_point).f_bavail * os.statvfs(mount_point).f_frsize
            filler.write_bytes(b"\0" * max(0, free - 400 * 1024))  # leave 400 KB: a few saves fit
        else:
            print("mount not permitted: the disk is made full with PRAGMA max_page_count instead")
            pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
            store.conn.execute(f"PRAGMA max_page_count = {pages + 20}")
        saved: list[str] = []
        with pytest.raises(DiskFull) as refusal:
            for n in range(20_000):
                saved.append(dispense(store, f"FULL/{n}"))
        assert "disk is full" in refusal.value.message and "nothing was saved" in refusal.value.message
        assert len(saved) > 3, "some saves should fit before the disk fills"
        assert not store.conn.in_transaction
        # Every save reported as done is in the file; the refused one is not.
        assert documents(data_dir / "ihms-desk.sqlite3")[-len(saved):] == saved
        assert len(documents(data_dir / "ihms-desk.sqlite3")) == len(saved) + 1

        if mounted:
            # A backup onto the full disk fails with its message and leaves no half copy.
            with pytest.raises((DiskFull, BackupFolderProblem)) as failed:
                take_backup(data_dir, to=mount_point / "backups")
            assert "space" in failed.value.message or "full" in failed.value.message
            assert not (mount_point / "backups").exists() or not list((mount_point / "backups").iterdir())
        else:
            print("mount not permitted: the backup onto a full disk is not exercised (max_page_count cannot reach it)")

        # Space is freed: the counter saves again, and the database is sound.
        if mounted:
            filler.unlink()
        else:
            store.conn.execute("PRAGMA max_page_count = 1073741823")
        saved.append(dispense(store, "FULL/after"))
        assert store.doctor() == []
        store.close()
        assert cli.main(["--data-dir", str(data_dir), "doctor"]) == 0
        assert documents(data_dir / "ihms-desk.sqlite3")[-len(saved):] == saved


# -- read-only data folder --------------------------------------------------------------------


def test_read_only_folder_refuses_saves_with_its_message_and_keeps_what_was_saved(make_store, tmp_path: Path) -> None:
    data_dir = stocked_chc(make_store, tmp_path / "data")
    database = data_dir / "ihms-desk.sqlite3"
    with Store.open(data_dir) as store:
        store.act_as("incharge")
        saved = [dispense(store, f"RO/{n}") for n in range(5)]
    # A reader from before (the nightly sync, say) keeps the WAL index in place, so the file can
    # still be opened and read once the folder has turned read-only. It is opened before the bind
    # mount: files open for writing through a mount stop it from turning read-only.
    keeper = sqlite3.connect(database)
    keeper.execute("SELECT count(*) FROM document").fetchone()
    with bind_mount(data_dir) as mounted:
        if mounted:
            set_read_only(data_dir, True)
            # Starting the program on the read-only folder: told before its window opens.
            lock, problem = startup_checks.claim_data_folder(DataFolder(data_dir))
            assert lock is None and problem is not None and problem.kind == "read_only"
            assert "read-only" in problem.message and str(data_dir) in problem.message
        else:
            print("mount not permitted: the file is made read-only with PRAGMA query_only instead")
        store = Store.open(data_dir)
        try:
            if not mounted:
                store.conn.execute("PRAGMA query_only = ON")
            # Reading still works: the pharmacist can see the day's documents.
            assert len(store.recent_dispenses(limit=50)) == 5
            with pytest.raises(DatabaseReadOnly) as refusal:
                store.act_as("incharge")  # writes the audit trail
            assert "read-only" in refusal.value.message and "nothing was saved" in refusal.value.message
            assert not store.conn.in_transaction
            assert documents(database)[-5:] == saved
        finally:
            store.close()
            keeper.close()
        if mounted:
            # Opened afresh with nothing else open, it is refused the same way (at open or at save).
            with pytest.raises(DatabaseReadOnly):
                with Store.open(data_dir) as again:
                    again.act_as("incharge")
            set_read_only(data_dir, False)
    with Store.open(data_dir) as store:
        store.act_as("incharge")
        saved.append(dispense(store, "RO/after"))
        assert store.doctor() == []
    assert documents(database)[-6:] == saved


# -- locked database, second copy -------------------------------------------------------------

LOCKER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")   # another program holds the write lock and sits on it
    conn.execute("INSERT INTO setting (key, value) VALUES ('locker', 'uncommitted')")
    print("LOCKED", flush=True)
    sys.stdin.read()
    conn.execute("ROLLBACK")
    """
)


def test_database_locked_by_another_program_gives_its_message_and_loses_nothing(make_store, tmp_path: Path) -> None:
    data_dir = stocked_chc(make_store, tmp_path / "data")
    store = Store.open(data_dir)
    store.act_as("incharge")
    saved = [dispense(store, "LOCK/1")]
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(data_dir / "ihms-desk.sqlite3")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "LOCKED"
        with pytest.raises(DatabaseLocked) as refusal:
            dispense(store, "LOCK/2")
        assert "busy in another program" in refusal.value.message and "nothing was saved" in refusal.value.message
        assert not store.conn.in_transaction
        assert store.recent_dispenses(limit=10)[0].number == saved[0]  # reading is never blocked (WAL)
    finally:
        locker.communicate("", timeout=10)
    saved.append(dispense(store, "LOCK/3"))
    assert store.doctor() == []
    store.close()
    assert documents(data_dir / "ihms-desk.sqlite3")[-2:] == saved
    assert "LOCK/2" not in str(documents(data_dir / "ihms-desk.sqlite3"))


SECOND_COPY = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ihms_desk.instance_lock import InstanceLock
    lock = InstanceLock(Path(sys.argv[1])).acquire()  # kept: a dropped lock is released
    print("OPEN", flush=True)
    sys.stdin.read()
    """
)


def test_a_second_copy_on_the_same_folder_is_refused_politely(make_store, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = stocked_chc(make_store, tmp_path / "data")
    first = subprocess.Popen([sys.executable, "-c", SECOND_COPY, str(data_dir)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "OPEN"
        shown: list[StartupProblem] = []
        monkeypatch.setattr(startup_checks, "ask_choice", lambda problem, parent: shown.append(problem) or QUIT)
        assert startup_checks.run_startup_checks(DataFolder(data_dir)) is None
        assert [problem.kind for problem in shown] == ["second_copy"]
        assert "already open on this data folder" in shown[0].message
        assert "computer" in shown[0].message  # says where the other copy runs
    finally:
        first.communicate("", timeout=10)
    # The first copy has gone (and a killed one would release it the same way): now it opens.
    lock = startup_checks.run_startup_checks(DataFolder(data_dir))
    assert lock is not None and lock.held
    lock.release()


def test_the_instance_lock_dies_with_a_killed_process(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", SECOND_COPY, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "OPEN"
    holder.kill()  # a power cut, as far as the lock is concerned
    holder.wait(timeout=10)
    with InstanceLock(tmp_path) as lock:
        assert lock.held


# -- damaged database at start ----------------------------------------------------------------


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk or a cut write does."""
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) >= 8 * page
    data[4 * page: 7 * page] = bytes(range(256)) * (3 * page // 256)
    path.write_bytes(bytes(data))


def test_damaged_database_at_start_offers_the_latest_good_backup_and_restores_it(make_store, tmp_path: Path,
                                                                                answers: list[StartupProblem]) -> None:
    data_dir = stocked_chc(make_store, tmp_path / "data")
    with Store.open(data_dir) as store:
        store.act_as("incharge")
        for n in range(300):  # enough rows for the file to span many pages
            dispense(store, f"OLD/{n}")
    older = take_backup(data_dir, now=dt.datetime(2026, 11, 19, 20, 0)).copies[0]
    in_older = documents(older)
    with Store.open(data_dir) as store:
        store.act_as("incharge")
        dispense(store, "NEXT-DAY/1")
    newest = take_backup(data_dir, now=dt.datetime(2026, 11, 20, 20, 0)).copies[0]
    assert len(documents(newest)) == len(in_older) + 1
    # A damaged newest backup must be skipped in favour of the older good one.
    damage(newest)
    damage(data_dir / "ihms-desk.sqlite3")

    lock = startup_checks.run_startup_checks(DataFolder(data_dir))
    try:
        assert [problem.kind for problem in answers] == ["corrupt"]
        offered = answers[0].offered_backup
        assert offered is not None and offered.path == older
        assert "damaged" in answers[0].message and "19-11-2026 20:00" in answers[0].message
        assert lock is not None and lock.held
    finally:
        if lock is not None:
            lock.release()
    assert cli.main(["--data-dir", str(data_dir), "doctor"]) == 0
    assert documents(data_dir / "ihms-desk.sqlite3") == in_older
    with Store.open(data_dir) as store:
        assert store.device_state()["epoch"] == 2
    assert list((data_dir / "backups").glob("replaced-*.sqlite3")), "the damaged file is kept, not deleted"


def test_damaged_database_without_a_backup_says_call_support_and_quits(make_store, tmp_path: Path,
                                                                       answers: list[StartupProblem]) -> None:
    data_dir = stocked_chc(make_store, tmp_path / "data")
    with Store.open(data_dir) as store:
        store.act_as("incharge")
        for n in range(300):
            dispense(store, f"OLD/{n}")
    live = data_dir / "ihms-desk.sqlite3"
    damage(live)
    damaged_bytes = live.read_bytes()
    assert startup_checks.run_startup_checks(DataFolder(data_dir)) is None
    assert [problem.kind for problem in answers] == ["corrupt"]
    assert answers[0].choices == (QUIT,) and "No good backup was found" in answers[0].message
    assert live.read_bytes() == damaged_bytes, "nothing is deleted or changed when there is no backup"
    # The lock was given back: a support person's restore is not refused.
    with InstanceLock(data_dir) as lock:
        assert lock.held


def test_a_sound_database_passes_the_start_checks(make_store, tmp_path: Path, answers: list[StartupProblem]) -> None:
    data_dir = stocked_chc(make_store, tmp_path / "data")
    assert startup_checks.check_database_at_start(DataFolder(data_dir)) is None
    assert startup_checks.check_database_at_start(DataFolder(tmp_path / "first-run")) is None  # no database yet: setup follows
    lock = startup_checks.run_startup_checks(DataFolder(data_dir))
    assert lock is not None and answers == []
    lock.release()


def test_environment_problems_are_all_explained(tmp_path: Path) -> None:
    # Every kind the store raises maps onto a start-up problem with a title and a message.
    for problem in (DiskFull("disk_full"), DatabaseReadOnly("read_only"), DatabaseLocked("locked"),
                    EnvironmentProblem("folder_unusable", folder=tmp_path, reason="gone")):
        shown = startup_checks.environment_problem(problem)
        assert shown.title and shown.message == problem.message and shown.choices == (QUIT,)


def test_the_real_start_up_dialog_returns_the_button_clicked(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    problem = StartupProblem("corrupt", "The database is damaged", "damaged; the latest good backup is from …",
                             (RESTORE, QUIT))
    seen: list[str] = []

    def click_restore() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        restore = next(button for button in box.buttons() if button.text() == "Restore this backup")
        restore.click()

    QTimer.singleShot(200, click_restore)
    assert startup_checks._ask_modal(problem, None) == RESTORE
    assert seen == [problem.message]
