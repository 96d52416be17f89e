"""Qt table models of the stock screen.

- :class:`StockTableModel`: every item with its stock, loaded in the worker thread and handed
  to the view in chunks (``canFetchMore``/``fetchMore``), filtered and searched in memory.
- :class:`BatchTableModel`: one item's batches, expiry coloured.

The form helpers the other screens share live in :mod:`ihms_desk.ui.forms`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal, Slot,
)

from ihms_desk.store import Store
from ihms_desk.store.model import BatchStock, ItemStock
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.chunked import ChunkedTableModel
from ihms_desk.ui.forms import run_store_job

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


# -- stock on hand ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StockSnapshot:
    """Stock on hand with the store's own verdicts on each item (low, near expiry, out)."""

    rows: list[ItemStock]
    low: frozenset[str] = frozenset()
    near_expiry: frozenset[str] = frozenset()
    stock_out: frozenset[str] = frozenset()
    seconds: float = 0.0


def read_stock(store: Store) -> StockSnapshot:
    """Everything the stock screen shows (worker thread): stock on hand, and which items are
    low, near expiry or out, from the store's own queries, so the screen's filters agree with
    the alerts to the unit. The verdicts come from the rows already read (2 ms on the
    five-year database; reading the stock and the batches again cost 110 ms), so the screen
    gets them together with the rows."""
    started = time.perf_counter()
    on_hand = store.stock_on_hand()
    low = frozenset(row.item.code for row in store.low_stock(rows=on_hand))
    near = store.near_expiry_codes(on_hand)
    out = frozenset(row.item.code for row in store.stock_outs(on_hand))
    return StockSnapshot(on_hand, low, near, out, time.perf_counter() - started)


class StockFilter:
    """Which rows the stock table shows (the values of the filter combo box)."""

    IN_STOCK = "in_stock"
    ALL = "all"
    OUT_OF_STOCK = "out_of_stock"
    LOW = "low"
    NEAR_EXPIRY = "near_expiry"
    EXPIRED = "expired"


class _HeadedTableModel(QAbstractTableModel):
    """A table of a fixed ``COLUMNS`` columns whose headings ``headers()`` gives (translated in
    the subclass, so each keeps its own translation context)."""

    COLUMNS = 0

    def headers(self) -> list[str]:
        raise NotImplementedError

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < self.COLUMNS:
            return self.headers()[section]
        return None


