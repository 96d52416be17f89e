"""Every question or message box the program shows, as small functions tests can replace.

Screens call them through the module (``dialogs.ask_text(...)``, never ``from dialogs import``)
so a test can ``monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "wrong patient")``.
Message boxes are opened window-modal with ``open()``, which returns at once: nothing here
runs a nested event loop that an offscreen test could not answer, except the two questions.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from ihms_desk.store.errors import EnvironmentProblem, StoreError
from ihms_desk.ui import i18n

#: The last boxes shown, newest last, so tests (and the bug reporter) can see what was said.
shown: list[tuple[str, str]] = []


def ask_text(parent: QWidget | None, title: str, label: str) -> str | None:
    """A line of text from the user, or None if they cancelled."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal)
    return text if ok else None


def open_file(parent: QWidget | None, title: str, pattern: str) -> Path | None:
    """A file chosen in the system's open-file dialog, or None if they cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, title, "", pattern)
    return Path(name) if name else None


def confirm(parent: QWidget | None, title: str, question: str, *, default_yes: bool = False) -> bool:
    """Yes or no; the safe answer is the default button (No, unless ``default_yes``)."""
    default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title, question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  default)
    return answer == QMessageBox.StandardButton.Yes


def tell_and_wait(parent: QWidget | None, title: str, message: str) -> None:
    """A message the program waits on (it is about to close, for example)."""
    shown.append((title, message))
    QMessageBox.information(parent, title, message)


def inform(parent: QWidget | None, title: str, message: str) -> None:
    _open_box(parent, QMessageBox.Icon.Information, title, message)


def show_problem(parent: QWidget | None, error: StoreError) -> None:
    """An environment problem (disk full, read-only, locked): what happened and what to do."""
    title = QCoreApplication.translate("dialogs", "Nothing was saved") if isinstance(error, EnvironmentProblem) else QCoreApplication.translate("dialogs", "Refused")
    _open_box(parent, QMessageBox.Icon.Warning, title, i18n.refusal_text(error))


def _open_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, message: str) -> None:
    shown.append((title, message))
    del shown[:-20]
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("message_box")
    from PySide6.QtCore import Qt  # here: the first use of Qt costs ~40 ms, not wanted before the first window

    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
