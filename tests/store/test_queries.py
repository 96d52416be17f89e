"""Stock views: on hand per item and per batch, near expiry, expired on the shelf, stock-outs,
low stock (below minimum or below N months of AMC), a day's documents."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_checks import at, check_invariants, receive

from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, TransferLine

PATIENT = Patient("OPD/1", "Sita Devi", 34, "F")


def give(store: Store, code: str, qty: int) -> None:
    store.act_as("pharma")
    store.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine(code, qty, qty)])


@pytest.fixture
def history(make_store) -> Store:  # type: ignore[no-untyped-def]
    """Three months of consumption before November 2026, and some in November itself."""
    store = make_store(user="clerk", start=at(2026, 7, 20))
    receive(store, ("D0002", "A2", "2027-12", 1000), ("D0010", "M1", "2027-12", 110), ("D0003", "OLD", "2026-10", 20))
    give(store, "D0002", 500)                       # July: before the AMC window
    store.clock.current = at(2026, 8, 5)
    give(store, "D0002", 30)
    store.clock.current = at(2026, 9, 10)
    give(store, "D0002", 60)
    store.act_as("clerk")
    store.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0010", 10)])  # transfers count
    store.clock.current = at(2026, 10, 15)
    give(store, "D0002", 90)
    give(store, "D0010", 90)
    store.clock.current = at(2026, 11, 20)
    give(store, "D0002", 100)                       # November: the current month, not in the AMC
    store.act_as("clerk")
    receive(store, ("D0001", "P1", "2027-01", 50), ("D0001", "P2", "2027-02", 10), ("D0001", "P3", "2027-09", 5))
    return store


def by_code(rows):  # type: ignore[no-untyped-def]
    return {row.item.code: row for row in rows}


def test_stock_on_hand_per_item(history: Store) -> None:
    rows = by_code(history.stock_on_hand())
    assert set(rows) == {"D0001", "D0002", "D0003", "D0010", "S0001", "T0001"}
    d2 = rows["D0002"]
    assert (d2.qty, d2.usable_qty, d2.expired_qty, d2.batches, d2.nearest_expiry) == (220, 220, 0, 1, "2027-12")
    assert d2.amc == pytest.approx(60.0)          # (30 + 60 + 90) / 3: July and November left out
    assert d2.months_of_stock == pytest.approx(220 / 60)
    d10 = rows["D0010"]
    assert (d10.qty, d10.amc) == (10, pytest.approx(100 / 3))
    d3 = rows["D0003"]
    assert (d3.qty, d3.usable_qty, d3.expired_qty, d3.nearest_expiry, d3.months_of_stock) == (20, 0, 20, None, None)
    d1 = rows["D0001"]
    assert (d1.qty, d1.batches, d1.nearest_expiry, d1.amc) == (65, 3, "2027-01", 0)
    assert rows["S0001"].qty == 0
    assert set(by_code(history.stock_on_hand(include_zero=False))) == {"D0001", "D0002", "D0003", "D0010"}
    assert set(by_code(history.stock_on_hand(category="surgical"))) == {"S0001"}
    check_invariants(history)


def test_stock_per_batch(history: Store) -> None:
    batches = history.item_batches("D0001")
    assert [(b.batch_no, b.qty, b.expired, b.near_expiry) for b in batches] == [
        ("P1", 50, False, True), ("P2", 10, False, False), ("P3", 5, False, False)]
    history.act_as("pharma")
    history.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 50)])
    assert [b.batch_no for b in history.item_batches("D0001")] == ["P2", "P3"]
    assert [(b.batch_no, b.qty) for b in history.item_batches("D0001", include_empty=True)] == [("P1", 0), ("P2", 10), ("P3", 5)]
    assert [(b.batch_no, b.expired) for b in history.item_batches("D0003")] == [("OLD", True)]


def test_near_expiry_uses_the_window_setting(history: Store) -> None:
    # 20 Nov 2026 + 90 days = 18 Feb 2027: P1 (through 31 Jan) is near; P2 (through 28 Feb) is not.
    assert [(b.item_code, b.batch_no, b.qty) for b in history.near_expiry()] == [("D0001", "P1", 50)]
    history.act_as("incharge")
    history.set_setting("near_expiry_days", "100")  # to 28 Feb 2027
    assert [b.batch_no for b in history.near_expiry()] == ["P1", "P2"]
    assert [b.batch_no for b in history.near_expiry(30)] == []
    assert [b.batch_no for b in history.near_expiry(365)] == ["P1", "P2", "P3"]
    assert all(b.near_expiry for b in history.near_expiry())


def test_near_expiry_codes_from_stock_agree_with_near_expiry(history: Store) -> None:
    # The stock screen flags items from the stock it already read; the alerts list batches.
    history.act_as("clerk")
    receive(history, ("D0010", "M0", "2026-12", 5), ("D0003", "NEW", "2027-03", 8))
    for when in (at(2026, 11, 20), at(2026, 12, 31), at(2027, 1, 31), at(2027, 2, 1), at(2027, 8, 15)):
        history.clock.current = when
        rows = history.stock_on_hand()
        for days in (None, 1, 30, 60, 90, 100, 365):
            expected = {batch.item_code for batch in history.near_expiry(days)}
            assert history.near_expiry_codes(rows, days) == expected, (when, days)
    history.clock.current = at(2026, 11, 20)  # a year ahead reaches D0010's M0 and D0003's NEW, not D0002
    assert history.near_expiry_codes(history.stock_on_hand(), 365) == {"D0001", "D0003", "D0010"}


def test_expired_on_shelf(history: Store) -> None:
    assert [(b.item_code, b.batch_no, b.qty, b.expired) for b in history.expired_on_shelf()] == [("D0003", "OLD", 20, True)]
    history.clock.current = at(2027, 2, 1)
    assert [b.batch_no for b in history.expired_on_shelf()] == ["OLD", "P1"]


def test_stock_outs_and_low_stock(history: Store) -> None:
    # D0003 has only expired stock; S0001/T0001 were never stocked and have no minimum.
    assert [row.item.code for row in history.stock_outs()] == ["D0003"]
    low = by_code(history.low_stock())
    # D0001: 65 usable, below its minimum of 100. D0010: 10 usable is 0.3 months of AMC.
    assert set(low) == {"D0001", "D0010"}
    assert set(by_code(history.low_stock(months=4))) == {"D0001", "D0002", "D0010"}
    history.act_as("incharge")
    history.set_setting("low_stock_months", "0.2")
    assert set(by_code(history.low_stock())) == {"D0001"}
    kinds = {(a.kind, a.item_code) for a in history.alerts()}
    assert {("stock_out", "D0003"), ("expired", "D0003"), ("low_stock", "D0001"), ("near_expiry", "D0001")} <= kinds


def test_a_days_documents(history: Store) -> None:
    today = history.documents_on()
    assert [(d.kind, d.number) for d in today] == [("receipt", "RCV/2026-27/000002"), ("dispense", "DSP/2026-27/000006")]
    assert today[1].summary == "OPD/1 · Sita Devi (34/F)" and today[1].lines == 1 and today[1].created_by == "pharma"
    assert [d.number for d in history.documents_on(dt.date(2026, 10, 15))] == ["DSP/2026-27/000005", "DSP/2026-27/000004"]
    assert [d.number for d in history.documents_on(dt.date(2026, 9, 10), kind="transfer")] == ["TRF/2026-27/000001"]
    assert history.documents_on(dt.date(2026, 9, 11)) == []
    assert [d.number for d in history.recent_dispenses(2)] == ["DSP/2026-27/000006", "DSP/2026-27/000005"]


def test_a_long_day_is_read_a_page_at_a_time(history: Store) -> None:
    """The Documents screen reads a day a page at a time: each page continues below the last
    document of the one before, in the same order as the whole day, and the count is the day's."""
    today = history.today()
    for _ in range(5):
        give(history, "D0002", 1)
    whole = [d.number for d in history.documents_on(today)]
    assert len(whole) == 7 and history.documents_counted_on(today) == 7
    pages: list[str] = []
    last = None
    while page := history.documents_on(today, limit=3, before_id=last):
        pages += [d.number for d in page]
        last = page[-1].id
    assert pages == whole
    dispenses = [d.number for d in history.documents_on(today, kind="dispense", limit=2, before_id=None)]
    assert dispenses == whole[:2] and history.documents_counted_on(today, kind="dispense") == 6
    assert history.documents_counted_on(dt.date(2026, 9, 11)) == 0


