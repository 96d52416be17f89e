"""The login and the warehouse's pages in real headless Chromium (Debian's chromium, driven
by Playwright), on both backends: pages with stock refuse without a login, and the warehouse
records an issue voucher against an indent from the keyboard.

Screenshots go to $IHMS_SCREENSHOT_DIR when set (docs/screenshots/warehouse-*.png are
these), else to the test's tmp dir.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ihms_server import indents
from ihms_server.store import Store, utc_now
from ihms_server.testing import EnrolledDevice, make_event, make_facility_and_enrol, make_movement
from ihms_server.testing_supply import PASSWORD, indent_event, pull_vouchers

# The dashboard's Chromium fixtures (one browser per module, a page per test) and helpers.
from test_dashboard import add_paracetamol, browser, page, screenshot  # noqa: F401

NEXT_YEAR = f"{utc_now().year + 1}-09"


def test_pages_with_stock_refuse_without_a_login(page: Page, server: str, device: EnrolledDevice,
                                                 accounts_made: None) -> None:
    assert device.push([make_event(device, 1, type="receipt", movements=[
        make_movement("PARA500", 500, batch_no="SECRET-BATCH")])]).status_code == 200
    for path in ("/facility/CHC-JPR-001", "/facility/CHC-JPR-001/near-expiry", "/warehouse",
                 "/supply?district=Jaipur", "/refused?district=Jaipur"):
        page.goto(f"{server}{path}")
        expect(page.locator("h1")).to_have_text("Log in")
        expect(page.get_by_text("SECRET-BATCH")).to_have_count(0)
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    page.goto(f"{server}/?district=Jaipur")  # the public page still says who is live
    expect(page.locator("tr[data-facility='CHC-JPR-001']")).to_have_attribute("data-state", "live")
    # Its link to the district's supply page asks for the login, then shows the page asked for.
    page.get_by_role("link", name="Indents, fill rate and redistribution (login)").click()
    expect(page.locator("h1")).to_have_text("Log in")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Supply · Jaipur district")
    page.goto(f"{server}/facility/CHC-JPR-001")
    expect(page.get_by_text("SECRET-BATCH")).to_be_visible()


def test_the_warehouse_issues_a_voucher_against_an_indent(
        page: Page, server: str, store: Store, device: EnrolledDevice, tmp_path: Path,
        log_in: Callable[[Page, str], None]) -> None:
    page.set_viewport_size({"width": 1366, "height": 698})  # the district office's laptop
    add_paracetamol(store)
    event = indent_event(device, 1, [
        {"item_code": "PARA500", "qty": 1200, "suggested": 1350, "usable_stock": 410,
         "amc": 587, "on_order": 0, "days_out_of_stock": 6, "emergency": True},
        {"item_code": "ORS-200", "qty": 300, "usable_stock": 20, "amc": 110}], emergency=True)
    assert device.push([event]).json()["results"][0]["status"] == "applied"
    number = event["payload"]["document"]["number"]

    log_in(page, "ware")
    expect(page.locator("h1")).to_have_text("DDW Jaipur · Jaipur district")
    page.get_by_role("link", name=number).click()
    expect(page.locator("h1")).to_contain_text(f"Indent {number}")
    para = page.locator("table.lines tbody tr").first
    expect(para.locator("td.num").nth(2)).to_have_text("410")  # the stock it was computed from
    expect(para.locator("td.num").nth(3)).to_have_text("587")  # and the AMC

    # From the first batch box on, by keyboard only: batch, expiry, quantity of each line.
    page.get_by_label("Batch, row 1").focus()
    for text in ("PA-2611", NEXT_YEAR, "1200"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past row 2's item code, filled from the indent
    for text in ("OR-77", NEXT_YEAR):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.type("250")
    screenshot(page, tmp_path, "warehouse-indent-entry", store)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Issue voucher DDW-JAI/")
    expect(page.locator("h1 + p")).to_contain_text("Status: partly issued")
    expect(page.locator("table.lines tbody tr").nth(1).locator("td.num").nth(6)).to_have_text("250")
    screenshot(page, tmp_path, "warehouse-indent", store)

    (voucher,) = pull_vouchers(device, 1)["vouchers"]
    assert [(l["item_code"], l["batch_no"], l["expiry_month"], l["qty"]) for l in voucher["lines"]] \
        == [("PARA500", "PA-2611", NEXT_YEAR, 1200), ("ORS-200", "OR-77", NEXT_YEAR, 250)]
    indent = indents.indent_by_number(store, device.facility_code, number)
    assert indent is not None and indent.status == "partly_issued"

    page.get_by_role("link", name="All indents of Jaipur").click()
    expect(page.locator("table.indents tbody tr").first).to_contain_text("partly issued")
    screenshot(page, tmp_path, "warehouse", store)

    # Issued against indented: 1 of 2 lines in full, (1,200 + 250) of (1,200 + 300) units.
    page.get_by_role("link", name="Fill rate and redistribution").click()
    expect(page.locator(f"[data-figure='lines-{device.facility_code}']")).to_have_text("50.0%")
    expect(page.locator(f"[data-figure='qty-{device.facility_code}']")).to_have_text("96.7%")
    expect(page.locator("[data-figure='lead-Jaipur']")).to_have_text("—")  # nothing received yet
    screenshot(page, tmp_path, "supply", store)


def test_the_district_officer_sees_what_to_move(
        page: Page, db_url: str, server: str, store: Store, tmp_path: Path,
        log_in: Callable[[Page, str], None]) -> None:
    from test_redistribution import stocked

    for code, name, received in (("CHC-JPR-001", "CHC Chaksu", 300), ("CHC-JPR-002", "CHC Bassi", 1300),
                                 ("CHC-JPR-003", "CHC Phagi", 600)):
        stocked(make_facility_and_enrol(db_url, server, code, name=name), received, 100)
    page.set_viewport_size({"width": 1366, "height": 698})
    log_in(page, "officer")  # lands on the district's supply page
    row = page.locator("table.suggestions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("PARA500")
    expect(row.locator("td").nth(1)).to_have_text("CHC Bassi")
    expect(row.locator("td").nth(2)).to_have_text("CHC Chaksu")
    expect(row.locator("td").nth(3)).to_have_text("400")
    expect(row.locator("td").nth(5)).to_have_text("0 (200–400)")
    screenshot(page, tmp_path, "supply-redistribution", store)
