"""The OPD dispensing screen: patient, prescription lines with FEFO batches, save, the last dispenses.

Keyboard flow a pharmacist uses all day (issue 12 counts its keys: benchmarks/ui_bench.py)::

    OPD no.  today's next number offered (251202/0043): Enter takes it, typing replaces it;
             an ABHA card's QR or the OPD slip's barcode may be scanned here instead
    name -> age/sex in one field (35M, 6F, 8mF for 8 months) -> prescriber (the last one
             offered) -> item search (3 letters, Enter picks) -> quantity (this item's last
             dose offered: Enter takes it; or 10, 1-0-1 x5, BD 5, 5ml TDS x5) -> item ...
    Ctrl+S / F10 saves; the form is ready for the next patient with the cursor in OPD no.
    Ctrl+R repeats the patient's last slip; Ctrl+N starts the next patient; Ctrl+E brings
    back the last slip to correct it; F2 in the lines opens the batch list; Esc asks first.

What is typed is kept as a draft (ui/drafts.py) and offered back after a power cut.
Every rule (FEFO, expiry, shortfall, quantities, patient fields) is the store's: this screen
asks ``store.plan_dispense`` what would be taken and ``store.dispense`` to save, and shows a
refusal next to the field it names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel, QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, QObject, QPersistentModelIndex,
    Qt, Slot,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QSplitter, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget,
)

from ihms_desk.barcode import BarcodeError, looks_like_abha_qr, parse_patient_scan
from ihms_desk.store import Store
from ihms_desk.store.counter import AgeSex, read_age_sex
from ihms_desk.store.dosage import bottle_ml, read_dose
from ihms_desk.store.errors import EnvironmentProblem, InvalidInput, Refusal, StoreError
from ihms_desk.store.model import DispenseLine, DocumentSummary, Item, ItemHit, LinePlan, Patient, SavedDocument
from ihms_desk.store.users import Action
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui import i18n
from ihms_desk.ui.drafts import DraftKeeper
from ihms_desk.ui.forms import ERROR_STYLE, RowsModel, choice_field, note_label, rows_table, text_field
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.ui.screen import Screen

_Index = QModelIndex | QPersistentModelIndex
#: Prescription lines the table shows without scrolling, even at 1366x698 (issue 12).
MIN_LINES_SHOWN = 6



@dataclass
class PrescriptionLine:
    """One line as typed, and what the store plans to take for it (or why it cannot)."""

    item: Item
    qty_prescribed: int
    qty_text: str
    batch_no: str | None = None
    plan: LinePlan | None = None
    error: str | None = None

    def as_dispense_line(self) -> DispenseLine:
        # qty=None: dispense what there is, and the store records the rest as not available.
        return DispenseLine(self.item.code, self.qty_prescribed, None, self.batch_no, dose=self.qty_text or None)


class DispenseLineModel(QAbstractTableModel):
    """The prescription being entered; the batch column is editable (choose another batch)."""

    NO, CODE, ITEM, PRESCRIBED, DISPENSING, BATCH, EXPIRY, NOTE = range(8)
    COLUMNS = 8

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[PrescriptionLine] = []

    def headers(self) -> list[str]:
        return [self.tr("#"), self.tr("Code"), self.tr("Item"), self.tr("Prescribed"), self.tr("Dispensing"),
                self.tr("Batch"), self.tr("Expiry"), self.tr("Note")]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < self.COLUMNS:
            return self.headers()[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.BATCH:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        column = index.column()
        plan = line.plan
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(index.row(), line, column)
        if role == Qt.ItemDataRole.EditRole and column == self.BATCH:
            return line.batch_no or ""
        if role == Qt.ItemDataRole.BackgroundRole:
            if line.error:
                return fmt.EXPIRED_BG
            if plan is not None and plan.shortfall:
                return fmt.SHORT_BG
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NO, self.PRESCRIBED, self.DISPENSING):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.BATCH:
                return self.tr("F2 or double-click: choose another batch")
            if line.error:
                return line.error
        return None

    def _display(self, row: int, line: PrescriptionLine, column: int) -> Any:
        plan = line.plan
        if column == self.NO:
            return str(row + 1)
        if column == self.CODE:
            return line.item.code
        if column == self.ITEM:
            return fmt.item_label(line.item)
        if column == self.PRESCRIBED:
            return f"{fmt.qty(line.qty_prescribed)} {fmt.unit(line.item.unit_of_issue)}"
        if column == self.DISPENSING:
            return "" if plan is None else fmt.qty(plan.qty)
        if column == self.BATCH:
            if plan is None or not plan.allocations:
                return line.batch_no or "—"
            return ", ".join(f"{a.batch_no} ({fmt.qty(a.qty)})" if len(plan.allocations) > 1 else a.batch_no for a in plan.allocations)
        if column == self.EXPIRY:
            if plan is None:
                return ""
            return ", ".join(dict.fromkeys(fmt.expiry(a.expiry_month) for a in plan.allocations))
        if column == self.NOTE:
            if line.error:
                return line.error
            if plan is not None and plan.shortfall:
                if plan.qty == 0:
                    return self.tr("Not available: none in stock")
                return self.tr("Short by {n}: not available").format(n=fmt.qty(plan.shortfall))
            return ""
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != self.BATCH:
            return False
        line = self.lines[index.row()]
        line.batch_no = str(value).strip() or None
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.COLUMNS - 1))
        return True

    # -- editing the list -------------------------------------------------------------------

    def add(self, line: PrescriptionLine) -> int:
        row = len(self.lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self.lines.append(line)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.lines):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.lines[row]
            self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.lines = []
        self.endResetModel()

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))


class BatchDelegate(QStyledItemDelegate):
    """A list of the item's batches on the shelf (expired ones too, marked, so the store can say no)."""

    def __init__(self, screen: DispenseScreen) -> None:
        super().__init__(screen)
        self.screen = screen

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = QComboBox(parent)
        editor.setObjectName("batch_editor")
        line = self.screen.model.lines[index.row()]
        editor.addItem(self.tr("FEFO (earliest expiry first)"), "")
        try:
            batches = self.screen.store.item_batches(line.item.code)
        except Refusal:
            batches = []
        for batch in batches:
            state = ""
            if batch.expired:
                state = " · " + self.tr("EXPIRED")
            elif batch.near_expiry:
                state = " · " + self.tr("near expiry")
            editor.addItem(f"{batch.batch_no} · {self.tr('exp')} {fmt.expiry(batch.expiry_month)} · {fmt.qty(batch.qty)}{state}",
                           batch.batch_no)
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        current = index.data(Qt.ItemDataRole.EditRole) or ""
        position = editor.findData(current)
        editor.setCurrentIndex(max(0, position))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)


