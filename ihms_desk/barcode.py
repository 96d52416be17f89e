"""Read what a barcode scanner types: GS1 element strings (GTIN, batch, expiry, serial) from
DataMatrix, GS1-128 and plain EAN/ITF codes. Pure Python, no Qt, so it is tested on its own.

A scanner acting as a keyboard sends, for a medicine pack's GS1 DataMatrix, something like::

    ]d201089012345678901727033110AB123<GS>21SN0001

where ``]d2`` is the optional symbology prefix, ``<GS>`` is ASCII 29 (the FNC1 separator that
ends a variable-length field) and the digits are application identifiers (AIs) followed by
their values. The human-readable line printed under the code is accepted too::

    (01)08901234567890(17)270331(10)AB123

Use :func:`parse_scan`; a malformed scan raises :class:`BarcodeError` with a message a clerk
can act on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from ihms_desk.wording import Label, say

#: ASCII 29, the GS1 group separator (FNC1 inside the data).
GS = "\x1d"
#: Characters treated as the separator: ASCII 29 and the visible "SYMBOL FOR GROUP SEPARATOR"
#: the scan field shows in its place (a line edit cannot show a control character).
SEPARATORS = (GS, "\u241d")

#: Symbology identifiers (ISO/IEC 15424) that announce GS1 data.
_GS1_SYMBOLOGIES = {"]d2", "]C1", "]e0", "]Q3", "]J1"}
#: Symbology identifiers of codes that carry only a GTIN (EAN-13/8, UPC, ITF-14).
_GTIN_SYMBOLOGIES = {"]E0", "]E4", "]I0", "]I1", "]X0"}
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


@dataclass(frozen=True)
class _AI:
    """How one application identifier's value is written."""

    title: str
    length: int | None  # fixed length of the value, or None when variable (ends at GS)
    max_length: int
    numeric: bool = False


def _fixed(title: str, length: int, numeric: bool = True) -> _AI:
    return _AI(title, length, length, numeric)


def _variable(title: str, max_length: int, numeric: bool = False) -> _AI:
    return _AI(title, None, max_length, numeric)


# The AIs a medicine pack or shipping case carries, from the GS1 General Specifications.
# An AI outside this table is refused by name rather than guessed at: guessing its length
# would silently shift every field after it.
_TABLE: dict[str, _AI] = {
    "00": _fixed("SSCC", 18),
    "01": _fixed("GTIN", 14),
    "02": _fixed("GTIN of contained items", 14),
    "10": _variable("batch", 20),
    "11": _fixed("production date", 6),
    "12": _fixed("due date", 6),
    "13": _fixed("packaging date", 6),
    "15": _fixed("best before date", 6),
    "16": _fixed("sell by date", 6),
    "17": _fixed("expiry date", 6),
    "20": _fixed("variant", 2),
    "21": _variable("serial number", 20),
    "22": _variable("consumer product variant", 20),
    "30": _variable("count", 8, numeric=True),
    "37": _variable("count of trade items", 8, numeric=True),
    "90": _variable("internal information", 30),
    "235": _variable("third-party serial", 28),
    "240": _variable("additional product identification", 30),
    "241": _variable("customer part number", 30),
    "242": _variable("made-to-order variation", 6, numeric=True),
    "250": _variable("secondary serial number", 30),
    "251": _variable("reference to source entity", 30),
    "400": _variable("order number", 30),
    "401": _variable("consignment number", 30),
    "402": _fixed("shipment identification", 17),
    "403": _variable("routing code", 30),
    "422": _fixed("country of origin", 3),
    "710": _variable("national healthcare reimbursement number (Germany)", 20),
    "711": _variable("national healthcare reimbursement number (France)", 20),
    "712": _variable("national healthcare reimbursement number (Spain)", 20),
    "713": _variable("national healthcare reimbursement number (Brazil)", 20),
    "714": _variable("national healthcare reimbursement number (Portugal)", 20),
    "715": _variable("national healthcare reimbursement number (USA)", 20),
    "7003": _fixed("expiry date and time", 10),
    "8006": _fixed("component of a trade item", 18),
    "8020": _variable("payment slip reference", 25),
}
for _code in range(410, 418):  # global location numbers: ship to, bill to, ...
    _TABLE[str(_code)] = _fixed("global location number", 13)
