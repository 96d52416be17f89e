"""Registers and reports read from the ledger: what the Reports screen shows and ``ihms-desk
report`` writes. No Qt, no wording: a :class:`Report` holds typed tables and keys; the words
come from ``ihms_desk.exports.labels`` and the files from ``ihms_desk.exports``::

    from ihms_desk.store.reports import build_report, REPORT_NAMES
    report = build_report(store, "stock-register", "01-11-2026", "30-11-2026", category="drug")
    for table in report.tables:
        for row in table.rows:
            print(row.values)

Every report is one consistent read (a single SQLite read transaction) that passes once over
the ledger's index for its dates, never one query per item. See ``docs/reports.md``.
"""

from __future__ import annotations

import datetime as dt
import gc
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ihms_desk.store.errors import InvalidInput, NotLoggedIn
from ihms_desk.store.model import CATEGORIES
from ihms_desk.store.reports import consumption, dispensing, expiry, issues, not_available, stock_register
from ihms_desk.store.reports.errors import MESSAGES, ReportCancelled, ReportRefused
from ihms_desk.store.reports.result import Column, ColumnKind, Note, Report, Row, Table
from ihms_desk.store.reports.scan import Scope
from ihms_desk.store.rules import parse_date

if TYPE_CHECKING:
    from ihms_desk.store.api import Store

__all__ = [
    "REPORTS", "REPORT_NAMES", "MESSAGES", "ReportSpec", "build_report", "stock_levels",
    "Report", "Table", "Row", "Column", "ColumnKind", "Note", "ReportRefused", "ReportCancelled",
]

#: Longest period any report covers; the slip-by-slip register is held to a quarter (a busy
#: CHC writes about 55,000 slip lines a month, and a longer one would not print or fit memory).
MAX_DAYS = 3_660
MAX_DISPENSING_DAYS = 92


@dataclass(frozen=True)
class ReportSpec:
    """A report's name (as typed after ``ihms-desk report``) and the longest period it takes."""

    name: str
    max_days: int = MAX_DAYS


#: Every report, in the order the screen and ``ihms-desk report --list`` show them.
REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec("stock-register"),
        ReportSpec("dispensing-register", MAX_DISPENSING_DAYS),
        ReportSpec("consumption"),
        ReportSpec("not-available"),
        ReportSpec("expiry"),
        ReportSpec("issues-register"),
    )
}
REPORT_NAMES = tuple(REPORTS)


def stock_levels(store: Store) -> tuple[int, int]:
    """The in-charge's minimum and maximum months of stock (settings ``min_stock_months`` and
    ``max_stock_months``, defaults 2 and 4)."""
    minimum = int(store.setting("min_stock_months", str(consumption.DEFAULT_MIN_MONTHS)))
    maximum = int(store.setting("max_stock_months", str(consumption.DEFAULT_MAX_MONTHS)))
    return minimum, maximum


