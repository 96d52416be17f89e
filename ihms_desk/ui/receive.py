"""Record stock received from the district drug warehouse, another facility or a local purchase.

The clerk types the challan's header, then each line, by hand or with a barcode scanner that
types like a keyboard: a GS1 DataMatrix fills the item (once its GTIN is mapped), batch and
expiry. A GTIN never seen before is mapped to a catalogue item the first time (the clerk picks
the item) and remembered by the store. Ctrl+S or F10 saves; the screen is then empty for the
next challan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QLineEdit, QWidget

from ihms_desk.barcode import GS, BarcodeError, ScanResult, parse_scan
from ihms_desk.store import Store
from ihms_desk.store.errors import BatchExpired, Refusal
from ihms_desk.store.model import Item, ItemHit, ReceiptLine, ReceiptSource, SavedDocument
from ihms_desk.store.rules import (
    check_quantity, check_text, check_unit_cost, is_expired, normalise_batch_no, parse_expiry_month,
)
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.drafts import keep_receive_drafts
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import attempt, choice_field, note_label, parse_whole, text_field
from ihms_desk.ui.item_picker import ItemPicker

#: What the scan field shows for the invisible GS separator (U+241D SYMBOL FOR GROUP SEPARATOR).
VISIBLE_GS = "\u241d"


class ScanEdit(QLineEdit):
    """A line edit that keeps the GS separator a scanner types (a plain QLineEdit drops control
    characters), showing it as a visible symbol the barcode parser understands."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        # Scanners send GS as the character 29, or as Ctrl+] on a keyboard wedge.
        if event.text() == GS or (ctrl and event.key() == Qt.Key.Key_BracketRight):
            self.insert(VISIBLE_GS)
            event.accept()
            return
        super().keyPressEvent(event)


