"""Qt table models of the stock screens, and the small form helpers they share.

- :class:`StockTableModel`: every item with its stock, loaded in the worker thread and handed
  to the view in chunks (``canFetchMore``/``fetchMore``), filtered and searched in memory.
- :class:`BatchTableModel`: one item's batches, expiry coloured.
- :class:`RowsModel`: a plain list of rows for the smaller tables (document lines, alerts,
  stocktake counts); the screen supplies the headers and a ``cell(row, column, role)`` function.
- :class:`FieldErrors`: puts a store refusal next to the field it is about.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem, PermissionDenied, Refusal, StoreError
from ihms_desk.store.model import BatchStock, ItemStock
from ihms_desk.ui import dialogs, i18n
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.workers import executor, worker_store

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: #7a4f00; font-weight: bold;"


# -- stock on hand ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StockSnapshot:
    """Stock on hand with the store's own verdicts on each item (low, near expiry, out)."""

    rows: list[ItemStock]
    low: frozenset[str] = frozenset()
    near_expiry: frozenset[str] = frozenset()
    stock_out: frozenset[str] = frozenset()
    seconds: float = 0.0
    #: False while only the rows are in and the verdicts are still being read.
    complete: bool = True


@dataclass(frozen=True)
class StockVerdicts:
    low: frozenset[str]
    near_expiry: frozenset[str]
    stock_out: frozenset[str]
    seconds: float


def read_stock_rows(store: Store) -> StockSnapshot:
    """Stock on hand of every item, without the verdicts (worker thread): shown first."""
    started = time.perf_counter()
    return StockSnapshot(store.stock_on_hand(), seconds=time.perf_counter() - started, complete=False)


def read_verdicts(store: Store) -> StockVerdicts:
    """Which items are low, near expiry or out, from the store's own queries (worker thread),
    so the screen's filters agree with the alerts to the unit."""
    started = time.perf_counter()
    on_hand = store.stock_on_hand()
    low = frozenset(row.item.code for row in store.low_stock(rows=on_hand))
    near = frozenset(batch.item_code for batch in store.near_expiry())
    out = frozenset(row.item.code for row in store.stock_outs(on_hand))
    return StockVerdicts(low, near, out, time.perf_counter() - started)


def read_stock(store: Store) -> StockSnapshot:
    """Everything the stock screen shows, in one call (tests, scripts)."""
    rows = read_stock_rows(store)
    verdicts = read_verdicts(store)
    return StockSnapshot(rows.rows, verdicts.low, verdicts.near_expiry, verdicts.stock_out, rows.seconds + verdicts.seconds)


class _Reply(QObject):
    """Carries a worker job's result back to the GUI thread (queued, since it lives there)."""

    finished = Signal(object, int)
    failed = Signal(object, int)


_replies: set[_Reply] = set()


def run_store_job(
    store: Store,
    work: Callable[[Store], Any],
    tag: int,
    on_finished: Callable[[Any, int], None],
    on_failed: Callable[[object, int], None],
    parent: QObject,
) -> None:
    """Run ``work(worker_store)`` on the shared database worker thread, on its own connection.

    The reply's signals are connected *before* the job is submitted: a job that finishes at
    once must not emit into nothing (``workers.run_in_worker`` connects after submitting).
    """
    reply = _Reply(parent)
    reply.finished.connect(on_finished)
    reply.failed.connect(on_failed)
    _replies.add(reply)

    def run() -> None:
        try:
            result = work(worker_store(store))  # the worker thread's own, kept connection
        except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI
            reply.failed.emit(error, tag)
        else:
            reply.finished.emit(result, tag)

    reply.finished.connect(reply.deleteLater)
    reply.failed.connect(reply.deleteLater)
    reply.destroyed.connect(lambda: _replies.discard(reply))
    executor().submit(run)


class StockFilter:
    """Which rows the stock table shows (the values of the filter combo box)."""

    IN_STOCK = "in_stock"
    ALL = "all"
    OUT_OF_STOCK = "out_of_stock"
    LOW = "low"
    NEAR_EXPIRY = "near_expiry"
    EXPIRED = "expired"


