"""Sync protocol v1: the wire format shared by the desk's sync client and the state server.

Pure Python (stdlib only) because the desktop build ships neither pydantic nor FastAPI; the
server wraps these shapes in its own pydantic models to publish an OpenAPI document. Every
field rule comes from :mod:`ihms_desk.fields`, which the desk's store checks at save too, so
what a desk saves is what the server accepts. Every validation failure raises
:class:`ProtocolError` with a machine code and a plain reason that names the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, Mapping, NotRequired, TypedDict

from ihms_desk import fields
from ihms_desk.fields import DocumentDict as DocumentDict
from ihms_desk.fields import FieldProblem
from ihms_desk.fields import MovementDict as MovementDict
from ihms_desk.fields import PayloadDict as PayloadDict

PROTOCOL_VERSION: Final = 1
SUPPORTED_PROTOCOL_VERSIONS: Final = frozenset({1})
PROTOCOL_HEADER: Final = "X-IHMS-Protocol"
EVENT_SCHEMA_VERSION: Final = 1

MAX_EVENTS_PER_BATCH: Final = 500
#: A desk may gzip its request body; the server refuses bodies that inflate beyond this.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
CATALOG_DEFAULT_LIMIT: Final = 500
CATALOG_MAX_LIMIT: Final = 1000

EventType = Literal["receipt", "dispense", "adjustment", "transfer", "stocktake", "reversal"]
EVENT_TYPES: Final = fields.DOCUMENT_KINDS
EVENT_TYPES_WITHOUT_MOVEMENTS: Final = fields.KINDS_WITHOUT_MOVEMENTS
#: The server's CHECK constraint (ihms_server/migrations) lists the same types. The desk's
#: store has no SC and keeps its own type when the state sends one it does not know.
FACILITY_TYPES: Final = fields.FACILITY_TYPES
ITEM_CATEGORIES: Final = fields.ITEM_CATEGORIES

# Result statuses of one pushed event.
APPLIED: Final = "applied"
DUPLICATE: Final = "duplicate"
REJECTED: Final = "rejected"

# Machine codes. The reason that goes with each is plain English for the in-charge to read.
UPGRADE_REQUIRED: Final = "upgrade_required"
INVALID_REQUEST: Final = "invalid_request"
INVALID_EVENT: Final = "invalid_event"
EVENT_ID_CONFLICT: Final = "event_id_conflict"
SEQUENCE_REUSED: Final = "sequence_reused"
WRONG_FACILITY: Final = "wrong_facility"
WRONG_DEVICE: Final = "wrong_device"
TOKEN_INVALID: Final = "token_invalid"
TOKEN_REVOKED: Final = "token_revoked"
ENROLMENT_REFUSED: Final = "enrolment_refused"
CURSOR_UNKNOWN: Final = "cursor_unknown"
PAYLOAD_TOO_LARGE: Final = "payload_too_large"
NOT_FOUND: Final = "not_found"
#: Another event of this facility already holds the document number.
NUMBER_TAKEN: Final = "number_taken"
#: Another copy of this desk has claimed a newer epoch: this one is the older copy.
SUPERSEDED: Final = "superseded"
#: Too many wrong enrolment codes for a facility or from one address (HTTP 429, Retry-After):
#: the answer carries ``scope`` ("facility" or "client"), ``retry_after`` and ``minutes``.
TOO_MANY_ATTEMPTS: Final = "too_many_attempts"

#: Why a desk claims a fresh epoch: its database went back (a restore), its data folder came
#: from another PC, the server holds events of its epoch it does not have, or the server
#: refused its events as reusing sequences.
EPOCH_CLAIM_REASONS: Final = ("restored", "moved", "diverged", "clash")

# Bounds that keep every stored value inside PostgreSQL's integer/bigint columns.
MAX_EPOCH: Final = 2**31 - 1
MAX_SEQUENCE: Final = 2**62
MAX_ABS_QTY: Final = fields.MAX_ABS_QTY
MAX_MOVEMENTS: Final = 5000
MAX_LINES: Final = 5000
#: Envelope fields that say how an event travels, not what it is: the same event resent under
#: a new epoch after a restore, or by the desk re-enrolled as another device, is still the
#: same event (a duplicate, not a conflict). Its identity is everything else.
ROUTING_FIELDS: Final = frozenset({"device_id", "epoch", "sequence"})


class ProtocolError(Exception):
    """A request or event that breaks the wire format; ``code`` is for machines, ``reason`` for people."""

    def __init__(self, code: str, reason: str, field: str | None = None, *,
                 details: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.field = field
        #: Values a client can word the refusal from (sent beside code and reason).
        self.details: dict[str, Any] = dict(details or {})


# --- JSON shapes on the wire -------------------------------------------------------------

class EventDict(TypedDict):
    event_id: str
    device_id: str
    facility_code: str
    epoch: int
    sequence: int
    type: str
    schema_version: int
    hlc: str
    wall_time: str
    payload: PayloadDict


class PushRequestDict(TypedDict):
    device_id: str
    events: list[EventDict]


class EventResultDict(TypedDict):
    event_id: str
    status: str
    code: str | None
    reason: str | None


class GapDict(TypedDict):
    device_id: str
    epoch: int
    missing_from: int
    missing_to: int


class PushResponseDict(TypedDict):
    results: list[EventResultDict]
    gaps: list[GapDict]
    server_time: str


class ItemData(TypedDict):
    code: str
    name: str
    generic_name: str
    strength: str
    dosage_form: str
    unit_of_issue: str
    category: str
    min_stock: int
    active: bool
    #: Other words for the item (``pcm; crocin``): the counter's search finds it by them.
    synonyms: NotRequired[str]


class FacilityData(TypedDict):
    code: str
    name: str
    district: str
    block: str
    type: str
    active: bool


class CatalogChangeDict(TypedDict):
    entity: str
    key: str
    data: dict[str, Any]


class CatalogPageDict(TypedDict):
    changes: list[CatalogChangeDict]
    next_cursor: str
    remaining: int


class EnrolRequestDict(TypedDict):
    facility_code: str
    enrolment_code: str
    device_name: str
    #: A random UUID the desk keeps until enrolment succeeds: the same code with the same
    #: nonce again (the first answer was lost) gets the same device. Optional on the wire.
    enrol_nonce: str | None


class EnrolResponseDict(TypedDict):
    device_id: str
    token: str
    facility: FacilityData
    #: The desk's number at its facility in enrolment order (1, 2, ...): the letter of its
    #: document numbers' series.
    desk_number: int


class StandingDict(TypedDict):
    """Where a device stands on the server (``GET /v1/standing?epoch=E``): its current epoch
    and who claimed it, and the high-water mark of epoch E."""

    device_id: str
    desk_number: int
    current_epoch: int
    epoch_claimed_at: str | None
    epoch_claimed_by: str | None
    epoch: int
    stored: int
    max_sequence: int
    #: The event stored at ``max_sequence`` of epoch E (None when E holds nothing): a desk
    #: that does not hold this event under that sequence is not where the server is.
    event_id_at_max: str | None


class EpochClaimDict(TypedDict):
    """``POST /v1/epochs``: a desk asks for a fresh epoch."""

    device_id: str
    claim: str
    from_epoch: int
    proposed_epoch: int
    reason: str
    take_over: bool
    claimed_by: str


class EpochGrantDict(TypedDict):
    epoch: int
    desk_number: int


class ErrorDict(TypedDict):
    code: str
    reason: str


class VoucherLineDict(TypedDict):
    """A line of a pulled voucher: packs as sent (``fields.PackLine``) under its line number."""

    line_no: int
    item_code: str
    batch_no: str
    expiry_month: str
    qty: int
    manufacturer: str | None
    unit_cost: str | None


class VoucherWithdrawnDict(TypedDict):
    """Why a voucher is withdrawn: its sender reversed the transfer it was made from."""

    reversal_number: str
    reversed_on: str


class VoucherDict(TypedDict):
    """``GET /v1/vouchers``: an issue voucher of the district's warehouse (``kind`` voucher),
    or another facility's transfer to this one (``transfer``); docs/indents.md."""

    number: str
    kind: str
    from_code: str
    from_name: str
    indent_number: str | None
    issued_on: str
    lines: list[VoucherLineDict]
    #: Set when the sender reversed the transfer: the voucher is not to be received. A
    #: withdrawn voucher comes again after the cursor of a desk that pulled it before; a
    #: server older than the withdrawal sends no such key (taken as None).
    withdrawn: NotRequired[VoucherWithdrawnDict | None]


