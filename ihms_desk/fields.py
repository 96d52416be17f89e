"""What a valid record is, written once: every field rule (codes, batch numbers, text, dates,
months, quantities, unit costs, document numbers) and the shape of a document on the wire.

Standard library only, because three places check records and all three import this module:
the desk's store (at save, with a refusal the person at the counter can act on), the sync
protocol that the desk and the state server both run (``ihms_desk.sync.protocol``), and the
server's OpenAPI models (``ihms_server.models``, whose patterns are the ones below). So what
the desk saves, the server accepts; ``tests/server/test_store_and_server_agree.py`` checks it
with generated input.

A rule returns the value it was given (never a changed one: normalising, such as upper-casing
a typed batch number, is the store's job before it asks) or raises :class:`FieldProblem`,
whose ``problem`` says what is wrong without naming the field: each caller names the field in
its own refusal (the store's ``InvalidInput``, the protocol's ``ProtocolError``).
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import itertools
import os
import re
import unicodedata
from urllib.parse import urlsplit
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, TypedDict

# --- kinds ----------------------------------------------------------------------------------

#: Every kind of document a desk saves; each is one kind of event on the wire.
DOCUMENT_KINDS: Final[tuple[str, ...]] = (
    "receipt", "dispense", "adjustment", "transfer", "stocktake", "reversal", "indent",
)
#: Documents that may move no stock at all: a stocktake that found the books right, a dispense
#: where every line was "not available", and the reversal of either.
KINDS_WITHOUT_MOVEMENTS: Final = frozenset({"stocktake", "dispense", "reversal", "indent"})
#: Community, primary and urban primary health centre, district and sub-district hospital,
#: sub-centre: the state's facility types (the server's CHECK constraint lists the same).
FACILITY_TYPES: Final[tuple[str, ...]] = ("CHC", "PHC", "UPHC", "DH", "SDH", "SC")
#: The facility types a desk can be set up for (a sub-centre has no desk).
DESK_FACILITY_TYPES: Final[tuple[str, ...]] = ("CHC", "PHC", "UPHC", "SDH", "DH")
ITEM_CATEGORIES: Final[tuple[str, ...]] = ("drug", "surgical", "suture")

# --- bounds ---------------------------------------------------------------------------------

#: No single document line moves more than this many units: a typo guard, not a policy.
MAX_LINE_QTY: Final = 1_000_000
#: One OPD patient never takes home more than this of one item.
MAX_DISPENSE_QTY: Final = 10_000
#: A stocktake count of one batch.
MAX_COUNTED: Final = 10_000_000
#: A movement on the wire (a stocktake difference can be as large as a count); also keeps
#: every stored value inside PostgreSQL's integer columns.
MAX_ABS_QTY: Final = 10**9
MAX_UNIT_COST: Final = Decimal(10_000_000)
MAX_BATCH_NO: Final = 40
MAX_DOCUMENT_NUMBER: Final = 64
MAX_CREATED_BY: Final = 64
MAX_MANUFACTURER: Final = 120
MAX_REASON: Final = 1000
#: Expiry months a pack can carry (a year printed as "27" is 2027).
FIRST_EXPIRY_YEAR: Final = 2000
LAST_EXPIRY_YEAR: Final = 2099

# --- patterns (also the server's OpenAPI patterns) ------------------------------------------

#: The end of the text: Python's ``$`` also matches before a final line break, and ECMA-262
#: (the regular expressions of JSON Schema) has no ``\Z``; this means the same in both.
END_OF_TEXT: Final = r"(?![\s\S])"

#: Item codes of the state catalogue: upper case, as every desk stores them.
ITEM_CODE_PATTERN: Final = r"^[A-Z0-9][A-Z0-9._/\-]{0,19}" + END_OF_TEXT
#: Facility codes appear in the dashboard's URLs, so no slash.
FACILITY_CODE_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}" + END_OF_TEXT
#: Printable ASCII, as GS1 barcodes carry batch numbers and packs print them; no space at
#: either end. Any other character (a DEL, a right-to-left override, a zero-width space, a
#: letter of another script) would make one batch look like two, or two like one.
BATCH_NO_PATTERN: Final = rf"^[!-~](?:[ -~]{{0,{MAX_BATCH_NO - 2}}}[!-~])?" + END_OF_TEXT
MONTH_PATTERN: Final = r"^20\d{2}-(0[1-9]|1[0-2])" + END_OF_TEXT
DATE_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}" + END_OF_TEXT
#: Rupees with at most four decimals, as an exact decimal string ("12.50").
UNIT_COST_PATTERN: Final = r"^\d{1,8}(\.\d{1,4})?" + END_OF_TEXT
#: ``DSP/2026-27/000123``, ``DSP/2026-27/B-000045``: upper-case letters, digits and / . _ -
DOCUMENT_NUMBER_PATTERN: Final = rf"^[A-Z0-9][A-Z0-9/._\-]{{0,{MAX_DOCUMENT_NUMBER - 1}}}" + END_OF_TEXT

#: A user name (the desk's accounts, and the server's): ASCII letters and digits, with . _ -
#: (lower case, as both store them). A letter of another script that looks like a Latin one (a
#: Cyrillic а, an invisible joiner, a right-to-left mark) would give two accounts one look.
MAX_USER_NAME: Final = 30
USER_NAME_PATTERN: Final = r"^[a-z0-9._\-]*[a-z0-9][a-z0-9._\-]*" + END_OF_TEXT

_ITEM_CODE = re.compile(ITEM_CODE_PATTERN)
_USER_NAME = re.compile(USER_NAME_PATTERN)
_FACILITY_CODE = re.compile(FACILITY_CODE_PATTERN)
_BATCH_NO = re.compile(BATCH_NO_PATTERN)
_MONTH = re.compile(MONTH_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_UNIT_COST = re.compile(UNIT_COST_PATTERN)
_DOCUMENT_NUMBER = re.compile(DOCUMENT_NUMBER_PATTERN)
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: A line break or tab inside a spreadsheet cell is a space in a catalogue name.
SPREADSHEET_SPACE: Final = re.compile(r"[\t\r\n ]+")
#: Zero-width non-joiner and joiner: Hindi typing uses them to choose a conjunct's shape.
_JOINERS = frozenset("\u200c\u200d")




#: Code points that may hold a control, format or separator character: planes 0-3 and 14 (4-13
#: are unassigned, 15-16 private use). A quarter of the code space, walked in a quarter of the
#: time; tests/test_fields.py checks against the whole of it.
_PLANES_WITH_FORMAT_CHARACTERS: Final = (range(0x40000), range(0xE0000, 0xF0000))


def _refused_in_text(ch: str) -> bool:
    """What :func:`text` refuses, character by character."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") and ch not in _JOINERS


