"""Pure rules of the domain: financial years, expiry months, quantities, ABHA numbers.

No database here, so every rule is easy to test on its own and to reuse from the UI for
checking a field as it is typed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ihms_desk.store.errors import InvalidABHA, InvalidInput, InvalidQuantity
from ihms_desk.wording import Label

#: The kinds of facility a desk can be set up for.
FACILITY_TYPES = ("CHC", "PHC", "UPHC", "SDH", "DH")
#: No single document line moves more than this many units: a typo guard, not a policy.
MAX_LINE_QTY = 1_000_000
#: One OPD patient never takes home more than this of one item.
MAX_DISPENSE_QTY = 10_000
MAX_LINES = 200

DOCUMENT_PREFIX = {
    "receipt": "RCV",
    "dispense": "DSP",
    "adjustment": "ADJ",
    "transfer": "TRF",
    "stocktake": "STK",
    "reversal": "REV",
}

_EXPIRY_PATTERNS = (
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),  # 2027-03
    re.compile(r"^(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})$"),  # 03/2027
    re.compile(r"^(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{2})$"),  # 03/27, as printed on strips
)


def financial_year(day: dt.date) -> str:
    """The Indian financial year (April to March) a day falls in, as ``2026-27``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def document_number(kind: str, fy: str, serial: int) -> str:
    """``DSP/2026-27/000123``: readable, and sorts in order within a year."""
    return f"{DOCUMENT_PREFIX[kind]}/{fy}/{serial:06d}"


def parse_expiry_month(text: str, *, field: str = "expiry") -> str:
    """Read an expiry as printed (``03/2027``, ``3/27``, ``2027-03``) into ``2027-03``."""
    cleaned = (text or "").strip().upper().removeprefix("EXP").strip(" :.")
    for pattern in _EXPIRY_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            year = int(match["year"])
            if year < 100:
                year += 2000
            month = int(match["month"])
            if 1 <= month <= 12 and 2000 <= year <= 2099:
                return f"{year:04d}-{month:02d}"
    raise InvalidInput("not_a_month", field=field, text=text)


def last_usable_day(expiry_month: str) -> dt.date:
    """A batch marked ``2027-03`` is usable through 31 March 2027."""
    year, month = (int(part) for part in expiry_month.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def is_expired(expiry_month: str, on: dt.date) -> bool:
    """Expired means past the end of the expiry month on that day."""
    return expiry_month < f"{on.year:04d}-{on.month:02d}"


def expires_within(expiry_month: str, on: dt.date, days: int) -> bool:
    """Not yet expired on ``on`` but its last usable day falls within ``days`` of it."""
    return not is_expired(expiry_month, on) and last_usable_day(expiry_month) <= on + dt.timedelta(days=days)


def check_quantity(value: object, *, field: str = "quantity", maximum: int = MAX_LINE_QTY) -> int:
    """A quantity is a positive whole number in the unit of issue, at most ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        # isdecimal, not isdigit: "²" is a digit that int() cannot read. The length limit keeps
        # int() off strings too long for it (and no sane quantity has 20 digits).
        if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 20:
            value = int(value.strip())
        else:
            raise InvalidQuantity("not_a_whole_number", field=field, text=value)
    assert isinstance(value, int)
    if value <= 0:
        raise InvalidQuantity("quantity_at_least_one", field=field)
    if value > maximum:
        raise InvalidQuantity("quantity_too_large", field=field, qty=value, maximum=maximum)
    return value


def check_text(value: object, field: str, label: str, *, max_length: int = 100, required: bool = True) -> str:
    """Trimmed text of sane length; empty is refused when the field is required."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInput("required", field=field, label=Label(f"field.{field}", label))
    if len(text) > max_length:
        raise InvalidInput("too_long", field=field, label=Label(f"field.{field}", label), n=max_length)
    if any(ord(ch) < 32 for ch in text):
        raise InvalidInput("control_characters", field=field, label=Label(f"field.{field}", label))
    return text


def normalise_batch_no(value: object) -> str:
    """Batch numbers are compared as printed but without case or surrounding space."""
    batch_no = check_text(value, "batch", "Batch number", max_length=40).upper()
    return re.sub(r"\s+", " ", batch_no)


def check_abha(value: str | None) -> str | None:
    """An ABHA number is 14 digits, often written 91-1234-5678-9012; returns the digits."""
    if value is None or not value.strip():
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 14:
        raise InvalidABHA("bad_abha", field="abha")
    return digits


def format_abha(digits: str) -> str:
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


def check_unit_cost(value: object) -> str | None:
    """Unit cost in rupees as an exact decimal string (floats would drift), or ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        cost = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput("unit_cost_not_a_number", field="unit_cost", text=value) from None
    if not cost.is_finite() or cost < 0 or cost > Decimal("10000000"):
        raise InvalidInput("unit_cost_not_sensible", field="unit_cost", text=value)
    if cost.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidInput("unit_cost_decimals", field="unit_cost")
    return format(cost.normalize(), "f") if cost else "0"


def parse_date(value: object, field: str, label: str) -> dt.date:
    """A date from a ``date`` or an ISO ``YYYY-MM-DD`` or Indian ``DD-MM-YYYY`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput("not_a_date", field=field, label=Label(f"field.{field}", label), text=text)
