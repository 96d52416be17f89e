"""The OPD dispensing screen: patient, prescription lines with FEFO batches, save, the last dispenses.

Keyboard flow a pharmacist uses all day: OPD no -> name -> age -> sex (type M/F/O) -> ABHA ->
prescriber (Enter or Tab moves on) -> item search (Enter picks) -> quantity (a number or
``1-0-1 x5``, Enter adds the line) -> back to item search ... Ctrl+S or F10 saves, and the
screen is ready for the next patient with the cursor in OPD no.

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
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
    QStyledItemDelegate, QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget,
)

from ihms_desk.store import Store
from ihms_desk.store.dosage import parse_quantity
from ihms_desk.store.errors import EnvironmentProblem, Refusal, StoreError
from ihms_desk.store.model import DispenseLine, DocumentSummary, Item, ItemHit, LinePlan, Patient, SavedDocument
from ihms_desk.store.users import Action
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui import i18n
from ihms_desk.ui.forms import ERROR_STYLE, RowsModel, choice_field, note_label, rows_table, text_field
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.ui.screen import Screen

_Index = QModelIndex | QPersistentModelIndex



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
        return DispenseLine(self.item.code, self.qty_prescribed, None, self.batch_no)


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
        self._build()
        self.refresh()

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
        self.opd_edit = text_field(self, "opd_no", self.tr("from the OPD slip"))
        self.name_edit = text_field(self, "patient_name")
        self.age_edit = text_field(self, "age", self.tr("years"))
        self.age_edit.setMaxLength(3)
        # The code letter comes first in every language, so typing M, F or O picks it.
        self.sex_combo = choice_field(self, "sex", [
            ("", ""), ("M — " + self.tr("Male"), "M"), ("F — " + self.tr("Female"), "F"), ("O — " + self.tr("Other"), "O")])
        self.abha_edit = text_field(self, "abha", self.tr("optional, 14 digits"))
        self.prescriber_edit = text_field(self, "prescriber", self.tr("Dr. ..."))

        patient_box = QGroupBox(self.tr("Patient"), self)
        grid = QGridLayout(patient_box)
        fields = [
            (self.tr("OPD no."), self.opd_edit, "opd_no"),
            (self.tr("Patient name"), self.name_edit, "patient_name"),
            (self.tr("Age"), self.age_edit, "age"),
            (self.tr("Sex"), self.sex_combo, "sex"),
            (self.tr("ABHA no."), self.abha_edit, "abha"),
            (self.tr("Prescriber"), self.prescriber_edit, "prescriber"),
        ]
        stretch = {"opd_no": 2, "patient_name": 4, "age": 1, "sex": 2, "abha": 3, "prescriber": 3}
        for column, (text, widget, field) in enumerate(fields):
            label = QLabel(text, patient_box)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
            grid.addWidget(self._error_label(field), 2, column)
            grid.setColumnStretch(column, stretch[field])

        self.picker = ItemPicker(self.store, self, visible_rows=4)
        self.picker.item_chosen.connect(self.on_item_chosen)
        self.errors["item"] = self.picker.error_label
        self.qty_edit = text_field(self, "quantity", self.tr("10 or 1-0-1 x5, BD x5"))
        self.qty_result = QLabel(self)
        self.qty_result.setObjectName("qty_result")
        self.chosen_label = note_label(self, "chosen_item")
        self.add_button = QPushButton(self.tr("Add line (Enter)"), self)
        self.add_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_button.clicked.connect(self.add_line)

        entry_box = QGroupBox(self.tr("Prescription"), self)
        entry = QGridLayout(entry_box)
        item_label = QLabel(self.tr("&Item"), entry_box)
        item_label.setBuddy(self.picker.line_edit)
        qty_label = QLabel(self.tr("&Quantity"), entry_box)
        qty_label.setBuddy(self.qty_edit)
        entry.addWidget(item_label, 0, 0)
        entry.addWidget(qty_label, 0, 1)
        entry.addWidget(self.picker, 1, 0, 3, 1)
        entry.addWidget(self.qty_edit, 1, 1)
        entry.addWidget(self.qty_result, 2, 1)
        entry.addWidget(self._error_label("quantity"), 3, 1, Qt.AlignmentFlag.AlignTop)
        entry.addWidget(self.chosen_label, 4, 0)
        entry.addWidget(self.add_button, 4, 1)
        entry.setColumnStretch(0, 4)
        entry.setColumnStretch(1, 1)

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
        header = self.lines_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DispenseLineModel.ITEM, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DispenseLineModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.lines_view.installEventFilter(self)
        row_height = self.lines_view.verticalHeader().defaultSectionSize()
        # Three rows at least; it grows with the window. More would not fit a 1024x768 screen.
        self.lines_view.setMinimumHeight(header.sizeHint().height() + row_height * 3 + 4)
        lines_hint = QLabel(self.tr("F2 on the batch column: choose another batch · Delete: remove the line"), self)
        lines_hint.setStyleSheet("color: #555555;")

        self.save_button = QPushButton(self.tr("Save (Ctrl+S / F10)"), self)
        self.save_button.setObjectName("save")
        self.save_button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton(self.tr("New patient"), self)
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.new_patient)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setMargin(4)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        general_error = self._error_label("general")
        self.errors["lines"] = general_error
        self.errors["batch"] = general_error

        self.recent_model = RecentDispensesModel(self)
        self.recent_view = rows_table(self, self.recent_model, "recent")
        # Narrow column: the date is today's anyway, the patient cell wraps into the tooltip.
        self.recent_view.setWordWrap(False)
        self.reverse_button = QPushButton(self.tr("Reverse selected…"), self)
        self.reverse_button.setObjectName("reverse")
        self.reverse_button.clicked.connect(self.reverse_selected)
        user = self.store.user
        self.reverse_button.setVisible(user is not None and user.may(Action.REVERSE))

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(general_error, 1)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(patient_box)
        left_layout.addWidget(entry_box)
        left_layout.addWidget(self.lines_view, 1)
        left_layout.addWidget(lines_hint)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.message)

        recent_box = QGroupBox(self.tr("Last dispenses"), self)
        recent_layout = QVBoxLayout(recent_box)
        recent_layout.addWidget(self.recent_view, 1)
        recent_layout.addWidget(self.reverse_button)

        # The last dispenses sit beside the form, not under it: the lines table needs the height.
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(recent_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        for edit in (self.opd_edit, self.name_edit, self.age_edit, self.abha_edit, self.prescriber_edit):
            edit.returnPressed.connect(self._next_field)
        self.sex_combo.installEventFilter(self)
        self.qty_edit.installEventFilter(self)
        self.qty_edit.returnPressed.connect(self.add_line)
        self.qty_edit.textChanged.connect(self._on_qty_text)
        order = [self.opd_edit, self.name_edit, self.age_edit, self.sex_combo, self.abha_edit, self.prescriber_edit,
                 self.picker.line_edit, self.qty_edit, self.lines_view, self.save_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        for sequence in ("Ctrl+S", "F10"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.save)
        self.setFocusProxy(self.opd_edit)

    # -- refresh ----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload the last dispenses and re-plan the lines (stock may have changed elsewhere)."""
        try:
            self.recent_model.set_rows(self.store.recent_dispenses(20))
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
        self._replan()

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
            "opd_no": self.opd_edit, "patient_name": self.name_edit, "age": self.age_edit, "sex": self.sex_combo,
            "abha": self.abha_edit, "prescriber": self.prescriber_edit, "item": self.picker.line_edit,
            "quantity": self.qty_edit, "batch": self.lines_view, "lines": self.picker.line_edit,
        }.get(field)
        if focus is not None:
            focus.setFocus()

    # -- entering lines ---------------------------------------------------------------------

    @Slot()
    def _next_field(self) -> None:
        self.focusNextChild()

    @Slot(object)
    def on_item_chosen(self, hit: ItemHit) -> None:
        self.chosen = hit
        if hit.usable_qty > 0:
            stock = self.tr("{qty} {unit} in stock, nearest expiry {expiry}").format(
                qty=fmt.qty(hit.usable_qty), unit=fmt.unit(hit.item.unit_of_issue), expiry=fmt.expiry(hit.nearest_expiry))
        else:
            stock = self.tr("OUT OF STOCK: the line will be recorded as not available")
        self.chosen_label.setText(f"<b>{hit.item.code} · {fmt.item_label(hit.item)}</b> — {stock}")
        self.qty_edit.setFocus()
        self.qty_edit.selectAll()

    @Slot(str)
    def _on_qty_text(self, text: str) -> None:
        self.errors["quantity"].hide()
        if not text.strip():
            self.qty_result.clear()
            return
        try:
            quantity = parse_quantity(text)
        except Refusal:
            self.qty_result.setText(self.tr("? type 10, 1-0-1 x5, BD x5, TDS x5"))
            return
        unit = fmt.unit(self.chosen.item.unit_of_issue) if self.chosen else ""
        self.qty_result.setText(f"= <b>{fmt.qty(quantity)}</b> {unit}")

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
            quantity = parse_quantity(self.qty_edit.text())
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
        row = self.model.add(PrescriptionLine(self.chosen.item, quantity, self.qty_edit.text().strip()))
        self._plan_row(row)
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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if watched is self.sex_combo and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.focusNextChild()
                return True
            if watched is self.lines_view and event.key() == Qt.Key.Key_Delete:
                self.remove_current_line()
                return True
            if watched is self.qty_edit and event.key() == Qt.Key.Key_Escape:
                # Wrong item picked: back to the search, nothing added.
                self.chosen = None
                self.chosen_label.clear()
                self.qty_edit.clear()
                self.picker.setFocus()
                self.picker.line_edit.selectAll()
                return True
        return super().eventFilter(watched, event)

    # -- saving -----------------------------------------------------------------------------

    def patient(self) -> Patient:
        age_text = self.age_edit.text().strip()
        # A non-number goes to the store as typed: its refusal names the age field.
        age: Any = int(age_text) if age_text.isdigit() else age_text
        return Patient(
            opd_no=self.opd_edit.text(),
            name=self.name_edit.text(),
            age=age,
            sex=str(self.sex_combo.currentData() or ""),
            abha=self.abha_edit.text().strip() or None,
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
        try:
            document = self.store.dispense(
                patient=self.patient(),
                prescriber=self.prescriber_edit.text(),
                lines=[line.as_dispense_line() for line in self.model.lines],
            )
        except Refusal as refusal:
            self.show_refusal(refusal)
            self.message.clear()
            return None
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return None
        self._say_saved(document)
        self.new_patient()
        self.recent_model.set_rows(self.store.recent_dispenses(20))
        self.saved.emit(document)
        return document

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
            self.message.setStyleSheet(f"background: {fmt.SHORT_BG.name()};")
        else:
            self.message.setStyleSheet(f"background: {fmt.OK_BG.name()};")
        self.message.setText(text)

    @Slot()
    def new_patient(self) -> None:
        """Empty every field and put the cursor in OPD no."""
        for edit in (self.opd_edit, self.name_edit, self.age_edit, self.abha_edit, self.qty_edit):
            edit.clear()
        # The prescriber often stays the same for a run of slips, so it is kept on purpose.
        self.sex_combo.setCurrentIndex(0)
        self.model.clear()
        self.picker.clear()
        self.chosen = None
        self.chosen_label.clear()
        self.clear_errors()
        self.opd_edit.setFocus()

    # -- reversing --------------------------------------------------------------------------

    def selected_recent(self) -> DocumentSummary | None:
        index = self.recent_view.currentIndex()
        return self.recent_model.row(index.row()) if index.isValid() else None

    @Slot()
    def reverse_selected(self) -> SavedDocument | None:
        """Reverse the selected dispense (MO in-charge), after asking the reason."""
        summary = self.selected_recent()
        if summary is None:
            dialogs.inform(self, self.tr("Reverse"), self.tr("Select a dispense in the list first."))
            return None
        reason = dialogs.ask_text(self, self.tr("Reverse {number}").format(number=summary.number),
                                  self.tr("Reason for the reversal (for example: wrong patient):"))
        if reason is None:
            return None
        try:
            document = self.store.reverse(summary.number, reason=reason)
        except Refusal as refusal:
            dialogs.show_problem(self, refusal)
            return None
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return None
        self.message.setStyleSheet(f"background: {fmt.OK_BG.name()};")
        self.message.setText(self.tr("{number} reversed by {reversal}: the stock is back on the shelf.").format(
            number=summary.number, reversal=document.number))
        self.refresh()
        self.saved.emit(document)  # a reversal is a document too: sync it soon
        return document


__all__ = ["DispenseScreen", "DispenseLineModel", "RecentDispensesModel", "PrescriptionLine", "BatchDelegate"]
