"""The log file: rotating, under the platformdirs log folder, working even in the windowed build.

The windowed (no console) Windows build has ``sys.stdout`` and ``sys.stderr`` set to ``None``:
anything printed is lost and Python's default excepthook writes nowhere. So every part of
the program logs through :mod:`logging` into a file, and :func:`install_excepthook` makes sure
an uncaught exception (on any thread) lands there with its traceback. The Qt dialog that
shows it to the person at the counter is added on top by ``ihms_desk.ui.error_dialog``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from ihms_desk import __version__
from ihms_desk.paths import LOG_FILE, log_dir

#: Overrides the log folder (support staff, tests, the CI self-test of the frozen build).
LOG_DIR_ENV = "IHMS_LOG_DIR"
#: About 5 MB of history in total: enough for weeks, small on an old disk.
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"

_HANDLER_MARK = "_ihms_desk_handler"
_log = logging.getLogger("ihms_desk")


def resolve_log_dir(explicit: Path | None = None) -> Path:
    """``explicit``, else ``IHMS_LOG_DIR``, else the platformdirs user log folder."""
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(LOG_DIR_ENV)
    return Path(from_env).expanduser() if from_env else log_dir()


def setup_logging(folder: Path | None = None, *, level: int = logging.INFO, console: bool = True) -> Path:
    """Send log records to a rotating file; return the file's path. Safe to call again.

    If the log folder cannot be written (a locked-down profile), the temporary folder is used
    instead: a program that cannot log must still run and dispense.
    """
    remove_handlers()
    root = logging.getLogger()
    path, file_handler = _file_handler(resolve_log_dir(folder))
    handlers: list[logging.Handler] = [file_handler]
    # No console in the windowed build: a StreamHandler on None would fail on every record.
    if console and sys.stderr is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
        handlers[-1].setLevel(logging.WARNING)
    for handler in handlers:
        setattr(handler, _HANDLER_MARK, True)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    _log.info("IHMS Desk %s logging to %s (Python %s, %s)", __version__, path, sys.version.split()[0], sys.platform)
    return path


def remove_handlers() -> None:
    """Take the handlers :func:`setup_logging` added off the root logger, and close them;
    handlers others added (pytest's) stay."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()


def _file_handler(folder: Path) -> tuple[Path, logging.Handler]:
    for candidate in (folder, Path(tempfile.gettempdir()) / "IHMS Desk logs"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            path = candidate / LOG_FILE
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
            return path, handler
        except OSError:
            continue
    # Nowhere to write at all: keep the records in memory rather than crash the counter.
    return Path(os.devnull), logging.NullHandler()


def current_log_file() -> Path | None:
    """The file :func:`setup_logging` is writing to, for messages that point people at it."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _HANDLER_MARK, False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def log_uncaught(kind: type[BaseException], error: BaseException, tb: TracebackType | None, *, where: str = "") -> None:
    """Write an uncaught exception, with its traceback, to the log."""
    place = f" in {where}" if where else ""
    _log.critical("Uncaught %s%s: %s", kind.__name__, place, error, exc_info=(kind, error, tb))


def install_excepthook() -> None:
    """Log uncaught exceptions of the main thread and of worker threads; never swallow them.

    The previous hooks still run afterwards (they print to the console when there is one).
    """
    previous = sys.excepthook
    previous_thread_hook = threading.excepthook

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            log_uncaught(kind, error, tb)
        if sys.stderr is not None:
            previous(kind, error, tb)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            error = args.exc_value if args.exc_value is not None else args.exc_type()
            log_uncaught(args.exc_type, error, args.exc_traceback, where=f"thread {args.thread.name if args.thread else '?'}")
        if sys.stderr is not None:
            previous_thread_hook(args)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
