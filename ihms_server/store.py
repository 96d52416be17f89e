"""The server's storage: one interface, two backends (SQLite embedded, PostgreSQL in production).

Shared rules live in :class:`Store`; each backend supplies connections, transactions and the
few statements whose SQL differs. SQL is written as SQL with ``%s`` placeholders (the SQLite
backend turns them into ``?``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.resources
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from ihms_desk.fields import Facility
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.protocol import Event, EventResult, Gap, ProtocolError
from ihms_server import privacy

log = logging.getLogger(__name__)
T = TypeVar("T")

ENROLMENT_CODE_VALIDITY = dt.timedelta(days=7)
#: No 0/O, 1/I/L or U: an enrolment code is read out over the phone and typed by hand.
_ENROLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
#: Gaps are reported to help a desk resend; a long list helps nobody.
MAX_GAPS_REPORTED = 50
NEAR_EXPIRY_MONTHS = 3


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def hash_secret(secret: str) -> str:
    """Tokens and enrolment codes carry >= 59 random bits, so a plain SHA-256 is enough: there
    is no password to guess offline."""
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_enrolment_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclasses.dataclass(frozen=True)
class Device:
    """The device a request's token belongs to."""

    device_id: str
    facility_code: str
    name: str


@dataclasses.dataclass(frozen=True)
class FacilityListing(Facility):
    """A facility as the state lists it (its own columns of the facility table): a desk's
    :class:`Facility` and whether the state still counts it. The rows of the dashboard and
    of the rollout view add what they tell about it."""

    active: bool


@dataclasses.dataclass(frozen=True)
class FacilityStatus(FacilityListing):
    """One row of the district dashboard."""

    devices: int
    last_push_at: dt.datetime | None
    events_received: int
    stock_outs: int | None  # None: not counted (the state-wide summary skips stock)
    near_expiry: int | None


@dataclasses.dataclass(frozen=True)
class BatchStock:
    batch_no: str
    expiry_month: str
    qty: int


@dataclasses.dataclass(frozen=True)
class StockedItem:
    """An item a facility's stock holds, as the catalogue names it."""

    item_code: str
    name: str | None  # None: the desk used a code the catalogue does not have (yet)
    unit_of_issue: str | None
    min_stock: int


@dataclasses.dataclass(frozen=True)
class ItemStock(StockedItem):
    """A facility's projected stock of one item, batch by batch (every batch: for tests and
    tools; the dashboard reads :class:`ItemTotals` a page at a time)."""

    batches: tuple[BatchStock, ...]

    @property
    def qty(self) -> int:
        return sum(b.qty for b in self.batches)


#: Items on one page of the facility page, and batches on one page of a batch list. A page
#: costs one pass over the facility's stock rows however many there are, and its HTML stays
#: small: one desk can send 200,000 batches of one item in four pushes.
ITEMS_PER_PAGE = 100
BATCHES_PER_PAGE = 200
#: An item holding at most this many batches shows them in its row; one with more links to
#: its own batch list.
BATCHES_IN_ROW = 3


@dataclasses.dataclass(frozen=True)
class ItemTotals(StockedItem):
    """One item of a facility's projected stock, summed over its batches."""

    qty: int
    batches_held: int  # batches with stock on hand
    batches_negative: int  # below zero until the rest of a desk's events arrive
    near_expiry_batches: int
    near_expiry_qty: int
    earliest_expiry: str | None  # of the batches held
    #: The batches held and the negative ones, earliest expiry first, when there are at most
    #: :data:`BATCHES_IN_ROW`; empty otherwise (see the item's batch list).
    batches: tuple[BatchStock, ...] = ()

    @property
    def batches_listed(self) -> int:
        return self.batches_held + self.batches_negative


@dataclasses.dataclass(frozen=True)
class BatchRow:
    """One batch of a batch list (one item's, or the facility's near-expiry batches)."""

    item_code: str
    name: str | None
    batch_no: str
    expiry_month: str
    qty: int


@dataclasses.dataclass(frozen=True)
class PageAt:
    """Where a page of a keyset-paged list starts: at the start (no key), after ``key``, or,
    going ``backward``, before ``key`` (at the end without one). Keys name rows (an item
    code, a batch number), so a page costs the same wherever it is in the list; an offset
    would sort and skip every row before it."""

    key: str | None = None
    backward: bool = False


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of a keyset-paged list, with where they stand in the whole list."""

    rows: list[T]
    first: int  # the number of the first row, from 1 (0 when the page is empty)
    total: int

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def has_previous(self) -> bool:
        return self.first > 1

    @property
    def has_next(self) -> bool:
        return self.last < self.total


@dataclasses.dataclass(frozen=True)
class FacilityStock:
    """The facility page's stock: a page of items, and counts over every item."""

    items: Page[ItemTotals]
    unknown_items: int  # item codes the catalogue does not have
    stock_outs: int
    near_expiry_batches: int


@dataclasses.dataclass(frozen=True)
class Rejection:
    """An event the server refused, as it arrived, for :meth:`Store.record_rejections`."""

    event_id: str
    epoch: int | None
    sequence: int | None
    type: str | None
    doc_number: str | None
    code: str
    reason: str
    body: str


@dataclasses.dataclass(frozen=True)
class RejectedEvent:
    """One row of the dashboard's list of refused events."""

    facility_code: str
    facility_name: str
    device_id: str
    desk_number: int
    device_name: str
    event_id: str
    epoch: int | None
    sequence: int | None
    type: str | None
    doc_number: str | None
    code: str
    reason: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    times: int
    #: The event is on the server all the same (resent under a fresh epoch after a restore).
    arrived_later: bool


@dataclasses.dataclass(frozen=True)
class EpochClaim:
    """A desk that started a fresh epoch: restored from a backup, copied, or clashing."""

    facility_code: str
    facility_name: str
    device_id: str
    desk_number: int
    epoch: int
    from_epoch: int
    reason: str
    take_over: bool
    claimed_by: str
    claimed_at: dt.datetime
    #: Pushes and claims refused since because they came from an older copy of the desk.
    superseded_refusals: int
    last_superseded_at: dt.datetime | None
    current: bool


_UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _scope(facility_code: str | None, district: str | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause on ``f`` (facility) for one facility, one district or all."""
    if facility_code is not None:
        return "WHERE f.code = %s", (facility_code,)
    if district is not None:
        return "WHERE f.district = %s", (district,)
    return "", ()


def superseded(current_epoch: int, claimed_at: dt.datetime | None,
               claimed_by: str | None) -> ProtocolError:
    """The refusal for an older copy of a desk: what happened, and what to do."""
    when = "" if claimed_at is None else " on " + claimed_at.astimezone(
        dt.timezone.utc).strftime("%d %b %Y %H:%M UTC")
    who = claimed_by or "another PC"
    return ProtocolError(
        wire.SUPERSEDED,
        f"This device's records now come from {who}, which restored or copied this desk's data "
        f"and took it over{when} (epoch {current_epoch}); this PC holds an older copy. Records "
        "saved here stay on this PC and are not sent. If this PC is still used at the counter, "
        "ask the district for a new enrolment code and enrol it again: it then sends its records "
        "as a desk of its own. If this PC is the one to keep, run 'ihms-desk sync --take-over'.",
        details={"current_epoch": current_epoch, "claimed_by": who,
                 "claimed_at": _iso(claimed_at)})


def near_expiry_cutoff(today: dt.date) -> str:
    """The last expiry month counted as near expiry: this month and the next two."""
    month_index = today.year * 12 + today.month - 1 + NEAR_EXPIRY_MONTHS - 1
    return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"


def _aggregate_movements(events: Sequence[Event]) -> list[tuple[str, str, str, str, int]]:
    """Sum the movements of stored events per (facility, item, batch), in key order so that
    concurrent transactions lock stock rows in the same order and cannot deadlock."""
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    expiry: dict[tuple[str, str, str], str] = {}
    for event in events:
        for movement in event.movements:
            key = (event.facility_code, movement["item_code"], movement["batch_no"])
            totals[key] += movement["qty"]
            expiry.setdefault(key, movement["expiry_month"])
    return [(*key, expiry[key], totals[key]) for key in sorted(totals)]


#: What each placeholder of a script in ``migrations/common/`` becomes on each backend (see
#: docs/server.md, "Migrations"). Only column types and defaults: a migration whose statements
#: differ in more than these is written per backend.
MIGRATION_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "postgresql": {
        "serial_id": "bigserial PRIMARY KEY",
        "identity_id": "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "ref": "bigint",
        "time": "timestamptz",
        "now": "now()",
        "bool": "boolean",
        "true": "true",
        "uuid": "uuid",
        "json": "jsonb",
        "txid": "xid8 NOT NULL DEFAULT pg_current_xact_id()",
        "random_hex": "replace(gen_random_uuid()::text, '-', '')",
    },
    "sqlite": {
        "serial_id": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "identity_id": "integer PRIMARY KEY AUTOINCREMENT",
        "ref": "integer",
        "time": "text",
        "now": "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        "bool": "integer",
        "true": "1",
        "uuid": "text",
        "json": "text",
        # SQLite runs one writer at a time, so id order is commit order: txid stays 0.
        "txid": "integer NOT NULL DEFAULT 0",
        "random_hex": "lower(hex(randomblob(16)))",
    },
}


def render_migration(sql: str, backend: str) -> str:
    """A common script with its ``{placeholder}`` names replaced by the backend's text; an
    unknown name is a KeyError, so a typo fails every test run instead of reaching SQL."""
    words = MIGRATION_PLACEHOLDERS[backend]
    return re.sub(r"\{(\w+)\}", lambda m: words[m.group(1)], sql)


def migration_scripts(backend: str) -> list[tuple[int, str, str]]:
    """Every migration of ``backend`` as (number, file name, SQL), in order. A script in
    ``migrations/common/`` is rendered for the backend, and the backend's file of the same name,
    if any, follows it (the part that is not only types); any other backend file runs as is.
    The (number, name) recorded stays the file name, as on servers migrated before."""
    root = importlib.resources.files("ihms_server").joinpath("migrations")
    texts: dict[str, str] = {}
    for entry in root.joinpath("common").iterdir():
        if entry.name.endswith(".sql"):
            texts[entry.name] = render_migration(entry.read_text(encoding="utf-8"), backend)
    for entry in root.joinpath(backend).iterdir():
        if entry.name.endswith(".sql"):
            own = entry.read_text(encoding="utf-8")
            texts[entry.name] = texts[entry.name] + own if entry.name in texts else own
    return [(int(name.split("_", 1)[0]), name, texts[name]) for name in sorted(texts)]


def parse_cursor(cursor: str, instance: str, unknown_reason: str) -> tuple[int, int]:
    """The (id, sub-id) position a pull cursor ``<instance>-<a>-<b>`` names ("" or "0": the start).

    One parser for every feed the server pages (catalogue, vouchers), so a cursor is judged the
    same way everywhere; a cursor from another instance (a reset or restored server) is refused
    with ``unknown_reason`` telling the desk what to do.
    """
    if cursor in ("", "0"):
        return (0, 0)
    parts = cursor.split("-")
    if len(parts) == 3 and parts[0] == instance and parts[1].isdigit() and parts[2].isdigit() \
            and len(parts[1]) <= 19 and len(parts[2]) <= 18:
        return (int(parts[1]), int(parts[2]))
    raise ProtocolError(wire.CURSOR_UNKNOWN, unknown_reason)


class Store(ABC):
    """What the API, the admin CLI and the dashboard need from storage."""

    kind: str
    #: Appended to a SELECT that must lock its rows until the transaction ends (PostgreSQL);
    #: SQLite runs one writer at a time, so it needs nothing.
    _for_update: str = ""
    #: How a JSON text is written into a JSON column (PostgreSQL's is jsonb).
    _json_param: str = "%s"
    #: A voucher's ``txid`` when it is to be handed out again (withdrawn): after every cursor
    #: issued so far. PostgreSQL: this transaction's id; SQLite: one past the highest (0009).
    _feed_again: str
    #: Errors that mean "the database refused this data" (a poison event), not "it is down".
    data_errors: tuple[type[Exception], ...]
    #: Errors that mean the database cannot be reached or used just now.
    unavailable_errors: tuple[type[Exception], ...]
    _instance_id: str | None = None

    # --- backend primitives -------------------------------------------------------------

    @abstractmethod
    @contextmanager
    def _write(self) -> Iterator[Any]:
        """A cursor inside one write transaction, committed on normal exit."""

    @abstractmethod
    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A cursor that sees one consistent snapshot."""

    @abstractmethod
    def _migration_dir(self) -> str: ...

    @abstractmethod
    def _apply_migrations(self, scripts: list[tuple[int, str, str]]) -> None: ...

    @abstractmethod
    def _insert_events(self, cur: Any, events: Sequence[Event], now: dt.datetime) -> set[str]:
        """Insert events unless their id or (device, epoch, sequence) is taken; return the ids
        actually inserted."""

    @abstractmethod
    def _stored_hashes(self, cur: Any, event_ids: Sequence[str]) -> dict[str, str]: ...

    @abstractmethod
    def _stored_sequences(self, cur: Any, device_id: str,
                          keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]: ...

    @abstractmethod
    def _add_to_stock(self, cur: Any, rows: list[tuple[str, str, str, str, int]],
                      now: dt.datetime) -> None: ...

    @abstractmethod
    def _catalog_rows(self, cur: Any, after: tuple[int, int],
                      limit: int) -> tuple[list[tuple[int, int, str, str, Any]], int]: ...

    @abstractmethod
    def _cursor_is_ahead(self, cur: Any, after: tuple[int, int]) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    def _ts(self, value: dt.datetime) -> Any:
        """A timestamp as the backend's driver wants it."""
        return value

    def _ts_out(self, value: Any) -> dt.datetime | None:
        return value  # type: ignore[no-any-return]

    def _json_out(self, value: Any) -> Any:
        return value

    def _uuid_out(self, value: Any) -> str:
        return str(value)

    # --- schema ----------------------------------------------------------------------------

    def migrate(self, *, up_to: int | None = None) -> None:
        """Bring the schema up to date (or up to version ``up_to``, for tests of a later
        migration); every numbered script runs once, in order."""
        scripts = [(number, name, sql) for number, name, sql in migration_scripts(self._migration_dir())
                   if up_to is None or number <= up_to]
        self._apply_migrations(scripts)
        if up_to is None or up_to >= 7:
            # 0007_privacy: events stored before it lose their patients' identifiers (once).
            privacy.redact_stored(self)

    def instance_id(self) -> str:
        """The id this database was created with; it names every catalogue cursor."""
        if self._instance_id is None:
            with self._read() as cur:
                cur.execute("SELECT value FROM server_meta WHERE key = 'instance_id'")
                self._instance_id = str(cur.fetchone()[0])
        return self._instance_id

    # --- master data (admin) ---------------------------------------------------------------

    def upsert_facility(self, data: wire.FacilityData) -> bool:
        """Add or change a facility; log the change for desks only if something changed."""
        with self._write() as cur:
            return self._upsert_facility(cur, data)

    def _upsert_facility(self, cur: Any, data: wire.FacilityData) -> bool:
        cur.execute("SELECT code, name, district, block, type, active FROM facility WHERE code = %s",
                    (data["code"],))
        row = cur.fetchone()
        if row is not None and self._facility_data(row) == data:
            return False
        cur.execute(
            "INSERT INTO facility (code, name, district, block, type, active, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, district = excluded.district,"
            " block = excluded.block, type = excluded.type, active = excluded.active,"
            " updated_at = excluded.updated_at",
            (data["code"], data["name"], data["district"], data["block"], data["type"],
             data["active"], self._ts(utc_now())))
        self._log_change(cur, "facility", data["code"], dict(data))
        return True

    def import_items(self, items: Sequence[wire.ItemData]) -> int:
        """Add or change catalogue items in one transaction; return how many changed."""
        changed = 0
        columns: tuple[str, ...] = ("code", "name", "generic_name", "strength", "dosage_form", "unit_of_issue",
                                    "category", "min_stock", "active")
        with self._write() as cur:
            # Before 0004_counter there is no synonyms column (tests fill old versions this way).
            cur.execute("SELECT count(*) FROM schema_migration WHERE version = 4")
            if cur.fetchone()[0]:
                columns += ("synonyms",)
            for given in items:
                # An item carries synonyms only when it has some, so the change sent to the
                # desks is the item as imported.
                item: dict[str, Any] = dict(given)
                cur.execute(f"SELECT {', '.join(columns)} FROM item WHERE code = %s", (item["code"],))
                row = cur.fetchone()
                if row is not None:
                    held = dict(zip(columns, (*row[:8], bool(row[8]), *row[9:])))
                    if not held.get("synonyms", "x"):
                        del held["synonyms"]
                    if held == item:
                        continue
                values = {**item, "synonyms": item.get("synonyms", "")}
                cur.execute(
                    f"INSERT INTO item ({', '.join(columns)}, updated_at)"
                    f" VALUES ({', '.join(['%s'] * (len(columns) + 1))})"
                    " ON CONFLICT (code) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in (*columns[1:], "updated_at")),
                    (*(values[c] for c in columns), self._ts(utc_now())))
                self._log_change(cur, "item", item["code"], dict(item))
                changed += 1
        return changed

    def _log_change(self, cur: Any, entity: str, key: str, data: dict[str, Any]) -> None:
        cur.execute("INSERT INTO catalog_change (entity, key, data, changed_at) VALUES (%s, %s, %s, %s)",
                    (entity, key, json.dumps(data, ensure_ascii=False), self._ts(utc_now())))

    @staticmethod
    def _facility_data(row: Sequence[Any]) -> wire.FacilityData:
        return {"code": row[0], "name": row[1], "district": row[2], "block": row[3],
                "type": row[4], "active": bool(row[5])}

    def facility(self, code: str) -> wire.FacilityData | None:
        with self._read() as cur:
            cur.execute("SELECT code, name, district, block, type, active FROM facility"
                        " WHERE code = %s", (code,))
            row = cur.fetchone()
        return None if row is None else self._facility_data(row)

    # --- enrolment and tokens --------------------------------------------------------------

    def create_enrolment_code(self, facility_code: str,
                              valid_for: dt.timedelta = ENROLMENT_CODE_VALIDITY) -> str:
        """A one-time code the facility's desk trades for a device token; only its hash is kept."""
        with self._write() as cur:
            return self._new_enrolment_code(cur, facility_code, valid_for, utc_now())

    def _new_enrolment_code(self, cur: Any, facility_code: str, valid_for: dt.timedelta, now: dt.datetime,
                            *, kind: str = "single", package_id: str | None = None) -> str:
        """Issue a code inside the caller's transaction (a rollout issues a district's codes in one)."""
        raw = "".join(secrets.choice(_ENROLMENT_ALPHABET) for _ in range(12))
        cur.execute("SELECT 1 FROM facility WHERE code = %s", (facility_code,))
        if cur.fetchone() is None:
            raise ProtocolError(wire.NOT_FOUND, f"there is no facility {facility_code!r}")
        if kind == "single":
            # The columns of a database before migration 0005 too (the column's default is 'single').
            cur.execute("INSERT INTO enrolment_code (code_hash, facility_code, created_at, expires_at)"
                        " VALUES (%s, %s, %s, %s)",
                        (hash_secret(raw), facility_code, self._ts(now), self._ts(now + valid_for)))
        else:
            cur.execute("INSERT INTO enrolment_code (code_hash, facility_code, created_at, expires_at, kind,"
                        " package_id) VALUES (%s, %s, %s, %s, %s, %s)",
                        (hash_secret(raw), facility_code, self._ts(now), self._ts(now + valid_for), kind,
                         package_id))
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    def enrol(self, facility_code: str, enrolment_code: str, device_name: str,
              enrol_nonce: str | None = None) -> wire.EnrolResponseDict:
        """Trade a valid, unused enrolment code for a new device and its token.

        The code works once; but the desk that used it may ask again with the same
        ``enrol_nonce`` (its first answer was lost on the line) while the code is still
        valid, and gets the same device with a new token: the lost token is then useless."""
        token = "ihms_" + secrets.token_urlsafe(32)  # 256 random bits
        code_hash = hash_secret(normalise_enrolment_code(enrolment_code))
        now = utc_now()
        with self._write() as cur:
            # Enrolments of one facility take their turn: each desk gets the next desk number.
            cur.execute("SELECT code, name, district, block, type, active FROM facility"
                        f" WHERE code = %s{self._for_update}", (facility_code,))
            facility_row = cur.fetchone()
            if facility_row is None:
                raise self._enrolment_refusal(cur, code_hash, facility_code, now)
            device_id = str(uuid.uuid4())
            # One UPDATE claims the code, so two desks racing with one code cannot both win.
            cur.execute(
                "UPDATE enrolment_code SET used_at = %s, device_id = %s, enrol_nonce = %s"
                " WHERE code_hash = %s AND facility_code = %s AND used_at IS NULL"
                " AND revoked_at IS NULL AND expires_at > %s RETURNING facility_code",
                (self._ts(now), device_id, enrol_nonce, code_hash, facility_code, self._ts(now)))
            if cur.fetchone() is not None:
                cur.execute("SELECT coalesce(max(desk_number), 0) + 1 FROM device"
                            " WHERE facility_code = %s", (facility_code,))
                desk_number = int(cur.fetchone()[0])
                cur.execute("INSERT INTO device (device_id, facility_code, name, token_hash,"
                            " enrolled_at, desk_number) VALUES (%s, %s, %s, %s, %s, %s)",
                            (device_id, facility_code, device_name, hash_secret(token),
                             self._ts(now), desk_number))
            elif enrol_nonce is not None:
                cur.execute(
                    "SELECT d.device_id, d.desk_number FROM enrolment_code c"
                    " JOIN device d ON d.device_id = c.device_id"
                    " WHERE c.code_hash = %s AND c.facility_code = %s AND c.enrol_nonce = %s"
                    " AND c.expires_at > %s AND c.revoked_at IS NULL AND d.revoked_at IS NULL",
                    (code_hash, facility_code, enrol_nonce, self._ts(now)))
                again = cur.fetchone()
                if again is None:
                    raise self._enrolment_refusal(cur, code_hash, facility_code, now)
                device_id, desk_number = self._uuid_out(again[0]), int(again[1])
                cur.execute("UPDATE device SET token_hash = %s, name = %s WHERE device_id = %s",
                            (hash_secret(token), device_name, device_id))
                log.info("enrolment of device %s (%s) asked again with its nonce: same device,"
                         " new token", device_id, facility_code)
            else:
                raise self._enrolment_refusal(cur, code_hash, facility_code, now)
        return {"device_id": device_id, "token": token,
                "facility": self._facility_data(facility_row), "desk_number": desk_number}

    def _enrolment_refusal(self, cur: Any, code_hash: str, facility_code: str,
                           now: dt.datetime) -> ProtocolError:
        """Why a code was refused, exactly: unknown, issued for another facility (naming both
        codes: a facility code mistyped at set-up is the usual cause), revoked, used by another
        desk, or expired. The desk words each from ``details`` in its own language."""
        cur.execute("SELECT facility_code, expires_at, used_at, revoked_at FROM enrolment_code"
                    " WHERE code_hash = %s", (code_hash,))
        row = cur.fetchone()

        def refusal(kind: str, reason: str, **values: str) -> ProtocolError:
            return ProtocolError(wire.ENROLMENT_REFUSED, reason, details={"refusal": kind, **values})

        def day(moment: Any) -> str:
            found = self._ts_out(moment)
            return "" if found is None else found.astimezone(dt.timezone.utc).strftime("%d-%m-%Y")

        if row is None:
            return refusal("unknown", "The server does not know this enrolment code. Check it letter by "
                           "letter, or ask the district for a new code.")
        issued_for, expires_at, used_at, revoked_at = row
        if issued_for != facility_code:
            return refusal(
                "other_facility",
                f"This enrolment code was issued for facility {issued_for}, but this desk is set up as "
                f"facility {facility_code}. If this desk's facility code is wrong, correct it to "
                f"{issued_for} and enrol again; if the code is for another facility, ask the district "
                "for this facility's code.", code_facility=issued_for, desk_facility=facility_code)
        if revoked_at is not None:
            return refusal("revoked", f"This enrolment code was withdrawn by the district on {day(revoked_at)}. "
                           "Ask the district for a new code.", on=day(revoked_at))
        if used_at is not None:
            return refusal("used", f"This enrolment code was already used on {day(used_at)} by another desk "
                           "of this facility. Ask the district for a new code for this desk.",
                           on=day(used_at))
        return refusal("expired", f"This enrolment code expired on {day(expires_at)}. Ask the district for "
                       "a new code.", on=day(expires_at))

    def _note_contact(self, cur: Any, device: Device, now: dt.datetime) -> None:
        """A sync pass of ``device``: when it was last seen, and its facility's first sync
        (written once), for the rollout view."""
        cur.execute("UPDATE device SET last_seen_at = %s WHERE device_id = %s", (self._ts(now), device.device_id))
        cur.execute("INSERT INTO facility_rollout (facility_code, first_sync_at) VALUES (%s, %s)"
                    " ON CONFLICT (facility_code) DO NOTHING", (device.facility_code, self._ts(now)))

    def _note_first_dispense(self, cur: Any, facility_code: str, events: Sequence[Event],
                             now: dt.datetime) -> None:
        """The facility's first dispense received (written once): the sign it is live."""
        dispenses = [e for e in events if e.type == "dispense"]
        if not dispenses:
            return
        first = min(dispenses, key=lambda e: (e.wall_time, e.sequence))
        cur.execute("UPDATE facility_rollout SET first_dispense_at = %s, first_dispense_saved_at = %s,"
                    " first_dispense_number = %s WHERE facility_code = %s AND first_dispense_at IS NULL",
                    (self._ts(now), self._ts(first.wall_time), first.document_number, facility_code))

    def authenticate(self, token: str) -> Device:
        with self._read() as cur:
            cur.execute("SELECT device_id, facility_code, name, revoked_at FROM device"
                        " WHERE token_hash = %s", (hash_secret(token),))
            row = cur.fetchone()
        if row is None:
            raise ProtocolError(wire.TOKEN_INVALID, "This device token is not known here. "
                                "Enrol the desk again with a new enrolment code.")
        if row[3] is not None:
            raise ProtocolError(wire.TOKEN_REVOKED, "This device has been withdrawn by the "
                                "district. Ask them for a new enrolment code.")
        return Device(self._uuid_out(row[0]), row[1], row[2])

    def revoke_device(self, device_id: str) -> bool:
        with self._write() as cur:
            cur.execute("UPDATE device SET revoked_at = %s WHERE device_id = %s"
                        " AND revoked_at IS NULL RETURNING device_id",
                        (self._ts(utc_now()), device_id))
            return cur.fetchone() is not None

    def devices(self, *, orphans_only: bool = False) -> list[dict[str, Any]]:
        """Every device; ``orphans_only``: live devices that never sent anything (an
        enrolment whose desk never used its token, such as one whose answer was lost)."""
        where = (" WHERE revoked_at IS NULL AND last_push_at IS NULL AND events_received = 0"
                 if orphans_only else "")
        with self._read() as cur:
            cur.execute("SELECT device_id, facility_code, name, enrolled_at, revoked_at,"
                        " last_push_at, events_received, desk_number, current_epoch,"
                        " epoch_claimed_at, epoch_claimed_by, superseded_refusals FROM device"
                        f"{where} ORDER BY facility_code, enrolled_at")
            return [{"device_id": self._uuid_out(r[0]), "facility_code": r[1], "name": r[2],
                     "enrolled_at": self._ts_out(r[3]), "revoked_at": self._ts_out(r[4]),
                     "last_push_at": self._ts_out(r[5]), "events_received": r[6],
                     "desk_number": r[7], "current_epoch": r[8],
                     "epoch_claimed_at": self._ts_out(r[9]), "epoch_claimed_by": r[10],
                     "superseded_refusals": r[11],
                     "orphan": r[4] is None and r[5] is None and not r[6]}
                    for r in cur.fetchall()]

    # --- where a device stands: epochs and claims -------------------------------------------

    def standing(self, device: Device, epoch: int) -> wire.StandingDict:
        """The device's current epoch and who claimed it, and the high-water mark of ``epoch``.
        An older copy of a desk asking (its epoch behind a claimed one) is counted."""
        with self._read() as cur:
            cur.execute("SELECT desk_number, current_epoch, epoch_claimed_at, epoch_claimed_by"
                        " FROM device WHERE device_id = %s", (device.device_id,))
            desk_number, current, claimed_at, claimed_by = cur.fetchone()
            cur.execute("SELECT stored_count, max_sequence FROM device_epoch"
                        " WHERE device_id = %s AND epoch = %s", (device.device_id, epoch))
            stored, max_sequence = cur.fetchone() or (0, 0)
            event_id = None
            if max_sequence:
                cur.execute("SELECT event_id FROM event WHERE device_id = %s AND epoch = %s"
                            " AND sequence = %s", (device.device_id, epoch, max_sequence))
                found = cur.fetchone()
                event_id = None if found is None else self._uuid_out(found[0])
        with self._write() as cur:
            # Every sync pass asks this first, even one with nothing to send: the rollout
            # view's "last sync" and "first sync" come from here.
            self._note_contact(cur, device, utc_now())
            if claimed_at is not None and epoch < current:
                # An older copy of the desk asking: the district sees it counted with the claim.
                self._count_superseded(cur, device.device_id, utc_now())
        return {"device_id": device.device_id, "desk_number": int(desk_number or 1),
                "current_epoch": int(current), "epoch_claimed_at": _iso(self._ts_out(claimed_at)),
                "epoch_claimed_by": claimed_by, "epoch": epoch, "stored": int(stored),
                "max_sequence": int(max_sequence), "event_id_at_max": event_id}

    def claim_epoch(self, device: Device, claim: wire.EpochClaimDict) -> wire.EpochGrantDict:
        """Give the device a fresh epoch, never used by any copy of it, and make it the one
        the device now numbers in. The same claim again (its answer was lost) gets the same
        epoch. A claim from an epoch older than the device's current one comes from an older
        copy of the desk and is refused (:data:`wire.SUPERSEDED`) unless it takes over."""
        now = utc_now()
        refusal: ProtocolError | None = None
        grant: wire.EpochGrantDict | None = None
        with self._write() as cur:
            cur.execute("SELECT current_epoch, desk_number, epoch_claimed_at, epoch_claimed_by"
                        f" FROM device WHERE device_id = %s{self._for_update}", (device.device_id,))
            current, desk_number, claimed_at, claimed_by = cur.fetchone()
            cur.execute("SELECT epoch FROM epoch_claim WHERE device_id = %s AND claim = %s",
                        (device.device_id, claim["claim"]))
            again = cur.fetchone()
            if again is not None:
                grant = {"epoch": int(again[0]), "desk_number": int(desk_number or 1)}
            elif claim["from_epoch"] < current and not claim["take_over"]:
                self._count_superseded(cur, device.device_id, now)
                refusal = superseded(int(current), self._ts_out(claimed_at), claimed_by)
            else:
                cur.execute("SELECT coalesce(max(epoch), 0) FROM device_epoch WHERE device_id = %s",
                            (device.device_id,))
                seen = int(cur.fetchone()[0])
                cur.execute("SELECT coalesce(max(epoch), 0) FROM epoch_claim WHERE device_id = %s",
                            (device.device_id,))
                fresh = max(seen, int(cur.fetchone()[0]), int(current)) + 1
                # The desk numbered documents offline under the epoch it proposes: keep its
                # series when that epoch is still unused (and far from the column's limit).
                proposed = claim["proposed_epoch"]
                epoch = proposed if fresh <= proposed <= wire.MAX_EPOCH // 2 else fresh
                cur.execute(
                    "INSERT INTO epoch_claim (device_id, epoch, claim, from_epoch, reason, take_over,"
                    " claimed_by, claimed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (device.device_id, epoch, claim["claim"], claim["from_epoch"], claim["reason"],
                     claim["take_over"], claim["claimed_by"], self._ts(now)))
                cur.execute("UPDATE device SET current_epoch = %s, epoch_claimed_at = %s,"
                            " epoch_claimed_by = %s WHERE device_id = %s",
                            (epoch, self._ts(now), claim["claimed_by"], device.device_id))
                grant = {"epoch": epoch, "desk_number": int(desk_number or 1)}
                log.warning("facility %s device %s: %s claimed epoch %d (%s, from epoch %d%s)",
                            device.facility_code, device.device_id, claim["claimed_by"], epoch,
                            claim["reason"], claim["from_epoch"],
                            ", taking over" if claim["take_over"] else "")
        if refusal is not None:
            raise refusal
        assert grant is not None
        return grant

    def _count_superseded(self, cur: Any, device_id: str, now: dt.datetime) -> None:
        cur.execute("UPDATE device SET superseded_refusals = superseded_refusals + 1,"
                    " last_superseded_at = %s WHERE device_id = %s", (self._ts(now), device_id))

    def epoch_claims(self, *, facility_code: str | None = None,
                     district: str | None = None) -> list[EpochClaim]:
        """Every fresh epoch a desk claimed (restored, copied, clashing), newest first."""
        where, params = _scope(facility_code, district)
        with self._read() as cur:
            cur.execute(
                "SELECT d.facility_code, f.name, c.device_id, d.desk_number, c.epoch, c.from_epoch,"
                " c.reason, c.take_over, c.claimed_by, c.claimed_at, d.superseded_refusals,"
                " d.last_superseded_at, d.current_epoch"
                " FROM epoch_claim c JOIN device d ON d.device_id = c.device_id"
                f" JOIN facility f ON f.code = d.facility_code {where}"
                " ORDER BY c.claimed_at DESC LIMIT 500", params)
            return [EpochClaim(r[0], r[1], self._uuid_out(r[2]), int(r[3] or 1), int(r[4]),
                               int(r[5]), r[6], bool(r[7]), r[8], self._ts_out(r[9]) or utc_now(),
                               int(r[10]), self._ts_out(r[11]), r[4] == r[12])
                    for r in cur.fetchall()]

    # --- refused events, kept for the district ------------------------------------------------

    def record_rejections(self, device: Device, rejected: Sequence[Rejection]) -> None:
        """Keep each refused event with its reason; the same one again counts up."""
        if not rejected:
            return
        now = self._ts(utc_now())
        with self._write() as cur:
            for r in rejected:
                cur.execute(
                    "INSERT INTO rejected_event (facility_code, device_id, event_id, epoch, sequence,"
                    " type, doc_number, code, reason, body, first_seen_at, last_seen_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (device_id, event_id, code) DO UPDATE SET"
                    " times = rejected_event.times + 1, last_seen_at = excluded.last_seen_at,"
                    " reason = excluded.reason",
                    (device.facility_code, device.device_id, r.event_id, r.epoch, r.sequence,
                     r.type, r.doc_number, r.code, r.reason, r.body, now, now))

    def rejected_events(self, *, facility_code: str | None = None, district: str | None = None,
                        limit: int = 500) -> list[RejectedEvent]:
        """Refused events, newest first, each with whether it arrived later all the same
        (a desk resends events refused for a reused sequence under a fresh epoch)."""
        where, params = _scope(facility_code, district)
        with self._read() as cur:
            cur.execute(
                "SELECT r.facility_code, f.name, r.device_id, d.desk_number, d.name, r.event_id,"
                " r.epoch, r.sequence, r.type, r.doc_number, r.code, r.reason, r.first_seen_at,"
                " r.last_seen_at, r.times FROM rejected_event r"
                " JOIN facility f ON f.code = r.facility_code"
                f" JOIN device d ON d.device_id = r.device_id {where}"
                " ORDER BY r.last_seen_at DESC, r.id DESC LIMIT %s", (*params, limit))
            rows = cur.fetchall()
            ids = [r[5] for r in rows if _UUID_TEXT.match(r[5] or "")]
            arrived = set(self._stored_hashes(cur, ids)) if ids else set()
        return [RejectedEvent(r[0], r[1], self._uuid_out(r[2]), int(r[3] or 1), r[4], r[5], r[6],
                              r[7], r[8], r[9], r[10], r[11], self._ts_out(r[12]) or utc_now(),
                              self._ts_out(r[13]) or utc_now(), int(r[14]), r[5] in arrived)
                for r in rows]

    # --- events ------------------------------------------------------------------------------

    def push(self, device: Device, events: Sequence[Event]) -> tuple[list[EventResult], list[Gap]]:
        """Store a batch of valid events of one device exactly once each and apply the new ones
        to the stock projection, all in one transaction. Returns one result per event, in
        order, and the device's sequence gaps."""
        return self._with_retry(lambda: self._push_once(device, events))

    def _with_retry(self, work: Callable[[], T]) -> T:
        return work()

    def _push_once(self, device: Device, events: Sequence[Event]) -> tuple[list[EventResult], list[Gap]]:
        now = utc_now()
        refusal: ProtocolError | None = None
        with self._write() as cur:
            # Locked first, before any event or stock row, so a claim and a push of one device
            # take turns and every transaction takes its locks in the same order.
            cur.execute("SELECT current_epoch, epoch_claimed_at, epoch_claimed_by FROM device"
                        f" WHERE device_id = %s{self._for_update}", (device.device_id,))
            current, claimed_at, claimed_by = cur.fetchone()
            if claimed_at is not None and events and min(e.epoch for e in events) < current:
                # Another copy of this desk claimed a newer epoch: this one is the older copy.
                self._count_superseded(cur, device.device_id, now)
                refusal = superseded(int(current), self._ts_out(claimed_at), claimed_by)
                results: list[EventResult | None] = []
                gaps: list[Gap] = []
            else:
                results, gaps = self._store_events(cur, device, events, now)
        if refusal is not None:
            raise refusal
        return [r for r in results if r is not None], gaps

    def _store_events(self, cur: Any, device: Device, events: Sequence[Event],
                      now: dt.datetime) -> tuple[list[EventResult | None], list[Gap]]:
        # Stored without the patient's identifiers unless the state reports patient by patient,
        # with the identity hash of what is stored (docs/privacy.md).
        keep = privacy.patient_level(cur) if events else True
        inserted = self._insert_events(cur, [privacy.as_stored(e, keep) for e in events],
                                       now) if events else set()
        results: list[EventResult | None] = [None] * len(events)
        new_events: list[Event] = []
        for index, event in enumerate(events):
            if event.event_id in inserted:
                inserted.discard(event.event_id)  # a repeat later in the batch is not new
                results[index] = EventResult(event.event_id, wire.APPLIED)
                new_events.append(event)
        leftovers = [i for i, r in enumerate(results) if r is None]
        if leftovers:
            self._classify_refused(cur, device, events, leftovers, results)
        newest_epoch = 0
        if new_events:
            self._add_to_stock(cur, _aggregate_movements(new_events), now)
            self._count_sequences(cur, device.device_id, new_events)
            newest_epoch = max(e.epoch for e in new_events)
            # Indents, vouchers, receipts against them, consumption (issue 14); imported here
            # because that module is built on this one.
            from ihms_server.indents import project
            project(self, cur, new_events, now)
        cur.execute("UPDATE device SET last_push_at = %s, events_received = events_received + %s,"
                    " current_epoch = CASE WHEN current_epoch < %s THEN %s ELSE current_epoch END"
                    " WHERE device_id = %s",
                    (self._ts(now), len(new_events), newest_epoch, newest_epoch, device.device_id))
        self._note_contact(cur, device, now)
        self._note_first_dispense(cur, device.facility_code, new_events, now)
        return results, self._gaps(cur, device.device_id)

    def _classify_refused(self, cur: Any, device: Device, events: Sequence[Event],
                          indexes: Sequence[int], results: list[EventResult | None]) -> None:
        """Say why events that were not inserted were not: a resend, or a real conflict.

        An event is its id and its content, not the device or epoch that carried it: resent
        under a fresh epoch after a restore, or by the desk enrolled again as a new device,
        it is a duplicate. Events stored before identity left the routing out were hashed
        whole, so a stored hash that differs is checked again against the stored body."""
        refused = [events[i] for i in indexes]
        stored = self._stored_hashes(cur, [e.event_id for e in refused])
        by_sequence = self._stored_sequences(
            cur, device.device_id,
            [(e.epoch, e.sequence) for e in refused if e.event_id not in stored])
        for index in indexes:
            event = events[index]
            stored_hash = stored.get(event.event_id)
            if stored_hash is not None:
                # Stored whole or without its patient (docs/privacy.md): either hash is this event.
                if stored_hash in privacy.hashes_of(event) or self._stored_identity(
                        cur, event.event_id) == event.content_hash:
                    results[index] = EventResult(event.event_id, wire.DUPLICATE)
                else:
                    results[index] = EventResult(
                        event.event_id, wire.REJECTED, wire.EVENT_ID_CONFLICT,
                        "An event with this id is already stored with different content.")
            elif (event.epoch, event.sequence) in by_sequence:
                results[index] = EventResult(
                    event.event_id, wire.REJECTED, wire.SEQUENCE_REUSED,
                    f"Sequence {event.sequence} of epoch {event.epoch} is already used by "
                    "another event of this device. The desk may be a copy of another desk or "
                    "restored from an old backup; it sends this record again under a new epoch.")
            else:
                holder = self._number_holder(cur, event.facility_code, event.document_number)
                if holder is None:  # pragma: no cover - the insert would have succeeded
                    raise RuntimeError(f"event {event.event_id} neither stored nor conflicting")
                received_at, desk_number = holder
                when = received_at.astimezone(dt.timezone.utc).strftime("%d %b %Y") \
                    if received_at else "earlier"
                results[index] = EventResult(
                    event.event_id, wire.REJECTED, wire.NUMBER_TAKEN,
                    f"Document number {event.document_number} of facility {event.facility_code} "
                    f"is already held by another document (received {when} from desk "
                    f"{desk_number or 1}). Two documents never share a number: this desk may be a "
                    "copy or an old backup of another desk. The document stays on the desk; call "
                    "the district.")

    def _stored_identity(self, cur: Any, event_id: str) -> str | None:
        """The identity hash of a stored event, from its body."""
        cur.execute("SELECT body FROM event WHERE event_id = %s", (event_id,))
        row = cur.fetchone()
        return None if row is None else wire.content_hash(self._json_out(row[0]))

    def _number_holder(self, cur: Any, facility_code: str,
                       number: str) -> tuple[dt.datetime | None, int | None] | None:
        """(received at, desk number) of the event holding a document number, if any."""
        cur.execute("SELECT e.received_at, d.desk_number FROM event e"
                    " JOIN device d ON d.device_id = e.device_id"
                    " WHERE e.facility_code = %s AND e.number_key = %s", (facility_code, number))
        row = cur.fetchone()
        return None if row is None else (self._ts_out(row[0]), row[1])

    def _count_sequences(self, cur: Any, device_id: str, events: Sequence[Event]) -> None:
        per_epoch: dict[int, list[int]] = defaultdict(list)
        for event in events:
            per_epoch[event.epoch].append(event.sequence)
        for epoch in sorted(per_epoch):
            sequences = per_epoch[epoch]
            cur.execute(
                "INSERT INTO device_epoch (device_id, epoch, stored_count, max_sequence)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (device_id, epoch) DO UPDATE SET"
                " stored_count = device_epoch.stored_count + excluded.stored_count,"
                " max_sequence = CASE WHEN excluded.max_sequence > device_epoch.max_sequence"
                " THEN excluded.max_sequence ELSE device_epoch.max_sequence END",
                (device_id, epoch, len(sequences), max(sequences)))

    def _gaps(self, cur: Any, device_id: str) -> list[Gap]:
        """Missing sequence ranges of this device; cheap unless a gap really exists."""
        cur.execute("SELECT epoch FROM device_epoch WHERE device_id = %s"
                    " AND stored_count < max_sequence ORDER BY epoch", (device_id,))
        gaps: list[Gap] = []
        for (epoch,) in cur.fetchall():
            cur.execute(
                "SELECT missing_from, missing_to FROM ("
                "  SELECT COALESCE(lag(sequence) OVER (ORDER BY sequence), 0) + 1 AS missing_from,"
                "         sequence - 1 AS missing_to"
                "  FROM event WHERE device_id = %s AND epoch = %s) AS step"
                " WHERE missing_to >= missing_from ORDER BY missing_from LIMIT %s",
                (device_id, epoch, MAX_GAPS_REPORTED - len(gaps)))
            gaps.extend(Gap(device_id, epoch, a, b) for a, b in cur.fetchall())
            if len(gaps) >= MAX_GAPS_REPORTED:
                break
        return gaps

    def event_count(self, facility_code: str | None = None) -> int:
        with self._read() as cur:
            if facility_code is None:
                cur.execute("SELECT count(*) FROM event")
            else:
                cur.execute("SELECT count(*) FROM event WHERE facility_code = %s", (facility_code,))
            return int(cur.fetchone()[0])

    def stock_rows(self, facility_code: str) -> dict[tuple[str, str], tuple[str, int]]:
        """(item_code, batch_no) -> (expiry_month, qty) of a facility's projection."""
        with self._read() as cur:
            cur.execute("SELECT item_code, batch_no, expiry_month, qty FROM stock"
                        " WHERE facility_code = %s", (facility_code,))
            return {(r[0], r[1]): (r[2], int(r[3])) for r in cur.fetchall()}

    # --- catalogue ------------------------------------------------------------------------------

    def catalog_page(self, cursor: str, limit: int) -> wire.CatalogPageDict:
        """Item and facility changes after ``cursor`` (opaque to desks: instance-txid-id)."""
        instance = self.instance_id()
        after = self._parse_cursor(cursor, instance)
        with self._read() as cur:
            # A cursor beyond anything this database has issued comes from before a restore
            # from backup; following it would skip the changes made since the restore.
            if after != (0, 0) and self._cursor_is_ahead(cur, after):
                raise ProtocolError(wire.CURSOR_UNKNOWN, self._CURSOR_UNKNOWN_REASON)
            rows, remaining = self._catalog_rows(cur, after, limit)
        last = (rows[-1][0], rows[-1][1]) if rows else after
        return {
            "changes": [{"entity": r[2], "key": r[3], "data": self._json_out(r[4])} for r in rows],
            "next_cursor": f"{instance}-{last[0]}-{last[1]}",
            "remaining": remaining,
        }

    @staticmethod
    def _parse_cursor(cursor: str, instance: str) -> tuple[int, int]:
        return parse_cursor(cursor, instance, Store._CURSOR_UNKNOWN_REASON)

    _CURSOR_UNKNOWN_REASON = ("This catalogue cursor is not from this server (or the server was "
                              "reset or restored from a backup). Start again from the beginning.")

    # --- dashboard ---------------------------------------------------------------------------------

    def facility_count(self) -> int:
        with self._read() as cur:
            cur.execute("SELECT count(*) FROM facility")
            return int(cur.fetchone()[0])

    def facility_statuses(self, today: dt.date, district: str | None = None,
                          facility_code: str | None = None, *,
                          with_stock: bool = True) -> list[FacilityStatus]:
        """Sync state and stock counts per facility, of one district or facility if given.
        ``with_stock=False`` skips the stock counts, which read every stock row."""
        params: tuple[str, ...]
        if facility_code is not None:
            where, params = "WHERE f.code = %s", (facility_code,)
        elif district is not None:
            where, params = "WHERE f.district = %s", (district,)
        else:
            where, params = "", ()
        with self._read() as cur:
            cur.execute(
                "SELECT f.code, f.name, f.district, f.block, f.type, f.active,"
                " count(d.device_id), max(d.last_push_at), coalesce(sum(d.events_received), 0)"
                f" FROM facility f LEFT JOIN device d ON d.facility_code = f.code {where}"
                " GROUP BY f.code, f.name, f.district, f.block, f.type, f.active"
                " ORDER BY f.district, f.block, f.name, f.code", params)
            facilities = cur.fetchall()
            counts: dict[str, tuple[int, int]] = {}
            if with_stock:
                cur.execute(
                    "SELECT per_item.facility_code,"
                    " sum(CASE WHEN per_item.qty <= 0 THEN 1 ELSE 0 END), sum(per_item.near_expiry)"
                    " FROM (SELECT s.facility_code, s.item_code, sum(s.qty) AS qty,"
                    "       sum(CASE WHEN s.qty > 0 AND s.expiry_month <= %s THEN 1 ELSE 0 END)"
                    "         AS near_expiry"
                    "       FROM stock s JOIN facility f ON f.code = s.facility_code"
                    f"      {where} GROUP BY s.facility_code, s.item_code) AS per_item"
                    " GROUP BY per_item.facility_code",
                    (near_expiry_cutoff(today), *params))
                counts = {r[0]: (int(r[1]), int(r[2])) for r in cur.fetchall()}
        return [FacilityStatus(
            code=r[0], name=r[1], district=r[2], block=r[3], type=r[4], active=bool(r[5]),
            devices=int(r[6]), last_push_at=self._ts_out(r[7]), events_received=int(r[8]),
            stock_outs=counts.get(r[0], (0, 0))[0] if with_stock else None,
            near_expiry=counts.get(r[0], (0, 0))[1] if with_stock else None,
        ) for r in facilities]

    def facility_stock(self, facility_code: str) -> list[ItemStock]:
        """Every item of a facility's projection with every batch (for tests and tools; its
        size has no bound, so no web page uses it)."""
        with self._read() as cur:
            cur.execute(
                "SELECT s.item_code, i.name, i.unit_of_issue, coalesce(i.min_stock, 0),"
                " s.batch_no, s.expiry_month, s.qty"
                " FROM stock s LEFT JOIN item i ON i.code = s.item_code"
                " WHERE s.facility_code = %s ORDER BY coalesce(i.name, s.item_code), s.item_code,"
                " s.expiry_month, s.batch_no", (facility_code,))
            rows = cur.fetchall()
        items: list[ItemStock] = []
        batches: list[BatchStock] = []
        for index, row in enumerate(rows):
            batches.append(BatchStock(row[4], row[5], int(row[6])))
            if index + 1 == len(rows) or rows[index + 1][0] != row[0]:
                items.append(ItemStock(row[0], row[1], row[2], int(row[3]), tuple(batches)))
                batches = []
        return items

    # The facility page's lists, each keyset-paged (:class:`PageAt`). A page of items walks the
    # catalogue by name, then the facility's item codes the catalogue lacks by code, each in
    # index order, and stops when the page is full: it reads the stock rows of the items it
    # shows, not of every item. The counts over a whole list (the cards, "items 101-200 of N")
    # read each of the facility's stock rows once. A page of one item's batches sorts only that
    # item's rows, keeping the page's worth.

    def facility_items(self, facility_code: str, cutoff: str, at: PageAt = PageAt(),
                       limit: int = ITEMS_PER_PAGE) -> FacilityStock:
        """A page of a facility's items with their totals: catalogue items by name, then the
        codes the catalogue does not have; near expiry means an expiry month up to ``cutoff``.
        Counts over every item come with it."""
        with self._read() as cur:
            self._group_in_index_order(cur)
            cur.execute(
                "SELECT count(*), count(CASE WHEN qty <= 0 THEN 1 END), coalesce(sum(near), 0)"
                " FROM (SELECT sum(qty) AS qty,"
                "  count(CASE WHEN qty > 0 AND expiry_month <= %s THEN 1 END) AS near"
                "  FROM stock WHERE facility_code = %s GROUP BY item_code) AS per_item",
                (cutoff, facility_code))
            items_total, stock_outs, near_expiry = (int(value) for value in cur.fetchone())
            cur.execute(f"SELECT count(*) FROM item i WHERE {self._HELD}", (facility_code,))
            known = int(cur.fetchone()[0])
            key = self._item_key(cur, at.key)
            codes = self._item_codes(cur, facility_code, key, at.backward, limit)
            below = 0 if key is None else self._items_before(cur, facility_code, key, known,
                                                             inclusive=not at.backward)
            by_code = {item.item_code: item for item, _ in self._item_totals(
                cur, facility_code, cutoff, codes)} if codes else {}
            few = [code for code in codes if 0 < by_code[code].batches_listed <= BATCHES_IN_ROW]
            in_row = self._batches_of(cur, facility_code, few)
        items = [dataclasses.replace(by_code[code], batches=in_row.get(code, ())) for code in codes]
        page = Page(items, self._first_of_page(at, below, len(items), items_total), items_total)
        return FacilityStock(page, items_total - known, stock_outs, near_expiry)

    #: A catalogue item ``i`` the facility holds stock rows of.
    _HELD = "EXISTS (SELECT 1 FROM stock s WHERE s.facility_code = %s AND s.item_code = i.code)"
    #: A stock row ``s`` of an item code the catalogue does not have.
    _NOT_IN_CATALOGUE = "NOT EXISTS (SELECT 1 FROM item i WHERE i.code = s.item_code)"

    @staticmethod
    def _item_key(cur: Any, code: str | None) -> tuple[int, str, str] | None:
        """Where an item code stands in the items' order: (0, name, code) for a catalogue item,
        (1, code, code) for a code the catalogue does not have."""
        if code is None:
            return None
        cur.execute("SELECT name FROM item WHERE code = %s", (code,))
        found = cur.fetchone()
        return (0, found[0], code) if found else (1, code, code)

    def _item_codes(self, cur: Any, facility_code: str, key: tuple[int, str, str] | None,
                    backward: bool, limit: int) -> list[str]:
        """The codes of a page of items, in the items' order."""
        direction, beyond = ("DESC", "<") if backward else ("ASC", ">")
        codes: list[str] = []
        for section in (1, 0) if backward else (0, 1):
            if len(codes) >= limit or (key is not None and (
                    section > key[0] if backward else section < key[0])):
                continue  # the page is full, or this section lies on the other side of the key
            after = key is not None and key[0] == section
            if section == 0:
                cur.execute(
                    f"SELECT i.code FROM item i WHERE {self._HELD}"
                    + (f" AND (i.name, i.code) {beyond} (%s, %s)" if after else "")
                    + f" ORDER BY i.name {direction}, i.code {direction} LIMIT %s",
                    (facility_code, *(key[1:] if key and after else ()), limit - len(codes)))
            else:
                # Code after code by one index seek each (a "loose index scan"), however many
                # batches each code has: DISTINCT would read every one of them.
                step = "min" if not backward else "max"
                cur.execute(
                    "WITH RECURSIVE held(code) AS ("
                    f" SELECT (SELECT {step}(item_code) FROM stock WHERE facility_code = %s"
                    + (f" AND item_code {beyond} %s" if after else "") + ")"
                    f" UNION ALL SELECT (SELECT {step}(item_code) FROM stock WHERE facility_code = %s"
                    f"  AND item_code {beyond} held.code) FROM held WHERE held.code IS NOT NULL)"
                    " SELECT held.code FROM held WHERE held.code IS NOT NULL AND NOT EXISTS"
                    " (SELECT 1 FROM item i WHERE i.code = held.code) LIMIT %s",
                    (facility_code, *((key[2],) if key and after else ()), facility_code,
                     limit - len(codes)))
            codes += [row[0] for row in cur.fetchall()]
        return codes[::-1] if backward else codes

    def _items_before(self, cur: Any, facility_code: str, key: tuple[int, str, str], known: int,
                      *, inclusive: bool) -> int:
        """How many of the facility's items come before ``key`` (or up to it, ``inclusive``)."""
        compare = "<=" if inclusive else "<"
        if key[0] == 0:
            cur.execute(f"SELECT count(*) FROM item i WHERE {self._HELD}"
                        f" AND (i.name, i.code) {compare} (%s, %s)", (facility_code, key[1], key[2]))
            return int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM (SELECT DISTINCT item_code FROM stock"
                    f" WHERE facility_code = %s AND item_code {compare} %s) AS s"
                    f" WHERE {self._NOT_IN_CATALOGUE}", (facility_code, key[2]))
        return known + int(cur.fetchone()[0])

    def _group_in_index_order(self, cur: Any) -> None:
        """Let the next statements group a facility's stock rows as the primary key yields them
        (PostgreSQL otherwise hashes them, and 200,000 groups spill past work_mem to disk)."""

    def item_batches(self, facility_code: str, item_code: str, cutoff: str, at: PageAt = PageAt(),
                     limit: int = BATCHES_PER_PAGE) -> tuple[ItemTotals, Page[BatchRow]] | None:
        """One item's totals at a facility and a page of its batches that are not at zero,
        earliest expiry first (a row's key is its batch number); ``None`` when the facility has
        never held the item."""
        with self._read() as cur:
            sort_key = self._batch_sort_key(cur, facility_code, item_code, at.key)
            found = self._item_totals(cur, facility_code, cutoff, [item_code],
                                      before=(sort_key, not at.backward))
            if not found:
                return None
            totals, below = found[0]
            _, after_key, order, key_params = self._keyset(("expiry_month", "batch_no"), sort_key,
                                                            at.backward)
            rows = self._batch_rows(cur, f"facility_code = %s AND item_code = %s AND qty <> 0"
                                         f" AND {after_key}", (facility_code, item_code, *key_params),
                                    order, limit, at.backward)
        page = Page(rows, self._first_of_page(at, below, len(rows), totals.batches_listed),
                    totals.batches_listed)
        return totals, page

    def expiring_batches(self, facility_code: str, expiring_by: str, at: PageAt = PageAt(),
                         limit: int = BATCHES_PER_PAGE) -> Page[BatchRow]:
        """A page of the batches in stock whose expiry month is ``expiring_by`` or earlier, of
        every item, earliest first (a row's key is ``"ITEM BATCH"``: item codes hold no space)."""
        condition = "facility_code = %s AND qty > 0 AND expiry_month <= %s"
        with self._read() as cur:
            sort_key = self._batch_sort_key(cur, facility_code, None, at.key)
            below, after_key, order, key_params = self._keyset(
                ("expiry_month", "item_code", "batch_no"), sort_key, at.backward)
            cur.execute(f"SELECT count(*), {below} FROM stock WHERE {condition}",
                        (*key_params, facility_code, expiring_by))
            total, before_page = (int(value) for value in cur.fetchone())
            rows = self._batch_rows(cur, f"{condition} AND {after_key}",
                                    (facility_code, expiring_by, *key_params), order, limit,
                                    at.backward)
        return Page(rows, self._first_of_page(at, before_page, len(rows), total), total)

    def _batch_rows(self, cur: Any, where: str, params: Sequence[Any], order: str, limit: int,
                    backward: bool) -> list[BatchRow]:
        """A page of stock rows, with the catalogue's name joined to those rows only."""
        cur.execute(
            "SELECT p.item_code, i.name, p.batch_no, p.expiry_month, p.qty"
            f" FROM (SELECT item_code, batch_no, expiry_month, qty FROM stock WHERE {where}"
            f"  ORDER BY {order} LIMIT %s) AS p"
            f" LEFT JOIN item i ON i.code = p.item_code ORDER BY {self._qualified(order)}",
            (*params, limit))
        rows = [BatchRow(r[0], r[1], r[2], r[3], int(r[4])) for r in cur.fetchall()]
        return rows[::-1] if backward else rows

    def _item_totals(self, cur: Any, facility_code: str, cutoff: str, item_codes: Sequence[str],
                     before: tuple[tuple[int | str, ...] | None, bool] = (None, False),
                     ) -> list[tuple[ItemTotals, int]]:
        """Totals of a few items, from their stock rows, each with how many of its batches not
        at zero come before ``before``'s batch key (up to it, if ``before`` says inclusive)."""
        key, inclusive = before
        counted = "0"
        if key is not None:
            counted = ("count(CASE WHEN qty <> 0 AND (expiry_month, batch_no) "
                       f"{'<=' if inclusive else '<'} (%s, %s) THEN 1 END)")
        cur.execute(
            "SELECT a.item_code, i.name, i.unit_of_issue, coalesce(i.min_stock, 0), a.qty,"
            " a.held, a.negative, a.near_batches, a.near_qty, a.earliest, a.counted"
            " FROM (SELECT item_code, sum(qty) AS qty,"
            "  count(CASE WHEN qty > 0 THEN 1 END) AS held,"
            "  count(CASE WHEN qty < 0 THEN 1 END) AS negative,"
            "  count(CASE WHEN qty > 0 AND expiry_month <= %s THEN 1 END) AS near_batches,"
            "  coalesce(sum(CASE WHEN qty > 0 AND expiry_month <= %s THEN qty END), 0) AS near_qty,"
            f"  min(CASE WHEN qty > 0 THEN expiry_month END) AS earliest, {counted} AS counted"
            "  FROM stock WHERE facility_code = %s"
            f"  AND item_code IN ({', '.join(['%s'] * len(item_codes))})"
            "  GROUP BY item_code) AS a LEFT JOIN item i ON i.code = a.item_code",
            (cutoff, cutoff, *(key or ()), facility_code, *item_codes))
        return [(ItemTotals(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]),
                            int(r[7]), int(r[8]), r[9]), int(r[10])) for r in cur.fetchall()]

    @staticmethod
    def _batch_sort_key(cur: Any, facility_code: str, item_code: str | None,
                        key: str | None) -> tuple[int | str, ...] | None:
        """Where a batch list's key stands in its order; ``None`` (the list's start or end)
        for no key or a key that names no batch."""
        if key is None:
            return None
        if item_code is None:
            item, _, batch = key.partition(" ")
        else:
            item, batch = item_code, key
        cur.execute("SELECT expiry_month FROM stock WHERE facility_code = %s AND item_code = %s"
                    " AND batch_no = %s", (facility_code, item, batch))
        row = cur.fetchone()
        if row is None:
            return None
        return (row[0], batch) if item_code is not None else (row[0], item, batch)

    @staticmethod
    def _keyset(columns: Sequence[str], key: tuple[int | str, ...] | None,
                backward: bool) -> tuple[str, str, str, tuple[int | str, ...]]:
        """SQL for a keyset page over ``columns``: the count of rows before the page's
        boundary, the condition rows of the page meet, its ORDER BY, and the key's
        parameters (each part that uses them takes them once)."""
        direction = "DESC" if backward else "ASC"
        order = ", ".join(f"{column} {direction}" for column in columns)
        if key is None:
            return "0", "1 = 1", order, ()
        row = f"({', '.join(columns)})"
        placeholders = f"({', '.join(['%s'] * len(key))})"
        # Going forward the boundary row is itself before the page; going backward it is not.
        below = f"coalesce(sum(CASE WHEN {row} {'<' if backward else '<='} {placeholders}" \
                " THEN 1 ELSE 0 END), 0)"
        return below, f"{row} {'<' if backward else '>'} {placeholders}", order, key

    @staticmethod
    def _qualified(order: str) -> str:
        """An ORDER BY of the page CTE's columns, for the statement that joins it as ``p``
        (the join to the totals row does not keep the page's order by itself)."""
        return ", ".join(f"p.{part}" for part in order.split(", "))

    @staticmethod
    def _first_of_page(at: PageAt, below: int, rows: int, total: int) -> int:
        """The number of a page's first row, from how many rows lie before its boundary."""
        if rows == 0:
            return 0
        if not at.backward:
            return below + 1
        return (below if at.key is not None else total) - rows + 1

    def _batches_of(self, cur: Any, facility_code: str,
                    item_codes: Sequence[str]) -> dict[str, tuple[BatchStock, ...]]:
        """The batches not at zero of a few items (each holds at most :data:`BATCHES_IN_ROW`)."""
        if not item_codes:
            return {}
        cur.execute("SELECT item_code, batch_no, expiry_month, qty FROM stock"
                    f" WHERE facility_code = %s AND item_code IN ({', '.join(['%s'] * len(item_codes))})"
                    " AND qty <> 0 ORDER BY item_code, expiry_month, batch_no",
                    (facility_code, *item_codes))
        found: dict[str, list[BatchStock]] = defaultdict(list)
        for row in cur.fetchall():
            found[row[0]].append(BatchStock(row[1], row[2], int(row[3])))
        return {code: tuple(batches) for code, batches in found.items()}


