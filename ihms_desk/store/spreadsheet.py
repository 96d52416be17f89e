"""Text written into CSV and XLSX files that a spreadsheet could run as a formula.

Item names and batch numbers come from the state's catalogue and from people; a cell beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms, which
some spreadsheet versions read the same way) is a formula to Excel and LibreOffice when the
file is opened (CSV injection). Every file the program writes passes its text through here::

    from ihms_desk.store.spreadsheet import csv_text, is_formula_like
    writer.writerow([csv_text(name), qty])          # CSV: a leading apostrophe marks text
    from_csv_text(cell)                             # reading our own CSV back: the mark comes off
    if is_formula_like(name): ...                   # XLSX: write_string with a quote prefix

Numbers are never passed through: they are written as numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ihms_desk.store.errors import InvalidInput

#: What a cell must not begin with (OWASP's list, and the full-width forms of the first four).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (or the start of one)."""
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """``text`` as a CSV cell that opens as text: a leading apostrophe when it looks like a
    formula (what spreadsheets themselves use to mark text), unchanged otherwise."""
    return "'" + text if is_formula_like(text) else text


def from_csv_text(text: str) -> str:
    """A cell read back from a CSV this program (or a spreadsheet) wrote: the apostrophe that
    :func:`csv_text` put before formula-like text is taken off; any other text is unchanged."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


def csv_row(values: Iterable[object]) -> list[object]:
    """A CSV row with every text cell made safe by :func:`csv_text`; numbers stay numbers."""
    return [csv_text(value) if isinstance(value, str) else value for value in values]


def read_csv_text(path: Path, not_utf8: str) -> str:
    """A UTF-8 (or Excel 'CSV UTF-8', with its byte-order mark) file's text, or a refusal of
    kind ``not_utf8`` saying how to save it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(not_utf8) from None
    except OSError as error:
        raise InvalidInput("cannot_read_file", path=path, reason=error.strerror) from None
