"""The dashboard's rollout view: per district, each facility's way to going live (package
issued, enrolled, first sync, first dispense, last sync), as a page and as a CSV file: the
list a CMHO needs to answer a notice on which facilities are live.

A page of its own route and template, beside the district dashboard (``dashboard.py``), with
its helpers; no JavaScript, like every dashboard page.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from ihms_desk.store.spreadsheet import csv_row
from ihms_server import rollout
from ihms_server.dashboard import IST, age_in_words, not_found, render
from ihms_server.store import Store, utc_now

#: Each stage of a facility's rollout, in order, with its words and the badge's look.
STAGES: dict[str, tuple[str, str]] = {
    "not_issued": ("No package issued", "never"),
    "expired": ("Code expired unused", "bad"),
    "issued": ("Package issued", "info"),
    "enrolled": ("Enrolled, not synced", "warn"),
    "syncing": ("Syncing, no dispense yet", "warn"),
    "live": ("Live", "live"),
}


@dataclasses.dataclass(frozen=True)
class Row:
    facility: rollout.FacilityProgress
    stage: str

    @property
    def label(self) -> str:
        return STAGES[self.stage][0]

    @property
    def badge(self) -> str:
        return STAGES[self.stage][1]


def _day(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(IST).strftime("%d-%m-%Y %H:%M")


def rollout_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def rows_of(district: str) -> list[Row]:
        now = utc_now()
        return [Row(f, f.stage(now)) for f in rollout.progress(store, district)]

    @router.get("/rollout", response_class=HTMLResponse)
    def rollout_page(district: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
        known = rollout.districts(store)
        if district is None:
            summary = []
            for name in known:
                counts = Counter(row.stage for row in rows_of(name))
                summary.append((name, sum(counts.values()), counts))
            return render("rollout.html", district=None, districts=summary, stages=STAGES, rows=[],
                          counts=Counter(), ago=age_in_words)
        if district not in known:
            return not_found(f"district {district!r}")
        rows = rows_of(district)
        return render("rollout.html", district=district, districts=[], stages=STAGES, rows=rows,
                      counts=Counter(row.stage for row in rows), ago=age_in_words)

    @router.get("/rollout.csv")
    def rollout_csv(district: Annotated[str, Query(max_length=80)]) -> Response:
        if district not in rollout.districts(store):
            return not_found(f"district {district!r}")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["facility_code", "name", "block", "type", "stage", "package_issued", "code_valid_until",
                         "desks", "enrolled", "first_sync", "first_dispense_received", "first_dispense_saved",
                         "first_dispense_number", "last_sync"])
        for row in rows_of(district):
            f = row.facility
            # A facility's name from the district's list may begin with = + - @: written as text.
            writer.writerow(csv_row([f.code, f.name, f.block, f.type, row.label, _day(f.code_issued_at),
                                     _day(f.code_expires_at), f.desks, _day(f.enrolled_at), _day(f.first_sync_at),
                                     _day(f.first_dispense_at), _day(f.first_dispense_saved_at),
                                     f.first_dispense_number or "", _day(f.last_sync_at)]))
        name = "".join(ch if ch.isalnum() else "-" for ch in district)
        # A BOM, so that Excel on the CMHO's PC opens it as UTF-8.
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="rollout-{name}.csv"'})

    return router