for _code in range(91, 100):  # company internal information
    _TABLE[str(_code)] = _variable("company internal information", 90)
for _prefix in ("310", "311", "312", "313", "314", "315", "316", "320", "330", "340", "350", "356", "360"):
    for _decimals in range(10):  # measures: the fourth digit is the decimal point position
        _TABLE[f"{_prefix}{_decimals}"] = _fixed("measure", 6)


class BarcodeError(ValueError):
    """A scan that cannot be read: a ``kind`` of :mod:`ihms_desk.wording` and its values, as a
    store refusal carries them; ``message`` (English) says what is wrong and what to do."""

    def __init__(self, kind: str, *, field: str = "scan", **values: object) -> None:
        self.kind = kind
        self.values: dict[str, object] = values
        self.field = field
        self.message = say(kind, values)
        super().__init__(self.message)


@dataclass(frozen=True)
class ScanResult:
    """What one scan said. Fields the code did not carry are ``None``."""

    gtin: str | None = None
    batch_no: str | None = None
    #: The expiry as the store keeps it, ``YYYY-MM`` (usable through the end of that month).
    expiry_month: str | None = None
    #: The exact expiry day: the last day of the month when the code says day ``00``.
    expiry_date: dt.date | None = None
    production_date: dt.date | None = None
    serial: str | None = None
    #: Every element read, AI to value, in the order scanned.
    elements: dict[str, str] = field(default_factory=dict)


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it (weights 3, 1, 3, ... from the right)."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_gtin(digits: str) -> str:
    """A GTIN-8, -12, -13 or -14 as its 14-digit form, after checking its check digit."""
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise BarcodeError("gtin_bad_length", field="gtin", text=digits)
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise BarcodeError("gtin_bad_check_digit", field="gtin", gtin=digits, expected=gtin_check_digit(digits[:-1]))
    return digits.rjust(14, "0")


def gs1_date(value: str, *, ai: str, today: dt.date | None = None) -> dt.date:
    """A GS1 ``YYMMDD`` date; day ``00`` means the last day of the month.

    The century follows the GS1 rule: the year is taken within 49 years back and 50 years
    ahead of the current year, so ``27`` is 2027 and ``99`` is 1999 when read in 2026.
    """
    if len(value) != 6 or not value.isdigit():
        raise BarcodeError("scan_date_not_six_digits", field=_date_field(ai), ai=ai, text=value)
    yy, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    current = (today or dt.date.today()).year
    century = current // 100 * 100
    difference = yy - current % 100
    if difference >= 51:
        century -= 100
    elif difference <= -50:
        century += 100
    year = century + yy
    if not 1 <= month <= 12:
        raise BarcodeError("scan_date_bad_month", field=_date_field(ai), ai=ai, text=value, month=f"{month:02d}")
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last
    if day > last:
        raise BarcodeError("scan_date_bad_day", field=_date_field(ai), ai=ai, text=value, day=f"{day:02d}")
    return dt.date(year, month, day)


def _date_field(ai: str) -> str:
    return "expiry" if ai == "17" else "scan"


def _strip_prefix(text: str) -> tuple[str, str | None]:
    """Remove the symbology identifier a scanner may put first, and say which it was."""
    match = _SYMBOLOGY.match(text)
    if match:
        return text[3:], text[:3]
    return text, None


def _ai_at(data: str, position: int) -> str:
    for length in (2, 3, 4):
        candidate = data[position : position + length]
        if len(candidate) == length and candidate in _TABLE:
            return candidate
    shown = data[position : position + 4]
    raise BarcodeError("scan_unknown_ai_at", text=shown)


