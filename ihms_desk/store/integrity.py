"""SQLite's full integrity check of a large database, across starts and days, behind the counter.

``PRAGMA integrity_check`` reads the whole file and checks every index against its table: 124 s
on the 2.5 GB five-year file on an old disk, too long to wait for at every start. So a large
file is checked in a *cycle* of steps, one table (with its indexes) at a time and then the
whole file's page map (``quick_check``, which finds a page used twice or lost), each step in a
read-only connection in a background thread (WAL: the counter keeps saving), cancellable
between any two of SQLite's steps (closing the program, a restore). A finished step is
written down (``setting`` row :data:`CYCLE_SETTING`), so a cycle cut short by closing the
program goes on at the next start where it stopped; a finished cycle starts again after
:data:`NEW_CYCLE_AFTER`. Damage is returned at the first step that finds it; the caller
writes it down and offers the latest good backup, as for any damaged file.

Nothing here imports Qt: ``ui/startup_checks.py`` runs it in the program's check thread.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ihms_desk.store import database

#: Where the cycle stands, as JSON in the ``setting`` table.
CYCLE_SETTING = "integrity_cycle"
#: How long after a finished cycle the next one starts.
NEW_CYCLE_AFTER = dt.timedelta(days=7)
#: The last step of a cycle: the whole file's page map and free list.
WHOLE_FILE = "(the whole file)"
#: SQLite virtual machine steps between two looks at the cancel flag (about a millisecond).
_CANCEL_EVERY = 10_000


@dataclass
class Cycle:
    """Where a cycle stands: when it started, the steps done, when it was finished."""

    started: str
    done: list[str] = field(default_factory=list)
    finished: str | None = None


@dataclass(frozen=True)
class CheckOutcome:
    """What a run of the cycle did: the damage found (empty: none), the steps it checked, and
    whether it was cancelled before the cycle was finished."""

    problems: list[str]
    checked: list[str]
    cancelled: bool
    finished: bool


def run_cycle(path: Path, *, cancelled: Callable[[], bool] = lambda: False,
              now: dt.datetime | None = None) -> CheckOutcome:
    """Check the next steps of the cycle of the database at ``path`` until the cycle is
    finished, damage is found, or ``cancelled()`` says stop. Nothing is done when the last
    cycle finished less than :data:`NEW_CYCLE_AFTER` ago."""
    moment = (now or dt.datetime.now().astimezone()).astimezone(dt.timezone.utc)
    cycle = read_cycle(path)
    if cycle is not None and cycle.finished is not None:
        if moment - dt.datetime.fromisoformat(cycle.finished) < NEW_CYCLE_AFTER:
            return CheckOutcome([], [], False, True)
        cycle = None
    cycle = cycle or Cycle(started=moment.isoformat(timespec="seconds"))
    checked: list[str] = []
    with database.read_only(path) as conn:
        conn.set_progress_handler(lambda: 1 if cancelled() else 0, _CANCEL_EVERY)
        try:
            for step in _steps(conn):
                if step in cycle.done:
                    continue
                problems = _check_step(conn, step)
                if problems:
                    return CheckOutcome(problems, checked + [step], False, False)
                checked.append(step)
                cycle.done.append(step)
                _write_cycle(path, cycle)
        except sqlite3.OperationalError as error:
            if cancelled() and "interrupt" in str(error):
                return CheckOutcome([], checked, True, False)
            raise
    cycle.finished = moment.isoformat(timespec="seconds")
    _write_cycle(path, cycle)
    return CheckOutcome([], checked, False, True)


def read_cycle(path: Path) -> Cycle | None:
    """The cycle written down in the database at ``path`` (``None``: none yet)."""
    try:
        with database.read_only(path) as conn:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (CYCLE_SETTING,)).fetchone()
        if row is None:
            return None
        value = json.loads(row[0])
        return Cycle(str(value["started"]), [str(step) for step in value["done"]], value.get("finished"))
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None


def _steps(conn: sqlite3.Connection) -> list[str]:
    """Every table (with its indexes), in the order they were made, then the whole file."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rootpage")]
    return [*tables, WHOLE_FILE]


def _check_step(conn: sqlite3.Connection, step: str) -> list[str]:
    """What one step finds wrong (empty: nothing). A step that cannot read its pages reports
    that as damage; an interruption is the caller's."""
    pragma = "PRAGMA quick_check(20)" if step == WHOLE_FILE else f'PRAGMA integrity_check("{step}")'
    try:
        lines = [line for row in conn.execute(pragma).fetchall() for line in str(row[0]).splitlines()]
    except sqlite3.OperationalError as error:
        if "interrupt" in str(error):
            raise
        return [f"{step}: {error}"]
    except sqlite3.DatabaseError as error:
        return [f"{step}: {error}"]
    found = [line for line in lines if line != "ok" and not line.startswith("*** in database")]
    return [f"{step}: {line}" for line in found[:20]]


def _write_cycle(path: Path, cycle: Cycle) -> None:
    """Write where the cycle stands: one short write, never into a file found damaged."""
    if database.damage_noted(path) is not None:
        return
    conn = database.connect(path, check=False)
    try:
        with conn:
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                         "excluded.value", (CYCLE_SETTING, json.dumps(cycle.__dict__)))
    finally:
        conn.close()
