"""Pydantic mirrors of the wire shapes in ``ihms_desk.sync.protocol``, for the OpenAPI document.

Requests are checked by the protocol module itself (one bad event must not fail the whole
batch, which a strict request model would do); these models describe the shapes to clients
and to schemathesis. Their patterns and bounds are the field rules of ``ihms_desk.fields``,
not copies, and tests/server/test_openapi.py checks that each model has exactly the fields
of the TypedDict it mirrors.
"""

from __future__ import annotations

import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ihms_desk import fields
from ihms_desk.sync import protocol as wire

class Model(BaseModel):
    """Patterns are Python's (the field rules' own, with look-ahead for the end of the text),
    not pydantic-core's Rust engine, which has no look-around."""

    model_config = ConfigDict(regex_engine="python-re")


def mirror(shape: Any, name: str) -> type[Model]:
    """The model of a wire shape that adds no pattern, bound or description to it: derived
    from the TypedDict, every field required, so the two cannot drift apart."""
    doc: str | None = shape.__doc__
    fields_of: dict[str, Any] = {field: (hint, ...) for field, hint in typing.get_type_hints(shape).items()}
    return create_model(name, __base__=Model, __doc__=doc, **fields_of)


EventTypeLiteral = Literal["receipt", "dispense", "adjustment", "transfer", "stocktake", "reversal",
                           "indent"]


class MovementModel(Model):
    line_no: int = Field(ge=0, le=1_000_000)
    item_code: str = Field(pattern=fields.ITEM_CODE_PATTERN)
    batch_no: str = Field(pattern=fields.BATCH_NO_PATTERN, examples=["PCM2411"])
    expiry_month: str = Field(pattern=fields.MONTH_PATTERN, examples=["2027-03"])
    manufacturer: str | None = Field(default=None, max_length=fields.MAX_MANUFACTURER)
    unit_cost: str | None = Field(default=None, pattern=fields.UNIT_COST_PATTERN,
                                  examples=["12.50"])
    qty: int = Field(ge=-fields.MAX_ABS_QTY, le=fields.MAX_ABS_QTY,
                     description="Signed, never zero: + into stock, - out of stock.")


class DocumentModel(Model):
    number: str = Field(pattern=fields.DOCUMENT_NUMBER_PATTERN, examples=["DSP/2026-27/000123"])
    kind: EventTypeLiteral
    doc_date: str = Field(pattern=fields.DATE_PATTERN, examples=["2026-11-25"])
    created_at: str = Field(examples=["2026-11-25T10:30:00Z"])
    created_by: str = Field(min_length=1, max_length=fields.MAX_CREATED_BY)
    reverses_number: str | None = Field(default=None, pattern=fields.DOCUMENT_NUMBER_PATTERN)
    reason: str | None = Field(default=None, max_length=fields.MAX_REASON)
    header: dict[str, Any]
    lines: list[dict[str, Any]]


class PayloadModel(Model):
    document: DocumentModel
    movements: list[MovementModel]


class EventModel(Model):
    event_id: str = Field(description="UUIDv7 made by the desk when the document was saved.")
    device_id: str
    facility_code: str = Field(pattern=fields.FACILITY_CODE_PATTERN)
    epoch: int = Field(ge=1, le=wire.MAX_EPOCH)
    sequence: int = Field(ge=1, le=wire.MAX_SEQUENCE)
    type: EventTypeLiteral
    schema_version: Literal[1]
    hlc: str = Field(min_length=1, max_length=64)
    wall_time: str = Field(examples=["2026-11-25T10:30:00Z"])
    payload: PayloadModel


def uuid_field(default: Any = ..., description: str | None = None) -> Any:
    """A UUID (device id, claim id, nonce): the protocol's own pattern; 36 characters."""
    return Field(default, pattern=wire.UUID_PATTERN, min_length=36, max_length=36,
                 description=description)


class PushRequest(Model):
    device_id: str = uuid_field()
    events: list[Any] = Field(
        min_length=1, max_length=wire.MAX_EVENTS_PER_BATCH,
        description="Each an EventModel. The batch is taken as long as it is a list: an item "
        "that is not a valid event is answered 'rejected' in its place, and the rest are "
        "stored (one bad event never spoils its batch), so the list's items are not "
        "constrained here.")


class EventResultModel(Model):
    event_id: str
    status: Literal["applied", "duplicate", "rejected"]
    code: str | None
    reason: str | None


class GapModel(Model):
    device_id: str
    epoch: int
    missing_from: int
    missing_to: int


class PushResponse(Model):
    results: list[EventResultModel] = Field(description="One per event, in request order.")
    gaps: list[GapModel]
    server_time: str


class CatalogChangeModel(Model):
    entity: Literal["item", "facility"]
    key: str
    data: dict[str, Any]