class StockTableModel(_HeadedTableModel, ChunkedTableModel):
    """Items and their stock; loads in the worker, shows rows in chunks as the view scrolls."""

    CODE, ITEM, CATEGORY, ON_HAND, USABLE, EXPIRED, BATCHES, NEAREST, AMC, MONTHS = range(10)
    COLUMNS = 10
    #: Rows handed to the view per fetchMore: enough to fill a screen, cheap to lay out.
    CHUNK = 100

    #: A load finished: rows and verdicts are in and shown; the argument is seconds since load().
    loaded = Signal(float)
    #: A load failed: the exception (EnvironmentProblem, or a bug).
    load_failed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._snapshot = StockSnapshot([])
        self._visible: list[ItemStock] = []
        self._shown = 0
        self._text = ""
        self._category = ""
        self._state = StockFilter.IN_STOCK
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._generation = 0
        self._load_started = 0.0
        self.loading = False

    def headers(self) -> list[str]:
        return [
            self.tr("Code"), self.tr("Item"), self.tr("Category"), self.tr("On hand"), self.tr("Usable"),
            self.tr("Expired"), self.tr("Batches"), self.tr("Nearest expiry"), self.tr("AMC"), self.tr("Months of stock"),
        ]

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the stock again in the worker thread; :attr:`loaded` when it is in and shown."""
        self._generation += 1
        self.loading = True
        self._load_started = time.perf_counter()
        run_store_job(self.store, read_stock, self._generation, self._on_stock, self._on_failed, self)

    @Slot(object, int)
    def _on_stock(self, snapshot: StockSnapshot, generation: int) -> None:
        # A newer load may be under way (the user pressed refresh twice): only the last counts.
        if generation != self._generation:
            return
        self.loading = False
        self.set_snapshot(snapshot)
        self.loaded.emit(time.perf_counter() - self._load_started)

    @Slot(object, int)
    def _on_failed(self, error: object, generation: int) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.load_failed.emit(error)

    def set_snapshot(self, snapshot: StockSnapshot) -> None:
        """Show these figures (the worker's result, or a test's)."""
        self._snapshot = snapshot
        self._apply()

    # -- filtering --------------------------------------------------------------------------

    def set_filter(self, *, text: str | None = None, category: str | None = None, state: str | None = None) -> None:
        """Narrow the rows: words typed (all must match code, name or generic name), a
        category ('' for all) and a :class:`StockFilter` value."""
        if text is not None:
            self._text = text
        if category is not None:
            self._category = category
        if state is not None:
            self._state = state
        self._apply()

    def _matches(self, row: ItemStock, words: list[str]) -> bool:
        item = row.item
        if self._category and item.category != self._category:
            return False
        state = self._state
        snap = self._snapshot
        if state == StockFilter.IN_STOCK and row.qty <= 0:
            return False
        if state == StockFilter.OUT_OF_STOCK and item.code not in snap.stock_out:
            return False
        if state == StockFilter.LOW and item.code not in snap.low:
            return False
        if state == StockFilter.NEAR_EXPIRY and item.code not in snap.near_expiry:
            return False
        if state == StockFilter.EXPIRED and row.expired_qty <= 0:
            return False
        if words:
            haystack = f"{item.code} {item.name} {item.generic_name}".lower()
            return all(word in haystack for word in words)
        return True

    def _apply(self) -> None:
        words = self._text.lower().split()
        self.beginResetModel()
        self._visible = [row for row in self._snapshot.rows if self._matches(row, words)]
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self._shown = min(self.CHUNK, len(self._visible))
        self.endResetModel()

    # -- lazy rows --------------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._visible)

    def matching_count(self) -> int:
        """Rows that pass the filter (shown or still to be fetched)."""
        return len(self._visible)

    def item_stock(self, row: int) -> ItemStock | None:
        return self._visible[row] if 0 <= row < self._shown else None

    def row_of(self, code: str) -> int:
        """The row of an item, fetching more rows if needed; -1 if filtered out."""
        for index, row in enumerate(self._visible):
            if row.item.code == code:
                while self._shown <= index:
                    self.fetchMore()
                return index
        return -1

    # -- the table --------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        row = self._visible[index.row()]
        column = index.column()
        code = row.item.code
        if role == _DISPLAY:
            return self._display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.ON_HAND, self.USABLE, self.EXPIRED, self.BATCHES, self.AMC, self.MONTHS):
            return _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if column in (self.EXPIRED, self.CODE) and row.expired_qty > 0:
                return fmt.EXPIRED_BG
            if column == self.NEAREST and code in self._snapshot.near_expiry:
                return fmt.NEAR_EXPIRY_BG
            if column in (self.USABLE, self.MONTHS) and code in self._snapshot.low:
                return fmt.NEAR_EXPIRY_BG
        if role == Qt.ItemDataRole.ForegroundRole and row.usable_qty <= 0 and code in self._snapshot.stock_out:
            return fmt.OUT_OF_STOCK_FG
        if role == Qt.ItemDataRole.ToolTipRole:
            # The full name first: long names are cut in the Item column.
            notes = [f"{code} · {fmt.item_label(row.item)} · {row.item.generic_name}"]
            if code in self._snapshot.stock_out:
                notes.append(self.tr("Out of stock"))
            if code in self._snapshot.low:
                notes.append(self.tr("Low stock"))
            if code in self._snapshot.near_expiry:
                notes.append(self.tr("A batch expires soon"))
            if row.expired_qty > 0:
                notes.append(self.tr("Expired stock on the shelf: write it off or return it"))
            return "\n".join(notes)
        return None

    def _display(self, row: ItemStock, column: int) -> str:
        if column == self.CODE:
            return row.item.code
        if column == self.ITEM:
            return fmt.item_label(row.item)
        if column == self.CATEGORY:
            return category_label(row.item.category)
        if column == self.ON_HAND:
            return fmt.qty_unit(row.qty, row.item.unit_of_issue)
        if column == self.USABLE:
            return fmt.qty(row.usable_qty)
        if column == self.EXPIRED:
            return fmt.qty(row.expired_qty) if row.expired_qty else ""
        if column == self.BATCHES:
            return fmt.qty(row.batches) if row.batches else ""
        if column == self.NEAREST:
            return fmt.expiry(row.nearest_expiry)
        if column == self.AMC:
            return fmt.qty(round(row.amc)) if row.amc else ""
        if column == self.MONTHS:
            return fmt.months(row.months_of_stock)
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.beginResetModel()
        self._sort_rows(column, order)
        self._shown = min(max(self._shown, self.CHUNK), len(self._visible))
        self.endResetModel()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        keys: dict[int, Callable[[ItemStock], Any]] = {
            self.CODE: lambda r: r.item.code,
            self.ITEM: lambda r: r.item.name.lower(),
            self.CATEGORY: lambda r: r.item.category,
            self.ON_HAND: lambda r: r.qty,
            self.USABLE: lambda r: r.usable_qty,
            self.EXPIRED: lambda r: r.expired_qty,
            self.BATCHES: lambda r: r.batches,
            self.NEAREST: lambda r: r.nearest_expiry or "9999-99",
            self.AMC: lambda r: r.amc,
            self.MONTHS: lambda r: float("inf") if r.months_of_stock is None else r.months_of_stock,
        }
        key = keys.get(column)
        if key is not None:
            self._visible.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)


def category_label(category: str) -> str:
    """A catalogue category in the user's language."""
    labels = {
        "drug": QCoreApplication.translate("StockTableModel", "Drug"),
        "surgical": QCoreApplication.translate("StockTableModel", "Surgical"),
        "suture": QCoreApplication.translate("StockTableModel", "Suture"),
    }
    return labels.get(category, category)


