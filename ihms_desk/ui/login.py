"""The login screen: user name and password; in demo mode it lists the demo accounts.

It is the program's first window, built before the store is loaded, and it does not touch
PySide6's ``Qt`` namespace: the first use of ``Qt`` builds all of its ~90 enums (40-45 ms), so
centring is done with rich text and stretches instead of alignment flags.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ihms_desk.store.errors import EnvironmentProblem, Refusal
from ihms_desk.ui import dialogs, i18n

if TYPE_CHECKING:
    from ihms_desk.store import Store


class LoginScreen(QWidget):
    """Emits ``logged_in(User)`` once the store accepted the password.

    At start the screen is shown before the store is open (``store=None`` and the facility's
    name read straight from the file): people type while the store loads, and a password
    entered before :meth:`set_store` is checked as soon as it arrives.
    """

    logged_in = Signal(object)

    def __init__(self, store: Store | None, parent: QWidget | None = None, *, demo: bool = False,
                 facility_name: str | None = None) -> None:
        super().__init__(parent)
        self.store = store
        #: A login asked for before the store was open, checked when it is.
        self._login_waiting = False
        self.setObjectName("login")
        self.setWindowTitle(self.tr("IHMS Desk — log in"))
        if store is not None:
            facility = store.facility()
            facility_name = facility.name if facility else None
        self.title_label = title = QLabel(f"<h2 align='center'>{html.escape(facility_name or 'IHMS Desk')}</h2>", self)
        # tr() on its own line: pyside6-lupdate does not see a call inside an f-string.
        subtitle_text = self.tr("Medicine counter · IHMS Desk")
        subtitle = QLabel(f"<p align='center'>{html.escape(subtitle_text)}</p>", self)
        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("username")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("login_error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.login_button = QPushButton(self.tr("Log in"), self)
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        self.username_edit.returnPressed.connect(self._to_password)
        self.password_edit.returnPressed.connect(self.try_login)

        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(box)
        form.addRow(title)
        form.addRow(subtitle)
        form.addRow(self.tr("&User name"), self.username_edit)
        form.addRow(self.tr("&Password"), self.password_edit)
        form.addRow(self.error_label)
        form.addRow(self.login_button)
        self.demo_hint = QLabel(self)
        self.demo_hint.setObjectName("demo_hint")
        self.demo_hint.setWordWrap(True)
        if demo:
            from ihms_desk.demo import DEMO_PASSWORD, DEMO_USERS

            accounts = ", ".join(username for username, _, _ in DEMO_USERS)
            # Two short lines, no word wrap: a wrapped label in a form row gets its height wrong.
            self.demo_hint.setWordWrap(False)
            self.demo_hint.setText(self.tr("Demo CHC. Accounts: {accounts}").format(accounts=accounts) + "\n"
                                   + self.tr("Password for every account: {password}").format(password=DEMO_PASSWORD))
            # setMargin, not CSS padding: a wrapped label with CSS padding gets cut in a form layout.
            self.demo_hint.setStyleSheet("background: #fff3cd;")
            self.demo_hint.setMargin(6)
            form.addRow(self.demo_hint)
        else:
            self.demo_hint.hide()
        # 460 px at the program's 10 pt, wider with a larger text size (Settings) and never
        # narrower than its rows: the demo hint is not wrapped and was cut off at 14 pt.
        box.setFixedWidth(max(round(460 * i18n.text_size() / i18n.BASE_POINT_SIZE), box.sizeHint().width()))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.setFocusProxy(self.username_edit)

    @Slot()
    def _to_password(self) -> None:
        self.password_edit.setFocus()

    def set_store(self, store: Store) -> None:
        """The store has been opened: check a password that was already entered."""
        self.store = store
        if self._login_waiting:
            self._login_waiting = False
            self.try_login()

    @Slot()
    def try_login(self) -> None:
        self.error_label.clear()
        if self.store is None:
            self._login_waiting = True
            return
        try:
            user = self.store.login(self.username_edit.text(), self.password_edit.text())
        except Refusal as refusal:
            self.error_label.setText(i18n.refusal_text(refusal))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return
        self.password_edit.clear()
        self.logged_in.emit(user)
