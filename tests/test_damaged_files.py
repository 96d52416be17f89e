"""A damaged database is never written to and never crashes the tools; a missing or empty
one beside backups gets the restore offered, never a new setup.

Real damaged files (4 KB of noise in the middle, a file cut short, 0 bytes, gone with its
backups still there) go through the real commands (``python -m ihms_desk`` in a child
process) and through the program's start under pytest-qt. Each test checks that the
damaged file is byte for byte what it was: nothing wrote to it.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ihms_desk.paths import DataFolder
from ihms_desk.backup import plain_backup, take_backup
from ihms_desk.store import Store, database
from ihms_desk.store.errors import DatabaseCorrupt
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from tests.conftest import PASSWORD
from tests.ui.test_startup import quits, start, stop  # noqa: F401 - quits: the fixture

CHALLAN = "item_code,batch_no,expiry,qty\nD0001,NEW-B1,2029-03,100\n"
INIT = ["init", "--code", "RJ-TST-CHC-001", "--name", "CHC Test", "--district", "Jaipur",
        "--block", "Chaksu", "--type", "CHC", "--admin-user", "admin", "--admin-name", "A Admin",
        "--catalog", "none"]


def documents(path: Path) -> list[str]:
    with plain_backup(path) as plain, database.read_only(plain) as conn:  # a backup may be compressed
        return [row[0] for row in conn.execute("SELECT number FROM document ORDER BY id")]


def fingerprint(path: Path) -> str | None:
    """The database file's bytes (``None``: no file), and no WAL frames left beside it."""
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "something was written to the WAL"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def add_noise(path: Path) -> None:
    """4 KB of noise in the middle of the file, the same noise every run."""
    noise = random.Random(15).randbytes(4096)
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(noise)


def lose(path: Path, state: str) -> Path:
    """Leave the database ``empty`` (0 bytes) or ``missing``; returns its path."""
    if state == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    return path


def integrity(path: Path) -> list[str]:
    try:
        with database.read_only(path) as conn:
            return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [str(error)]


def ihms(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process, as a scheduled task or a support person runs it."""
    result = subprocess.run([sys.executable, "-m", "ihms_desk", "--data-dir", str(data_dir), *args],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "IHMS_PASSWORD": PASSWORD})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture
def facility(make_store, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A CHC with a few hundred documents, a backup of them, and two saves made after it:
    (data folder, the backup, the documents the backup holds)."""
    store = make_store(user="clerk")
    store.receive(source="ddw", voucher_no="DDW/1", voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "PCM-1", "2029-03", 100_000)])
    store.act_as("pharma")
    for n in range(300):  # enough rows for the file to span many pages
        store.dispense(patient=Patient(f"OPD/{n}", "Geeta Meena", 52, "F"), prescriber="Dr. Jain",
                       lines=[DispenseLine("D0001", 2)])
    data_dir = store.path.parent
    backup = take_backup(data_dir).copies[0]
    in_backup = documents(backup)
    for n in range(2):
        store.dispense(patient=Patient(f"LATER/{n}", "Sita Devi", 30, "F"), prescriber="Dr. Jain",
                       lines=[DispenseLine("D0001", 1)])
    store.close()  # the last connection folds the WAL into the file
    (tmp_path / "challan.csv").write_text(CHALLAN, encoding="utf-8")
    return data_dir, backup, in_backup


def refused_and_untouched(data_dir: Path, before: str | None, *commands: list[str]) -> list[str]:
    """Run each command; each must fail as a problem of the machine (exit 3) and leave the
    database exactly as it was. Returns their messages."""
    live = data_dir / "ihms-desk.sqlite3"
    said = []
    for command in commands:
        result = ihms(data_dir, *command)
        assert result.returncode == 3, (command, result.stdout, result.stderr)
        assert fingerprint(live) == before, f"{command[0]} wrote to the database"
        said.append(result.stderr)
    return said


# -- damaged files ------------------------------------------------------------------------------


