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

from ihms_desk.paths import DataFolder
from ihms_desk.store.errors import DatabaseReadOnly, DiskFull, DiskIOError, EnvironmentProblem, os_error_means_full


class AlreadyRunning(EnvironmentProblem):
    """Another copy of IHMS Desk already has this data folder open."""

    code = "second_copy"

    def __init__(self, holder: dict[str, object] | None = None) -> None:
        holder = holder or {}
        kind = "restore_running" if holder.get("purpose") == "restore" else "already_open"
        since = str(holder.get("since", ""))
        computer = str(holder.get("computer", ""))
        if since and computer:  # say where the other copy runs
            super().__init__(f"{kind}_on", time=since[11:16], date=since[:10], computer=computer)
        else:
            super().__init__(kind)
        self.holder = holder


class InstanceLock:
    """Hold the data folder for this process::

        lock = InstanceLock(data_dir)
        lock.acquire()          # raises AlreadyRunning if another copy holds it
        ...
        lock.release()
    """

    def __init__(self, data_dir: Path, *, purpose: str = "program") -> None:
        folder = DataFolder(data_dir)
        self.data_dir = folder.root
        self.purpose = purpose
        self.path = folder.instance_lock
        #: Who holds the lock (process id, computer, since when): read only to word the refusal.
        self.holder_path = folder.lock_holder
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
            raise AlreadyRunning(holder) from None
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


def _folder_problem(error: OSError, folder: Path) -> EnvironmentProblem:
    if os_error_means_full(error, folder):
        return DiskFull("folder_disk_full", folder=folder)
    if error.errno == errno.EIO:
        return DiskIOError("folder_io_error", folder=folder)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DatabaseReadOnly("folder_read_only", folder=folder)
    return EnvironmentProblem("folder_unusable", folder=folder, reason=error.strerror)
