"""Why a report could not be built, with a stable kind and its values (like sync's failures).

``message`` is English (the CLI's default and the log's); every kind has a wording in each
language in ``ihms_desk.exports.labels`` (a test finds a kind without one), so the screen and
``ihms-desk report --lang hi`` never show English to a Hindi reader.
"""

from __future__ import annotations

from typing import Any

from ihms_desk.store.errors import InvalidInput, StoreError

#: The English of each kind; ``{name}`` is a value. Dates in values are DD-MM-YYYY strings.
MESSAGES: dict[str, str] = {
    "unknown_report": "There is no report '{name}'. The reports are: {known}.",
    "bad_start_date": "The start date '{text}' is not a date: type it as dd-mm-yyyy.",
    "bad_end_date": "The end date '{text}' is not a date: type it as dd-mm-yyyy.",
    "period_reversed": "The period starts on {start}, after its end on {end}: swap the two dates.",
    "period_in_future": "The period ends on {end}, after today ({today}): choose an end date up to today.",
    "period_too_long": "This report covers at most {limit} days at a time; {days} were asked. Choose a shorter period.",
    "unknown_category": "There is no category '{category}'. The categories are: {known}.",
    "unknown_item": "Item '{code}' is not in the catalogue: check the code.",
}


class ReportRefused(InvalidInput):
    """The report was not built: a bad name, period or filter. ``kind`` and ``values`` say
    which and with what, so any language can word it; ``field`` names the input to fix."""

    code = "report_refused"

    def __init__(self, kind: str, *, field: str | None = None, **values: Any) -> None:
        super().__init__(MESSAGES[kind].format(**values), field=field)
        self.kind = kind
        self.values = values


class ReportCancelled(StoreError):
    """The person stopped the report while it was being built; nothing was changed."""

    code = "report_cancelled"

    def __init__(self) -> None:
        super().__init__("The report was stopped before it was finished.")
