"""Writing a report to a file, and the one call ``ihms-desk report`` makes: check the format,
language and path, build the report, write it.

A file is written under a temporary name in the same folder and renamed when complete, so a
power cut or a cancel never leaves half a report where the full one should be. Every problem
is an :class:`ExportError` (or the store's ``ReportRefused``) with a ``kind`` and its values;
``ihms_desk.exports.labels.error`` words both in English or Hindi.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ihms_desk.exports import labels
from ihms_desk.store.reports.errors import ReportCancelled
from ihms_desk.store.reports.result import Report

if TYPE_CHECKING:
    from ihms_desk.store.api import Store

FORMATS = ("csv", "xlsx", "pdf")


class ExportError(Exception):
    """A report file could not be written: ``kind`` (``unknown_format``, ``unknown_language``,
    ``cannot_write``, ``is_a_folder``) and ``values`` say why; ``message`` is the English."""

    def __init__(self, kind: str, **values: Any) -> None:
        self.kind = kind
        self.values = values
        self.message = labels.error(kind, values, "en")
        super().__init__(self.message)

    def text(self, lang: str) -> str:
        return labels.error(self.kind, self.values, lang)


def check_format(fmt: str | None, path: Path) -> str:
    """The format asked for, or the one the file name ends with."""
    chosen = (fmt or path.suffix.lstrip(".")).strip().lower()
    if chosen not in FORMATS:
        raise ExportError("unknown_format", format=fmt or path.suffix, known=", ".join(FORMATS))
    return chosen


def check_language(lang: str) -> str:
    if lang not in labels.LANGUAGES:
        raise ExportError("unknown_language", language=lang, known=", ".join(labels.LANGUAGES))
    return lang


def write_report(
    report: Report, path: Path | str, fmt: str | None = None, *, lang: str = "en",
    should_stop: Callable[[], bool] | None = None,
) -> Path:
    """Write a built report to ``path`` as ``fmt`` (default: from the file name's ending) in
    ``lang``; returns the path. ``should_stop`` returning true stops it (``ReportCancelled``)
    and leaves no file behind::

        write_report(report, "C:/Reports/stock-nov.pdf", lang="hi")
    """
    target = Path(path)
    chosen = check_format(fmt, target)
    check_language(lang)
    temporary = _temporary_beside(target, chosen)
    try:
        _writer(chosen)(report, temporary, lang, should_stop)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError("cannot_write", path=str(target), reason=error.strerror or str(error)) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def export_report(
    store: Store,
    name: str,
    start: dt.date | str,
    end: dt.date | str,
    fmt: str | None,
    out: Path | str,
    *,
    lang: str = "en",
    category: str | None = None,
    items: Sequence[str] = (),
    should_stop: Callable[[], bool] | None = None,
) -> Path:
    """Build report ``name`` for ``start``..``end`` (dd-mm-yyyy) and write it to ``out``: what
    ``ihms-desk report NAME --from --to --format --out [--lang]`` does. Format, language and
    path are checked before anything is read, so a typo costs no wait::

        export_report(store, "expiry", "01-11-2026", "30-11-2026", "xlsx", "expiry.xlsx")

    Raises ``ReportRefused`` (name, dates, filters), ``ExportError`` (format, language,
    path), ``NotLoggedIn``, or ``ReportCancelled``.
    """
    from ihms_desk.store.reports import build_report

    target = Path(out)
    chosen = check_format(fmt, target)
    check_language(lang)
    _temporary_beside(target, chosen).unlink()  # can a file be made there at all?
    report = build_report(store, name, start, end, category=category, items=items, should_stop=should_stop)
    return write_report(report, target, chosen, lang=lang, should_stop=should_stop)


def _temporary_beside(target: Path, fmt: str) -> Path:
    """A new empty file in the target's folder (where the rename to ``target`` is atomic)."""
    if target.is_dir():
        raise ExportError("is_a_folder", path=str(target), format=fmt)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(temporary, "wb"):
            pass
    except OSError as error:
        raise ExportError("cannot_write", path=str(target), reason=error.strerror or str(error)) from error
    return temporary


Writer = Callable[[Report, Path, str, "Callable[[], bool] | None"], None]


def _writer(fmt: str) -> Writer:
    # Each writer's library is loaded only when that format is asked for (fpdf2 and its fonts
    # take a moment; a CSV needs neither).
    if fmt == "csv":
        from ihms_desk.exports import csv_file

        return csv_file.write
    if fmt == "xlsx":
        from ihms_desk.exports import xlsx_file

        return xlsx_file.write
    from ihms_desk.exports import pdf_file

    return pdf_file.write


__all__ = ["FORMATS", "ExportError", "ReportCancelled", "export_report", "write_report"]
