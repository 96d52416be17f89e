"""The district dashboard: server-rendered pages for the district officer's ordinary browser.

No JavaScript: a page is one HTML response with its CSS inline, so it loads fast on a slow
line and prints as it looks.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from urllib.parse import quote
from typing import Annotated, Any, Literal

import jinja2
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ihms_desk.sync import protocol as wire
from ihms_server import accounts, indents
from ihms_server.accounts import Session
from ihms_server.store import (
    FacilityStatus,
    ItemTotals,
    PageAt,
    Store,
    near_expiry_cutoff,
    utc_now,
)

#: A facility that has not pushed for longer than this is overdue (desks sync at least nightly).
OVERDUE_AFTER = dt.timedelta(hours=24)
#: Above this many facilities the all-districts page shows one row per district.
FACILITIES_ON_ONE_PAGE = 400
#: District officers read Indian Standard Time.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("ihms_server", "templates"),
    autoescape=jinja2.select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def ist(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(IST).strftime("%d %b %Y, %H:%M IST")


def age_in_words(delta: dt.timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return "just now" if minutes < 2 else f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 48:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    return f"{hours // 24} days ago"


_templates.filters["ist"] = ist


@dataclasses.dataclass(frozen=True)
class SyncState:
    """How a facility stands with sync, in words and as a CSS class."""

    key: str  # "live", "overdue" or "never"
    label: str
    detail: str

    @classmethod
    def of(cls, facility: FacilityStatus, now: dt.datetime) -> "SyncState":
        if facility.last_push_at is None:
            detail = "no desk enrolled" if facility.devices == 0 else "desk enrolled, nothing received"
            return cls("never", "Never synced", detail)
        age = now - facility.last_push_at
        words = f"synced {age_in_words(age)}"
        if age > OVERDUE_AFTER:
            return cls("overdue", "Overdue", words)
        return cls("live", "Live", words)


@dataclasses.dataclass
class DistrictSummary:
    name: str
    facilities: list[tuple[FacilityStatus, SyncState]] = dataclasses.field(default_factory=list)

    def count(self, key: str) -> int:
        return sum(1 for _, state in self.facilities if state.key == key)

    @property
    def stock_outs(self) -> int:
        return sum(f.stock_outs or 0 for f, _ in self.facilities)

    @property
    def near_expiry(self) -> int:
        return sum(f.near_expiry or 0 for f, _ in self.facilities)

    @property
    def events_received(self) -> int:
        return sum(f.events_received for f, _ in self.facilities)


def item_flags(item: ItemTotals) -> list[tuple[str, str]]:
    """(css class, words) for what needs attention about one item."""
    flags = []
    if item.qty <= 0:
        flags.append(("bad", "Stock-out"))
    elif item.qty < item.min_stock:
        flags.append(("warn", "Below minimum"))
    if item.near_expiry_batches:
        flags.append(("warn", "Near expiry"))
    if item.batches_negative:
        flags.append(("info", "Batches below zero"))
    if item.name is None:
        flags.append(("info", "Not in catalogue"))
    return flags


#: A page's key as the address bar carries it: ``?after=KEY``, ``?before=KEY`` or ``?at=end``.
PageKey = Annotated[str | None, Query(max_length=100)]
PageEnd = Literal["end"] | None


def page_at(after: str | None, before: str | None, at: str | None) -> PageAt | None:
    """Where the asked page starts; ``None`` for a key no row could have (a NUL, say:
    PostgreSQL refuses it in any text)."""
    for key in (after, before):
        if key is not None and not key.isprintable():
            return None
    if before is not None:
        return PageAt(before, backward=True)
    if after is not None:
        return PageAt(after)
    return PageAt(backward=at == "end")


def render(template: str, **context: Any) -> HTMLResponse:
    now = utc_now()
    html = _templates.get_template(template).render(
        now=now, this_month=now.astimezone(IST).strftime("%Y-%m"), **context)
    return HTMLResponse(html)


def not_found(what: str) -> HTMLResponse:
    response = render("not_found.html", what=what)
    response.status_code = 404
    return response


class PageMissing(Exception):
    """A dashboard page that cannot exist (no such facility, or a page key no row could
    have): the app answers it with :func:`not_found`."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclasses.dataclass(frozen=True)
class FacilityPage:
    """A facility's page as asked: the facility, where the page starts and the near-expiry
    cutoff."""

    status: FacilityStatus
    where: PageAt
    cutoff: str


