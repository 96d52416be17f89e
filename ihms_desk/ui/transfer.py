"""Transfer stock out to a ward, a sub-centre or another facility.

The store takes the earliest-expiring usable batches first (FEFO) unless the clerk names a
batch; unlike OPD dispensing a transfer is never short, so too little stock is refused.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from ihms_desk.store import Store
from ihms_desk.store.model import ItemHit, SavedDocument, TransferDestination, TransferLine
from ihms_desk.store.rules import check_quantity
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import attempt, batch_choice_text, chosen_item_quantity, choice_field, parse_whole, text_field
from ihms_desk.ui.item_picker import ItemPicker


class TransferScreen(DocumentForm):
    """One transfer document: where to, lines of item + quantity (+ batch), a note."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Transfer out"), table_name="transfer_lines",
            columns=[self.tr("Code"), self.tr("Item"), self.tr("Quantity"), self.tr("Batch"), self.tr("Usable stock")],
            save_text=self.tr("Save transfer (F10)"),
        )
        self._hit: ItemHit | None = None
        self.destination_type = choice_field(self, "destination_type", [
            (self.tr("Ward"), TransferDestination.WARD.value),
            (self.tr("Sub-centre"), TransferDestination.SUB_CENTRE.value),
            (self.tr("Other facility"), TransferDestination.FACILITY.value),
        ])
        # Editable: the usual wards are offered, anything else can be typed.
        self.destination_name = choice_field(self, "destination_name")
        self.destination_name.setEditable(True)
        self.destination_name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.note_edit = text_field(self, "note", self.tr("indent number, who collected"))
        self.picker = ItemPicker(store, self, visible_rows=4)
        self.qty_edit = text_field(self, "quantity", self.tr("units"))
        self.batch_combo = choice_field(self, "batch")

        self.header_field(self.tr("To"), "destination_type", self.destination_type)
        self.header_field(self.tr("Name"), "destination_name", self.destination_name)
        self.header_field(self.tr("Note"), "note", self.note_edit)
        self.line_field(self.tr("Item"), "item", self.picker)
        self.line_field(self.tr("Quantity"), "quantity", self.qty_edit)
        self.line_field(self.tr("Batch"), "batch", self.batch_combo)
        self.add_button = self.add_button_for_line(self.tr("Add line"))
        self.finish_layout(first=self.destination_type, tab_order=(
            self.destination_type, self.destination_name, self.note_edit, self.picker.line_edit, self.qty_edit,
            self.batch_combo, self.add_button))

        self.destination_type.currentIndexChanged.connect(self._on_destination_type)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.qty_edit.returnPressed.connect(self.add_line)
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
        qty = chosen_item_quantity(self.errors, self._hit, lambda: check_quantity(parse_whole(self.qty_edit.text())))
        if qty is None or self._hit is None:
            return
        batch_no = self.batch_combo.currentData()
        self.lines.append((TransferLine(self._hit.item.code, qty, batch_no), self._hit))
        self._hit = None
        self.picker.clear()
        self.qty_edit.clear()
        self.batch_combo.clear()
        self.picker.setFocus()

    def line_typed(self) -> bool:
        return self._hit is not None and bool(self.qty_edit.text().strip())

    def line_cell(self, row: tuple[TransferLine, ItemHit], column: int, role: int) -> Any:
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

    # -- saving: the status line says which batches went ----------------------------------------

    def save_document(self) -> SavedDocument:
        return self.store.transfer_out(
            destination_type=self.destination_type.currentData(),
            destination_name=self.destination_name.currentText(),
            lines=self.transfer_lines(),
            note=self.note_edit.text(),
        )

    def saved_text(self, document: SavedDocument) -> str:
        taken = ", ".join(f"{m['item_code']} {m['batch_no']} × {fmt.qty(-m['qty'])}" for m in document.movements)
        return self.tr("Saved {number} to {name}: {taken}.").format(
            number=document.number, name=document.header["destination_name"], taken=taken)

    def after_save(self) -> None:
        super().after_save()
        self.note_edit.clear()
        self.picker.refresh()
        self.picker.setFocus()