# --- SQLite -----------------------------------------------------------------------------------


class _SqliteCursor:
    """A sqlite3 cursor that takes the ``%s`` placeholders the shared SQL is written with."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> "_SqliteCursor":
        self._cursor.execute(sql.replace("%s", "?"), tuple(
            int(p) if isinstance(p, bool) else p for p in params))
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()


class SqliteStore(Store):
    """The embedded default: one file, WAL, one writer at a time."""

    kind = "sqlite"
    _feed_again = "(SELECT max(txid) + 1 FROM voucher)"
    data_errors = (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError,
                   UnicodeEncodeError)
    unavailable_errors = (sqlite3.OperationalError,)

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        # SQLite allows one writer; queueing writers here is fairer and cheaper than letting
        # them spin on busy_timeout.
        self._write_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk before the server answers. With NORMAL the WAL is synced
            # only at checkpoints, and a power cut loses events already acknowledged, which the
            # desk has marked sent and never sends again (tests/test_power_cuts.py).
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[_SqliteCursor]:
        conn = self._connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteCursor(conn.cursor())
                conn.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself failed (disk full): a transaction left open would
                # refuse every later BEGIN on this thread's connection.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[_SqliteCursor]:
        conn = self._connection()
        conn.execute("BEGIN")  # one snapshot for all the statements of this read
        try:
            yield _SqliteCursor(conn.cursor())
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _migration_dir(self) -> str:
        return "sqlite"

    def _apply_migrations(self, scripts: list[tuple[int, str, str]]) -> None:
        conn = self._connection()
        with self._write_lock:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY,"
                         " name text NOT NULL, applied_at text NOT NULL)")
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migration")}
            for number, name, sql in scripts:
                if number in done:
                    continue
                self._apply_migration(conn, number, name, sql)
                log.info("applied migration %s", name)

    @staticmethod
    def _apply_migration(conn: sqlite3.Connection, number: int, name: str, sql: str) -> None:
        """One script as SQLite documents a change of a table's definition
        (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off (the PRAGMA
        does nothing inside a transaction, so before it), the script and its record in one
        transaction, ``PRAGMA foreign_key_check`` before COMMIT, foreign keys on again. A
        script may then rebuild a table other tables refer to; a failed one leaves nothing
        behind."""
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            # executescript would commit first; the script and its record run in the
            # transaction opened here, which stays open for the check below.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nINSERT INTO schema_migration VALUES "
                f"({number}, '{name}', '{utc_now().isoformat()}');")
            broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
            if broken:
                raise sqlite3.IntegrityError(
                    f"migration {name} would leave rows whose foreign key points nowhere "
                    f"(table, rowid, parent, key): {broken}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def _ts(self, value: dt.datetime) -> str:
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def _ts_out(self, value: Any) -> dt.datetime | None:
        return None if value is None else dt.datetime.fromisoformat(value)

    def _json_out(self, value: Any) -> Any:
        return json.loads(value)

    def _insert_events(self, cur: _SqliteCursor, events: Sequence[Event], now: dt.datetime) -> set[str]:
        inserted: set[str] = set()
        received_at = self._ts(now)
        for e in events:
            cur.execute(
                "INSERT INTO event (event_id, device_id, facility_code, epoch, sequence, type,"
                " schema_version, hlc, wall_time, doc_number, body, content_hash, received_at,"
                " number_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING event_id",
                (e.event_id, e.device_id, e.facility_code, e.epoch, e.sequence, e.type,
                 e.schema_version, e.hlc, self._ts(e.wall_time), e.document_number,
                 e.canonical, e.content_hash, received_at, e.document_number))
            if cur.fetchone() is not None:
                inserted.add(e.event_id)
        return inserted

    def _stored_hashes(self, cur: _SqliteCursor, event_ids: Sequence[str]) -> dict[str, str]:
        found = {}
        for event_id in set(event_ids):
            row = cur.execute("SELECT content_hash FROM event WHERE event_id = %s", (event_id,)).fetchone()
            if row is not None:
                found[event_id] = row[0]
        return found

    def _stored_sequences(self, cur: _SqliteCursor, device_id: str,
                          keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        return {key for key in set(keys) if cur.execute(
            "SELECT 1 FROM event WHERE device_id = %s AND epoch = %s AND sequence = %s",
            (device_id, *key)).fetchone() is not None}

    def _add_to_stock(self, cur: _SqliteCursor, rows: list[tuple[str, str, str, str, int]],
                      now: dt.datetime) -> None:
        for row in rows:
            cur.execute(
                "INSERT INTO stock (facility_code, item_code, batch_no, expiry_month, qty, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (facility_code, item_code, batch_no)"
                " DO UPDATE SET qty = stock.qty + excluded.qty, updated_at = excluded.updated_at",
                (*row, self._ts(now)))

    def _catalog_rows(self, cur: _SqliteCursor, after: tuple[int, int],
                      limit: int) -> tuple[list[tuple[int, int, str, str, Any]], int]:
        # Writers are serialised, so a row with a lower id is always committed first.
        rows = cur.execute("SELECT txid, id, entity, key, data FROM catalog_change WHERE id > %s"
                           " ORDER BY id LIMIT %s", (after[1], limit)).fetchall()
        last = rows[-1][1] if rows else after[1]
        remaining = cur.execute("SELECT count(*) FROM catalog_change WHERE id > %s",
                                (last,)).fetchone()[0]
        return rows, int(remaining)

    def _cursor_is_ahead(self, cur: _SqliteCursor, after: tuple[int, int]) -> bool:
        # AUTOINCREMENT never reuses an id, and a restored file brings its old counter back.
        newest = cur.execute("SELECT coalesce(max(id), 0) FROM catalog_change").fetchone()[0]
        return after[1] > int(newest)

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()


# --- PostgreSQL ------------------------------------------------------------------------------


class PostgresStore(Store):
    """Production storage: a pool of psycopg connections, READ COMMITTED writes."""

    kind = "postgresql"
    _json_param = "%s::jsonb"
    _for_update = " FOR UPDATE"
    _feed_again = "pg_current_xact_id()"

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        # Imported here so that SQLite-only use never loads psycopg.
        import psycopg
        import psycopg_pool

        self.data_errors = (psycopg.DataError, psycopg.IntegrityError, UnicodeEncodeError)
        self.unavailable_errors = (psycopg.OperationalError, psycopg_pool.PoolTimeout)

        self.url = url
        self._pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=pool_size, open=True, name="ihms-server",
            kwargs={"application_name": "ihms-server"})

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def _with_retry(self, work: Callable[[], T]) -> T:
        import psycopg

        # Concurrent batches lock rows in a fixed order, so deadlocks should not happen; if
        # PostgreSQL still reports one (or a serialisation failure), the batch is redone.
        for attempt in range(1, 6):
            try:
                return work()
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == 5:
                    raise
                log.warning("redoing a batch after a deadlock (attempt %d)", attempt)
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _read(self) -> Iterator[Any]:
        with self._pool.connection() as conn:
            with conn.transaction(), conn.cursor() as cur:
                # One snapshot for every statement of the read (the catalogue horizon needs it).
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield cur

    def _group_in_index_order(self, cur: Any) -> None:
        cur.execute("SET LOCAL enable_hashagg = off")  # for the rest of this read only

    def _migration_dir(self) -> str:
        return "postgresql"

    def _apply_migrations(self, scripts: list[tuple[int, str, str]]) -> None:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            # Two servers starting at once must not both migrate.
            cur.execute("SELECT pg_advisory_xact_lock(4711002)")
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY,"
                        " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            cur.execute("SELECT version FROM schema_migration")
            done = {r[0] for r in cur.fetchall()}
            for number, name, sql in scripts:
                if number not in done:
                    cur.execute(sql.encode())
                    cur.execute("INSERT INTO schema_migration (version, name) VALUES (%s, %s)",
                                (number, name))
                    log.info("applied migration %s", name)
            self._renumber_catalogue_after_restore(cur)

    @staticmethod
    def _renumber_catalogue_after_restore(cur: Any) -> None:
        """A database restored from a logical dump (pg_dump) into another cluster carries
        transaction ids from the old cluster, possibly higher than the new cluster's: new
        catalogue rows would sort before old ones and desks would skip them. Seen at start-up,
        old rows move to the front (txid 0) and a new instance id makes every desk's cursor
        unknown, so desks read the catalogue again from the start."""
        cur.execute("SELECT max(txid) > pg_current_xact_id() FROM catalog_change")
        if cur.fetchone()[0]:
            cur.execute("UPDATE catalog_change SET txid = '0'")
            cur.execute("UPDATE server_meta SET value = replace(gen_random_uuid()::text, '-', '')"
                        " WHERE key = 'instance_id'")
            log.warning("catalogue transaction ids were ahead of this cluster (restored from a "
                        "dump?): renumbered, desks will re-read the catalogue from the start")

    def _insert_events(self, cur: Any, events: Sequence[Event], now: dt.datetime) -> set[str]:
        # One statement for the whole batch; sorted by id so concurrent batches that overlap
        # wait for each other in the same order instead of deadlocking.
        ordered = sorted(events, key=lambda e: e.event_id)
        cur.execute(
            "INSERT INTO event (event_id, device_id, facility_code, epoch, sequence, type,"
            " schema_version, hlc, wall_time, doc_number, body, content_hash, received_at,"
            " number_key)"
            # %b: arrays go in binary format; as text, psycopg would escape every string in
            # Python, which costs more than all the rest of the batch.
            " SELECT e.*, %s, e.doc_number FROM unnest(%b::text[]::uuid[], %b::text[]::uuid[],"
            " %b::text[], %b::int[], %b::bigint[], %b::text[], %b::int[], %b::text[],"
            " %b::timestamptz[], %b::text[], %b::text[]::jsonb[], %b::text[])"
            " AS e(event_id, device_id, facility_code, epoch, sequence, type, schema_version, hlc,"
            " wall_time, doc_number, body, content_hash)"
            " ON CONFLICT DO NOTHING RETURNING event_id",
            (now, [e.event_id for e in ordered], [e.device_id for e in ordered],
             [e.facility_code for e in ordered], [e.epoch for e in ordered],
             [e.sequence for e in ordered], [e.type for e in ordered],
             [e.schema_version for e in ordered], [e.hlc for e in ordered],
             [e.wall_time for e in ordered], [e.document_number for e in ordered],
             [e.canonical for e in ordered],
             [e.content_hash for e in ordered]))
        return {str(r[0]) for r in cur.fetchall()}

    def _stored_hashes(self, cur: Any, event_ids: Sequence[str]) -> dict[str, str]:
        cur.execute("SELECT event_id, content_hash FROM event WHERE event_id = ANY(%s::uuid[])",
                    (list(event_ids),))
        return {str(r[0]): r[1] for r in cur.fetchall()}

    def _stored_sequences(self, cur: Any, device_id: str,
                          keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        if not keys:
            return set()
        cur.execute("SELECT epoch, sequence FROM event WHERE device_id = %s AND (epoch, sequence)"
                    " IN (SELECT * FROM unnest(%s::int[], %s::bigint[]))",
                    (device_id, [k[0] for k in keys], [k[1] for k in keys]))
        return {(r[0], r[1]) for r in cur.fetchall()}

    def _add_to_stock(self, cur: Any, rows: list[tuple[str, str, str, str, int]],
                      now: dt.datetime) -> None:
        cur.execute(
            "INSERT INTO stock (facility_code, item_code, batch_no, expiry_month, qty, updated_at)"
            " SELECT s.*, %s FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[],"
            " %b::bigint[]) AS s ON CONFLICT (facility_code, item_code, batch_no)"
            " DO UPDATE SET qty = stock.qty + excluded.qty, updated_at = excluded.updated_at",
            (now, *([r[i] for r in rows] for i in range(5))))

    def _catalog_rows(self, cur: Any, after: tuple[int, int],
                      limit: int) -> tuple[list[tuple[int, int, str, str, Any]], int]:
        # Only rows of transactions older than every transaction still running are handed out,
        # in (txid, id) order: any transaction still to commit has a txid at or above that
        # horizon, so it sorts after every row already handed out and is never skipped.
        cur.execute(
            "SELECT txid::text::bigint, id, entity, key, data FROM catalog_change"
            " WHERE (txid, id) > (%s::text::xid8, %s)"
            " AND txid < pg_snapshot_xmin(pg_current_snapshot())"
            " ORDER BY txid, id LIMIT %s", (after[0], after[1], limit))
        rows = cur.fetchall()
        last = (rows[-1][0], rows[-1][1]) if rows else after
        cur.execute(
            "SELECT count(*) FROM catalog_change WHERE (txid, id) > (%s::text::xid8, %s)"
            " AND txid < pg_snapshot_xmin(pg_current_snapshot())", (last[0], last[1]))
        return rows, int(cur.fetchone()[0])

    def _cursor_is_ahead(self, cur: Any, after: tuple[int, int]) -> bool:
        # pg_snapshot_xmax is the next transaction id to be handed out; a restored cluster
        # starts again from the backup's.
        cur.execute("SELECT %s::text::xid8 >= pg_snapshot_xmax(pg_current_snapshot())"
                    " OR %s > coalesce((SELECT max(id) FROM catalog_change), 0)",
                    (after[0], after[1]))
        return bool(cur.fetchone()[0])

    def close(self) -> None:
        self._pool.close()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """``postgresql://...`` opens PostgreSQL; ``sqlite:///path`` or a plain path opens SQLite."""
    if url.startswith(("postgresql://", "postgres://")):
        store: Store = PostgresStore(url)
    elif url.startswith("sqlite:///"):
        store = SqliteStore(Path(url.removeprefix("sqlite:///")))
    elif "://" in url:
        raise ValueError(f"unsupported database URL {url!r}: use postgresql://... or sqlite:///path")
    else:
        store = SqliteStore(Path(url))
    if migrate:
        store.migrate()
    return store
