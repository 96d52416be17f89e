"""What every file says about its report before the tables: title, facility, period, filters,
who printed it and when, and the notes on how figures were reached."""

from __future__ import annotations

from dataclasses import dataclass

from ihms_desk.exports import labels
from ihms_desk.store.reports.result import Column, ColumnKind, Report, Row, Table

#: The columns an item-and-batch table repeats on every batch row; on paper and on screen they
#: become one column: the item on its own row, each batch under it.
_OUTLINED = ("item_code", "item_name", "unit", "batch_no")


@dataclass(frozen=True)
class Heading:
    title: str
    facility: str
    period: str
    filters: str
    printed: str
    notes: tuple[str, ...]

    def lines(self) -> list[str]:
        """Everything under the title, one line each, empty ones left out."""
        return [line for line in (self.facility, self.period, self.filters, self.printed, *self.notes) if line]


def heading(report: Report, lang: str) -> Heading:
    facility = report.facility
    filters = []
    if report.category:
        filters.append(labels.text("page.category", lang, category=labels.label(report.category, lang)))
    if report.item_codes:
        filters.append(labels.text("page.items", lang, items=", ".join(report.item_codes)))
    when = f"{report.generated_at:%d-%m-%Y %H:%M}" if report.generated_at else ""
    return Heading(
        title=labels.text(f"report.{report.name}", lang),
        facility=f"{facility.name} ({facility.code}), {facility.block}, {facility.district}",
        period=labels.text("page.period", lang, start=f"{report.start:%d-%m-%Y}", end=f"{report.end:%d-%m-%Y}"),
        filters=" · ".join(filters),
        printed=labels.text("page.printed", lang, name=report.generated_by, when=when),
        notes=tuple(labels.note(note, lang) for note in report.notes),
    )


def table_title(table: Table, lang: str) -> str:
    return labels.text(f"table.{table.key}", lang)


def total_label_column(table: Table) -> int | None:
    """Where a totals row says "Total": its first column without a total of its own."""
    if table.totals is None:
        return None
    for index, value in enumerate(table.totals):
        if value is None:
            return index
    return None


def outlined(table: Table) -> Table:
    """A table of item rows with batch rows under them (the stock register) as it reads best on
    paper: one "Item / batch no." column holding ``code name (unit)`` on the item's row and the
    batch number on each batch's row, instead of four columns repeating the item. Any other
    table is returned as it is. CSV and XLSX keep every column (people sort and filter them).
    """
    keys = [column.key for column in table.columns]
    if not all(key in keys for key in _OUTLINED) or not any(row.level for row in table.rows):
        return table
    code, name, unit, batch = (keys.index(key) for key in _OUTLINED)
    kept = [index for index in range(len(keys)) if index not in (code, name, unit, batch)]
    columns = (Column("item_batch", ColumnKind.TEXT), *(table.columns[index] for index in kept))
    rows = []
    for row in table.rows:
        values = row.values
        first = values[batch] if row.level else f"{values[code]} {values[name]} ({values[unit]})"
        rows.append(Row((first, *(values[index] for index in kept)), row.level))
    totals = None if table.totals is None else (None, *(table.totals[index] for index in kept))
    return Table(table.key, columns, rows, totals)


#: Tables whose consecutive rows share a document: on paper the document's columns are printed
#: on its first row only (and again at the top of a page), as a register is written by hand.
_SAME_DOCUMENT = {
    "dispensing_slips": ("slip_no", ("date", "slip_no", "opd_no", "patient", "age_sex", "prescriber", "reversed_by")),
    "issues_register": ("document_no", ("date", "document_no", "type", "particulars", "entered_by", "reversed_by")),
}


def shared_columns(table: Table) -> tuple[int, tuple[int, ...]] | None:
    """For a table of document lines: the column naming the document and the columns that
    need not be repeated while it stays the same; ``None`` for other tables."""
    found = _SAME_DOCUMENT.get(table.key)
    if found is None:
        return None
    keys = [column.key for column in table.columns]
    return keys.index(found[0]), tuple(keys.index(key) for key in found[1])
