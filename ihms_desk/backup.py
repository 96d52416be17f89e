"""Backups of the facility's database: daily while the program runs, on demand, and restore.

A backup is a snapshot taken with SQLite's online backup API (one step, one read transaction,
so it is consistent even while the counter keeps saving), checked (``PRAGMA quick_check``: the
file is sound page by page; the full integrity check and the ledger's checks, minutes on a
five-year file, are run on the live file in the background and by ``doctor``, and on a backup
before it is restored), then compressed with zstd (:data:`ZSTD_LEVEL`, see
``docs/performance.md`` for why zstd and that level) into a
``.sqlite3.zst`` file under a temporary name, made durable and only then renamed into place, so
a power cut or a full USB stick never leaves a half copy that looks like a good one, and a
damaged database never pushes good backups out of the rotation. Backups taken before this
(plain ``.sqlite3`` files) are still listed, kept by the same policy and restored.

Which copies are kept in each folder: :func:`kept_by_policy` (the newest of each of the last 7
days, of each of the last 9 weeks, and of each of the last 12 months).

Restoring checks the file first (integrity, the ledger's own checks, and that it belongs to
this facility), keeps a copy of the database it replaces, and moves the new one in with one
atomic rename. The restored database starts a new sync epoch before it goes live, so its
events never reuse sequence numbers the state server already holds.

Nothing here imports Qt: the Backup screen and the daily timer in ``ihms_desk/ui`` call it.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ihms_desk.instance_lock import InstanceLock
from ihms_desk.paths import DataFolder, database_path, fsync_folder, make_folder
from ihms_desk.store import Store, database
from ihms_desk.store.doctor import check_database, ledger_problems
from ihms_desk.wording import Said
from ihms_desk.store.errors import (
    DatabaseCorrupt,
    DatabaseReadOnly,
    DiskFull,
    DiskIOError,
    EnvironmentProblem,
    InvalidInput,
    Refusal,
    StoreError,
    classify_sqlite_error,
    environment_errors,
    os_error_means_full,
)

log = logging.getLogger(__name__)

#: The retention policy: the newest backup of each of this many days, weeks and months is kept.
KEEP_DAYS, KEEP_WEEKS, KEEP_MONTHS = 7, 9, 12
#: ``ihms-desk-<facility code>-<YYYYMMDD-HHMMSS>.sqlite3[.zst]``; the facility code may contain
#: dashes. Backups are compressed (``.zst``) since the footprint work; older ones are plain.
_NAME = re.compile(r"^ihms-desk-(?P<facility>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<extra>\d+))?\.sqlite3(?P<zst>\.zst)?$")
_PARTIAL_SUFFIX = ".partial"
#: zstd's level for backups: measured on the five-year database (docs/performance.md).
ZSTD_LEVEL = 3
_CHUNK = 1 << 20
#: The first of zstd's skippable-frame magic numbers: the frame holding a backup's summary.
_SUMMARY_MAGIC = 0x184D2A50


class BackupUnusable(Refusal):
    """The chosen file is not a sound IHMS Desk database; nothing was replaced."""

    code = "backup_unusable"


class WrongFacility(Refusal):
    """The backup belongs to another facility; nothing was replaced."""

    code = "wrong_facility"


class SyncRunning(EnvironmentProblem):
    """A sync pass holds the data folder; the restore waited and gave up, replacing nothing."""

    code = "sync_running"


class BackupFolderProblem(EnvironmentProblem):
    """The backup folder (USB stick, network share) cannot be written."""

    code = "backup_folder"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, as read from the file itself."""

    path: Path
    facility_code: str
    facility_name: str
    documents: int
    last_document_at: str | None
    epoch: int
    size: int
    taken_at: dt.datetime | None


@dataclass
class BackupReport:
    """What a backup run did: the copies made, and problems with the second folder."""

    copies: list[Path] = field(default_factory=list)
    #: What went wrong with the second folder, worded again in the user's language on screen.
    problems: list[Said] = field(default_factory=list)
    skipped: bool = False
    #: The day's pass over acknowledged payloads, started after the daily backup in a thread
    #: of its own (``None``: none was started); joined only by tests.
    payload_pass: threading.Thread | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return bool(self.copies) and not self.problems


@dataclass(frozen=True)
class RestoreReport:
    restored_from: Path
    facility_code: str
    documents: int
    epoch: int
    #: The database that was replaced, kept beside the other backups (``None`` if there was none).
    replaced_copy: Path | None


