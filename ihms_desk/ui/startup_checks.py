"""What the program checks before its main window opens, and what it tells people when the
machine is in the way: a second copy already open, a read-only or full data folder, a
database that fails its integrity check (then the latest good backup is offered).

Each check returns a :class:`StartupProblem` (or ``None``): plain data the app shows with
:data:`ask_choice`, which tests replace instead of answering a modal dialog. See
``docs/operations.md``.

The app claims the data folder first (:func:`claim_data_folder`), reads the facility's name
and language straight from the file (:func:`first_look`) to show the login screen at once,
and runs the integrity check in a thread (:class:`IntegrityCheckThread`) while people log in:
on a 90 MB database the check reads the whole file for seconds, and the window used to wait
for it. A first run, or a file too damaged to read, goes through :func:`run_startup_checks`
before any window, as before.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from ihms_desk.paths import DataFolder
from ihms_desk.store import glance
from ihms_desk.ui.i18n import refusal_text
from ihms_desk.store.errors import (
    DatabaseCorrupt, DatabaseLocked, DatabaseReadOnly, DiskFull, DiskIOError, EnvironmentProblem, StoreError,
    classify_sqlite_error,
)

if TYPE_CHECKING:
    # Imported where used: the backup module loads the whole store, and filelock (under the
    # instance lock) takes 30-40 ms to import; neither is needed before the first window.
    from ihms_desk.backup import BackupInfo
    from ihms_desk.instance_lock import InstanceLock

log = logging.getLogger(__name__)

#: Below this much free space the counter is warned at start (a day of OPD needs a few MB).
LOW_SPACE_BYTES = 50 * 1024 * 1024

QUIT = "quit"
CONTINUE = "continue"
RESTORE = "restore"


@dataclass(frozen=True)
class StartupProblem:
    """Something to tell the person before the main window opens."""

    kind: str  # second_copy, read_only, disk_full, io_error, low_space, locked, corrupt, missing, cannot_open
    title: str
    message: str
    #: What they can choose: QUIT always; CONTINUE when work can go on; RESTORE with a backup.
    choices: tuple[str, ...] = (QUIT,)
    offered_backup: BackupInfo | None = None


def _tr(text: str) -> str:
    return QCoreApplication.translate("StartupChecks", text)


def claim_data_folder(folder: DataFolder) -> tuple[InstanceLock | None, StartupProblem | None]:
    """Take the instance lock; a second copy on the same folder gets a polite refusal."""
    from ihms_desk.instance_lock import AlreadyRunning, InstanceLock

    lock = InstanceLock(folder.root)
    try:
        lock.acquire()
    except AlreadyRunning as refusal:
        log.info("Second copy refused: %s", refusal.message)
        return None, StartupProblem("second_copy", _tr("IHMS Desk is already open"), refusal_text(refusal))
    except EnvironmentProblem as problem:
        return None, environment_problem(problem)
    return lock, None


def check_database_at_start(folder: DataFolder, max_bytes: int | None = None, *,
                            cancelled: Callable[[], bool] | None = None) -> StartupProblem | None:
    """Integrity check of the database (none yet is fine: the setup screen creates it), and a
    warning when the disk is nearly full. One larger than ``max_bytes`` gets the next steps of
    its check across starts (:func:`_cycle_problem`) when run in the background (``cancelled``
    given: the check thread); before any window it is left to that thread.

    Up to ``integrity.WHOLE_CHECK_MAX_BYTES`` (100 MB) the whole check runs at every start:
    PRAGMA integrity_check took 124 s on the 2.5 GB five-year database, too long to redo at
    each start."""
    # Imported here, not at the top: this module is loaded before the login screen is shown,
    # and the integrity module brings the store's database module, none of it needed until
    # the check runs behind that screen (start-up time, docs/performance.md).
    from ihms_desk.store import integrity

    path = folder.database
    if not path.exists():
        return None
    if path.stat().st_size <= (integrity.WHOLE_CHECK_MAX_BYTES if max_bytes is None else max_bytes):
        problem = _integrity_problem(folder)
    elif cancelled is not None:
        problem = _cycle_problem(folder, cancelled)
    else:
        log.info("database is %d MB: its integrity check runs behind the window", path.stat().st_size // 2**20)
        problem = None
    return problem or _space_problem(folder)


def _cycle_problem(folder: DataFolder, cancelled: Callable[[], bool]) -> StartupProblem | None:
    """The next steps of a large file's full check (``store/integrity.py``); damage found is
    written down and the latest good backup offered, as for a small file."""
    from ihms_desk.store import integrity  # loaded by check_database_at_start already

    path = folder.database
    try:
        outcome = integrity.run_cycle(path, cancelled=cancelled)
    except sqlite3.Error as error:
        not_damage = _unless_damage(error, path)
        if not_damage is not None:
            return not_damage
        outcome = integrity.CheckOutcome([str(error)], [], False, False)
    if outcome.problems:
        log.error("Integrity check (%s) failed for %s: %s", ", ".join(outcome.checked[-1:]), path, outcome.problems[:5])
        from ihms_desk.store import database

        database.note_damage(path, outcome.problems[0], found_by="the integrity check behind the window")
        return corrupt_problem(folder, outcome.problems[0])
    log.info("Integrity check of %s: %s checked%s", path.name, ", ".join(outcome.checked) or "nothing due",
             " (cancelled; goes on at the next start)" if outcome.cancelled else
             (", the whole file is sound" if outcome.finished and outcome.checked else ""))
    return None


def _unless_damage(error: sqlite3.Error, path: Path) -> StartupProblem | None:
    """What to tell of an SQLite error met while checking the file: a problem of the machine
    (disk full, no permission…), or None where it is damage to the file itself, which the
    caller writes down as damage. An error nothing explains is raised again."""
    problem = classify_sqlite_error(error, path)
    if problem is None:
        raise error
    if not isinstance(problem, DatabaseCorrupt):
        return environment_problem(problem)
    return None


def _integrity_problem(folder: DataFolder) -> StartupProblem | None:
    path = folder.database
    try:
        conn = sqlite3.connect(path, timeout=5)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as error:
        not_damage = _unless_damage(error, path)
        if not_damage is not None:
            return not_damage
        result = [str(error)]
    if result != ["ok"]:
        log.error("Integrity check failed for %s: %s", path, result[:5])
        from ihms_desk.store import database

        # Written down, so that no command or later start writes to it before a restore.
        database.note_damage(path, result[0], found_by="the check at start")
        return corrupt_problem(folder, result[0])
    return None


def _space_problem(folder: DataFolder) -> StartupProblem | None:
    try:
        free = shutil.disk_usage(folder.root).free
    except OSError:
        return None
    if free < LOW_SPACE_BYTES:
        return StartupProblem(
            "low_space",
            _tr("The disk is nearly full"),
            _tr("Only {free} MB are free on the disk holding the data folder ({folder}). IHMS Desk will stop "
                "saving when it is full. Delete old files or ask for help today.").format(free=free // (1024 * 1024), folder=folder.root),
            (CONTINUE, QUIT),
        )
    return None


def corrupt_problem(folder: DataFolder, detail: str, *, missing: bool = False) -> StartupProblem:
    """A damaged database, or (``missing``) none or an empty one beside backups of the
    facility: the latest good backup is offered, never a new setup."""
    from ihms_desk.backup import facility_of_data_dir, latest_good_backup

    facility = facility_of_data_dir(folder.root)
    backup = latest_good_backup(folder.root, facility_code=facility)
    if missing:
        kind, title = "missing", _tr("The database is missing")
        message = _tr(
            "The database in {folder} is missing or empty, but backups of this facility are kept there. "
            "Do not set the facility up again: restore a backup."
        ).format(folder=folder.root)
    else:
        kind, title = "corrupt", _tr("The database is damaged")
        message = _tr(
            "The database in {folder} is damaged ({detail}). Do not type in new records until this is fixed."
        ).format(folder=folder.root, detail=detail[:200])
    if backup is None:
        message += " " + _tr(
            "No good backup was found. Call your support person; do not delete anything in the data folder."
        )
        return StartupProblem(kind, title, message)
    when = backup.taken_at.strftime("%d-%m-%Y %H:%M") if backup.taken_at else backup.path.name
    if missing:
        message += " " + _tr(
            "The latest good backup is from {when} ({documents} documents). Restoring it brings back everything "
            "up to then; records made after it must be entered again from the paper slips."
        ).format(when=when, documents=backup.documents)
    else:
        message += " " + _tr(
            "The latest good backup is from {when} ({documents} documents). Restoring it brings back everything up "
            "to then; records made after it must be entered again from the paper slips. The damaged file is kept."
        ).format(when=when, documents=backup.documents)
    return StartupProblem(kind, title, message, (RESTORE, QUIT), backup)


def environment_problem(problem: EnvironmentProblem) -> StartupProblem:
    kinds: dict[type[EnvironmentProblem], tuple[str, str]] = {
        DatabaseReadOnly: ("read_only", _tr("The data folder cannot be written")),
        DiskFull: ("disk_full", _tr("The disk is full")),
        DiskIOError: ("io_error", _tr("The disk could not be read or written")),
        DatabaseLocked: ("locked", _tr("The database is in use")),
    }
    for kind_class, (kind, title) in kinds.items():
        if isinstance(problem, kind_class):
            return StartupProblem(kind, title, refusal_text(problem))
    return StartupProblem("cannot_open", _tr("The data folder cannot be used"), refusal_text(problem))


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


def run_startup_checks(folder: DataFolder, parent: QWidget | None = None) -> InstanceLock | None:
    """Every check, before any window (first run, or a file :func:`first_look` cannot read):
    returns the held instance lock when the program may open (keep it until exit), or
    ``None`` when it must quit."""
    lock, problem = claim_data_folder(folder)
    if problem is not None:
        ask_choice(problem, parent)
        return None
    assert lock is not None
    if not settle(check_database_at_start(folder), folder, lock, parent):
        lock.release()
        return None
    return lock


def settle(problem: StartupProblem | None, folder: DataFolder, lock: InstanceLock, parent: QWidget | None) -> bool:
    """Show ``problem`` until it is settled: ``True`` when work may go on (nothing wrong, the
    person chose to continue, or the offered backup was restored and passes the check)."""
    while problem is not None:
        choice = ask_choice(problem, parent)
        if choice == CONTINUE and CONTINUE in problem.choices:
            return True
        if choice == RESTORE and problem.offered_backup is not None:
            from ihms_desk.backup import restore_backup

            try:
                report = restore_backup(folder.root, problem.offered_backup.path, lock=lock)
            except StoreError as failure:  # the backup turned out unusable, or the disk is in the way
                problem = StartupProblem("cannot_open", _tr("The backup could not be restored"), refusal_text(failure))
                continue
            log.warning("Restored %s at start after an integrity failure", report.restored_from)
            problem = check_database_at_start(folder)
            continue
        return False
    return True


#: What the login screen shows, read before the store is loaded (``ihms_desk.store.glance``).
FirstLook = glance.FirstLook


def first_look(folder: DataFolder) -> FirstLook | None:
    """The facility's name and the counter's language, read from the database file with a
    plain read-only query; ``None`` when there is no facility yet or the file cannot be read
    (then the app opens the store and runs every check before any window)."""
    return glance.first_look(folder)


class IntegrityCheckThread(QObject):
    """:func:`check_database_at_start` in a thread of its own (its own connection; SQLite's
    WAL lets the counter save meanwhile). ``finished(problem or None)`` arrives in the GUI
    thread."""

    finished = Signal(object)
    #: The thread's result, queued to the GUI thread, where :attr:`finished` is emitted: a
    #: check that ends before anyone listens is not lost to those who connect meanwhile.
    _done = Signal(object)

    def __init__(self, folder: DataFolder, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        # Qt is imported here, once the login screen is up: the first use of PySide6's Qt
        # namespace builds all of its ~90 enums (20-40 ms), and this module is loaded before
        # that screen is shown (tests/ui/test_startup.py checks it).
        from PySide6.QtCore import Qt

        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        # A daemon thread: closing the program never waits for a check of a file it is leaving.
        self._thread = threading.Thread(target=self._run, name="ihms-integrity-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            problem = check_database_at_start(self.folder, cancelled=self._cancel.is_set)
        except Exception as error:  # noqa: BLE001 - a check that cannot run is logged, not fatal
            log.warning("integrity check at start could not run: %s", error)
            problem = None
        self._done.emit(problem)

    @Slot(object)
    def _deliver(self, problem: StartupProblem | None) -> None:
        self.finished.emit(problem)

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def cancel(self, wait: float = 5.0) -> None:
        """Stop the check (the program closes, or a restore replaces the file), within about
        a millisecond of SQLite's work; what it finished is kept for the next start."""
        self._cancel.set()
        self.wait(wait)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
