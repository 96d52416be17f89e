"""Transfer stock out to a ward, a sub-centre or another facility (FEFO)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ihms_desk.store import Store


class TransferScreen(QWidget):
    """Placeholder so the main window can embed the screen; filled in next."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Coming soon"), self))

    @Slot()
    def refresh(self) -> None:
        """Reload from the store; the main window calls this when the screen is shown."""
