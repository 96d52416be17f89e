"""The sync state in the status bar: online or offline, events waiting, last successful sync.

The sync engineer drives it with one call (from the GUI thread; from the sync thread go through
a signal)::

    widget.set_state(online=True, waiting=12, last_success="2026-11-25T09:30:00+00:00", last_error=None)

``online=None`` means sync is not set up on this PC (no server, no device token yet).
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.i18n import sync_error_text


class SyncStatus(QWidget):
    """A small label group; red when offline with events waiting, grey when not set up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("sync_state")
        self.waiting_label = QLabel(self)
        self.waiting_label.setObjectName("sync_waiting")
        self.last_label = QLabel(self)
        self.last_label.setObjectName("sync_last")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(12)
        for label in (self.state_label, self.waiting_label, self.last_label):
            layout.addWidget(label)
        self.online: bool | None = None
        self.waiting = 0
        self.last_success: str | None = None
        self.last_error: str | None = None
        self.set_state(None, 0, None, None)

    @Slot(object, int, object, object)
    def set_state(self, online: bool | None, waiting: int, last_success: str | None, last_error: str | None) -> None:
        """Show the sync state; ``last_success`` is an ISO timestamp, ``last_error`` the reason in
        English as sync records it (shown in the user's language, kept as given)."""
        self.online, self.waiting, self.last_success, self.last_error = online, waiting, last_success, last_error
        if online is None:
            self.state_label.setText(self.tr("Sync: not set up"))
            colour = "#555555"
        elif online:
            self.state_label.setText(self.tr("Sync: online"))
            colour = "#1b6e20"
        else:
            self.state_label.setText(self.tr("Sync: offline"))
            colour = "#b00020"
        self.state_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.waiting_label.setText(self.tr("{n} events waiting").format(n=fmt.qty(waiting)))
        if last_success:
            self.last_label.setText(self.tr("Last sync: {when}").format(when=fmt.datetime_local(last_success)))
        else:
            self.last_label.setText(self.tr("Last sync: never"))
        self.setToolTip(sync_error_text(last_error) if last_error else "")

    @Slot(int)
    def set_waiting(self, waiting: int) -> None:
        """Only the count changed (after a save), keep the rest."""
        self.set_state(self.online, waiting, self.last_success, self.last_error)
