"""Small pieces every form screen shares: a database job in the worker thread, a plain rows
model, refusals shown next to their field, and the save/delete shortcuts.

- :func:`run_store_job`: ``work(store)`` on the worker thread's connection, result by signal.
- :class:`RowsModel`: a list of rows for the smaller tables (document lines, alerts,
  stocktake counts); the screen supplies the headers and a ``cell(row, column, role)`` function.
- :class:`FieldErrors`: puts a store refusal next to the field it is about.
- :class:`StoreCall`: a block of store calls whose refusal the screen words where it likes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel, QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt,
    Signal, Slot,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHeaderView, QLabel, QLayout, QLineEdit, QPushButton, QSplitter, QTableView,
    QVBoxLayout, QWidget,
)

from ihms_desk.barcode import BarcodeError
from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem, PermissionDenied, Refusal, StoreError
from ihms_desk.store.model import BatchStock
from ihms_desk.ui import dialogs, i18n
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.workers import executor, worker_store

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: #7a4f00; font-weight: bold;"



# -- a store job in the worker thread --------------------------------------------------------


class _Reply(QObject):
    """Carries a worker job's result back to the GUI thread and hands it to the screen's callbacks.

    It is not the screen's child: a child is deleted with a screen closed while its job runs,
    and the worker thread's emit then reached a deleted object (an error lost in the worker, or
    a crash when the two met). It is kept in :data:`_replies` until it has delivered, and the
    screen's ``destroyed`` drops its callbacks, so none is called on a screen that is gone.
    """

    #: ok, the result or the error, the caller's tag; emitted in the worker thread, queued here.
    done = Signal(bool, object, int)

    def __init__(self, parent: QObject, on_finished: Callable[[Any, int], None],
                 on_failed: Callable[[object, int], None]) -> None:
        super().__init__()
        self._callbacks: tuple[Callable[[Any, int], None], Callable[[object, int], None]] | None = (on_finished, on_failed)
        self.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        # A connection to this object's slot: Qt drops it when the reply goes first.
        parent.destroyed.connect(self._drop)

    @Slot()
    def _drop(self) -> None:
        self._callbacks = None

    @Slot(bool, object, int)
    def _deliver(self, ok: bool, value: object, tag: int) -> None:
        callbacks, self._callbacks = self._callbacks, None
        # deleteLater, not the last reference let go: the reply is inside its own slot here.
        self.deleteLater()
        if callbacks is not None:
            callbacks[0 if ok else 1](value, tag)


_replies: set[_Reply] = set()


def run_store_job(
    store: Store,
    work: Callable[[Store], Any],
    tag: int,
    on_finished: Callable[[Any, int], None],
    on_failed: Callable[[object, int], None],
    parent: QObject,
) -> Future[None]:
    """Run ``work(worker_store)`` on the shared database worker thread, on its own connection;
    ``on_finished(result, tag)`` or ``on_failed(error, tag)`` follow in the GUI thread, unless
    ``parent`` (the screen) was deleted meanwhile. Returns the worker's future (tests wait on it).

    The reply is connected *before* the job is submitted: a job that finishes at once must not
    emit into nothing (``workers.run_in_worker`` connects after submitting).
    """
    reply = _Reply(parent, on_finished, on_failed)
    _replies.add(reply)
    reply.destroyed.connect(lambda: _replies.discard(reply))

    def run() -> None:
        try:
            result = work(worker_store(store))  # the worker thread's own, kept connection
        except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI
            reply.done.emit(False, error, tag)
        else:
            reply.done.emit(True, result, tag)

    return executor().submit(run)


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


def text_field(parent: QWidget, name: str, placeholder: str = "") -> QLineEdit:
    """A line edit named for its field (tests and the refusals find it by that name)."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def choice_field(parent: QWidget, name: str, choices: Sequence[tuple[str, object]] = ()) -> QComboBox:
    """A combo box named for its field, offering ``(label, value)`` choices."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for label, value in choices:
        combo.addItem(label, value)
    return combo


def push_button(parent: QWidget, name: str, text: str, action: Callable[[], object], *,
                enter: bool = False) -> QPushButton:
    """A button named for what it does (tests find it by that name) that runs ``action`` when
    clicked; ``enter``: Enter pressed on it runs it too (Qt's auto-default, otherwise left as
    Qt sets it for the window the button is in)."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    if enter:
        button.setAutoDefault(True)
    button.clicked.connect(action)
    return button


