"""The transactional outbox: one event per saved document, written in the document's transaction.

The sync worker reads pending events in sequence order and records what the server said.
Order comes from the per-device sequence, never from the PC clock; the hybrid logical clock
(HLC) only helps humans line events up across devices.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any, Protocol

from ihms_desk.store.base import StoreBase
from ihms_desk.store.model import OutboxEvent, SavedDocument


class _HasNow(Protocol):
    def now_utc_iso(self) -> str: ...


def next_hlc(conn: sqlite3.Connection, wall_ms: int) -> str:
    """Advance the hybrid logical clock: never goes backwards even if the PC clock does."""
    last_ms, counter = conn.execute("SELECT hlc_wall_ms, hlc_counter FROM device WHERE id = 1").fetchone()
    if wall_ms > last_ms:
        last_ms, counter = wall_ms, 0
    else:
        counter += 1
    conn.execute("UPDATE device SET hlc_wall_ms = ?, hlc_counter = ? WHERE id = 1", (last_ms, counter))
    return f"{last_ms:016d}-{counter:05d}"


def write_event(store: _HasNow, conn: sqlite3.Connection, document: SavedDocument) -> int:
    """Append the document's event inside the caller's transaction; returns its sequence number."""
    from uuid6 import uuid7  # imported on first save: it costs ~18 ms of the program's start

    sequence, epoch = conn.execute(
        "UPDATE device SET next_sequence = next_sequence + 1 WHERE id = 1 RETURNING next_sequence - 1, epoch"
    ).fetchone()
    hlc = next_hlc(conn, int(time.time() * 1000))
    conn.execute(
        "INSERT INTO outbox (sequence, event_id, epoch, document_id, type, payload, hlc, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sequence,
            str(uuid7()),
            epoch,
            document.id,
            document.kind,
            json.dumps(document.payload(), ensure_ascii=False, separators=(",", ":")),
            hlc,
            store.now_utc_iso(),
        ),
    )
    return int(sequence)


def _event(row: sqlite3.Row) -> OutboxEvent:
    return OutboxEvent(
        sequence=row["sequence"],
        event_id=row["event_id"],
        epoch=row["epoch"],
        type=row["type"],
        payload=json.loads(row["payload"]),
        hlc=row["hlc"],
        created_at=row["created_at"],
        status=row["status"],
        attempts=row["attempts"],
    )


class OutboxMixin(StoreBase):
    """What the sync worker calls. No permission is needed: sync runs for the facility."""

    def pending_events(self, limit: int = 200, *, after_sequence: int = 0) -> list[OutboxEvent]:
        """The oldest events not yet accepted by the server, in sequence order::

            for event in store.pending_events(200):
                send(event.event_id, event.sequence, event.payload)
        """
        rows = self._rows(
            "SELECT * FROM outbox WHERE status = 'pending' AND sequence > ? ORDER BY sequence LIMIT ?",
            (after_sequence, limit),
        )
        return [_event(row) for row in rows]

    def record_sync_results(self, results: Iterable[tuple[str, str, str | None, str | None]]) -> None:
        """Store the server's answers ``(event_id, status, code, reason)`` in one transaction.

        ``applied`` and ``duplicate`` mark the event sent; ``rejected`` sets it aside with its
        reason (it never blocks the queue); anything else counts a failed attempt::

            store.record_sync_results([(event_id, "applied", None, None)])
        """
        now = self.now_utc_iso()
        with self._transaction() as conn:
            for event_id, status, code, reason in results:
                if status in ("applied", "duplicate"):
                    conn.execute(
                        "UPDATE outbox SET status = 'sent', acknowledged_at = ?, attempts = attempts + 1, "
                        "last_error = NULL WHERE event_id = ? AND status = 'pending'",
                        (now, event_id),
                    )
                elif status == "rejected":
                    conn.execute(
                        "UPDATE outbox SET status = 'rejected', reject_code = ?, reject_reason = ?, "
                        "acknowledged_at = ?, attempts = attempts + 1 WHERE event_id = ? AND status = 'pending'",
                        (code, reason, now, event_id),
                    )
                else:
                    conn.execute(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ?",
                        (reason or status, event_id),
                    )

    def record_sync_failure(self, event_ids: Iterable[str], error: str) -> None:
        """A whole push failed (network, server error): count the attempt and keep the reason."""
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ? AND status = 'pending'",
                [(error[:500], event_id) for event_id in event_ids],
            )

    def rejected_events(self) -> list[dict[str, Any]]:
        """Events the server set aside, with its reason, for the in-charge to see."""
        rows = self._rows(
            "SELECT o.sequence, o.event_id, o.type, d.number, o.reject_code, o.reject_reason, o.acknowledged_at "
            "FROM outbox o JOIN document d ON d.id = o.document_id WHERE o.status = 'rejected' ORDER BY o.sequence"
        )
        return [dict(row) for row in rows]

    def outbox_counts(self) -> dict[str, int]:
        """How many events are pending, sent and rejected.

        Cheap on a five-year database: pending and rejected are index ranges, and the total
        is the device's sequence counter (each event takes exactly one number, in the same
        transaction), so the million sent events are never counted one by one.
        """
        row = self._row(
            "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending'), "
            "(SELECT count(*) FROM outbox WHERE status = 'rejected'), "
            "(SELECT next_sequence - 1 FROM device WHERE id = 1)"
        )
        assert row is not None
        pending, rejected, total = row
        return {"pending": pending, "sent": total - pending - rejected, "rejected": rejected}

    def device_state(self) -> dict[str, int]:
        """The device's epoch and next sequence number."""
        row = self._row("SELECT epoch, next_sequence FROM device WHERE id = 1")
        assert row is not None
        return {"epoch": row["epoch"], "next_sequence": row["next_sequence"]}

    def start_new_epoch(self) -> int:
        """After a restore from backup: later events get a new epoch so they never reuse
        ``(epoch, sequence)`` pairs the server already holds from before the restore."""
        with self._transaction() as conn:
            epoch = conn.execute("UPDATE device SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch").fetchone()[0]
        return int(epoch)
