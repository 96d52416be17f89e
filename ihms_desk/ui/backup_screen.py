"""The Backup screen for the MO in-charge, and the timer that takes the daily backup.

The screen shows when the last backup was taken and where, lists the backups kept, takes one
now, and sets the second backup folder (USB stick or network share). Restoring replaces the
database under the running program, so the screen only confirms it with the in-charge and
asks for it (:attr:`BackupScreen.restore_requested`); the app closes its store, calls
:func:`ihms_desk.backup.restore_backup` with its instance lock, and opens the store again.

Backups run in the worker thread (``ui.workers``): the copy and its check take seconds on a
big database, and the counter must not freeze meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ihms_desk.backup import (
    BackupReport, backup_dir, backup_summary, list_backups, run_daily_backup, take_backup, taken_at,
)
from ihms_desk.store import Store
from ihms_desk.store.errors import StoreError
from ihms_desk.ui import i18n
from ihms_desk.ui.screen import Screen
from ihms_desk.ui.workers import Job, run_in_worker

log = logging.getLogger(__name__)


def _document_count(path: Path) -> int | None:
    """How many documents a backup holds (a quick look, never decompressing a compressed
    backup on the GUI thread; restore checks the file fully)."""
    summary = backup_summary(path)
    return None if summary is None else int(summary["documents"])


class _Delivery(QObject):
    """Receives one job's outcome on the GUI thread and hands it on exactly once.

    A QObject with slots (not a closure) so that Qt queues the worker's signal to the GUI
    thread. A job that fails at once (a folder that cannot be made) may emit before we are
    connected, and that emission is lost; so a job already done is delivered from its stored
    result, and a second delivery of the same outcome is ignored. It is not deleted from its
    own slot (``deleteLater`` there crashed PySide6 6.12): the owner drops the previous one
    when it starts the next job.
    """

    def __init__(self, job: Job, on_done: Callable[[BackupReport], None], on_failed: Callable[[BaseException], None],
                 parent: QObject) -> None:
        super().__init__(parent)
        self.job = job
        self._on_done = on_done
        self._on_failed = on_failed
        self._delivered = False
        job.finished.connect(self.done)
        job.failed.connect(self.failed)
        if job.done:
            QTimer.singleShot(0, self.catch_up)

    @Slot(object)
    def done(self, report: BackupReport) -> None:
        if not self._delivered:
            self._delivered = True
            self._on_done(report)

    @Slot(object)
    def failed(self, error: BaseException) -> None:
        if not self._delivered:
            self._delivered = True
            self._on_failed(error)

    @Slot()
    def catch_up(self) -> None:
        if self.job.error is not None:
            self.failed(self.job.error)
        else:
            self.done(self.job.result)


def _start(store: Store, backup: Callable[[], BackupReport],
           on_done: Callable[[BackupReport], None], on_failed: Callable[[BaseException], None], owner: QObject,
           previous: _Delivery | None) -> _Delivery:
    """Run ``backup`` in the worker thread; ``on_done`` or ``on_failed`` runs once, on the GUI
    thread. The owner keeps the delivery (and its ``job``) until the next one replaces it."""
    if previous is not None:
        previous.setParent(None)  # its job is over; Python frees it once unreferenced
    return _Delivery(run_in_worker(store, lambda _store, _progress: backup()), on_done, on_failed, owner)


def _choose_folder(parent: QWidget, start: str) -> str:
    return QFileDialog.getExistingDirectory(parent, parent.tr("Choose the backup folder"), start)


#: Opens the folder chooser; tests replace it (a native dialog would block them).
choose_folder: Callable[[QWidget, str], str] = _choose_folder


def _confirm_restore(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, parent.tr("Restore a backup?"), text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


#: Asks the in-charge to confirm a restore; tests replace it (a modal would block them).
confirm_restore: Callable[[QWidget, str], bool] = _confirm_restore


class BackupScreen(Screen):
    """Backups: status, list, "Back up now", the second folder, and a restore request."""

    #: A backup file the in-charge asked to restore (a ``str`` path); the app does the restore.
    restore_requested = Signal(str)
    #: A backup run ended (a :class:`~ihms_desk.backup.BackupReport`), for status bars and tests.
    backup_finished = Signal(object)
    backup_failed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.data_dir = store.folder.root
        self._job: Job | None = None
        self._delivery: _Delivery | None = None

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.backup_button = QPushButton(self.tr("&Back up now"))
        self.backup_button.clicked.connect(self.back_up_now)

        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("USB stick or network folder (optional)"))
        self.browse_button = QPushButton(self.tr("Choose…"))
        self.browse_button.clicked.connect(self.browse)
        self.save_folder_button = QPushButton(self.tr("&Save folder"))
        self.save_folder_button.clicked.connect(self.save_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(self.tr("Second copy in:")))
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        folder_row.addWidget(self.save_folder_button)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Taken at"), self.tr("Size"), self.tr("Folder")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.restore_button = QPushButton(self.tr("&Restore selected backup…"))
        self.restore_button.clicked.connect(self.request_restore)

        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Backups"))
        title.setStyleSheet("font-size: 14pt; font-weight: bold")
        layout.addWidget(title)
        layout.addWidget(self.status_label)
        layout.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message_label)
        layout.addLayout(folder_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.refresh()

    # -- showing ----------------------------------------------------------------------------

    def folders(self) -> list[Path]:
        folders = [backup_dir(self.data_dir)]
        second = self.store.setting("backup_folder", "").strip()
        if second:
            folders.append(Path(second).expanduser())
        return folders

    @Slot()
    def refresh(self) -> None:
        """Read the folders again: the list, the last-backup line and the folder setting."""
        second = self.store.setting("backup_folder", "")
        if not self.folder_edit.hasFocus():
            self.folder_edit.setText(second)
        rows = [(path, folder) for folder in self.folders() for path in list_backups(folder)]
        rows.sort(key=lambda row: taken_at(row[0]) or dt.datetime.min, reverse=True)
        self.table.setRowCount(len(rows))
        for index, (path, folder) in enumerate(rows):
            when = taken_at(path)
            try:
                size = f"{path.stat().st_size / (1024 * 1024):.1f} MB"
            except OSError:
                size = "?"
            cells = (when.strftime("%d-%m-%Y %H:%M") if when else path.name, size, str(folder))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, str(path))
                self.table.setItem(index, column, cell)
        newest = taken_at(rows[0][0]) if rows else None
        if newest is None:
            self.status_label.setText(self.tr("No backup has been taken yet. Take one now."))
        else:
            age = dt.datetime.now() - newest
            text = self.tr("Last backup: %1 (%2 backups kept).").replace("%1", newest.strftime("%d-%m-%Y %H:%M")).replace("%2", str(len(rows)))
            if age > dt.timedelta(days=2):
                text += " " + self.tr("That is more than two days ago: take one now.")
            self.status_label.setText(text)
        self.restore_button.setEnabled(bool(rows))

    def selected_backup(self) -> Path | None:
        items = self.table.selectedItems()
        return Path(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #a00000" if error else "color: #006000")
        self.message_label.setText(text)

    # -- actions ----------------------------------------------------------------------------

    @Slot()
    def back_up_now(self) -> None:
        if self._job is not None:
            return
        self.backup_button.setEnabled(False)
        self.busy.emit(True)
        self._say(self.tr("Backing up… you can keep working."))
        data_dir = self.data_dir
        self._delivery = _start(self.store, lambda: take_backup(data_dir), self._on_backup_done, self._on_backup_failed,
                                self, self._delivery)
        self._job = self._delivery.job

    @Slot(object)
    def _on_backup_done(self, report: BackupReport) -> None:
        self._job = None
        self.busy.emit(False)
        self.backup_button.setEnabled(True)
        text = self.tr("Backup saved: %1").replace("%1", str(report.copies[0]))
        if report.problems:
            text += "\n" + self.tr("The second copy failed: %1").replace("%1", " ".join(i18n.refusal_text(problem) for problem in report.problems))
        self._say(text, error=bool(report.problems))
        self.refresh()
        self.backup_finished.emit(report)

    @Slot(object)
    def _on_backup_failed(self, error: BaseException) -> None:
        self._job = None
        self.busy.emit(False)
        self.backup_button.setEnabled(True)
        if isinstance(error, StoreError):
            text = self.tr("The backup failed: %1").replace("%1", i18n.refusal_text(error))
        else:
            # A bug: log it with its traceback, and say so rather than pretend.
            log.error("Backup failed", exc_info=error)
            text = self.tr("The backup failed because of an error in the program; it was written to the log.")
        self._say(text, error=True)
        self.refresh()
        self.backup_failed.emit(text)

    @Slot()
    def browse(self) -> None:
        chosen = choose_folder(self, self.folder_edit.text() or str(Path.home()))
        if chosen:
            self.folder_edit.setText(chosen)

    @Slot()
    def save_folder(self) -> None:
        folder = self.folder_edit.text().strip()
        if folder and not Path(folder).expanduser().is_dir():
            self._say(self.tr("The folder %1 does not exist. Plug in the USB stick, or choose another folder.").replace("%1", folder), error=True)
            return
        try:
            self.store.set_setting("backup_folder", folder)
        except StoreError as refusal:
            self._say(i18n.refusal_text(refusal), error=True)
            return
        self._say(self.tr("Backups will also be copied to %1.").replace("%1", folder) if folder else self.tr("Backups are kept in the data folder only."))
        self.refresh()

    @Slot()
    def request_restore(self) -> None:
        chosen = self.selected_backup()
        if chosen is None:
            self._say(self.tr("Choose a backup in the list first."), error=True)
            return
        when = taken_at(chosen)
        documents = _document_count(chosen)
        if documents is None:
            self._say(self.tr("%1 cannot be read: choose another backup.").replace("%1", chosen.name), error=True)
            return
        text = (
            self.tr("Go back to the backup of %1 (%2 documents)?")
            .replace("%1", when.strftime("%d-%m-%Y %H:%M") if when else chosen.name)
            .replace("%2", str(documents))
            + "\n\n"
            + self.tr("Records saved after it will be missing and must be entered again from the slips. "
                      "The database as it is now is kept in the backups folder.")
        )
        if confirm_restore(self, text):
            self.restore_requested.emit(str(chosen))


class DailyBackupScheduler(QObject):
    """Takes the day's backup while the program runs: checks every ``interval_ms`` (and soon
    after start) and backs up in the worker thread when no backup was taken today."""

    backup_finished = Signal(object)
    backup_failed = Signal(str)

    def __init__(self, store: Store, *, first_ms: int = 60_000, interval_ms: int = 15 * 60_000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._job: Job | None = None
        self._delivery: _Delivery | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        # First check soon after start, not at once: opening the program must stay quick.
        QTimer.singleShot(first_ms, self.check)

    @Slot()
    def check(self) -> None:
        if self._job is not None:
            return
        data_dir = self.store.folder.root
        self._delivery = _start(self.store, lambda: run_daily_backup(data_dir), self._done, self._failed, self,
                                self._delivery)
        self._job = self._delivery.job

    @Slot(object)
    def _done(self, report: BackupReport) -> None:
        self._job = None
        if not report.skipped:
            self.backup_finished.emit(report)

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self._job = None
        if isinstance(error, StoreError):
            log.error("Daily backup failed: %s", error.message)
            self.backup_failed.emit(i18n.refusal_text(error))
        else:
            log.error("Daily backup failed: %s: %s", type(error).__name__, error, exc_info=error)
            self.backup_failed.emit(f"{type(error).__name__}: {error}")
