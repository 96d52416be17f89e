"""The facility page and its batch lists: per item totals first, a page of rows at a time,
near-expiry batches on a list of their own; every row reachable once, forward and back,
however many batches a desk has sent. Both backends, stock planted through the real push.

The time a page takes with 200,000 batches is measured by ``benchmarks/facility_page_bench.py``
(a benchmark, not a timed test)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import requests

from ihms_server.store import (
    BATCHES_IN_ROW,
    BATCHES_PER_PAGE,
    ITEMS_PER_PAGE,
    Page,
    PageAt,
    Store,
    utc_now,
)
from ihms_server.testing import EnrolledDevice, make_event, make_movement

T = TypeVar("T")
CUTOFF = "2027-02"


def receive(device: EnrolledDevice, sequence: int, movements: list[dict[str, Any]]) -> None:
    for line_no, movement in enumerate(movements, 1):
        movement["line_no"] = line_no
    response = device.push([make_event(device, sequence, type="receipt", movements=movements)])
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["applied"]


def add_items(store: Store, *names: tuple[str, str]) -> None:
    store.import_items([{"code": code, "name": name, "generic_name": name.split()[0],
                         "strength": "", "dosage_form": "tablet", "unit_of_issue": "tablet",
                         "category": "drug", "min_stock": 100, "active": True}
                        for code, name in names])


def walk(read: Callable[[PageAt], Page[T]], key: Callable[[T], str], *,
         backward: bool = False) -> tuple[list[T], list[Page[T]]]:
    """Every row of a list, page by page from one end to the other, as the links go."""
    pages = [read(PageAt(backward=backward))]
    while pages[-1].has_previous if backward else pages[-1].has_next:
        edge = pages[-1].rows[0] if backward else pages[-1].rows[-1]
        pages.append(read(PageAt(key(edge), backward=backward)))
        assert len(pages) < 1000, "the pages never end"
    if backward:
        pages.reverse()
    return [row for page in pages for row in page.rows], pages


def check_numbering(pages: list[Page[Any]], limit: int) -> None:
    """Pages are full but for the last, numbered from 1 without gap or overlap."""
    expected_first = 1
    for page in pages:
        assert 1 <= len(page.rows) <= limit
        assert page.first == expected_first and page.last == page.first + len(page.rows) - 1
        expected_first = page.last + 1
    assert all(len(page.rows) == limit for page in pages[:-1])
    assert pages[0].has_previous is False and pages[-1].has_next is False
    assert pages[-1].last == pages[-1].total


# -- the store's lists --------------------------------------------------------------------------


def test_one_items_batches_page_by_expiry_forward_and_back(device: EnrolledDevice,
                                                           store: Store) -> None:
    # 40 batches with expiry months out of order, two of them ending at zero and one below
    # zero (its receipt not yet arrived): the list holds the 39 not at zero, FEFO order.
    batches = {f"PA-{n:03d}": f"{2026 + n % 3}-{1 + (n * 5) % 12:02d}" for n in range(40)}
    receive(device, 1, [make_movement("PARA500", 10 + n, batch_no=b, expiry_month=e)
                        for n, (b, e) in enumerate(batches.items())])
    spent = [make_movement("PARA500", -(10 + n), batch_no=f"PA-{n:03d}",
                           expiry_month=batches[f"PA-{n:03d}"]) for n in (3, 17)]
    assert device.push([make_event(device, 2, movements=spent)]).status_code == 200
    assert device.push([make_event(device, 3, movements=[make_movement(
        "PARA500", -5, batch_no="PA-999", expiry_month="2026-01")])]).status_code == 200
    batches["PA-999"] = "2026-01"
    listed = sorted((e, b) for b, e in batches.items() if b not in ("PA-003", "PA-017"))

    def read(at: PageAt) -> Page[Any]:
        found = store.item_batches(device.facility_code, "PARA500", CUTOFF, at, limit=7)
        assert found is not None
        return found[1]

    forward, pages = walk(read, lambda row: row.batch_no)
    assert [(row.expiry_month, row.batch_no) for row in forward] == listed
    assert {p.total for p in pages} == {39} and len(pages) == 6
    check_numbering(pages, 7)
    backward, back_pages = walk(read, lambda row: row.batch_no, backward=True)
    assert backward == forward
    # Going back from the end the first page is the short one.
    assert len(back_pages[0].rows) == 39 - 5 * 7 and back_pages[-1].last == 39
    assert dict((row.batch_no, row.qty) for row in forward)["PA-999"] == -5
    # A key that names no batch (a stale or made-up link) starts the list again.
    assert read(PageAt("NO-SUCH")).rows == pages[0].rows

    found = store.item_batches(device.facility_code, "PARA500", CUTOFF)
    assert found is not None
    totals = found[0]
    held = [b for b, e in batches.items() if b not in ("PA-003", "PA-017", "PA-999")]
    assert (totals.batches_held, totals.batches_negative) == (len(held), 1)
    assert totals.qty == sum(10 + n for n in range(40) if n not in (3, 17)) - 5
    near = [b for b in held if batches[b] <= CUTOFF]
    assert totals.near_expiry_batches == len(near)
    assert totals.near_expiry_qty == sum(10 + int(b[3:]) for b in near)
    assert totals.earliest_expiry == min(batches[b] for b in held)
    assert store.item_batches(device.facility_code, "NEVER-HELD", CUTOFF) is None


def test_items_page_by_name_with_their_totals_and_counts_over_all(device: EnrolledDevice,
                                                                  store: Store) -> None:
    add_items(store, ("PARA500", "Paracetamol 500 mg"), ("AMOX250", "Amoxicillin 250 mg"),
              ("ORS", "ORS powder"), ("ZINC20", "Zinc 20 mg"), ("IRON", "Ferrous sulphate"))
    receive(device, 1, [
        make_movement("PARA500", 100, batch_no="P1", expiry_month="2026-05"),
        make_movement("PARA500", 50, batch_no="P2", expiry_month="2028-01"),
        *[make_movement("AMOX250", 10, batch_no=f"A{n}", expiry_month="2029-01") for n in range(5)],
        make_movement("ORS", 20, batch_no="O1", expiry_month="2029-01"),
        make_movement("ZINC20", 30, batch_no="Z1", expiry_month="2027-01"),
        make_movement("NEW-CODE-1", 8, batch_no="N1", expiry_month="2029-01"),
        make_movement("ANOTHER-NEW", 4, batch_no="N2", expiry_month="2029-01"),
    ])
    assert device.push([make_event(device, 2, movements=[
        make_movement("ORS", -20, batch_no="O1", expiry_month="2029-01")])]).status_code == 200
    # Catalogue items by name, then the codes the catalogue does not have.
    by_name = ["AMOX250", "ORS", "PARA500", "ZINC20", "ANOTHER-NEW", "NEW-CODE-1"]

    stock = store.facility_items(device.facility_code, CUTOFF, limit=4)
    assert (stock.items.total, stock.unknown_items, stock.stock_outs) == (6, 2, 1)
    assert stock.near_expiry_batches == 2  # P1 and Z1; IRON was never held
    pages = [stock.items]
    while pages[-1].has_next:
        pages.append(store.facility_items(device.facility_code, CUTOFF,
                                          PageAt(pages[-1].rows[-1].item_code), limit=4).items)
    check_numbering(pages, 4)
    rows = [item for page in pages for item in page.rows]
    assert [item.item_code for item in rows] == by_name
    last = store.facility_items(device.facility_code, CUTOFF, PageAt(backward=True), limit=4)
    assert [i.item_code for i in last.items.rows] == by_name[-4:] and last.items.first == 3
    before = store.facility_items(device.facility_code, CUTOFF, PageAt("ZINC20", backward=True), limit=4)
    assert [i.item_code for i in before.items.rows] == by_name[:3] and before.items.first == 1
    after = store.facility_items(device.facility_code, CUTOFF, PageAt("ANOTHER-NEW"), limit=4)
    assert [i.item_code for i in after.items.rows] == by_name[5:] and after.items.first == 6
    across = store.facility_items(device.facility_code, CUTOFF, PageAt("ORS"), limit=4)
    assert [i.item_code for i in across.items.rows] == by_name[2:6] and across.items.first == 3
    back = store.facility_items(device.facility_code, CUTOFF, PageAt("NEW-CODE-1", backward=True), limit=4)
    assert [i.item_code for i in back.items.rows] == by_name[1:5] and back.items.first == 2
    for size in (1, 2, 5):  # every way the pages can fall, forward and back
        rows, pages = walk(lambda at: store.facility_items(device.facility_code, CUTOFF, at,
                                                           limit=size).items,
                           lambda item: item.item_code)
        assert [item.item_code for item in rows] == by_name
        check_numbering(pages, size)
        assert [i.item_code for i in walk(lambda at: store.facility_items(
            device.facility_code, CUTOFF, at, limit=size).items, lambda item: item.item_code,
            backward=True)[0]] == by_name

    item = {i.item_code: i for i in rows}
    para = item["PARA500"]
    assert (para.name, para.qty, para.batches_held, para.near_expiry_batches,
            para.near_expiry_qty, para.earliest_expiry) == ("Paracetamol 500 mg", 150, 2, 1, 100, "2026-05")
    assert [b.batch_no for b in para.batches] == ["P1", "P2"]  # few batches: shown in the row
    assert len(item["AMOX250"].batches) == 0 and item["AMOX250"].batches_held == 5 > BATCHES_IN_ROW
    assert (item["ORS"].qty, item["ORS"].batches_held, item["ORS"].batches) == (0, 0, ())
    assert item["NEW-CODE-1"].name is None


def test_near_expiry_batches_of_every_item_earliest_first(device: EnrolledDevice,
                                                          store: Store) -> None:
    movements = [make_movement(code, 5, batch_no=f"{code}-{n}", expiry_month=f"{2026 + n % 2}-{1 + n % 12:02d}")
                 for code in ("AMOX250", "PARA500", "ORS") for n in range(9)]
    receive(device, 1, movements)
    assert device.push([make_event(device, 2, movements=[
        make_movement("ORS", -5, batch_no="ORS-0", expiry_month="2026-01")])]).status_code == 200
    expected = sorted((m["expiry_month"], m["item_code"], m["batch_no"]) for m in movements
                      if m["expiry_month"] <= CUTOFF and m["batch_no"] != "ORS-0")

    def read(at: PageAt) -> Page[Any]:
        return store.expiring_batches(device.facility_code, CUTOFF, at, limit=5)

    def key(row: Any) -> str:
        return f"{row.item_code} {row.batch_no}"

    forward, pages = walk(read, key)
    assert [(r.expiry_month, r.item_code, r.batch_no) for r in forward] == expected
    check_numbering(pages, 5)
    assert walk(read, key, backward=True)[0] == forward


# -- the pages, through HTTP ----------------------------------------------------------------------


def get(web: requests.Session, url: str) -> str:
    response = web.get(url, timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def next_link(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return html.unescape(found.group(1)) if found else None


def test_the_pages_stay_bounded_and_every_row_is_reachable(device: EnrolledDevice, store: Store,
                                                          server: str, web: requests.Session) -> None:
    many = BATCHES_PER_PAGE * 2 + 50
    add_items(store, ("PARA500", "Paracetamol 500 mg"))
    receive(device, 1, [make_movement("PARA500", 3, batch_no=f"PB{n:05d}", expiry_month="2029-01")
                        for n in range(many)])
    others = ITEMS_PER_PAGE + 30
    receive(device, 2, [make_movement(f"X{n:04d}", 1, batch_no="B1", expiry_month="2029-02")
                        for n in range(others)])
    base = f"{server}/facility/{device.facility_code}"

    first = get(web, base)
    assert first.count("<tr data-item=") == ITEMS_PER_PAGE
    assert f"Items 1–{ITEMS_PER_PAGE} of {others + 1}" in first
    assert len(first) < 200_000  # the HTML of a page does not grow with the batches
    para = re.search(r'<tr data-item="PARA500">.*?</tr>', first, re.S)
    assert para is not None
    assert f"{many:,} batches" in para.group(0) and "PB00001" not in para.group(0)
    assert f"{3 * many:,}" in para.group(0)

    seen: list[str] = []
    url: str | None = base
    while url is not None:
        page = get(web, url if url.startswith("http") else server + url)
        seen += re.findall(r'<tr data-item="([^"]+)">', page)
        url = next_link(page)
    assert sorted(seen) == sorted(["PARA500", *(f"X{n:04d}" for n in range(others))])
    assert len(seen) == len(set(seen))

    batch_list = f"{base}/batches?item=PARA500"
    page = get(web, batch_list)
    assert page.count("<tr data-batch=") == BATCHES_PER_PAGE
    assert f"Batches 1–{BATCHES_PER_PAGE} of {many}" in page
    batches: list[str] = []
    url = batch_list
    while url is not None:
        page = get(web, url if url.startswith("http") else server + url)
        batches += re.findall(r'<tr data-batch="([^"]+)">', page)
        url = next_link(page)
    assert batches == [f"PB{n:05d}" for n in range(many)]
    # The last page is the last full page of rows (pages start at a row, not at a multiple).
    last = get(web, f"{batch_list}&at=end")
    assert re.findall(r'<tr data-batch="([^"]+)">', last) == batches[-BATCHES_PER_PAGE:]
    assert f"Batches {many - BATCHES_PER_PAGE + 1}–{many} of {many}" in last


def test_bad_addresses_get_not_found_not_an_error(device: EnrolledDevice, server: str,
                                                  web: requests.Session) -> None:
    receive(device, 1, [make_movement("PARA500", 3)])
    base = f"{server}/facility/{device.facility_code}"
    for url in (f"{base}?after=%00", f"{base}/batches?item=NO-SUCH", f"{base}/batches?item=%00",
                f"{base}/near-expiry?before=A%00B", f"{server}/facility/NOPE/batches?item=PARA500"):
        response = web.get(url, timeout=30)
        assert response.status_code == 404, url
        assert "Not found" in response.text
    assert web.get(f"{base}?at=middle", timeout=30).status_code == 422
    assert web.get(f"{base}/batches", timeout=30).status_code == 422


def test_the_near_expiry_list_tells_expired_from_expiring(device: EnrolledDevice, server: str,
                                                           web: requests.Session) -> None:
    now = utc_now()
    gone, soon = ((now + dt.timedelta(days=days)).strftime("%Y-%m") for days in (-62, 31))
    receive(device, 1, [make_movement("AMOX250", 7, batch_no="GONE-1", expiry_month=gone),
                        make_movement("AMOX250", 9, batch_no="SOON-1", expiry_month=soon),
                        make_movement("AMOX250", 4, batch_no="LATER-1", expiry_month="2099-01")])
    page = get(web, f"{server}/facility/{device.facility_code}/near-expiry")
    rows = dict(re.findall(r'<tr data-batch="([^"]+)">.*?<span class="badge [a-z]+">([^<]+)</span>',
                           page, re.S))
    assert rows == {"GONE-1": "Expired", "SOON-1": "Near expiry"}


@pytest.mark.parametrize("path", ["", "/near-expiry", "/batches?item=PARA500"])
def test_a_facility_without_stock_says_so(device: EnrolledDevice, server: str, path: str,
                                        web: requests.Session) -> None:
    response = web.get(f"{server}/facility/{device.facility_code}{path}", timeout=30)
    if path.startswith("/batches"):
        assert response.status_code == 404  # no such item at this facility
    else:
        assert response.status_code == 200
        assert "No stock received" in response.text or "No batch in stock expires" in response.text