class StockTableModel(QAbstractTableModel):
    """Items and their stock; loads in the worker, shows rows in chunks as the view scrolls."""

    CODE, ITEM, CATEGORY, ON_HAND, USABLE, EXPIRED, BATCHES, NEAREST, AMC, MONTHS = range(10)
    COLUMNS = 10
    #: Rows handed to the view per fetchMore: enough to fill a screen, cheap to lay out.
    CHUNK = 100

    #: The rows of a load are in and shown; the argument is seconds since load().
    rows_loaded = Signal(float)
    #: A load finished (rows and verdicts are in); the argument is seconds since load().
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
        """Read the stock again in the worker thread, in two jobs: the rows (shown as soon as
        they are in, :attr:`rows_loaded`), then the low / near-expiry / out verdicts, which
        cost two more passes over the stock (:attr:`loaded` when everything is in)."""
        self._generation += 1
        self.loading = True
        self._load_started = time.perf_counter()
        # The worker runs jobs in order, so the verdicts always arrive after the rows.
        run_store_job(self.store, read_stock_rows, self._generation, self._on_rows, self._on_failed, self)
        run_store_job(self.store, read_verdicts, self._generation, self._on_verdicts, self._on_failed, self)

    @Slot(object, int)
    def _on_rows(self, snapshot: StockSnapshot, generation: int) -> None:
        # A newer load may be under way (the user pressed refresh twice): only the last counts.
        if generation != self._generation:
            return
        self.set_snapshot(snapshot)
        self.rows_loaded.emit(time.perf_counter() - self._load_started)

    @Slot(object, int)
    def _on_verdicts(self, verdicts: StockVerdicts, generation: int) -> None:
        if generation != self._generation:
            return
        self.loading = False
        rows = self._snapshot.rows
        self._snapshot = StockSnapshot(rows, verdicts.low, verdicts.near_expiry, verdicts.stock_out,
                                       self._snapshot.seconds + verdicts.seconds)
        if self._state in (StockFilter.OUT_OF_STOCK, StockFilter.LOW, StockFilter.NEAR_EXPIRY):
            self._apply()
        elif self._shown:
            # Same rows: only colours and tool tips change.
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, self.COLUMNS - 1))
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

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's own default
        return not parent.isValid() and self._shown < len(self._visible)

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(self.CHUNK, len(self._visible) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

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

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < self.COLUMNS:
            return self.headers()[section]
        return None

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
            return f"{fmt.qty(row.qty)} {row.item.unit_of_issue}"
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


class BatchTableModel(QAbstractTableModel):
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

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < self.COLUMNS:
            return self.headers()[section]
        return None

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


# -- small generic tables -----------------------------------------------------------------

Cell = Callable[[Any, int, int], Any]


class RowsModel(QAbstractTableModel):
    """A list of rows shown through a ``cell(row, column, role)`` function the screen gives.

    ``set_cell(row, column, value) -> bool`` makes columns in ``editable`` editable.
    """

    def __init__(
        self,
        headers: Sequence[str],
        cell: Cell,
        parent: QObject | None = None,
        *,
        editable: Sequence[int] = (),
        set_cell: Callable[[Any, int, Any], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._cell = cell
        self._rows: list[Any] = []
        self._editable = frozenset(editable)
        self._set_cell = set_cell

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def append(self, value: Any) -> None:
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(value)
        self.endInsertRows()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def replace(self, row: int, value: Any) -> None:
        if 0 <= row < len(self._rows):
            self._rows[row] = value
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._headers) - 1))

    def row_changed(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._headers) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(self._headers):
            return None
        return self._cell(self._rows[index.row()], index.column(), role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in self._editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or self._set_cell is None
            or not index.isValid()
            or index.column() not in self._editable
            or not 0 <= index.row() < len(self._rows)
        ):
            return False
        if not self._set_cell(self._rows[index.row()], index.column(), value):
            return False
        self.row_changed(index.row())
        return True


# -- refusals next to their field ---------------------------------------------------------


