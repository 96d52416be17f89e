"""Typed refusals and environment failures raised by the store.

Three kinds, so that the UI and CLI can react correctly:

- :class:`Refusal`: the input breaks a rule (too little stock, expired batch, bad quantity).
  The operation wrote nothing; the message says what to do.
- :class:`EnvironmentProblem`: the machine is in the way (disk full, read-only folder,
  database locked by another copy). Nothing was written; the user can fix it.
- anything else is a bug and is reported with its traceback.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StoreError(Exception):
    """Base of every error the store raises on purpose."""

    #: A stable machine-readable code (used by the UI for translation and by the CLI).
    code = "store_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The input field the refusal is about, so a screen can show it next to that field.
        self.field = field


class Refusal(StoreError):
    """A domain rule refused the operation; nothing was written."""

    code = "refused"


class InvalidInput(Refusal):
    """A field is missing or malformed."""

    code = "invalid_input"


class InvalidQuantity(InvalidInput):
    """A quantity is not a whole number within sane bounds."""

    code = "invalid_quantity"


class InvalidABHA(InvalidInput):
    """An ABHA number is not 14 digits."""

    code = "invalid_abha"


class UnknownItem(Refusal):
    """The item code is not in the catalogue (or is inactive)."""

    code = "unknown_item"

    def __init__(self, item_code: str, *, field: str | None = "item") -> None:
        super().__init__(
            f"Item '{item_code}' is not in the catalogue. Check the code or import the catalogue.",
            field=field,
        )
        self.item_code = item_code


class UnknownBatch(Refusal):
    """The batch does not exist for this item."""

    code = "unknown_batch"

    def __init__(self, item_code: str, batch_no: str) -> None:
        super().__init__(
            f"Batch '{batch_no}' of item {item_code} has never been received here.",
            field="batch",
        )
        self.item_code = item_code
        self.batch_no = batch_no


class BatchExpired(Refusal):
    """The batch is past the end of its expiry month on the document date."""

    code = "batch_expired"

    def __init__(self, item_code: str, batch_no: str, expiry_month: str, *, receiving: bool = False) -> None:
        if receiving:
            message = (
                f"Batch {batch_no} of {item_code} expired at the end of {expiry_month}: "
                "expired stock cannot be received. Return it to the sender."
            )
        else:
            message = (
                f"Batch {batch_no} of {item_code} expired at the end of {expiry_month} and cannot "
                "be issued. Choose another batch, or write it off."
            )
        super().__init__(message, field="batch")
        self.item_code = item_code
        self.batch_no = batch_no
        self.expiry_month = expiry_month


class BatchExpiryMismatch(Refusal):
    """The same item and batch number was already received with another expiry."""

    code = "batch_expiry_mismatch"

    def __init__(self, item_code: str, batch_no: str, known: str, given: str) -> None:
        super().__init__(
            f"Batch {batch_no} of {item_code} is already recorded with expiry {known}, not {given}. "
            "Check the expiry printed on the pack.",
            field="expiry",
        )
        self.known = known
        self.given = given


class StockTooLow(Refusal):
    """Not enough usable stock for the quantity asked."""

    code = "stock_too_low"

    def __init__(self, item_code: str, requested: int, available: int, batch_no: str | None = None) -> None:
        where = f"batch {batch_no} of {item_code}" if batch_no else item_code
        super().__init__(
            f"Only {available} available of {where}; {requested} asked.",
            field="quantity",
        )
        self.item_code = item_code
        self.requested = requested
        self.available = available
        self.batch_no = batch_no


class DuplicateVoucher(Refusal):
    """The same challan from the same sender was already received."""

    code = "duplicate_voucher"

    def __init__(self, voucher_no: str, number: str) -> None:
        super().__init__(
            f"Challan {voucher_no} was already received as {number}. "
            "If that receipt was wrong, the in-charge reverses it first.",
            field="voucher_no",
        )
        self.voucher_no = voucher_no
        self.number = number


class PermissionDenied(Refusal):
    """The logged-in user's role may not do this."""

    code = "permission_denied"


class NotLoggedIn(PermissionDenied):
    """No user is logged in on this store."""

    code = "not_logged_in"