def dashboard_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def districts(district: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
        now = utc_now()
        if district is not None and not district.isprintable():
            # No district has such a name (and PostgreSQL refuses a NUL in any text).
            return not_found(f"district {district!r}")
        # State-wide, the page lists districts only: every facility with its stock counts
        # would be thousands of rows and read every stock row of the state.
        summary_only = district is None and store.facility_count() > FACILITIES_ON_ONE_PAGE
        statuses = store.facility_statuses(now.astimezone(IST).date(), district,
                                           with_stock=not summary_only)
        by_district: dict[str, DistrictSummary] = defaultdict(lambda: DistrictSummary(""))
        for facility in statuses:
            summary = by_district[facility.district]
            summary.name = facility.district
            summary.facilities.append((facility, SyncState.of(facility, now)))
        summaries = sorted(by_district.values(), key=lambda d: d.name)
        return render("districts.html", districts=summaries, selected=district,
                      summary_only=summary_only,
                      total=DistrictSummary("All", [f for d in summaries for f in d.facilities]),
                      overdue_hours=int(OVERDUE_AFTER.total_seconds() // 3600))

    def facility_page(code: str, after: PageKey = None, before: PageKey = None,
                      at: PageEnd = None) -> FacilityPage:
        """The facility of the address and the page its query asks for (a dependency of the
        facility's pages)."""
        today = utc_now().astimezone(IST).date()
        where = page_at(after, before, at)
        statuses = (store.facility_statuses(today, facility_code=code, with_stock=False)
                    if wire.is_facility_code(code) and where is not None else [])
        if not statuses or where is None:
            raise PageMissing(f"facility {code!r}")
        return FacilityPage(statuses[0], where, near_expiry_cutoff(today))

    OfFacility = Annotated[FacilityPage, Depends(facility_page)]

    # The facility's pages read a page of rows each, however much stock a desk has sent
    # (see Store.facility_items): per item totals first, each item's batches on a page of
    # their own, and the near-expiry batches of every item on another.

    @router.get("/facility/{code}", response_class=HTMLResponse)
    def facility(code: str, page: OfFacility) -> HTMLResponse:
        stock = store.facility_items(code, page.cutoff, page.where)
        return render("facility.html", facility=page.status, state=SyncState.of(page.status, utc_now()),
                      stock=stock, cutoff=page.cutoff,
                      items=[(item, item_flags(item)) for item in stock.items.rows],
                      pager=stock.items, key_of=lambda item: item.item_code,
                      page_url=f"/facility/{quote(code)}?")

    @router.get("/facility/{code}/batches", response_class=HTMLResponse)
    def item_batches(code: str, item: Annotated[str, Query(max_length=40)],
                     page: OfFacility) -> HTMLResponse:
        found = store.item_batches(code, item, page.cutoff, page.where) if item.isprintable() else None
        if found is None:
            return not_found(f"item {item!r} at facility {code!r}")
        totals, batches = found
        return render("batches.html", facility=page.status, item=totals, flags=item_flags(totals),
                      batches=batches, cutoff=page.cutoff, pager=batches,
                      key_of=lambda row: row.batch_no,
                      page_url=f"/facility/{quote(code)}/batches?item={quote(item, safe='')}&")

    @router.get("/facility/{code}/near-expiry", response_class=HTMLResponse)
    def near_expiry(code: str, page: OfFacility) -> HTMLResponse:
        batches = store.expiring_batches(code, page.cutoff, page.where)
        return render("batches.html", facility=page.status, item=None, flags=[], batches=batches,
                      cutoff=page.cutoff, pager=batches,
                      key_of=lambda row: f"{row.item_code} {row.batch_no}",
                      page_url=f"/facility/{quote(code)}/near-expiry?")

    def session_of(request: Request) -> Session | None:
        """The page's login (the guard let it in), whose form token the settle forms carry.
        Imported here: the login module is built on this one."""
        from ihms_server.login_pages import SESSION_COOKIE

        return accounts.session(store, request.cookies.get(SESSION_COOKIE))

    @router.get("/refused", response_class=HTMLResponse)
    def refused(request: Request,
                district: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
        """Every event the server refused, with its reason, every transfer received although
        its sender reversed it (a conflict to settle), and every desk restored or copied (a
        fresh epoch claimed), for a district or the whole state."""
        if district is not None and not district.isprintable():
            return not_found(f"district {district!r}")
        return render("refused.html", scope=f"{district} district" if district else "All districts",
                      district=district, facility=None, session=session_of(request),
                      rejected=store.rejected_events(district=district),
                      conflicts=indents.conflicts(store, district=district),
                      claims=store.epoch_claims(district=district))

    @router.get("/facility/{code}/refused", response_class=HTMLResponse)
    def facility_refused(request: Request, code: str) -> HTMLResponse:
        info = store.facility(code) if wire.is_facility_code(code) else None
        if info is None:
            return not_found(f"facility {code!r}")
        return render("refused.html", scope=info["name"], district=info["district"], facility=info,
                      session=session_of(request),
                      rejected=store.rejected_events(facility_code=code),
                      conflicts=indents.conflicts(store, facility_code=code),
                      claims=store.epoch_claims(facility_code=code))

    return router
