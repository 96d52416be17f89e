"""A table model that hands its rows to the view a chunk at a time, as the view scrolls.

The stock list and the reports both hold every row in memory but let Qt lay out only what
is fetched (``canFetchMore``/``fetchMore``), so a 20,000-row table opens at once.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex

_Index = QModelIndex | QPersistentModelIndex


class ChunkedTableModel(QAbstractTableModel):
    """Rows ``0.._shown`` are in the view; ``row_total()`` is how many there are to show."""

    #: Rows handed to the view per fetchMore.
    CHUNK = 100
    _shown = 0

    def row_total(self) -> int:
        raise NotImplementedError

    def after_fetch(self) -> None:
        """Called once a fetch has added rows (a subclass may add a row after the last)."""

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's own default
        return not parent.isValid() and self._shown < self.row_total()

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(self.CHUNK, self.row_total() - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()
        self.after_fetch()