def test_noise_in_the_middle_is_refused_by_every_command_and_doctor_says_what_to_do(
        facility: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    data_dir, backup, in_backup = facility
    live = data_dir / "ihms-desk.sqlite3"
    add_noise(live)
    assert integrity(live) != ["ok"], "the noise must really damage the file for this test to mean anything"
    before = fingerprint(live)
    challan = str(tmp_path / "challan.csv")

    doctor = ihms(data_dir, "doctor")
    assert doctor.returncode == 1, doctor.stderr
    assert doctor.stdout.startswith(f"DAMAGED: the database file {live} is damaged.")
    assert f'What to do: do not delete anything in the data folder. Restore the newest backup: ihms-desk restore "{backup}"' in doctor.stdout
    assert fingerprint(live) == before
    assert database.damage_noted(live) is not None, "doctor writes the damage down beside the file"

    said = refused_and_untouched(
        data_dir, before,
        ["import-receipt", challan, "--user", "clerk", "--voucher-no", "V-9", "--voucher-date", "2026-11-20"],
        ["import-catalog", challan, "--user", "admin"], ["stock"], ["backup"], INIT)
    for message in said:
        assert message.startswith(f"Problem: The database {live} is damaged (")
        assert f'Restore the newest backup: ihms-desk restore "{backup}"' in message
    assert database.backups_beside(live) == [backup], "no damaged copy was kept as a backup"

    restored = ihms(data_dir, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert database.damage_noted(live) is None, "the note goes with the damaged file"
    assert ihms(data_dir, "doctor").returncode == 0
    assert documents(live) == in_backup
    saved = ihms(data_dir, "import-receipt", challan, "--user", "clerk", "--voucher-no", "V-9",
                 "--voucher-date", "2026-11-20")
    assert saved.returncode == 0, saved.stderr
    replaced = list((data_dir / "backups").glob("replaced-*.sqlite3"))
    assert len(replaced) == 1 and hashlib.sha256(replaced[0].read_bytes()).hexdigest() == before, \
        "the damaged file is kept as it was, for support"


def test_the_check_at_open_finds_the_noise_without_doctor(facility: tuple[Path, Path, list[str]],
                                                          tmp_path: Path) -> None:
    data_dir, backup, _ = facility
    live = data_dir / "ihms-desk.sqlite3"
    add_noise(live)
    before = fingerprint(live)
    (message,) = refused_and_untouched(
        data_dir, before, ["import-receipt", str(tmp_path / "challan.csv"), "--user", "clerk",
                           "--voucher-no", "V-9", "--voucher-date", "2026-11-20"])
    assert "is damaged (" in message and "Nothing was saved, and IHMS Desk will not write to it." in message
    noted = database.damage_noted(live)
    assert noted is not None and noted != "see the note beside the database"


def test_a_file_cut_short_is_refused_from_its_header(facility: tuple[Path, Path, list[str]],
                                                     tmp_path: Path) -> None:
    data_dir, backup, _ = facility
    live = data_dir / "ihms-desk.sqlite3"
    with open(live, "r+b") as handle:  # a copy that stopped half way
        handle.truncate(live.stat().st_size // 2)
    before = fingerprint(live)
    (message,) = refused_and_untouched(data_dir, before, ["stock"])
    assert "the file is cut short" in message
    doctor = ihms(data_dir, "doctor")
    assert doctor.returncode == 1 and "DAMAGED" in doctor.stdout and "cut short" in doctor.stdout
    assert fingerprint(live) == before


@pytest.mark.parametrize("state", ["empty", "missing"])
def test_an_empty_or_missing_database_beside_backups_offers_the_restore_never_init(
        facility: tuple[Path, Path, list[str]], tmp_path: Path, state: str) -> None:
    data_dir, backup, in_backup = facility
    live = lose(data_dir / "ihms-desk.sqlite3", state)
    before = fingerprint(live)
    said = refused_and_untouched(
        data_dir, before, INIT, ["doctor"], ["stock"],
        ["import-receipt", str(tmp_path / "challan.csv"), "--user", "clerk", "--voucher-no", "V-9",
         "--voucher-date", "2026-11-20"])
    for message in said:
        assert f"The database {live} is {'empty (0 bytes)' if state == 'empty' else 'missing'}" in message
        assert f'ihms-desk restore "{backup}"' in message and "Do not run 'ihms-desk init'" in message
    assert list(data_dir.glob("ihms-desk.sqlite3*")) == ([live] if state == "empty" else [])

    restored = ihms(data_dir, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert ihms(data_dir, "doctor").returncode == 0
    assert documents(live) == in_backup


def test_an_empty_database_without_backups_is_a_first_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "new"
    data_dir.mkdir()
    (data_dir / "ihms-desk.sqlite3").write_bytes(b"")  # a first start cut off at once
    result = ihms(data_dir, *INIT)
    assert result.returncode == 0, result.stderr
    assert "Set up CHC Test" in result.stdout


# -- damage found after the file was opened --------------------------------------------------------


def test_damage_found_while_the_program_runs_stops_its_next_save(make_store) -> None:
    store = make_store(user="clerk")
    store.receive(source="ddw", voucher_no="DDW/1", voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "PCM-1", "2029-03", 1000)])
    live = store.path
    saved = documents(live)
    # Found by doctor or a backup's check in another process, while this one is open.
    database.note_damage(live, "Page 12: btreeInitPage() returns error code 11", found_by="a test")
    with pytest.raises(DatabaseCorrupt, match="Page 12: btreeInitPage"):
        store.receive(source="ddw", voucher_no="DDW/2", voucher_date=store.today(),
                      lines=[ReceiptLine("D0001", "PCM-2", "2029-03", 5)])
    assert documents(live) == saved
    with pytest.raises(DatabaseCorrupt):
        Store.open(live.parent)


def test_damage_in_a_large_files_history_is_found_by_the_daily_backup(
        facility: tuple[Path, Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Above QUICK_CHECK_MAX_BYTES only the tables bounded by the catalogue are checked at open
    (the history tables take seconds a gigabyte); each backup's full check of its copy finds
    damage in the history, and from then on nothing writes to the file."""
    from ihms_desk.backup import BackupUnusable

    data_dir, _, _ = facility
    live = data_dir / "ihms-desk.sqlite3"
    monkeypatch.setattr(database, "QUICK_CHECK_MAX_BYTES", 0)
    with database.read_only(live) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'outbox'").fetchone()[0]
    with open(live, "r+b") as handle:  # the root page of the outbox, a history table
        handle.seek((root - 1) * page_size)
        handle.write(random.Random(15).randbytes(page_size))
    assert integrity(live) != ["ok"]

    with Store.open(data_dir) as store:  # opens: its balances, counters and users are sound
        store.require_facility()
    with pytest.raises(BackupUnusable):
        take_backup(data_dir)
    assert database.damage_noted(live) is not None, "the backup's check wrote the damage down"
    before = fingerprint(live)
    with pytest.raises(DatabaseCorrupt):
        Store.open(data_dir)
    assert fingerprint(live) == before


# -- the program's start ---------------------------------------------------------------------------


def test_the_program_offers_the_backup_for_noise_before_writing_anything(
        qtbot, facility: tuple[Path, Path, list[str]], answers: list, quits: list[int]) -> None:  # type: ignore[no-untyped-def]
    from ihms_desk.ui import app as program
    from ihms_desk.ui import startup_checks

    data_dir, backup, in_backup = facility
    live = data_dir / "ihms-desk.sqlite3"
    add_noise(live)
    damaged = fingerprint(live)
    startup = start(qtbot, data_dir)  # the facility's name is still readable: the login screen comes first
    try:
        startup.finish()  # claims the folder and opens the store: the check runs here
        assert [problem.kind for problem in answers] == ["corrupt"]
        assert answers[0].offered_backup is not None and answers[0].offered_backup.path == backup
        assert "is damaged" in answers[0].message
        # Restored at once (the answer given), and the program goes on with the restored file.
        assert startup.controller is not None and quits == []
        assert documents(live) == in_backup
        assert startup.controller.store.doctor() == []
        kept = list((data_dir / "backups").glob("replaced-*.sqlite3"))
        assert len(kept) == 1 and hashlib.sha256(kept[0].read_bytes()).hexdigest() == damaged
    finally:
        stop(startup)


def test_the_program_quits_on_damage_without_a_backup_and_changes_nothing(
        qtbot, facility: tuple[Path, Path, list[str]], answers: list, quits: list[int]) -> None:  # type: ignore[no-untyped-def]
    from ihms_desk.ui import app as program
    from ihms_desk.ui import startup_checks

    data_dir, backup, _ = facility
    backup.unlink()
    live = data_dir / "ihms-desk.sqlite3"
    add_noise(live)
    damaged = fingerprint(live)
    startup = start(qtbot, data_dir)
    startup.finish()
    assert [problem.kind for problem in answers] == ["corrupt"]
    assert answers[0].choices == (startup_checks.QUIT,) and "No good backup was found" in answers[0].message
    assert quits == [program.EXIT_ENVIRONMENT] and startup.controller is None
    assert fingerprint(live) == damaged
    assert startup.lock is not None
    startup.lock.release()


@pytest.mark.parametrize("state", ["empty", "missing"])
def test_the_program_offers_the_backup_for_an_empty_or_missing_file_not_the_setup(
        qtbot, facility: tuple[Path, Path, list[str]], answers: list, state: str) -> None:  # type: ignore[no-untyped-def]
    from ihms_desk.ui import app as program
    from ihms_desk.ui import startup_checks
    from ihms_desk.ui.login import LoginScreen

    data_dir, backup, in_backup = facility
    live = lose(data_dir / "ihms-desk.sqlite3", state)
    # No facility to read: the program runs every check before any window (run_app's first-run path).
    assert startup_checks.first_look(DataFolder(data_dir)) is None
    lock = startup_checks.run_startup_checks(DataFolder(data_dir))
    assert lock is not None
    store = program.open_store(DataFolder(data_dir), lock, None)
    try:
        assert [problem.kind for problem in answers] == ["missing"]
        assert answers[0].title == "The database is missing"
        assert "Do not set the facility up again" in answers[0].message
        assert "damaged" not in answers[0].message
        assert answers[0].offered_backup is not None and answers[0].offered_backup.path == backup
        assert store is not None and documents(live) == in_backup
        controller = program.start_controller(store, lock, demo=False, run_services=False)
        assert isinstance(controller.window, LoginScreen), "the login screen, not the setup wizard"
        qtbot.addWidget(controller.window)
    finally:
        if store is not None:
            store.close()
        lock.release()


def test_the_offer_for_a_missing_database_is_in_hindi(facility: tuple[Path, Path, list[str]]) -> None:
    from ihms_desk.ui import i18n, startup_checks
    from ihms_desk.ui.app import create_application

    data_dir, _, _ = facility
    lose(data_dir / "ihms-desk.sqlite3", "missing")
    create_application()
    try:
        assert i18n.set_language("hi")
        offer = startup_checks.corrupt_problem(DataFolder(data_dir), "", missing=True)
        assert offer.title == "डेटाबेस नहीं मिला"
        assert "संस्थान को दोबारा सेट-अप न करें" in offer.message and "सबसे नया सही बैकअप" in offer.message
        assert "backup" not in offer.message.lower()
    finally:
        i18n.set_language("en")
