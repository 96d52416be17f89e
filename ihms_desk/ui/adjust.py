"""Adjust the stock of named batches for a reason: damaged, expired write-off, return to the
warehouse, lost, found, or a stocktake correction.

Write-offs (damaged, expired, lost) need the MO in-charge: the store refuses anyone else, and
the screen shows that refusal next to the reason.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidQuantity, Refusal
from ihms_desk.store.model import AdjustmentLine, AdjustmentReason, BatchStock, Item, ItemHit, SavedDocument
from ihms_desk.store.rules import check_quantity
from ihms_desk.store.users import Action
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import attempt, batch_choice_text, choice_field, note_label, parse_whole, text_field
from ihms_desk.ui.item_picker import ItemPicker


class AdjustScreen(DocumentForm):
    """One adjustment document: a reason, lines of item + batch + quantity, a note."""

    # The store names who may write off; that belongs next to the reason that needs it.
    PERMISSION_FIELD = "reason"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Adjustment"), table_name="adjust_lines",
            columns=[self.tr("Code"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Quantity")],
            save_text=self.tr("Save adjustment (F10)"),
        )
        self._item: Item | None = None
        self.reason_combo = choice_field(self, "reason", [
            (self.tr("Damaged (write-off)"), AdjustmentReason.DAMAGED.value),
            (self.tr("Expired (write-off)"), AdjustmentReason.EXPIRED_WRITE_OFF.value),
            (self.tr("Lost (write-off)"), AdjustmentReason.LOST.value),
            (self.tr("Returned to the warehouse"), AdjustmentReason.RETURN_TO_WAREHOUSE.value),
            (self.tr("Found (adds stock)"), AdjustmentReason.FOUND.value),
            (self.tr("Stocktake correction (+ or -)"), AdjustmentReason.STOCKTAKE_CORRECTION.value),
        ])
        self.reason_hint = note_label(self, "reason_hint")
        self.note_edit = text_field(self, "note", self.tr("e.g. condemnation committee 25-11, broken in transit"))
        self.picker = ItemPicker(store, self, visible_rows=4)
        self.batch_combo = choice_field(self, "batch")
        self.qty_edit = text_field(self, "quantity")

        self.header_field(self.tr("Reason"), "reason", self.reason_combo)
        self.header_field("", None, self.reason_hint)
        self.header_field(self.tr("Note"), "note", self.note_edit)
        self.line_field(self.tr("Item"), "item", self.picker)
        self.line_field(self.tr("Batch"), "batch", self.batch_combo)
        self.line_field(self.tr("Quantity"), "quantity", self.qty_edit)
        self.add_button = self.add_button_for_line(self.tr("Add line"))
        self.finish_layout(first=self.reason_combo, tab_order=(
            self.reason_combo, self.note_edit, self.picker.line_edit, self.batch_combo, self.qty_edit, self.add_button))

        self.reason_combo.currentIndexChanged.connect(self._on_reason_changed)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.qty_edit.returnPressed.connect(self.add_line)
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

    def line_typed(self) -> bool:
        return self._item is not None and bool(self.qty_edit.text().strip())

    def line_cell(self, row: tuple[AdjustmentLine, BatchStock, Item], column: int, role: int) -> Any:
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

    # -- saving: the store checks the role, the batches and the stock -------------------------

    def save_document(self) -> SavedDocument:
        return self.store.adjust(reason=self.reason().value, lines=self.adjustment_lines(), note=self.note_edit.text())

    def saved_text(self, document: SavedDocument) -> str:
        moved = sum(line["qty"] for line in document.lines)
        return self.tr("Saved {number}: {lines} line(s), {units} units.").format(
            number=document.number, lines=len(document.lines), units=fmt.signed_qty(moved))

    def after_save(self) -> None:
        super().after_save()
        self.note_edit.clear()
        self.picker.setFocus()
