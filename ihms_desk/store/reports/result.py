"""What a report is, whatever shows it: titled tables of typed columns, rows and totals.

The Reports screen, CSV, XLSX and PDF all render from a :class:`Report`. It carries keys, not
words: a column's heading, a table's title, a ``LABEL`` cell and a :class:`Note` are looked up
in ``ihms_desk.exports.labels`` in the reader's language, so the store stays free of wording
and every language gets the same numbers.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from ihms_desk.store.model import Facility


class ColumnKind(str, enum.Enum):
    """How a column's values are typed, aligned and formatted."""

    #: ``str`` as typed by a person or pulled from the catalogue (item names, batch numbers).
    TEXT = "text"
    #: ``int``: quantities in the unit of issue, counts of slips or days.
    INT = "int"
    #: ``Decimal`` with one decimal place (average monthly consumption).
    DECIMAL = "decimal"
    #: ``Decimal`` rupees with two decimal places.
    MONEY = "money"
    #: ``datetime.date``, shown DD-MM-YYYY.
    DATE = "date"
    #: ``str`` ``YYYY-MM``, shown MM/YYYY (an expiry month).
    MONTH = "month"
    #: ``str`` key of a fixed wording (a status, a reason), shown in the reader's language.
    LABEL = "label"

    @property
    def numeric(self) -> bool:
        return self in (ColumnKind.INT, ColumnKind.DECIMAL, ColumnKind.MONEY)


@dataclass(frozen=True)
class Column:
    """A column: ``key`` names its heading; ``param`` fills the heading's ``{param}`` (a month)."""

    key: str
    kind: ColumnKind
    param: str | None = None


class Row(NamedTuple):
    """One row: a value per column (``None`` for an empty cell) and its level: 0 for an item or
    a document line, 1 for a batch shown under its item (written indented)."""

    values: tuple[Any, ...]
    level: int = 0


@dataclass(frozen=True)
class Table:
    """One table of a report; ``totals`` has a value per column (``None`` where a sum means
    nothing, such as quantities of different items) or is ``None`` for no totals row."""

    key: str
    columns: tuple[Column, ...]
    rows: list[Row]
    totals: tuple[Any, ...] | None = None

    def column(self, key: str) -> int:
        """The index of the column with ``key``."""
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(key)

    def values(self, key: str) -> list[Any]:
        """Every row's value in column ``key``."""
        index = self.column(key)
        return [row.values[index] for row in self.rows]


@dataclass(frozen=True)
class Note:
    """A sentence printed under the title (how a figure was reached), worded from ``key`` with
    ``values``: dates are ``datetime.date``, months ``YYYY-MM``, numbers int or Decimal."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """A built report: what the screen shows and every file is written from."""

    #: The report's name in :data:`ihms_desk.store.reports.REPORTS` (also its title key).
    name: str
    start: dt.date
    end: dt.date
    facility: Facility
    tables: tuple[Table, ...]
    notes: tuple[Note, ...] = ()
    #: The filters it was built with (``None``/empty: all).
    category: str | None = None
    item_codes: tuple[str, ...] = ()
    #: Who asked for it and when (printed on every PDF page).
    generated_by: str = ""
    generated_at: dt.datetime | None = None

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def money(value: Decimal | int) -> Decimal:
    """Rupees to the paisa."""
    return Decimal(value).quantize(Decimal("0.01"))
