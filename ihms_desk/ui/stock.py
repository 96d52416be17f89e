"""Stock on hand of every item and its batches, with expiry colours, filters and search.

The figures are read in the worker thread (see :func:`~ihms_desk.ui.stock_model.read_stock`)
so opening the screen never blocks the counter; the table shows rows in chunks as it scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import StoreError
from ihms_desk.store.model import CATEGORIES

from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.forms import choice_field, error_label, master_detail, message_of, rows_table
from ihms_desk.ui.screen import Screen
from ihms_desk.ui.stock_model import BatchTableModel, StockFilter, StockTableModel, category_label


class StockScreen(Screen):
    """Every item with its stock; the selected item's batches below."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self._selected_code: str | None = None

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("stock_search")
        self.search_edit.setPlaceholderText(self.tr("Search: code, name or generic name"))
        self.search_edit.setClearButtonEnabled(True)
        self.category_combo = choice_field(self, "stock_category", [
            (self.tr("All categories"), ""), *((category_label(category), category) for category in CATEGORIES)])
        self.state_combo = choice_field(self, "stock_state", [
            (self.tr("In stock"), StockFilter.IN_STOCK),
            (self.tr("All items"), StockFilter.ALL),
            (self.tr("Out of stock"), StockFilter.OUT_OF_STOCK),
            (self.tr("Low stock"), StockFilter.LOW),
            (self.tr("Near expiry"), StockFilter.NEAR_EXPIRY),
            (self.tr("Expired on the shelf"), StockFilter.EXPIRED),
        ])
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("stock_count")
        self.error = error_label(self, "stock")

        self.model = StockTableModel(store, self)
        # Fixed widths, not ResizeToContents: measuring every row of a big table costs time. Each
        # is the widest of a sample value and its heading, in this font: the register's Hindi
        # headings (औसत मासिक खपत (AMC)) are longer than the English, and the text size is the user's.
        metrics = self.fontMetrics()
        samples = {StockTableModel.CODE: "D00000", StockTableModel.CATEGORY: "Surgical", StockTableModel.ON_HAND: "1,00,000 capsule",
                   StockTableModel.USABLE: "1,00,000", StockTableModel.EXPIRED: "10,000", StockTableModel.BATCHES: "00",
                   StockTableModel.NEAREST: "00/0000", StockTableModel.AMC: "10,000", StockTableModel.MONTHS: "000"}
        headers = self.model.headers()
        self.view = rows_table(self, self.model, "stock_table", stretch=StockTableModel.ITEM, widths={
            column: max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(headers[column])) + 24
            for column, sample in samples.items()})
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(StockTableModel.ITEM, Qt.SortOrder.AscendingOrder)

        self.batch_title = QLabel(self.tr("Select an item to see its batches."), self)
        self.batch_title.setObjectName("batch_title")
        self.batch_model = BatchTableModel(self)
        self.batch_view = rows_table(self, self.batch_model, "batch_table")
        self.batch_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        filters.addWidget(self.category_combo, 1)
        filters.addWidget(self.state_combo, 1)
        filters.addWidget(self.refresh_button)
        splitter = master_detail(self, self.view, (self.batch_title, self.batch_view), stretches=(3, 1))
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)
        self.setFocusProxy(self.search_edit)

        self.search_edit.textChanged.connect(self._on_search)
        self.category_combo.currentIndexChanged.connect(self._on_filter)
        self.state_combo.currentIndexChanged.connect(self._on_filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.model.loaded.connect(self._on_loaded)
        self.model.load_failed.connect(self._on_load_failed)
        self.model.modelReset.connect(self._on_reset)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)

    @Slot()
    def refresh(self) -> None:
        """Read the stock again (in the worker); the table updates when it is in."""
        self.count_label.setText(self.tr("Loading stock…"))
        self.busy.emit(True)
        self.model.load()

    @Slot(float)
    def _on_loaded(self, seconds: float) -> None:
        self.busy.emit(False)
        self.error.hide()
        self._update_count()

    @Slot(object)
    def _on_load_failed(self, error: object) -> None:
        self.job_failed(error, self.error)

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.model.set_filter(text=text)
        self._update_count()

    @Slot()
    def _on_filter(self) -> None:
        self.model.set_filter(category=self.category_combo.currentData(), state=self.state_combo.currentData())
        self._update_count()

    def _update_count(self) -> None:
        count = self.model.matching_count()
        self.count_label.setText(self.tr("%n item(s)", "", count))

    @Slot()
    def _on_reset(self) -> None:
        # Keep the item the user was looking at selected across reloads and filtering.
        if self._selected_code is not None:
            row = self.model.row_of(self._selected_code)
            if row >= 0:
                self.view.selectRow(row)
                return
        self._show_batches(None)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        row = self.model.item_stock(rows[0].row()) if rows else None
        self._show_batches(row.item.code if row else None)

    def select_item(self, code: str) -> bool:
        """Select an item by code (for the alerts screen's "show in stock"), widening the
        filters if they hide it; False if it is not loaded at all."""
        row = self.model.row_of(code)
        if row < 0:
            # An out-of-stock item is hidden by "In stock": show everything rather than nothing.
            self.search_edit.clear()
            self.category_combo.setCurrentIndex(0)
            self.state_combo.setCurrentIndex(self.state_combo.findData(StockFilter.ALL))
            row = self.model.row_of(code)
        if row < 0:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        return True

    def _show_batches(self, code: str | None) -> None:
        self._selected_code = code
        if code is None:
            self.batch_model.set_batches([])
            self.batch_title.setText(self.tr("Select an item to see its batches."))
            return
        row = self.model.item_stock(self.model.row_of(code))
        try:
            # One item's batches: an indexed query of a few rows, fine on the GUI thread.
            batches = self.store.item_batches(code)
        except StoreError as error:
            self.batch_model.set_batches([])
            self.batch_title.setText(message_of(error))
            return
        self.batch_model.set_batches(batches)
        name = fmt.item_label(row.item) if row else code
        self.batch_title.setText(self.tr("Batches of {item} ({code}): {count}").format(item=name, code=code, count=len(batches)))
