"""The warehouse's pages and the district's supply page (issue 14), behind the login.

The warehouse sees its district's indents, each line with the stock and AMC the facility
computed it from, and records an issue voucher against one (or without one): lines typed in
a form, or read from its own system's issue file (CSV, format in docs/indents.md) into the
same form to check before recording. The supply page shows fill rate and lead time per
facility and for the district, and the redistribution suggestions. A district officer marks
a withdrawn transfer received all the same (listed on the refused page) as settled.
"""


import csv
import io
from itertools import zip_longest
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ihms_server import indents, redistribution
from ihms_server.accounts import Session
from ihms_server.dashboard import IST, not_found, render
from ihms_server.indents import VoucherProblem
from ihms_server.login_pages import NotAllowed, login_dependencies
from ihms_server.store import Store, utc_now

LINE_KEYS = ("item_code", "batch_no", "expiry_month", "qty", "manufacturer", "unit_cost")
#: Column names a warehouse system's issue file may use for each key (lower case, spaces and
#: dots as underscores).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "item_code": ("item_code", "item", "code", "drug_code"),
    "batch_no": ("batch_no", "batch", "batch_number"),
    "expiry_month": ("expiry_month", "expiry", "expiry_date", "exp"),
    "qty": ("qty", "quantity", "issued_qty", "issue_qty"),
    "manufacturer": ("manufacturer", "mfr"),
    "unit_cost": ("unit_cost", "rate", "unit_rate"),
}
MAX_CSV_BYTES = 1024 * 1024
#: Empty rows the form offers beyond the indent's lines.
SPARE_ROWS = 3

Rows = list[dict[str, str]]


