"""Adjust the stock of named batches for a reason: damaged, expired write-off, return to the
warehouse, lost, found, or a stocktake correction.

Write-offs (damaged, expired, lost) need the MO in-charge: the store refuses anyone else, and
the screen shows that refusal next to the reason.
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
from ihms_desk.store.errors import InvalidQuantity, Refusal
from ihms_desk.store.model import AdjustmentLine, AdjustmentReason, BatchStock, Item, ItemHit
from ihms_desk.store.rules import check_quantity
from ihms_desk.store.users import Action
from ihms_desk.ui.screen import Screen
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.ui.forms import FieldErrors, RowsModel, attempt, batch_choice_text, error_label, parse_whole, rows_table, shortcut_delete, shortcut_save

LINE_FIELDS = ("item", "batch", "quantity")


class AdjustScreen(Screen):
    """One adjustment document: a reason, lines of item + batch + quantity, a note."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self._item: Item | None = None
        self.last_saved: str | None = None
        self.general_error = error_label(self, "general")
        self.errors = FieldErrors(self.general_error)

        self.reason_combo = QComboBox(self)
        self.reason_combo.setObjectName("reason")
        for label, reason in (
            (self.tr("Damaged (write-off)"), AdjustmentReason.DAMAGED),
            (self.tr("Expired (write-off)"), AdjustmentReason.EXPIRED_WRITE_OFF),
            (self.tr("Lost (write-off)"), AdjustmentReason.LOST),
            (self.tr("Returned to the warehouse"), AdjustmentReason.RETURN_TO_WAREHOUSE),
            (self.tr("Found (adds stock)"), AdjustmentReason.FOUND),
            (self.tr("Stocktake correction (+ or -)"), AdjustmentReason.STOCKTAKE_CORRECTION),
        ):
            self.reason_combo.addItem(label, reason.value)
        self.reason_hint = QLabel(self)
        self.reason_hint.setObjectName("reason_hint")
        self.reason_hint.setWordWrap(True)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("note")
        self.note_edit.setPlaceholderText(self.tr("e.g. condemnation committee 25-11, broken in transit"))

        self.picker = ItemPicker(store, self, visible_rows=4)
        self.batch_combo = QComboBox(self)
        self.batch_combo.setObjectName("batch")
        self.qty_edit = QLineEdit(self)
        self.qty_edit.setObjectName("quantity")
        self.add_button = QPushButton(self.tr("Add line"), self)

        header_box = QGroupBox(self.tr("Adjustment"), self)
        header = QFormLayout(header_box)
        header.addRow(self.tr("Reason"), self.errors.wrap("reason", self.reason_combo))
        header.addRow("", self.reason_hint)
        header.addRow(self.tr("Note"), self.errors.wrap("note", self.note_edit))

        line_box = QGroupBox(self.tr("Line"), self)
        line = QFormLayout(line_box)
        line.addRow(self.tr("Item"), self.errors.wrap("item", self.picker))
        line.addRow(self.tr("Batch"), self.errors.wrap("batch", self.batch_combo))
        line.addRow(self.tr("Quantity"), self.errors.wrap("quantity", self.qty_edit))
        line.addRow("", self.add_button)

        self.lines = RowsModel(
            [self.tr("Code"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Quantity")], self._line_cell, self
        )
        self.lines_view = rows_table(self, self.lines, "adjust_lines", stretch=1)
        self.remove_button = QPushButton(self.tr("Remove line (Del)"), self)
        self.save_button = QPushButton(self.tr("Save adjustment (F10)"), self)
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
        order = (self.reason_combo, self.note_edit, self.picker.line_edit, self.batch_combo, self.qty_edit, self.add_button,
                 self.lines_view, self.save_button)
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.reason_combo)

        self.reason_combo.currentIndexChanged.connect(self._on_reason_changed)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.qty_edit.returnPressed.connect(self.add_line)
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save)
        shortcut_save(self, self.save)
        shortcut_delete(self.lines_view, self.remove_line)
        self._on_reason_changed()

    # -- public -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Called when the screen is shown: the user or the stock may have changed."""
        self._on_reason_changed()
        self.picker.refresh()
        if self._item is not None:
            self._load_batches(self._item)

    def reason(self) -> AdjustmentReason:
        return AdjustmentReason(self.reason_combo.currentData())

    def adjustment_lines(self) -> list[AdjustmentLine]:
        return [row[0] for row in self.lines.rows()]

    # -- entry ------------------------------------------------------------------------------

    @Slot()
    def _on_reason_changed(self) -> None:
        reason = self.reason()
        user = self.store.user
        hints = []
        if reason.is_write_off:
            hints.append(self.tr("A write-off removes stock from the books for good."))
            if user is not None and not user.may(Action.WRITE_OFF):
                hints.append(self.tr("Only the MO in-charge or the administrator may save it."))
        if reason is AdjustmentReason.STOCKTAKE_CORRECTION:
            hints.append(self.tr("Type -20 to remove 20 units, 20 to add them."))
            self.qty_edit.setPlaceholderText(self.tr("+ or - units"))
        else:
            self.qty_edit.setPlaceholderText(self.tr("units"))
        self.reason_hint.setText(" ".join(hints))
        self.errors.clear("reason")
        # The lines' signs follow the reason (a return removes, found adds): redraw them.
        for row in range(self.lines.rowCount()):
            self.lines.row_changed(row)
        if self._item is not None:
            self._load_batches(self._item)

    @Slot(object)
    def _on_item_chosen(self, hit: ItemHit) -> None:
        self.errors.clear("item")
        self._item = hit.item
        self._load_batches(hit.item)
        self.batch_combo.setFocus()

    def _load_batches(self, item: Item) -> None:
        # Found stock or a correction may concern a batch that shows nothing on the books.
        include_empty = self.reason().direction >= 0
        batches: list[BatchStock] | None = attempt(
            self, self.errors, lambda: self.store.item_batches(item.code, include_empty=include_empty), field_name="item"
        )
        self.batch_combo.clear()
        for batch in batches or []:
            self.batch_combo.addItem(batch_choice_text(batch), batch.batch_no)
            self.batch_combo.setItemData(self.batch_combo.count() - 1, batch, Qt.ItemDataRole.UserRole + 1)
        if batches == []:
            self.errors.set("batch", self.tr("{item} has no batch on the shelf.").format(item=fmt.item_label(item)))

    @Slot()
    def add_line(self) -> None:
        self.errors.clear()
        reason = self.reason()
        try:
            if self._item is None:
                raise Refusal("choose_item", field="item")
            batch_no = self.batch_combo.currentData()
            if not batch_no:
                raise Refusal("choose_batch", field="batch")
            typed = parse_whole(self.qty_edit.text(), signed=reason.direction == 0)
            if reason.direction == 0:
                if not isinstance(typed, int) or typed == 0:
                    raise InvalidQuantity("correction_not_zero", field="quantity")
                check_quantity(abs(typed))
                qty = typed
            else:
                qty = check_quantity(typed)
        except Refusal as refusal:
            self.errors.show(refusal)
            return
        batch: BatchStock = self.batch_combo.currentData(Qt.ItemDataRole.UserRole + 1)
        self.lines.append((AdjustmentLine(self._item.code, batch_no, qty), batch, self._item))
        self._item = None
        self.picker.clear()
        self.batch_combo.clear()
        self.qty_edit.clear()
        self.picker.setFocus()

    @Slot()
    def remove_line(self) -> None:
        rows = self.lines_view.selectionModel().selectedRows()
        if rows:
            self.lines.remove(rows[0].row())

    def _line_cell(self, row: tuple[AdjustmentLine, BatchStock, Item], column: int, role: int) -> Any:
        line, batch, item = row
        if role == Qt.ItemDataRole.DisplayRole:
            direction = self.reason().direction
            signed = line.qty if direction == 0 else direction * line.qty
            return (line.item_code, fmt.item_label(item), line.batch_no, fmt.expiry(batch.expiry_month), fmt.signed_qty(signed))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and batch.expired:
            return fmt.EXPIRED_BG
        return None

    # -- saving -----------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        """Save the adjustment (Ctrl+S / F10); the store checks the role, the batches and the stock."""
        self.errors.clear()
        if not self.lines.rowCount() and self._item is not None and self.qty_edit.text().strip():
            self.add_line()
            if self.lines.rowCount() == 0:
                return
        reason = self.reason()
        document = attempt(
            self, self.errors,
            lambda: self.store.adjust(reason=reason.value, lines=self.adjustment_lines(), note=self.note_edit.text()),
            line_fields=LINE_FIELDS,
            # The store names who may write off; that belongs next to the reason that needs it.
            permission_field="reason",
        )
        if document is None:
            return
        self.last_saved = document.number
        moved = sum(line["qty"] for line in document.lines)
        self.status_label.setText(self.tr("Saved {number}: {lines} line(s), {units} units.").format(
            number=document.number, lines=len(document.lines), units=fmt.signed_qty(moved)))
        self.lines.set_rows([])
        self.note_edit.clear()
        self.picker.setFocus()