class ReceiveScreen(DocumentForm):
    """One challan: header, lines (scanned or typed), save."""

    LINE_FIELDS = ("item", "batch", "expiry", "quantity", "unit_cost", "manufacturer")

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Challan"), table_name="receipt_lines", side_by_side=False,
            columns=[self.tr("Code"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Manufacturer"),
                     self.tr("Quantity"), self.tr("Unit cost"), self.tr("Value")],
            save_text=self.tr("Save receipt (F10)"), header_columns=(1, 1), line_columns=(3, 2),
        )
        self._item: Item | None = None
        self._pending_gtin: str | None = None
        self._discard_scan = False

        # -- header -------------------------------------------------------------------------
        self.source_combo = choice_field(self, "source", [
            (self.tr("District drug warehouse (DDW)"), ReceiptSource.DISTRICT_WAREHOUSE.value),
            (self.tr("Another facility"), ReceiptSource.OTHER_FACILITY.value),
            (self.tr("Local purchase"), ReceiptSource.LOCAL_PURCHASE.value),
        ])
        self.sender_edit = text_field(self, "source_name", self.tr("Name of the sending facility or supplier"))
        self.voucher_edit = text_field(self, "voucher_no", self.tr("e.g. DDW/JPR/2026/4411"))
        self.voucher_date = QDateEdit(self)
        self.voucher_date.setObjectName("voucher_date")
        self.voucher_date.setDisplayFormat("dd-MM-yyyy")
        self.voucher_date.setCalendarPopup(True)
        self.header_field(self.tr("Source"), "source", self.source_combo)
        self.header_field(self.tr("Voucher / challan no."), "voucher_no", self.voucher_edit)
        self.header_field(self.tr("Sender"), "source_name", self.sender_edit, column=1)
        self.header_field(self.tr("Voucher date"), "voucher_date", self.voucher_date, "doc_date", column=1)

        # -- one line -----------------------------------------------------------------------
        self.scan_edit = ScanEdit(self)
        self.scan_edit.setObjectName("scan")
        self.scan_edit.setPlaceholderText(self.tr("Scan the pack's barcode here (or type the fields)"))
        self.picker = ItemPicker(store, self, visible_rows=3)
        self.item_label = note_label(self, "chosen_item")
        self.batch_edit = text_field(self, "batch")
        self.expiry_edit = text_field(self, "expiry", self.tr("MM/YYYY"))
        self.manufacturer_edit = text_field(self, "manufacturer")
        self.qty_edit = text_field(self, "quantity", self.tr("units of issue"))
        self.cost_edit = text_field(self, "unit_cost", self.tr("₹ per unit (optional)"))
        self.line_field(self.tr("Barcode"), "scan", self.scan_edit, "gtin")
        self.line_field(self.tr("Item"), "item", self.picker)
        self.line_field("", None, self.item_label)
        self.line_field(self.tr("Batch"), "batch", self.batch_edit, column=1)
        self.line_field(self.tr("Expiry (MM/YYYY)"), "expiry", self.expiry_edit, column=1)
        self.line_field(self.tr("Manufacturer"), "manufacturer", self.manufacturer_edit, column=1)
        self.line_field(self.tr("Quantity"), "quantity", self.qty_edit, column=1)
        self.line_field(self.tr("Unit cost"), "unit_cost", self.cost_edit, column=1)
        self.add_button = self.add_button_for_line(self.tr("Add line"))
        self.finish_layout(first=self.voucher_edit, tab_order=(
            self.source_combo, self.sender_edit, self.voucher_edit, self.voucher_date, self.scan_edit,
            self.picker.line_edit, self.batch_edit, self.expiry_edit, self.manufacturer_edit, self.qty_edit,
            self.cost_edit, self.add_button))
        # A scan that starts while the cursor is in another field still lands in the scan field.
        self._typed_fields = (self.voucher_edit, self.sender_edit, self.picker.line_edit, self.batch_edit, self.expiry_edit,
                              self.manufacturer_edit, self.qty_edit, self.cost_edit)
        for edit in self._typed_fields:
            edit.installEventFilter(self)

        # -- behaviour ----------------------------------------------------------------------
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.scan_edit.returnPressed.connect(self._on_scan)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.voucher_edit.returnPressed.connect(self.scan_edit.setFocus)
        self.sender_edit.returnPressed.connect(self.voucher_edit.setFocus)
        self.batch_edit.returnPressed.connect(self.expiry_edit.setFocus)
        self.expiry_edit.returnPressed.connect(self.manufacturer_edit.setFocus)
        self.manufacturer_edit.returnPressed.connect(self.qty_edit.setFocus)
        self.qty_edit.returnPressed.connect(self.cost_edit.setFocus)
        self.cost_edit.returnPressed.connect(self.add_line)
        self.lines.modelReset.connect(self._update_total)
        self.lines.rowsInserted.connect(self._update_total)
        self.lines.rowsRemoved.connect(self._update_total)
        self.lines.dataChanged.connect(self._update_total)
        self.after_save()
        self.drafts = keep_receive_drafts(self)  # a half-typed challan survives a power cut (issue 12)

    # -- public -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Called when the screen is shown: today's date may have changed, stock figures too."""
        if not self.lines.rowCount() and not self.voucher_edit.text():
            self.voucher_date.setDate(_qdate(self.store.today()))
        self.voucher_date.setMaximumDate(_qdate(self.store.today()))
        self.picker.refresh()

    def receipt_lines(self) -> list[ReceiptLine]:
        return [line for line, _ in self.lines.rows()]

    # -- scanning ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Catch a scanner typing into a field other than the scan field.

        A scanner set to send its symbology prefix starts with "]" (``]d2``, ``]C1``), which no
        clerk types in these fields: the cursor moves to the scan field with that "]", and the
        rest of the scan follows it there. A GS separator in another field means the scan went
        astray without a prefix: its fields are already mixed up, so the clerk scans again.
        """
        if event.type() == QEvent.Type.KeyPress and watched in self._typed_fields:
            assert isinstance(event, QKeyEvent)
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if event.text() == "]" and not ctrl:
                self.scan_edit.clear()
                self.scan_edit.setFocus()
                self.scan_edit.insert("]")
                return True
            if event.text() == GS or (ctrl and event.key() == Qt.Key.Key_BracketRight):
                assert isinstance(watched, QLineEdit)
                watched.undo()  # take back what the scan typed into this field, where possible
                self.scan_edit.clear()
                self.scan_edit.setFocus()
                self.errors.set("scan", self.tr("That scan went into another field. Scan the pack again here."), focus=False)
                # The rest of that scan follows into the scan field: drop it at its Enter.
                self._discard_scan = True
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_scan(self) -> None:
        text = self.scan_edit.text()
        if self._discard_scan:
            self._discard_scan = False
            self.scan_edit.clear()
            return
        if not text.strip():
            self.picker.setFocus()
            return
        self.errors.clear()
        try:
            scan = parse_scan(text.replace(VISIBLE_GS, GS), today=self.store.today())
        except BarcodeError as error:
            self.errors.show(error, field_name="scan")
            self.scan_edit.selectAll()
            return
        self.fill_from_scan(scan)

    def fill_from_scan(self, scan: ScanResult) -> None:
        """Put what the barcode said into the fields; an unknown GTIN asks for its item."""
        if scan.batch_no:
            self.batch_edit.setText(scan.batch_no)
        if scan.expiry_month:
            self.expiry_edit.setText(fmt.expiry(scan.expiry_month))
        item = None
        if scan.gtin:
            item = attempt(self, self.errors, lambda: self.store.item_for_gtin(scan.gtin or ""), field_name="scan")
        if item is not None:
            self._pending_gtin = None
            self._choose_item(item)
            self.scan_edit.clear()
            self._focus_next_empty()
            return
        if scan.gtin:
            # First time this pack is seen: the clerk names the item once, the store remembers.
            self._pending_gtin = scan.gtin
            self._item = None
            self.item_label.clear()
            self.picker.clear()
            self.errors.set("item", self.tr("New barcode {gtin}: pick its item once; it will be remembered.").format(gtin=scan.gtin),
                            hint=True)
            self.picker.setFocus()
        else:
            self._focus_next_empty()
        self.scan_edit.clear()

    def _focus_next_empty(self) -> None:
        for widget in (self.batch_edit, self.expiry_edit, self.qty_edit):
            if not widget.text().strip():
                widget.setFocus()
                return
        self.qty_edit.setFocus()

    # -- item -------------------------------------------------------------------------------

    @Slot(object)
    def _on_item_chosen(self, hit: ItemHit) -> None:
        if self._pending_gtin is not None:
            gtin = self._pending_gtin

            def remember() -> bool:
                self.store.map_gtin(gtin, hit.item.code)
                return True

            saved = attempt(self, self.errors, remember, field_name="item")
            if saved is None:
                return
            self._pending_gtin = None
            self.status_label.setText(
                self.tr("Barcode {gtin} is now {item}; the next scan fills it in.").format(gtin=gtin, item=fmt.item_label(hit.item))
            )
        self.errors.clear("item")
        self._choose_item(hit.item)
        self._focus_next_empty()

    def _choose_item(self, item: Item) -> None:
        self._item = item
        self.item_label.setText(f"{item.code} · {fmt.item_label(item)} · {item.unit_of_issue}")
        self.picker.line_edit.setText(item.code)

    def chosen_item(self) -> Item | None:
        return self._item

    # -- lines ------------------------------------------------------------------------------

    @Slot()
    def add_line(self) -> None:
        """Check the line with the store's rules and put it in the table."""
        self.errors.clear()
        today = self.store.today()
        try:
            if self._item is None:
                raise Refusal("choose_item_or_scan", field="item")
            batch_no = normalise_batch_no(self.batch_edit.text())
            expiry = parse_expiry_month(self.expiry_edit.text())
            if is_expired(expiry, today):
                raise BatchExpired(self._item.code, batch_no, expiry, receiving=True)
            manufacturer = check_text(self.manufacturer_edit.text(), "manufacturer", "Manufacturer", required=False) or None
            qty = check_quantity(parse_whole(self.qty_edit.text()))
            cost = check_unit_cost(self.cost_edit.text())
        except Refusal as refusal:
            field = "expiry" if isinstance(refusal, BatchExpired) else refusal.field
            self.errors.show(refusal, field_name=field)
            return
        for row, (line, _) in enumerate(self.lines.rows()):
            if line.item_code == self._item.code and line.batch_no == batch_no:
                # The same batch twice on one challan is one line with the sum.
                merged = ReceiptLine(line.item_code, batch_no, expiry, line.qty + qty, manufacturer or line.manufacturer,
                                     cost or line.unit_cost)
                self.lines.replace(row, (merged, self._item))
                break
        else:
            self.lines.append((ReceiptLine(self._item.code, batch_no, expiry, qty, manufacturer, cost), self._item))
        self._clear_line_entry()
        self.scan_edit.setFocus()

    def _clear_line_entry(self) -> None:
        self._item = None
        self._pending_gtin = None
        for edit in (self.scan_edit, self.batch_edit, self.expiry_edit, self.qty_edit, self.cost_edit):
            edit.clear()
        # The manufacturer usually repeats down a challan: keep it.
        self.picker.clear()
        self.item_label.clear()

    def _update_total(self) -> None:
        lines = self.receipt_lines()
        value = sum((Decimal(line.unit_cost) * line.qty for line in lines if line.unit_cost), Decimal(0))
        units = sum(line.qty for line in lines)
        text = self.tr("{lines} line(s), {units} units").format(lines=len(lines), units=fmt.qty(units))
        if value:
            text += self.tr(", value {value}").format(value=fmt.money(value))
        self.total_label.setText(text)

    def line_cell(self, row: tuple[ReceiptLine, Item], column: int, role: int) -> Any:
        line, item = row
        if role == Qt.ItemDataRole.DisplayRole:
            value = Decimal(line.unit_cost) * line.qty if line.unit_cost else None
            return (line.item_code, fmt.item_label(item), line.batch_no, fmt.expiry(line.expiry_month), line.manufacturer or "",
                    fmt.qty(line.qty), fmt.money(line.unit_cost), fmt.money(value))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (5, 6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def line_typed(self) -> bool:
        # The clerk typed one line and pressed F10 without Enter: Save takes that line first.
        return self._item is not None or bool(self.qty_edit.text().strip())

    # -- saving: a refusal is shown next to its field; nothing is kept half --------------------

    def save_document(self) -> SavedDocument:
        # A line's refusal (expiry differs from the batch on record, ...) names its item and
        # batch in the message; it belongs under the lines (LINE_FIELDS), not in the empty
        # entry fields.
        return self.store.receive(
            source=self.source_combo.currentData(),
            source_name=self.sender_edit.text(),
            voucher_no=self.voucher_edit.text(),
            voucher_date=_pydate(self.voucher_date.date()),
            lines=self.receipt_lines(),
        )

    def saved_text(self, document: SavedDocument) -> str:
        return self.tr("Saved {number}: {lines} line(s) from {voucher}.").format(
            number=document.number, lines=len(document.lines), voucher=document.header["voucher_no"])

    def after_save(self) -> None:
        """Empty for the next challan (the date back to today)."""
        super().after_save()
        self._clear_line_entry()
        self.manufacturer_edit.clear()
        self.sender_edit.clear()
        self.voucher_edit.clear()
        self.voucher_date.setMaximumDate(_qdate(self.store.today()))
        self.voucher_date.setDate(_qdate(self.store.today()))
        self._on_source_changed()
        self.voucher_edit.setFocus()

    @Slot()
    def _on_source_changed(self) -> None:
        # Only another facility must be named; the DDW is known from the voucher.
        self.sender_edit.setEnabled(self.source_combo.currentData() != ReceiptSource.DISTRICT_WAREHOUSE.value)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())