def read_issue_csv(data: bytes) -> tuple[Rows, list[str]]:
    """Lines of a warehouse's issue file: a header row naming the columns (see
    :data:`CSV_COLUMNS`), then one row per batch issued. Problems name the spreadsheet row."""
    if len(data) > MAX_CSV_BYTES:
        return [], [f"the file is larger than {MAX_CSV_BYTES // 1024} kB"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["the file is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'"]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    names = [cell.strip().lower().replace(" ", "_").replace(".", "_") for cell in header]
    where: dict[str, int] = {}
    for key, aliases in CSV_COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                where.setdefault(key, index)
    missing = [key for key in LINE_KEYS[:4] if key not in where]
    if missing:
        return [], [f"row 1: the header lacks {', '.join(missing)} (the columns are "
                    f"{', '.join(LINE_KEYS)}; the last two may be left out)"]
    rows: Rows = []
    for cells in reader:
        rows.append({key: cells[index] if index < len(cells) else ""
                     for key, index in where.items()})
    return rows, []


def form_rows(item_code: list[str] | None, batch_no: list[str] | None,
              expiry_month: list[str] | None, qty: list[str] | None,
              manufacturer: list[str] | None, unit_cost: list[str] | None) -> Rows:
    columns = (item_code or [], batch_no or [], expiry_month or [], qty or [],
               manufacturer or [], unit_cost or [])
    return [{key: (value or "")[:200] for key, value in zip(LINE_KEYS, row)}
            for row in zip_longest(*columns)][:indents.MAX_VOUCHER_LINES + SPARE_ROWS]


FormList = Annotated[list[str] | None, Form()]


def posted_rows(item_code: FormList = None, batch_no: FormList = None,
                expiry_month: FormList = None, qty: FormList = None,
                manufacturer: FormList = None, unit_cost: FormList = None) -> Rows:
    """The voucher lines a form posted (one list per column)."""
    return form_rows(item_code, batch_no, expiry_month, qty, manufacturer, unit_cost)


def warehouse_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    logged_in, form_checked = login_dependencies(store)
    LoggedIn = Annotated[Session, Depends(logged_in)]
    Checked = Annotated[Session, Depends(form_checked)]

    def scope_of(session: Session, district: str | None) -> str | None:
        account = session.account
        if account.district is not None:
            if district not in (None, account.district):
                raise NotAllowed(account, f"{district} district")
            return account.district
        return district

    def must_issue(session: Session, district: str) -> indents.Warehouse:
        account = session.account
        warehouse = indents.warehouse_of(store, district)
        if account.role != "warehouse" or account.district != district or warehouse is None:
            raise NotAllowed(account, f"record issue vouchers of {district} district's warehouse")
        return warehouse

    def today() -> Any:
        return utc_now().astimezone(IST).date()

    def blank_rows(count: int) -> Rows:
        return [dict.fromkeys(LINE_KEYS, "") for _ in range(count)]

    @router.get("/warehouse", response_class=HTMLResponse)
    def warehouse(session: LoggedIn,
                  district: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
        chosen = scope_of(session, district)
        if chosen is None:
            return render("warehouse.html", session=session, account=session.account,
                          district=None, warehouses=indents.warehouses(store))
        return render("warehouse.html", session=session, account=session.account,
                      district=chosen, warehouse=indents.warehouse_of(store, chosen),
                      indents=indents.district_indents(store, chosen),
                      vouchers=indents.vouchers(store, district=chosen, limit=50))

    def indent_page(session: Session, indent_id: int, rows: Rows | None = None,
                    problems: list[str] | None = None, status: int = 200,
                    issued: str | None = None) -> HTMLResponse:
        indent = indents.indent_detail(store, indent_id)
        facility = store.facility(indent.facility_code) if indent else None
        if indent is None or facility is None:
            return not_found(f"indent {indent_id}")
        if not session.account.may_see(facility["district"]):
            raise NotAllowed(session.account, f"indents of {facility['district']} district")
        if rows is None:
            rows = [{**dict.fromkeys(LINE_KEYS, ""), "item_code": line.item_code}
                    for line in indent.lines if line.issued_qty < line.qty and not line.closed]
            rows += blank_rows(SPARE_ROWS)
        response = render("indent.html", session=session, account=session.account,
                          indent=indent, facility=facility, rows=rows, problems=problems or [],
                          issued=issued, may_issue=session.account.role == "warehouse"
                          and indent.status not in ("closed", "cancelled"),
                          vouchers=indents.vouchers(store, indent_id=indent_id),
                          action=f"/warehouse/indents/{indent_id}")
        response.status_code = status
        return response

    @router.get("/warehouse/indents/{indent_id}", response_class=HTMLResponse)
    def indent(session: LoggedIn, indent_id: int,
               issued: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
        return indent_page(session, indent_id, issued=issued)

    def indent_district(indent_id: int) -> tuple[indents.Indent, str] | None:
        found = indents.indent_detail(store, indent_id)
        facility = store.facility(found.facility_code) if found else None
        return None if found is None or facility is None else (found, facility["district"])

    def issue(session: Session, warehouse: indents.Warehouse, facility_code: str,
              lines: list[indents.VoucherLineIn], indent_id: int | None,
              shown_at: str) -> Response | list[str]:
        """Issue the voucher and send the browser to ``shown_at`` (a URL ending in ? or &)
        naming it; the problems that stopped it otherwise (nothing is written then)."""
        try:
            number = indents.issue_voucher(store, warehouse, facility_code, lines,
                                           session.account.username, indent_id, today())
        except VoucherProblem as problem:
            return problem.problems
        return RedirectResponse(f"{shown_at}issued={quote(number)}", status_code=303)

    @router.post("/warehouse/indents/{indent_id}/vouchers", response_class=HTMLResponse)
    def issue_against(session: Checked, indent_id: int,
                      rows: Annotated[Rows, Depends(posted_rows)]) -> Response:
        found = indent_district(indent_id)
        if found is None:
            return not_found(f"indent {indent_id}")
        warehouse = must_issue(session, found[1])
        lines, problems = indents.check_voucher_lines(rows, today())
        if not problems:
            issued = issue(session, warehouse, found[0].facility_code, lines, indent_id,
                           f"/warehouse/indents/{indent_id}?")
            if isinstance(issued, Response):
                return issued
            problems = issued
        return indent_page(session, indent_id, rows, problems, 422)

    @router.post("/warehouse/indents/{indent_id}/import", response_class=HTMLResponse)
    def import_against(session: Checked, indent_id: int,
                       file: Annotated[UploadFile, File()]) -> Response:
        found = indent_district(indent_id)
        if found is None:
            return not_found(f"indent {indent_id}")
        must_issue(session, found[1])
        rows, problems = read_issue_csv(file.file.read(MAX_CSV_BYTES + 1))
        if not problems:
            problems = indents.check_voucher_lines(rows, today(), first_row=2)[1]
        return indent_page(session, indent_id, rows or None, problems, 422 if problems else 200)

    @router.post("/warehouse/indents/{indent_id}/close")
    def close(session: Checked, indent_id: int) -> Response:
        found = indent_district(indent_id)
        if found is None:
            return not_found(f"indent {indent_id}")
        must_issue(session, found[1])
        indents.close_indent(store, indent_id, found[1])
        return RedirectResponse(f"/warehouse/indents/{indent_id}", status_code=303)

    def new_voucher_page(session: Session, district: str, facility_code: str = "",
                         rows: Rows | None = None, problems: list[str] | None = None,
                         status: int = 200, issued: str | None = None) -> HTMLResponse:
        facilities = store.facility_statuses(today(), district, with_stock=False)
        response = render("voucher_new.html", session=session, account=session.account,
                          district=district, facilities=facilities, facility_code=facility_code,
                          rows=rows or blank_rows(8), problems=problems or [], issued=issued,
                          may_issue=session.account.role == "warehouse",
                          action="/warehouse/vouchers")
        response.status_code = status
        return response

    @router.get("/warehouse/vouchers/new", response_class=HTMLResponse)
    def new_voucher(session: LoggedIn,
                    issued: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
        district = scope_of(session, None)
        if district is None:
            raise NotAllowed(session.account, "issue vouchers (a warehouse account does)")
        return new_voucher_page(session, district, issued=issued)

    @router.post("/warehouse/vouchers", response_class=HTMLResponse)
    def issue_without_indent(session: Checked, rows: Annotated[Rows, Depends(posted_rows)],
                             facility: Annotated[str, Form(max_length=40)] = "") -> Response:
        district = session.account.district or ""
        warehouse = must_issue(session, district)
        lines, problems = indents.check_voucher_lines(rows, today())
        if not facility:
            problems.insert(0, "choose the facility the stock goes to")
        if not problems:
            issued = issue(session, warehouse, facility, lines, None, "/warehouse/vouchers/new?")
            if isinstance(issued, Response):
                return issued
            problems = issued
        return new_voucher_page(session, district, facility, rows, problems, 422)

    @router.post("/warehouse/vouchers/import", response_class=HTMLResponse)
    def import_without_indent(session: Checked, file: Annotated[UploadFile, File()],
                              facility: Annotated[str, Form(max_length=40)] = "") -> Response:
        district = session.account.district or ""
        must_issue(session, district)
        rows, problems = read_issue_csv(file.file.read(MAX_CSV_BYTES + 1))
        if not problems:
            problems = indents.check_voucher_lines(rows, today(), first_row=2)[1]
        return new_voucher_page(session, district, facility, rows or None, problems,
                                422 if problems else 200)

    @router.get("/supply", response_class=HTMLResponse)
    def supply(session: LoggedIn,
               district: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
        chosen = scope_of(session, district)
        if chosen is None or not chosen.isprintable():
            return not_found("a district: open this page with ?district=NAME")
        facilities, total = indents.supply_figures(store, chosen, today())
        return render("supply.html", session=session, account=session.account, district=chosen,
                      facilities=facilities, total=total, review_days=indents.REVIEW_DAYS,
                      suggestions=redistribution.suggestions(store, chosen, today()),
                      min_months=redistribution.MIN_MONTHS, max_months=redistribution.MAX_MONTHS)

    @router.post("/conflicts/{voucher_id}/settle")
    def settle_conflict(session: Checked, voucher_id: int,
                        note: Annotated[str, Form(max_length=500)] = "") -> Response:
        """A district officer (or the state admin) marks a withdrawn transfer that was received
        all the same as settled, saying how; it stays on the refused page as settled."""
        found = indents.conflicts(store, voucher_id=voucher_id)
        if not found:
            return not_found(f"conflict {voucher_id}")
        account = session.account
        if account.role not in ("district_officer", "state_admin") or not account.may_see(found[0].district):
            raise NotAllowed(account, f"settle conflicts of {found[0].district} district")
        if note.strip() and note.isprintable():
            indents.settle_conflict(store, voucher_id, account.username, note.strip())
        return RedirectResponse(f"/refused?district={quote(found[0].district)}", status_code=303)

    return router
