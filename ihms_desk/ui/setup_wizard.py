"""First run on a new data folder, by keyboard, in four pages:

1. **Facility**: from the state's facility package (found beside the program or on a USB stick,
   or opened with Ctrl+O), which fills everything, or chosen from the state's facility list
   (district, block, facility): never typed. The language is chosen here too.
2. **Administrator**: name and password, twice; Enter on the second sets the facility up. The
   starter item catalogue then loads in the worker thread while the next pages are filled.
3. **Users**: a pharmacist, a store clerk, ... added one by one (Enter submits) or from a CSV
   file (found beside the package, or opened).
4. **Stock on the shelf**: a warehouse challan CSV found beside the package is received in one
   key (the same rules as ``ihms-desk import-receipt``), or skipped.

A package's server address and enrolment code are kept for the sync loop, which enrols the
desk by itself the first time the line is up (``ihms_desk.sync.worker``).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLayout,
    QLineEdit, QListWidget, QListWidgetItem, QProgressBar, QStackedWidget, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput, Refusal, StoreError
from ihms_desk.store.model import Facility, ImportReport, ReceiptLine
from ihms_desk.store.users import ROLE_LABELS, Role
from ihms_desk.sync import package as facility_package
from ihms_desk.sync.package import FacilityPackage, PackageError
from ihms_desk.ui import i18n
from ihms_desk.ui.facility_box import FacilityChooser
from ihms_desk.ui.forms import StoreCall, choice_field, note_label, push_button, tab_order, text_field
from ihms_desk.ui.workers import Job, run_in_worker
from ihms_desk import wording
from ihms_desk.wording import Said

#: Extra folders to look in for a package (``;``-separated on Windows, ``:`` elsewhere), for
#: support staff whose stick mounts somewhere unusual.
PACKAGE_DIRS_ENV = "IHMS_PACKAGE_DIRS"
#: The columns that make a CSV file a warehouse challan, or a users file.
CHALLAN_COLUMNS = ("item_code", "batch_no", "expiry", "qty")
USER_COLUMNS = ("username", "full_name", "role", "password")
#: Roles offered for the facility's staff (the administrator is made on the page before).
STAFF_ROLES = (Role.PHARMACIST, Role.STORE_CLERK, Role.IN_CHARGE)


def starter_catalogue() -> Path | None:
    """The bundled starter catalogue, or None if this build has none."""
    from ihms_desk.demo import starter_catalogue_path

    path = starter_catalogue_path()
    return path if path.exists() else None


def trusted_keys() -> dict[str, str]:
    """The state's public keys shipped with the program (tests give their own)."""
    return facility_package.shipped_keys()


def program_folder() -> Path | None:
    """The folder of the program itself (the frozen build's), where a package may be put
    beside it; None when running from source."""
    return Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else None


def removable_drives() -> list[Path]:
    """Roots of the USB sticks and other removable drives plugged in now."""
    if sys.platform == "win32":
        import ctypes

        kernel = ctypes.windll.kernel32
        mask = kernel.GetLogicalDrives()
        drives = []
        for index in range(26):
            if mask & (1 << index):
                root = f"{chr(65 + index)}:\\"
                if kernel.GetDriveTypeW(root) == 2:  # DRIVE_REMOVABLE
                    drives.append(Path(root))
        return drives
    roots: list[Path] = []
    for base in (Path("/media"), Path("/run/media"), Path("/Volumes")):
        try:
            for entry in sorted(base.iterdir()):
                # /media/<user>/<stick> on Linux, /Volumes/<stick> on a Mac.
                roots += sorted(p for p in entry.iterdir() if p.is_dir()) if base != Path("/Volumes") else [entry]
        except OSError:
            continue
    return roots


def package_places() -> list[Path]:
    """Where the wizard looks for facility packages on its own."""
    places = [Path(p) for p in os.environ.get(PACKAGE_DIRS_ENV, "").split(os.pathsep) if p]
    beside = program_folder()
    if beside is not None:
        places.append(beside)
    return places + removable_drives()


