"""The item picker: type a code, name or generic name, see stock and nearest expiry, Enter picks.

Used by every screen that names an item (dispense, receive, adjust, transfer, stocktake)::

    from ihms_desk.ui.item_picker import ItemPicker

    self.picker = ItemPicker(store, parent=self)
    self.picker.item_chosen.connect(self.on_item_chosen)   # Signal(object): an ItemHit

    @Slot(object)
    def on_item_chosen(self, hit: ItemHit) -> None:
        hit.item.code, hit.item.name, hit.usable_qty, hit.nearest_expiry
        self.qty_edit.setFocus()

    self.picker.clear()            # empty the text and the results, keep focus where it is
    self.picker.setFocus()         # focus goes to its line edit (focus proxy)
    self.picker.choose_code("D0001")   # pick by exact code (a barcode mapped via store.item_for_gtin)
    self.picker.refresh()          # search again (after stock changed)
    self.picker.line_edit          # the QLineEdit, for tab order: QWidget.setTabOrder(picker.line_edit, x)
    self.picker.set_error("...")   # red text under the field (a Refusal about field "item")

Keys while typing: Down/Up/PageDown/PageUp move through results, Enter picks the highlighted
one (the first if none), Escape clears the text. The list starts at the second character: one
letter matches most of a 6,000-item catalogue, is the slowest search and helps nobody (Enter
after one character still searches). The results list never takes focus, so Tab
leaves the picker for the next field. Out-of-stock items are listed (a dispense records the
shortfall; a receipt needs them) but marked in dark red with "Out of stock".

The search is ``store.search_items`` on the GUI thread: it ranks from the catalogue's index in
memory (``store/item_search.py``: about a millisecond for 6,000 items, see
benchmarks/store_bench.py; the first search after start builds the index), and a worker round
trip per keystroke would cost more than it saves.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import Refusal
from ihms_desk.store.model import ItemHit
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui import i18n
from ihms_desk.ui.forms import rows_table

_Index = QModelIndex | QPersistentModelIndex


class ItemHitModel(QAbstractTableModel):
    """Search results: code, item, generic name, usable stock, nearest expiry."""

    CODE, ITEM, GENERIC, STOCK, EXPIRY = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[ItemHit] = []

    def headers(self) -> list[str]:
        return [self.tr("Code"), self.tr("Item"), self.tr("Generic name"), self.tr("Stock"), self.tr("Nearest expiry")]

    def set_hits(self, hits: list[ItemHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> ItemHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < 5:
            return self.headers()[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        column = index.column()
        out = hit.usable_qty <= 0
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.CODE:
                return hit.item.code
            if column == self.ITEM:
                return fmt.item_label(hit.item)
            if column == self.GENERIC:
                return hit.item.generic_name
            if column == self.STOCK:
                if out:
                    return self.tr("Out of stock")
                return f"{fmt.qty(hit.usable_qty)} {fmt.unit(hit.item.unit_of_issue)}"
            if column == self.EXPIRY:
                return fmt.expiry(hit.nearest_expiry)
        elif role == Qt.ItemDataRole.ForegroundRole and out:
            return fmt.OUT_OF_STOCK_FG
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.STOCK:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.item.code} · {fmt.item_label(hit.item)} · {hit.item.generic_name}"
        return None


class ItemPicker(QWidget):
    """A search field with a results list under it; emits ``item_chosen(ItemHit)`` on Enter."""

    #: The ItemHit the user picked (Enter, double-click, or :meth:`choose_code`).
    item_chosen = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None, *, visible_rows: int = 6, limit: int = 20,
                 min_chars: int = 2, popup_over: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.limit = limit
        self.min_chars = min_chars
        self.visible_rows = visible_rows
        #: With ``popup_over`` (a screen), the results float over it under the field while there
        #: are any, as a completer's list would, instead of taking height in the layout: the
        #: dispense screen needs that height for its lines at 1366x698.
        self.popup_over = popup_over
        self.line_edit = QLineEdit(self)
        self.line_edit.setObjectName("item_search")
        self.line_edit.setPlaceholderText(self.tr("Item: type code, name or generic name"))
        self.line_edit.setClearButtonEnabled(True)
        self.model = ItemHitModel(self)
        # Fixed widths from the font, not ResizeToContents: measuring every cell on each
        # keystroke cost more than the search itself (benchmarks/ui_bench.py).
        metrics = self.fontMetrics()
        self.view = rows_table(self, self.model, "item_results", stretch=ItemHitModel.ITEM, widths={
            ItemHitModel.CODE: metrics.horizontalAdvance("W00000") + 16,
            # Long generic names elide (the tooltip has them whole): the item name matters more.
            ItemHitModel.GENERIC: metrics.horizontalAdvance("Amoxicillin") + 16,
            ItemHitModel.STOCK: metrics.horizontalAdvance("1,00,000 capsule") + 12,
            ItemHitModel.EXPIRY: max(metrics.horizontalAdvance("00/0000"), metrics.horizontalAdvance(
                self.model.headers()[ItemHitModel.EXPIRY])) + 20,
        })
        header = self.view.horizontalHeader()
        # The list never takes focus: typing stays in the field, Tab moves on to the next field.
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setAlternatingRowColors(True)
        row_height = self.view.verticalHeader().defaultSectionSize()
        self.view.setFixedHeight(header.sizeHint().height() + row_height * visible_rows + 4)
        self.view.doubleClicked.connect(self._on_double_clicked)
        if popup_over is not None:
            # The whole name shows, on two lines where it must (the list is short: 20 rows).
            self.view.setWordWrap(True)
            self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
            # The generic name is in the item's name as a rule: its column gives its width to the name.
            self.view.setColumnHidden(ItemHitModel.GENERIC, True)
            self.view.setParent(popup_over)
            self.view.setFrameShape(QFrame.Shape.Box)
            self.view.hide()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("item_error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line_edit)
        if popup_over is None:
            layout.addWidget(self.view)
        layout.addWidget(self.error_label)
        self.setFocusProxy(self.line_edit)
        self.line_edit.textChanged.connect(self._on_text_changed)
        self.line_edit.installEventFilter(self)

    # -- public -----------------------------------------------------------------------------

    def set_store(self, store: Store) -> None:
        self.store = store
        self.refresh()

    def text(self) -> str:
        return self.line_edit.text()

    def hits(self) -> list[ItemHit]:
        return [hit for row in range(self.model.rowCount()) if (hit := self.model.hit(row)) is not None]

    def current_hit(self) -> ItemHit | None:
        index = self.view.currentIndex()
        if index.isValid():
            return self.model.hit(index.row())
        return self.model.hit(0)

    @Slot()
    def clear(self) -> None:
        self.line_edit.clear()
        self.set_error(None)
        self.hide_popup()

    @Slot()
    def refresh(self) -> None:
        """Search again with the current text (stock figures may have changed)."""
        self._on_text_changed(self.line_edit.text())

    def set_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def choose_code(self, code: str) -> ItemHit | None:
        """Pick the item with exactly this code, as if typed and Enter pressed; None if unknown."""
        self.line_edit.setText(code)
        self._search(code)
        for hit in self.hits():
            if hit.item.code == code.strip().upper():
                self._choose(hit)
                return hit
        self.set_error(self.tr("No item with code {code}.").format(code=code))
        return None

    # -- behaviour --------------------------------------------------------------------------

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        if len(text.strip()) < self.min_chars:
            self.set_error(None)
            self.model.set_hits([])
            self.hide_popup()
            return
        self._search(text)

    def _search(self, text: str) -> None:
        self.set_error(None)
        try:
            hits = self.store.search_items(text, limit=self.limit) if text.strip() else []
        except Refusal as refusal:
            hits = []
            self.set_error(i18n.refusal_text(refusal))
        self.model.set_hits(hits)
        if hits:
            self.view.selectRow(0)
        self._place_popup()

    def _place_popup(self) -> None:
        """Show the floating results under the field (as wide as the screen allows), or hide them."""
        over = self.popup_over
        if over is None:
            return
        # Only while the field is being typed in: a pick by code or a resize shows nothing.
        if not self.model.rowCount() or not self.line_edit.isVisible() or not self.line_edit.hasFocus():
            self.view.hide()
            return
        top_left = self.line_edit.mapTo(over, self.line_edit.rect().bottomLeft())
        width = max(self.line_edit.width(), min(over.width() - top_left.x() - 4, 980))
        self.view.setGeometry(top_left.x(), top_left.y() + 1, width, self.view.height())
        self.view.resizeRowsToContents()  # two lines for a long name, one for the rest
        self.view.show()
        self.view.raise_()

    def hide_popup(self) -> None:
        if self.popup_over is not None:
            self.view.hide()

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        row = self.view.currentIndex().row() if self.view.currentIndex().isValid() else 0
        row = max(0, min(count - 1, row + step))
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))

    def _choose(self, hit: ItemHit) -> None:
        self.set_error(None)
        self.hide_popup()
        self.item_chosen.emit(hit)

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self._choose(hit)

    def _neighbour(self, forward: bool) -> QWidget | None:
        """The widget Tab (or Shift+Tab) goes to from the field. Qt's own search, started in a
        focus proxy inside a widget, went back to the window's first field."""
        widget: QWidget | None = self.line_edit
        while True:
            assert widget is not None
            widget = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
            if widget is None or widget is self.line_edit:
                return None
            if widget is self or self.isAncestorOf(widget) or widget.window() is not self.window():
                continue
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled():
                return widget

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line_edit and event.type() == QEvent.Type.FocusOut:
            self.hide_popup()  # Tab left the field: the list must not hide what is under it
        elif watched is self.line_edit and event.type() == QEvent.Type.FocusIn and self.model.rowCount():
            self._place_popup()
        if watched is self.line_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            page = max(1, self.view.height() // max(1, self.view.verticalHeader().defaultSectionSize()) - 1)
            if key == Qt.Key.Key_Down:
                self._move(1)
                return True
            if key == Qt.Key.Key_Up:
                self._move(-1)
                return True
            if key == Qt.Key.Key_PageDown:
                self._move(page)
                return True
            if key == Qt.Key.Key_PageUp:
                self._move(-page)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if not self.model.rowCount() and self.line_edit.text().strip():
                    self._search(self.line_edit.text())  # a one-character search, asked for
                hit = self.current_hit()
                if hit is not None:
                    self._choose(hit)
                elif self.line_edit.text().strip():
                    self.set_error(self.tr("No item matches '{text}'.").format(text=self.line_edit.text().strip()))
                return True
            if key == Qt.Key.Key_Escape and self.line_edit.text():
                self.clear()
                return True
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                forward = key == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                target = self._neighbour(forward)
                if target is not None:
                    target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
                    return True
        return super().eventFilter(watched, event)
