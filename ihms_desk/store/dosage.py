"""Turn what a pharmacist types in the quantity field into a number of units.

Accepted forms (case and spacing do not matter)::

    10            a plain count
    1-0-1 x5      morning-noon-night pattern, for 5 days  -> 10
    1-1-1-1 x 3   four times a day for 3 days             -> 12
    1/2-0-0 x5    half tablets: the total is rounded up    -> 3
    BD x5         twice a day (also OD, HS, TDS/TID, QID/QDS, SOS) -> 10
    TDS x 5 days  the word "days" / "d" is allowed
    2 BD x 5      two units twice a day                    -> 20
"""

from __future__ import annotations

import math
import re
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

_DAYS = r"\s*[xX*×]\s*(?P<days>\d{1,3})\s*(?:d|day|days)?"
_PATTERN = re.compile(r"^(?P<doses>\d+(?:/\d+)?(?:\s*-\s*\d+(?:/\d+)?){1,4})" + _DAYS + "$", re.IGNORECASE)
_FREQUENCY = re.compile(
    r"^(?:(?P<per_dose>\d+(?:/\d+)?)\s*)?(?P<code>" + "|".join(FREQUENCY_PER_DAY) + ")" + _DAYS + "$",
    re.IGNORECASE,
)


def parse_quantity(text: str, *, maximum: int = MAX_DISPENSE_QTY) -> int:
    """The number of units ``text`` asks for; :class:`InvalidQuantity` says how to type it."""
    cleaned = (text or "").strip()
    if len(cleaned) > 40:  # also keeps int() off numbers too long for it to read
        raise InvalidQuantity("quantity_text_too_long", field="quantity", text=cleaned[:20])
    if cleaned.isdecimal():  # not isdigit(): int() cannot read "²"
        quantity = int(cleaned)
    else:
        try:
            quantity = _from_shorthand(cleaned)
        except ZeroDivisionError:  # a half typed as 1/0
            raise InvalidQuantity("dose_divides_by_zero", field="quantity", text=cleaned) from None
    if quantity <= 0:
        raise InvalidQuantity("quantity_at_least_one", field="quantity")
    if quantity > maximum:
        raise InvalidQuantity("dose_too_large", field="quantity", qty=quantity, maximum=maximum)
    return quantity


def _from_shorthand(text: str) -> int:
    match = _PATTERN.match(text)
    if match:
        doses = [Fraction(part.strip()) for part in match["doses"].split("-")]
        per_day = sum(doses, Fraction(0))
        return math.ceil(per_day * int(match["days"]))
    match = _FREQUENCY.match(text)
    if match:
        per_dose = Fraction(match["per_dose"]) if match["per_dose"] else Fraction(1)
        per_day = per_dose * FREQUENCY_PER_DAY[match["code"].upper()]
        return math.ceil(per_day * int(match["days"]))
    raise InvalidQuantity("not_a_quantity", field="quantity", text=text)