class VoucherPageDict(TypedDict):
    vouchers: list[VoucherDict]
    cursor: str
    more: bool


# --- validated values ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Event:
    """One validated event; ``raw`` is the object as received, kept verbatim for storage."""

    event_id: str
    device_id: str
    facility_code: str
    epoch: int
    sequence: int
    type: str
    schema_version: int
    hlc: str
    wall_time: dt.datetime
    document_number: str
    #: As received, each checked by the field rules (the wire shape of ihms_desk.fields).
    movements: tuple[MovementDict, ...]
    raw: Mapping[str, Any]
    #: ``raw`` in its one canonical spelling, as stored, and its SHA-256.
    canonical: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class EventResult:
    event_id: str
    status: str
    code: str | None = None
    reason: str | None = None

    def as_dict(self) -> EventResultDict:
        return {"event_id": self.event_id, "status": self.status, "code": self.code,
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Gap:
    device_id: str
    epoch: int
    missing_from: int
    missing_to: int

    def as_dict(self) -> GapDict:
        return {"device_id": self.device_id, "epoch": self.epoch,
                "missing_from": self.missing_from, "missing_to": self.missing_to}


# --- validation ---------------------------------------------------------------------------

#: A UUID as sent (also the OpenAPI document's pattern).
UUID_PATTERN: Final = (r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                       + fields.END_OF_TEXT)
_UUID_RE = re.compile(UUID_PATTERN)
#: A \u0000 escape in JSON text that is not itself an escaped backslash followed by "u0000".
_ESCAPED_NUL_RE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _fail(field: str, problem: str, code: str = INVALID_EVENT) -> ProtocolError:
    return ProtocolError(code, f"{field}: {problem}", field)


def _rule(rule: Callable[[Any], Any], value: Any, field: str, code: str = INVALID_EVENT) -> Any:
    """Apply a rule of :mod:`ihms_desk.fields`; its problem becomes a ProtocolError naming the field."""
    try:
        return rule(value)
    except FieldProblem as problem:
        raise _fail(field, problem.problem, code) from None


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise _fail(f"{where}{key}", "is missing")
    return obj[key]


def _as_object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(field, "must be a JSON object")
    return value


def _as_int(value: Any, field: str, lo: int, hi: int) -> int:
    # bool is an int in Python but never a number on the wire.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, "must be a whole number")
    if not lo <= value <= hi:
        raise _fail(field, f"must be between {lo} and {hi}")
    return value


def _as_text(value: Any, field: str, max_len: int, code: str = INVALID_EVENT) -> str:
    return str(_rule(lambda v: fields.text(v, max_len), value, field, code))


def _as_optional_text(value: Any, field: str, max_len: int) -> str | None:
    return None if value is None else _as_text(value, field, max_len)


def _as_code(value: Any, field: str) -> str:
    return str(_rule(fields.facility_code, value, field))


def is_facility_code(value: str) -> bool:
    """Could ``value`` be a facility code at all (letters, digits, - _ .; at most 40)?"""
    return fields.is_facility_code(value)


def _as_uuid(value: Any, field: str, *, version: int | None = None) -> str:
    if not isinstance(value, str) or not _UUID_RE.match(value):
        raise _fail(field, "must be a UUID like 0190d6f0-8a3b-7c4d-9e5f-0a1b2c3d4e5f")
    parsed = uuid.UUID(value)
    if version is not None and parsed.version != version:
        raise _fail(field, f"must be a version {version} UUID")
    return str(parsed)


def parse_utc_timestamp(value: Any, field: str) -> dt.datetime:
    """An ISO 8601 timestamp that states UTC (``Z`` or ``+00:00``)."""
    if not isinstance(value, str) or len(value) > 40 or "T" not in value:
        raise _fail(field, "must be an ISO 8601 UTC timestamp like 2026-11-25T10:30:00Z")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _fail(field, "must be an ISO 8601 UTC timestamp like 2026-11-25T10:30:00Z") from None
    if parsed.tzinfo is None or parsed.utcoffset() != dt.timedelta(0):
        raise _fail(field, "must be in UTC (end with Z)")
    return parsed


def _movement(value: Any, field: str) -> MovementDict:
    obj = _as_object(value, field)
    where = f"{field}."
    return {
        "line_no": _as_int(_require(obj, "line_no", where), f"{where}line_no", 0, 1_000_000),
        "item_code": _rule(fields.item_code, _require(obj, "item_code", where), f"{where}item_code"),
        "batch_no": _rule(fields.batch_no, _require(obj, "batch_no", where), f"{where}batch_no"),
        "expiry_month": _rule(fields.month, _require(obj, "expiry_month", where), f"{where}expiry_month"),
        "manufacturer": _as_optional_text(obj.get("manufacturer"), f"{where}manufacturer",
                                          fields.MAX_MANUFACTURER),
        "unit_cost": _rule(fields.unit_cost, obj.get("unit_cost"), f"{where}unit_cost"),
        "qty": _rule(fields.movement_qty, _require(obj, "qty", where), f"{where}qty"),
    }


def canonical_json(value: Any) -> str:
    """One spelling per JSON value, so that a resent event hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def identity_of(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event without its routing (device, epoch, sequence): what makes it this event."""
    return {key: value for key, value in event.items() if key not in ROUTING_FIELDS}


def content_hash(event: Mapping[str, Any]) -> str:
    """The SHA-256 of an event's identity in its canonical spelling."""
    return hashlib.sha256(canonical_json(identity_of(event)).encode()).hexdigest()


def validate_event(value: Any) -> Event:
    """Check one event envelope and its payload; raise ProtocolError(invalid_event) naming the field."""
    obj = _as_object(value, "event")
    event_type = _require(obj, "type", "")
    if event_type not in EVENT_TYPES:
        raise _fail("type", f"must be one of {', '.join(EVENT_TYPES)}")
    schema_version = _require(obj, "schema_version", "")
    if isinstance(schema_version, bool) or schema_version != EVENT_SCHEMA_VERSION:
        raise _fail("schema_version", f"must be {EVENT_SCHEMA_VERSION}")
    payload = _as_object(_require(obj, "payload", ""), "payload")
    document = _as_object(_require(payload, "document", "payload."), "payload.document")
    where = "payload.document."
    if _require(document, "kind", where) != event_type:
        raise _fail(f"{where}kind", "must equal the event type")
    number = _rule(fields.document_number, _require(document, "number", where), f"{where}number")
    _rule(fields.date, _require(document, "doc_date", where), f"{where}doc_date")
    parse_utc_timestamp(_require(document, "created_at", where), f"{where}created_at")
    _as_text(_require(document, "created_by", where), f"{where}created_by", fields.MAX_CREATED_BY)
    reverses = document.get("reverses_number")
    if reverses is not None:
        _rule(fields.document_number, reverses, f"{where}reverses_number")
    _as_optional_text(document.get("reason"), f"{where}reason", fields.MAX_REASON)
    _as_object(_require(document, "header", where), f"{where}header")
    lines = _require(document, "lines", where)
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise _fail(f"{where}lines", f"must be a list of at most {MAX_LINES} objects")
    for index, line in enumerate(lines):
        _as_object(line, f"{where}lines[{index}]")
    raw_movements = _require(payload, "movements", "payload.")
    if not isinstance(raw_movements, list) or len(raw_movements) > MAX_MOVEMENTS:
        raise _fail("payload.movements", f"must be a list of at most {MAX_MOVEMENTS} movements")
    movements = tuple(_movement(m, f"payload.movements[{i}]") for i, m in enumerate(raw_movements))
    if not movements and event_type not in EVENT_TYPES_WITHOUT_MOVEMENTS:
        raise _fail("payload.movements", f"a {event_type} must move stock")
    try:
        canonical = canonical_json(identity_of(obj))
        digest = hashlib.sha256(canonical.encode()).hexdigest()
    except UnicodeEncodeError:
        raise _fail("event", "contains text that is not valid Unicode") from None
    except ValueError:  # a number too big for a double, read as infinity
        raise _fail("event", "contains a number that is not finite") from None
    # The free-form header and lines are not checked field by field, but a NUL character in
    # them would still be refused by PostgreSQL's jsonb.
    if "\\u0000" in canonical and _ESCAPED_NUL_RE.search(canonical):
        raise _fail("payload.document", "must not contain a NUL character")
    return Event(
        event_id=_as_uuid(_require(obj, "event_id", ""), "event_id", version=7),
        device_id=_as_uuid(_require(obj, "device_id", ""), "device_id"),
        facility_code=_as_code(_require(obj, "facility_code", ""), "facility_code"),
        epoch=_as_int(_require(obj, "epoch", ""), "epoch", 1, MAX_EPOCH),
        sequence=_as_int(_require(obj, "sequence", ""), "sequence", 1, MAX_SEQUENCE),
        type=event_type,
        schema_version=EVENT_SCHEMA_VERSION,
        hlc=_as_hlc(_require(obj, "hlc", "")),
        wall_time=parse_utc_timestamp(_require(obj, "wall_time", ""), "wall_time"),
        document_number=number,
        movements=movements,
        raw=obj,
        canonical=canonical,
        content_hash=digest,
    )


def _as_hlc(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or not value.isascii() \
            or not value.isprintable():
        raise _fail("hlc", "must be 1 to 64 printable ASCII characters")
    return value


def event_id_of(value: Any) -> str:
    """The event id to echo back in a result, even for an event too broken to validate."""
    if isinstance(value, dict) and isinstance(value.get("event_id"), str):
        event_id = str(value["event_id"])[:64]
        if event_id.isascii() and event_id.isprintable():
            return event_id
        # Echoed as ASCII escapes: a control character or half a surrogate pair could not be
        # sent back in the answer (or stored) as it came.
        return json.dumps(event_id)[1:-1][:64]
    return ""


def validate_push_request(value: Any) -> tuple[str, list[Any]]:
    """Check the batch envelope only; each event is validated on its own so one bad event
    never spoils the rest of its batch."""
    if not isinstance(value, dict):
        raise ProtocolError(INVALID_REQUEST, "the body must be a JSON object", "body")
    if "device_id" not in value:
        raise ProtocolError(INVALID_REQUEST, "device_id: is missing", "device_id")
    try:
        device_id = _as_uuid(value["device_id"], "device_id")
    except ProtocolError as error:
        raise ProtocolError(INVALID_REQUEST, error.reason, error.field) from None
    events = value.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS_PER_BATCH:
        raise ProtocolError(
            INVALID_REQUEST,
            f"events: must be a list of 1 to {MAX_EVENTS_PER_BATCH} events", "events")
    return device_id, events


def parse_protocol_version(header: str | None) -> int:
    """The version a request speaks, or ProtocolError(upgrade_required) if we cannot serve it."""
    supported = ", ".join(str(v) for v in sorted(SUPPORTED_PROTOCOL_VERSIONS))
    if header is None or not header.strip().isdigit() \
            or int(header) not in SUPPORTED_PROTOCOL_VERSIONS:
        raise ProtocolError(
            UPGRADE_REQUIRED,
            f"This server speaks sync protocol version {supported} and the request "
            + ("did not say which version it speaks" if header is None else f"said {header[:20]!r}")
            + ". Please update IHMS Desk (or the server) so that both speak the same "
            "version; your records stay safe on the desk meanwhile.", PROTOCOL_HEADER)
    return int(header)


def _as_name(value: Any, field: str, max_len: int = 200) -> str:
    """Master-data text: tabs and line breaks from spreadsheet cells become one space (as the
    desk's CSV import does); the rest is :func:`ihms_desk.fields.text`."""
    if not isinstance(value, str):
        raise _fail(field, "must be text", INVALID_REQUEST)
    text = fields.SPREADSHEET_SPACE.sub(" ", value).strip()
    if not text:
        raise _fail(field, "must not be empty", INVALID_REQUEST)
    return _as_text(text, field, max_len, INVALID_REQUEST)


def _whole(value: Any) -> Any:
    """``2.0`` as ``2``: JSON Schema's integer (the OpenAPI document's) takes a number with a zero
    fraction. Not for events, whose numbers are hashed as they were sent."""
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def _as_sent_name(value: Any, field: str, max_len: int) -> str:
    """A name a desk sends (its PC's name): :func:`_as_name`, and at most ``max_len`` characters
    as sent, which is what the OpenAPI document's maxLength can say."""
    if isinstance(value, str) and len(value) > max_len:
        raise _fail(field, f"is longer than {max_len} characters", INVALID_REQUEST)
    return _as_name(value, field, max_len)


def _as_flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(field, "must be true or false", INVALID_REQUEST)
    return value


def validate_item_data(value: Any) -> ItemData:
    """An item of the state catalogue, as imported and as sent to desks; normalised the way
    the desk's catalogue stores it (code upper case, category, form and unit lower case)."""
    if not isinstance(value, dict):
        raise _fail("item", "must be a JSON object", INVALID_REQUEST)
    obj = value
    code = _rule(fields.item_code, _as_name(obj.get("code", ""), "code", 20).upper(), "code",
                 INVALID_REQUEST)
    category = _as_name(obj.get("category", ""), "category").lower()
    if category not in ITEM_CATEGORIES:
        raise _fail("category", f"must be one of {', '.join(ITEM_CATEGORIES)}", INVALID_REQUEST)
    min_stock = obj.get("min_stock", 0)
    if isinstance(min_stock, bool) or not isinstance(min_stock, int) \
            or not 0 <= min_stock <= 10_000_000:
        raise _fail("min_stock", "must be a whole number from 0 to 10,000,000", INVALID_REQUEST)
    item: ItemData = {
        "code": code,
        "name": _as_name(obj.get("name", ""), "name"),
        "generic_name": _as_name(obj.get("generic_name", ""), "generic_name"),
        "strength": _as_name(obj.get("strength", ""), "strength"),
        "dosage_form": _as_name(obj.get("dosage_form", ""), "dosage_form").lower(),
        "unit_of_issue": _as_name(obj.get("unit_of_issue", ""), "unit_of_issue").lower(),
        "category": category,
        "min_stock": min_stock,
        "active": _as_flag(obj.get("active", True), "active"),
    }
    if obj.get("synonyms"):  # only an item that has some carries them
        item["synonyms"] = _as_name(obj["synonyms"], "synonyms", 500)
    return item


def validate_facility_data(value: Any) -> FacilityData:
    if not isinstance(value, dict):
        raise _fail("facility", "must be a JSON object", INVALID_REQUEST)
    obj = value
    if obj.get("type") not in FACILITY_TYPES:
        raise _fail("type", f"must be one of {', '.join(FACILITY_TYPES)}", INVALID_REQUEST)
    code = _rule(fields.facility_code, obj.get("code"), "code", INVALID_REQUEST)
    return {
        # Upper case, as the desk keeps its own facility code; the lengths are the desk's too.
        "code": code.upper(),
        "name": _as_name(obj.get("name", ""), "name", 100),
        "district": _as_name(obj.get("district", ""), "district", 60),
        "block": _as_name(obj.get("block", ""), "block", 60),
        "type": obj["type"],
        "active": _as_flag(obj.get("active", True), "active"),
    }


def validate_enrol_request(value: Any) -> EnrolRequestDict:
    if not isinstance(value, dict):
        raise ProtocolError(INVALID_REQUEST, "the body must be a JSON object", "body")
    obj = value
    try:
        nonce = obj.get("enrol_nonce")
        return {
            # Typed by hand at the desk: the case does not matter.
            "facility_code": _as_code(_require(obj, "facility_code", ""), "facility_code").upper(),
            "enrolment_code": _as_text(_require(obj, "enrolment_code", ""), "enrolment_code", 64),
            "device_name": _as_sent_name(_require(obj, "device_name", ""), "device_name", 120),
            "enrol_nonce": None if nonce is None else _as_uuid(nonce, "enrol_nonce"),
        }
    except ProtocolError as error:
        raise ProtocolError(INVALID_REQUEST, error.reason, error.field) from None


def validate_epoch_claim(value: Any) -> EpochClaimDict:
    """The body of ``POST /v1/epochs``."""
    if not isinstance(value, dict):
        raise ProtocolError(INVALID_REQUEST, "the body must be a JSON object", "body")
    obj = value
    try:
        reason = _require(obj, "reason", "")
        if reason not in EPOCH_CLAIM_REASONS:
            raise _fail("reason", f"must be one of {', '.join(EPOCH_CLAIM_REASONS)}")
        take_over = _require(obj, "take_over", "")
        if not isinstance(take_over, bool):
            raise _fail("take_over", "must be true or false")
        return {
            "device_id": _as_uuid(_require(obj, "device_id", ""), "device_id"),
            "claim": _as_uuid(_require(obj, "claim", ""), "claim"),
            "from_epoch": _as_int(_whole(_require(obj, "from_epoch", "")), "from_epoch", 1, MAX_EPOCH),
            "proposed_epoch": _as_int(_whole(_require(obj, "proposed_epoch", "")), "proposed_epoch", 1,
                                      MAX_EPOCH),
            "reason": reason,
            "take_over": take_over,
            "claimed_by": _as_sent_name(_require(obj, "claimed_by", ""), "claimed_by", 120),
        }
    except ProtocolError as error:
        raise ProtocolError(INVALID_REQUEST, error.reason, error.field) from None
