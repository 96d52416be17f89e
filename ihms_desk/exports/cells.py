"""How a report's values read as text: Indian digit grouping (1,23,456), DD-MM-YYYY dates,
MM/YYYY expiry months, labels in the reader's language. The screen and the PDF show
:func:`shown`; CSV writes :func:`plain` (numbers without grouping, so a spreadsheet reads
them as numbers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ihms_desk.exports import labels
from ihms_desk.wording import group_indian, unit_name
from ihms_desk.store.reports.result import Column, ColumnKind


#: ``1234567`` as ``12,34,567`` (written once, in :mod:`ihms_desk.wording`).
indian = group_indian


def _decimal(value: Decimal, places: int, grouped: bool) -> str:
    text = f"{value:.{places}f}"
    if not grouped:
        return text
    whole, _, fraction = text.partition(".")
    negative = whole.startswith("-")
    grouped_whole = indian(int(whole))
    if negative and not grouped_whole.startswith("-"):  # -0.50
        grouped_whole = "-" + grouped_whole
    return f"{grouped_whole}.{fraction}"


def shown(column: Column, value: Any, lang: str) -> str:
    """A value as a person reads it on the screen or on paper ('' for an empty cell)."""
    return _text(column.kind, _in_language(column, value, lang), lang, grouped=True)


def plain(column: Column, value: Any, lang: str) -> str:
    """A value as written to CSV: no digit grouping, dates and months as on paper."""
    return _text(column.kind, _in_language(column, value, lang), lang, grouped=False)


def _in_language(column: Column, value: Any, lang: str) -> Any:
    # The unit of issue is the catalogue's English word: a Hindi register says गोली, not tablet.
    return unit_name(value, lang) if column.key == "unit" and isinstance(value, str) else value


def _text(kind: ColumnKind, value: Any, lang: str, *, grouped: bool) -> str:
    if value is None:
        return ""
    if kind is ColumnKind.INT:
        return indian(value) if grouped else str(value)
    if kind is ColumnKind.MONEY:
        return _decimal(Decimal(value), 2, grouped)
    if kind is ColumnKind.DECIMAL:
        return _decimal(Decimal(value), 1, grouped)
    if kind is ColumnKind.DATE:
        return f"{value:%d-%m-%Y}" if isinstance(value, dt.date) else str(value)
    if kind is ColumnKind.MONTH:
        return labels.month_text(str(value))
    if kind is ColumnKind.LABEL:
        return labels.label(str(value), lang)
    return str(value)
