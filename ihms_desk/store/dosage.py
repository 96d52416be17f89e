"""Turn what a pharmacist types in the quantity field into a number of units.

Accepted forms (case and spacing do not matter; the ``x`` before the days may be left out)::

    10            a plain count
    1-0-1 x5      morning-noon-night pattern, for 5 days  -> 10
    1-0-1 5 days  the same, as the slip says it            -> 10
    1-1-1-1 x 3   four times a day for 3 days             -> 12
    1/2-0-1/2 x3  half tablets: the total is rounded up    -> 3
    BD x5, BD 5   twice a day (also OD, HS, TDS/TID, QID/QDS, SOS) -> 10
    TDS x 5 days  the word "days" / "d" is allowed
    SOS 6         six doses when needed                    -> 6
    2 BD x 5      two units twice a day                    -> 20

For a liquid sold by the bottle (the item's name says the bottle, ``... Syrup (60 ml)``) the
dose may be in ml, and the bottles are counted::

    5ml TDS x5    5 ml three times a day for 5 days = 75 ml -> 2 bottles of 60 ml
    2.5 ml BD 3   15 ml                                     -> 1 bottle
    100 ml        100 ml                                    -> 2 bottles of 60 ml
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from ihms_desk.store.errors import InvalidQuantity
from ihms_desk.store.rules import MAX_DISPENSE_QTY

FREQUENCY_PER_DAY = {
    "OD": 1,
    "HS": 1,
    "SOS": 1,
    "BD": 2,
    "BID": 2,
    "TDS": 3,
    "TID": 3,
    "QID": 4,
    "QDS": 4,
}

#: How the example in a refusal reads: the forms the counter types most.
EXAMPLES = "10, 1-0-1 x5, BD 5, TDS x5, 5ml TDS x5"

_DAYS = r"\s*(?:[xX*×]\s*|\s)(?P<days>\d{1,3})\s*(?:d|day|days)?"
_DOSE = r"\d+(?:/\d+)?"
_PATTERN = re.compile(r"^(?P<doses>" + _DOSE + r"(?:\s*-\s*" + _DOSE + r"){1,4})" + _DAYS + "$", re.IGNORECASE)
_FREQUENCY = re.compile(
    r"^(?:(?P<per_dose>" + _DOSE + r")\s*)?(?P<code>" + "|".join(FREQUENCY_PER_DAY) + ")" + _DAYS + "$",
    re.IGNORECASE,
)
#: ``5ml`` / ``2.5 ml`` in front of a frequency or a pattern, or alone.
_MILLILITRES = re.compile(r"^(?P<ml>\d{1,4}(?:\.\d{1,2})?)\s*ml\b\s*(?P<rest>.*)$", re.IGNORECASE)
#: The bottle in an item's name or strength: ``(60 ml)``, ``100 ml``, ``30ml``.
_BOTTLE = re.compile(r"\(\s*(\d{1,4})\s*ml\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Dose:
    """What a typed quantity comes to: ``units`` of the item, and the ml if it was a volume."""

    units: int
    millilitres: Fraction | None = None


def bottle_ml(name: str) -> int | None:
    """The volume of one bottle as the item's name gives it (``Syrup (60 ml)``), else None."""
    match = _BOTTLE.search(name or "")
    return int(match[1]) if match and int(match[1]) > 0 else None


def parse_quantity(text: str, *, maximum: int = MAX_DISPENSE_QTY) -> int:
    """The number of units ``text`` asks for; :class:`InvalidQuantity` says how to type it."""
    return read_dose(text, maximum=maximum).units


def read_dose(text: str, *, bottle: int | None = None, maximum: int = MAX_DISPENSE_QTY) -> Dose:
    """What ``text`` asks for, in units of issue; a dose in ml needs ``bottle`` (the ml in one
    bottle, :func:`bottle_ml`) and is counted in whole bottles."""
    cleaned = " ".join((text or "").split())
    if len(cleaned) > 40:  # also keeps int() off numbers too long for it to read
        raise InvalidQuantity("quantity_text_too_long", field="quantity", text=cleaned[:20])
    millilitres: Fraction | None = None
    volume = _MILLILITRES.match(cleaned)
    if volume:
        if bottle is None:
            raise InvalidQuantity("ml_needs_a_bottle", field="quantity", text=cleaned)
        per_dose = Fraction(volume["ml"])
        rest = volume["rest"].strip()
        try:
            millilitres = per_dose * _doses(rest) if rest else per_dose
        except ZeroDivisionError:
            raise InvalidQuantity("dose_divides_by_zero", field="quantity", text=cleaned) from None
        quantity = math.ceil(millilitres / bottle)
    elif cleaned.isdecimal():  # not isdigit(): int() cannot read "²"
        quantity = int(cleaned)
    else:
        try:
            quantity = math.ceil(_doses(cleaned))
        except ZeroDivisionError:  # a half typed as 1/0
            raise InvalidQuantity("dose_divides_by_zero", field="quantity", text=cleaned) from None
    if quantity <= 0:
        raise InvalidQuantity("quantity_at_least_one", field="quantity")
    if quantity > maximum:
        raise InvalidQuantity("dose_too_large", field="quantity", qty=quantity, maximum=maximum)
    return Dose(quantity, millilitres)


def _doses(text: str) -> Fraction:
    """How many doses (or units) a pattern or a frequency comes to, not yet rounded."""
    match = _PATTERN.match(text)
    if match:
        doses = [Fraction(part.strip()) for part in match["doses"].split("-")]
        return sum(doses, Fraction(0)) * int(match["days"])
    match = _FREQUENCY.match(text)
    if match:
        per_dose = Fraction(match["per_dose"]) if match["per_dose"] else Fraction(1)
        return per_dose * FREQUENCY_PER_DAY[match["code"].upper()] * int(match["days"])
    raise InvalidQuantity("not_a_quantity", field="quantity", text=text, examples=EXAMPLES)
