"""The district dashboard in real headless Chromium (Debian's chromium, driven by Playwright).

Screenshots go to $IHMS_SCREENSHOT_DIR when set (to look at them), else to the test's tmp dir.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ihms_server.store import Store, utc_now
from ihms_server.testing import add_facility, make_event, make_facility_and_enrol, make_movement
from tests.chromium import browser  # noqa: F401 - the module's Chromium (other page tests import it from here)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


def screenshot(page: Page, tmp_path: Path, name: str, store: Store) -> Path:
    folder = Path(os.environ.get("IHMS_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{store.kind}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a real picture, not a blank page
    return path


def add_paracetamol(store: Store) -> None:
    store.import_items([{"code": "PARA500", "name": "Paracetamol 500 mg tablet",
                         "generic_name": "Paracetamol", "strength": "500 mg",
                         "dosage_form": "tablet", "unit_of_issue": "tablet", "category": "drug",
                         "min_stock": 1000, "active": True}])


@pytest.fixture
def district(db_url: str, server: str, store: Store) -> dict[str, str]:
    """Four facilities in two districts: live, overdue, enrolled but silent, never enrolled."""
    live = make_facility_and_enrol(db_url, server, "CHC-JPR-001", name="CHC Chaksu",
                                   district="Jaipur", block="Chaksu")
    add_paracetamol(store)
    near = (utc_now() + dt.timedelta(days=40)).strftime("%Y-%m")
    response = live.push([
        make_event(live, 1, type="receipt", movements=[
            make_movement("PARA500", 5000, batch_no="PA-221"),
            make_movement("AMOX250", 200, batch_no="AM-7", expiry_month=near, line_no=2),
            make_movement("ORS-200", 50, batch_no="OR-1", line_no=3)]),
        make_event(live, 2, movements=[make_movement("ORS-200", -50, batch_no="OR-1")]),
    ])
    assert response.status_code == 200
    overdue = make_facility_and_enrol(db_url, server, "CHC-JPR-002", name="CHC Bassi",
                                      district="Jaipur", block="Bassi")
    assert overdue.push([make_event(overdue, 1, type="receipt")]).status_code == 200
    with store._write() as cur:  # noqa: SLF001 - the clock cannot be turned back otherwise
        cur.execute("UPDATE device SET last_push_at = %s WHERE device_id = %s",
                    (store._ts(utc_now() - dt.timedelta(hours=30)), overdue.device_id))  # noqa: SLF001
    make_facility_and_enrol(db_url, server, "PHC-JPR-003", name="PHC Kotkhawda",
                            district="Jaipur", block="Chaksu", type="PHC")
    add_facility(store, "CHC-AJM-001", name="CHC Kishangarh", district="Ajmer", block="Kishangarh")
    return {"live": live.facility_code, "overdue": overdue.facility_code}


def test_the_district_page_shows_who_is_live_overdue_and_never_synced(
        page: Page, server: str, store: Store, district: dict[str, str], tmp_path: Path) -> None:
    page.goto(f"{server}/")
    expect(page).to_have_title("All districts · IHMS district dashboard")
    row = page.locator("tr[data-facility='CHC-JPR-001']")
    expect(row).to_have_attribute("data-state", "live")
    expect(row.locator(".badge")).to_have_text("Live")
    expect(row).to_contain_text("synced just now")
    expect(row.locator("td").nth(4)).to_have_text("2")  # events received
    expect(row.locator("td").nth(5)).to_have_text("1")  # ORS-200 stocked out
    expect(row.locator("td").nth(6)).to_have_text("1")  # AMOX250 expires within 3 months
    overdue = page.locator("tr[data-facility='CHC-JPR-002']")
    expect(overdue.locator(".badge")).to_have_text("Overdue")
    expect(overdue).to_contain_text("synced 30 hours ago")
    for silent in ("PHC-JPR-003", "CHC-AJM-001"):
        never = page.locator(f"tr[data-facility='{silent}']")
        expect(never).to_have_attribute("data-state", "never")
        expect(never.locator(".badge")).to_have_text("Never synced")
    expect(page.locator("h2")).to_have_text(["Districts", "Ajmer district", "Jaipur district"])
    screenshot(page, tmp_path, "dashboard-all", store)
    page.emulate_media(media="print")
    screenshot(page, tmp_path, "dashboard-print", store)


def test_a_district_link_narrows_the_page_and_a_facility_shows_its_stock(
        page: Page, server: str, store: Store, district: dict[str, str], tmp_path: Path,
        log_in: Callable[[Page, str], None]) -> None:
    log_in(page, "officer")  # a facility's stock by batch needs a login
    page.goto(f"{server}/")
    page.get_by_role("link", name="Jaipur", exact=True).click()
    expect(page.locator("h1")).to_have_text("Jaipur")
    expect(page.locator("tr[data-facility]")).to_have_count(3)
    page.get_by_role("link", name="CHC Chaksu").click()
    expect(page.locator("h1")).to_have_text("CHC Chaksu")
    expect(page.locator("[data-state]").first).to_have_text("Live")
    para = page.locator("tr[data-item='PARA500']")
    expect(para).to_contain_text("Paracetamol 500 mg tablet")
    expect(para.locator("td").nth(3)).to_have_text("5,000")
    expect(page.locator("tr[data-item='ORS-200']")).to_contain_text("Stock-out")
    expect(page.locator("tr[data-item='AMOX250']")).to_contain_text("Near expiry")
    expect(page.locator("tr[data-item='AMOX250']")).to_contain_text("Not in catalogue")
    expect(page.locator("[data-unknown-items]")).to_have_attribute("data-unknown-items", "2")
    screenshot(page, tmp_path, "facility", store)
    page.goto(f"{server}/facility/NO-SUCH")
    expect(page.locator("h1")).to_have_text("Not found")


def test_state_wide_the_first_page_lists_districts_only(
        page: Page, server: str, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ihms_server import dashboard

    monkeypatch.setattr(dashboard, "FACILITIES_ON_ONE_PAGE", 5)
    for n in range(8):
        add_facility(store, f"PHC-BMR-{n:03d}", district="Barmer" if n % 2 else "Jaisalmer",
                     block=f"Block {n}", type="PHC")
    page.goto(f"{server}/")
    expect(page.locator("tr[data-facility]")).to_have_count(0)
    expect(page.get_by_text("Choose a district")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(2)
    screenshot(page, tmp_path, "dashboard-state-summary", store)
    page.get_by_role("link", name="Barmer", exact=True).click()
    expect(page.locator("tr[data-facility]")).to_have_count(4)
    expect(page.locator("tr[data-facility][data-state='never']")).to_have_count(4)


def test_a_facility_with_many_batches_shows_totals_first_and_pages_the_batches(
        page: Page, server: str, store: Store, db_url: str, tmp_path: Path,
        log_in: Callable[[Page, str], None]) -> None:
    log_in(page, "admin")
    desk = make_facility_and_enrol(db_url, server, "CHC-JPR-009", name="CHC Phagi",
                                   district="Jaipur", block="Phagi")
    add_paracetamol(store)
    near = (utc_now() + dt.timedelta(days=20)).strftime("%Y-%m")
    movements = [make_movement("PARA500", 10, batch_no=f"PB-{n:04d}", line_no=n + 1,
                               expiry_month=near if n < 30 else "2029-06") for n in range(450)]
    movements.append(make_movement("ORS-200", 50, batch_no="OR-1", line_no=451))
    assert desk.push([make_event(desk, 1, type="receipt", movements=movements)]).status_code == 200

    page.goto(f"{server}/facility/CHC-JPR-009")
    para = page.locator("tr[data-item='PARA500']")
    expect(para.locator("td").nth(3)).to_have_text("4,500")
    expect(para.locator("td.batches")).to_contain_text("450 batches, earliest expiry " + near)
    expect(para.locator("td").nth(5)).to_contain_text("300")  # 30 batches of 10 expire soon
    expect(para).to_contain_text("Near expiry")
    expect(page.locator("tr[data-item='ORS-200'] td.batches")).to_contain_text("OR-1 (2027-03):")
    expect(page.locator("[data-near-expiry]")).to_have_attribute("data-near-expiry", "30")
    screenshot(page, tmp_path, "facility-many-batches", store)

    para.get_by_role("link", name="all batches").click()
    expect(page.locator("h1")).to_have_text("Paracetamol 500 mg tablet")
    expect(page.locator("tr[data-batch]")).to_have_count(200)
    expect(page.locator("tr[data-batch]").first).to_contain_text("Near expiry")
    expect(page.locator(".pager .range").first).to_contain_text("Batches 1–200 of 450")
    page.locator("a[rel=next]").first.click()
    expect(page.locator(".pager .range").first).to_contain_text("Batches 201–400 of 450")
    expect(page.locator("tr[data-batch]").first).to_have_attribute("data-batch", "PB-0200")
    page.locator("a[rel=prev]").first.click()
    expect(page.locator("tr[data-batch]").first).to_have_attribute("data-batch", "PB-0000")
    screenshot(page, tmp_path, "facility-batches", store)

    page.goto(f"{server}/facility/CHC-JPR-009")
    page.get_by_role("link", name=f"batches expiring by").click()
    expect(page.locator("h1")).to_contain_text("Batches expiring by")
    expect(page.locator("tr[data-batch]")).to_have_count(30)
    screenshot(page, tmp_path, "facility-near-expiry", store)


def test_refused_events_and_restored_desks_are_shown_to_the_district(
        page: Page, db_url: str, server: str, store: Store, tmp_path: Path,
        log_in: Callable[[Page, str], None]) -> None:
    log_in(page, "officer")
    desk = make_facility_and_enrol(db_url, server, "CHC-JPR-001", name="CHC Chaksu",
                                   district="Jaipur", block="Chaksu")
    good = make_event(desk, 1, type="receipt", movements=[make_movement(qty=100)])
    poison = make_event(desk, 2)
    poison["payload"]["movements"][0]["batch_no"] = "PCM\u202e1"  # a right-to-left override
    taken = make_event(desk, 3)
    taken["payload"]["document"]["number"] = good["payload"]["document"]["number"]
    results = desk.push([good, poison, taken]).json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected"]
    desk.push([poison])  # sent twice: one row, counted twice
    from ihms_server.store import Device

    device = Device(desk.device_id, desk.facility_code, "DDC counter 1")
    store.claim_epoch(device, {"device_id": desk.device_id, "claim": "7f2e3a4c-0b5d-4c1e-9a8f-1d2c3b4a5e6f",
                               "from_epoch": 1, "proposed_epoch": 2, "reason": "restored", "take_over": False,
                               "claimed_by": "COUNTER-2"})
    assert desk.push([make_event(desk, 4)]).status_code == 409  # the older copy, epoch 1
    page.goto(f"{server}/?district=Jaipur")
    page.get_by_role("link", name="Refused events and restored desks").click()
    expect(page.locator("h1")).to_have_text("Refused events · Jaipur district")
    rows = page.locator("table.refused tbody tr")
    expect(rows).to_have_count(2)
    rtl = page.locator("tr[data-code='invalid_event']")
    expect(rtl).to_contain_text("batch_no")
    expect(rtl.locator("td.num")).to_have_text("2")
    expect(page.locator("tr[data-code='number_taken']")).to_contain_text("is already held by another document")
    claim = page.locator("table.claims tbody tr")
    expect(claim).to_have_count(1)
    expect(claim).to_contain_text("COUNTER-2")
    expect(claim).to_contain_text("restored from an older copy")
    expect(claim).to_contain_text("once")
    screenshot(page, tmp_path, "dashboard-refused", store)
    page.goto(f"{server}/facility/CHC-JPR-001")
    page.get_by_role("link", name="Refused events and restored desks →").click()
    expect(page.locator("h1")).to_have_text("Refused events · CHC Chaksu")
    page.goto(f"{server}/facility/NO-SUCH/refused")
    expect(page.locator("h1")).to_have_text("Not found")