class RecentDispensesModel(RowsModel):
    """The last dispenses saved on this PC, newest first (rows are DocumentSummary)."""

    TIME, PATIENT, NUMBER, LINES, STATUS = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        # translate() with literals, in this class's context: pyside6-lupdate reads them here.
        translate = QCoreApplication.translate
        super().__init__([translate("RecentDispensesModel", "Time"), translate("RecentDispensesModel", "Patient"),
                          translate("RecentDispensesModel", "Number"), translate("RecentDispensesModel", "Lines"),
                          translate("RecentDispensesModel", "Status")], self._cell, parent)

    def _cell(self, row: DocumentSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NUMBER:
                return row.number
            if column == self.TIME:
                # Today's dispenses show only the time; older ones the day as well.
                stamp = fmt.datetime_local(row.created_at)
                return stamp[-5:] if stamp[:10] == fmt.date(dt.date.today()) else stamp[:5] + " " + stamp[-5:]
            if column == self.PATIENT:
                return row.summary
            if column == self.LINES:
                return str(row.lines)
            if column == self.STATUS:
                return self.tr("Reversed by {number}").format(number=row.reversed_by) if row.reversed_by else ""
        if role == Qt.ItemDataRole.ForegroundRole and row.reversed_by:
            return fmt.OUT_OF_STOCK_FG
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.number} · {fmt.datetime_local(row.created_at)} · {row.summary}"
        return None