def choose_file(parent: QWidget, title: str, pattern: str) -> Path | None:
    """A file chosen in the system's file dialog, or None (tests replace it)."""
    name, _ = QFileDialog.getOpenFileName(parent, title, "", pattern)
    return Path(name) if name else None


def csv_files_with(folders: list[Path], columns: tuple[str, ...]) -> list[Path]:
    """CSV files in ``folders`` whose header has every one of ``columns``."""
    found = []
    for folder in folders:
        try:
            candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        except OSError:
            continue
        for path in candidates:
            try:
                with open(path, encoding="utf-8-sig", newline="") as handle:
                    first = handle.readline()
                # Commas, or the semicolons Excel writes in some locales (store/challan.py reads both).
                header = {name.strip().strip('"').lower() for separator in (",", ";")
                          for name in next(csv.reader([first], delimiter=separator), [])}
            except (OSError, UnicodeDecodeError, csv.Error):
                continue
            if set(columns) <= header:
                found.append(path)
    return found


_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _Page(QWidget):
    """A page of the wizard: Enter anywhere but in a line edit (which has its own Enter) does
    the page's main action.

    A line edit passes Enter on to its parent after its own ``returnPressed`` has moved the
    focus on; the page remembers that the key came from a line edit, so it is not taken twice."""

    def __init__(self, parent: QWidget, primary: Callable[[], None], name: str, intro: str) -> None:
        super().__init__(parent)
        self.primary = primary
        self._enter_from_edit = False
        #: What the page is for, at its top.
        self.intro = note_label(self, f"{name}_intro")
        self.intro.setText(intro)

    def stack(self, *parts: QWidget | QLayout, button: QWidget | None = None) -> None:
        """Lay the intro and ``parts`` out top to bottom, then ``button`` (the page's main
        action) at the right; the height left over stays below them."""
        layout = QVBoxLayout(self)
        for part in (self.intro, *parts):
            if isinstance(part, QLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part)
        if button is not None:
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)

    def watch_line_edits(self) -> None:
        for edit in self.findChildren(QLineEdit):
            edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) and event.key() in _ENTER:
            self._enter_from_edit = True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER:
            event.accept()
            if self._enter_from_edit:
                self._enter_from_edit = False
            elif not isinstance(self.focusWidget(), QLineEdit):
                self.primary()
            return
        super().keyPressEvent(event)