def test_a_dispense_reversed_next_month_is_not_consumption_of_its_month(make_store) -> None:  # type: ignore[no-untyped-def]
    """A typo of 1000 tablets in October, reversed on 2 November, must not count in October's
    consumption (nor make November's negative): the AMC is what patients actually took."""
    store = make_store(user="clerk", start=at(2026, 10, 20))
    receive(store, ("D0002", "A2", "2027-12", 2000))
    give(store, "D0002", 30)
    store.act_as("pharma")
    typo = store.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0002", 1000, 1000)])
    store.clock.current = at(2026, 11, 2)
    give(store, "D0002", 12)
    store.act_as("incharge")
    store.reverse(typo.number, reason="typed 1000 for 10")
    months = dict(store.conn.execute(
        "SELECT month, qty FROM consumption_month WHERE item_id = (SELECT id FROM item WHERE code = 'D0002')").fetchall())
    assert months == {"2026-10": 30, "2026-11": 12}
    assert by_code(store.stock_on_hand())["D0002"].amc == pytest.approx(10.0)  # (0 + 0 + 30) / 3 in November
    store.clock.current = at(2026, 12, 5)
    assert by_code(store.stock_on_hand())["D0002"].amc == pytest.approx(14.0)  # (0 + 30 + 12) / 3 in December
    check_invariants(store)
