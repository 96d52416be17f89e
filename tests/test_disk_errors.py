"""A full disk is called full, and an I/O error is called an I/O error: never one for the other.

The full disk is real: a small tmpfs filled to the last byte (SQLite then fails to grow its
-shm file with "disk I/O error", which is what people were shown). The I/O error on a disk
with space is real too: the child process's file size limit (RLIMIT_FSIZE) makes the WAL
write fail with EFBIG, which SQLite reports as SQLITE_IOERR_WRITE. Where mount is not
permitted, the test says so and uses SQLite's max_page_count for the full disk instead.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ihms_desk.backup import BackupFolderProblem, _os_problem, take_backup
from ihms_desk.store import Store
from ihms_desk.store.errors import DiskFull, DiskIOError, classify_sqlite_error
from ihms_desk.store.model import ReceiptLine
from tests.conftest import PASSWORD
from tests.test_faults import dispense, small_disk, stocked_chc


def fill(folder: Path) -> None:
    """Fill the filesystem holding ``folder`` to its last byte."""
    stat = os.statvfs(folder)
    (folder / "filler.bin").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize))
    assert os.statvfs(folder).f_bavail == 0


def test_a_full_disk_at_start_is_called_full_not_an_io_error(make_store, tmp_path: Path) -> None:
    mount_point = tmp_path / "small-disk"
    with small_disk(mount_point, "3m") as mounted:
        data_dir = stocked_chc(make_store, mount_point / "data")  # closed cleanly: no -shm beside it
        if not mounted:
            print("mount not permitted: the disk is made full with PRAGMA max_page_count instead")
            store = Store.open(data_dir)
            store.act_as("pharma")
            pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
            store.conn.execute(f"PRAGMA max_page_count = {pages}")
            with pytest.raises(DiskFull, match="^The disk is full"):
                for n in range(1000):
                    dispense(store, f"FULL/{n}")
            store.close()
            return
        fill(mount_point)
        with pytest.raises(DiskFull) as refusal:
            Store.open(data_dir)
        assert refusal.value.message.startswith("The disk is full")
        assert "disk I/O error" in str(refusal.value.__cause__), "what SQLite itself said"
        result = subprocess.run([sys.executable, "-m", "ihms_desk", "--data-dir", str(data_dir), "stock"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 3
        assert "The disk is full" in result.stderr and "I/O" not in result.stderr, result.stderr

        # A backup onto the full disk says so too.
        with pytest.raises((BackupFolderProblem, DiskFull)) as failed:
            take_backup(data_dir, to=mount_point / "backups")
        assert "full" in failed.value.message and "I/O" not in failed.value.message
        (mount_point / "filler.bin").unlink()
        with Store.open(data_dir) as store:  # space again: it opens and saves
            store.act_as("pharma")
            dispense(store, "AFTER/1")


def test_a_full_second_backup_folder_says_the_disk_is_full(make_store, tmp_path: Path) -> None:
    store = make_store(user="admin")
    mount_point = tmp_path / "stick"
    with small_disk(mount_point, "1m") as mounted:
        if not mounted:
            print("mount not permitted: the full USB stick is not exercised (see the OSError wording test)")
            return
        store.set_setting("backup_folder", str(mount_point))
        fill(mount_point)
        report = take_backup(store.path.parent)
        assert len(report.copies) == 1 and len(report.problems) == 1
        assert "the disk is full" in report.problems[0] and "I/O" not in report.problems[0]


IO_ERROR_CHILD = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from ihms_desk.store import Store
    from ihms_desk.store.errors import EnvironmentProblem
    from ihms_desk.store.model import DispenseLine, Patient

    store = Store.open(Path(sys.argv[1]))
    store.login("pharma", sys.argv[2])
    wal = Path(str(store.path) + "-wal")
    # The next WAL frame boundary past the -shm's 32 KB: the write that crosses it fails whole.
    frame = 24 + store.conn.execute("PRAGMA page_size").fetchone()[0]
    frames = max(wal.stat().st_size if wal.exists() else 0, 65536) // frame + 1
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = 32 + frames * frame
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        for n in range(1000):
            store.dispense(patient=Patient(f"IO/{n}", "Geeta Meena", 52, "F"), prescriber="Dr. Jain",
                           lines=[DispenseLine("D0001", 1)])
    except EnvironmentProblem as problem:
        print(type(problem).__name__, problem.__cause__, "|", problem.message, sep="\\n")
    """
)


def test_an_io_error_on_a_disk_with_space_is_called_an_io_error(make_store) -> None:
    store = make_store(user="clerk")
    store.receive(source="ddw", voucher_no="DDW/IO/1", voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "PCM-IO", "2029-03", 100_000)])
    data_dir = store.path.parent
    store.close()
    result = subprocess.run([sys.executable, "-c", IO_ERROR_CHILD, str(data_dir), PASSWORD],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    kind, cause, _, message = result.stdout.strip().split("\n", 3)
    assert cause == "disk I/O error", "SQLite really failed to write (EFBIG)"
    assert kind == "DiskIOError"
    assert message.startswith("The disk could not be read or written (an I/O error; it is not full)")


def test_os_errors_of_a_backup_folder_are_worded_by_what_happened(tmp_path: Path) -> None:
    # The EIO of a failing USB stick cannot be made here for real (no device-mapper or FUSE
    # library in this machine): the OSError is built as the kernel would report it.
    full = _os_problem(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert isinstance(full, DiskFull) and "the disk is full" in full.message
    quota = _os_problem(OSError(errno.EDQUOT, "Disk quota exceeded"), tmp_path)
    assert isinstance(quota, DiskFull)
    failing = _os_problem(OSError(errno.EIO, "Input/output error"), tmp_path)
    assert isinstance(failing, DiskIOError) and "I/O error; it is not full" in failing.message


def test_the_io_error_is_worded_in_hindi_too() -> None:
    import sqlite3

    from ihms_desk.ui import i18n
    from ihms_desk.ui.app import create_application

    create_application()
    problem = classify_sqlite_error(sqlite3.OperationalError("disk I/O error"))
    assert isinstance(problem, DiskIOError)
    try:
        assert i18n.set_language("hi")
        text = i18n.refusal_text(problem)
        assert text.startswith("डिस्क से पढ़ा या उस पर लिखा नहीं जा सका")
        assert i18n.refusal_text(DiskFull("disk_full")).startswith("डिस्क भर गई है")
    finally:
        i18n.set_language("en")
