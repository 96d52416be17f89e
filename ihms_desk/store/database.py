"""Opening the SQLite file: pragmas for power cuts, migrations, and a backup before migrating."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from ihms_desk.store.errors import DatabaseCorrupt, DatabaseReadOnly, environment_errors

if TYPE_CHECKING:
    from sqlite_utils import Database

#: How long a writer waits for another connection's transaction before giving up.
BUSY_TIMEOUT_MS = 5000

#: Every migration's name, oldest first: the same list as ``schema.migration_names()``
#: (a test keeps them equal). Knowing it here lets an up-to-date database open without
#: importing sqlite-utils, which costs 140-290 ms of the program's start on an old PC.
MIGRATION_NAMES = (
    "m001_ledger", "m002_ledger_guards", "m003_barcodes_and_rejections", "m004_sync_state",
    "m005_resend_after_restore",
)


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` with the pragmas every connection needs.

    WAL lets the sync thread read while the counter writes; ``synchronous=FULL`` makes a
    commit durable before it returns, so a power cut right after "Saved" loses nothing.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        # A file where the folder should be, or a folder we may not create: the user can fix it.
        raise DatabaseReadOnly(
            f"The data folder {path.parent} cannot be used ({error.strerror}). "
            "Choose another folder with --data-dir or IHMS_DATA_DIR."
        ) from error
    with environment_errors():
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    return conn


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
    return tuple(row[0] for row in rows) == MIGRATION_NAMES


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
                conn, path.parent / "backups" / f"before-{pending[0].name}-{stamp}.sqlite3"
            )
        schema.migrations.apply(db, stop_before=stop_before)
    return backup


def open_database(path: Path, *, migrate_schema: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``."""
    conn = connect(path)
    try:
        with environment_errors():
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseCorrupt:
        conn.close()
        raise
    if migrate_schema and not is_up_to_date(conn):
        migrate(conn, path)
    return conn
