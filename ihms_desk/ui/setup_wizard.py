"""First run on a new data folder: the facility, the first administrator, the language, then
the starter item catalogue is loaded in the worker thread with progress shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem, Refusal, StoreError
from ihms_desk.store.model import ImportReport
from ihms_desk.store.rules import FACILITY_TYPES
from ihms_desk.ui import dialogs, i18n
from ihms_desk.ui.workers import Job, run_in_worker


def starter_catalogue() -> Path | None:
    """The bundled starter catalogue, or None if this build has none."""
    from ihms_desk.demo import starter_catalogue_path

    path = starter_catalogue_path()
    return path if path.exists() else None


class SetupWizard(QWidget):
    """Emits ``finished(User)`` with the new administrator logged in on the store."""

    finished = Signal(object)
    #: The language was changed in the wizard: the app builds it again in that language.
    language_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setObjectName("setup")
        self.setWindowTitle(self.tr("IHMS Desk — first setup"))
        self.job: Job | None = None
        self.errors: dict[str, QLabel] = {}
        self.edits: dict[str, QLineEdit] = {}

        intro = QLabel(self.tr("<h2>Set up IHMS Desk for this facility</h2>"
                               "This is done once. The facility code comes from the state IHMS list."), self)
        intro.setWordWrap(True)
        facility_box = QGroupBox(self.tr("Facility"), self)
        facility_form = QFormLayout(facility_box)
        self._add(facility_form, "code", self.tr("Facility &code"), "RJ-JPR-CHC-014")
        self._add(facility_form, "name", self.tr("Facility &name"), "CHC Chaksu")
        self._add(facility_form, "district", self.tr("&District"), "Jaipur")
        self._add(facility_form, "block", self.tr("&Block"), "Chaksu")
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("type")
        for facility_type in FACILITY_TYPES:
            self.type_combo.addItem(facility_type, facility_type)
        facility_form.addRow(self.tr("&Type"), self.type_combo)
        facility_form.addRow("", self._error("type"))

        admin_box = QGroupBox(self.tr("First administrator"), self)
        admin_form = QFormLayout(admin_box)
        self._add(admin_form, "username", self.tr("&User name"), "admin")
        self._add(admin_form, "full_name", self.tr("&Full name"), "Dr. A. Sharma")
        self._add(admin_form, "password", self.tr("&Password"), "")
        self.edits["password"].setEchoMode(QLineEdit.EchoMode.Password)

        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("language")
        for code, name in i18n.LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(i18n.current_language())))
        self.language_combo.currentIndexChanged.connect(self._on_language_chosen)
        admin_form.addRow(self.tr("&Language"), self.language_combo)

        self.setup_button = QPushButton(self.tr("Set up"), self)
        self.setup_button.setObjectName("setup_button")
        self.setup_button.clicked.connect(self.set_up)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: the import does not know its length up front
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setObjectName("setup_status")
        self.status.setWordWrap(True)
        self.general_error = self._error("general")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(facility_box)
        layout.addWidget(admin_box)
        layout.addWidget(self.general_error)
        layout.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.setFocusProxy(self.edits["code"])

    def _error(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"error_{field}")
        label.setStyleSheet("color: #b00020;")
        label.setWordWrap(True)
        label.hide()
        self.errors[field] = label
        return label

    def _add(self, form: QFormLayout, field: str, label: str, placeholder: str) -> None:
        edit = QLineEdit(self)
        edit.setObjectName(field)
        edit.setPlaceholderText(placeholder)
        edit.returnPressed.connect(self._next_field)
        self.edits[field] = edit
        form.addRow(label, edit)
        form.addRow("", self._error(field))

    @Slot()
    def _next_field(self) -> None:
        self.focusNextChild()

    @Slot(int)
    def _on_language_chosen(self, index: int) -> None:
        code = str(self.language_combo.itemData(index))
        if code != i18n.current_language():
            self.language_changed.emit(code)

    def values(self) -> dict[str, str]:
        """What has been typed so far (kept when the wizard is built again in another language)."""
        return {**{field: edit.text() for field, edit in self.edits.items()}, "type": str(self.type_combo.currentData())}

    def set_values(self, values: dict[str, str]) -> None:
        for field, edit in self.edits.items():
            edit.setText(values.get(field, ""))
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(values.get("type", "CHC"))))

    def show_refusal(self, error: StoreError) -> None:
        label = self.errors.get(error.field or "general", self.general_error)
        label.setText(i18n.refusal_text(error))
        label.show()
        if error.field in self.edits:
            self.edits[error.field].setFocus()

    @Slot()
    def set_up(self) -> None:
        for label in self.errors.values():
            label.hide()
        values = {field: edit.text() for field, edit in self.edits.items()}
        try:
            self.store.set_up(
                code=values["code"], name=values["name"], district=values["district"], block=values["block"],
                type=str(self.type_combo.currentData()), admin_username=values["username"],
                admin_full_name=values["full_name"], admin_password=values["password"],
            )
            self.store.login(values["username"], values["password"])
            self.store.set_setting("language", str(self.language_combo.currentData()))
        except Refusal as refusal:
            self.show_refusal(refusal)
            return
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return
        self.setup_button.setEnabled(False)
        for edit in self.edits.values():
            edit.setEnabled(False)
        self.load_catalogue()

    def load_catalogue(self) -> None:
        path = starter_catalogue()
        if path is None:
            self.status.setText(self.tr("No starter catalogue in this build: import the item list later (Settings)."))
            self.finished.emit(self.store.user)
            return
        self.status.setText(self.tr("Loading the starter item catalogue…"))
        self.progress.show()
        self.job = run_in_worker(self.store, _ImportCatalogue(path), on_finished=self._on_imported,
                                 on_failed=self._on_import_failed, on_progress=self.status.setText)

    @Slot(object)
    def _on_imported(self, report: ImportReport) -> None:
        self.progress.hide()
        self.status.setText(self.tr("{added} items loaded into the catalogue.").format(added=report.added))
        self.finished.emit(self.store.user)

    @Slot(object)
    def _on_import_failed(self, error: BaseException) -> None:
        self.progress.hide()
        if isinstance(error, StoreError):
            self.status.setText(i18n.refusal_text(error))
        else:
            self.status.setText(str(error))
        # The facility is set up; the catalogue can be imported again later.
        self.finished.emit(self.store.user)


class _ImportCatalogue:
    """The worker's job: import the CSV on the worker's own connection (no widgets here)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, store: Store, progress: object) -> ImportReport:
        return store.import_catalogue_csv(self.path)
