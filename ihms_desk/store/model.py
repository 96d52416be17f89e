"""The values the store takes and gives back: plain frozen dataclasses (``ItemStock`` a
NamedTuple, for speed), no database handles."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from ihms_desk.fields import Facility as Facility
from ihms_desk.fields import ITEM_CATEGORIES, MovementDict, PackLine, PayloadDict

CATEGORIES = ITEM_CATEGORIES
SEXES = {"M": "Male", "F": "Female", "O": "Other"}


class ReceiptSource(str, enum.Enum):
    DISTRICT_WAREHOUSE = "ddw"
    OTHER_FACILITY = "facility"
    LOCAL_PURCHASE = "local_purchase"


class AdjustmentReason(str, enum.Enum):
    DAMAGED = "damaged"
    EXPIRED_WRITE_OFF = "expired_write_off"
    RETURN_TO_WAREHOUSE = "return_to_warehouse"
    LOST = "lost"
    FOUND = "found"
    STOCKTAKE_CORRECTION = "stocktake_correction"

    @property
    def direction(self) -> int:
        """+1 adds stock, -1 removes it, 0 means the line's sign decides."""
        if self is AdjustmentReason.FOUND:
            return 1
        if self is AdjustmentReason.STOCKTAKE_CORRECTION:
            return 0
        return -1

    @property
    def is_write_off(self) -> bool:
        """Stock leaves the books for good: the MO in-charge must approve."""
        return self in (AdjustmentReason.DAMAGED, AdjustmentReason.EXPIRED_WRITE_OFF, AdjustmentReason.LOST)


class TransferDestination(str, enum.Enum):
    WARD = "ward"
    SUB_CENTRE = "sub_centre"
    FACILITY = "facility"


@dataclass(frozen=True)
class Item:
    id: int
    code: str
    name: str
    generic_name: str
    strength: str
    dosage_form: str
    unit_of_issue: str
    category: str
    min_stock: int
    active: bool


@dataclass(frozen=True)
class ItemHit:
    """An item found by search, with what the counter needs to see at a glance."""

    item: Item
    usable_qty: int
    nearest_expiry: str | None
    rank: int


@dataclass(frozen=True, kw_only=True)
class BatchStock(PackLine):
    """One batch of an item and its balance (``qty``)."""

    batch_id: int
    expired: bool
    near_expiry: bool


class ItemStock(NamedTuple):
    """Stock on hand of one item, summed over its batches.

    A NamedTuple, not a frozen dataclass like the rest: ``stock_on_hand`` makes 6,000 of them
    at a time, and a frozen dataclass took 23 ms of it on the five-year database (3 ms now)."""

    item: Item
    qty: int
    usable_qty: int
    expired_qty: int
    batches: int
    nearest_expiry: str | None
    amc: float
    months_of_stock: float | None


@dataclass(frozen=True)
class ReceiptLine(PackLine):
    """A line of a receipt, in the order the Receive screen and a challan give its fields."""

    #: Why stock expiring this month or next is taken all the same (recorded with the line).
    short_expiry_reason: str | None = None


@dataclass
class Patient:
    opd_no: str
    name: str
    age: int
    sex: str
    abha: str | None = None
    #: An infant's age in months (``8m``); ``age`` is then the whole years in it.
    age_months: int | None = None


@dataclass
class DispenseLine:
    """One prescribed item. ``qty`` None means "as much as the prescription asks, or what there is"."""

    item_code: str
    qty_prescribed: int
    qty: int | None = None
    batch_no: str | None = None
    #: The dose as typed (``1-0-1 x5``): remembered for this item's next line, not sent.
    dose: str | None = None


@dataclass
class AdjustmentLine:
    item_code: str
    batch_no: str
    qty: int


@dataclass
class TransferLine:
    item_code: str
    qty: int
    batch_no: str | None = None


@dataclass
class StocktakeCount:
    item_code: str
    batch_no: str
    counted: int


@dataclass(frozen=True)
class Allocation:
    """Units taken from one batch for one line."""

    batch_id: int
    batch_no: str
    expiry_month: str
    qty: int


@dataclass(frozen=True)
class LinePlan:
    """How a dispense or transfer line would be met: batches (FEFO) and what is short."""

    line_no: int
    item: Item
    requested: int
    allocations: tuple[Allocation, ...]
    shortfall: int

    @property
    def qty(self) -> int:
        return sum(a.qty for a in self.allocations)


@dataclass(frozen=True)
class StocktakeDifference:
    item_code: str
    item_name: str
    batch_no: str
    expiry_month: str
    book_qty: int
    counted: int

    @property
    def difference(self) -> int:
        return self.counted - self.book_qty


@dataclass(frozen=True)
class SavedDocument:
    """A saved document as the outbox sends it and the screens show it."""

    id: int
    number: str
    kind: str
    doc_date: dt.date
    created_at: str
    created_by: str
    header: dict[str, Any]
    lines: list[dict[str, Any]]
    movements: list[dict[str, Any]]
    reverses_number: str | None = None
    reason: str | None = None
    reversed_by: str | None = None
    shortfalls: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> PayloadDict:
        """The whole document and the movements it made: the outbox event's payload, in the
        wire shape of :mod:`ihms_desk.fields` (the ledger writes each movement with exactly
        ``MovementDict``'s keys; tests/server/test_wire_shape.py checks it)."""
        return {
            "document": {
                "number": self.number,
                "kind": self.kind,
                "doc_date": self.doc_date.isoformat(),
                "created_at": self.created_at,
                "created_by": self.created_by,
                "reverses_number": self.reverses_number,
                "reason": self.reason,
                "header": self.header,
                "lines": self.lines,
            },
            "movements": cast(list[MovementDict], self.movements),
        }


@dataclass(frozen=True)
class DocumentSummary:
    """One row of a day's documents list."""

    id: int
    number: str
    kind: str
    doc_date: str
    created_at: str
    created_by: str
    summary: str
    lines: int
    reversed_by: str | None
    reverses_number: str | None


@dataclass(frozen=True)
class OutboxEvent:
    """A saved document's event waiting to be (or already) sent to the state server."""

    sequence: int
    event_id: str
    epoch: int
    type: str
    payload: dict[str, Any]
    hlc: str
    created_at: str
    status: str
    attempts: int


@dataclass(frozen=True)
class ImportReport:
    """What a CSV import did: rows taken and rows refused with their row number and reason."""

    added: int
    updated: int
    rejected: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass(frozen=True)
class Alert:
    kind: str  # stock_out, low_stock, near_expiry, expired, sync_overdue
    item_code: str | None
    message: str  # English, for logs and the CLI; screens compose their own from ``details``
    severity: int  # 2 red, 1 amber
    #: The facts behind the message (name, batch_no, expiry_month, qty, months, minimum), so a
    #: screen can say it in the user's language.
    details: dict[str, Any] = field(default_factory=dict)
