"""Opening the SQLite file: a check that it may be written, pragmas for power cuts,
migrations, and a backup before migrating.

A file that is damaged, or missing (or empty) beside backups of the facility, is never
opened for writing: :func:`check_file` refuses it with what to do, before the connection
sets its pragmas. Damage found later (by ``doctor``, a backup's check, or SQLite itself)
is written down beside the file (:func:`note_damage`), so every later command and the
program refuse it too until a backup is restored. See ``docs/operations.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ihms_desk.paths import DataFolder
from ihms_desk.store.errors import (
    DatabaseCorrupt,
    DatabaseMissing,
    DatabaseReadOnly,
    DiskFull,
    EnvironmentProblem,
    classify_sqlite_error,
    environment_errors,
    os_error_means_full,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

#: How long a writer waits for another connection's transaction before giving up.
BUSY_TIMEOUT_MS = 5000

#: Every migration's name, oldest first: the same list as ``schema.migration_names()``
#: (a test keeps them equal). Knowing it here lets an up-to-date database open without
#: importing sqlite-utils, which costs 140-290 ms of the program's start on an old PC.
MIGRATION_NAMES = (
    "m001_ledger", "m002_ledger_guards", "m003_barcodes_and_rejections", "m004_sync_state",
    "m005_movement_day_kind", "m006_resend_after_restore", "m007_counter", "m009_rollout", "m010_indents",
    "m011_footprint", "m012_search_stamp", "m013_withdrawn_vouchers",
)


def connect(path: Path, *, check: bool = True) -> sqlite3.Connection:
    """Open ``path`` with the pragmas every connection needs, after :func:`check_file`
    (unless ``check`` is false: a caller that checks the file itself).

    WAL lets the sync thread read while the counter writes; ``synchronous=FULL`` makes a
    commit durable before it returns, so a power cut right after "Saved" loses nothing.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if os_error_means_full(error, path.parent):
            raise DiskFull("data_folder_full", folder=path.parent) from error
        # A file where the folder should be, or a folder we may not create: the user can fix it.
        raise DatabaseReadOnly("data_folder_unusable", folder=path.parent, reason=error.strerror) from error
    if check:
        check_file(path)
    with environment_errors(path):
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    return conn


# -- may this file be written? -----------------------------------------------------------------

#: Backups of this facility, as ``backup.py`` and :func:`migrate` name them.
_BACKUP_PATTERNS = ("ihms-desk-*.sqlite3", "ihms-desk-*.sqlite3.zst", "before-*.sqlite3")
#: The whole file gets ``PRAGMA quick_check`` at open up to this size. It reads every page:
#: about 3 ms a megabyte from the page cache and twice that from disk here (8-18 s for the
#: 2.5 GB five-year file), so a larger file gets it for the tables below only.
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
#: The history tables, which grow with every document for as long as the facility works
#: (about 98 % of the five-year file). Above :data:`QUICK_CHECK_MAX_BYTES` every other table
#: (balances, batches, counters, items, users, settings: bounded by the catalogue) is quick-
#: checked at open, these only by ``doctor`` and each backup's full check, which write down
#: any damage they find (:func:`note_damage`).
HISTORY_TABLES = ("document", "document_line", "movement", "outbox", "audit")
_SQLITE_HEADER = b"SQLite format 3\x00"

#: The files this process has quick-checked, with the (inode, size, modification time) they had
#: then. The sync loop and worker threads open the file again and again: they check it again
#: only when the file itself has changed since (WAL keeps new commits in the -wal file until a
#: checkpoint), and otherwise rely on the damage note and on SQLite's own errors.
_checked: dict[Path, tuple[int, int, int]] = {}
_checked_lock = threading.Lock()


def damage_note_path(path: Path) -> Path:
    """The note written beside a database found damaged (``ihms-desk.sqlite3.damaged``)."""
    return path.with_name(path.name + ".damaged")


def note_damage(path: Path, detail: str, *, found_by: str) -> None:
    """Write down that ``path`` is damaged, so no command or program writes to it again until
    a backup is restored (:func:`clear_damage_note`). A note that cannot be written is no
    reason to fail: the damage is reported to whoever found it anyway."""
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    detail = " ".join(detail.split())[:500]
    text = (f"IHMS Desk found this database damaged on {stamp} ({found_by}).\n"
            f"What was found: {detail}\n"
            "IHMS Desk will not write to it until a good backup is restored: "
            "ihms-desk restore BACKUP-FILE (or the Backup screen). Keep this file and the "
            "database for support; do not delete them.\n")
    try:
        damage_note_path(path).write_text(text, encoding="utf-8")
    except OSError:
        pass
    with _checked_lock:
        _checked.pop(_key(path), None)