def build_report(
    store: Store,
    name: str,
    start: dt.date | str,
    end: dt.date | str,
    *,
    category: str | None = None,
    items: Sequence[str] = (),
    should_stop: Callable[[], bool] | None = None,
) -> Report:
    """Build report ``name`` (one of :data:`REPORT_NAMES`) for the days ``start`` to ``end``
    (dates, or dd-mm-yyyy / yyyy-mm-dd text), for one ``category`` and/or some item codes.

    Any logged-in user may build a report. A bad name, date or filter raises
    :class:`ReportRefused` (with ``kind`` and ``values``) before anything is read;
    ``should_stop`` returning true (checked while SQLite works, too) raises
    :class:`ReportCancelled`::

        report = build_report(store, "consumption", "01-08-2026", "30-11-2026")
        report.table("consumption").rows
    """
    spec = REPORTS.get(str(name).strip().lower())
    if spec is None:
        raise ReportRefused("unknown_report", field="name", name=name, known=", ".join(REPORT_NAMES))
    user = store.user
    if user is None:
        raise NotLoggedIn("not_logged_in")
    first, last = _period(store, spec, start, end)
    if category is not None and category not in CATEGORIES:
        raise ReportRefused("unknown_category", field="category", category=category, known=", ".join(CATEGORIES))
    conn = store.conn
    item_ids = _item_ids(conn, items) or None
    facility = store.require_facility()
    today = store.today()
    minimum, maximum = stock_levels(store)
    if should_stop is not None:
        # SQLite calls this every few thousand steps of a query, so even a long scan stops.
        conn.set_progress_handler(lambda: 1 if should_stop() else 0, 20_000)
    conn.execute("BEGIN")  # one snapshot: a save on another connection meanwhile is not half-seen
    collecting = gc.isenabled()
    # A month's dispensing register makes some 100,000 tuples, none of them in a cycle; Python's
    # cycle collector would walk all of them again each time it runs meanwhile (a sixth of the
    # build on the five-year database). It runs as usual once the report is made.
    gc.disable()
    try:
        scope = Scope.load(conn, category=category, item_ids=item_ids)
        notes: tuple[Note, ...] = ()
        if spec.name == "stock-register":
            tables: tuple[Table, ...] = (stock_register.build(conn, scope, first, last, today),)
            notes = (Note("stock_register"),)
        elif spec.name == "dispensing-register":
            tables = dispensing.build(conn, scope, first, last)
            notes = (Note("dispensing"),)
        elif spec.name == "consumption":
            tables, notes = consumption.build(conn, scope, first, last, today, minimum, maximum)
        elif spec.name == "not-available":
            tables = not_available.build(conn, scope, first, last, today)
            notes = (Note("not_available"),)
        elif spec.name == "expiry":
            tables = expiry.build(conn, scope, last, today)
            notes = (Note("expiry", {"end": last}),)
        else:
            tables = issues.build(conn, scope, first, last)
    except sqlite3.OperationalError as error:
        if should_stop is not None and "interrupted" in str(error):
            raise ReportCancelled() from None
        raise
    finally:
        if collecting:
            gc.enable()
        conn.rollback()
        if should_stop is not None:
            conn.set_progress_handler(None, 0)
    if should_stop is not None and should_stop():
        raise ReportCancelled()
    return Report(
        name=spec.name, start=first, end=last, facility=facility, tables=tables, notes=notes, category=category,
        item_codes=tuple(sorted(item_ids.values())) if item_ids else (), generated_by=f"{user.full_name} ({user.username})",
        generated_at=store.now(),
    )


def _period(store: Store, spec: ReportSpec, start: dt.date | str, end: dt.date | str) -> tuple[dt.date, dt.date]:
    try:
        first = parse_date(start, "start", "Start date")
    except InvalidInput:
        raise ReportRefused("bad_start_date", field="start", text=str(start)) from None
    try:
        last = parse_date(end, "end", "End date")
    except InvalidInput:
        raise ReportRefused("bad_end_date", field="end", text=str(end)) from None
    if first > last:
        raise ReportRefused("period_reversed", field="start", start=f"{first:%d-%m-%Y}", end=f"{last:%d-%m-%Y}")
    today = store.today()
    if last > today:
        raise ReportRefused("period_in_future", field="end", end=f"{last:%d-%m-%Y}", today=f"{today:%d-%m-%Y}")
    days = (last - first).days + 1
    if days > spec.max_days:
        raise ReportRefused("period_too_long", field="start", days=days, limit=spec.max_days)
    return first, last


def _item_ids(conn: sqlite3.Connection, codes: Sequence[str]) -> dict[int, str]:
    wanted = {str(code).strip().upper() for code in codes if str(code).strip()}
    if not wanted:
        return {}
    found = {code: item_id for item_id, code in conn.execute(
        f"SELECT id, code FROM item WHERE code IN ({', '.join('?' for _ in wanted)})", sorted(wanted))}
    for code in sorted(wanted):
        if code not in found:
            raise ReportRefused("unknown_item_code", field="item", code=code)
    return {item_id: code for code, item_id in found.items()}
