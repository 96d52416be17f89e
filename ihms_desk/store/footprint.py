"""Keeping the database small over the years: outbox payloads the ledger can rebuild, and the
space they leave.

After five years at 600 patients a day the outbox holds a million events the state server
acknowledged long ago, and their payloads were half of the 2.5 GB file. Every payload is made
from the append-only document, line and movement rows (``SavedDocument.payload``), so the
payload of an acknowledged event is *dropped* (stored as the empty text :data:`DROPPED`) only
after it was rebuilt from those rows and found equal byte for byte: what is rebuilt later is
exactly what was sent, so the event's content hash still matches what the server holds. A
payload that does not rebuild exactly (a row written by an older version, or by hand) is kept
as it is. The schema allows only this change (migration ``m011_footprint``): a payload may go
from its text to empty, only while its event is ``sent``; nothing else of an event ever
changes.

The work is done in short passes (:meth:`FootprintMixin.drop_rebuildable_payloads`), each a
write transaction of a few hundred events, resumable from a cursor kept in ``setting``, so it
runs behind the counter (the daily backup worker) without holding it up. The pages it frees are
reused by new rows at once; :meth:`FootprintMixin.reclaim_space` gives them back to the disk
(incrementally once the file is in ``auto_vacuum = INCREMENTAL``, which one ``VACUUM`` sets:
``ihms-desk compact``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ihms_desk.store.base import StoreBase
from ihms_desk.store.model import SavedDocument

#: The stored payload of an event whose payload was dropped: rebuilt from the ledger when read.
DROPPED = ""
#: Only events the server acknowledged at least this long ago lose their payload: the last
#: week's backups keep whole events, and a just-sent event costs nothing to keep a while.
DROP_AFTER = dt.timedelta(days=7)
#: Where the passes stand: every event up to this sequence has been looked at.
CURSOR_SETTING = "footprint_outbox_checked_through"
#: ``PRAGMA auto_vacuum`` value of a file whose free pages can be given back bit by bit.
AUTO_VACUUM_INCREMENTAL = 2


def payload_text(document: SavedDocument) -> str:
    """The outbox payload of ``document`` as stored and sent: one spelling, so that rebuilding
    it from the ledger gives the same bytes (``outbox.write_event`` writes this)."""
    return json.dumps(document.payload(), ensure_ascii=False, separators=(",", ":"))


def dispense_line(line_no: int, item_code: str, prescribed: int, dispensed: int) -> dict[str, object]:
    """An OPD slip's line as ``Store.dispense`` saves it (``document_line.detail``): every value
    is also in the line's own columns, so the text can be made again from them."""
    return {"line_no": line_no, "item_code": item_code, "qty_prescribed": prescribed, "qty_dispensed": dispensed,
            "not_available": prescribed - dispensed}


def dispense_line_detail(line_no: int, item_code: str, prescribed: int, dispensed: int) -> str:
    """The stored text of :func:`dispense_line` (as ``LedgerMixin._save`` spells it): what a
    dropped detail is read back as."""
    return json.dumps(dispense_line(line_no, item_code, prescribed, dispensed), ensure_ascii=False)


@dataclass(frozen=True)
class DropPass:
    """What one pass of :meth:`FootprintMixin.drop_rebuildable_payloads` did."""

    checked: int
    dropped: int
    #: Acknowledged events whose payload did not rebuild exactly: kept whole.
    kept: int
    #: No acknowledged event old enough is left to look at (until more are acknowledged).
    done: bool


@dataclass(frozen=True)
class SpaceReport:
    """How the file's pages are used (``PRAGMA page_count``/``freelist_count``)."""

    file_bytes: int
    free_bytes: int
    incremental: bool


