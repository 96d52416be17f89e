"""Where this desk stands with the state server: enrolment, catalogue cursor, last results.

The sync worker (``ihms_desk.sync``) reads and writes it through these methods; the store never
talks to the network. A catalogue page and its cursor are applied in one transaction, so a
crash can never leave items applied without the cursor that says so (or the reverse).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ihms_desk.store.base import StoreBase
from ihms_desk.store.catalogue import apply_items, check_item_rows
from ihms_desk.store.errors import InvalidInput
from ihms_desk.store.facilities import store_state_facility
from ihms_desk.store.rules import FACILITY_TYPES, check_text


@dataclass(frozen=True)
class SyncState:
    """One snapshot of the ``sync_state`` row; times are UTC ISO text from the PC clock."""

    server_url: str | None
    device_id: str | None
    enrolled_at: str | None
    catalogue_cursor: str
    catalogue_pulled_at: str | None
    last_attempt_at: str | None
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    online: bool | None
    clock_skew_seconds: float | None
    clock_skew_flagged: bool
    #: When the server last acknowledged events (a pass that failed half-way counts too).
    last_delivery_at: str | None = None
    #: When the program's loop tries next after a failure (None: no retry is waiting).
    next_try_at: str | None = None

    @property
    def enrolled(self) -> bool:
        return self.server_url is not None and self.device_id is not None


@dataclass(frozen=True)
class WireEvent:
    """A waiting outbox event as the sync worker sends it: the payload stays the JSON text
    the document's transaction stored, so it is sent as it is, never re-encoded."""

    sequence: int
    event_id: str
    epoch: int
    type: str
    hlc: str
    created_at: str
    payload_json: str


@dataclass(frozen=True)
class CataloguePageReport:
    """What one applied catalogue page did; refused items are (key, reason)."""

    added: int
    updated: int
    facility_updated: bool
    refused: list[tuple[str, str]]


class CursorMoved(Exception):
    """Another sync applied a catalogue page first; this page was not applied."""