def _character_class(refused: str) -> str:
    """A regular-expression class body listing every character :func:`text` refuses, except
    those in ``refused`` (allowed here), as ranges: ``\\uXXXX`` escapes inside the basic plane,
    the characters themselves beyond it (ECMA-262 without its u flag has no escape for them)."""
    ranges: list[tuple[int, int]] = []
    for code in itertools.chain(*_PLANES_WITH_FORMAT_CHARACTERS):
        ch = chr(code)
        # Half a surrogate pair is not text at all: a JSON Schema validator cannot even name it
        # in a pattern (the rule refuses it all the same).
        if _refused_in_text(ch) and ch not in refused and not 0xD800 <= code <= 0xDFFF:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))

    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in ranges)


@functools.cache
def text_pattern() -> str:
    """:func:`text` as a pattern (the server's OpenAPI document): at least one character that
    is not a space, and no control or invisible character. Built on first use (it walks every
    code point that can hold one once, about 0.1 s), never at import."""
    bad = _character_class("")
    return rf"^[^{bad}]*[^\s{bad}][^{bad}]*{END_OF_TEXT}"


@functools.cache
def spreadsheet_text_pattern() -> str:
    """:func:`text` after tabs and line breaks became spaces (a name from a spreadsheet cell,
    or a device's name): the same, with tab, line feed and carriage return allowed."""
    bad = _character_class("\t\n\r")
    every = _character_class("")
    return rf"^[^{bad}]*[^\s{every}][^{bad}]*{END_OF_TEXT}"


