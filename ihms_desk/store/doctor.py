"""Consistency checks behind ``ihms-desk doctor``: the file, the ledger and the outbox agree.

:func:`diagnose` runs them on a database that may be damaged, through a read-only
connection, and says which it is: damaged (the file itself; written down so nothing writes
to it, with the backup to restore), inconsistent (the ledger), or sound.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ihms_desk.store import database
from ihms_desk.store.errors import DatabaseCorrupt, classify_sqlite_error

#: The triggers (schema migration m002) that keep the ledger append-only.
APPEND_ONLY_GUARDS = (
    "movement_no_delete", "document_no_delete", "document_line_no_delete", "outbox_no_delete",
    "movement_no_update", "document_line_no_update", "document_no_update", "outbox_payload_fixed",
    "outbox_payload_dropped",
)


@dataclass(frozen=True)
class Diagnosis:
    """What ``ihms-desk doctor`` found in the database at ``path``."""

    path: Path
    problems: list[str]
    #: The file itself is damaged (not only the ledger inconsistent): nothing may write to it.
    damaged: bool
    newest_backup: Path | None
    #: A note that the file was damaged was removed: the full check passes now.
    note_cleared: bool = False

    def report(self) -> list[str]:
        """The lines ``ihms-desk doctor`` prints."""
        if not self.problems:
            return ([f"The earlier note that {self.path} was damaged is removed: the full check "
                     "passes now."] if self.note_cleared else [])
        if not self.damaged:
            return [f"{len(self.problems)} problem(s) found in {self.path}:",
                    *(f"  - {problem}" for problem in self.problems)]
        if self.newest_backup is not None:
            what_to_do = (
                f'Restore the newest backup: ihms-desk restore "{self.newest_backup}". It is '
                "checked before it replaces anything, and the damaged file is kept beside the "
                "backups. Records saved after that backup must be entered again from the paper "
                "slips (the state server keeps what was synced).")
        else:
            what_to_do = ("No backup was found in the data folder: call your support person, and "
                          "bring the USB stick or drive the backups are copied to.")
        return [f"DAMAGED: the database file {self.path} is damaged. IHMS Desk will not write to it.",
                *(f"  - {problem}" for problem in self.problems),
                f"What to do: do not delete anything in the data folder. {what_to_do}"]


def diagnose(path: Path) -> Diagnosis:
    """Check the database at ``path`` (which must exist) without writing to it (but for rolling
    back a transaction a power cut left half-done, as SQLite does at any open); damage found
    is written down beside it (``database.note_damage``), and a note is removed when the file
    passes the full check. Raises :class:`EnvironmentProblem` when the machine is in the way
    (locked, unreadable disk)."""
    backups = database.backups_beside(path)
    newest = backups[0] if backups else None
    database.roll_back_hot_journal(path)  # what a power cut left half-done is not damage
    problem = database.header_problem(path)
    if problem is not None:
        damage = [f"The file is not a sound database: {problem}"]
    else:
        try:
            with database.read_only(path) as conn:
                damage = file_problems(conn)
                problems = [] if damage else ledger_problems(conn)
        except sqlite3.DatabaseError as error:
            classified = classify_sqlite_error(error, path)
            if classified is not None and not isinstance(classified, DatabaseCorrupt):
                raise classified from error
            damage = [f"The file cannot be read: {error}"]
    if damage:
        database.note_damage(path, damage[0], found_by="ihms-desk doctor")
        return Diagnosis(path, damage, True, newest)
    cleared = database.damage_noted(path) is not None
    if cleared:
        database.clear_damage_note(path)
    return Diagnosis(path, problems, False, newest, note_cleared=cleared)


def check_database(conn: sqlite3.Connection) -> list[str]:
    """Every problem found, in plain words; an empty list means the database is sound."""
    try:
        return file_problems(conn) or ledger_problems(conn)
    except sqlite3.DatabaseError as error:  # a damaged page the integrity check did not reach
        return [f"The file cannot be read: {error}"]


def file_problems(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's full integrity check finds wrong with the file itself."""
    try:
        result = [line for row in conn.execute("PRAGMA integrity_check(20)").fetchall()
                  for line in row[0].splitlines() if not line.startswith("*** in database")]
    except sqlite3.DatabaseError as error:
        return [f"SQLite integrity check: {error}"]
    return [] if result == ["ok"] else [f"SQLite integrity check: {line}" for line in result[:20]]


def ledger_problems(conn: sqlite3.Connection, *, thorough: bool = True) -> list[str]:
    """Where the ledger, the balances, the counters and the outbox disagree (on a sound file).

    ``thorough=False`` leaves out the three checks that read every movement or every row (the
    references, each batch's balance against its ledger, the monthly consumption: about a
    minute on a five-year file together) and keeps those that take milliseconds to a second
    (the daily backup's check; ``doctor`` and the background check run them all)."""
    problems: list[str] = []
    if thorough:
        problems += _thorough_problems(conn)
    problems += _quick_problems(conn)
    return problems