class SyncStateMixin(StoreBase):
    """Sync bookkeeping. No permission is needed: sync runs for the facility, not a user."""

    def sync_state(self) -> SyncState:
        row = self._row("SELECT * FROM sync_state WHERE id = 1")
        assert row is not None, "migration m004 inserts the row"
        return SyncState(
            server_url=row["server_url"],
            device_id=row["device_id"],
            enrolled_at=row["enrolled_at"],
            catalogue_cursor=row["catalogue_cursor"],
            catalogue_pulled_at=row["catalogue_pulled_at"],
            last_attempt_at=row["last_attempt_at"],
            last_success_at=row["last_success_at"],
            last_error=row["last_error"],
            last_error_at=row["last_error_at"],
            online=None if row["online"] is None else bool(row["online"]),
            clock_skew_seconds=row["clock_skew_seconds"],
            clock_skew_flagged=bool(row["clock_skew_flagged"]),
            last_delivery_at=row["last_delivery_at"],
            next_try_at=row["next_try_at"],
        )

    def unsent_counts(self) -> tuple[int, int]:
        """(waiting, set aside). Unlike ``outbox_counts`` this never counts the sent events,
        which after five years are a million rows (a quarter of a second): the status bar and
        the Sync screen ask often, some of it on the GUI thread. Each count walks only its
        status's part of the (status, sequence) index."""
        row = self._row(
            "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending'), "
            "(SELECT count(*) FROM outbox WHERE status = 'rejected')"
        )
        assert row is not None
        return int(row[0]), int(row[1])

    def pending_wire_events(self, limit: int = 200, *, after_sequence: int = 0) -> list[WireEvent]:
        """The oldest waiting events in sequence order, payloads as stored. The outbox's own
        ``pending_events`` parses each payload; at 50,000 waiting events, parsing and encoding
        them again was a third of the desk's sync time."""
        rows = self._rows(
            "SELECT sequence, event_id, epoch, type, hlc, created_at, payload FROM outbox "
            "WHERE status = 'pending' AND sequence > ? ORDER BY sequence LIMIT ?",
            (after_sequence, limit),
        )
        return [WireEvent(*row) for row in rows]

    def enrolment_nonce(self) -> str:
        """The random id this desk sends with its enrolment until one succeeds: if the answer
        is lost, asking again with the same code gets the same device, not a second one."""
        with self._transaction() as conn:
            nonce = conn.execute("SELECT enrol_nonce FROM sync_state WHERE id = 1").fetchone()[0]
            if nonce is None:
                nonce = str(uuid.uuid4())
                conn.execute("UPDATE sync_state SET enrol_nonce = ? WHERE id = 1", (nonce,))
        return str(nonce)

    def record_enrolment(self, server_url: str, device_id: str, facility: Mapping[str, Any] | None = None,
                         *, desk_number: int | None = None) -> None:
        """Remember the server and the device id it gave us (the token itself is kept in a
        file by the caller) and the desk's number at its facility. A different server means a
        different catalogue history, so the cursor starts again; nothing waiting in the
        outbox is touched."""
        with self._transaction() as conn:
            previous = conn.execute("SELECT server_url FROM sync_state WHERE id = 1").fetchone()[0]
            conn.execute(
                "UPDATE sync_state SET server_url = ?, device_id = ?, enrolled_at = ?, last_error = NULL, "
                "last_error_at = NULL, enrol_nonce = NULL, package_code = NULL WHERE id = 1",
                (server_url, device_id, self.now_utc_iso()),
            )
            if desk_number is not None:
                conn.execute("UPDATE device SET desk_number = ? WHERE id = 1", (desk_number,))
            if previous != server_url:
                conn.execute("UPDATE sync_state SET catalogue_cursor = '', catalogue_pulled_at = NULL WHERE id = 1")
            if facility is not None:
                _update_own_facility(conn, facility)

    def apply_catalogue_page(
        self, changes: Iterable[Mapping[str, Any]], *, cursor_before: str, next_cursor: str
    ) -> CataloguePageReport:
        """Apply one page of catalogue changes and move the cursor, in one transaction.

        Items are checked with the same rules as a CSV import; a refused item is reported and
        skipped (the cursor still moves, or one bad record would stop every later change). A
        facility change is applied only when it is this desk's own facility. If the stored
        cursor is no longer ``cursor_before`` another sync got there first: nothing is
        applied and :class:`CursorMoved` is raised.
        """
        item_rows: list[tuple[int, dict[str, Any]]] = []
        keys: list[str] = []
        facility_data: Mapping[str, Any] | None = None
        # Every facility goes into the state's list; this desk's own also updates its record.
        facilities: list[tuple[str, Mapping[str, Any]]] = []
        own = self._row("SELECT code FROM facility WHERE id = 1")
        own_code = own["code"] if own is not None else None
        refused: list[tuple[str, str]] = []
        for change in changes:
            entity, key, data = change.get("entity"), str(change.get("key", "")), change.get("data")
            if not isinstance(data, Mapping):
                refused.append((key, "the change carries no data"))
            elif entity == "item":
                keys.append(key)
                item_rows.append((len(keys) - 1, dict(data)))
            elif entity == "facility":
                facilities.append((key, data))
                if str(data.get("code", "")).upper() == own_code:
                    facility_data = data  # a later change of the same page wins
            else:
                refused.append((key, f"unknown kind of change {entity!r}"))
        # check_item_rows refuses a code seen twice; within a page a later change wins instead.
        latest: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, raw in item_rows:
            latest[str(raw.get("code", "")).strip().upper() or f"#{index}"] = (index, raw)
        good, bad = check_item_rows(sorted(latest.values(), key=lambda pair: pair[0]))
        refused.extend((keys[index], reason) for index, reason in bad)
        now = self.now_utc_iso()
        with self._transaction() as conn:
            stored = conn.execute("SELECT catalogue_cursor FROM sync_state WHERE id = 1").fetchone()[0]
            if stored != cursor_before:
                raise CursorMoved(f"catalogue cursor is {stored!r}, not {cursor_before!r}")
            added, updated = apply_items(conn, good, now)
            facility_updated = False
            for key, data in facilities:
                try:
                    store_state_facility(conn, data, now)
                except InvalidInput as error:
                    refused.append((key, error.message))
            if facility_data is not None:
                try:
                    facility_updated = _update_own_facility(conn, facility_data)
                except InvalidInput as error:
                    refused.append((str(facility_data.get("code")), error.message))
            conn.execute(
                "UPDATE sync_state SET catalogue_cursor = ?, catalogue_pulled_at = ? WHERE id = 1",
                (next_cursor, now),
            )
        return CataloguePageReport(added, updated, facility_updated, refused)

    def reset_catalogue_cursor(self) -> None:
        """Pull the whole catalogue again (the server no longer knows our cursor). Applying
        a change twice is harmless: every change is a full record."""
        with self._transaction() as conn:
            conn.execute("UPDATE sync_state SET catalogue_cursor = '' WHERE id = 1")

    def record_sync_attempt(self) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE sync_state SET last_attempt_at = ? WHERE id = 1", (self.now_utc_iso(),))

    def record_sync_success(self) -> None:
        """Everything waiting was sent and the catalogue is up to date."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_state SET last_success_at = ?, last_error = NULL, last_error_at = NULL, online = 1 "
                "WHERE id = 1",
                (self.now_utc_iso(),),
            )

    def record_sync_error(self, message: str, *, online: bool | None) -> None:
        """The last failure in plain words; ``online`` says whether the server answered at all."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_state SET last_error = ?, last_error_at = ?, online = ? WHERE id = 1",
                (message[:500], self.now_utc_iso(), None if online is None else int(online)),
            )

    def record_next_try(self, when: str | None) -> None:
        """When the loop tries again after a failure (UTC ISO), for ``sync --status``."""
        with self._transaction() as conn:
            conn.execute("UPDATE sync_state SET next_try_at = ? WHERE id = 1", (when,))

    def record_clock_skew(self, seconds: float, *, flagged: bool) -> None:
        """How far the PC clock is from the server's (positive: the PC is behind). Recorded and
        flagged for the in-charge, never a reason to stop syncing."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_state SET clock_skew_seconds = ?, clock_skew_flagged = ? WHERE id = 1",
                (seconds, int(flagged)),
            )


def _update_own_facility(conn: Any, data: Mapping[str, Any]) -> bool:
    """Take the state's name, district, block and type for this desk's own facility only."""
    row = conn.execute("SELECT code, name, district, block, type FROM facility WHERE id = 1").fetchone()
    if row is None or str(data.get("code", "")).upper() != row["code"]:
        return False
    name = check_text(data.get("name"), "name", "Facility name")
    district = check_text(data.get("district"), "district", "District", max_length=60)
    block = check_text(data.get("block"), "block", "Block", max_length=60)
    facility_type = str(data.get("type", "")).upper()
    if facility_type not in FACILITY_TYPES:
        facility_type = row["type"]  # a type this desk does not know: keep its own
    if (name, district, block, facility_type) == tuple(row)[1:]:
        return False
    conn.execute(
        "UPDATE facility SET name = ?, district = ?, block = ?, type = ? WHERE id = 1",
        (name, district, block, facility_type),
    )
    return True