# -- batches ------------------------------------------------------------------------------


class BatchTableModel(_HeadedTableModel):
    """One item's batches, earliest expiry first: expired in red, near expiry in amber."""

    BATCH, EXPIRY, QTY, MANUFACTURER, COST, STATE = range(6)
    COLUMNS = 6

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._batches: list[BatchStock] = []

    def headers(self) -> list[str]:
        return [self.tr("Batch"), self.tr("Expiry"), self.tr("Quantity"), self.tr("Manufacturer"), self.tr("Unit cost"), self.tr("State")]

    def set_batches(self, batches: Sequence[BatchStock]) -> None:
        self.beginResetModel()
        self._batches = list(batches)
        self.endResetModel()

    def batch(self, row: int) -> BatchStock | None:
        return self._batches[row] if 0 <= row < len(self._batches) else None

    def batches(self) -> list[BatchStock]:
        return list(self._batches)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._batches)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._batches):
            return None
        batch = self._batches[index.row()]
        column = index.column()
        if role == _DISPLAY:
            if column == self.BATCH:
                return batch.batch_no
            if column == self.EXPIRY:
                return fmt.expiry(batch.expiry_month)
            if column == self.QTY:
                return fmt.qty(batch.qty)
            if column == self.MANUFACTURER:
                return batch.manufacturer or ""
            if column == self.COST:
                return fmt.money(batch.unit_cost)
            if column == self.STATE:
                if batch.expired:
                    return self.tr("Expired")
                if batch.near_expiry:
                    return self.tr("Near expiry")
                return ""
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if batch.expired:
                return fmt.EXPIRED_BG
            if batch.near_expiry:
                return fmt.NEAR_EXPIRY_BG
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.QTY, self.COST):
            return _RIGHT
        return None