class FootprintMixin(StoreBase):
    """Dropping rebuildable payloads and giving free pages back; no permission is needed
    (housekeeping of the facility's own file, run by the program, not a person's action)."""

    if TYPE_CHECKING:
        # Provided by LedgerMixin: a saved document read back from its rows.
        def _load_document(self, conn: sqlite3.Connection, document_id: int) -> SavedDocument: ...

    def rebuilt_payload(self, document_id: int) -> str:
        """The payload of the event of document ``document_id``, made again from the ledger."""
        return payload_text(self._load_document(self.conn, document_id))

    def event_payload(self, sequence: int) -> str | None:
        """The payload of the event at ``sequence`` as it was stored and sent (rebuilt from the
        ledger if it was dropped); ``None`` if there is no such event."""
        row = self._row("SELECT document_id, payload FROM outbox WHERE sequence = ?", (sequence,))
        if row is None:
            return None
        return self.rebuilt_payload(row["document_id"]) if row["payload"] == DROPPED else str(row["payload"])

    def drop_rebuildable_payloads(self, *, limit: int = 500, now: dt.datetime | None = None) -> DropPass:
        """One pass: look at up to ``limit`` events after the cursor, in sequence order, and drop
        the payload of each acknowledged one (``sent`` over :data:`DROP_AFTER` ago) that rebuilds
        byte for byte. Stops at the first event not acknowledged long enough (the rest are
        younger), so a later pass takes it up; rejected events are passed over and kept whole."""
        cutoff = ((now or self.clock()) - DROP_AFTER).astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
        checked = dropped = kept = 0
        done = False
        # What a dropped payload leaves in its page is zeroed, so a backup of the file before
        # its next VACUUM compresses it to almost nothing (no extra I/O in FAST mode).
        self.conn.execute("PRAGMA secure_delete = FAST")
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (CURSOR_SETTING,)).fetchone()
            cursor = int(row[0]) if row else 0
            rows = conn.execute(
                "SELECT sequence, document_id, payload, status, acknowledged_at FROM outbox "
                "WHERE sequence > ? ORDER BY sequence LIMIT ?", (cursor, limit),
            ).fetchall()
            for event in rows:
                if event["status"] == "rejected":
                    cursor = event["sequence"]
                    continue
                if event["status"] != "sent" or (event["acknowledged_at"] or "") > cutoff:
                    done = True
                    break
                checked += 1
                cursor = event["sequence"]
                if event["payload"] == DROPPED:
                    continue
                if payload_text(self._load_document(conn, event["document_id"])) == event["payload"]:
                    conn.execute("UPDATE outbox SET payload = ? WHERE sequence = ? AND status = 'sent'",
                                 (DROPPED, event["sequence"]))
                    dropped += 1
                    _drop_line_details(conn, event["document_id"])
                else:
                    kept += 1
            done = done or len(rows) < limit
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (CURSOR_SETTING, str(cursor)))
        return DropPass(checked, dropped, kept, done)

    def drop_payloads_for(self, seconds: float, *, limit: int = 200, now: dt.datetime | None = None) -> DropPass:
        """Passes of ``limit`` events (each a write transaction of about a tenth of a second,
        so a counter's save waits at most that long) until none is left or ``seconds`` have
        gone; what they did in all."""
        deadline = time.monotonic() + seconds
        checked = dropped = kept = 0
        while True:
            one = self.drop_rebuildable_payloads(limit=limit, now=now)
            checked, dropped, kept = checked + one.checked, dropped + one.dropped, kept + one.kept
            if one.done or time.monotonic() >= deadline:
                return DropPass(checked, dropped, kept, one.done)

    def space(self) -> SpaceReport:
        """The file's size and how much of it is free pages."""
        page_size, pages, free, mode = (
            self._scalar(f"PRAGMA {name}") for name in ("page_size", "page_count", "freelist_count", "auto_vacuum"))
        return SpaceReport(int(page_size) * int(pages), int(page_size) * int(free), int(mode) == AUTO_VACUUM_INCREMENTAL)

    def reclaim_space(self, *, pages: int = 2048) -> int:
        """Give up to ``pages`` free pages back to the disk in one short write (a file in
        incremental auto-vacuum mode); returns the bytes given back (0 in any other mode: there
        only a ``VACUUM`` shrinks the file, see :func:`vacuum`)."""
        before = self.space()
        if not before.incremental or not before.free_bytes:
            return 0
        with self._transaction() as conn:
            # Each step of the pragma frees one page, and Python's sqlite3 steps a statement
            # that returns no rows only once: one execute per page (microseconds each).
            for _ in range(min(pages, before.free_bytes // max(1, int(self._scalar("PRAGMA page_size"))))):
                conn.execute("PRAGMA incremental_vacuum(1)")
        return before.file_bytes - self.space().file_bytes


def _drop_line_details(conn: sqlite3.Connection, document_id: int) -> None:
    """Drop the detail text of each line of an OPD slip that its columns make again exactly
    (the schema checks the same, m011_footprint): 100 bytes of JSON of each of 3 million lines
    after five years."""
    for line_no, detail, code, prescribed, qty in conn.execute(
            "SELECT l.line_no, l.detail, i.code, l.qty_prescribed, l.qty FROM document_line l "
            "JOIN document d ON d.id = l.document_id JOIN item i ON i.id = l.item_id "
            "WHERE l.document_id = ? AND d.kind = 'dispense' AND l.detail IS NOT NULL", (document_id,)).fetchall():
        if prescribed is not None and detail == dispense_line_detail(line_no, code, prescribed, qty):
            conn.execute("UPDATE document_line SET detail = NULL WHERE document_id = ? AND line_no = ?",
                         (document_id, line_no))


def vacuum(conn: sqlite3.Connection) -> None:
    """Rewrite the whole file without its free pages, in incremental auto-vacuum mode from then
    on (so later frees are given back in small steps, never by another whole rewrite). Needs the
    file to itself, and free disk space about the size of the data, for a minute or two on the
    five-year file: run by ``ihms-desk compact``, never behind the counter."""
    conn.execute(f"PRAGMA auto_vacuum = {AUTO_VACUUM_INCREMENTAL}")
    conn.execute("VACUUM")
