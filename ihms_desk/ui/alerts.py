"""Alerts the counter must act on: stock-outs, low stock, near expiry, expired on the shelf, sync overdue."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ihms_desk.store import Store


class AlertsScreen(QWidget):
    """Placeholder so the main window can embed the screen; filled in next."""

    #: How many alerts there are now, for the main window's badge.
    count_changed = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Coming soon"), self))

    def set_last_sync(self, when: dt.datetime | None) -> None:
        """The last successful sync (None: never); shown as "sync overdue" after 24 hours."""

    @Slot()
    def refresh(self) -> None:
        """Reload from the store; the main window calls this when the screen is shown."""
        self.count_changed.emit(0)
