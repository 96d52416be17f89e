"""Issue 14 end to end ("How it is checked"), through a real server on SQLite and PostgreSQL,
real desks (their SQLite ledgers, their sync workers over loopback HTTP) and the warehouse's
page in real headless Chromium:

1. an indent computed from a known consumption (its quantities worked by hand here),
   approved, synced; issued from the warehouse page; pulled; received with one short line;
   the server's indent shows the difference; the dashboard's fill rate and lead time equal
   the figures worked here;
2. a district of three facilities with a known surplus and a stock-out: the suggestion is
   the one worked here; the transfer it makes is received at the other desk, and both
   stocks converge on the server.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e_desk import FACILITY_CODE, ITEMS_CSV, Desk, assert_converged, server_stock
from e2e_desk import PASSWORD as DESK_PASSWORD
from ihms_desk.store import Store
from ihms_desk.store.vouchers import VoucherCheck
from ihms_server import indents, redistribution
from ihms_server.testing import add_facility
from ihms_server.testing_supply import PASSWORD, add_warehouse_and_accounts, web_login
from tests.chromium import browser  # noqa: F401 - the module's Chromium
from tests.conftest import IST, FakeClock

BOTH = pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)


def last_complete_months(today: dt.date) -> list[dt.date]:
    """The first day of each of the 3 complete months before ``today``'s, oldest first (the
    months both the desk's and the server's AMC average)."""
    first = today.replace(day=1)
    months = []
    for _ in range(3):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def today_ist() -> dt.date:
    return dt.datetime.now(IST).date()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1366, "height": 698})
    yield opened
    opened.close()


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def history(desk: Desk, clock: FakeClock, plan: dict[str, tuple[int, int]]) -> None:
    """For each item, (received on the 1st of the first month, dispensed on the 10th of each
    of the 3 months): a known consumption, never a day out of stock."""
    months = last_complete_months(today_ist())
    clock.set(months[0].year, months[0].month, 1)
    for item, (received, _) in plan.items():
        desk.receive(received, item=item, batch=f"{item}-OLD")
    for month in months:
        clock.set(month.year, month.month, 10)
        for item, (_, used) in plan.items():
            desk.dispense(1, item=item, qty=used)
    now = today_ist()
    clock.set(now.year, now.month, now.day)


@BOTH
def test_indent_issue_receive_short_and_fill_rate(make_desk: Callable[..., Desk], server: Any,
                                                  page: Page, tmp_path: Path) -> None:
    add_warehouse_and_accounts(server.store)
    clock = FakeClock(dt.datetime.now(IST))
    desk = make_desk("chc", clock)
    desk.enrol(server.url, server.enrolment_code())
    # D0001: 1,000 received, 300 a month used; D0002: 600 received, 60 a month;
    # D0003: 100 received, 30 a month.
    history(desk, clock, {"D0001": (1000, 300), "D0002": (600, 60), "D0003": (100, 30)})

    # By hand, with max 4 months and the emergency order point at 0.5 months:
    # D0001: AMC 900 / 3 = 300, usable 100: order 4 x 300 - 100 - 0 = 1,100; 100 < 150: emergency.
    # D0002: AMC 60, usable 420 > 4 x 60 = 240: nothing to order (not on the indent).
    # D0003: AMC 30, usable 10: order 4 x 30 - 10 = 110; 10 < 15: emergency.
    draft = desk.store.start_indent_draft()
    assert sorted((l.item_code, l.amc, l.usable_stock, l.on_order, l.days_out_of_stock, l.suggested,
                   l.qty, l.emergency) for l in draft.lines) == [
        ("D0001", 300, 100, 0, 0, 1100, 1100, True), ("D0003", 30, 10, 0, 0, 110, 110, True)]
    number = desk.store.approve_indent().number
    desk.sync_until_done()

    kept = indents.indent_by_number(server.store, FACILITY_CODE, number)
    assert kept is not None and kept.status == "open" and kept.emergency
    assert sorted((l.item_code, l.qty, l.usable_stock, l.amc) for l in kept.lines) == \
        [("D0001", 1100, 100, 300.0), ("D0003", 110, 10, 30.0)]
    order = [l.item_code for l in kept.lines]  # the rows of the warehouse's form

    # The warehouse issues in Chromium, by keyboard: all of D0001, 100 of the 110 of D0003.
    issue = {"D0001": ("W-101", "2029-06", "1100"), "D0003": ("W-303", "2029-06", "100")}
    log_in(page, server.url, "ware")
    page.get_by_role("link", name=number).click()
    page.get_by_label("Batch, row 1").focus()
    for item in order:
        for text in issue[item]:
            page.keyboard.type(text)
            page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # past the next row's item code, filled from the indent
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Issue voucher DDW-JAI/")
    shots = Path(os.environ.get("IHMS_SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(shots / f"warehouse-e2e-{server.store.kind}.png"), full_page=True)

    # The desk pulls the voucher and receives it two days later, D0001 50 short.
    (voucher,) = desk.sync_until_vouchers(1)
    assert voucher.indent_number == number
    assert sorted((l.item_code, l.batch_no, l.qty) for l in voucher.lines) == \
        [("D0001", "W-101", 1100), ("D0003", "W-303", 100)]
    pcm_line = next(l.line_no for l in voucher.lines if l.item_code == "D0001")
    clock.advance(days=2)
    desk.store.receive_voucher(voucher.number, [VoucherCheck(pcm_line, 1050, "short", "one carton short")])
    desk.sync_until_done()

    kept = indents.indent_by_number(server.store, FACILITY_CODE, number)
    assert kept is not None
    assert sorted((l.item_code, l.issued_qty, l.received_qty, l.closed) for l in kept.lines) == \
        [("D0001", 1100, 1050, True), ("D0003", 100, 100, True)]
    (issued,) = indents.vouchers(server.store, indent_id=kept.id)
    assert [(d.voucher_line, d.item_code, d.sent, d.received, d.kind, d.reason) for d in issued.differences] \
        == [(pcm_line, "D0001", 1100, 1050, "short", "one carton short")]
    page.goto(f"{server.url}/warehouse/indents/{kept.id}")
    expect(page.locator(".d-short")).to_have_text("short: D0001 W-101 sent 1,100, received 1,050 (one carton short)")

    # Fill rate by lines: D0001 issued in full, D0003 not: 1 of 2 = 50.0 %. By quantity:
    # (1,100 + 100) / (1,100 + 110) = 99.17 %. Lead time: received 2 days after the indent.
    by_lines, by_qty, lead = 1 / 2, (1100 + 100) / (1100 + 110), 2.0
    page.context.clear_cookies()
    log_in(page, server.url, "officer")
    page.goto(f"{server.url}/supply?district=Jaipur")
    expect(page.locator(f"[data-figure='lines-{FACILITY_CODE}']")).to_have_text(f"{100 * by_lines:.1f}%")
    expect(page.locator(f"[data-figure='qty-{FACILITY_CODE}']")).to_have_text(f"{100 * by_qty:.1f}%")
    expect(page.locator(f"[data-figure='lead-{FACILITY_CODE}']")).to_have_text(f"{lead:.1f}")
    expect(page.locator("[data-figure='qty-Jaipur']")).to_have_text(f"{100 * by_qty:.1f}%")

    assert desk.store.indent_status(number).status == "partly_issued"  # D0003: 100 of 110
    assert desk.stock()[("D0001", "W-101")] == 1050
    assert_converged(desk, server.store)


def facility_desk(make_desk: Callable[..., Desk], folder: Path, server: Any, code: str,
                  name: str, clock: FakeClock) -> Desk:
    """A desk of the district, enrolled; the shared template is CHC-TEST-001's, any other
    facility is set up here."""
    if code == FACILITY_CODE:
        desk = make_desk(code, clock)
    else:
        template = folder / f"template-{code}"
        template.mkdir(parents=True)
        store = Store.open(template)
        store.set_up(code=code, name=name, district="Jaipur", block="Sanganer", type="CHC",
                     admin_username="admin", admin_full_name="Test Admin", admin_password=DESK_PASSWORD)
        store.act_as("admin")
        (template / "items.csv").write_text(ITEMS_CSV, encoding="utf-8")
        assert store.import_catalogue_csv(template / "items.csv").ok
        store.close()
        desk = Desk(template, folder / code, clock)
        add_facility(server.store, code, name=name, district="Jaipur", block="Sanganer")
    desk.enrol(server.url, server.enrolment_code(code))
    return desk


@BOTH
def test_redistribution_across_three_facilities_converges(
        make_desk: Callable[..., Desk], server: Any, tmp_path: Path) -> None:
    add_warehouse_and_accounts(server.store)
    clock = FakeClock(dt.datetime.now(IST))
    short = facility_desk(make_desk, tmp_path, server, FACILITY_CODE, "CHC Test", clock)
    full = facility_desk(make_desk, tmp_path, server, "CHC-TEST-002", "CHC Full", clock)
    usual = facility_desk(make_desk, tmp_path, server, "CHC-TEST-003", "CHC Usual", clock)
    try:
        # Each used 100 of D0001 a month for three months (AMC 100: minimum 200, maximum 400).
        history(short, clock, {"D0001": (300, 100)})   # none left: stocked out
        history(full, clock, {"D0001": (1300, 100)})   # 1,000 left: 600 above its maximum
        history(usual, clock, {"D0001": (600, 100)})   # 300 left: between minimum and maximum
        for desk in (short, full, usual):
            desk.sync_until_done()

        # By hand: the stocked-out facility is brought up to its maximum, 4 x 100 - 0 = 400,
        # from the one 600 above its maximum.
        (suggestion,) = redistribution.suggestions(server.store, "Jaipur", today_ist())
        assert (suggestion.from_code, suggestion.to_code, suggestion.item_code, suggestion.qty,
                suggestion.reason) == ("CHC-TEST-002", FACILITY_CODE, "D0001", 400, "surplus")
        page = web_login(server.url, "officer").get(f"{server.url}/supply?district=Jaipur", timeout=30)
        assert "CHC Full" in page.text and "<b>400</b>" in page.text

        # The sender's desk sees it at its next sync and makes the transfer in one action.
        full.sync_until_done()
        (offered,) = full.store.transfer_suggestions()
        assert (offered.id, offered.to_code, offered.qty) == (suggestion.id, FACILITY_CODE, 400)
        full.store.transfer_from_suggestion(offered.id)
        full.sync_until_done()
        assert full.store.transfer_suggestions() == []

        # The receiving desk pulls it like a voucher and receives it as sent.
        (voucher,) = short.sync_until_vouchers(1)
        assert (voucher.kind, voucher.from_code, voucher.units) == ("transfer", "CHC-TEST-002", 400)
        short.store.receive_voucher(voucher.number)
        short.sync_until_done()

        assert server_stock(server.store, FACILITY_CODE) == short.stock() == {("D0001", "D0001-OLD"): 400}
        assert server_stock(server.store, "CHC-TEST-002") == full.stock() == {("D0001", "D0001-OLD"): 600}
        assert server_stock(server.store, "CHC-TEST-003") == usual.stock() == {("D0001", "D0001-OLD"): 300}
        assert redistribution.suggestions(server.store, "Jaipur", today_ist()) == []
        full.sync_until_done()
        assert full.store.transfer_suggestions() == []
        assert_converged(short, server.store)
    finally:
        for desk in (full, usual):
            desk.close()
