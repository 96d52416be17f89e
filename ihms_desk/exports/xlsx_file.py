"""A report as an XLSX workbook (xlsxwriter): one sheet per table, the heading lines on top,
the column headings frozen, typed cells (numbers, dates and expiry months as dates), and
Indian digit grouping (1,23,456.00) whatever the PC's regional settings.

Text is always written as a string (never read as a formula), and text that a spreadsheet
would take for a formula also carries Excel's own quote prefix, so editing the cell later
does not turn it into one (``ihms_desk.store.spreadsheet``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ihms_desk.exports import cells, labels, page
from ihms_desk.store.reports.errors import ReportCancelled
from ihms_desk.store.reports.result import ColumnKind, Report, Table
from ihms_desk.store.spreadsheet import is_formula_like

#: Excel has no Indian grouping of its own outside an Indian locale; two conditional sections
#: give it: crores and lakhs above 1,00,00,000 and 1,00,000, thousands below. (A number format
#: takes at most two conditions, so a negative past -99,999 groups in thousands.)
INDIAN = r"[>=10000000]##\,##\,##\,##0{f};[>=100000]##\,##\,##0{f};##,##0{f}"
NUMBER_FORMATS = {
    ColumnKind.INT: INDIAN.format(f=""),
    ColumnKind.DECIMAL: INDIAN.format(f=".0"),
    ColumnKind.MONEY: INDIAN.format(f=".00"),
    ColumnKind.DATE: "dd-mm-yyyy",
    ColumnKind.MONTH: "mm/yyyy",
}
#: Excel refuses these in a sheet name, and names longer than 31 characters.
_NOT_IN_SHEET_NAMES = str.maketrans({ch: " " for ch in "[]:*?/\\"})


class _Formats:
    """The workbook's formats, made once (xlsxwriter keeps one record per format)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        font = {"font_name": "Noto Sans", "font_size": 10}
        self.title = book.add_format({**font, "bold": True, "font_size": 14})
        self.line = book.add_format(font)
        self.table_title = book.add_format({**font, "bold": True, "font_size": 12})
        self.header = book.add_format({**font, "bold": True, "text_wrap": True, "valign": "top", "border": 1,
                                       "bg_color": "#E8EEF4"})
        self.cell: dict[tuple[ColumnKind, bool, bool, bool], Format] = {}
        self._book = book
        self._font = font

    def for_cell(self, kind: ColumnKind, *, bold: bool = False, indent: bool = False, quoted: bool = False) -> Format:
        key = (kind, bold, indent, quoted)
        found = self.cell.get(key)
        if found is None:
            spec: dict[str, Any] = dict(self._font)
            if kind in NUMBER_FORMATS:
                spec["num_format"] = NUMBER_FORMATS[kind]
            if bold:
                spec["bold"] = True
            if indent:
                spec["indent"] = 1
            if quoted:
                spec["quote_prefix"] = True
            found = self.cell[key] = self._book.add_format(spec)
        return found


def write(report: Report, path: Path, lang: str, should_stop: Callable[[], bool] | None = None) -> None:
    # constant_memory: rows go to disk as they are written, so a year's register of every item
    # needs little memory; strings are then stored inline (a larger file, written faster).
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    try:
        formats = _Formats(book)
        top = page.heading(report, lang)
        used: set[str] = set()
        for table in report.tables:
            # One table: the sheet is named after the report; several: after each table.
            title = top.title if len(report.tables) == 1 else page.table_title(table, lang)
            _write_table(book, formats, table, top, lang, _sheet_name(title, used), should_stop)
    finally:
        book.close()


def _sheet_name(title: str, used: set[str]) -> str:
    """``title`` as a sheet name Excel takes: no []:*?/\\, at most 31 characters (cut at a
    word), and not the same as another sheet's."""
    base = title.translate(_NOT_IN_SHEET_NAMES).strip("' ")
    if len(base) > 28:
        base = base[:28].rsplit(" ", 1)[0].rstrip(" ,")
    base = base or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        name = f"{base[:26]} {number}"
        number += 1
    used.add(name.lower())
    return name


