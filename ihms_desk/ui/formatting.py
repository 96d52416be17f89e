"""How numbers, dates, expiry months and items look on every screen (Indian conventions).

Use these instead of ``str()`` / ``f"{n:,}"`` / ``isoformat()`` so all screens agree::

    from ihms_desk.ui import formatting as fmt

    fmt.qty(150000)                 # '1,50,000'   (Indian grouping: lakh, crore)
    fmt.qty(None)                   # ''
    fmt.date(dt.date(2026, 11, 25)) # '25-11-2026' (also takes '2026-11-25')
    fmt.datetime_local("2026-11-25T04:31:00.000+00:00")  # '25-11-2026 10:01' (PC's time zone)
    fmt.expiry("2027-03")           # '03/2027'    (as printed on the strip)
    fmt.months(1.9)                 # '1'          (whole months, as registers count them)
    fmt.qty_unit(455, "tablet")     # '455 tablet' ('455 गोली' in Hindi)
    fmt.money("1234.5")             # '₹1,234.50'
    fmt.item_label(item)            # 'Paracetamol 500 mg tablet'

Colours for stock states, so the picker, stock, alerts and dispense screens mark things the
same way: ``fmt.EXPIRED_BG``, ``fmt.NEAR_EXPIRY_BG``, ``fmt.OUT_OF_STOCK_FG``, ``fmt.SHORT_BG``
(``QColor``; return them from a model's ``BackgroundRole`` / ``ForegroundRole``).

Digits stay Latin (0-9) in Hindi too: that is what Rajasthan's registers and IHMS print.
Nothing here depends on the UI language except :func:`unit`, which names a unit of issue
in the user's language (``fmt.unit("tablet")`` is 'गोली' in Hindi)::

    f"{fmt.qty(n)} {fmt.unit(item.unit_of_issue)}"
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from PySide6.QtGui import QColor

from ihms_desk.store.model import Item
from ihms_desk.ui import i18n
from ihms_desk.wording import group_indian as group_indian
from ihms_desk.wording import month_as_printed, unit_name, whole_months

#: Expired batch: must not be issued (light red).
EXPIRED_BG = QColor("#f8d7da")
#: Expires within the near-expiry window: issue first (light amber).
NEAR_EXPIRY_BG = QColor("#fff3cd")
#: No usable stock: greyed out text.
OUT_OF_STOCK_FG = QColor("#8a1c1c")
#: A line that could not be met in full (shortfall), light amber as well.
SHORT_BG = QColor("#ffe8b3")
#: Something fine and saved (light green).
OK_BG = QColor("#d4edda")


def qty(number: int | None) -> str:
    """A quantity in units of issue with Indian grouping; ``None`` shows as empty."""
    return "" if number is None else group_indian(number)


def signed_qty(number: int) -> str:
    """A movement: ``+500`` / ``-1,200`` (stock in / out)."""
    return ("+" if number > 0 else "") + group_indian(number)


def money(value: str | Decimal | float | None) -> str:
    """Rupees with two decimals and Indian grouping: ``'₹1,23,456.50'``."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    whole, _, paise = f"{abs(amount):.2f}".partition(".")
    return ("-" if amount < 0 else "") + "₹" + group_indian(int(whole)) + "." + paise


def date(value: dt.date | dt.datetime | str | None) -> str:
    """``dd-mm-yyyy``; takes a date or an ISO string (``2026-11-25`` or a timestamp)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).strftime("%d-%m-%Y")
        except ValueError:
            return value
    return value.strftime("%d-%m-%Y")


def datetime_local(value: dt.datetime | str | None) -> str:
    """A stored UTC timestamp shown in the PC's time zone as ``dd-mm-yyyy HH:MM``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    if value.tzinfo is not None:
        value = value.astimezone()
    return value.strftime("%d-%m-%Y %H:%M")


def time_local(value: dt.datetime | str | None) -> str:
    """Only the local ``HH:MM`` of a stored timestamp (for today's lists)."""
    text = datetime_local(value)
    return text[-5:] if len(text) >= 16 else text


def expiry(month: str | None) -> str:
    """An expiry month ``2027-03`` as printed on packs: ``03/2027``; ``None`` -> ``''``."""
    return month_as_printed(month) if month else ""


def months(value: float | None) -> str:
    """Months of stock as the register counts them, in whole months, rounded down: 1.9 months
    is 1 full month of stock, never "2". Less than a month but some shows as ``<1`` (not 0:
    there is stock); ``None`` (no consumption yet) -> ``''``."""
    return "" if value is None else whole_months(value)


def qty_unit(number: int | None, unit_name: str | None) -> str:
    """A quantity with its unit of issue in the user's language: ``'1,500 गोली'``."""
    return f"{qty(number)} {unit(unit_name)}".strip()


def item_label(item: Item) -> str:
    """Name with strength and form, without repeating what the name already says."""
    parts = [item.name]
    lower = item.name.lower()
    if item.strength and item.strength.lower() not in lower:
        parts.append(item.strength)
    if item.dosage_form and item.dosage_form.lower() not in lower:
        parts.append(item.dosage_form)
    return " ".join(parts)


def unit(name: str | None) -> str:
    """A unit of issue in the user's language (one table, :func:`ihms_desk.wording.unit_name`,
    which the reports read too); an unknown unit as stored."""
    if not name:
        return ""
    return unit_name(name, i18n.current_language())