def clear_damage_note(path: Path) -> None:
    """The database at ``path`` was replaced by a good backup, or passed ``doctor``'s full check."""
    damage_note_path(path).unlink(missing_ok=True)
    with _checked_lock:
        _checked.pop(_key(path), None)


def damage_noted(path: Path) -> str | None:
    """What the damage note beside ``path`` says was found, or ``None`` without a note."""
    # Asked before every write, and almost always "none": one stat of the name as text
    # (damage_note_path's, without building Paths), not a failed open.
    if not os.path.exists(os.fspath(path) + ".damaged"):
        return None
    try:
        text = damage_note_path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return "see the note beside the database"
    for line in text.splitlines():
        if line.startswith("What was found: "):
            return line.removeprefix("What was found: ")
    return "see the note beside the database"


def backups_beside(path: Path) -> list[Path]:
    """The facility's backups in the data folder's own backup folder, newest first (by the
    time in their names; the daily ones are checked before they are kept)."""
    folder = DataFolder.of(path).backups
    try:
        found = {copy for pattern in _BACKUP_PATTERNS for copy in folder.glob(pattern) if copy.is_file()}
    except OSError:
        return []
    return sorted(found, key=lambda copy: (_stamp_in_name(copy.name), copy.name), reverse=True)


def _stamp_in_name(name: str) -> str:
    """``20261125-130000`` from a backup's name, so daily and migration copies sort together."""
    parts = name.removesuffix(".zst").removesuffix(".sqlite3").split("-")
    for index in range(len(parts) - 1):
        if len(parts[index]) == 8 and parts[index].isdigit() and len(parts[index + 1]) == 6 \
                and parts[index + 1].isdigit():
            return f"{parts[index]}-{parts[index + 1]}"
    return ""


