"""Adjust the stock of a batch for a reason: damaged, expired write-off, return, lost, found, correction."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ihms_desk.store import Store


class AdjustScreen(QWidget):
    """Placeholder so the main window can embed the screen; filled in next."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Coming soon"), self))

    @Slot()
    def refresh(self) -> None:
        """Reload from the store; the main window calls this when the screen is shown."""
