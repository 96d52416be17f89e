"""Why a report could not be built, with a stable kind and its values, like every refusal.

The words are the program's wording tables (``ihms_desk/wording/en.py`` and ``hi.py``, the
"reports" section), so the Reports screen and ``ihms-desk report`` word them in the reader's
language (``wording.text_of(error, "hi")``) and tests/test_wording.py finds a kind without Hindi.
Dates in values are DD-MM-YYYY strings.
"""

from __future__ import annotations

from typing import Any

from ihms_desk.store.errors import InvalidInput, StoreError
from ihms_desk.wording import en

#: The kinds a report refuses with (names, dates, filters), and their English.
KINDS = ("unknown_report", "bad_start_date", "bad_end_date", "period_reversed", "period_in_future",
         "period_too_long", "unknown_category", "unknown_item_code")
MESSAGES: dict[str, str] = {kind: en.MESSAGES[kind] for kind in KINDS}


class ReportRefused(InvalidInput):
    """The report was not built: a bad name, period or filter. ``kind`` and ``values`` say
    which and with what, so any language can word it; ``field`` names the input to fix."""

    code = "report_refused"

    def __init__(self, kind: str, *, field: str | None = None, **values: Any) -> None:
        super().__init__(kind, field=field, **values)


class ReportCancelled(StoreError):
    """The person stopped the report while it was being built; nothing was changed."""

    code = "report_cancelled"

    def __init__(self) -> None:
        super().__init__("report_cancelled")