def error_label(parent: QWidget, name: str) -> QLabel:
    """A red, word-wrapped label that is hidden while it has nothing to say."""
    label = QLabel(parent)
    label.setObjectName(f"{name}_error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def message_of(error: BaseException) -> str:
    """A refusal's text in the user's language; a barcode error's own message."""
    if isinstance(error, StoreError):
        # In English the store's own words are the most precise ("may not write off stock");
        # other languages get i18n's translation of them.
        if i18n.current_language() == "en":
            return error.message
        return i18n.refusal_text(error)
    return str(getattr(error, "message", error))


@dataclass
class _Field:
    widget: QWidget
    label: QLabel


@dataclass
class FieldErrors:
    """Shows a refusal under the field named by its ``.field``, or in the general label.

    Build each form row with :meth:`wrap` so every field has its own error label::

        form.addRow(self.tr("Batch"), self.errors.wrap("batch", self.batch_edit))
        ...
        except Refusal as refusal:
            self.errors.show(refusal)
    """

    general: QLabel
    fields: dict[str, _Field] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def wrap(self, name: str, widget: QWidget, *aliases: str) -> QWidget:
        """A container with the widget and its error label under it; other field names the
        store uses for the same input may be given as ``aliases``."""
        box = QWidget(widget.parentWidget())
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        label = error_label(box, name)
        layout.addWidget(label)
        self.fields[name] = _Field(widget, label)
        for alias in aliases:
            self.aliases[alias] = name
        return box

    def label_for(self, name: str | None) -> QLabel:
        name = self.aliases.get(name or "", name or "")
        entry = self.fields.get(name)
        return entry.label if entry is not None else self.general

    def text(self, name: str | None = None) -> str:
        """What is shown for a field (``None``: the general label); for tests and screenshots."""
        label = self.general if name is None else self.label_for(name)
        return label.text() if not label.isHidden() else ""

    def show(self, error: BaseException, *, field_name: str | None = None, focus: bool = True) -> None:
        """Show ``error`` next to its field (or ``field_name``) and put the cursor there."""
        self.clear()
        name = field_name or getattr(error, "field", None)
        self.set(name, message_of(error), focus=focus)

    def set(self, name: str | None, message: str, *, focus: bool = False, hint: bool = False) -> None:
        """Show ``message`` under a field; ``hint`` shows it as guidance, not as an error."""
        label = self.label_for(name)
        label.setStyleSheet(HINT_STYLE if hint else ERROR_STYLE)
        label.setText(message)
        label.setVisible(bool(message))
        entry = self.fields.get(self.aliases.get(name or "", name or ""))
        if focus and entry is not None and entry.widget.isEnabled():
            entry.widget.setFocus()

    def clear(self, name: str | None = None) -> None:
        labels = [self.label_for(name)] if name is not None else [self.general, *(f.label for f in self.fields.values())]
        for label in labels:
            label.clear()
            label.hide()


def attempt(
    parent: QWidget,
    errors: FieldErrors,
    action: Callable[[], Any],
    *,
    field_name: str | None = None,
    line_fields: Sequence[str] = (),
    permission_field: str | None = None,
) -> Any | None:
    """Run a store call; a refusal goes next to its field, an environment problem into a
    message box saying what to do. Returns the call's result, or ``None`` if it was refused.

    ``field_name`` puts every refusal under that field; a refusal about one of ``line_fields``
    goes under the field ``lines`` (the lines table: the entry fields are empty by then);
    a :class:`PermissionDenied` goes under ``permission_field`` when given.
    """
    try:
        return action()
    except Refusal as refusal:
        if field_name is None and refusal.field in line_fields:
            field_name = "lines"
        if field_name is None and permission_field and isinstance(refusal, PermissionDenied):
            field_name = permission_field
        errors.show(refusal, field_name=field_name)
    except EnvironmentProblem as problem:
        errors.set(None, message_of(problem))
        dialogs.show_problem(parent, problem)
    return None


def parse_whole(text: str, *, signed: bool = False) -> int | str:
    """The number typed, or the text unchanged for the store to refuse with its own message."""
    cleaned = text.strip().replace(",", "")
    body = cleaned[1:] if signed and cleaned[:1] in "+-" else cleaned
    if body.isdigit():
        return int(cleaned)
    return text.strip()


def batch_choice_text(batch: BatchStock) -> str:
    """How a batch reads in a batch chooser: number, expiry, balance and its state."""
    text = QCoreApplication.translate("StockTableModel", "{batch} · exp {expiry} · {qty} on hand").format(
        batch=batch.batch_no, expiry=fmt.expiry(batch.expiry_month), qty=fmt.qty(batch.qty))
    if batch.expired:
        text += " · " + QCoreApplication.translate("StockTableModel", "EXPIRED")
    elif batch.near_expiry:
        text += " · " + QCoreApplication.translate("StockTableModel", "near expiry")
    return text


def shortcut_save(widget: QWidget, slot: Callable[[], None]) -> None:
    """Ctrl+S and F10 call ``slot`` while the focus is anywhere inside ``widget``."""
    for sequence in (QKeySequence(QKeySequence.StandardKey.Save), QKeySequence(Qt.Key.Key_F10)):
        shortcut = QShortcut(sequence, widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)


def shortcut_delete(view: QWidget, slot: Callable[[], None]) -> None:
    """Delete calls ``slot`` while ``view`` (a lines table) has the focus."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Delete), view)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)
