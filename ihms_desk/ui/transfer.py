"""Transfer stock out to a ward, a sub-centre or another facility.

The store takes the earliest-expiring usable batches first (FEFO) unless the clerk names a
batch; unlike OPD dispensing a transfer is never short, so too little stock is refused.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ihms_desk.store import Store
from ihms_desk.store.errors import Refusal
from ihms_desk.store.model import ItemHit, TransferDestination, TransferLine
from ihms_desk.store.rules import check_quantity
from ihms_desk.ui.screen import Screen
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.ui.forms import FieldErrors, RowsModel, attempt, batch_choice_text, error_label, parse_whole, rows_table, shortcut_delete, shortcut_save

LINE_FIELDS = ("item", "batch", "quantity")


class TransferScreen(Screen):
    """One transfer document: where to, lines of item + quantity (+ batch), a note."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self._hit: ItemHit | None = None
        self.last_saved: str | None = None
        self.general_error = error_label(self, "general")
        self.errors = FieldErrors(self.general_error)

        self.destination_type = QComboBox(self)
        self.destination_type.setObjectName("destination_type")
        for label, value in (
            (self.tr("Ward"), TransferDestination.WARD),
            (self.tr("Sub-centre"), TransferDestination.SUB_CENTRE),
            (self.tr("Other facility"), TransferDestination.FACILITY),
        ):
            self.destination_type.addItem(label, value.value)
        # Editable: the usual wards are offered, anything else can be typed.
        self.destination_name = QComboBox(self)
        self.destination_name.setObjectName("destination_name")
        self.destination_name.setEditable(True)
        self.destination_name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("note")
        self.note_edit.setPlaceholderText(self.tr("indent number, who collected"))

        self.picker = ItemPicker(store, self, visible_rows=4)
        self.qty_edit = QLineEdit(self)
        self.qty_edit.setObjectName("quantity")
        self.qty_edit.setPlaceholderText(self.tr("units"))
        self.batch_combo = QComboBox(self)
        self.batch_combo.setObjectName("batch")
        self.add_button = QPushButton(self.tr("Add line"), self)

        header_box = QGroupBox(self.tr("Transfer out"), self)
        header = QFormLayout(header_box)
        header.addRow(self.tr("To"), self.errors.wrap("destination_type", self.destination_type))
        header.addRow(self.tr("Name"), self.errors.wrap("destination_name", self.destination_name))
        header.addRow(self.tr("Note"), self.errors.wrap("note", self.note_edit))
        line_box = QGroupBox(self.tr("Line"), self)
        line = QFormLayout(line_box)
        line.addRow(self.tr("Item"), self.errors.wrap("item", self.picker))
        line.addRow(self.tr("Quantity"), self.errors.wrap("quantity", self.qty_edit))
        line.addRow(self.tr("Batch"), self.errors.wrap("batch", self.batch_combo))
        line.addRow("", self.add_button)

        self.lines = RowsModel(
            [self.tr("Code"), self.tr("Item"), self.tr("Quantity"), self.tr("Batch"), self.tr("Usable stock")], self._line_cell, self
        )
        self.lines_view = rows_table(self, self.lines, "transfer_lines", stretch=1)
        self.remove_button = QPushButton(self.tr("Remove line (Del)"), self)
        self.save_button = QPushButton(self.tr("Save transfer (F10)"), self)
        self.save_button.setObjectName("save")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(header_box, 1)
        top.addWidget(line_box, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.errors.wrap("lines", self.lines_view), 1)
        layout.addLayout(bottom)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status_label)
        order = (self.destination_type, self.destination_name, self.note_edit, self.picker.line_edit, self.qty_edit,
                 self.batch_combo, self.add_button, self.lines_view, self.save_button)
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.destination_type)

        self.destination_type.currentIndexChanged.connect(self._on_destination_type)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.qty_edit.returnPressed.connect(self.add_line)
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save)
        shortcut_save(self, self.save)
        shortcut_delete(self.lines_view, self.remove_line)
        self._on_destination_type()

    # -- public -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Called when the screen is shown: stock figures may have changed."""
        self.picker.refresh()

    def transfer_lines(self) -> list[TransferLine]:
        return [row[0] for row in self.lines.rows()]

    # -- entry ------------------------------------------------------------------------------

    @Slot()
    def _on_destination_type(self) -> None:
        names = {
            TransferDestination.WARD.value: (
                self.tr("Male ward"), self.tr("Female ward"), self.tr("Labour room"), self.tr("Emergency"),
                self.tr("Operation theatre"), self.tr("Children's ward"),
            ),
        }.get(self.destination_type.currentData(), ())
        self.destination_name.clear()
        self.destination_name.addItems(list(names))
        # Empty, not the first ward: a transfer to the wrong ward is worse than a question.
        self.destination_name.setCurrentIndex(-1)
        self.destination_name.setCurrentText("")
        line_edit = self.destination_name.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(self.tr("Choose or type where it goes"))

    @Slot(object)
    def _on_item_chosen(self, hit: ItemHit) -> None:
        self.errors.clear("item")
        self._hit = hit
        batches = attempt(self, self.errors, lambda: self.store.item_batches(hit.item.code), field_name="item") or []
        self.batch_combo.clear()
        self.batch_combo.addItem(self.tr("Earliest expiry first (FEFO)"), None)
        for batch in batches:
            if not batch.expired:
                self.batch_combo.addItem(batch_choice_text(batch), batch.batch_no)
        self.qty_edit.setFocus()

    @Slot()
    def add_line(self) -> None:
        self.errors.clear()
        try:
            if self._hit is None:
                raise Refusal("choose_item", field="item")
            qty = check_quantity(parse_whole(self.qty_edit.text()))
        except Refusal as refusal:
            self.errors.show(refusal)
            return
        batch_no = self.batch_combo.currentData()
        self.lines.append((TransferLine(self._hit.item.code, qty, batch_no), self._hit))
        self._hit = None
        self.picker.clear()
        self.qty_edit.clear()
        self.batch_combo.clear()
        self.picker.setFocus()

    @Slot()
    def remove_line(self) -> None:
        rows = self.lines_view.selectionModel().selectedRows()
        if rows:
            self.lines.remove(rows[0].row())

    def _line_cell(self, row: tuple[TransferLine, ItemHit], column: int, role: int) -> Any:
        line, hit = row
        if role == Qt.ItemDataRole.DisplayRole:
            return (line.item_code, fmt.item_label(hit.item), fmt.qty(line.qty), line.batch_no or self.tr("FEFO"),
                    fmt.qty(hit.usable_qty))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if line.qty > hit.usable_qty:
            if role == Qt.ItemDataRole.BackgroundRole:
                return fmt.SHORT_BG
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Only {n} usable on the shelf: a transfer is never short, so saving will be refused.").format(
                    n=fmt.qty(hit.usable_qty))
        return None

    # -- saving -----------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        """Save the transfer (Ctrl+S / F10); the status line says which batches went."""
        self.errors.clear()
        if not self.lines.rowCount() and self._hit is not None and self.qty_edit.text().strip():
            self.add_line()
            if self.lines.rowCount() == 0:
                return
        document = attempt(
            self, self.errors,
            lambda: self.store.transfer_out(
                destination_type=self.destination_type.currentData(),
                destination_name=self.destination_name.currentText(),
                lines=self.transfer_lines(),
                note=self.note_edit.text(),
            ),
            line_fields=LINE_FIELDS,
        )
        if document is None:
            return
        self.last_saved = document.number
        taken = ", ".join(f"{m['item_code']} {m['batch_no']} × {fmt.qty(-m['qty'])}" for m in document.movements)
        self.status_label.setText(self.tr("Saved {number} to {name}: {taken}.").format(
            number=document.number, name=document.header["destination_name"], taken=taken))
        self.lines.set_rows([])
        self.note_edit.clear()
        self.picker.refresh()
        self.picker.setFocus()
