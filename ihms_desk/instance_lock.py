"""One copy of IHMS Desk per data folder: an operating-system lock on a file in that folder.

Two copies writing the same ledger would not corrupt SQLite, but they would confuse the
counter (two windows, two nightly syncs, a restore under a running program). The lock is
held by the operating system (``fcntl`` on Linux, ``msvcrt`` on Windows through ``filelock``),
so a power cut or a killed process never leaves a stale lock behind: the lock dies with the
process. A small note beside it says who holds it, so the refusal can say where to look.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from ihms_desk.store.errors import DatabaseReadOnly, DiskFull, DiskIOError, EnvironmentProblem, os_error_means_full

LOCK_FILE = "ihms-desk.lock"
#: Who holds the lock (process id, computer, since when): read only to word the refusal.
HOLDER_FILE = "ihms-desk.lock.json"


class AlreadyRunning(EnvironmentProblem):
    """Another copy of IHMS Desk already has this data folder open."""

    code = "second_copy"

    def __init__(self, message: str, *, holder: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.holder = holder or {}


class InstanceLock:
    """Hold the data folder for this process::

        lock = InstanceLock(data_dir)
        lock.acquire()          # raises AlreadyRunning if another copy holds it
        ...
        lock.release()
    """

    def __init__(self, data_dir: Path, *, purpose: str = "program") -> None:
        self.data_dir = Path(data_dir)
        self.purpose = purpose
        self.path = self.data_dir / LOCK_FILE
        self.holder_path = self.data_dir / HOLDER_FILE
        # thread_local=False: the app takes the lock on the GUI thread but may release it from
        # a shutdown handler; the lock belongs to the process, not a thread.
        self._lock = FileLock(str(self.path), timeout=0, thread_local=False)

    @property
    def held(self) -> bool:
        return bool(self._lock.is_locked)

    def acquire(self) -> InstanceLock:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = self.holder()
            raise AlreadyRunning(_refusal_text(holder), holder=holder) from None
        except OSError as error:
            raise _folder_problem(error, self.data_dir) from error
        self._write_holder()
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            # Remove the note first: a note without a lock is harmless, the reverse misleads.
            try:
                self.holder_path.unlink(missing_ok=True)
            except OSError:
                pass
            self._lock.release(force=True)

    def holder(self) -> dict[str, object]:
        """What the holder wrote about itself; empty when unreadable (it is only advice)."""
        try:
            data = json.loads(self.holder_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_holder(self) -> None:
        note = {
            "pid": os.getpid(),
            "computer": socket.gethostname(),
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "purpose": self.purpose,
        }
        try:
            self.holder_path.write_text(json.dumps(note), encoding="utf-8")
        except OSError:
            pass  # the lock itself is what protects the data; the note is a courtesy

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _refusal_text(holder: dict[str, object]) -> str:
    where = ""
    since = str(holder.get("since", ""))
    computer = str(holder.get("computer", ""))
    if since and computer:
        where = f" (opened at {since[11:16]} on {since[:10]} on computer {computer})"
    if holder.get("purpose") == "restore":
        return f"A backup is being restored into this data folder{where}. Wait for it to finish, then open IHMS Desk again."
    return (
        f"IHMS Desk is already open on this data folder{where}. Use the window that is already open "
        "(look in the taskbar). If no window is open, wait a minute or restart the computer."
    )


def _folder_problem(error: OSError, folder: Path) -> EnvironmentProblem:
    if os_error_means_full(error, folder):
        return DiskFull(f"The disk holding {folder} is full. Free some space, then open IHMS Desk again.")
    if error.errno == errno.EIO:
        return DiskIOError(
            f"The disk holding {folder} could not be read or written (an I/O error; it is not full). "
            "The disk or the USB or network drive may be failing or disconnected: check it, then open "
            "IHMS Desk again, and call for support if it happens again.")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DatabaseReadOnly(
            f"The data folder {folder} is read-only, so IHMS Desk cannot save anything there. Check the "
            "folder's permissions, or the USB or network drive (is it write-protected?), then open IHMS Desk again."
        )
    return EnvironmentProblem(
        f"The data folder {folder} cannot be used ({error.strerror}). Check that it exists and that the USB or "
        "network drive is connected, then open IHMS Desk again."
    )