class DispenseScreen(Screen):
    """OPD dispensing: one patient's prescription at a time, keyboard first."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.chosen: ItemHit | None = None
        self.errors: dict[str, QLabel] = {}
        #: The number of the slip being corrected (Ctrl+E), or None for a new slip.
        self.correcting: str | None = None
        #: The number of today's slip already given to the OPD number typed, if any.
        self.opd_repeat: str | None = None
        self._build()
        self.drafts = DraftKeeper(self, store, "dispense", collect=self.draft_content, restore=self.restore_draft)
        for edit in (self.opd_edit, self.name_edit, self.age_sex_edit, self.abha_edit, self.prescriber_edit):
            edit.textChanged.connect(self.drafts.changed)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset, self.model.dataChanged):
            signal.connect(self.drafts.changed)
        self.refresh()
        self.fill_header()

    # -- building ---------------------------------------------------------------------------

    def _error_label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"error_{field}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self.errors[field] = label
        return label

    def _build(self) -> None:
        self.opd_edit = text_field(self, "opd_no", self.tr("from the OPD slip, or scan it"))
        self.name_edit = text_field(self, "patient_name", self.tr("or scan the ABHA card"))
        self.age_sex_edit = text_field(self, "age_sex", self.tr("35M, 6F, 8mF"))
        self.age_sex_edit.setMaxLength(12)
        self.age_sex_note = note_label(self, "age_sex_note")
        self.abha_edit = text_field(self, "abha", self.tr("optional, 14 digits"))
        self.prescriber_edit = text_field(self, "prescriber", self.tr("Dr. ..."))

        patient_box = QGroupBox(self.tr("Patient"), self)
        grid = QGridLayout(patient_box)
        grid.setContentsMargins(6, 2, 6, 2)
        grid.setVerticalSpacing(1)
        fields = [
            (self.tr("OPD no."), self.opd_edit, "opd_no"),
            (self.tr("Patient name"), self.name_edit, "patient_name"),
            (self.tr("Age/sex"), self.age_sex_edit, "age"),
            (self.tr("ABHA no."), self.abha_edit, "abha"),
            (self.tr("Prescriber"), self.prescriber_edit, "prescriber"),
        ]
        stretch = {"opd_no": 2, "patient_name": 4, "age": 2, "abha": 3, "prescriber": 3}
        for column, (text, widget, field) in enumerate(fields):
            label = QLabel(text, patient_box)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
            grid.addWidget(self._error_label(field), 2, column)
            grid.setColumnStretch(column, stretch[field])
        self.errors["sex"] = self.errors["age"]
        grid.addWidget(self.age_sex_note, 3, 2)
        # A repeated OPD number is a warning, not a refusal: shown under the field in amber.
        self.opd_warning = note_label(self, "opd_warning")
        self.opd_warning.setStyleSheet(f"background: {fmt.SHORT_BG.name()};")
        self.opd_warning.hide()
        grid.addWidget(self.opd_warning, 3, 0, 1, 2)

        self.picker = ItemPicker(self.store, self, visible_rows=8, popup_over=self)
        self.picker.item_chosen.connect(self.on_item_chosen)
        self.errors["item"] = self.picker.error_label
        self.qty_edit = text_field(self, "quantity", self.tr("10, 1-0-1 x5, BD 5, 5ml TDS x5"))
        self.qty_result = QLabel(self)
        self.qty_result.setObjectName("qty_result")
        self.chosen_label = note_label(self, "chosen_item")

        entry_box = QGroupBox(self.tr("Prescription"), self)
        entry = QGridLayout(entry_box)
        entry.setContentsMargins(6, 2, 6, 2)
        entry.setVerticalSpacing(1)
        item_label = QLabel(self.tr("&Item"), entry_box)
        item_label.setBuddy(self.picker.line_edit)
        qty_label = QLabel(self.tr("&Quantity"), entry_box)
        qty_label.setBuddy(self.qty_edit)
        entry.addWidget(item_label, 0, 0)
        entry.addWidget(qty_label, 0, 1)
        entry.addWidget(self.picker, 1, 0)
        entry.addWidget(self.qty_edit, 1, 1)
        entry.addWidget(self.qty_result, 1, 2)
        entry.addWidget(self.chosen_label, 2, 0)
        entry.addWidget(self._error_label("quantity"), 2, 1, 1, 2, Qt.AlignmentFlag.AlignTop)
        entry.setColumnStretch(0, 5)
        entry.setColumnStretch(1, 2)
        entry.setColumnStretch(2, 2)

        self.model = DispenseLineModel(self)
        self.model.dataChanged.connect(self._on_line_changed)
        self.lines_view = QTableView(self)
        self.lines_view.setObjectName("lines")
        self.lines_view.setModel(self.model)
        self.lines_view.setItemDelegateForColumn(DispenseLineModel.BATCH, BatchDelegate(self))
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.lines_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.lines_view.verticalHeader().setVisible(False)
        # Tab leaves the table for the next field (arrows move inside it): issue 12's Tab path.
        self.lines_view.setTabKeyNavigation(False)
        header = self.lines_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DispenseLineModel.ITEM, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DispenseLineModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.lines_view.installEventFilter(self)
        row_height = self.lines_view.verticalHeader().defaultSectionSize()
        # Six lines at least (issue 12: a maximised window above the taskbar is 1366x698).
        self.lines_view.setMinimumHeight(header.sizeHint().height() + row_height * MIN_LINES_SHOWN + 4)
        lines_hint = QLabel(self.tr("F2 on the batch column: choose another batch · Delete: remove the line"), self)
        lines_hint.setStyleSheet("color: #555555;")

        self.save_button = QPushButton(self.tr("Save (Ctrl+S / F10)"), self)
        self.save_button.setObjectName("save")
        self.save_button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton(self.tr("New patient (Ctrl+N)"), self)
        self.clear_button.setObjectName("new_patient")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.ask_new_patient)
        self.repeat_button = QPushButton(self.tr("Repeat last (Ctrl+R)"), self)
        self.repeat_button.setObjectName("repeat")
        self.repeat_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.repeat_button.clicked.connect(self.repeat_last)
        self.correct_button = QPushButton(self.tr("Correct last slip (Ctrl+E)"), self)
        self.correct_button.setObjectName("correct")
        self.correct_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.correct_button.clicked.connect(self.correct_last)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setMargin(2)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        general_error = self._error_label("general")
        self.errors["lines"] = general_error
        self.errors["batch"] = general_error
        self.errors["reason"] = general_error
        self.errors["number"] = general_error

        self.recent_model = RecentDispensesModel(self)
        self.recent_view = rows_table(self, self.recent_model, "recent")
        # Narrow column: the date is today's anyway, the patient cell wraps into the tooltip.
        self.recent_view.setWordWrap(False)
        self.recent_view.setTabKeyNavigation(False)
        self.return_button = QPushButton(self.tr("Patient return…"), self)
        self.return_button.setObjectName("patient_return")
        self.return_button.clicked.connect(self.return_selected)
        self.reverse_button = QPushButton(self.tr("Reverse selected…"), self)
        self.reverse_button.setObjectName("reverse")
        self.reverse_button.clicked.connect(self.reverse_selected)
        user = self.store.user
        self.reverse_button.setVisible(user is not None and user.may(Action.REVERSE))

        buttons = QHBoxLayout()
        for button in (self.save_button, self.clear_button, self.repeat_button, self.correct_button):
            buttons.addWidget(button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(3)
        left_layout.addWidget(patient_box)
        left_layout.addWidget(entry_box)
        left_layout.addWidget(self.lines_view, 1)
        left_layout.addWidget(lines_hint)
        left_layout.addWidget(general_error)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.message)

        recent_box = QGroupBox(self.tr("Last dispenses"), self)
        recent_layout = QVBoxLayout(recent_box)
        recent_layout.setContentsMargins(4, 2, 4, 2)
        recent_layout.addWidget(self.recent_view, 1)
        recent_buttons = QHBoxLayout()
        recent_buttons.addWidget(self.return_button)
        recent_buttons.addWidget(self.reverse_button)
        recent_layout.addLayout(recent_buttons)

        # The last dispenses sit beside the form, not under it: the lines table needs the height.
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(recent_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        for edit in (self.opd_edit, self.name_edit, self.age_sex_edit, self.abha_edit, self.prescriber_edit):
            edit.installEventFilter(self)
        self.age_sex_edit.textChanged.connect(self._on_age_sex_text)
        self.qty_edit.installEventFilter(self)
        self.qty_edit.returnPressed.connect(self.add_line)
        self.qty_edit.textChanged.connect(self._on_qty_text)
        # The picker itself, not its line edit: Tab out of a focus proxy follows its owner's place.
        order = [self.opd_edit, self.name_edit, self.age_sex_edit, self.abha_edit, self.prescriber_edit,
                 self.picker, self.qty_edit, self.lines_view, self.save_button, self.recent_view,
                 self.return_button, self.reverse_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self._shortcut(("Ctrl+S", "F10"), self.save)
        self._shortcut(("Ctrl+N",), self.ask_new_patient)
        self._shortcut(("Ctrl+R",), self.repeat_last)
        self._shortcut(("Ctrl+E",), self.correct_last)
        self.setFocusProxy(self.opd_edit)

    def _shortcut(self, sequences: tuple[str, ...], slot: Any) -> None:
        for sequence in sequences:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def shortcuts(self) -> list[tuple[str, str]]:
        return [("Ctrl+S", self.tr("save")), ("Ctrl+N", self.tr("new patient")), ("Ctrl+R", self.tr("repeat last")),
                ("Ctrl+E", self.tr("correct last slip")), ("F2", self.tr("batch (in the lines)"))]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.picker._place_popup()  # the floating results follow the field

    # -- refresh ----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload the last dispenses and re-plan the lines (stock may have changed elsewhere)."""
        try:
            self.recent_model.set_rows(self.store.recent_dispenses(20))
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
        self._replan()

    def fill_header(self) -> None:
        """Today's next OPD number (selected: typing replaces it) and the prescriber last used."""
        try:
            self.opd_edit.setText(self.store.next_opd_no())
            if not self.prescriber_edit.text().strip():
                self.prescriber_edit.setText(self.store.last_prescriber())
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
        self.opd_edit.selectAll()

    # -- drafts -----------------------------------------------------------------------------

    def draft_content(self) -> dict[str, Any] | None:
        """What is typed, for the draft; None when there is nothing worth keeping."""
        if not self.model.lines and not self.name_edit.text().strip() and not self.abha_edit.text().strip():
            return None
        return {
            "opd_no": self.opd_edit.text(), "patient_name": self.name_edit.text(), "age_sex": self.age_sex_edit.text(),
            "abha": self.abha_edit.text(), "prescriber": self.prescriber_edit.text(), "correcting": self.correcting,
            "lines": [{"item_code": line.item.code, "qty": line.qty_prescribed, "dose": line.qty_text,
                       "batch_no": line.batch_no} for line in self.model.lines],
        }

    def restore_draft(self, content: dict[str, Any]) -> None:
        self.new_patient(discard_draft=False)
        for edit, key in ((self.opd_edit, "opd_no"), (self.name_edit, "patient_name"), (self.age_sex_edit, "age_sex"),
                          (self.abha_edit, "abha"), (self.prescriber_edit, "prescriber")):
            edit.setText(str(content.get(key) or ""))
        self.correcting = content.get("correcting") or None
        for line in content.get("lines") or []:
            try:
                item = self.store.item(str(line["item_code"]))
            except Refusal:
                continue  # withdrawn from the catalogue since: the pharmacist types it again
            self.model.add(PrescriptionLine(item, int(line["qty"]), str(line.get("dose") or line["qty"]),
                                            line.get("batch_no") or None))
        self._replan()
        self._say(self.tr("The unsaved prescription is back: check it and save (Ctrl+S)."), ok=True)
        self.picker.setFocus()

    def unsaved_work(self) -> str:
        """What would be lost by leaving (for the window's question), or "" for nothing."""
        if self.model.lines:
            return self.tr("{n} lines of {name} not saved").format(n=len(self.model.lines), name=self.name_edit.text().strip())
        return ""

    # -- errors -----------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in set(self.errors.values()):
            label.clear()
            label.hide()

    def show_refusal(self, error: StoreError) -> None:
        """Show a refusal next to its field (or under the lines), and put the cursor there."""
        text = i18n.refusal_text(error)
        field = error.field or "general"
        if field == "qty_prescribed":
            field = "quantity"
        label = self.errors.get(field, self.errors["general"])
        label.setText(text)
        label.show()
        focus = {
            "opd_no": self.opd_edit, "patient_name": self.name_edit, "age": self.age_sex_edit, "sex": self.age_sex_edit,
            "abha": self.abha_edit, "prescriber": self.prescriber_edit, "item": self.picker.line_edit,
            "quantity": self.qty_edit, "batch": self.lines_view, "lines": self.picker.line_edit,
        }.get(field)
        if focus is not None:
            focus.setFocus()

    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setStyleSheet(f"background: {(fmt.OK_BG if ok else fmt.SHORT_BG).name()};")
        self.message.setText(text)

    # -- the header -------------------------------------------------------------------------

    def _header_enter(self, edit: QLineEdit) -> None:
        """Enter in a header field: a scan is read, a field is checked, the cursor moves on.
        OPD no. -> name -> age/sex -> prescriber -> item (ABHA no. is reached by Tab or a scan)."""
        if looks_like_abha_qr(edit.text()):
            self.read_scan(edit)
            return
        if edit is self.opd_edit:
            self.check_opd_repeat()
            self.name_edit.setFocus()
        elif edit is self.name_edit:
            self.age_sex_edit.setFocus()
            self.age_sex_edit.selectAll()
        elif edit is self.age_sex_edit:
            if self.check_age_sex() is not None:
                self.prescriber_edit.setFocus()
                self.prescriber_edit.selectAll()
        elif edit is self.abha_edit:
            self.prescriber_edit.setFocus()
        elif edit is self.prescriber_edit:
            self.picker.setFocus()

    def read_scan(self, edit: QLineEdit) -> None:
        """What the scanner typed into a header field: an ABHA card's QR fills the patient, an
        OPD slip's barcode is the OPD number (it arrives in the OPD field with its Enter)."""
        text = edit.text()
        edit.setText(self._before_scan.get(edit, ""))
        try:
            scan = parse_patient_scan(text)
        except BarcodeError as error:
            self.errors["opd_no"].setText(i18n.refusal_text(error))
            self.errors["opd_no"].show()
            return
        if scan.name:
            self.name_edit.setText(scan.name)
        if scan.abha:
            self.abha_edit.setText(scan.abha)
        if scan.year_of_birth and scan.sex:
            age = max(0, self.store.today().year - scan.year_of_birth)
            self.age_sex_edit.setText(f"{age}{scan.sex}")
        elif scan.sex:
            self.age_sex_edit.setText(scan.sex)
        # The cursor goes to the first field the card did not fill.
        if not self.name_edit.text().strip():
            self.name_edit.setFocus()
        elif self.check_age_sex(show=False) is None:
            self.age_sex_edit.setFocus()
            self.age_sex_edit.setCursorPosition(0)
        else:
            self.prescriber_edit.setFocus()
            self.prescriber_edit.selectAll()

    def check_opd_repeat(self) -> str | None:
        """Warn (not refuse) when today's slip was already given to this OPD number."""
        text = self.opd_edit.text().strip()
        self.opd_repeat = self.store.opd_dispensed_today(text) if text and self.correcting is None else None
        if self.opd_repeat:
            self.opd_warning.setText(self.tr("OPD no. {opd} was already given medicines today ({number}).").format(
                opd=text, number=self.opd_repeat))
            self.opd_warning.show()
        else:
            self.opd_warning.hide()
        return self.opd_repeat

    def check_age_sex(self, *, show: bool = True) -> AgeSex | None:
        """The age and sex typed, or None (and, with ``show``, the refusal under the field)."""
        try:
            age = read_age_sex(self.age_sex_edit.text())
            if age.sex is None:
                raise InvalidInput("choose_sex", field="sex")
        except Refusal as refusal:
            if show:
                self.show_refusal(refusal)
            return None
        self.errors["age"].hide()
        return age

    @Slot(str)
    def _on_age_sex_text(self, text: str) -> None:
        """Say how the field was read ("8 months · female"), so a wrong case shows at once."""
        try:
            age = read_age_sex(text)
        except Refusal:
            self.age_sex_note.clear()
            return
        sex = {"M": self.tr("male"), "F": self.tr("female"), "O": self.tr("other")}.get(age.sex or "", self.tr("sex?"))
        years = (self.tr("{n} months").format(n=age.months) if age.months is not None
                 else self.tr("{n} years").format(n=age.years))
        self.age_sex_note.setText(f"{years} · {sex}")

    # -- entering lines ---------------------------------------------------------------------

    @Slot(object)
    def on_item_chosen(self, hit: ItemHit) -> None:
        self.chosen = hit
        if hit.usable_qty > 0:
            stock = self.tr("{qty} {unit} in stock, nearest expiry {expiry}").format(
                qty=fmt.qty(hit.usable_qty), unit=fmt.unit(hit.item.unit_of_issue), expiry=fmt.expiry(hit.nearest_expiry))
        else:
            stock = self.tr("OUT OF STOCK: the line will be recorded as not available")
        self.chosen_label.setText(f"<b>{hit.item.code} · {fmt.item_label(hit.item)}</b> — {stock}")
        # The dose this counter last gave of it, offered: Enter takes it, typing replaces it.
        try:
            dose = self.store.remembered_doses([hit.item.code]).get(hit.item.code, "")
        except EnvironmentProblem:
            dose = ""
        self.qty_edit.setText(dose)
        self._on_qty_text(dose)
        self.qty_edit.setFocus()
        self.qty_edit.selectAll()

    def _bottle(self) -> int | None:
        item = self.chosen.item if self.chosen else None
        return bottle_ml(item.name) if item is not None and item.unit_of_issue == "bottle" else None

    @Slot(str)
    def _on_qty_text(self, text: str) -> None:
        """The quantity the typed dose comes to, shown before Enter accepts it."""
        self.errors["quantity"].hide()
        if not text.strip():
            self.qty_result.clear()
            return
        try:
            dose = read_dose(text, bottle=self._bottle())
        except Refusal:
            self.qty_result.setText(self.tr("? type 10, 1-0-1 x5, BD 5, TDS x5"))
            return
        unit = fmt.unit(self.chosen.item.unit_of_issue) if self.chosen else ""
        volume = f" ({fmt.qty(int(dose.millilitres))} ml)" if dose.millilitres is not None else ""
        self.qty_result.setText(f"= <b>{fmt.qty(dose.units)}</b> {unit}{volume}")

    @Slot()
    def add_line(self) -> None:
        """Add the chosen item with the typed quantity, then go back to the item search."""
        self.errors["quantity"].hide()
        self.picker.set_error(None)
        if self.chosen is None:
            self.picker.set_error(self.tr("Pick an item first: type its name and press Enter."))
            self.picker.setFocus()
            return
        try:
            quantity = read_dose(self.qty_edit.text(), bottle=self._bottle()).units
        except Refusal as refusal:
            self.show_refusal(refusal)
            return
        code = self.chosen.item.code
        for number, line in enumerate(self.model.lines, start=1):
            if line.item.code == code:
                self.picker.set_error(self.tr("{code} is already on line {n}: delete that line to change it.").format(
                    code=code, n=number))
                self.picker.setFocus()
                return
        row = self.model.add(PrescriptionLine(self.chosen.item, quantity, " ".join(self.qty_edit.text().split())))
        self._plan_row(row)
        self.lines_view.scrollTo(self.model.index(row, 0))
        self.chosen = None
        self.chosen_label.clear()
        self.qty_edit.clear()
        self.picker.clear()
        self.picker.setFocus()

    def _plan_row(self, row: int) -> None:
        line = self.model.lines[row]
        try:
            line.plan = self.store.plan_dispense([line.as_dispense_line()])[0]
            line.error = None
        except Refusal as refusal:
            line.plan = None
            line.error = i18n.refusal_text(refusal)
        self.model.row_changed(row)

    def _replan(self) -> None:
        for row in range(len(self.model.lines)):
            self._plan_row(row)

    @Slot(QModelIndex, QModelIndex)
    def _on_line_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        # A batch was chosen in the table: ask the store again what this line would take.
        line = self.model.lines[top_left.row()] if 0 <= top_left.row() < len(self.model.lines) else None
        if line is None or self._planning:
            return
        self._planning = True
        try:
            self._plan_row(top_left.row())
        finally:
            self._planning = False
        if line.error:
            self.errors["general"].setText(line.error)
            self.errors["general"].show()
        else:
            self.errors["general"].hide()

    _planning = False

    @Slot()
    def remove_current_line(self) -> None:
        index = self.lines_view.currentIndex()
        if index.isValid():
            self.model.remove(index.row())

    def edit_batch(self) -> None:
        """F2 in the lines: the batch list of the current line opens (not the window's F2)."""
        index = self.lines_view.currentIndex()
        row = index.row() if index.isValid() else (0 if self.model.lines else -1)
        if row < 0:
            return
        batch = self.model.index(row, DispenseLineModel.BATCH)
        self.lines_view.setCurrentIndex(batch)
        self.lines_view.edit(batch)

    #: Header fields' text before a key went in, so a scan typed over them can be undone.
    _before_scan: dict[QLineEdit, str] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and watched is self.lines_view:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_F2 and not event.modifiers():
                event.accept()  # F2 here is the batch list, not the window's Dispense key
                return True
        if kind == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self._before_scan = {watched: watched.text()}
        if kind != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and isinstance(watched, QLineEdit) and watched in self._header_edits():
            self._header_enter(watched)
            return True
        if watched is self.lines_view:
            if key == Qt.Key.Key_Delete:
                self.remove_current_line()
                return True
            if key == Qt.Key.Key_F2:
                self.edit_batch()
                return True
        if watched is self.qty_edit and key == Qt.Key.Key_Escape:
            # Wrong item picked: back to the search, nothing added.
            self.chosen = None
            self.chosen_label.clear()
            self.qty_edit.clear()
            self.picker.setFocus()
            self.picker.line_edit.selectAll()
            return True
        if key == Qt.Key.Key_Escape and (watched in self._header_edits() or watched is self.lines_view):
            self.escape()
            return True
        return super().eventFilter(watched, event)

    def _header_edits(self) -> tuple[QLineEdit, ...]:
        return (self.opd_edit, self.name_edit, self.age_sex_edit, self.abha_edit, self.prescriber_edit)

    @Slot()
    def escape(self) -> None:
        """Esc in the header or the lines: leave a correction, or empty the form after asking."""
        if self.correcting is not None:
            if dialogs.confirm(self, self.tr("Correction"), self.tr(
                    "Stop correcting {number}? It stays as it was saved.").format(number=self.correcting)):
                self.new_patient()
            return
        self.ask_new_patient()

    # -- saving -----------------------------------------------------------------------------

    def patient(self) -> Patient:
        """The patient as typed; a bad age or sex is refused by the store, next to the field."""
        try:
            age = read_age_sex(self.age_sex_edit.text())
        except Refusal:
            age = None
        return Patient(
            opd_no=self.opd_edit.text(),
            name=self.name_edit.text(),
            age=age.years if age else -1,
            sex=(age.sex or "") if age else "",
            abha=self.abha_edit.text().strip() or None,
            age_months=age.months if age else None,
        )

    @Slot()
    def save(self) -> SavedDocument | None:
        """Save the prescription; on success the screen is ready for the next patient."""
        self.clear_errors()
        if self.chosen is not None and self.qty_edit.text().strip():
            # Item and quantity typed but Enter not pressed: the pharmacist means that line too.
            self.add_line()
            if self.chosen is not None:
                return None
        if self.check_age_sex() is None:
            return None
        lines = [line.as_dispense_line() for line in self.model.lines]
        try:
            if self.correcting is not None:
                return self._save_correction(lines)
            if self.check_opd_repeat() and not dialogs.confirm(self, self.tr("Same OPD number"), self.tr(
                    "OPD no. {opd} was already given medicines today ({number}). Save another slip for it?").format(
                    opd=self.opd_edit.text().strip(), number=self.opd_repeat)):
                self.opd_edit.setFocus()
                return None
            document = self.store.dispense(patient=self.patient(), prescriber=self.prescriber_edit.text(), lines=lines)
        except Refusal as refusal:
            self.show_refusal(refusal)
            self.message.clear()
            return None
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return None
        self._say_saved(document)
        self._after_save(document)
        return document

    def _save_correction(self, lines: list[DispenseLine]) -> SavedDocument | None:
        number = self.correcting
        assert number is not None
        reason = dialogs.ask_text(self, self.tr("Correct {number}").format(number=number),
                                  self.tr("What was wrong (for example: wrong strength)?"))
        if reason is None:
            return None
        fixed = self.store.correct_dispense(number, patient=self.patient(), prescriber=self.prescriber_edit.text(),
                                            lines=lines, reason=reason)
        self._say_saved(fixed.dispense)
        self.message.setText(self.tr("{old} corrected: reversed by {reversal} and saved again as {new}.").format(
            old=number, reversal=fixed.reversal.number, new=fixed.dispense.number) + " " + self.message.text())
        self.saved.emit(fixed.reversal)
        self._after_save(fixed.dispense)
        return fixed.dispense

    def _after_save(self, document: SavedDocument) -> None:
        self.new_patient()
        self.recent_model.set_rows(self.store.recent_dispenses(20))
        self.saved.emit(document)

    def _say_saved(self, document: SavedDocument) -> None:
        header = document.header
        text = self.tr("Saved {number}: {name}, {lines} lines.").format(
            number=document.number, name=header.get("patient_name", ""), lines=len(document.lines))
        if document.shortfalls:
            names = {line.item.code: line.item for line in self.model.lines}
            parts = []
            for short in document.shortfalls:
                item = names.get(short["item_code"])
                label = fmt.item_label(item) if item else short["item_code"]
                unit = fmt.unit(item.unit_of_issue) if item else ""
                parts.append(f"{label} {fmt.qty(short['not_available'])} {unit}".strip())
            text += " " + self.tr("NOT AVAILABLE (write NA on the slip): {items}.").format(items="; ".join(parts))
        self._say(text, ok=not document.shortfalls)

    @Slot()
    def ask_new_patient(self) -> None:
        """Ctrl+N: the next patient; typed lines not saved are dropped only after asking."""
        unsaved = self.unsaved_work()
        if unsaved and not dialogs.confirm(self, self.tr("New patient"), self.tr(
                "{what}. Drop them and start the next patient?").format(what=unsaved)):
            return
        self.new_patient()

    @Slot()
    def new_patient(self, *, discard_draft: bool = True) -> None:
        """Empty the form for the next patient, the next OPD number offered in OPD no."""
        for edit in (self.name_edit, self.age_sex_edit, self.abha_edit, self.qty_edit):
            edit.clear()
        # The prescriber often stays the same for a run of slips, so it is kept on purpose.
        self.model.clear()
        self.picker.clear()
        self.chosen = None
        self.chosen_label.clear()
        self.correcting = None
        self.opd_repeat = None
        self.opd_warning.hide()
        self.title_changed.emit("")
        self.clear_errors()
        self.fill_header()
        if discard_draft:
            self.drafts.discard()
        self.opd_edit.setFocus()
        self.opd_edit.selectAll()

    # -- repeating and correcting ---------------------------------------------------------------

    @Slot()
    def repeat_last(self) -> None:
        """Ctrl+R: the lines of this patient's last slip (found by ABHA no., else name and sex)."""
        age = self.check_age_sex(show=not self.abha_edit.text().strip())
        if age is None and not self.abha_edit.text().strip():
            return
        last = self.store.last_prescription(name=self.name_edit.text(), sex=age.sex if age and age.sex else "",
                                            abha=self.abha_edit.text().strip() or None)
        if last is None:
            self.picker.set_error(self.tr("No earlier slip of {name} in the last 90 days: type the lines.").format(
                name=self.name_edit.text().strip()))
            self.picker.setFocus()
            return
        have = {line.item.code for line in self.model.lines}
        for line in last.lines:
            if line.item.code not in have:
                row = self.model.add(PrescriptionLine(line.item, line.qty_prescribed, line.dose or str(line.qty_prescribed)))
                self._plan_row(row)
        self._say(self.tr("Lines of {number} ({date}) repeated: check them and save (Ctrl+S).").format(
            number=last.number, date=fmt.date(dt.date.fromisoformat(last.doc_date))), ok=True)
        self.picker.setFocus()

    @Slot()
    def correct_last(self) -> None:
        """Ctrl+E: this pharmacist's last slip back in the form, to be saved as it should be."""
        if self.unsaved_work():
            self.ask_new_patient()
            if self.model.lines:
                return
        try:
            number = self.store.check_correctable(None)["number"]
            document = self.store.document(number)
        except Refusal as refusal:
            self.show_refusal(refusal)
            return
        self.new_patient(discard_draft=False)
        header = document.header
        self.opd_edit.setText(str(header.get("opd_no", "")))
        self.name_edit.setText(str(header.get("patient_name", "")))
        months = header.get("age_months")
        self.age_sex_edit.setText(f"{months}m{header.get('sex', '')}" if months is not None
                                  else f"{header.get('age', '')}{header.get('sex', '')}")
        self.abha_edit.setText(str(header.get("abha") or ""))
        self.prescriber_edit.setText(str(header.get("prescriber", "")))
        doses = self.store.remembered_doses([line["item_code"] for line in document.lines])
        for line in document.lines:
            try:
                item = self.store.item(line["item_code"])
            except Refusal:
                continue
            row = self.model.add(PrescriptionLine(item, line["qty_prescribed"], doses.get(item.code) or str(line["qty_prescribed"])))
            self._plan_row(row)
        self.correcting = number
        self.title_changed.emit(self.tr("correcting {number}").format(number=number))
        self._say(self.tr("Correcting {number}: change what was wrong, then save (Ctrl+S). Esc leaves it as it was.").format(
            number=number), ok=True)
        self.picker.setFocus()

    # -- reversing and returns ---------------------------------------------------------------------

    def selected_recent(self) -> DocumentSummary | None:
        index = self.recent_view.currentIndex()
        return self.recent_model.row(index.row()) if index.isValid() else None

    def _ask_about_selected(self, title: str, heading: str, prompt: str) -> tuple[DocumentSummary, str] | None:
        """The selected dispense and the user's answer to ``prompt`` (``heading`` names the slip's
        {number}); None, having said why when nothing is selected, if there is nothing to act on."""
        summary = self.selected_recent()
        if summary is None:
            dialogs.inform(self, title, self.tr("Select a dispense in the list first."))
            return None
        answer = dialogs.ask_text(self, heading.format(number=summary.number), prompt)
        return None if answer is None else (summary, answer)

    @Slot()
    def return_selected(self) -> SavedDocument | None:
        """A patient brings back medicine of the selected slip: its line and quantity are asked."""
        asked = self._ask_about_selected(self.tr("Patient return"), self.tr("Patient return: {number}"),
                                         self.tr("Line number and quantity brought back (for example: 2 10):"))
        if asked is None:
            return None
        summary, answer = asked
        parts = answer.split()
        if len(parts) != 2 or not all(part.isdecimal() for part in parts):
            dialogs.show_problem(self, InvalidInput("return_line_and_qty", field="line", text=answer.strip()[:20]))
            return None
        try:
            document = self.store.return_line(summary.number, int(parts[0]), int(parts[1]), note=self.tr("patient return"))
        except (Refusal, EnvironmentProblem) as problem:
            dialogs.show_problem(self, problem)
            return None
        self._say(self.tr("{qty} of line {line} of {number} taken back ({document}): on the shelf again.").format(
            qty=parts[1], line=parts[0], number=summary.number, document=document.number), ok=True)
        self.refresh()
        self.saved.emit(document)
        return document

    @Slot()
    def reverse_selected(self) -> SavedDocument | None:
        """Reverse the selected dispense (MO in-charge), after asking the reason."""
        asked = self._ask_about_selected(self.tr("Reverse"), self.tr("Reverse {number}"),
                                         self.tr("Reason for the reversal (for example: wrong patient):"))
        if asked is None:
            return None
        summary, reason = asked
        try:
            document = self.store.reverse(summary.number, reason=reason)
        except Refusal as refusal:
            dialogs.show_problem(self, refusal)
            return None
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return None
        self._say(self.tr("{number} reversed by {reversal}: the stock is back on the shelf.").format(
            number=summary.number, reversal=document.number), ok=True)
        self.refresh()
        self.saved.emit(document)  # a reversal is a document too: sync it soon
        return document


__all__ = ["DispenseScreen", "DispenseLineModel", "RecentDispensesModel", "PrescriptionLine", "BatchDelegate"]