def _write_table(
    book: xlsxwriter.Workbook, formats: _Formats, table: Table, top: page.Heading, lang: str, name: str,
    should_stop: Callable[[], bool] | None,
) -> None:
    sheet: Worksheet = book.add_worksheet(name)
    columns = table.columns
    headings = [labels.heading(column, lang) for column in columns]
    widths = [_width(column.kind, headings[index], table, index) for index, column in enumerate(columns)]
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    # constant_memory writes row by row, top to bottom: everything below follows that order.
    sheet.write_string(0, 0, top.title, formats.title)
    row_number = 1
    for line in top.lines():
        sheet.write_string(row_number, 0, line, formats.line)
        row_number += 1
    sheet.write_string(row_number, 0, page.table_title(table, lang), formats.table_title)
    header_row = row_number + 2
    lines = max(math.ceil(len(text) / max(width - 2, 1)) for text, width in zip(headings, widths))
    sheet.set_row(header_row, 15 * min(max(lines, 1), 4))
    for index, text in enumerate(headings):
        sheet.write_string(header_row, index, text, formats.header)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, header_row + max(len(table.rows), 1), len(columns) - 1)
    number = header_row
    if not table.rows:
        number += 1
        sheet.write_string(number, 0, labels.text("page.empty", lang), formats.line)
    levelled = any(row.level for row in table.rows)
    for count, row in enumerate(table.rows):
        number += 1
        if should_stop is not None and count % 5000 == 0 and should_stop():
            raise ReportCancelled()
        bold = levelled and row.level == 0
        for index, (column, value) in enumerate(zip(columns, row.values)):
            _write_cell(sheet, formats, number, index, column.kind, value, lang, bold=bold, indent=row.level > 0)
    if table.totals is not None:
        number += 1
        where = page.total_label_column(table)
        for index, (column, value) in enumerate(zip(columns, table.totals)):
            if index == where:
                sheet.write_string(number, index, labels.text("page.total", lang), formats.for_cell(ColumnKind.TEXT, bold=True))
            else:
                _write_cell(sheet, formats, number, index, column.kind, value, lang, bold=True)


def _write_cell(
    sheet: Worksheet, formats: _Formats, row: int, col: int, kind: ColumnKind, value: Any, lang: str, *,
    bold: bool = False, indent: bool = False,
) -> None:
    if value is None:
        return
    if kind is ColumnKind.INT:
        sheet.write_number(row, col, value, formats.for_cell(kind, bold=bold))
    elif kind in (ColumnKind.MONEY, ColumnKind.DECIMAL):
        sheet.write_number(row, col, float(value), formats.for_cell(kind, bold=bold))
    elif kind is ColumnKind.DATE:
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats.for_cell(kind, bold=bold))
    elif kind is ColumnKind.MONTH:
        first = dt.datetime.strptime(str(value), "%Y-%m")
        sheet.write_datetime(row, col, first, formats.for_cell(kind, bold=bold))
    else:
        text = labels.label(str(value), lang) if kind is ColumnKind.LABEL else str(value)
        sheet.write_string(row, col, text, formats.for_cell(kind, bold=bold, indent=indent and col == 0,
                                                            quoted=is_formula_like(text)))


def _width(kind: ColumnKind, heading: str, table: Table, index: int) -> float:
    """A column wide enough for its longest word of heading and its values (a sample)."""
    longest_word = max((len(word) for word in heading.split()), default=4)
    sample = (cells.shown(table.columns[index], row.values[index], "en") for row in table.rows[:300])
    content = max((len(text) for text in sample), default=0)
    if kind is ColumnKind.TEXT:
        content = min(content, 45)
    return float(max(6, min(max(longest_word + 2, content + 2), 50)))
