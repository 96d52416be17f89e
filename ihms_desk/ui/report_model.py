"""One table of a built report as a Qt table model, rows handed to the view as it scrolls.

The words and numbers are the files' own (``ihms_desk.exports``): headings from
``labels.heading``, cells from ``cells.shown`` (Indian grouping, DD-MM-YYYY, MM/YYYY, labels in
the reader's language), and the stock register's items with their batches under them
(``page.outlined``), so what the screen shows is what the PDF prints. A year's register of
every item is some 5,000 rows: they are fetched in chunks (``canFetchMore``/``fetchMore``),
so the view lays out only what is scrolled to. The totals row comes last, in bold.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ihms_desk.exports import cells, labels, page
from ihms_desk.store.reports import Column, Row, Table
from ihms_desk.ui.chunked import ChunkedTableModel

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
#: The raw value of a cell (an int, a Decimal, a date, a key), for sorting and for tests.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1

#: The consumption report's statuses, coloured as the chart colours them.
STATUS_COLOURS = {
    "stocked_out": QColor("#f8d7da"),
    "below_minimum": QColor("#fff3cd"),
    "adequate": QColor("#d4edda"),
    "over_maximum": QColor("#d6e4f0"),
    "no_consumption": QColor("#eeeeee"),
}
#: How far a batch row's first cell is indented under its item.
INDENT = "      "


class ReportTableModel(ChunkedTableModel):
    """The rows of one :class:`~ihms_desk.store.reports.Table`, shown in ``lang``."""

    #: Rows handed to the view per fetchMore: a screenful and more, cheap to lay out.
    CHUNK = 200

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: Table | None = None
        self.lang = "en"
        self._columns: tuple[Column, ...] = ()
        self._rows: list[Row] = []
        self._headings: list[str] = []
        self._shown = 0
        self._bold = QFont()
        self._bold.setBold(True)
        self._outlined = False
        #: The totals row is shown once every row is (it belongs under the last one).
        self._totals_shown = False

    def set_table(self, table: Table | None, lang: str) -> None:
        """Show ``table`` (the stock register outlined: batches under their item) in ``lang``."""
        self.beginResetModel()
        self.lang = lang
        shown = page.outlined(table) if table is not None else None
        self.table = shown
        self._outlined = shown is not None and table is not None and shown is not table
        self._columns = shown.columns if shown is not None else ()
        self._rows = list(shown.rows) if shown is not None else []
        self._headings = [labels.heading(column, lang) for column in self._columns]
        self._shown = min(self.CHUNK, len(self._rows))
        self._totals_shown = self.has_totals() and self._shown == len(self._rows)
        self.endResetModel()

    # -- what tests and the screen ask ----------------------------------------------------------

    def row_count(self) -> int:
        """Rows of the table (shown or still to be fetched), without the totals."""
        return len(self._rows)

    def has_totals(self) -> bool:
        return self.table is not None and self.table.totals is not None

    def heading(self, column: int) -> str:
        return self._headings[column]

    def text(self, row: int, column: int) -> str:
        """What cell (row, column) shows, fetching rows up to it if needed."""
        while row >= self._shown and self.canFetchMore():
            self.fetchMore()
        return str(self.data(self.index(row, column)) or "")

    def row(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- lazy rows ------------------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._rows)

    def after_fetch(self) -> None:
        if self._shown == len(self._rows) and self.has_totals():
            self.beginInsertRows(QModelIndex(), self._shown, self._shown)
            self._totals_shown = True
            self.endInsertRows()

    # -- the table ------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return self._shown + (1 if self._totals_shown else 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return self._headings[section]
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(self._columns):
            return None
        number = index.row()
        if number < 0 or number >= self.rowCount():
            return None
        column = self._columns[index.column()]
        if number == len(self._rows):
            return self._totals_data(index.column(), column, role)
        row = self._rows[number]
        value = row.values[index.column()]
        if role == _DISPLAY or role == Qt.ItemDataRole.ToolTipRole:
            text = cells.shown(column, value, self.lang)
            if role == _DISPLAY and index.column() == 0 and row.level:
                return INDENT + text
            return text if role == _DISPLAY or len(text) > 30 else None
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.kind.numeric else _LEFT
        if role == Qt.ItemDataRole.FontRole and self._outlined and row.level == 0:
            return self._bold  # an item's own row, its batches under it
        if role == Qt.ItemDataRole.BackgroundRole and column.key == "status" and value in STATUS_COLOURS:
            return STATUS_COLOURS[value]
        return None

    def _totals_data(self, number: int, column: Column, role: int) -> Any:
        assert self.table is not None and self.table.totals is not None
        value = self.table.totals[number]
        if role == _DISPLAY:
            if value is None:
                return labels.text("page.total", self.lang) if number == page.total_label_column(self.table) else ""
            return cells.shown(column, value, self.lang)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.kind.numeric else _LEFT
        return None
