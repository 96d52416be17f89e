"""What the program checks before its main window opens, and what it tells people when the
machine is in the way: a second copy already open, a read-only or full data folder, a
database that fails its integrity check (then the latest good backup is offered).

Each check returns a :class:`StartupProblem` (or ``None``): plain data the app shows with
:data:`ask_choice`, which tests replace instead of answering a modal dialog. The app calls
:func:`run_startup_checks`; see ``docs/operations.md``.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from ihms_desk.backup import BackupInfo, facility_of_data_dir, latest_good_backup, restore_backup
from ihms_desk.instance_lock import AlreadyRunning, InstanceLock
from ihms_desk.paths import database_path
from ihms_desk.store.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    EnvironmentProblem,
    StoreError,
    classify_sqlite_error,
)

log = logging.getLogger(__name__)

#: Below this much free space the counter is warned at start (a day of OPD needs a few MB).
LOW_SPACE_BYTES = 50 * 1024 * 1024

QUIT = "quit"
CONTINUE = "continue"
RESTORE = "restore"


@dataclass(frozen=True)
class StartupProblem:
    """Something to tell the person before the main window opens."""

    kind: str  # second_copy, read_only, disk_full, low_space, locked, corrupt, cannot_open
    title: str
    message: str
    #: What they can choose: QUIT always; CONTINUE when work can go on; RESTORE with a backup.
    choices: tuple[str, ...] = (QUIT,)
    offered_backup: BackupInfo | None = None


def _tr(text: str) -> str:
    return QCoreApplication.translate("StartupChecks", text)


def claim_data_folder(data_dir: Path) -> tuple[InstanceLock | None, StartupProblem | None]:
    """Take the instance lock; a second copy on the same folder gets a polite refusal."""
    lock = InstanceLock(data_dir)
    try:
        lock.acquire()
    except AlreadyRunning as refusal:
        log.info("Second copy refused: %s", refusal.message)
        return None, StartupProblem("second_copy", _tr("IHMS Desk is already open"), refusal.message)
    except EnvironmentProblem as problem:
        return None, _environment_problem(problem, data_dir)
    return lock, None


def check_database_at_start(data_dir: Path) -> StartupProblem | None:
    """Integrity check of the database (none yet is fine: the setup screen creates it), and
    a warning when the disk is nearly full."""
    path = database_path(data_dir)
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(path, timeout=5)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as error:
        problem = classify_sqlite_error(error)
        if problem is None:
            raise
        if not isinstance(problem, DatabaseCorrupt):
            return _environment_problem(problem, data_dir)
        result = [str(error)]
    if result != ["ok"]:
        log.error("Integrity check failed for %s: %s", path, result[:5])
        return corrupt_problem(data_dir, result[0])
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        return None
    if free < LOW_SPACE_BYTES:
        return StartupProblem(
            "low_space",
            _tr("The disk is nearly full"),
            _tr("Only {free} MB are free on the disk holding the data folder ({folder}). IHMS Desk will stop "
                "saving when it is full. Delete old files or ask for help today.").format(free=free // (1024 * 1024), folder=data_dir),
            (CONTINUE, QUIT),
        )
    return None


def corrupt_problem(data_dir: Path, detail: str) -> StartupProblem:
    facility = facility_of_data_dir(data_dir)
    backup = latest_good_backup(data_dir, facility_code=facility)
    message = _tr(
        "The database in {folder} is damaged ({detail}). Do not type in new records until this is fixed."
    ).format(folder=data_dir, detail=detail[:200])
    if backup is None:
        message += " " + _tr(
            "No good backup was found. Call your support person; do not delete anything in the data folder."
        )
        return StartupProblem("corrupt", _tr("The database is damaged"), message)
    when = backup.taken_at.strftime("%d-%m-%Y %H:%M") if backup.taken_at else backup.path.name
    message += " " + _tr(
        "The latest good backup is from {when} ({documents} documents). Restoring it brings back everything up "
        "to then; records made after it must be entered again from the paper slips. The damaged file is kept."
    ).format(when=when, documents=backup.documents)
    return StartupProblem("corrupt", _tr("The database is damaged"), message, (RESTORE, QUIT), backup)


def _environment_problem(problem: EnvironmentProblem, data_dir: Path) -> StartupProblem:
    kinds: dict[type[EnvironmentProblem], tuple[str, str]] = {
        DatabaseReadOnly: ("read_only", _tr("The data folder cannot be written")),
        DiskFull: ("disk_full", _tr("The disk is full")),
        DatabaseLocked: ("locked", _tr("The database is in use")),
    }
    for kind_class, (kind, title) in kinds.items():
        if isinstance(problem, kind_class):
            return StartupProblem(kind, title, problem.message)
    return StartupProblem("cannot_open", _tr("The data folder cannot be used"), problem.message)


def _ask_modal(problem: StartupProblem, parent: QWidget | None) -> str:
    labels = {QUIT: _tr("Quit"), CONTINUE: _tr("Continue"), RESTORE: _tr("Restore this backup")}
    box = QMessageBox(QMessageBox.Icon.Warning, problem.title, problem.message, QMessageBox.StandardButton.NoButton, parent)
    buttons: dict[QAbstractButton, str] = {}
    for choice in problem.choices:
        role = QMessageBox.ButtonRole.RejectRole if choice == QUIT else QMessageBox.ButtonRole.AcceptRole
        buttons[box.addButton(labels[choice], role)] = choice
    box.exec()
    return buttons.get(box.clickedButton(), QUIT)


#: Shows a problem and returns the choice made; tests replace it (a modal would block them).
ask_choice: Callable[[StartupProblem, QWidget | None], str] = _ask_modal


def run_startup_checks(data_dir: Path, parent: QWidget | None = None) -> InstanceLock | None:
    """Everything the app does before its main window: returns the held instance lock when the
    program may open (keep it until exit), or ``None`` when it must quit."""
    lock, problem = claim_data_folder(data_dir)
    if problem is not None:
        ask_choice(problem, parent)
        return None
    assert lock is not None
    problem = check_database_at_start(data_dir)
    while problem is not None:
        choice = ask_choice(problem, parent)
        if choice == CONTINUE and CONTINUE in problem.choices:
            return lock
        if choice == RESTORE and problem.offered_backup is not None:
            try:
                report = restore_backup(data_dir, problem.offered_backup.path, lock=lock)
            except StoreError as failure:  # the backup turned out unusable, or the disk is in the way
                problem = StartupProblem("cannot_open", _tr("The backup could not be restored"), failure.message)
                continue
            log.warning("Restored %s at start after an integrity failure", report.restored_from)
            problem = check_database_at_start(data_dir)
            continue
        lock.release()
        return None
    return lock