class LoginFailed(Refusal):
    """Wrong user name or password, or the account is disabled."""

    code = "login_failed"


class DocumentNotFound(Refusal):
    """No document with that number."""

    code = "document_not_found"


class AlreadyReversed(Refusal):
    """The document has already been reversed (or is itself a reversal)."""

    code = "already_reversed"


class NotSetUp(Refusal):
    """The database has no facility yet: run the setup first."""

    code = "not_set_up"


class EnvironmentProblem(StoreError):
    """The machine prevents the operation; nothing was written and the user can fix it."""

    code = "environment"


class DiskFull(EnvironmentProblem):
    code = "disk_full"


class DiskIOError(EnvironmentProblem):
    """The disk failed to read or write, and it is not full: a failing disk or a drive gone."""

    code = "io_error"


class DatabaseReadOnly(EnvironmentProblem):
    code = "read_only"


class DatabaseLocked(EnvironmentProblem):
    code = "locked"


class DatabaseCorrupt(EnvironmentProblem):
    code = "corrupt"

    def __init__(self, message: str, *, detail: str | None = None, newest_backup: Path | None = None) -> None:
        super().__init__(message)
        #: What was found wrong, in SQLite's words (the message says it with what to do).
        self.detail = detail or message
        #: The newest backup in the data folder, the one the message says to restore.
        self.newest_backup = newest_backup


class DatabaseMissing(DatabaseCorrupt):
    """The database is missing or empty while backups of the facility lie beside it: nothing
    was created, and the newest backup is to be restored (never a new setup)."""

    code = "missing"


#: With less free space than this, a failed write means the disk is full, whatever SQLite
#: called it: growing the -shm file on a full disk fails as "disk I/O error".
NEARLY_FULL_BYTES = 1024 * 1024

DISK_FULL_MESSAGE = "The disk is full: nothing was saved. Free some space (or ask for help) and save again."
DISK_IO_MESSAGE = ("The disk could not be read or written (an I/O error; it is not full): nothing was "
                   "saved. The disk or the USB or network drive may be failing or disconnected: check "
                   "it, take a backup onto another drive, and call for support if it happens again.")


def os_error_means_full(error: OSError, path: Path) -> bool:
    """Whether a failed file operation under ``path`` failed because the disk is full: no
    space left, a used-up quota, or an I/O error on a disk with no space left."""
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return True
    return error.errno == errno.EIO and disk_is_full(path)


def disk_is_full(path: Path) -> bool:
    """Whether the disk holding ``path`` (a file or folder, existing or not) is (nearly) full."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def classify_sqlite_error(error: sqlite3.Error, path: Path | None = None) -> EnvironmentProblem | None:
    """Map an SQLite failure the user can fix onto its kind; ``None`` means it is a bug.
    With the database's ``path``, an I/O error on a full disk is called what it is."""
    text = str(error).lower()
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return DiskFull(DISK_FULL_MESSAGE)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text or "read-only" in text:
        return DatabaseReadOnly(
            "The data folder cannot be written (read-only): nothing was saved. "
            "Check the folder's permissions or the USB/network drive, then save again."
        )
    if name.startswith("SQLITE_BUSY") or "database is locked" in text:
        return DatabaseLocked(
            "The database is busy in another program or copy of IHMS Desk: nothing was saved. "
            "Close the other copy and save again."
        )
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return DatabaseCorrupt(
            "The database file is damaged. Nothing was saved, and IHMS Desk will not write to it: "
            "restore the latest backup (the Backup screen, or ihms-desk restore) or call for support."
        )
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        if path is not None and disk_is_full(path):
            return DiskFull(DISK_FULL_MESSAGE)
        return DiskIOError(DISK_IO_MESSAGE)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return DatabaseReadOnly("The database file cannot be opened. Check that the data folder exists and is writable.")
    return None


@contextmanager
def environment_errors(path: Path | None = None) -> Iterator[None]:
    """Re-raise SQLite failures the user can fix as :class:`EnvironmentProblem`; others pass
    through. ``path``, the database's, tells a full disk from a failing one."""
    try:
        yield
    except sqlite3.Error as error:
        problem = classify_sqlite_error(error, path)
        if problem is None:
            raise
        raise problem from error
