"""Bugs are logged with their traceback and shown, never swallowed (ihms_desk/ui/error_dialog.py):
in a slot, in a worker thread, and Qt's own warnings; the dialog itself is checked unshown."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, qWarning
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ihms_desk import logging_setup
from ihms_desk.ui import error_dialog
from ihms_desk.ui.error_dialog import ErrorReport


class Shown:
    """Stands in for the modal dialog: records each report and the thread it was shown on."""

    def __init__(self) -> None:
        self.reports: list[ErrorReport] = []
        self.threads: list[str] = []

    def __call__(self, report: ErrorReport) -> None:
        self.reports.append(report)
        self.threads.append(threading.current_thread().name)


@pytest.fixture
def shown(qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shown]:
    recorder = Shown()
    monkeypatch.setattr(error_dialog, "show_error", recorder)
    root_level = logging.getLogger().level
    logging_setup.setup_logging(tmp_path / "logs", console=False)
    error_dialog.install()
    yield recorder
    error_dialog.uninstall()
    logging_setup.remove_handlers()
    logging.getLogger().setLevel(root_level)


def log_text(tmp_path: Path) -> str:
    return (tmp_path / "logs" / logging_setup.LOG_FILE).read_text(encoding="utf-8")


def save_clicked() -> None:
    raise KeyError("batch PCM-7 vanished")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_with_its_traceback_and_shown(qtbot: QtBot, shown: Shown, tmp_path: Path) -> None:
    QTimer.singleShot(0, save_clicked)
    qtbot.waitUntil(lambda: len(shown.reports) == 1, timeout=5_000)
    report = shown.reports[0]
    assert shown.threads == ["MainThread"]
    assert "Everything saved before this message is safe" in report.text
    assert str(tmp_path / "logs" / logging_setup.LOG_FILE) in report.text
    assert "KeyError: 'batch PCM-7 vanished'" in report.details and "save_clicked" in report.details
    text = log_text(tmp_path)
    assert "Uncaught KeyError: 'batch PCM-7 vanished'" in text
    assert "Traceback (most recent call last)" in text and 'raise KeyError("batch PCM-7 vanished")' in text


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_worker_thread_is_shown_on_the_gui_thread(qtbot: QtBot, shown: Shown, tmp_path: Path) -> None:
    def sync_once() -> None:
        raise ConnectionResetError("server went away mid-batch")

    worker = threading.Thread(target=sync_once, name="sync-worker")
    worker.start()
    worker.join()
    assert "in thread sync-worker" in log_text(tmp_path)  # logged at once, before any dialog
    qtbot.waitUntil(lambda: len(shown.reports) == 1, timeout=5_000)
    assert shown.threads == ["MainThread"]
    assert "ConnectionResetError: server went away mid-batch" in shown.reports[0].details


@pytest.mark.qt_no_exception_capture
def test_errors_while_the_dialog_is_open_are_logged_not_stacked(qtbot: QtBot, shown: Shown, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def dialog_that_meets_another_error(report: ErrorReport) -> None:
        shown(report)
        try:
            raise ValueError("repaint failed while the dialog was up")
        except ValueError as error:
            error_dialog.report_uncaught(type(error), error, error.__traceback__)

    monkeypatch.setattr(error_dialog, "show_error", dialog_that_meets_another_error)
    QTimer.singleShot(0, save_clicked)
    qtbot.waitUntil(lambda: len(shown.reports) == 1, timeout=5_000)
    qtbot.wait(200)
    assert len(shown.reports) == 1
    text = log_text(tmp_path)
    assert "Uncaught KeyError" in text and "Uncaught ValueError: repaint failed" in text


def test_qt_warnings_go_to_the_log(shown: Shown, tmp_path: Path) -> None:
    qWarning("QFont::setPointSize: Point size <= 0 (test 4711)")
    text = log_text(tmp_path)
    assert "WARNING [MainThread] qt: QFont::setPointSize: Point size <= 0 (test 4711)" in text
    assert shown.reports == []  # a warning is not a crash: no dialog


def test_the_dialog_shows_the_sentence_and_keeps_the_traceback_under_details(qapp: object) -> None:
    try:
        save_clicked()
    except KeyError as error:
        report = error_dialog.error_report(type(error), error, error.__traceback__)
    box = error_dialog.error_box(report)
    try:
        assert box.icon() == QMessageBox.Icon.Critical
        assert box.windowTitle() == "IHMS Desk: unexpected error"
        assert box.text() == report.text and "support person" in box.text()
        assert "save_clicked" in box.detailedText()
        assert box.standardButtons() == QMessageBox.StandardButton.Ok
    finally:
        box.deleteLater()


def test_uninstall_gives_back_the_previous_hooks(qapp: object) -> None:
    import sys

    before = (sys.excepthook, threading.excepthook)
    error_dialog.install()
    assert sys.excepthook is not before[0]
    error_dialog.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
