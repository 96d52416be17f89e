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
    """Base of every error the store raises on purpose.

    It carries a stable ``kind`` and its ``values``; each language words it from its table
    (:mod:`ihms_desk.wording`), and ``message`` is the English, for the log and the tests::

        raise InvalidInput("too_long", field="note", label=Label("field.note"), n=300)
    """

    #: The family of the error (one per class), for code that reacts to a whole family.
    code = "store_error"

    def __init__(self, kind: str, *, field: str | None = None, **values: object) -> None:
        #: Which wording of :mod:`ihms_desk.wording` says it; the values fill it in.
        self.kind = kind
        self.values: dict[str, object] = values
        #: The input field the refusal is about, so a screen can show it next to that field.
        self.field = field
        # The wording tables are imported at the first error, not with this module: the
        # desktop's login screen imports it and is shown before any error can be, and the
        # tables cost that screen 5-10 ms (docs/performance.md).
        from ihms_desk.wording import say

        self.message = say(kind, values)
        super().__init__(self.message)


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
        super().__init__("unknown_item", field=field, item=item_code)
        self.item_code = item_code


class UnknownBatch(Refusal):
    """The batch does not exist for this item."""

    code = "unknown_batch"

    def __init__(self, item_code: str, batch_no: str) -> None:
        super().__init__("unknown_batch", field="batch", item=item_code, batch=batch_no)
        self.item_code = item_code
        self.batch_no = batch_no


class BatchExpired(Refusal):
    """The batch is past the end of its expiry month on the document date."""

    code = "batch_expired"

    def __init__(self, item_code: str, batch_no: str, expiry_month: str, *, receiving: bool = False) -> None:
        super().__init__("batch_expired_receiving" if receiving else "batch_expired", field="batch", item=item_code,
                         batch=batch_no, expiry=expiry_month, month=month_as_printed(expiry_month))
        self.item_code = item_code
        self.batch_no = batch_no
        self.expiry_month = expiry_month


class BatchExpiryMismatch(Refusal):
    """The same item and batch number was already received with another expiry."""

    code = "batch_expiry_mismatch"

    def __init__(self, item_code: str, batch_no: str, known: str, given: str) -> None:
        # Months in the words as printed on packs (03/2027); the attributes keep 2027-03.
        super().__init__("batch_expiry_mismatch", field="expiry", item=item_code, batch=batch_no,
                         known=month_as_printed(known), given=month_as_printed(given))
        self.known = known
        self.given = given


class ExpiresSoon(Refusal):
    """A batch received in its expiry month or the month before: taken only with a reason."""

    code = "expires_soon"

    def __init__(self, item_code: str, batch_no: str, expiry_month: str) -> None:
        super().__init__("receipt_expires_soon", field="short_expiry_reason", item=item_code, batch=batch_no,
                         month=month_as_printed(expiry_month))
        self.item_code = item_code
        self.batch_no = batch_no
        self.expiry_month = expiry_month


class SameLinesAsEarlier(Refusal):
    """Every line of the challan equals an earlier receipt's: most likely the same delivery
    entered twice under another number. Saved only when the clerk says it is a new delivery."""

    code = "same_lines"

    def __init__(self, number: str, voucher_no: str, voucher_date: str) -> None:
        year, month, day = (voucher_date.split("-") + ["", ""])[:3]
        super().__init__("challan_same_lines", field="voucher_no", number=number, voucher_no=voucher_no,
                         date=f"{day}-{month}-{year}" if day else voucher_date)
        self.number = number


class StockTooLow(Refusal):
    """Not enough usable stock for the quantity asked."""

    code = "stock_too_low"

    def __init__(self, item_code: str, requested: int, available: int, batch_no: str | None = None) -> None:
        super().__init__("stock_too_low_batch" if batch_no else "stock_too_low", field="quantity", item=item_code,
                         requested=requested, available=available, batch=batch_no)
        self.item_code = item_code
        self.requested = requested
        self.available = available
        self.batch_no = batch_no


class DuplicateVoucher(Refusal):
    """The same challan from the same sender was already received."""

    code = "duplicate_voucher"

    def __init__(self, voucher_no: str, number: str) -> None:
        super().__init__("duplicate_voucher", field="voucher_no", voucher_no=voucher_no, number=number)
        self.voucher_no = voucher_no
        self.number = number


class VoucherWithdrawn(Refusal):
    """The sender reversed the transfer the voucher was made from: the server withdrew it, and
    receiving it would count the units at both facilities."""

    code = "voucher_withdrawn"

    def __init__(self, number: str, sender: str, reversal: str, reversed_on: str) -> None:
        year, month, day = (reversed_on.split("-") + ["", ""])[:3]
        super().__init__("voucher_withdrawn", field="voucher", number=number, sender=sender, reversal=reversal,
                         date=f"{day}-{month}-{year}" if day else reversed_on)
        self.number = number
        self.reversal = reversal


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

    def __init__(self, kind: str, *, field: str | None = None, detail: str | None = None,
                 newest_backup: Path | None = None, **values: object) -> None:
        super().__init__(kind, field=field, **values)
        #: What was found wrong, in SQLite's words (the message says it with what to do).
        self.detail = detail or self.message
        #: The newest backup in the data folder, the one the message says to restore.
        self.newest_backup = newest_backup


class DatabaseMissing(DatabaseCorrupt):
    """The database is missing or empty while backups of the facility lie beside it: nothing
    was created, and the newest backup is to be restored (never a new setup)."""

    code = "missing"


#: With less free space than this, a failed write means the disk is full, whatever SQLite
#: called it: growing the -shm file on a full disk fails as "disk I/O error".
NEARLY_FULL_BYTES = 1024 * 1024



def month_as_printed(month: str) -> str:
    """``2027-03`` as printed on packs (``03/2027``): :func:`ihms_desk.wording.month_as_printed`,
    imported at the first use like the tables (see :class:`StoreError`)."""
    from ihms_desk import wording

    return wording.month_as_printed(month)


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
        return DiskFull("disk_full")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text or "read-only" in text:
        return DatabaseReadOnly("read_only")
    if name.startswith("SQLITE_BUSY") or "database is locked" in text:
        return DatabaseLocked("locked")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return DatabaseCorrupt("corrupt")
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        if path is not None and disk_is_full(path):
            return DiskFull("disk_full")
        return DiskIOError("disk_io_error")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return DatabaseReadOnly("cannot_open")
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