class SetupWizard(QWidget):
    """Emits ``finished(User)`` with the new administrator logged in on the store."""

    finished = Signal(object)
    #: The language was changed in the wizard: the app builds it again in that language.
    language_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None, *, look_for_packages: bool = True) -> None:
        super().__init__(parent)
        self.store = store
        self.setObjectName("setup")
        self.setWindowTitle(self.tr("IHMS Desk — first setup"))
        self.job: Job | None = None
        self.catalogue_loaded = False
        self.errors: dict[str, QLabel] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.package: FacilityPackage | None = None
        self.package_path: Path | None = None
        self.found_packages: list[Path] = []
        self.users_file: Path | None = None
        self.challan_file: Path | None = None
        self.state_list: list[Facility] = store.state_facilities()

        self.pages = QStackedWidget(self)
        self.facility_page = self._build_facility_page()
        self.admin_page = self._build_admin_page()
        self.users_page = self._build_users_page()
        self.stock_page = self._build_stock_page()
        for page in (self.facility_page, self.admin_page, self.users_page, self.stock_page):
            self.pages.addWidget(page)
            page.watch_line_edits()
        self.step_label = QLabel(self)
        self.step_label.setObjectName("step")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: the import does not know its length up front
        self.progress.hide()
        self.status = note_label(self, "setup_status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self._show_step()
        if look_for_packages:
            self.look_for_packages()

    # -- building -----------------------------------------------------------------------------

    def _error(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"error_{field}")
        label.setStyleSheet("color: #b00020;")
        label.setWordWrap(True)
        label.hide()
        self.errors[field] = label
        return label

    def _edit(self, form: QFormLayout, field: str, label: str, placeholder: str = "", *,
              password: bool = False) -> QLineEdit:
        edit = text_field(self, field, placeholder)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edits[field] = edit
        form.addRow(label, edit)
        form.addRow("", self._error(field))
        return edit

    def _build_facility_page(self) -> _Page:
        page = _Page(self, self.facility_chosen, "facility", self.tr(
            "<h2>Set up IHMS Desk for this facility</h2>This is done once. Open the facility package from the "
            "district, or choose the facility from the state's list."))
        self.language_combo = choice_field(page, "language", list(((name, code) for code, name in wording.LANGUAGES.items())))
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(i18n.current_language())))
        self.language_combo.currentIndexChanged.connect(self._on_language_chosen)
        language_row = QFormLayout()
        language_row.addRow(self.tr("&Language"), self.language_combo)

        package_box = QGroupBox(self.tr("Facility package"), page)
        self.package_label = note_label(package_box, "package")
        self.packages_list = QListWidget(package_box)
        self.packages_list.setObjectName("packages")
        self.packages_list.setTabKeyNavigation(False)
        self.packages_list.currentRowChanged.connect(self._on_package_row)
        self.packages_list.hide()
        self.open_package_button = push_button(package_box, "open_package", self.tr("Open package… (Ctrl+O)"),
                                               self.open_package, enter=True)
        package_layout = QVBoxLayout(package_box)
        package_layout.addWidget(self.package_label)
        package_layout.addWidget(self.packages_list)
        package_layout.addWidget(self.open_package_button, 0, Qt.AlignmentFlag.AlignLeft)
        package_layout.addWidget(self._error("package"))

        self.list_box = QGroupBox(self.tr("Or choose from the state's facility list"), page)
        self.chooser = FacilityChooser(self.state_list, self.list_box)
        self.district_combo = self.chooser.district_combo
        self.block_combo = self.chooser.block_combo
        self.facility_combo = self.chooser.facility_combo
        list_layout = QVBoxLayout(self.list_box)
        list_layout.addWidget(self.chooser)
        list_layout.addWidget(self._error("facility"))
        self.chooser.changed.connect(self._show_chosen)

        self.chosen_label = note_label(page, "chosen")
        self.next_button = push_button(page, "next", self.tr("Next (Enter)"), self.facility_chosen)
        QShortcut(QKeySequence("Ctrl+O"), page, self.open_package)

        tab_order(self.language_combo, self.packages_list, self.district_combo, self.block_combo, self.facility_combo,
                  self.next_button, self.open_package_button)
        page.stack(language_row, package_box, self.list_box, self.chosen_label, button=self.next_button)
        return page

    def _build_admin_page(self) -> _Page:
        page = _Page(self, self.set_up, "admin", self.tr(
            "<h2>The administrator</h2>Usually the MO in-charge. This account adds users and changes settings; "
            "keep its password safe."))
        form = QFormLayout()
        self._edit(form, "username", self.tr("&User name"), "admin").setText("admin")
        self._edit(form, "full_name", self.tr("&Full name"), self.tr("Dr. A. Sharma"))
        self._edit(form, "password", self.tr("&Password"), self.tr("at least 6 characters"), password=True)
        self._edit(form, "password2", self.tr("Password &again"), "", password=True)
        order = ["username", "full_name", "password", "password2"]
        for field, following in zip(order, order[1:]):
            self.edits[field].returnPressed.connect(self.edits[following].setFocus)
        self.edits["password2"].returnPressed.connect(self.set_up)
        self.setup_button = push_button(page, "setup_button", self.tr("Set up (Enter)"), self.set_up)
        page.stack(form, self._error("general"), button=self.setup_button)
        return page

    def _build_users_page(self) -> _Page:
        page = _Page(self, self.users_enter, "users", self.tr(
            "<h2>Users</h2>Add the pharmacist, the store clerk and the others, each with their own password: Enter "
            "adds a user. Or import them from a CSV file (username, full_name, role, password). Enter in an empty "
            "user name goes on."))
        form = QFormLayout()
        self.user_edits: dict[str, QLineEdit] = {}
        for field, label, hint in (("username", self.tr("U&ser name"), "kavita"),
                                   ("full_name", self.tr("F&ull name"), "Kavita Sharma")):
            edit = text_field(page, f"user_{field}", hint)
            self.user_edits[field] = edit
            form.addRow(label, edit)
            form.addRow("", self._error(f"user_{field}"))
        self.role_combo = choice_field(page, "user_role", [
            (QCoreApplication.translate("roles", ROLE_LABELS[role]), role.value) for role in STAFF_ROLES])
        form.addRow(self.tr("&Role"), self.role_combo)
        form.addRow("", self._error("user_role"))
        edit = text_field(page, "user_password", self.tr("at least 6 characters"))
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.user_edits["password"] = edit
        form.addRow(self.tr("Pass&word"), edit)
        form.addRow("", self._error("user_password"))
        self.user_edits["username"].returnPressed.connect(self._on_username_enter)
        self.user_edits["full_name"].returnPressed.connect(self.role_combo.setFocus)
        self.user_edits["password"].returnPressed.connect(self.add_user)
        self.role_combo.installEventFilter(self)
        self.add_user_button = push_button(page, "add_user", self.tr("Add user (Enter)"), self.add_user, enter=True)
        self.import_users_button = push_button(page, "import_users", self.tr("Import users from CSV (F3)"),
                                               self.import_users, enter=True)
        QShortcut(QKeySequence("F3"), page, self.import_users)
        self.users_table = QTableWidget(0, 3, page)
        self.users_table.setObjectName("users")
        self.users_table.setHorizontalHeaderLabels([self.tr("User name"), self.tr("Full name"), self.tr("Role")])
        # Tab leaves the table: it lists, it is not typed in.
        self.users_table.setTabKeyNavigation(False)
        self.users_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users_table.verticalHeader().setVisible(False)
        self.users_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users_done_button = push_button(page, "users_done", self.tr("Next (F10)"), self.users_done)
        QShortcut(QKeySequence("F10"), page, self.users_done)
        self.users_note = note_label(page, "users_note")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_user_button)
        buttons.addWidget(self.import_users_button)
        buttons.addStretch(1)
        buttons.addWidget(self.users_done_button)
        layout = QVBoxLayout(page)
        layout.addWidget(page.intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.users_note)
        layout.addWidget(self.users_table, 1)
        tab_order(self.user_edits["username"], self.user_edits["full_name"], self.role_combo,
                  self.user_edits["password"], self.add_user_button, self.import_users_button,
                  self.users_done_button, self.users_table)
        return page

    def _build_stock_page(self) -> _Page:
        page = _Page(self, self.receive_challan, "stock", self.tr(
            "<h2>Stock on the shelf</h2>Receive the warehouse's challan file (CSV) to start with the stock you hold. "
            "You can also receive stock later on the Receive screen."))
        self.challan_label = note_label(page, "challan")
        self.receive_button = push_button(page, "receive_challan", self.tr("Receive this challan and finish (Enter)"),
                                          self.receive_challan)
        self.open_challan_button = push_button(page, "open_challan", self.tr("Open challan… (Ctrl+O)"),
                                               self.open_challan, enter=True)
        QShortcut(QKeySequence("Ctrl+O"), page, self.open_challan)
        self.finish_button = push_button(page, "finish", self.tr("Finish without stock (F10)"), self.finish, enter=True)
        QShortcut(QKeySequence("F10"), page, self.finish)
        buttons = QHBoxLayout()
        buttons.addWidget(self.receive_button)
        buttons.addWidget(self.open_challan_button)
        buttons.addStretch(1)
        buttons.addWidget(self.finish_button)
        page.stack(self.challan_label, self._error("challan"), buttons)
        return page

    def _show_step(self) -> None:
        index = self.pages.currentIndex()
        titles = [self.tr("Facility"), self.tr("Administrator"), self.tr("Users"), self.tr("Stock on the shelf")]
        self.step_label.setText(self.tr("Step {n} of {total}: {title}").format(
            n=index + 1, total=len(titles), title=titles[index]))

    def _go_to(self, page: QWidget, focus: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self._show_step()
        self._focus(focus)

    def _focus(self, widget: QWidget) -> None:
        """Focus ``widget``, also when the window itself is given focus as it is shown."""
        self.setFocusProxy(widget)
        widget.setFocus()

    # -- page 1: the facility -----------------------------------------------------------------

    def look_for_packages(self) -> None:
        """Packages beside the program and on the sticks plugged in: one is taken at once,
        several are listed to choose from (a district's stick may hold them all)."""
        self.found_packages = facility_package.found_in(package_places())
        if len(self.found_packages) == 1:
            self.use_package(self.found_packages[0], keep_focus=True)
            # Enter goes on from here; a key down first makes it Hindi.
            self._focus(self.language_combo)
        elif self.found_packages:
            self.packages_list.clear()
            for path in self.found_packages:
                self.packages_list.addItem(QListWidgetItem(path.name.removesuffix(facility_package.SUFFIX)))
            self.packages_list.show()
            self.package_label.setText(self.tr("{n} facility packages found on {where}: choose this facility's "
                                               "(type the first letters of its code).").format(
                n=len(self.found_packages), where=self.found_packages[0].parent))
            self.packages_list.setCurrentRow(0)
            self._focus(self.packages_list)
        else:
            self.package_label.setText(self.tr("No facility package found beside the program or on a USB stick. "
                                               "Plug the stick in and press Ctrl+O, or choose from the list below."))
            self._focus(self.language_combo)

    @Slot(int)
    def _on_package_row(self, row: int) -> None:
        if 0 <= row < len(self.found_packages):
            self.use_package(self.found_packages[row], keep_focus=True)

    @Slot()
    def open_package(self) -> None:
        path = choose_file(self, self.tr("Open facility package"),
                           self.tr("Facility package (*{suffix})").format(suffix=facility_package.SUFFIX))
        if path is not None:
            self.use_package(path)

    def use_package(self, path: Path, *, keep_focus: bool = False) -> bool:
        """Check the package's signature and fill the facility from it."""
        self.errors["package"].hide()
        keys = trusted_keys()
        try:
            if not keys:
                raise PackageError("package_no_keys")
            found = facility_package.read_file(path, keys)
        except PackageError as error:
            self._say(self.errors["package"], error)
            self.package = self.package_path = None
            self._show_chosen()
            return False
        self.package, self.package_path = found, path
        self.list_box.setEnabled(False)
        until = found.expires_at.astimezone().strftime("%d-%m-%Y")
        text = self.tr("Package for <b>{name}</b> ({code}), {district} · {block} · {type}. The desk enrols with "
                       "{server} by itself when the line is up; code valid until {until}.").format(
            name=found.name, code=found.code, district=found.district, block=found.block, type=found.type,
            server=found.server_url, until=until)
        self.package_label.setText(text)
        if found.expired(dt.datetime.now(dt.timezone.utc)):
            self._say(self.errors["package"], PackageError("package_expired", on=until))
        self._show_chosen()
        if not keep_focus:
            self._focus(self.next_button)
        return True

    def _say(self, label: QLabel, error: StoreError | PackageError) -> None:
        label.setText(i18n.refusal_text(error))
        label.show()

    def chosen_facility(self) -> Facility | None:
        if self.package is not None:
            return Facility(self.package.code, self.package.name, self.package.district, self.package.block,
                            self.package.type)
        return self.chooser.chosen()

    @Slot()
    def _show_chosen(self) -> None:
        facility = self.chosen_facility()
        self.chosen_label.setText("" if facility is None else self.tr(
            "This PC is set up for: <b>{name}</b> ({code}), {district} · {block} · {type}.").format(
            name=facility.name, code=facility.code, district=facility.district, block=facility.block,
            type=facility.type))

    @Slot()
    def facility_chosen(self) -> None:
        if self.chosen_facility() is None:
            self._say(self.errors["facility"], InvalidInput("choose_facility", field="facility"))
            self._focus(self.district_combo)
            return
        self.errors["facility"].hide()
        self._go_to(self.admin_page, self.edits["full_name"])

    @Slot(int)
    def _on_language_chosen(self, index: int) -> None:
        code = str(self.language_combo.itemData(index))
        if code != i18n.current_language():
            self.language_changed.emit(code)

    def values(self) -> dict[str, str]:
        """What has been chosen and typed so far (kept when the wizard is built again in
        another language)."""
        facility = self.chosen_facility()
        return {**{field: edit.text() for field, edit in self.edits.items()},
                "package": str(self.package_path or ""), "facility": facility.code if facility else "",
                "district": str(self.district_combo.currentData() or ""), "block": str(self.block_combo.currentData() or "")}

    def set_values(self, values: dict[str, str]) -> None:
        for field, edit in self.edits.items():
            if field in values:
                edit.setText(values[field])
        if values.get("package"):
            self.use_package(Path(values["package"]))
        elif not self.chooser.choose(values.get("facility", "")):
            for combo, key in ((self.district_combo, "district"), (self.block_combo, "block")):
                combo.setCurrentIndex(max(0, combo.findData(values.get(key, ""))))
        # After a change of language the person goes on where they were: the language box.
        self._focus(self.language_combo)

    # -- page 2: the administrator; the facility is set up -------------------------------------

    def show_refusal(self, error: StoreError) -> None:
        field = error.field if error.field in self.edits else "general"
        self._say(self.errors[field], error)
        if field in self.edits:
            self.edits[field].setFocus()

    @Slot()
    def set_up(self) -> None:
        if self.store.facility() is not None:
            return  # already set up (Enter pressed twice)
        for name in ("username", "full_name", "password", "password2", "general"):
            self.errors[name].hide()
        facility = self.chosen_facility()
        assert facility is not None, "the facility page comes first"
        values = {field: edit.text() for field, edit in self.edits.items()}
        if values["password"] != values["password2"]:
            self.show_refusal(InvalidInput("passwords_differ", field="password2"))
            self.edits["password2"].clear()
            return
        with StoreCall(self, self.show_refusal) as call:
            self.store.set_up(
                code=facility.code, name=facility.name, district=facility.district, block=facility.block,
                type=facility.type, admin_username=values["username"], admin_full_name=values["full_name"],
                admin_password=values["password"],
            )
            self.store.login(values["username"], values["password"])
            self.store.set_setting("language", i18n.current_language())
            self._remember_package()
        if not call.done:
            return
        self.load_catalogue()
        self._offer_users_file()
        self._go_to(self.users_page, self.users_done_button if self.users_file else self.user_edits["username"])

    def _remember_package(self) -> None:
        found = self.package
        if found is None or found.expired(dt.datetime.now(dt.timezone.utc)):
            return
        self.store.remember_package(found.server_url, found.enrolment_code,
                                    expires_at=found.expires_at.isoformat(timespec="seconds"),
                                    package_id=found.package_id, helpline=found.helpline)

    def _folders_beside(self) -> list[Path]:
        """Where files that came with the package are looked for: its folder, else the sticks."""
        return [self.package_path.parent] if self.package_path is not None else package_places()

    def load_catalogue(self) -> None:
        path = starter_catalogue()
        if path is None:
            self.status.setText(self.tr("No starter catalogue in this build: import the item list later (Settings)."))
            self._catalogue_ready()
            return
        self.status.setText(self.tr("Loading the starter item catalogue…"))
        self.progress.show()
        self.job = run_in_worker(self.store, _ImportCatalogue(path), on_finished=self._on_imported,
                                 on_failed=self._on_import_failed, on_progress=self.status.setText)

    @Slot(object)
    def _on_imported(self, report: ImportReport) -> None:
        self.progress.hide()
        self.status.setText(self.tr("{added} items loaded into the catalogue.").format(added=report.added))
        self._catalogue_ready()

    @Slot(object)
    def _on_import_failed(self, error: BaseException) -> None:
        self.progress.hide()
        # The facility is set up; the catalogue can be imported again later.
        self.status.setText(i18n.refusal_text(error) if isinstance(error, StoreError) else str(error))
        self._catalogue_ready()

    def _catalogue_ready(self) -> None:
        self.catalogue_loaded = True
        self._show_challan()

    # -- page 3: users -------------------------------------------------------------------------

    def _offer_users_file(self) -> None:
        found = csv_files_with(self._folders_beside(), USER_COLUMNS)
        self.users_file = found[0] if found else None
        if self.users_file is not None:
            self.users_note.setText(self.tr("Users file found: {file}. Enter adds its users and goes on "
                                            "(F3 adds them only).").format(file=self.users_file))

    @Slot()
    def _on_username_enter(self) -> None:
        if not self.user_edits["username"].text().strip() and not self.user_edits["full_name"].text().strip():
            self.users_done()
        else:
            self.user_edits["full_name"].setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter on the role goes on to the password, as in every other field of the form.
        if watched is self.role_combo and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.user_edits["password"].setFocus()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def add_user(self) -> None:
        for field in ("username", "full_name", "role", "password"):
            self.errors[f"user_{field}"].hide()
        role = str(self.role_combo.currentData())
        with StoreCall(self, self._user_refused) as call:
            user = self.store.create_user(self.user_edits["username"].text(), self.user_edits["full_name"].text(),
                                          role, self.user_edits["password"].text())
        if not call.done:
            return
        self._list_user(user.username, user.full_name, user.role)
        for edit in self.user_edits.values():
            edit.clear()
        # The next user is usually of the next role (pharmacist, then clerk).
        self.role_combo.setCurrentIndex((self.role_combo.currentIndex() + 1) % self.role_combo.count())
        self.user_edits["username"].setFocus()

    def _list_user(self, username: str, full_name: str, role: Role) -> None:
        row = self.users_table.rowCount()
        self.users_table.insertRow(row)
        for column, text in enumerate((username, full_name, QCoreApplication.translate("roles", ROLE_LABELS[role]))):
            self.users_table.setItem(row, column, QTableWidgetItem(text))

    @Slot()
    def users_enter(self) -> None:
        """Enter on the page: the users file that came with the package is taken first (and
        the page stays if a row of it was refused, to show why)."""
        if self.users_file is None or self.import_users():
            self.users_done()

    def _user_refused(self, refusal: Refusal) -> None:
        field = refusal.field if refusal.field in ("username", "full_name", "role", "password") else "username"
        self._say(self.errors[f"user_{field}"], refusal)
        (self.role_combo if field == "role" else self.user_edits[field]).setFocus()

    @Slot()
    def import_users(self) -> bool:
        """Add the users of the file found (or opened); True when every row was taken."""
        path = self.users_file or choose_file(self, self.tr("Import users"), self.tr("CSV file (*.csv)"))
        self.users_file = None  # once: F3 again opens the file dialog
        if path is None:
            return False
        self.errors["user_username"].hide()
        with StoreCall(self, partial(self._say, self.errors["user_username"])) as call:
            report = self.store.import_users_csv(path)
        if not call.done:
            return False
        cells = (self.users_table.item(row, 0) for row in range(self.users_table.rowCount()))
        known = {cell.text() for cell in cells if cell is not None}
        for user in self.store.users():
            if user.role != Role.ADMIN and user.username not in known:
                self._list_user(user.username, user.full_name, user.role)
        lines = [self.tr("{added} users added from {file}.").format(added=report.added, file=path.name)]
        lines += [self.tr("Row {row}: {reason}").format(
            row=row, reason=i18n.refusal_text(reason) if isinstance(reason, Said) else reason)
            for row, reason in report.rejected]
        self.users_note.setText("\n".join(lines))
        self._focus(self.users_done_button)
        return report.ok

    @Slot()
    def users_done(self) -> None:
        self._go_to(self.stock_page, self.receive_button)
        self._show_challan()

    # -- page 4: stock on the shelf ------------------------------------------------------------

    def _show_challan(self) -> None:
        if self.pages.currentWidget() is not self.stock_page:
            return
        if self.challan_file is None:
            found = csv_files_with(self._folders_beside(), CHALLAN_COLUMNS)
            self.challan_file = found[0] if found else None
        if not self.catalogue_loaded:
            self.challan_label.setText(self.tr("Loading the item catalogue first…"))
            self.receive_button.setEnabled(False)
            return
        if self.challan_file is None:
            self.challan_label.setText(self.tr("No challan file found beside the package. Ctrl+O opens one; "
                                               "F10 finishes without stock."))
            self.receive_button.setEnabled(False)
            self._focus(self.finish_button)
            return
        try:
            lines, voucher = _read_challan(self.challan_file)
        except Refusal as refusal:
            self._say(self.errors["challan"], refusal)
            self.receive_button.setEnabled(False)
            self._focus(self.finish_button)
            return
        self.errors["challan"].hide()
        self.challan_label.setText(self.tr("Challan {number} of {date} in {file}: {lines} lines, {units} units.").format(
            number=voucher.get("voucher_no", "?"), date=voucher.get("voucher_date", "?"), file=self.challan_file.name,
            lines=len(lines), units=wording.group_indian(sum(line.qty for line in lines))))
        self.receive_button.setEnabled(True)
        self._focus(self.receive_button)

    @Slot()
    def open_challan(self) -> None:
        path = choose_file(self, self.tr("Open challan"), self.tr("CSV file (*.csv)"))
        if path is not None:
            self.challan_file = path
            self._show_challan()

    @Slot()
    def receive_challan(self) -> None:
        if not self.catalogue_loaded or self.challan_file is None:
            return
        self.errors["challan"].hide()
        with StoreCall(self, partial(self._say, self.errors["challan"])) as call:
            lines, voucher = _read_challan(self.challan_file)
            if not voucher.get("voucher_no") or not voucher.get("voucher_date"):
                raise InvalidInput("voucher_needed")
            document = self.store.receive(source="ddw", voucher_no=voucher["voucher_no"],
                                          voucher_date=voucher["voucher_date"], lines=lines, warn=True)
        if not call.done:
            return
        self.status.setText(self.tr("Saved {number}: {lines} lines received.").format(
            number=document.number, lines=len(document.lines)))
        self.finish()

    @Slot()
    def finish(self) -> None:
        if self.store.user is None or not self.catalogue_loaded:
            return
        self.finished.emit(self.store.user)


def _read_challan(path: Path) -> tuple[list[ReceiptLine], dict[str, str]]:
    # The store's reader (the rules of import-receipt and of the Receive screen's import).
    from ihms_desk.store.challan import read_challan

    challan = read_challan(path)
    return challan.lines, challan.voucher


class _ImportCatalogue:
    """The worker's job: import the CSV on the worker's own connection (no widgets here)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, store: Store, progress: object) -> ImportReport:
        return store.import_catalogue_csv(self.path)
