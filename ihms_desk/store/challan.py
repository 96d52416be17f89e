"""A warehouse challan as a CSV file: read it, check every row, and say every bad row at once.

The district warehouse's software and Excel write challans in more than one way: commas or
semicolons between the columns (Excel in a locale whose decimal mark is a comma writes ``;``),
quantities grouped as ``20,000``. Both are read. A file separated some other way (tabs, bars)
is refused naming its separator, and every bad row is listed with its spreadsheet row number
in one refusal, so the clerk corrects the file once, not once per row::

    from ihms_desk.store.challan import read_challan
    challan = read_challan(Path("challan.csv"), check=store.check_receipt_line)
    store.receive(source="ddw", voucher_no=challan.voucher["voucher_no"], ..., lines=challan.lines)

Nothing here writes: the challan is saved whole (or not at all) by ``store.receive``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ihms_desk.store.catalogue import missing_columns, numbered_rows
from ihms_desk.store.errors import InvalidInput, Refusal
from ihms_desk.store.model import ReceiptLine
from ihms_desk.store.rules import check_quantity
from ihms_desk.store.spreadsheet import read_csv_text
from ihms_desk.wording import Label, Said, SaidLines

#: The columns a challan must have.
RECEIPT_COLUMNS = ("item_code", "batch_no", "expiry", "qty")
#: Columns read when present.
OPTIONAL_COLUMNS = ("manufacturer", "unit_cost", "voucher_no", "voucher_date", "short_expiry_reason")
#: Separators read, and (after them) separators recognised only to be named in the refusal.
READ_SEPARATORS = (",", ";")
NAMED_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon", " ": "space"}

#: ``20000``, or grouped the Indian or the international way: ``20,000``, ``1,50,000``.
_WHOLE = re.compile(r"\d+|\d{1,3}(,\d{2})*,\d{3}")


@dataclass
class Challan:
    """What a challan file holds: its lines and the voucher fields it carries (if any)."""

    lines: list[ReceiptLine] = field(default_factory=list)
    voucher: dict[str, str] = field(default_factory=dict)
    #: The separator the file used (``,`` or ``;``).
    separator: str = ","


def read_challan(source: Path | str, check: Callable[[ReceiptLine], object] | None = None) -> Challan:
    """Read a challan from a file (or its text), checking every row.

    ``check`` is the store's check of one receipt line (``store.check_receipt_line``): an
    unknown item, an expired batch or an expiry that differs from the batch on record is then
    found here with its row number, not one at a time when saving. Every bad row is refused
    together (kind ``challan_rows_refused``, each row a line of its own)."""
    reader, separator = challan_reader(source)
    challan = Challan(separator=separator)
    problems: list[Said] = []
    for row_number, row in numbered_rows(reader):
        try:
            line = _row_line(row, separator)
            if check is not None:
                check(line)
            _take_voucher(challan.voucher, row)
        except Refusal as refusal:
            problems.append(Said("challan_row", {"row": row_number, "reason": Said(refusal.kind, refusal.values)}))
            continue
        challan.lines.append(line)
    if problems:
        raise InvalidInput("challan_rows_refused", count=len(problems), rows=SaidLines(problems))
    if not challan.lines:
        raise InvalidInput("challan_has_no_lines")
    return challan


def challan_reader(source: Path | str) -> tuple[csv.DictReader[str], str]:
    """The file's rows, once the file itself is right: UTF-8 text, a separator that is read,
    every needed column (refused otherwise, before any row is read); and its separator."""
    text = read_csv_text(source, "challan_not_utf8") if isinstance(source, Path) else source
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = _separator(first_line)
    reader = csv.DictReader(io.StringIO(text), delimiter=separator)
    if missing := missing_columns(reader, RECEIPT_COLUMNS):
        raise InvalidInput("challan_columns_missing", missing=", ".join(missing), needed=", ".join(RECEIPT_COLUMNS))
    return reader, separator


def _names(line: str, separator: str) -> list[str]:
    return [name.strip().strip('"').strip().lower() for name in line.split(separator)]


def _separator(header_line: str) -> str:
    """The separator whose split of the header names every needed column: ``,`` or ``;``
    are read; another one found that way is named in a refusal. A header that names the
    columns no way at all is read with ``,``, so its missing columns are named instead."""
    for separator, name in NAMED_SEPARATORS.items():
        if all(column in _names(header_line, separator) for column in RECEIPT_COLUMNS):
            if separator in READ_SEPARATORS:
                return separator
            raise InvalidInput("challan_separator", separator=Label(f"separator.{name}"))
    return ","


def _row_line(row: dict[str, str | None], separator: str) -> ReceiptLine:
    if None in row:
        raise InvalidInput("row_has_more_fields")
    values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
    first = values.get(next(iter(row), ""), "")
    other = ";" if separator == "," else ","
    if other in first and not any(value for key, value in values.items() if value != first):
        # The whole row landed in the first column: it is separated otherwise than the header.
        raise InvalidInput("challan_separators_mixed", found=Label(f"separator.{NAMED_SEPARATORS[other]}"),
                           separator=Label(f"separator.{NAMED_SEPARATORS[separator]}"))
    qty_text = values.get("qty", "")
    if not _WHOLE.fullmatch(qty_text):
        raise InvalidInput("quantity_not_whole", text=qty_text)
    return ReceiptLine(
        item_code=values.get("item_code", ""),
        batch_no=values.get("batch_no", ""),
        expiry_month=values.get("expiry", ""),
        qty=check_quantity(int(qty_text.replace(",", ""))),
        manufacturer=values.get("manufacturer") or None,
        unit_cost=values.get("unit_cost") or None,
        short_expiry_reason=values.get("short_expiry_reason") or None,
    )


def _take_voucher(voucher: dict[str, str], row: dict[str, str | None]) -> None:
    """The voucher number and date, the same on every row that gives them (one challan a file)."""
    for key in ("voucher_no", "voucher_date"):
        value = (row.get(key) or "").strip()
        if value and voucher.setdefault(key, value) != value:
            raise InvalidInput("row_voucher_differs_here", column=key)