# -- where backups live ---------------------------------------------------------------------


def backup_dir(data_dir: Path) -> Path:
    return DataFolder(data_dir).backups


def backup_name(facility_code: str, when: dt.datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", facility_code) or "unknown"
    return f"ihms-desk-{safe}-{when.strftime('%Y%m%d-%H%M%S')}.sqlite3.zst"


def taken_at(path: Path) -> dt.datetime | None:
    """When a backup was taken, from its name (local time of the PC that took it)."""
    match = _NAME.match(path.name)
    if not match:
        return None
    return dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")


def list_backups(folder: Path) -> list[Path]:
    """Backup files in ``folder``, newest first; other files there are never touched."""
    try:
        names = [path for path in Path(folder).iterdir() if _NAME.match(path.name) and path.is_file()]
    except OSError:
        return []
    return sorted(names, key=lambda path: (taken_at(path) or dt.datetime.min, path.name), reverse=True)


def second_folder(data_dir: Path) -> Path | None:
    """The ``backup_folder`` setting (USB stick or network share), if one is set."""
    path = database_path(data_dir)
    if not path.exists():
        return None
    with _read_only(path) as conn:
        row = conn.execute("SELECT value FROM setting WHERE key = 'backup_folder'").fetchone()
    value = (row[0] if row else "").strip()
    return Path(value).expanduser() if value else None


# -- taking a backup ------------------------------------------------------------------------


def take_backup(
    data_dir: Path,
    *,
    to: Path | None = None,
    include_second_folder: bool = True,
    now: dt.datetime | None = None,
) -> BackupReport:
    """Back up the database in ``data_dir`` now; safe while the counter is saving.

    The copy goes to ``data_dir/backups`` (or ``to``), and also to the ``backup_folder``
    setting if one is set. A problem with the second folder (USB stick not plugged in) is
    reported in :attr:`BackupReport.problems` but does not undo the first copy. Opens its own
    connection, so it may run in a worker thread::

        report = take_backup(data_dir)
        report.copies   # [Path('.../backups/ihms-desk-RJ-JPR-CHC-014-20261125-130000.sqlite3')]
    """
    data_dir = Path(data_dir)
    source_path = database_path(data_dir)
    if not source_path.exists():
        raise InvalidInput("nothing_to_back_up", folder=data_dir)
    when = now or dt.datetime.now()
    report = BackupReport()
    conn = database.connect(source_path)
    try:
        with environment_errors():
            row = conn.execute("SELECT code FROM facility WHERE id = 1").fetchone()
            facility_code = row[0] if row else "unknown"
            extra = conn.execute("SELECT value FROM setting WHERE key = 'backup_folder'").fetchone()
        first_folder = Path(to) if to is not None else backup_dir(data_dir)
        try:
            first = _write_checked_copy(lambda target: _compressed_snapshot(conn, target), first_folder,
                                        backup_name(facility_code, when))
        except BackupUnusable:
            _note_if_damaged(source_path)
            raise
    finally:
        conn.close()
    report.copies.append(first)
    _prune(first_folder, when)
    log.info("Backup written to %s", first)

    second = Path(extra[0].strip()).expanduser() if include_second_folder and extra and extra[0].strip() else None
    if second is not None and not _same_folder(second, first_folder):
        try:
            copy = _write_checked_copy(lambda target: _copy_file(first, target), second, first.name)
        except StoreError as problem:  # stick full, unplugged, or it garbled the copy
            report.problems.append(Said(problem.kind, problem.values))
            log.warning("Second backup folder failed: %s", problem.message)
        else:
            report.copies.append(copy)
            _prune(second, when)
            log.info("Backup copied to %s", copy)
    return report


def _note_if_damaged(path: Path) -> None:
    """A copy that failed its check was copied page by page from the database. If the database
    fails SQLite's quick check too, the damage is its own (not the copy's): it is written down,
    so nothing writes to it until a backup is restored."""
    try:
        with database.read_only(path) as conn:
            found = database.quick_check_problems(conn, whole=True)
    except sqlite3.DatabaseError as error:
        found = [str(error)]
    if found:
        log.error("The database %s is damaged: %s", path, found[:3])
        database.note_damage(path, "; ".join(found[:3]), found_by="the check of a backup taken from it")


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:  # an unreachable network drive cannot be resolved; it is not the data folder
        return False


def backup_due(data_dir: Path, now: dt.datetime | None = None) -> bool:
    """True when no backup has been taken today in the data folder's own backup folder."""
    today = (now or dt.datetime.now()).date()
    newest = next(iter(list_backups(backup_dir(data_dir))), None)
    stamp = taken_at(newest) if newest is not None else None
    return stamp is None or stamp.date() != today


def run_daily_backup(data_dir: Path, now: dt.datetime | None = None) -> BackupReport:
    """The daily backup: take one if none was taken today, else do nothing.

    Called every few minutes by a timer in the running program (in a worker thread), so the
    backup happens on the first run of each day even after a power cut.
    """
    if not database_path(Path(data_dir)).exists() or not backup_due(data_dir, now):
        return BackupReport(skipped=True)
    report = take_backup(data_dir, now=now)
    # In a thread of its own, not the caller's: the program's one worker thread runs the
    # screens' jobs (stock list, reports) and must not wait minutes behind it.
    report.payload_pass = threading.Thread(target=_drop_payloads, args=(Path(data_dir),), name="ihms-footprint",
                                           daemon=True)
    report.payload_pass.start()
    return report


#: How long the daily job drops acknowledged payloads after its backup (store/footprint.py):
#: a day's events take a second; a desk upgraded with five years of them catches up in a
#: week of days (or at once with ``ihms-desk compact``). Each pass of 200 events holds the
#: write lock for about a tenth of a second; a daemon thread, so closing the program never
#: waits for it (a pass cut short is rolled back whole).
DAILY_DROP_SECONDS = 120.0


def _drop_payloads(data_dir: Path) -> None:
    """The day's pass over acknowledged payloads, behind the counter; a failure is logged and
    never undoes the backup just taken."""
    try:
        with Store.open(data_dir) as store:
            result = store.drop_payloads_for(DAILY_DROP_SECONDS)
        log.info("Acknowledged payloads: %d checked, %d dropped, %d kept whole%s", result.checked, result.dropped,
                 result.kept, "" if result.done else " (more left for tomorrow)")
    except StoreError as problem:
        log.warning("Acknowledged payloads were not dropped today: %s", problem.message)
    except Exception:  # noqa: BLE001 - housekeeping in a thread of its own: logged, never fatal
        log.exception("Acknowledged payloads were not dropped today")


def compact(data_dir: Path, *, on_progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """``ihms-desk compact``: drop every acknowledged payload the ledger rebuilds, then rewrite
    the file without the space they took (``VACUUM``; incremental auto-vacuum from then on).
    Needs the data folder to itself (refused while IHMS Desk is open) and free disk space
    about the size of the data; returns the file's size before and after."""
    from ihms_desk.store.footprint import vacuum

    data_dir = Path(data_dir)
    path = database_path(data_dir)
    if not path.exists():
        raise InvalidInput("nothing_to_back_up", folder=data_dir)
    before = path.stat().st_size
    with InstanceLock(data_dir, purpose="compact"):
        with Store.open(data_dir) as store:
            while True:
                result = store.drop_payloads_for(30.0, limit=2000)
                if on_progress is not None:
                    on_progress(result.dropped)
                if result.done:
                    break
            with environment_errors(path):
                vacuum(store.conn)
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return before, path.stat().st_size


def _compressed_snapshot(conn: sqlite3.Connection, target: Path) -> None:
    """Snapshot the database beside ``target``, check it, and compress it into ``target``; the
    snapshot is removed whatever happens.

    The online backup API, not ``VACUUM INTO``: a page copy took 21 s of the compacted
    five-year file where ``VACUUM INTO``, which rebuilds every index, took 97-127 s (the daily
    backup has 60 s). The file is kept compact by ``ihms-desk compact`` instead."""
    snapshot = target.with_name(target.name.removesuffix(_PARTIAL_SUFFIX) + ".snapshot" + _PARTIAL_SUFFIX)
    try:
        snapshot.unlink(missing_ok=True)
        try:
            _online_backup(conn, snapshot)
        except sqlite3.DatabaseError as error:
            # Damage met while reading the database is the database's own (then written down
            # by the caller); a full or failing disk stays what it is.
            if isinstance(classify_sqlite_error(error, snapshot), DatabaseCorrupt):
                raise BackupUnusable("backup_check_failed", problem=str(error)) from error
            raise
        problems = _check_file(snapshot, whole=False)
        if problems:
            raise BackupUnusable("backup_check_failed", problem=problems[0])
        with _read_only(snapshot) as snapshot_conn:
            summary = _summary_of(snapshot_conn)
        compress_file(snapshot, target, summary=summary)
    finally:
        _discard(snapshot)


def _online_backup(conn: sqlite3.Connection, target: Path) -> None:
    destination = sqlite3.connect(target)
    try:
        # One step holds a read snapshot for the whole copy; WAL lets the counter keep writing.
        conn.backup(destination)
        # A backup should be one self-contained file (no -wal beside it on a USB stick).
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def compress_file(source: Path, target: Path, *, level: int = ZSTD_LEVEL, summary: dict[str, Any] | None = None) -> None:
    """``source`` compressed into ``target`` as one zstd frame with its content checksum (so a
    garbled copy is found without SQLite: :func:`check_compressed`), after a skippable frame
    holding ``summary`` as JSON (:func:`backup_summary`; every zstd reader passes over it)."""
    import zstandard

    compressor = zstandard.ZstdCompressor(level=level, write_checksum=True, write_content_size=True,
                                          threads=-1)
    with open(source, "rb") as reader, open(target, "wb") as writer:
        if summary is not None:
            text = json.dumps(summary, ensure_ascii=False).encode("utf-8")
            writer.write(struct.pack("<II", _SUMMARY_MAGIC, len(text)) + text)
        compressor.copy_stream(reader, writer, size=source.stat().st_size, read_size=_CHUNK, write_size=_CHUNK)


def decompress_file(source: Path, target: Path) -> None:
    """A backup, compressed or not, as a plain SQLite file at ``target``."""
    if not is_compressed(source):
        shutil.copyfile(source, target)
        return
    import zstandard

    with open(source, "rb") as reader, open(target, "wb") as writer:
        zstandard.ZstdDecompressor().copy_stream(reader, writer, read_size=_CHUNK, write_size=_CHUNK)


def is_compressed(path: Path) -> bool:
    return path.name.removesuffix(_PARTIAL_SUFFIX).endswith(".zst")


def check_compressed(path: Path) -> list[str]:
    """Read the whole compressed file through zstd, which checks its content checksum: a copy
    garbled on its way to a USB stick fails here."""
    import zstandard

    try:
        with open(path, "rb") as reader, open(os.devnull, "wb") as nowhere:
            zstandard.ZstdDecompressor().copy_stream(reader, nowhere, read_size=_CHUNK, write_size=_CHUNK)
    except zstandard.ZstdError as error:
        return [f"the compressed copy is damaged: {error}"]
    return []


@contextmanager
def plain_backup(path: Path) -> Iterator[Path]:
    """The backup at ``path`` as a plain SQLite file: itself, or decompressed into a temporary
    folder removed afterwards."""
    if not is_compressed(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="ihms-backup-") as folder:
        plain = Path(folder) / path.name.removesuffix(".zst")
        decompress_file(path, plain)
        yield plain


def _copy_file(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def _write_checked_copy(write: Callable[[Path], None], folder: Path, name: str) -> Path:
    """Write to a temporary name, make it durable, check it, then rename it into place."""
    final = _unused_name(folder, name)
    partial = final.with_name(final.name + _PARTIAL_SUFFIX)
    try:
        make_folder(folder)  # a new folder's own entry must survive a power cut too
        partial.unlink(missing_ok=True)
        with _as_environment_problem(folder):
            write(partial)
        _fsync_file(partial)
        problems = check_compressed(partial) if is_compressed(partial) else _check_file(partial)
        if problems:
            raise BackupUnusable("backup_check_failed", problem=problems[0])
        _replace(partial, final)
        _fsync_dir(folder)
    except OSError as error:
        _discard(partial)
        raise _os_problem(error, folder) from error
    except BaseException:
        _discard(partial)
        raise
    return final


def _unused_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / name.replace(".sqlite3", f"-{counter}.sqlite3")
    return candidate


def kept_by_policy(stamps: Iterable[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """Which of the backups taken at ``stamps`` the retention policy keeps at ``now``: the
    newest of each of the last :data:`KEEP_DAYS` days, of each of the last :data:`KEEP_WEEKS`
    weeks (Monday to Sunday) and of each of the last :data:`KEEP_MONTHS` months, and every one
    taken today (one taken by hand before a restore is not pushed out by the next). A backup
    dated in the future (a PC clock set wrong) is kept: the policy cannot tell its age."""
    today = now.date()
    periods: tuple[tuple[Callable[[dt.date], dt.date], dt.date], ...] = (
        (_same_day, today - dt.timedelta(days=KEEP_DAYS - 1)),
        (_its_monday, today - dt.timedelta(days=today.weekday() + 7 * (KEEP_WEEKS - 1))),
        (_first_of_month, _months_before(today.replace(day=1), KEEP_MONTHS - 1)),
    )
    ordered = sorted(stamps, reverse=True)
    kept: set[dt.datetime] = {stamp for stamp in ordered if stamp.date() >= today}
    for start_of, earliest in periods:
        seen: set[dt.date] = set()
        for stamp in ordered:
            period = start_of(stamp.date())
            if period >= start_of(earliest) and period not in seen:
                seen.add(period)
                kept.add(stamp)
    return kept


def _same_day(day: dt.date) -> dt.date:
    return day


def _its_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_before(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def _prune(folder: Path, now: dt.datetime) -> None:
    backups = list_backups(folder)
    stamps = {path: taken_at(path) or dt.datetime.min for path in backups}
    kept = kept_by_policy(stamps.values(), now)
    for old in (path for path in backups if stamps[path] not in kept):
        try:
            old.unlink()
        except OSError as error:
            log.warning("Could not remove old backup %s: %s", old, error)
    for partial in folder.glob("ihms-desk-*" + _PARTIAL_SUFFIX):
        _discard(partial)  # left by a power cut during an earlier backup


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


# -- checking a backup ----------------------------------------------------------------------


def _check_file(path: Path, *, whole: bool = True) -> list[str]:
    """The problems ``ihms-desk doctor`` would find in the file at ``path`` (read-only).
    ``whole=False``: SQLite's ``quick_check`` (every page and row is sound: 8 s on the five-year
    file, where the full integrity check takes 124 s) and the ledger's quick checks (the
    thorough ones take another minute); that indexes agree with their tables and balances
    with their ledger is checked on the live file in the background and by ``doctor``, and
    on a backup before it is restored."""
    try:
        with _read_only(path) as conn:
            if whole:
                return check_database(conn)
            found = database.quick_check_problems(conn, whole=True)
            return [f"SQLite quick check: {line}" for line in found] or ledger_problems(conn, thorough=False)
    except sqlite3.Error as error:
        return [str(error)]


def inspect_backup(path: Path) -> BackupInfo:
    """Read and check a backup file; raise :class:`BackupUnusable` if it is not a sound
    IHMS Desk database."""
    path = Path(path)
    if not path.is_file():
        raise BackupUnusable("no_such_file", path=path)
    import zstandard

    try:
        with plain_backup(path) as plain:
            return _inspect_plain(path, plain)
    except zstandard.ZstdError as error:
        raise BackupUnusable("backup_damaged", name=path.name, problem=f"the compressed file is damaged: {error}") from error
    except OSError as error:
        raise _os_problem(error, Path(tempfile.gettempdir())) from error


def _inspect_plain(path: Path, plain: Path) -> BackupInfo:
    """:func:`inspect_backup` of ``path``, read from ``plain`` (itself, or decompressed)."""
    try:
        with _read_only(plain) as conn:
            problems = check_database(conn)
            if problems:
                raise BackupUnusable("backup_damaged", name=path.name, problem=problems[0])
            summary = _summary_of(conn)
    except sqlite3.Error as error:
        raise BackupUnusable("backup_not_a_database", name=path.name, error=error) from error
    if summary is None:
        raise BackupUnusable("backup_never_set_up", name=path.name)
    return BackupInfo(path=path, size=path.stat().st_size, taken_at=taken_at(path), **summary)


def _summary_of(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """Whose a database is and what it holds (``None``: never set up)."""
    facility = conn.execute("SELECT code, name FROM facility WHERE id = 1").fetchone()
    if facility is None:
        return None
    documents, last = conn.execute("SELECT count(*), max(created_at) FROM document").fetchone()
    epoch = conn.execute("SELECT epoch FROM device WHERE id = 1").fetchone()[0]
    return {"facility_code": str(facility[0]), "facility_name": str(facility[1]), "documents": int(documents),
            "last_document_at": last, "epoch": int(epoch)}


def backup_summary(path: Path) -> dict[str, Any] | None:
    """What :func:`_summary_of` said of a backup when it was taken, read without decompressing
    it (the zstd skippable frame at its start) or, for a plain backup, from the file itself;
    ``None`` when it cannot be read. For lists and questions only: a restore checks the whole
    file first."""
    try:
        if not is_compressed(path):
            with _read_only(path) as conn:
                return _summary_of(conn)
        with open(path, "rb") as reader:
            magic, length = struct.unpack("<II", reader.read(8))
            if magic != _SUMMARY_MAGIC or length > 65536:
                return None
            summary = json.loads(reader.read(length).decode("utf-8"))
        return summary if isinstance(summary, dict) else None
    except (sqlite3.Error, OSError, struct.error, ValueError):
        return None


def latest_good_backup(data_dir: Path, *, facility_code: str | None = None) -> BackupInfo | None:
    """The newest backup (data folder first, then the second folder) that passes its check."""
    folders = [backup_dir(data_dir)]
    try:
        extra = second_folder(data_dir)
    except sqlite3.Error:
        extra = None  # the live database may be the damaged one
    if extra is not None:
        folders.append(extra)
    candidates = sorted(
        (path for folder in folders for path in list_backups(folder)),
        key=lambda path: taken_at(path) or dt.datetime.min,
        reverse=True,
    )
    for path in candidates:
        try:
            info = inspect_backup(path)
        except Refusal:
            log.warning("Backup %s is not usable; trying an older one", path)
            continue
        if facility_code is None or info.facility_code == facility_code:
            return info
    return None


def facility_of_data_dir(data_dir: Path) -> str | None:
    """Which facility this data folder belongs to: from its database if that can be read,
    else from the newest readable backup taken in it."""
    folder = DataFolder(data_dir)
    for candidate in (folder.database, *list_backups(folder.backups)):
        if not candidate.exists():
            continue
        if is_compressed(candidate):
            summary = backup_summary(candidate)  # not decompressed: its summary says whose it is
            if summary is not None:
                return str(summary["facility_code"])
            continue
        try:
            with _read_only(candidate) as conn:
                row = conn.execute("SELECT code FROM facility WHERE id = 1").fetchone()
            if row:
                return str(row[0])
        except sqlite3.Error:
            continue
    return None


# -- restoring ------------------------------------------------------------------------------


def restore_backup(
    data_dir: Path,
    backup_file: Path,
    *,
    facility_code: str | None = None,
    lock: InstanceLock | None = None,
    sync_wait: float = 120.0,
) -> RestoreReport:
    """Replace the database in ``data_dir`` with ``backup_file``, after checking it.

    Refused (nothing replaced) when the file is damaged, is not an IHMS Desk database, belongs
    to another facility, or IHMS Desk is open on this folder (pass the program's own ``lock``
    when it restores from its Backup screen, after closing its store). The replaced database
    is kept in ``backups/`` as ``replaced-<time>.sqlite3``.
    """
    data_dir = Path(data_dir)
    info = inspect_backup(backup_file)
    expected = facility_code or facility_of_data_dir(data_dir)
    if expected is None:
        raise InvalidInput("facility_unknown", folder=data_dir, code=info.facility_code)
    if info.facility_code.upper() != expected.upper():
        raise WrongFacility("wrong_facility", name=info.facility_name, code=info.facility_code, expected=expected)
    own_lock = lock is None
    held = lock or InstanceLock(data_dir, purpose="restore").acquire()
    try:
        # A scheduled `ihms-desk sync --once` takes only the sync lock, not the instance lock:
        # wait for its pass to end, so no sync reads the file while it is being replaced.
        sync_lock = FileLock(str(DataFolder(data_dir).sync_lock), thread_local=False)
        try:
            sync_lock.acquire(timeout=sync_wait)
        except Timeout:
            raise SyncRunning("sync_running") from None
        try:
            return _replace_database(data_dir, info)
        finally:
            sync_lock.release()
    finally:
        if own_lock:
            held.release()


def _replace_database(data_dir: Path, info: BackupInfo) -> RestoreReport:
    live = database_path(data_dir)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    old_epoch = _epoch_of(live)
    replaced_copy: Path | None = None
    staging = live.with_name(live.name + ".restoring")
    try:
        make_folder(backup_dir(data_dir))
        if live.exists():
            # A raw copy of the file and its WAL: the live database may be the damaged one,
            # and then the online backup API could not read it.
            replaced_copy = backup_dir(data_dir) / f"replaced-{stamp}.sqlite3"
            for suffix in ("", "-wal"):
                part = Path(str(live) + suffix)
                if part.exists():
                    shutil.copyfile(part, Path(str(replaced_copy) + suffix))
                    _fsync_file(Path(str(replaced_copy) + suffix))
            _fsync_dir(backup_dir(data_dir))  # the copy must outlast a power cut after the rename
        _discard(staging)
        decompress_file(info.path, staging)
    except OSError as error:
        _discard(staging)
        raise _os_problem(error, data_dir) from error
    try:
        # Start a fresh epoch in the staged copy, before it goes live: a power cut after the
        # rename can then never leave a restored database that reuses old (epoch, sequence)
        # pairs or document numbers. Someone chose this restore, so at the next sync the desk
        # takes its device over from any older copy still running (docs/sync.md).
        store = Store(database.open_database(staging), staging)
        try:
            epoch = store.start_new_epoch(reason="restored", take_over=True, above=old_epoch)
            problems = store.doctor()
            if problems:
                raise BackupUnusable("restored_copy_failed", problem=problems[0])
            with environment_errors():
                store.conn.execute("PRAGMA journal_mode = DELETE")  # fold the WAL in: one file to move
        finally:
            store.close()
        _fsync_file(staging)
        _fold_wal(live)
        for suffix in ("-wal", "-shm"):
            # The old WAL must not be replayed onto the restored file.
            Path(str(live) + suffix).unlink(missing_ok=True)
        _replace(staging, live)
        _fsync_dir(data_dir)
        database.clear_damage_note(live)
    except OSError as error:
        raise _os_problem(error, data_dir) from error
    finally:
        _discard(staging)
        _discard(Path(str(staging) + "-wal"))
        _discard(Path(str(staging) + "-shm"))
    log.info("Restored %s from %s (epoch %s); the replaced database is kept as %s", live, info.path, epoch, replaced_copy)
    return RestoreReport(info.path, info.facility_code, info.documents, epoch, replaced_copy)


def _fold_wal(path: Path) -> None:
    """Checkpoint the live database's WAL into its file before the WAL is removed: a power cut
    or a kill between removing it and the rename would otherwise leave the old database
    without the saves the WAL held (a counter killed by the last power cut leaves one). A file
    too damaged to checkpoint keeps them in the replaced copy only."""
    if not Path(str(path) + "-wal").exists():
        return
    try:
        conn = sqlite3.connect(path, timeout=database.BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        log.warning("Could not fold the WAL of %s into it before the restore: %s", path, error)


def _epoch_of(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with _read_only(path) as conn:
            row = conn.execute("SELECT epoch FROM device WHERE id = 1").fetchone()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return 0


# -- small helpers --------------------------------------------------------------------------


#: Opens without changing the file: a backup on a write-protected stick must still be readable.
_read_only = database.read_only


@contextmanager
def _as_environment_problem(folder: Path) -> Iterator[None]:
    try:
        with environment_errors(folder):
            yield
    except DiskFull as problem:
        raise BackupFolderProblem("backup_folder_full", folder=folder, problem=Said(problem.kind, problem.values)) from problem
    except EnvironmentProblem as problem:
        raise BackupFolderProblem("backup_not_written", folder=folder, problem=Said(problem.kind, problem.values)) from problem


def _os_problem(error: OSError, folder: Path) -> EnvironmentProblem:
    if os_error_means_full(error, folder):
        return DiskFull("backup_disk_full", folder=folder)
    if error.errno == errno.EIO:
        return DiskIOError("backup_io_error", folder=folder)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DatabaseReadOnly("backup_read_only", folder=folder)
    return BackupFolderProblem("backup_folder_unusable", folder=folder, reason=error.strerror or error)


def _replace(source: Path, target: Path, *, attempts: int = 10) -> None:
    """``os.replace``, retried for a few seconds: on Windows an antivirus scan or the search
    indexer may hold the file open for a moment, and the rename then fails with access denied."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == attempts - 1:
                raise
            time.sleep(0.5)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


#: Makes the rename itself durable on Linux; Windows cannot open a folder for fsync.
_fsync_dir = fsync_folder
