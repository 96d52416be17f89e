"""The transactional outbox: one event per saved document, written in the document's transaction.

The sync worker reads pending events in sequence order and records what the server said.
Order comes from the per-device sequence, never from the PC clock; the hybrid logical clock
(HLC) only helps humans line events up across devices.

An event is its id and content; it keeps its sequence (its place in this desk's order) for
ever. The *epoch* it is offered to the server under may move forward: a desk restored from a
backup, copied, or refused for reusing sequences moves to a fresh epoch, granted by the server,
and offers there everything the server has not acknowledged (``adopt_epoch``). Sequences are
unique in the database, so no two events ever share an (epoch, sequence) of a fresh epoch.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ihms_desk.store.base import StoreBase
from ihms_desk.store.footprint import payload_text
from ihms_desk.store.model import OutboxEvent, SavedDocument
from ihms_desk.store.rules import number_series as series_of

#: The server's code for an event refused because another event holds its (epoch, sequence):
#: such an event is offered again under the next fresh epoch, never dropped.
SEQUENCE_REUSED = "sequence_reused"


@dataclass(frozen=True)
class EpochClaim:
    """A fresh epoch this desk started (or must start) and the server has not granted yet."""

    claim: str  # a random UUID, sent again if the answer is lost: the same claim, the same epoch
    from_epoch: int  # the epoch this database shared with the server before it forked
    proposed_epoch: int  # the epoch it numbers in meanwhile
    reason: str  # restored, moved, diverged or clash (ihms_desk.sync.protocol)
    take_over: bool  # a deliberate restore: take the device over even from a newer copy


class _HasNow(Protocol):
    def now_utc_iso(self) -> str: ...


@dataclass(frozen=True)
class EventPlace:
    """Where a document's event goes, claimed as its save begins: its place in this desk's
    order, the epoch it is offered under, its hybrid logical clock (HLC) stamp, and the series
    the document is numbered in (``rules.number_series``)."""

    sequence: int
    epoch: int
    hlc: str
    series: str


def claim_event_place(conn: sqlite3.Connection, wall_ms: int) -> EventPlace:
    """Take the next sequence number and advance the HLC, in one statement of the saving
    transaction. The HLC never goes backwards even if the PC clock does: a wall time not past
    the last one counts on from it. The number series comes from the same row, so a fresh
    epoch starts a fresh series at once, offline too."""
    # In an UPDATE every expression reads the row as it was; RETURNING gives it as it is now.
    row = conn.execute(
        "UPDATE device SET next_sequence = next_sequence + 1, hlc_wall_ms = max(hlc_wall_ms, :wall), "
        "hlc_counter = CASE WHEN :wall > hlc_wall_ms THEN 0 ELSE hlc_counter + 1 END WHERE id = 1 RETURNING *",
        {"wall": wall_ms},
    ).fetchone()
    # ``*``: a schema older than m006 (tests fill one through this code before migrating it)
    # has no desk number yet and numbers as a facility's first desk did.
    desk_number = row["desk_number"] if "desk_number" in row.keys() else None
    return EventPlace(int(row["next_sequence"]) - 1, int(row["epoch"]), f"{row['hlc_wall_ms']:016d}-{row['hlc_counter']:05d}",
                      series_of(desk_number, row["epoch"]))


def write_event(store: _HasNow, conn: sqlite3.Connection, document: SavedDocument, place: EventPlace) -> int:
    """Append the document's event at ``place`` inside the caller's transaction; returns its
    sequence number."""
    from uuid6 import uuid7  # imported on first save: it costs ~18 ms of the program's start

    conn.execute(
        "INSERT INTO outbox (sequence, event_id, epoch, document_id, type, payload, hlc, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            place.sequence,
            str(uuid7()),
            place.epoch,
            document.id,
            document.kind,
            payload_text(document),
            place.hlc,
            store.now_utc_iso(),
        ),
    )
    return place.sequence


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
        delivered = 0
        with self._transaction() as conn:
            for event_id, status, code, reason in results:
                if status in ("applied", "duplicate"):
                    delivered += conn.execute(
                        "UPDATE outbox SET status = 'sent', acknowledged_at = ?, attempts = attempts + 1, "
                        "last_error = NULL WHERE event_id = ? AND status = 'pending'",
                        (now, event_id),
                    ).rowcount
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
            if delivered:
                # For "delivered in the last hour" and "last delivery" under partial progress.
                conn.execute("INSERT INTO sync_delivery (at, events) VALUES (?, ?)", (now, delivered))
                conn.execute("UPDATE sync_state SET last_delivery_at = ?, online = 1 WHERE id = 1", (now,))

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

    def start_new_epoch(self, *, reason: str = "restored", take_over: bool = False, above: int = 0) -> int:
        """This database is not where the server is (restored from a backup, copied to
        another PC, or refused for reusing sequences): number from now on under a new epoch,
        above the current one and ``above``, and ask the server at the next contact to grant
        it (``pending_epoch_claim``). New documents take the new epoch's number series at
        once, so they cannot share a number with a document the server holds, even offline.

        A claim already waiting keeps its id and the epoch it left; ``take_over`` (a restore
        someone chose, ``ihms-desk restore``) is kept once set."""
        with self._transaction() as conn:
            row = conn.execute("SELECT epoch, claim, claim_from_epoch FROM device WHERE id = 1").fetchone()
            epoch = int(max(row["epoch"], above)) + 1
            conn.execute(
                "UPDATE device SET epoch = ?, claim = ?, claim_from_epoch = ?, claim_reason = ?, "
                "claim_take_over = max(claim_take_over, ?) WHERE id = 1",
                (epoch, row["claim"] or str(uuid.uuid4()),
                 row["epoch"] if row["claim"] is None else row["claim_from_epoch"], reason, int(take_over)),
            )
        return epoch

    def pending_epoch_claim(self) -> EpochClaim | None:
        """The fresh epoch this desk numbers in that the server has not granted yet."""
        row = self._row("SELECT epoch, claim, claim_from_epoch, claim_reason, claim_take_over FROM device WHERE id = 1")
        if row is None or row["claim"] is None:
            return None
        return EpochClaim(row["claim"], row["claim_from_epoch"], row["epoch"], row["claim_reason"],
                          bool(row["claim_take_over"]))

    def adopt_epoch(self, epoch: int, desk_number: int | None = None) -> int:
        """The server granted ``epoch`` (or this desk's current epoch is confirmed as fresh):
        number in it from now on, and offer under it every event the server has not
        acknowledged, those it refused for a reused sequence included. Returns how many
        events were moved to it. One transaction: the claim is settled with the move."""
        with self._transaction() as conn:
            current = conn.execute("SELECT epoch FROM device WHERE id = 1").fetchone()[0]
            conn.execute(
                "UPDATE device SET epoch = ?, desk_number = coalesce(?, desk_number), claim = NULL, "
                "claim_from_epoch = NULL, claim_reason = NULL, claim_take_over = 0 WHERE id = 1",
                (max(epoch, current), desk_number),
            )
            return self._requeue(conn, max(epoch, current))

    def requeue_under_current_epoch(self) -> int:
        """Offer every unacknowledged event under the current epoch: those a desk of an earlier
        version left waiting, or set aside for a reused sequence, under an older one."""
        with self._transaction() as conn:
            epoch = conn.execute("SELECT epoch FROM device WHERE id = 1").fetchone()[0]
            return self._requeue(conn, epoch)

    @staticmethod
    def _requeue(conn: sqlite3.Connection, epoch: int) -> int:
        moved = conn.execute(
            "UPDATE outbox SET epoch = ?, status = 'pending', reject_code = NULL, reject_reason = NULL, "
            "acknowledged_at = NULL WHERE epoch < ? AND (status = 'pending' OR (status = 'rejected' "
            "AND reject_code = ?))",
            (epoch, epoch, SEQUENCE_REUSED),
        ).rowcount
        return int(moved)

    def outbox_event_id_at(self, sequence: int) -> str | None:
        """The id of the event saved under ``sequence``, if this database has one."""
        value = self._scalar("SELECT event_id FROM outbox WHERE sequence = ?", (sequence,))
        return None if value is None else str(value)

    def set_desk_number(self, desk_number: int) -> None:
        """The server's number for this desk at its facility (the letter of its series)."""
        with self._transaction() as conn:
            conn.execute("UPDATE device SET desk_number = ? WHERE id = 1 AND desk_number IS NOT ?",
                         (desk_number, desk_number))

    def delivered_since(self, moment: dt.datetime) -> int:
        """Events the server acknowledged since ``moment`` (a few rows: one per batch)."""
        since = moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
        total = self._scalar("SELECT coalesce(sum(events), 0) FROM sync_delivery WHERE at >= ?", (since,))
        return int(total)

    def forget_deliveries_before(self, moment: dt.datetime) -> None:
        """The delivery tally only needs the last hour or so."""
        before = moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
        with self._transaction() as conn:
            conn.execute("DELETE FROM sync_delivery WHERE at < ?", (before,))