def tab_order(*widgets: QWidget) -> None:
    """Tab moves through ``widgets`` in this order."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


def note_label(parent: QWidget, name: str) -> QLabel:
    """A word-wrapped label named for what it shows (a hint, the chosen item, a status)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def error_label(parent: QWidget, name: str) -> QLabel:
    """A red, word-wrapped label that is hidden while it has nothing to say."""
    label = QLabel(parent)
    label.setObjectName(f"{name}_error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def rows_table(parent: QWidget, model: QAbstractItemModel, name: str, *, stretch: int | None = None,
               widths: Mapping[int, int] | None = None) -> QTableView:
    """A table of whole rows, one chosen at a time, not edited in place, without row numbers;
    the columns fit their contents, or have the given ``widths`` (column: pixels), and column
    ``stretch`` takes the width left over.

    Give ``widths`` for a table that may hold thousands of rows: fitting the contents measures
    every cell at each reset (over half a second for a busy day's documents)."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    if widths is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    else:
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in widths.items():
            header.resizeSection(column, width)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def master_detail(parent: QWidget, master: QWidget, detail: Sequence[QWidget | QLayout],
                  stretches: tuple[int, int] = (3, 2)) -> QSplitter:
    """A table above and, below it, the details of its chosen row (a title, a table, buttons),
    in a splitter the user can move; a table among the details takes their spare height."""
    below = QWidget(parent)
    layout = QVBoxLayout(below)
    layout.setContentsMargins(0, 4, 0, 0)
    for part in detail:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if isinstance(part, QAbstractItemView) else 0)
    splitter = QSplitter(Qt.Orientation.Vertical, parent)
    splitter.addWidget(master)
    splitter.addWidget(below)
    splitter.setStretchFactor(0, stretches[0])
    splitter.setStretchFactor(1, stretches[1])
    return splitter


def message_of(error: BaseException) -> str:
    """A refusal's (or a barcode error's) words in the user's language."""
    if isinstance(error, (StoreError, BarcodeError)):
        return i18n.refusal_text(error)
    return str(error)


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


_Qty = TypeVar("_Qty")


def chosen_item_quantity(errors: FieldErrors, item: object | None, read: Callable[[], _Qty]) -> _Qty | None:
    """The quantity ``read`` takes from the line's field once an item is chosen; None, with the
    refusal shown next to its field, where no item is chosen or the quantity is refused."""
    errors.clear()
    try:
        if item is None:
            raise Refusal("choose_item", field="item")
        return read()
    except Refusal as refusal:
        errors.show(refusal)
        return None


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


class StoreCall:
    """``with StoreCall(parent, on_refusal) as call:`` around store calls: a refusal goes to
    ``on_refusal`` (which words it where the person is looking), a problem of the PC (disk
    full, read-only, locked) into the message box saying what to do; either ends the block
    quietly. After it, ``call.done`` says whether the block ran to its end::

        with StoreCall(self, self.show_refusal) as call:
            self.store.correct_facility(...)
        if not call.done:
            return
    """

    def __init__(self, parent: QWidget, on_refusal: Callable[[Refusal], object]) -> None:
        self.parent = parent
        self.on_refusal = on_refusal
        self.done = False

    def __enter__(self) -> StoreCall:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> bool:
        if error is None:
            self.done = True
        elif isinstance(error, Refusal):
            self.on_refusal(error)
        elif isinstance(error, EnvironmentProblem):
            dialogs.show_problem(self.parent, error)
        else:
            return False  # a bug: not this block's to swallow
        return True


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
