"""Bugs are never swallowed: an uncaught exception goes to the log with its traceback, then to a
dialog that tells the person at the counter their saved work is safe and where the details are.

Call :func:`install` once the ``QApplication`` exists. The dialog is opened through the
module-level function :data:`show_error`, which tests replace with a recorder (a modal
``exec()`` would block a test). Exceptions on worker threads are logged at once and shown on
the GUI thread; Qt's own warnings go to the log through :func:`qt_message_handler`.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QCoreApplication, QMessageLogContext, QObject, QtMsgType, Signal, Slot, qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ihms_desk.logging_setup import current_log_file, log_uncaught

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")


@dataclass(frozen=True)
class ErrorReport:
    """What the dialog shows: a short sentence, and the traceback for support staff."""

    title: str
    text: str
    details: str


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorDialog", text)


def error_report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> ErrorReport:
    log_file = current_log_file()
    where = _tr("The details were written to the log file:") + f"\n{log_file}" if log_file else ""
    text = "\n\n".join(
        part
        for part in (
            _tr("Something went wrong inside IHMS Desk. Everything saved before this message is safe."),
            _tr("If the last save did not show 'Saved', check it and save it again."),
            where,
            _tr("Please tell your support person what you were doing."),
        )
        if part
    )
    details = "".join(traceback.format_exception(kind, error, tb))
    return ErrorReport(_tr("IHMS Desk: unexpected error"), text, details)


def error_box(report: ErrorReport, parent: QWidget | None = None) -> QMessageBox:
    """The dialog itself, built but not shown (tests check it without blocking)."""
    box = QMessageBox(QMessageBox.Icon.Critical, report.title, report.text, QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(report.details)
    return box


def _show_modal(report: ErrorReport) -> None:
    error_box(report, QApplication.activeWindow()).exec()


#: Shows an error to the person; replace it in tests (``monkeypatch.setattr(error_dialog, "show_error", ...)``).
show_error: Callable[[ErrorReport], None] = _show_modal


class _Relay(QObject):
    """Carries a report from any thread to the GUI thread (queued signal)."""

    reported = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._showing = False
        self.reported.connect(self.present)

    @Slot(object)
    def present(self, report: ErrorReport) -> None:
        # An error raised while the dialog is open (a repaint, a timer) is logged, not stacked:
        # a pile of dialogs would hide the counter's screen behind them.
        if self._showing:
            return
        self._showing = True
        try:
            show_error(report)
        except Exception:
            log.exception("The error dialog itself failed")
        finally:
            self._showing = False


_relay: _Relay | None = None
_previous: tuple[Callable[[type[BaseException], BaseException, TracebackType | None], Any], Callable[[threading.ExceptHookArgs], Any]] | None = None


def report_uncaught(kind: type[BaseException], error: BaseException, tb: TracebackType | None, *, where: str = "") -> None:
    """Log the exception (at once, whatever thread) and show it on the GUI thread."""
    log_uncaught(kind, error, tb, where=where)
    if sys.stderr is not None:
        traceback.print_exception(kind, error, tb, file=sys.stderr)
    if _relay is None:
        return
    report = error_report(kind, error, tb)
    # The QApplication runs on the main thread, so that is where a dialog may open.
    if threading.current_thread() is threading.main_thread():
        _relay.present(report)
    else:
        _relay.reported.emit(report)  # queued: the relay lives on the GUI thread


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    report_uncaught(kind, error, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    error = args.exc_value if args.exc_value is not None else args.exc_type()
    name = args.thread.name if args.thread is not None else "?"
    report_uncaught(args.exc_type, error, args.exc_traceback, where=f"thread {name}")


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's warnings (a missing font, a failed plugin) go to the log, not to a console nobody sees."""
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)
    if kind == QtMsgType.QtFatalMsg:
        # Qt aborts the process when this returns: no dialog is possible, but the line must
        # reach the disk first.
        for handler in logging.getLogger().handlers:
            handler.flush()


def install() -> None:
    """Route uncaught exceptions and Qt messages to the log and the dialog. Call once, after
    the ``QApplication`` exists and ``setup_logging()`` ran. :func:`uninstall` undoes it."""
    global _relay, _previous
    if _relay is None:
        _relay = _Relay()
    if _previous is None:
        _previous = (sys.excepthook, threading.excepthook)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    qInstallMessageHandler(qt_message_handler)


def uninstall() -> None:
    global _relay, _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook = _previous
        _previous = None
    qInstallMessageHandler(None)
    if _relay is not None:
        _relay.deleteLater()
        _relay = None
