"""A report as CSV: the heading lines, then each table with its title, column headings, rows
and totals, a blank line between tables. UTF-8 with a byte-order mark, so Excel on Windows
opens Hindi correctly. Numbers are plain (no grouping) so they stay numbers; text that a
spreadsheet would run as a formula starts with an apostrophe (``ihms_desk.store.spreadsheet``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from ihms_desk.exports import cells, labels, page
from ihms_desk.store.reports.errors import ReportCancelled
from ihms_desk.store.reports.result import ColumnKind, Report
from ihms_desk.store.spreadsheet import csv_text

#: Columns that hold words (from people or the catalogue): the only cells that need guarding.
_TEXT_KINDS = (ColumnKind.TEXT, ColumnKind.LABEL)


def write(report: Report, path: Path, lang: str, should_stop: Callable[[], bool] | None = None) -> None:
    top = page.heading(report, lang)
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([csv_text(top.title)])
        for line in top.lines():
            writer.writerow([csv_text(line)])
        for table in report.tables:
            writer.writerow([])
            writer.writerow([csv_text(page.table_title(table, lang))])
            columns = table.columns
            writer.writerow([csv_text(labels.heading(column, lang)) for column in columns])
            guarded = [column.kind in _TEXT_KINDS for column in columns]
            for number, row in enumerate(table.rows):
                if should_stop is not None and number % 5000 == 0 and should_stop():
                    raise ReportCancelled()
                writer.writerow([
                    csv_text(text) if guard else text
                    for guard, text in zip(guarded, (cells.plain(c, v, lang) for c, v in zip(columns, row.values)))
                ])
            if table.totals is not None:
                totals = [cells.plain(c, v, lang) for c, v in zip(columns, table.totals)]
                where = page.total_label_column(table)
                if where is not None:
                    totals[where] = labels.text("page.total", lang)
                writer.writerow([csv_text(text) if guard else text for guard, text in zip(guarded, totals)])