class FieldProblem(ValueError):
    """A value that breaks a field rule; ``problem`` is plain English without the field's name
    (the server's protocol errors say it). ``kind`` names the problem for the desk, whose
    refusals word it in the person's language (``ihms_desk.wording``: ``required``,
    ``too_long``, ``control_characters``, ``invisible_character``, ``space_at_ends``,
    ``characters``); ``None`` for problems only a wire record can have."""

    def __init__(self, problem: str, kind: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.kind = kind


# --- the rules ------------------------------------------------------------------------------


def text(value: Any, max_length: int, *, required: bool = True) -> str:
    """Free text people type (names, notes, voucher numbers) as it is to be stored.

    Refused: a control character (tab, line break, NUL, DEL, C1 controls), an invisible
    formatting character (a right-to-left override or mark, a zero-width space, a byte-order
    mark), a line or paragraph separator, or half of a surrogate pair. The zero-width joiner
    and non-joiner stay allowed: Devanagari needs them.
    """
    if not isinstance(value, str):
        raise FieldProblem("must be text")
    if required and not value.strip():
        raise FieldProblem("is required", "required")
    if len(value) > max_length:
        raise FieldProblem(f"is longer than {max_length} characters", "too_long")
    if _ASCII_CONTROL.search(value):
        raise FieldProblem("contains control characters", "control_characters")
    if not value.isascii():
        for ch in value:
            category = unicodedata.category(ch)
            if category == "Cc":
                raise FieldProblem("contains control characters", "control_characters")
            if category in ("Cf", "Zl", "Zp", "Cs") and ch not in _JOINERS:
                raise FieldProblem(
                    "contains an invisible character (such as a right-to-left mark or a "
                    "zero-width space)", "invisible_character")
    return value


def batch_no(value: Any) -> str:
    """A batch number as stored: 1 to 40 printable ASCII characters, no space at either end."""
    if not isinstance(value, str) or not value:
        raise FieldProblem("is required", "required")
    if len(value) > MAX_BATCH_NO:
        raise FieldProblem(f"is longer than {MAX_BATCH_NO} characters", "too_long")
    if not _BATCH_NO.match(value):
        if value != value.strip():
            raise FieldProblem("must not start or end with a space", "space_at_ends")
        raise FieldProblem(
            "may hold only what is printed on the pack: letters A-Z, digits, spaces and "
            "punctuation such as - / .", "characters")
    return value


def user_name(value: Any) -> str:
    """A user name as stored (already lower case): 1-30 of a-z 0-9 . _ - with a letter or digit."""
    if not isinstance(value, str) or not value:
        raise FieldProblem("is required", "required")
    if len(value) > MAX_USER_NAME:
        raise FieldProblem(f"is longer than {MAX_USER_NAME} characters", "too_long")
    if not _USER_NAME.match(value):
        raise FieldProblem("may hold only the letters a-z, digits and . _ -", "characters")
    return value


def item_code(value: Any) -> str:
    if not isinstance(value, str) or not _ITEM_CODE.match(value):
        raise FieldProblem("must be 1-20 capital letters, digits or . _ / -")
    return value


def facility_code(value: Any) -> str:
    if not isinstance(value, str) or not _FACILITY_CODE.match(value):
        raise FieldProblem("must be a code of letters, digits and - _ . (at most 40)")
    return value


def is_facility_code(value: str) -> bool:
    """Could ``value`` be a facility code at all?"""
    return bool(_FACILITY_CODE.match(value))


def month(value: Any) -> str:
    """An expiry month ``2027-03`` (usable through 31 March 2027)."""
    if not isinstance(value, str) or not _MONTH.match(value):
        raise FieldProblem(
            f"must be a month YYYY-MM from {FIRST_EXPIRY_YEAR} to {LAST_EXPIRY_YEAR}")
    return value


def date(value: Any) -> str:
    """A calendar date ``2026-11-25``."""
    if isinstance(value, str) and _DATE.match(value):
        try:
            dt.date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise FieldProblem("must be a date YYYY-MM-DD")


def movement_qty(value: Any) -> int:
    """A ledger movement: a signed whole number of units, never zero."""
    # bool is an int in Python but never a quantity.
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldProblem("must be a whole number")
    if value == 0:
        raise FieldProblem("must not be zero (+ into stock, - out of stock)")
    if abs(value) > MAX_ABS_QTY:
        raise FieldProblem(f"must be between -{MAX_ABS_QTY} and {MAX_ABS_QTY}")
    return value


def unit_cost(value: Any) -> str | None:
    """Rupees per unit as an exact decimal string (floats would drift), or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not _UNIT_COST.match(value) \
            or Decimal(value) > MAX_UNIT_COST:
        raise FieldProblem(f'must be a decimal string like "12.50", at most {MAX_UNIT_COST}')
    return value


def document_number(value: Any) -> str:
    if not isinstance(value, str) or not _DOCUMENT_NUMBER.match(value):
        raise FieldProblem(
            f"must be 1 to {MAX_DOCUMENT_NUMBER} capital letters, digits and / . _ -")
    return value


#: Set to 1 in a test lab's environment to let a desk talk plain HTTP to another machine
#: (docs/server.md, "TLS in front of ihms-server"); never on a facility's PC.
ALLOW_PLAIN_HTTP_VARIABLE: Final = "IHMS_ALLOW_PLAIN_HTTP"


def is_loopback_host(host: str | None) -> bool:
    """This machine itself (``localhost``, 127.0.0.0/8, ``::1``): the one place plain HTTP
    carries a token without crossing a line anybody else can read."""
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_refused(url: str) -> bool:
    """Would a server address send the device token and the records unencrypted across a
    network? Plain HTTP is allowed to this machine itself, and anywhere in a lab that set
    :data:`ALLOW_PLAIN_HTTP_VARIABLE` to 1 (the desk's setting, the wizard's package, the
    command line and the server's own ``server_url`` setting all ask this)."""
    parts = urlsplit(url.strip())
    return (parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname)
            and os.environ.get(ALLOW_PLAIN_HTTP_VARIABLE, "") != "1")


# --- records the desk and the server both keep ----------------------------------------------


@dataclass(frozen=True)
class Facility:
    """A facility as a desk knows it (the server's listing adds whether it is active)."""

    code: str
    name: str
    district: str
    block: str
    type: str



@dataclass(frozen=True)
class PackLine:
    """A line of packs as a label and a challan give them: the item, its batch, expiry,
    maker and cost, and how many units. A receipt line, a voucher line the desk pulls and one
    the warehouse enters are each this with what their document adds."""

    item_code: str
    batch_no: str
    expiry_month: str
    qty: int
    manufacturer: str | None = None
    unit_cost: str | None = None


# --- the shape of a saved document on the wire ----------------------------------------------
# The desk's store builds these (``SavedDocument.payload``), the protocol checks them, the
# server's pydantic models mirror them (a test compares the field names).


class MovementDict(TypedDict):
    """One ledger movement of the document: a batch and a signed quantity."""

    line_no: int
    item_code: str
    batch_no: str
    expiry_month: str
    manufacturer: str | None
    unit_cost: str | None
    qty: int


class DocumentDict(TypedDict):
    """The whole document as saved; ``header`` and ``lines`` depend on its kind."""

    number: str
    kind: str
    doc_date: str
    created_at: str
    created_by: str
    reverses_number: str | None
    reason: str | None
    header: dict[str, Any]
    lines: list[dict[str, Any]]


class PayloadDict(TypedDict):
    """An event's payload: the document and the movements it made."""

    document: DocumentDict
    movements: list[MovementDict]