def refuse_lost_database(path: Path) -> None:
    """Refuse to create a database where a facility's history is missing: no file (or an empty
    one) while backups of it lie in the data folder. Opening would start an empty ledger
    beside them, silently; the person is told to restore the newest backup instead."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError:
        return  # the connection reports a folder it cannot use
    if size:
        return
    backups = backups_beside(path)
    if not backups:
        return
    state = "is missing" if size is None else "is empty (0 bytes)"
    raise DatabaseMissing("database_missing" if size is None else "database_empty", detail=f"the database {state}",
                          newest_backup=backups[0], path=path, count=len(backups), backup=backups[0])


def check_file(path: Path) -> None:
    """Raise :class:`DatabaseCorrupt` unless the file at ``path`` may be written: no damage
    noted beside it, a sound header and schema, and ``quick_check`` passing for the whole file
    (up to :data:`QUICK_CHECK_MAX_BYTES`) or its bounded tables. Read through a read-only
    connection: a writable one switches the file to WAL, and checkpoints when it closes."""
    noted = damage_noted(path)
    if noted is not None:
        raise damaged(path, noted)
    roll_back_hot_journal(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return  # a new database
    if size == 0:
        return  # created a moment ago, or empty without backups (refuse_lost_database)
    problem = header_problem(path, size)
    if problem is None:
        problem = _quick_check_problem(path, size)
    if problem is not None:
        note_damage(path, problem, found_by="the check when it was opened")
        raise damaged(path, problem)


def roll_back_hot_journal(path: Path) -> None:
    """Roll back what a power cut left half-done in a rollback-journal transaction (the switch
    to WAL at the first open of a restored backup, or of a file made elsewhere): the file is
    then half-written beside its "hot" journal, which any writable connection rolls back
    first. A read-only one cannot, and the file looked damaged to the check ("attempt to
    write a readonly database", or cut short): the desk refused a sound database after the
    cut (tests/test_power_cuts.py)."""
    try:
        if Path(f"{path}-journal").stat().st_size == 0:
            return
    except OSError:
        return
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return  # the check that follows finds and says what is wrong


def damaged(path: Path, detail: str) -> DatabaseCorrupt:
    """The refusal for a damaged file: what was found and what to do."""
    backups = backups_beside(path)
    if not backups:
        return DatabaseCorrupt("database_damaged_no_backup", detail=detail[:200], path=path, found=detail[:200])
    return DatabaseCorrupt("database_damaged", detail=detail[:200], newest_backup=backups[0], path=path,
                           found=detail[:200], backup=backups[0])


def header_problem(path: Path, size: int | None = None) -> str | None:
    """What is wrong with the first 100 bytes, or with the file's length against them: the
    damage a truncated copy or a file of something else shows, found without reading on."""
    try:
        size = path.stat().st_size if size is None else size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return f"the file cannot be read: {error.strerror}"
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        return "it is not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "its header is garbled"
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when its change counter matches (bytes 24 and 92).
    # While a checkpoint copies the WAL into the file, it writes the first page (and its count)
    # before the pages that lengthen the file: with a WAL beside it, quick_check decides.
    if pages and header[24:28] == header[92:96] and size < pages * page_size and not _has_wal(path):
        return f"the file is cut short: {size:,} bytes of {pages * page_size:,}"
    return None


def _has_wal(path: Path) -> bool:
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def _quick_check_problem(path: Path, size: int) -> str | None:
    key, state = _key(path), _file_state(path)
    with _checked_lock:
        if state is not None and _checked.get(key) == state:
            return None
    try:
        with read_only(path) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            results = quick_check_problems(conn, whole=size <= QUICK_CHECK_MAX_BYTES)
    except sqlite3.DatabaseError as error:
        problem = _classified(error, path)
        if problem is not None:
            raise problem from error
        return str(error)
    if results:
        return "; ".join(results[:3])
    if state is not None:
        with _checked_lock:
            _checked[key] = state
    return None


def quick_check_problems(conn: sqlite3.Connection, *, whole: bool) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong (empty: nothing), in the whole file or in every
    table but the history tables."""
    if whole:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    else:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        found = [row[0] for table in tables if table not in HISTORY_TABLES
                 for row in conn.execute(f"PRAGMA quick_check(\"{table}\")")]
    return [line for result in found for line in result.splitlines()
            if line != "ok" and not line.startswith("*** in database")]


def _file_state(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _classified(error: sqlite3.Error, path: Path) -> EnvironmentProblem | None:
    """A problem of the machine (locked, I/O, full), which is not damage; ``None`` when the
    error says the file is damaged."""
    problem = classify_sqlite_error(error, path)
    return None if problem is None or isinstance(problem, DatabaseCorrupt) else problem


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that cannot change the file (SQLite may still make its -wal and -shm)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.row_factory = sqlite3.Row
        yield conn
    finally:
        conn.close()


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return Path(os.path.abspath(path))


def backup_file(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy the live database to ``target`` with SQLite's online backup API (consistent in use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with environment_errors():
        destination = sqlite3.connect(target)
        try:
            conn.backup(destination)
        finally:
            destination.close()
    return target


def applied_migrations(db: Database) -> list[str]:
    from ihms_desk.store import schema

    return [migration.name for migration in schema.migrations.applied(db)]


def is_up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether every migration has been applied, read with plain SQL."""
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'ihms_desk' ORDER BY rowid"
        ).fetchall()
    except sqlite3.OperationalError:  # no such table: a new file
        return False
    # Compared as sets: a database that had m009 before this program brought m007 applied them
    # in that order, and is as up to date as a new file that took them in number order.
    return len(rows) == len(MIGRATION_NAMES) and {row[0] for row in rows} == set(MIGRATION_NAMES)


def migrate(conn: sqlite3.Connection, path: Path, *, stop_before: str | None = None) -> Path | None:
    """Bring the schema up to date; return the backup taken first, if one was needed.

    A database that already holds data is copied to ``backups/`` before the first pending
    migration runs, so a failed or faulty migration never costs the facility its ledger.
    """
    from sqlite_utils import Database

    from ihms_desk.store import schema

    db = Database(conn, execute_plugins=False)
    with environment_errors():
        pending = schema.migrations.pending(db)
        if stop_before is not None:
            names = [m.name for m in pending]
            pending = pending[: names.index(stop_before)] if stop_before in names else pending
        if not pending:
            return None
        backup: Path | None = None
        if db["_sqlite_migrations"].exists() or db.table_names():
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
            backup = backup_file(
                conn, DataFolder.of(path).backups / f"before-{pending[0].name}-{stamp}.sqlite3"
            )
        schema.migrations.apply(db, stop_before=stop_before)
    return backup


def open_database(path: Path, *, migrate_schema: bool = True, start_over: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``, after checking that it
    may be written (:func:`connect`); ``start_over`` creates it even beside backups (the demo)."""
    if not start_over:
        refuse_lost_database(path)
    conn = connect(path)
    try:
        with environment_errors(path):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseCorrupt as damage:
        conn.close()
        note_damage(path, str(damage.__cause__ or damage.message), found_by="opening it")
        raise
    if migrate_schema and not is_up_to_date(conn):
        migrate(conn, path)
    return conn