def _split_raw(data: str) -> list[tuple[str, str]]:
    """AI and value pairs from an element string where GS ends variable-length fields."""
    for separator in SEPARATORS[1:]:
        data = data.replace(separator, GS)
    elements: list[tuple[str, str]] = []
    position = 0
    while position < len(data):
        if data[position] == GS:  # FNC1 first, or a separator after a fixed-length field
            position += 1
            continue
        ai = _ai_at(data, position)
        spec = _TABLE[ai]
        start = position + len(ai)
        if spec.length is not None:
            value = data[start : start + spec.length]
            if len(value) < spec.length or GS in value:
                raise BarcodeError("scan_ends_early", ai=ai, title=Label(f"gs1.{spec.title}", spec.title), length=spec.length)
            position = start + spec.length
        else:
            end = data.find(GS, start)
            end = len(data) if end == -1 else end
            value = data[start:end]
            if len(value) > spec.max_length:
                raise BarcodeError("scan_no_separator", ai=ai, title=Label(f"gs1.{spec.title}", spec.title), maximum=spec.max_length)
            position = end
        elements.append((ai, value))
    return elements


_BRACKETED = re.compile(r"\(\s*(\d{2,4})\s*\)([^()]*)")


def _split_bracketed(data: str) -> list[tuple[str, str]]:
    """AI and value pairs from the human-readable form ``(01)0890...(17)270331(10)AB123``."""
    elements: list[tuple[str, str]] = []
    position = 0
    for match in _BRACKETED.finditer(data):
        if data[position : match.start()].strip():
            raise BarcodeError("scan_unreadable_text", text=data[position:match.start()])
        ai, value = match.group(1), match.group(2).strip()
        if ai not in _TABLE:
            raise BarcodeError("scan_unknown_ai", ai=ai)
        spec = _TABLE[ai]
        if spec.length is not None and len(value) != spec.length:
            raise BarcodeError("scan_wrong_length", ai=ai, title=Label(f"gs1.{spec.title}", spec.title), length=spec.length, found=len(value))
        if len(value) > spec.max_length:
            raise BarcodeError("scan_too_long", ai=ai, title=Label(f"gs1.{spec.title}", spec.title), maximum=spec.max_length)
        elements.append((ai, value))
        position = match.end()
    if data[position:].strip():
        raise BarcodeError("scan_unreadable_text", text=data[position:])
    return elements


def parse_scan(text: str, *, today: dt.date | None = None) -> ScanResult:
    """Read one scan into its GTIN, batch, expiry, production date and serial.

    Accepts GS1 element strings with or without a symbology prefix (``]d2``, ``]C1``,
    ``]Q3``, ...) and FNC1/GS separators, the bracketed human-readable form, and a plain
    EAN-13/EAN-8/UPC/ITF-14 number (a GTIN alone)::

        parse_scan("]d2" "0108901234567890" "17270300" "10AB123").expiry_month  # '2027-03'
    """
    data = (text or "").strip(" \r\n\t")
    if not data:
        raise BarcodeError("scan_empty")
    data, symbology = _strip_prefix(data)
    if _BRACKETED.search(data):
        elements = _split_bracketed(data)
    elif symbology in _GTIN_SYMBOLOGIES or (symbology is None and data.isdigit() and len(data) in (8, 12, 13, 14)):
        # A linear code on a strip or carton carries the GTIN only.
        return ScanResult(gtin=normalise_gtin(data), elements={"01": normalise_gtin(data)})
    elif symbology is not None and symbology not in _GS1_SYMBOLOGIES:
        raise BarcodeError("scan_not_gs1", symbology=symbology)
    else:
        elements = _split_raw(data)
    if not elements:
        raise BarcodeError("scan_no_gs1")
    return _result(elements, today)


