"""Stocktake: count the batches on the shelf, preview the differences, save the correction.

The clerk adds items (or a whole category), types each batch's counted quantity (Enter goes
to the next batch), previews the book-versus-counted differences with the store, and saves.
Batches left uncounted are not touched: a stocktake may cover one shelf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QWidget

from ihms_desk.store import Store

from ihms_desk.store.model import CATEGORIES, BatchStock, ItemHit, SavedDocument, StocktakeCount

from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import attempt, choice_field, note_label, parse_whole, run_store_job, text_field
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.ui.stock_model import category_label

@dataclass
class CountRow:
    """One batch on the count sheet."""

    item_code: str
    item_name: str
    batch_no: str
    expiry_month: str
    book_qty: int
    expired: bool = False
    counted: int | None = None
    #: Set by the preview: the difference the store will record (None until previewed).
    difference: int | None = None


def _batches_of_category(store: Store, category: str) -> list[tuple[str, str, BatchStock]]:
    """Every batch with stock of a category's items (worker thread)."""
    result = []
    for row in store.stock_on_hand(category=category or None, include_zero=False):
        for batch in store.item_batches(row.item.code):
            result.append((row.item.code, fmt.item_label(row.item), batch))
    return result


class StocktakeScreen(DocumentForm):
    """A count sheet of batches, their book and counted quantities, and the differences."""

    CODE, ITEM, BATCH, EXPIRY, BOOK, COUNTED, DIFFERENCE = range(7)
    LINE_FIELDS = ("item", "batch", "counted")

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Count"), line_title=self.tr("Batches to count"), table_name="count_sheet",
            columns=[self.tr("Code"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Book"),
                     self.tr("Counted"), self.tr("Difference")],
            save_text=self.tr("Save stocktake (F10)"), line_first=True, box_stretch=(2, 3),
            editable=(self.COUNTED,), set_cell=self._set_counted,
        )
        self._previewed = False
        self._load_tag = 0
        self.picker = ItemPicker(store, self, visible_rows=3)
        self.category_combo = choice_field(self, "category", [
            (self.tr("All categories"), ""), *((category_label(category), category) for category in CATEGORIES)])
        self.category_button = QPushButton(self.tr("Add all batches of the category"), self)
        self.category_button.setObjectName("add_category")
        self.counted_edit = text_field(self, "counted", self.tr("count of the selected batch, Enter for the next"))
        self.current_label = note_label(self, "current_batch")
        self.note_edit = text_field(self, "note", self.tr("e.g. quarterly physical verification, shelf B"))
        self.clear_button = QPushButton(self.tr("Clear the sheet"), self)
        self.preview_button = QPushButton(self.tr("Preview differences (Ctrl+D)"), self)
        self.preview_button.setObjectName("preview")
        self.remove_button.setText(self.tr("Remove batch (Del)"))
        self.buttons.insertWidget(1, self.clear_button)
        self.buttons.insertWidget(self.buttons.count() - 1, self.preview_button)
        #: The count sheet (the document's lines) and its table.
        self.sheet, self.view = self.lines, self.lines_view
        self.summary_label = self.total_label
        # Typing a digit on a row starts editing its count (F2 would switch to dispensing).
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)

        category_row = QHBoxLayout()
        category_row.addWidget(self.category_combo, 1)
        category_row.addWidget(self.category_button)
        self.line_field(self.tr("Item"), "item", self.picker)
        self.line_field(self.tr("Category"), None, category_row)
        self.header_field(self.tr("Batch"), None, self.current_label)
        self.header_field(self.tr("Counted"), "counted", self.counted_edit)
        self.header_field(self.tr("Note"), "note", self.note_edit)
        self.finish_layout(first=self.picker, lines_aliases=("batch",))

        self.picker.item_chosen.connect(self._on_item_chosen)
        self.category_button.clicked.connect(self.add_category)
        self.counted_edit.returnPressed.connect(self.enter_count)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.clear_button.clicked.connect(self.clear_sheet)
        self.preview_button.clicked.connect(self.preview)
        # Not F9: F2-F9 switch screens in the main window (an ambiguous key would do nothing).
        preview = QShortcut(QKeySequence("Ctrl+D"), self)
        preview.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        preview.activated.connect(self.preview)
        self._update_state()

    def shortcuts(self) -> list[tuple[str, str]]:
        return [*super().shortcuts(), (self.tr("Ctrl+D"), self.tr("preview the differences"))]

    # -- public -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Called when the screen is shown; a count in progress is kept."""
        self.picker.refresh()

    def rows(self) -> list[CountRow]:
        return self.sheet.rows()

    def counts(self) -> list[StocktakeCount]:
        """What was counted so far (uncounted batches are left out, and left alone)."""
        return [StocktakeCount(row.item_code, row.batch_no, row.counted) for row in self.rows() if row.counted is not None]

    # -- building the sheet -----------------------------------------------------------------

    @Slot(object)
    def _on_item_chosen(self, hit: ItemHit) -> None:
        self.errors.clear("item")
        batches = attempt(self, self.errors, lambda: self.store.item_batches(hit.item.code), field_name="item")
        if batches is None:
            return
        if not batches:
            self.errors.set("item", self.tr("{item} has no stock on the books: receive it or record it as found.").format(
                item=fmt.item_label(hit.item)))
            return
        first = self._add_batches([(hit.item.code, fmt.item_label(hit.item), batch) for batch in batches])
        self.picker.clear()
        self._go_to_row(first)

    @Slot()
    def add_category(self) -> None:
        """Add every batch with stock of the chosen category (read in the worker)."""
        self._load_tag += 1
        self.category_button.setEnabled(False)
        self.busy.emit(True)
        self.status_label.setText(self.tr("Reading the batches…"))
        category = self.category_combo.currentData()
        run_store_job(self.store, lambda store: _batches_of_category(store, category), self._load_tag,
                      self._on_category_loaded, self._on_category_failed, self)

    @Slot(object, int)
    def _on_category_loaded(self, batches: list[tuple[str, str, BatchStock]], tag: int) -> None:
        self.category_button.setEnabled(True)
        self.busy.emit(False)
        if tag != self._load_tag:
            return
        first = self._add_batches(batches)
        self.status_label.setText(self.tr("%n batch(es) on the sheet.", "", self.sheet.rowCount()))
        self._go_to_row(first)

    @Slot(object, int)
    def _on_category_failed(self, error: object, tag: int) -> None:
        self.category_button.setEnabled(True)
        self.job_failed(error, self.general_error)

    def _add_batches(self, batches: list[tuple[str, str, BatchStock]]) -> int:
        """Add batches not yet on the sheet; returns the row of the first one (or of the
        existing row when all were there already)."""
        present = {(row.item_code, row.batch_no): n for n, row in enumerate(self.rows())}
        first = -1
        for code, name, batch in batches:
            key = (code, batch.batch_no)
            if key in present:
                first = present[key] if first < 0 else first
                continue
            present[key] = self.sheet.rowCount()
            first = present[key] if first < 0 else first
            self.sheet.append(CountRow(code, name, batch.batch_no, batch.expiry_month, batch.qty, batch.expired))
        self._invalidate_preview()
        return first

    @Slot()
    def remove_line(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.sheet.remove(index.row())
            self._invalidate_preview()

    @Slot()
    def clear_sheet(self) -> None:
        self.sheet.set_rows([])
        self.errors.clear()
        self._invalidate_preview()

    # -- counting ---------------------------------------------------------------------------

    def _go_to_row(self, row: int) -> None:
        if 0 <= row < self.sheet.rowCount():
            self.view.setCurrentIndex(self.sheet.index(row, self.COUNTED))
            self.view.scrollTo(self.sheet.index(row, 0))
        self.counted_edit.setFocus()

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row(self, current: QModelIndex, previous: QModelIndex) -> None:
        row = self.sheet.row(current.row()) if current.isValid() else None
        if row is None:
            self.current_label.clear()
            return
        self.current_label.setText(f"{row.item_code} · {row.item_name} · {row.batch_no} · {fmt.expiry(row.expiry_month)}")
        self.counted_edit.setText("" if row.counted is None else str(row.counted))
        self.counted_edit.selectAll()

    @Slot()
    def enter_count(self) -> None:
        """Enter in the count field: record it for the selected batch and go to the next one."""
        index = self.view.currentIndex()
        if not index.isValid():
            self.errors.set("counted", self.tr("Add batches to the sheet first."))
            return
        if self.sheet.setData(self.sheet.index(index.row(), self.COUNTED), self.counted_edit.text()):
            self._go_to_row(min(index.row() + 1, self.sheet.rowCount() - 1))
            if index.row() + 1 >= self.sheet.rowCount():
                self.preview_button.setFocus()

    def _set_counted(self, row: CountRow, column: int, value: Any) -> bool:
        text = "" if value is None else str(value)
        if not text.strip():
            row.counted = None
        else:
            number = parse_whole(text)
            if not isinstance(number, int) or number < 0:
                self.errors.set("counted", self.tr("A counted quantity is a whole number, 0 or more."))
                return False
            row.counted = number
        self.errors.clear("counted")
        self._invalidate_preview()
        return True

    # -- preview and save -------------------------------------------------------------------

    def _invalidate_preview(self) -> None:
        if self._previewed or any(row.difference is not None for row in self.rows()):
            for row in self.rows():
                row.difference = None
            if self.sheet.rowCount():
                self.sheet.dataChanged.emit(self.sheet.index(0, 0), self.sheet.index(self.sheet.rowCount() - 1, self.DIFFERENCE))
        self._previewed = False
        self._update_state()

    def _update_state(self) -> None:
        counted = len(self.counts())
        self.save_button.setEnabled(self._previewed and counted > 0)
        self.preview_button.setEnabled(counted > 0)
        if not self._previewed:
            self.summary_label.setText(
                self.tr("{counted} of {total} batch(es) counted. Preview the differences, then save.").format(
                    counted=counted, total=self.sheet.rowCount()))

    @Slot()
    def preview(self) -> None:
        """Ask the store for book against counted quantities; nothing is saved."""
        self.errors.clear()
        counts = self.counts()
        if not counts:
            self.errors.set("counted", self.tr("Type at least one counted quantity."))
            return
        differences = attempt(self, self.errors, lambda: self.store.preview_stocktake(counts), line_fields=self.LINE_FIELDS)
        if differences is None:
            return
        by_batch = {(d.item_code, d.batch_no): d for d in differences}
        for row in self.rows():
            found = by_batch.get((row.item_code, row.batch_no))
            if found is not None:
                # The book may have moved since the sheet was made: the store's figure counts.
                row.book_qty = found.book_qty
                row.difference = found.difference
        self.sheet.dataChanged.emit(self.sheet.index(0, 0), self.sheet.index(self.sheet.rowCount() - 1, self.DIFFERENCE))
        self._previewed = True
        differing = [d for d in differences if d.difference]
        short = sum(-d.difference for d in differing if d.difference < 0)
        extra = sum(d.difference for d in differing if d.difference > 0)
        self.summary_label.setText(
            self.tr("{n} batch(es) differ from the books: {short} units missing, {extra} units more than the books. "
                    "Save to correct the books.").format(n=len(differing), short=fmt.qty(short), extra=fmt.qty(extra)))
        self._update_state()
        self.save_button.setFocus()

    @Slot()
    def save(self) -> None:
        """Save the counted batches (Ctrl+S / F10), only after a preview of the same counts."""
        if not self._previewed:
            self.preview()
            if not self._previewed:
                return
            self.errors.set(None, self.tr("Check the differences, then save again."))
            return
        super().save()

    def save_document(self) -> SavedDocument:
        return self.store.stocktake(self.counts(), note=self.note_edit.text())

    def saved_text(self, document: SavedDocument) -> str:
        moved = sum(1 for line in document.lines if line["qty"])
        return self.tr("Saved {number}: {lines} batch(es) counted, {moved} corrected.").format(
            number=document.number, lines=len(document.lines), moved=moved)

    def after_save(self) -> None:
        super().after_save()
        self.note_edit.clear()
        self._previewed = False
        self._update_state()
        self.picker.setFocus()

    # -- the sheet's cells ------------------------------------------------------------------

    def line_cell(self, row: CountRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == self.COUNTED:
                if row.counted is None:
                    return "" if role == Qt.ItemDataRole.EditRole else "—"
                return str(row.counted) if role == Qt.ItemDataRole.EditRole else fmt.qty(row.counted)
            if role == Qt.ItemDataRole.EditRole:
                return None
            if column == self.DIFFERENCE:
                return "" if row.difference is None else fmt.signed_qty(row.difference) if row.difference else "0"
            return (row.item_code, row.item_name, row.batch_no, fmt.expiry(row.expiry_month), fmt.qty(row.book_qty))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.BOOK, self.COUNTED, self.DIFFERENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == self.DIFFERENCE and row.difference:
                return fmt.SHORT_BG if row.difference < 0 else fmt.OK_BG
            if column == self.EXPIRY and row.expired:
                return fmt.EXPIRED_BG
        if role == Qt.ItemDataRole.ForegroundRole and row.counted is None and column == self.COUNTED:
            return fmt.OUT_OF_STOCK_FG
        return None