def _thorough_problems(conn: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    for row in conn.execute("PRAGMA foreign_key_check").fetchall()[:20]:
        problems.append(f"Broken reference in table {row[0]} (row {row[1]}) to {row[2]}")
    mismatches = conn.execute(
        """
        SELECT b.id, i.code, b.batch_no, coalesce(s.qty, 0) AS balance, coalesce(m.total, 0) AS ledger
        FROM batch b JOIN item i ON i.id = b.item_id
        LEFT JOIN stock s ON s.batch_id = b.id
        LEFT JOIN (SELECT batch_id, sum(qty) AS total FROM movement GROUP BY batch_id) m ON m.batch_id = b.id
        WHERE coalesce(s.qty, 0) <> coalesce(m.total, 0)
        """
    ).fetchall()
    for row in mismatches[:50]:
        problems.append(
            f"Batch {row['batch_no']} of {row['code']}: balance {row['balance']} but ledger sums to {row['ledger']}"
        )
    # Both ways round: a total the ledger does not back, and issues with no (or another) total.
    consumption = conn.execute(
        """
        WITH m AS (SELECT m.item_id, substr(coalesce(o.doc_date, m.moved_on), 1, 7) AS month, -sum(m.qty) AS issued
                   FROM movement m JOIN document d ON d.id = m.document_id
                   LEFT JOIN document o ON o.id = d.reverses_id  -- a reversal counts in its original's month
                   WHERE m.kind IN ('dispense', 'transfer') GROUP BY m.item_id, month)
        SELECT c.item_id FROM consumption_month c LEFT JOIN m ON m.item_id = c.item_id AND m.month = c.month
        WHERE c.qty <> coalesce(m.issued, 0)
        UNION ALL
        SELECT m.item_id FROM m LEFT JOIN consumption_month c ON c.item_id = m.item_id AND c.month = m.month
        WHERE m.issued <> coalesce(c.qty, 0)
        LIMIT 5
        """
    ).fetchall()
    if consumption:
        problems.append("Monthly consumption totals do not match the ledger")
    return problems


def _quick_problems(conn: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    negative = conn.execute("SELECT count(*) FROM stock WHERE qty < 0").fetchone()[0]
    if negative:
        problems.append(f"{negative} batches have negative stock")
    orphans = conn.execute("SELECT count(*) FROM stock s LEFT JOIN batch b ON b.id = s.batch_id WHERE b.id IS NULL").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} balances belong to no batch")
    documents, events = conn.execute(
        "SELECT (SELECT count(*) FROM document), (SELECT count(*) FROM outbox)"
    ).fetchone()
    if documents != events:
        problems.append(f"{documents} documents but {events} outbox events: each document must have exactly one")
    missing = conn.execute(
        "SELECT d.number FROM document d LEFT JOIN outbox o ON o.document_id = d.id WHERE o.sequence IS NULL LIMIT 20"
    ).fetchall()
    problems += [f"Document {row[0]} has no outbox event" for row in missing]
    lineless = conn.execute(
        "SELECT d.number FROM document d WHERE NOT EXISTS (SELECT 1 FROM document_line l WHERE l.document_id = d.id) LIMIT 20"
    ).fetchall()
    problems += [f"Document {row[0]} has no lines (half saved)" for row in lineless]
    gaps = conn.execute(
        """
        SELECT kind, financial_year, count(*) AS n, max(serial) AS top FROM document
        GROUP BY kind, financial_year HAVING n <> top
        """
    ).fetchall()
    for row in gaps:
        problems.append(f"{row['kind']} numbers of {row['financial_year']} have gaps: {row['n']} documents, last number {row['top']}")
    counters = conn.execute(
        """
        SELECT d.kind, d.financial_year, max(d.serial) AS top, c.last_serial FROM document d
        LEFT JOIN doc_counter c ON c.kind = d.kind AND c.financial_year = d.financial_year
        GROUP BY d.kind, d.financial_year HAVING c.last_serial IS NULL OR c.last_serial <> top
        """
    ).fetchall()
    for row in counters:
        problems.append(
            f"The {row['kind']} counter of {row['financial_year']} is at {row['last_serial']} but the last number is "
            f"{row['top']}: the next document would get a wrong number"
        )
    sequence = conn.execute("SELECT count(*), coalesce(max(sequence), 0) FROM outbox").fetchone()
    next_sequence = conn.execute("SELECT next_sequence FROM device WHERE id = 1").fetchone()[0]
    if sequence[1] >= next_sequence:
        problems.append(f"Outbox sequence {sequence[1]} is not below the device's next sequence {next_sequence}")
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for guard in APPEND_ONLY_GUARDS:
        if guard not in present:
            problems.append(f"The append-only guard {guard} is missing: ledger rows could be edited or deleted")
    return problems