def _result(elements: list[tuple[str, str]], today: dt.date | None) -> ScanResult:
    values: dict[str, str] = {}
    for ai, value in elements:
        spec = _TABLE[ai]
        if ai in values and values[ai] != value:
            raise BarcodeError("scan_repeated", ai=ai, title=Label(f"gs1.{spec.title}", spec.title))
        if spec.numeric and not value.isdigit():
            raise BarcodeError("scan_not_digits", ai=ai, title=Label(f"gs1.{spec.title}", spec.title), text=value)
        if not value:
            raise BarcodeError("scan_element_empty", ai=ai, title=Label(f"gs1.{spec.title}", spec.title))
        if any(ord(ch) < 32 for ch in value):
            raise BarcodeError("scan_control_characters", ai=ai, title=Label(f"gs1.{spec.title}", spec.title))
        values[ai] = value
    gtin = normalise_gtin(values["01"]) if "01" in values else None
    expiry = gs1_date(values["17"], ai="17", today=today) if "17" in values else None
    production = gs1_date(values["11"], ai="11", today=today) if "11" in values else None
    return ScanResult(
        gtin=gtin,
        batch_no=values.get("10"),
        expiry_month=expiry.strftime("%Y-%m") if expiry else None,
        expiry_date=expiry,
        production_date=production,
        serial=values.get("21"),
        elements=values,
    )


# -- the patient's header: ABHA card QR, OPD slip barcode ----------------------------------------


@dataclass(frozen=True)
class PatientScan:
    """What a scan at the dispensing counter said about the patient (fields not carried: None)."""

    opd_no: str | None = None
    name: str | None = None
    sex: str | None = None
    year_of_birth: int | None = None
    abha: str | None = None


#: The ABHA number's keys in the QR of the cards issued over the years, and the sex letters.
_ABHA_NUMBER_KEYS = ("hidn", "abha_number", "abhaNumber", "healthIdNumber")
_SEX_LETTERS = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F", "O": "O", "OTHER": "O", "T": "O", "TRANSGENDER": "O"}


def looks_like_abha_qr(text: str) -> bool:
    """Whether what the scanner typed is an ABHA card's QR (a JSON object), not an OPD number."""
    stripped = text.strip()
    return stripped.startswith("{") and stripped.endswith("}")


def parse_patient_scan(text: str) -> PatientScan:
    """An ABHA card's QR (``{"hidn": "91-...", "name": ..., "gender": "F", "dob": "1-1-1990"}``,
    or ``yob``) gives the name, sex, year of birth and ABHA number; any other code is the OPD
    slip's barcode, whose text is the OPD number. :class:`BarcodeError` if the QR is unreadable."""
    import json

    stripped = " ".join(text.split())
    if not looks_like_abha_qr(stripped):
        if not stripped or len(stripped) > 30:
            raise BarcodeError("opd_slip_unreadable", field="opd_no")
        return PatientScan(opd_no=stripped)
    try:
        data = json.loads(stripped)
    except ValueError:
        raise BarcodeError("abha_qr_unreadable", field="opd_no") from None
    if not isinstance(data, dict):
        raise BarcodeError("abha_qr_unreadable", field="opd_no")
    number = next((str(data[key]) for key in _ABHA_NUMBER_KEYS if data.get(key)), None)
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    abha = f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}" if len(digits) == 14 else None
    year: int | None = None
    if str(data.get("yob") or "").strip().isdigit():
        year = int(str(data["yob"]).strip())
    else:
        found = re.search(r"(\d{4})", str(data.get("dob") or ""))
        year = int(found[1]) if found else None
    name = " ".join(str(data.get("name") or "").split()) or None
    sex = _SEX_LETTERS.get(str(data.get("gender") or data.get("sex") or "").strip().upper())
    if name is None and abha is None:
        raise BarcodeError("abha_qr_unreadable", field="opd_no")
    return PatientScan(name=name, sex=sex, year_of_birth=year, abha=abha)
