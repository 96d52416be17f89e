"""Record stock received from the district drug warehouse, another facility or a local purchase.

The clerk types the challan's header, then each line, by hand or with a barcode scanner that
types like a keyboard: a GS1 DataMatrix fills the item (once its GTIN is mapped), batch and
expiry. A GTIN never seen before is mapped to a catalogue item the first time (the clerk picks
the item) and remembered by the store. Ctrl+S or F10 saves; the screen is then empty for the
next challan.

What a clerk would miss is said at the line, before the challan is saved: an expiry that
differs from the same batch's on record, and stock expiring this month or next (taken only
with a reason, which is kept with the line). A challan whose lines all equal an earlier
receipt's is said at Save; F10 again saves it as a second delivery. Ctrl+O reads a challan
CSV into the lines, every bad row named at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Slot
from PySide6.QtGui import QFontMetrics, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDateEdit, QLineEdit, QPushButton, QWidget

from ihms_desk.barcode import GS, BarcodeError, ScanResult, parse_scan
from ihms_desk.store import Store
from ihms_desk.store.challan import read_challan
from ihms_desk.store.errors import BatchExpired, EnvironmentProblem, ExpiresSoon, InvalidInput, Refusal, SameLinesAsEarlier
from ihms_desk.store.model import Item, ItemHit, ReceiptLine, ReceiptSource, SavedDocument
from ihms_desk.store.rules import check_quantity, check_text, check_unit_cost, parse_date
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.drafts import keep_receive_drafts
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import attempt, choice_field, note_label, parse_whole, text_field
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.wording import Said, SaidLines

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

    LINE_FIELDS = ("item", "batch", "expiry", "quantity", "unit_cost", "manufacturer", "short_expiry_reason")
    #: Lines the table shows at 1366x698 (a maximised window above the taskbar), at least.
    MIN_VISIBLE_LINES = 10

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Challan"), table_name="receipt_lines", side_by_side=False,
            columns=[self.tr("Code"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Manufacturer"),
                     self.tr("Quantity"), self.tr("Unit cost"), self.tr("Value")],
            save_text=self.tr("Save receipt (F10)"), header_columns=(1, 1, 1, 1), line_columns=(3, 2, 2),
        )
        self._item: Item | None = None
        self._pending_gtin: str | None = None
        self._discard_scan = False
        #: The challan (voucher and lines) the clerk was told equals an earlier receipt's:
        #: saving exactly it again confirms it is a second delivery.
        self._same_lines_told: tuple[object, ...] | None = None

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
        # One row of four: the lines table keeps the height (10 lines at 1366x698).
        self.header_field(self.tr("Source"), "source", self.source_combo)
        self.header_field(self.tr("Voucher / challan no."), "voucher_no", self.voucher_edit, column=1)
        self.header_field(self.tr("Sender"), "source_name", self.sender_edit, column=2)
        self.header_field(self.tr("Voucher date"), "voucher_date", self.voucher_date, "doc_date", column=3)

        # -- one line -----------------------------------------------------------------------
        self.scan_edit = ScanEdit(self)
        self.scan_edit.setObjectName("scan")
        self.scan_edit.setPlaceholderText(self.tr("Scan the pack's barcode here (or type the fields)"))
        self.picker = ItemPicker(store, self, visible_rows=2)
        self.item_label = note_label(self, "chosen_item")
        self.item_label.setWordWrap(True)
        self.batch_edit = text_field(self, "batch")
        self.expiry_edit = text_field(self, "expiry", self.tr("MM/YYYY"))
        self.reason_edit = text_field(self, "short_expiry_reason", self.tr("e.g. sent by DDW for use this month"))
        self.manufacturer_edit = text_field(self, "manufacturer")
        self.qty_edit = text_field(self, "quantity", self.tr("units of issue"))
        self.cost_edit = text_field(self, "unit_cost", self.tr("₹ per unit (optional)"))
        self.line_field(self.tr("Barcode"), "scan", self.scan_edit, "gtin")
        self.line_field(self.tr("Item"), "item", self.picker)
        self.line_field(self.tr("Batch"), "batch", self.batch_edit, column=1)
        self.line_field(self.tr("Expiry (MM/YYYY)"), "expiry", self.expiry_edit, column=1)
        self.line_field(self.tr("Reason"), "short_expiry_reason", self.reason_edit, column=1)
        self.line_field(self.tr("Manufacturer"), "manufacturer", self.manufacturer_edit, column=1)
        self.line_field("", None, self.item_label, column=2)
        self.line_field(self.tr("Quantity"), "quantity", self.qty_edit, column=2)
        self.line_field(self.tr("Unit cost"), "unit_cost", self.cost_edit, column=2)
        self.add_button = self.add_button_for_line(self.tr("Add line"))
        self.import_button = QPushButton(self.tr("Import challan CSV… (Ctrl+O)"), self)
        self.import_button.setObjectName("import_challan")
        self.import_button.setAutoDefault(False)
        self.buttons.insertWidget(1, self.import_button)
        self.finish_layout(first=self.voucher_edit, tab_order=(
            self.source_combo, self.voucher_edit, self.sender_edit, self.voucher_date, self.scan_edit,
            self.picker.line_edit, self.batch_edit, self.expiry_edit, self.reason_edit, self.manufacturer_edit,
            self.qty_edit, self.cost_edit, self.add_button))
        self._compact_lines()
        # The reason shows only for stock expiring this month or next.
        self.set_line_field_visible(self.reason_edit, False)
        # A scan that starts while the cursor is in another field still lands in the scan field.
        self._typed_fields = (self.voucher_edit, self.sender_edit, self.picker.line_edit, self.batch_edit, self.expiry_edit,
                              self.reason_edit, self.manufacturer_edit, self.qty_edit, self.cost_edit)
        for edit in self._typed_fields:
            edit.installEventFilter(self)

        # -- behaviour ----------------------------------------------------------------------
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.scan_edit.returnPressed.connect(self._on_scan)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.voucher_edit.returnPressed.connect(self.scan_edit.setFocus)
        self.sender_edit.returnPressed.connect(self.voucher_edit.setFocus)
        self.batch_edit.returnPressed.connect(self.expiry_edit.setFocus)
        self.expiry_edit.returnPressed.connect(self._on_expiry_entered)
        self.reason_edit.returnPressed.connect(self._on_expiry_entered)
        self.manufacturer_edit.returnPressed.connect(self.qty_edit.setFocus)
        self.qty_edit.returnPressed.connect(self.cost_edit.setFocus)
        self.cost_edit.returnPressed.connect(self.add_line)
        self.import_button.clicked.connect(self.import_challan)
        importing = QShortcut(QKeySequence("Ctrl+O"), self)
        importing.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        importing.activated.connect(self.import_challan)
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

    def shortcuts(self) -> list[tuple[str, str]]:
        return [*super().shortcuts(), ("Ctrl+O", self.tr("import a challan CSV"))]

    def _compact_lines(self) -> None:
        """Rows as tall as the text (Latin or Devanagari, whichever is taller) and a little
        air, not the style's default: ten lines fit at 1366x698."""
        fonts = [self.lines_view.font()]
        for family in self.lines_view.font().families():
            font = self.lines_view.font()
            font.setFamilies([family])
            fonts.append(font)
        height = max(QFontMetrics(font).height() for font in fonts) + 6
        self.lines_view.verticalHeader().setDefaultSectionSize(height)
        self.lines_view.verticalHeader().setMinimumSectionSize(height)

    def visible_lines(self) -> int:
        """How many whole lines the lines table shows as it is laid out now."""
        return self.lines_view.viewport().height() // max(1, self.lines_view.verticalHeader().defaultSectionSize())

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
        self.item_label.setText(f"{item.code} · {fmt.item_label(item)} · {fmt.unit(item.unit_of_issue)}")
        self.picker.line_edit.setText(item.code)

    def chosen_item(self) -> Item | None:
        return self._item

    # -- lines ------------------------------------------------------------------------------

    def _check_batch(self, item: Item) -> tuple[Item, str, str, str | None]:
        """The batch and expiry as typed, by the store's own check of a receipt line: expired,
        an expiry differing from the batch on record, short expiry without a reason (the
        same check the store makes at Save, said here at the line)."""
        return self.store.check_receipt_line(ReceiptLine(
            item.code, self.batch_edit.text(), self.expiry_edit.text(), 1,
            short_expiry_reason=self.reason_edit.text().strip() or None))

    def _typed_line(self) -> ReceiptLine:
        """The line as typed, checked by the store's rules (a refusal names its field)."""
        if self._item is None:
            raise Refusal("choose_item_or_scan", field="item")
        _, batch_no, expiry, reason = self._check_batch(self._item)
        manufacturer = check_text(self.manufacturer_edit.text(), "manufacturer", "Manufacturer", required=False) or None
        qty = check_quantity(parse_whole(self.qty_edit.text()))
        cost = check_unit_cost(self.cost_edit.text())
        return ReceiptLine(self._item.code, batch_no, expiry, qty, manufacturer, cost, reason)

    def _show_line_refusal(self, refusal: Refusal) -> None:
        if isinstance(refusal, ExpiresSoon):
            # Taken only with a reason: the reason field appears, the cursor in it.
            self.set_line_field_visible(self.reason_edit, True)
            self.errors.show(refusal, field_name="short_expiry_reason")
            return
        self.errors.show(refusal, field_name="expiry" if isinstance(refusal, BatchExpired) else refusal.field)

    @Slot()
    def _on_expiry_entered(self) -> None:
        """Enter on the expiry (or the reason): the expiry is checked now, not at Save."""
        self.errors.clear()
        if self._item is not None and self.batch_edit.text().strip():
            try:
                self._check_batch(self._item)
            except Refusal as refusal:
                self._show_line_refusal(refusal)
                return
        self.manufacturer_edit.setFocus()

    @Slot()
    def add_line(self) -> None:
        """Check the line with the store's rules and put it in the table."""
        self.errors.clear()
        if self._item is None:
            self.errors.show(Refusal("choose_item_or_scan", field="item"))
            return
        try:
            line = self._typed_line()
        except Refusal as refusal:
            self._show_line_refusal(refusal)
            return
        self._append_line(line, self._item)
        self._clear_line_entry()
        self.scan_edit.setFocus()

    def _append_line(self, line: ReceiptLine, item: Item) -> None:
        for row, (earlier, _) in enumerate(self.lines.rows()):
            if earlier.item_code == line.item_code and earlier.batch_no == line.batch_no:
                # The same batch twice on one challan is one line with the sum.
                merged = ReceiptLine(line.item_code, line.batch_no, line.expiry_month, earlier.qty + line.qty,
                                     line.manufacturer or earlier.manufacturer, line.unit_cost or earlier.unit_cost,
                                     line.short_expiry_reason or earlier.short_expiry_reason)
                self.lines.replace(row, (merged, item))
                return
        self.lines.append((line, item))

    @Slot()
    def import_challan(self) -> None:
        """Ctrl+O: a challan CSV's lines into the table (and its voucher into the header),
        every row checked as a typed line is; a bad file is refused whole, every bad row named."""
        path = dialogs.open_file(self, self.tr("Import challan"), self.tr("CSV file (*.csv)"))
        if path is None:
            return
        self.errors.clear()
        checked: list[tuple[ReceiptLine, Item]] = []

        def check(line: ReceiptLine) -> None:
            # Kept as the store reads them (the item's code, batch in capitals, expiry 2027-03).
            item, batch_no, expiry, reason = self.store.check_receipt_line(line)
            checked.append((ReceiptLine(item.code, batch_no, expiry, line.qty, line.manufacturer, line.unit_cost,
                                        reason), item))

        try:
            challan = read_challan(path, check=check)
        except Refusal as refusal:
            self.errors.show(_first_rows(refusal), field_name="lines")
            return
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)
            return
        for line, item in checked:
            self._append_line(line, item)
        if challan.voucher.get("voucher_no") and not self.voucher_edit.text().strip():
            self.voucher_edit.setText(challan.voucher["voucher_no"])
        date = challan.voucher.get("voucher_date")
        if date:
            try:
                self.voucher_date.setDate(_qdate(parse_date(date, "voucher_date", "Voucher date")))
            except Refusal as refusal:
                self.errors.show(refusal, field_name="voucher_date")
        self.status_label.setText(self.tr("Read {lines} line(s) from {file}: check them, then save (F10).").format(
            lines=len(challan.lines), file=path.name))
        self.lines_view.setFocus()

    def _clear_line_entry(self) -> None:
        self._item = None
        self._pending_gtin = None
        for edit in (self.scan_edit, self.batch_edit, self.expiry_edit, self.reason_edit, self.qty_edit, self.cost_edit):
            edit.clear()
        self.set_line_field_visible(self.reason_edit, False)
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
                    fmt.qty_unit(line.qty, item.unit_of_issue), fmt.money(line.unit_cost), fmt.money(value))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (5, 6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if line.short_expiry_reason and column == 3:
            # Short expiry taken for a reason: marked like near-expiry stock, the reason on hover.
            if role == Qt.ItemDataRole.BackgroundRole:
                return fmt.NEAR_EXPIRY_BG
            if role == Qt.ItemDataRole.ToolTipRole:
                return line.short_expiry_reason
        return None

    def line_typed(self) -> bool:
        # The clerk typed one line and pressed F10 without Enter: Save takes that line first.
        return self._item is not None or bool(self.qty_edit.text().strip())

    # -- saving: a refusal is shown next to its field; nothing is kept half --------------------

    def save_document(self) -> SavedDocument:
        # A line's refusal (expiry differs from the batch on record, ...) names its item and
        # batch in the message; it belongs under the lines (LINE_FIELDS), not in the empty
        # entry fields.
        # A challan equal to an earlier one is said once; saving the very same again confirms it.
        challan = (self.source_combo.currentData(), self.sender_edit.text(), self.voucher_edit.text(),
                   *self.receipt_lines())
        try:
            return self.store.receive(
                source=self.source_combo.currentData(),
                source_name=self.sender_edit.text(),
                voucher_no=self.voucher_edit.text(),
                voucher_date=_pydate(self.voucher_date.date()),
                lines=self.receipt_lines(),
                warn=True, same_lines_ok=self._same_lines_told == challan,
            )
        except SameLinesAsEarlier:
            self._same_lines_told = challan
            raise

    def saved_text(self, document: SavedDocument) -> str:
        return self.tr("Saved {number}: {lines} line(s) from {voucher}.").format(
            number=document.number, lines=len(document.lines), voucher=document.header["voucher_no"])

    def after_save(self) -> None:
        """Empty for the next challan (the date back to today)."""
        super().after_save()
        self._same_lines_told = None
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


#: Bad rows of an imported challan named under the lines; more would push the table off the screen.
SHOWN_BAD_ROWS = 6


def _first_rows(refusal: Refusal) -> Refusal:
    """A challan's bad rows as the screen shows them: the first few, and how many more."""
    rows = refusal.values.get("rows")
    if refusal.kind != "challan_rows_refused" or not isinstance(rows, SaidLines) or len(rows) <= SHOWN_BAD_ROWS:
        return refusal
    more = Said("challan_more_rows", {"n": len(rows) - SHOWN_BAD_ROWS})
    return InvalidInput(refusal.kind, field=refusal.field, **{**refusal.values, "rows": SaidLines([*rows[:SHOWN_BAD_ROWS], more])})


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())