class CatalogPage(Model):
    changes: list[CatalogChangeModel]
    next_cursor: str
    remaining: int


class FacilityModel(Model):
    code: str
    name: str
    district: str
    block: str
    type: Literal["CHC", "PHC", "UPHC", "DH", "SDH", "SC"]  # wire.FACILITY_TYPES
    active: bool


class EnrolRequest(Model):
    facility_code: str = Field(pattern=fields.FACILITY_CODE_PATTERN, examples=["CHC-JPR-001"])
    enrolment_code: str = Field(pattern=fields.text_pattern(), max_length=64,
                                examples=["ABCD-EFGH-JKMN"])
    device_name: str = Field(pattern=fields.spreadsheet_text_pattern(), max_length=120,
                             examples=["DDC counter 1"])
    enrol_nonce: str | None = uuid_field(
        None, description="A random UUID kept by the desk until enrolment "
        "succeeds: asking again with the same code and nonce gets the same device.")


class EnrolResponse(Model):
    device_id: str
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown once only.")
    facility: FacilityModel
    desk_number: int = Field(ge=1, description="The desk's number at its facility, in enrolment "
                             "order: the letter (A, B, ...) of its document numbers' series.")


StandingModel = mirror(wire.StandingDict, "StandingModel")


class EpochClaim(Model):
    device_id: str = uuid_field()
    claim: str = uuid_field(description="A random UUID of the desk's: the same claim "
                            "again gets the same epoch.")
    from_epoch: int = Field(ge=1, le=wire.MAX_EPOCH)
    proposed_epoch: int = Field(ge=1, le=wire.MAX_EPOCH)
    reason: Literal["restored", "moved", "diverged", "clash"]  # wire.EPOCH_CLAIM_REASONS
    take_over: bool
    claimed_by: str = Field(pattern=fields.spreadsheet_text_pattern(), max_length=120,
                            examples=["DDC-COUNTER-2"])


EpochGrant = mirror(wire.EpochGrantDict, "EpochGrant")


class ErrorModel(Model):
    model_config = ConfigDict(extra="allow")

    code: str = Field(examples=["invalid_request"])
    reason: str = Field(description="Plain words for the person at the desk or the admin.")


class HealthModel(Model):
    status: Literal["ok"]
    protocol_versions: list[int]
    server_time: str


class VoucherLineModel(Model):
    line_no: int = Field(ge=1)
    item_code: str = Field(pattern=fields.ITEM_CODE_PATTERN)
    batch_no: str = Field(pattern=fields.BATCH_NO_PATTERN)
    expiry_month: str = Field(pattern=fields.MONTH_PATTERN)
    qty: int = Field(ge=1, le=fields.MAX_ABS_QTY)
    manufacturer: str | None
    unit_cost: str | None


class VoucherWithdrawnModel(Model):
    reversal_number: str = Field(pattern=fields.DOCUMENT_NUMBER_PATTERN,
                                 examples=["REV/2026-27/A000004"])
    reversed_on: str = Field(pattern=fields.DATE_PATTERN)


class VoucherModel(Model):
    """An issue voucher of the district's warehouse, or another facility's transfer."""

    number: str = Field(examples=["DDW-JAI/2026-27/000031"])
    kind: Literal["voucher", "transfer"]
    from_code: str
    from_name: str
    indent_number: str | None
    issued_on: str = Field(pattern=fields.DATE_PATTERN)
    lines: list[VoucherLineModel]
    withdrawn: VoucherWithdrawnModel | None = Field(
        default=None, description="Set when the sender reversed the transfer: do not receive "
        "it. A voucher withdrawn after a desk pulled it comes again after that desk's cursor.")


class VoucherPage(Model):
    vouchers: list[VoucherModel]
    cursor: str = Field(description="Send back as `after` for the next page.")
    more: bool


class SuggestionModel(Model):
    id: str = Field(examples=["S-1A2B3C4D5E6F"], description="Name it in the transfer's header "
                    "as suggestion_id.")
    item_code: str = Field(pattern=fields.ITEM_CODE_PATTERN)
    to_code: str = Field(pattern=fields.FACILITY_CODE_PATTERN)
    to_name: str
    qty: int = Field(ge=1)
    reason: Literal["surplus", "near_expiry"]
    expires: str | None = Field(description="The month the near-expiry stock expires.")


class SuggestionList(Model):
    suggestions: list[SuggestionModel]


#: Request bodies read by hand (gzip, size bound, per-event validation) but documented, and the
#: event each item of a push should be.
REQUEST_BODY_MODELS: dict[str, type[Model]] = {
    "EventModel": EventModel,
    "PushRequest": PushRequest,
    "EnrolRequest": EnrolRequest,
    "EpochClaim": EpochClaim,
}
