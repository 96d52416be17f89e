"""The Sync screen: where this desk stands with the state server, enrolment, the events the
server set aside (with its reasons, for the in-charge), and "Sync now".

The screen reads the store (small, quick queries) and never talks to the network itself:
enrolment and syncing go through :class:`~ihms_desk.ui.sync_adapter.SyncAdapter`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QFormLayout, QGroupBox, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from ihms_desk.store import Store
from ihms_desk.sync.worker import SyncStatus, read_status
from ihms_desk.ui.formatting import datetime_local, group_indian
from ihms_desk.ui.i18n import sync_error_text
from ihms_desk.ui.screen import Screen
from ihms_desk.ui.sync_adapter import SyncAdapter


class SyncScreen(Screen):
    """Status, enrolment form, set-aside events and "Sync now"."""

    syncNowRequested = Signal()
    enrolRequested = Signal(str, str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        layout = QVBoxLayout(self)

        status_box = QGroupBox(self.tr("State server"), self)
        status_form = QFormLayout(status_box)
        self.server_label = QLabel(self)
        self.online_label = QLabel(self)
        self.waiting_label = QLabel(self)
        self.last_success_label = QLabel(self)
        self.delivered_label = QLabel(self)
        self.last_error_label = QLabel(self)
        self.last_error_label.setWordWrap(True)
        self.clock_label = QLabel(self)
        self.clock_label.setWordWrap(True)
        status_form.addRow(self.tr("Server"), self.server_label)
        status_form.addRow(self.tr("Connection"), self.online_label)
        status_form.addRow(self.tr("Waiting to be sent"), self.waiting_label)
        status_form.addRow(self.tr("Last success"), self.last_success_label)
        status_form.addRow(self.tr("Delivered"), self.delivered_label)
        status_form.addRow(self.tr("Last error"), self.last_error_label)
        status_form.addRow(self.tr("PC clock"), self.clock_label)
        self.sync_now_button = QPushButton(self.tr("Sync now"), self)
        self.sync_now_button.clicked.connect(self._sync_now)
        status_form.addRow(self.sync_now_button)
        layout.addWidget(status_box)

        enrol_box = QGroupBox(self.tr("Enrol this desk"), self)
        enrol_form = QFormLayout(enrol_box)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://ihms.rajasthan.gov.in")
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText("ABCD-EFGH-JKMN")
        self.enrol_button = QPushButton(self.tr("Enrol"), self)
        self.enrol_button.clicked.connect(self._enrol)
        self.code_edit.returnPressed.connect(self._enrol)
        self.enrol_message = QLabel(self)
        self.enrol_message.setWordWrap(True)
        enrol_form.addRow(self.tr("Server address"), self.url_edit)
        enrol_form.addRow(self.tr("Enrolment code from the district"), self.code_edit)
        enrol_form.addRow(self.enrol_button)
        enrol_form.addRow(self.enrol_message)
        layout.addWidget(enrol_box)

        aside_box = QGroupBox(self.tr("Set aside by the server"), self)
        aside_layout = QVBoxLayout(aside_box)
        aside_note = QLabel(self.tr(
            "These records are kept on this PC but the server did not take them. They never hold up "
            "the others. Show this list to the district."), self)
        # Wrapped: in Hindi the sentence alone is wider than a 1366-pixel screen.
        aside_note.setWordWrap(True)
        aside_layout.addWidget(aside_note)
        self.set_aside_table = QTableWidget(0, 5, self)
        self.set_aside_table.setHorizontalHeaderLabels(
            [self.tr("Document"), self.tr("Type"), self.tr("Sequence"), self.tr("Reason"), self.tr("When")])
        self.set_aside_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.set_aside_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.set_aside_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.set_aside_table.verticalHeader().setVisible(False)
        aside_layout.addWidget(self.set_aside_table)
        layout.addWidget(aside_box, 1)

        self.refresh()

    # -- wiring --------------------------------------------------------------------------------

    def attach_sync(self, adapter: SyncAdapter) -> None:
        """The program's sync loop is running (a Screen's offer): talk to it."""
        self.set_adapter(adapter)

    def set_adapter(self, adapter: SyncAdapter) -> None:
        """Connect to the program's sync adapter: buttons ask it, its news updates the screen."""
        self.syncNowRequested.connect(adapter.syncNow)
        self.enrolRequested.connect(adapter.enrol)
        adapter.statusChanged.connect(self.show_status)
        adapter.enrolFinished.connect(self.show_enrol_result)

    # -- slots ---------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload from the store; the main window calls this when the screen is shown."""
        self.show_status(read_status(self.store))

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        if status.enrolled:
            self.server_label.setText(status.server_url or "")
        else:
            self.server_label.setText(self.tr("Not enrolled yet: enter the address and code below."))
        if status.syncing:
            self.online_label.setText(self.tr("Syncing..."))
        elif status.online is None:
            self.online_label.setText(self.tr("Not tried yet"))
        else:
            connection = self.tr("Online") if status.online else self.tr("Offline")
            if status.last_error and status.next_try_at:
                connection += " " + self.tr("(next try at %1)").replace("%1", datetime_local(status.next_try_at))
            self.online_label.setText(connection)
        self.waiting_label.setText(self.tr("%1 waiting, %2 set aside")
                                   .replace("%1", group_indian(status.waiting))
                                   .replace("%2", group_indian(status.set_aside)))
        self.last_success_label.setText(datetime_local(status.last_success) or self.tr("Never"))
        # A pass that failed half-way still delivered: say how much, so "last success" does not mislead.
        self.delivered_label.setText(self.tr("%1 in the last hour; last at %2")
                                     .replace("%1", group_indian(status.delivered_last_hour))
                                     .replace("%2", datetime_local(status.last_delivery) or self.tr("Never")))
        if status.last_error:
            self.last_error_label.setText(
                sync_error_text(status.last_error, status.last_error_kind, status.last_error_values))
        else:
            self.last_error_label.setText(self.tr("None"))
        if status.clock_skew_seconds is None:
            self.clock_label.setText(self.tr("Not checked yet"))
        elif status.clock_flagged:
            minutes = round(-status.clock_skew_seconds / 60)
            self.clock_label.setText(self.tr(
                "This PC's clock is %1 minutes off the server's. Please set the correct date and time; "
                "sync goes on meanwhile.").replace("%1", group_indian(minutes)))
        else:
            self.clock_label.setText(self.tr("Correct"))
        self._show_set_aside()

    @Slot(bool, str)
    def show_enrol_result(self, ok: bool, message: str) -> None:
        """``message`` comes worded in the user's language (``SyncAdapter.enrolFinished``)."""
        self.enrol_button.setEnabled(True)
        self.enrol_message.setText(message)
        if ok:
            self.code_edit.clear()
        self.refresh()

    @Slot()
    def _sync_now(self) -> None:
        self.online_label.setText(self.tr("Syncing..."))
        self.syncNowRequested.emit()

    @Slot()
    def _enrol(self) -> None:
        url, code = self.url_edit.text().strip(), self.code_edit.text().strip()
        if not url or not code:
            self.enrol_message.setText(self.tr("Type the server address and the enrolment code."))
            return
        self.enrol_button.setEnabled(False)
        self.enrol_message.setText(self.tr("Enrolling..."))
        self.enrolRequested.emit(url, code)

    def _show_set_aside(self) -> None:
        rows = self.store.rejected_events()
        table = self.set_aside_table
        table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = (row["number"], row["type"], str(row["sequence"]), row["reject_reason"] or "",
                      datetime_local(row["acknowledged_at"]))
            for column, value in enumerate(values):
                table.setItem(index, column, QTableWidgetItem(value))
