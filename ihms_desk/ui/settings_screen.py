"""Settings: the display language (any user), the facility's thresholds (in-charge, admin),
user accounts (admin), one's own password, and where the data lives.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox,
    QVBoxLayout, QWidget,
)

from ihms_desk import __version__, wording
from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem, Refusal, StoreError
from ihms_desk.store.queries import DEFAULT_LOW_STOCK_MONTHS, DEFAULT_NEAR_EXPIRY_DAYS
from ihms_desk.store.reports.consumption import DEFAULT_MAX_MONTHS, DEFAULT_MIN_MONTHS
from ihms_desk.store.users import ROLE_LABELS, Action, Role, User
from ihms_desk.ui import dialogs, i18n
from ihms_desk.ui.facility_box import FacilityBox
from ihms_desk.ui.forms import RowsModel, rows_table
from ihms_desk.ui.screen import Screen


#: key, default shown when never set.
FACILITY_SETTINGS = (
    ("near_expiry_days", str(DEFAULT_NEAR_EXPIRY_DAYS)),
    ("low_stock_months", str(DEFAULT_LOW_STOCK_MONTHS)),
    # The consumption report's stock levels (status below minimum / over maximum).
    ("min_stock_months", str(DEFAULT_MIN_MONTHS)),
    ("max_stock_months", str(DEFAULT_MAX_MONTHS)),
    # An indent line below this many months of AMC is an emergency (docs/indents.md).
    ("emergency_order_months", "0.5"),
    ("backdate_days", "30"),
    ("nightly_sync_time", "21:00"),
    ("backup_folder", ""),
)


def role_label(role: Role) -> str:
    return QCoreApplication.translate("roles", ROLE_LABELS[role])


def _role_names() -> list[str]:
    # Literal calls so pyside6-lupdate extracts the role names into the "roles" context.
    return [QCoreApplication.translate("roles", "Pharmacist"), QCoreApplication.translate("roles", "Store clerk"),
            QCoreApplication.translate("roles", "MO in-charge"), QCoreApplication.translate("roles", "Administrator")]


class UsersModel(RowsModel):
    """Active accounts: user name, full name, role."""

    def __init__(self, parent: QObject | None = None) -> None:
        # translate() with literals, in this class's context: pyside6-lupdate reads them here.
        translate = QCoreApplication.translate
        super().__init__([translate("UsersModel", "User name"), translate("UsersModel", "Full name"),
                          translate("UsersModel", "Role")], _user_cell, parent)

    def set_users(self, users: list[User]) -> None:
        self.set_rows(users)


def _user_cell(user: User, column: int, role: int) -> Any:
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    return (user.username, user.full_name, role_label(user.role))[column]


def _save_order(new_minimum: str, saved_maximum: str) -> list[tuple[str, str]]:
    """The settings in the order they can be saved: the store keeps the minimum months of
    stock below the maximum at every step, so a minimum raised to the old maximum or above
    waits for the new maximum (2-4 to 5-8: the maximum first)."""
    ordered = list(FACILITY_SETTINGS)
    if new_minimum.isdigit() and saved_maximum.isdigit() and int(new_minimum) >= int(saved_maximum):
        keys = [key for key, _default in ordered]
        low, high = keys.index("min_stock_months"), keys.index("max_stock_months")
        ordered[low], ordered[high] = ordered[high], ordered[low]
    return ordered


class SettingsScreen(Screen):
    """Emits ``language_changed(code)`` after the language was saved for this PC."""

    language_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        user = store.user
        self.errors: dict[str, QLabel] = {}

        language_box = QGroupBox(self.tr("Language"), self)
        language_layout = QHBoxLayout(language_box)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("language")
        for code, name in wording.LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.apply_language_button = QPushButton(self.tr("Use this language"), self)
        self.apply_language_button.setObjectName("apply_language")
        self.apply_language_button.clicked.connect(self.apply_language)
        language_layout.addWidget(QLabel(self.tr("Screens and messages in:"), self))
        language_layout.addWidget(self.language_combo)
        language_layout.addWidget(self.apply_language_button)
        language_layout.addSpacing(24)
        # The text size of every screen on this desk (Devanagari at 10 points is small for some).
        self.text_size_spin = QSpinBox(self)
        self.text_size_spin.setObjectName("text_size")
        self.text_size_spin.setRange(i18n.TEXT_SIZES.start, i18n.TEXT_SIZES.stop - 1)
        self.text_size_spin.setSuffix(self.tr(" pt"))
        self.apply_text_size_button = QPushButton(self.tr("Use this text size"), self)
        self.apply_text_size_button.setObjectName("apply_text_size")
        self.apply_text_size_button.clicked.connect(self.apply_text_size)
        size_label = QLabel(self.tr("Text size:"), self)
        size_label.setBuddy(self.text_size_spin)
        language_layout.addWidget(size_label)
        language_layout.addWidget(self.text_size_spin)
        language_layout.addWidget(self.apply_text_size_button)
        language_layout.addStretch(1)

        facility_box = QGroupBox(self.tr("Facility settings"), self)
        facility_form = QFormLayout(facility_box)
        self.setting_edits: dict[str, QLineEdit] = {}
        labels = {
            "near_expiry_days": self.tr("Near expiry warning (days)"),
            "low_stock_months": self.tr("Low stock below (months of stock)"),
            "min_stock_months": self.tr("Minimum stock level (months of stock)"),
            "max_stock_months": self.tr("Maximum stock level (months of stock)"),
            "emergency_order_months": self.tr("Emergency order point (months of stock)"),
            "backdate_days": self.tr("Paper records may be entered up to (days late)"),
            "nightly_sync_time": self.tr("Nightly sync time (HH:MM)"),
            "backup_folder": self.tr("Backup folder (USB drive)"),
        }
        for key, _default in FACILITY_SETTINGS:
            edit = QLineEdit(self)
            edit.setObjectName(key)
            edit.setMaximumWidth(420)
            self.setting_edits[key] = edit
            facility_form.addRow(labels[key], edit)
            facility_form.addRow("", self._error(key))
        self.save_settings_button = QPushButton(self.tr("Save settings"), self)
        self.save_settings_button.clicked.connect(self.save_settings)
        self.settings_message = QLabel(self)
        facility_form.addRow(self.save_settings_button, self.settings_message)
        may_change = user is not None and user.may(Action.CHANGE_SETTINGS)
        facility_box.setEnabled(may_change)
        if not may_change:
            facility_box.setToolTip(self.tr("Only the MO in-charge or the administrator can change these."))

        self.users_box = QGroupBox(self.tr("User accounts"), self)
        users_layout = QVBoxLayout(self.users_box)
        self.users_model = UsersModel(self)
        self.users_view = rows_table(self, self.users_model, "users_table")
        self.users_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users_view.setMinimumHeight(140)
        users_layout.addWidget(self.users_view)
        add_form = QFormLayout()
        self.new_username = QLineEdit(self)
        self.new_full_name = QLineEdit(self)
        self.new_role = QComboBox(self)
        for role in Role:
            self.new_role.addItem(role_label(role), role.value)
        self.new_password = QLineEdit(self)
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        add_form.addRow(self.tr("User name"), self.new_username)
        add_form.addRow("", self._error("username"))
        add_form.addRow(self.tr("Full name"), self.new_full_name)
        add_form.addRow("", self._error("full_name"))
        add_form.addRow(self.tr("Role"), self.new_role)
        add_form.addRow(self.tr("Password"), self.new_password)
        add_form.addRow("", self._error("password"))
        self.add_user_button = QPushButton(self.tr("Add user"), self)
        self.add_user_button.clicked.connect(self.add_user)
        add_form.addRow(self.add_user_button, self._error("general"))
        users_layout.addLayout(add_form)
        self.users_box.setVisible(user is not None and user.may(Action.MANAGE_USERS))

        password_box = QGroupBox(self.tr("My password"), self)
        password_form = QFormLayout(password_box)
        self.own_password = QLineEdit(self)
        self.own_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.change_password_button = QPushButton(self.tr("Change my password"), self)
        self.change_password_button.clicked.connect(self.change_own_password)
        self.password_message = QLabel(self)
        self.password_message.setWordWrap(True)
        password_form.addRow(self.tr("New password"), self.own_password)
        password_form.addRow(self.change_password_button, self.password_message)

        about = QLabel(self.tr("IHMS Desk {version} · data file: {path}").format(version=__version__, path=store.path), self)
        about.setObjectName("about")
        about.setWordWrap(True)
        about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # This desk's facility, correctable until the first sync (ui/facility_box.py).
        self.facility_box = FacilityBox(store, self)
        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        for widget in (language_box, self.facility_box, facility_box, self.users_box, password_box, about):
            inner_layout.addWidget(widget)
        inner_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setFocusProxy(self.language_combo)
        self.refresh()

    def _error(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setStyleSheet("color: #b00020;")
        label.setWordWrap(True)
        label.hide()
        self.errors[field] = label
        return label

    def _show_refusal(self, error: StoreError) -> None:
        label = self.errors.get(error.field or "general", self.errors["general"])
        label.setText(i18n.refusal_text(error))
        label.show()

    @Slot()
    def refresh(self) -> None:
        # The language on screen (the app installs it from the store's setting at start).
        language = i18n.current_language()
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
        self.text_size_spin.setValue(i18n.text_size())
        for key, default in FACILITY_SETTINGS:
            self.setting_edits[key].setText(self.store.setting(key, default))
        if self.users_box.isVisibleTo(self):
            self.users_model.set_users(self.store.users())

    @Slot()
    def apply_language(self) -> None:
        code = str(self.language_combo.currentData())
        try:
            self.store.set_setting("language", code)
        except Refusal as refusal:
            dialogs.show_problem(self, refusal)
            return
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return
        self.language_changed.emit(code)

    @Slot()
    def apply_text_size(self) -> None:
        """Keep the text size for this desk and use it now: the window is built again in it
        (through ``language_changed``, which rebuilds the window in the language it names)."""
        size = str(self.text_size_spin.value())
        try:
            self.store.set_setting("text_size", size)
        except (Refusal, EnvironmentProblem) as problem:
            dialogs.show_problem(self, problem)
            return
        i18n.set_text_size(size)
        self.language_changed.emit(i18n.current_language())

    @Slot()
    def save_settings(self) -> None:
        for label in self.errors.values():
            label.hide()
        changed = 0
        order = _save_order(self.setting_edits["min_stock_months"].text().strip(),
                            self.store.setting("max_stock_months", str(DEFAULT_MAX_MONTHS)))
        for key, default in order:
            value = self.setting_edits[key].text().strip()
            if value == self.store.setting(key, default):
                continue
            try:
                self.store.set_setting(key, value)
            except Refusal as refusal:
                refusal.field = key
                self._show_refusal(refusal)
                return
            except EnvironmentProblem as problem:
                dialogs.show_problem(self, problem)
                return
            changed += 1
        self.settings_message.setText(self.tr("Saved ({n} changed).").format(n=changed))

    @Slot()
    def add_user(self) -> None:
        for label in self.errors.values():
            label.hide()
        try:
            user = self.store.create_user(self.new_username.text(), self.new_full_name.text(),
                                          str(self.new_role.currentData()), self.new_password.text())
        except Refusal as refusal:
            self._show_refusal(refusal)
            return
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return
        for edit in (self.new_username, self.new_full_name, self.new_password):
            edit.clear()
        self.users_model.set_users(self.store.users())
        dialogs.inform(self, self.tr("User added"), self.tr("{name} can now log in as {username}.").format(
            name=user.full_name, username=user.username))

    @Slot()
    def change_own_password(self) -> None:
        user = self.store.user
        if user is None:
            return
        try:
            self.store.set_password(user.username, self.own_password.text())
        except Refusal as refusal:
            self.password_message.setText(i18n.refusal_text(refusal))
            return
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return
        self.own_password.clear()
        self.password_message.setText(self.tr("Password changed."))
