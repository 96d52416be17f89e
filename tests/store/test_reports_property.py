"""Reports against random ledgers (hypothesis): receipts, dispenses, transfers, adjustments,
stocktakes and reversals on random, partly back-dated days, then every report over a random
period checked against sums made in Python from the saved documents themselves:

- per batch and per item, opening + received - issued +/- adjustments +/- reversals = closing;
  the opening is what the ledger holds before the period and the closing what it holds at its
  end, which for a period ending today is the stock on hand;
- each column holds exactly what the ledger's documents of that kind moved in the period;
- consumption per month equals what was dispensed and issued that month, less what was
  reversed of it; reversals cancel exactly what they undo;
- days out of stock equal a day-by-day count of the ledger's usable balance;
- the dispensing and not-available registers add up to the slips.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, given, settings
from ledger_checks import at, facility_template

from ihms_desk.store import Store
from ihms_desk.store.errors import Refusal
from ihms_desk.store.model import AdjustmentLine, DispenseLine, Patient, ReceiptLine, StocktakeCount, TransferLine
from ihms_desk.store.reports import build_report
from ihms_desk.store.reports.consumption import amc_months
from ihms_desk.store.rules import last_usable_day
from tests.conftest import IST, FakeClock

ITEMS = ("D0001", "D0002", "D0003")
BATCHES = ("B0", "B1", "B2")
START = dt.date(2026, 8, 1)

@functools.cache
def template() -> Path:
    """A set-up database made once for all examples."""
    return facility_template("ihms-reports-template-", at(2026, 8, 1), ITEMS)


@dataclass
class Moved:
    day: dt.date
    item: str
    batch: str
    qty: int
    kind: str  # the movement's kind
    document: str  # receipt, dispense, transfer:ward, adjustment:lost, stocktake, reversal
    number: str
    month_of: str  # the month its consumption counts in (a reversal: its original's)


@dataclass
class Model:
    moved: list[Moved] = field(default_factory=list)
    expiry: dict[tuple[str, str], str] = field(default_factory=dict)
    slips: list[tuple[dt.date, str, str, int, int]] = field(default_factory=list)  # day, number, item, prescribed, given
    reversed: set[str] = field(default_factory=set)
    dates: dict[str, dt.date] = field(default_factory=dict)

    def balance(self, item: str, batch: str, until: dt.date) -> int:
        return sum(m.qty for m in self.moved if m.item == item and m.batch == batch and m.day <= until)


OPERATION = st.tuples(
    st.sampled_from(["receive", "receive", "dispense", "dispense", "dispense", "transfer", "adjust", "stocktake", "reverse"]),
    st.integers(0, 6),            # days the clock moves on first
    st.integers(0, 12),           # days the document is dated back (a paper slip entered late)
    st.sampled_from(ITEMS),
    st.sampled_from(BATCHES),
    st.integers(1, 120),          # quantity
    st.integers(0, 5),            # months to expiry / which earlier document / which reason
)
REASONS = ("damaged", "expired_write_off", "return_to_warehouse", "lost", "found", "stocktake_correction")
DESTINATIONS = ("ward", "sub_centre", "facility")


def run(store: Store, clock: FakeClock, operations: list[tuple[str, int, int, str, str, int, int]], early: bool) -> Model:
    model = Model()
    numbers: list[str] = []
    if early:
        # A receipt long before the rest: balances at the periods' starts are then worked
        # back from today's (a recent period), not summed from the first movement.
        clock.current -= dt.timedelta(days=200)
        store.act_as("admin")
        old = store.receive(source="ddw", voucher_no="OLD", voucher_date=clock.current.date(),
                            lines=[ReceiptLine("D0001", "OLD", "2029-12", 40)])
        model.expiry[("D0001", "OLD")] = "2029-12"
        model.dates[old.number] = old.doc_date
        model.moved.append(Moved(old.doc_date, "D0001", "OLD", 40, "receipt", "receipt", old.number, old.doc_date.strftime("%Y-%m")))
        clock.current += dt.timedelta(days=200)
    for name, wait, back, item, batch, qty, choice in operations:
        clock.current += dt.timedelta(days=wait)
        today = clock.current.date()
        day = max(today - dt.timedelta(days=back), START)
        store.act_as("admin")
        try:
            if name == "receive":
                # Short expiries (this month to three months on) so batches run out of date
                # inside the periods the reports cover.
                month = (day.year * 12 + day.month - 1) + choice % 4
                expiry = model.expiry.get((item, batch), f"{month // 12:04d}-{month % 12 + 1:02d}")
                document = store.receive(source="ddw", voucher_no=f"V{len(numbers)}", voucher_date=day, doc_date=day,
                                         lines=[ReceiptLine(item, batch, expiry, qty)])
                model.expiry[(item, batch)] = expiry
                label = "receipt"
            elif name == "dispense":
                document = store.dispense(patient=Patient(f"OPD/{len(numbers)}", "P", 30, "F"), prescriber=f"Dr {choice % 2}",
                                          lines=[DispenseLine(item, qty)], doc_date=day)
                line = document.lines[0]
                model.slips.append((day, document.number, item, line["qty_prescribed"], line["qty_dispensed"]))
                label = "dispense"
            elif name == "transfer":
                destination = DESTINATIONS[choice % 3]
                document = store.transfer_out(destination_type=destination, destination_name="X", doc_date=day,
                                              lines=[TransferLine(item, qty)])
                label = f"transfer:{destination}"
            elif name == "adjust":
                reason = REASONS[choice]
                signed = qty if reason != "stocktake_correction" else (qty if choice % 2 else -qty)
                document = store.adjust(reason=reason, lines=[AdjustmentLine(item, batch, signed)], doc_date=day)
                label = f"adjustment:{reason}"
            elif name == "stocktake":
                document = store.stocktake([StocktakeCount(item, batch, qty)], doc_date=day)
                label = "stocktake"
            else:
                if not numbers:
                    continue
                original = numbers[-1 - choice % len(numbers)]  # a mistake noticed soon after
                document = store.reverse(original, reason="mistake")
                model.reversed.add(original)
                label = "reversal"
        except Refusal:
            continue
        if name == "reverse":
            event(f"reversed a {store.document(original).kind}")
        numbers.append(document.number)
        model.dates[document.number] = document.doc_date
        original_month = (model.dates[document.reverses_number] if document.reverses_number else document.doc_date).strftime("%Y-%m")
        for movement, kind in zip(document.movements, _movement_kinds(store, document.id)):
            model.moved.append(Moved(document.doc_date, movement["item_code"], movement["batch_no"], movement["qty"], kind,
                                     label, document.number, original_month))
    return model


def _movement_kinds(store: Store, document_id: int) -> list[str]:
    return [row[0] for row in store.conn.execute("SELECT kind FROM movement WHERE document_id = ? ORDER BY id", (document_id,))]


def usable_days_out(model: Model, item: str, first: dt.date, last: dt.date) -> int:
    """Day by day: how many days ended with no unexpired stock of ``item`` (the slow, obvious way)."""
    batches = {batch for (code, batch) in model.expiry if code == item}
    days = 0
    day = first
    while day <= last:
        month = day.strftime("%Y-%m")
        usable = sum(model.balance(item, batch, day) for batch in batches if model.expiry[(item, batch)] >= month)
        days += usable <= 0
        day += dt.timedelta(days=1)
    return days


COLUMN_OF = {
    "receipt": ("received", 1), "dispense": ("dispensed_opd", -1), "transfer:ward": ("issued_ward", -1),
    "transfer:sub_centre": ("issued_sub_centre", -1), "transfer:facility": ("issued_facility", -1),
    "adjustment:return_to_warehouse": ("returned_to_warehouse", -1), "adjustment:damaged": ("damaged", -1),
    "adjustment:expired_write_off": ("expired_written_off", -1), "adjustment:lost": ("lost", -1),
    "adjustment:found": ("found", 1), "adjustment:stocktake_correction": ("stocktake_correction", 1),
    "stocktake": ("stocktake_correction", 1), "reversal": ("reversals", 1),
}
OUT = {"dispensed_opd", "issued_ward", "issued_sub_centre", "issued_facility", "returned_to_warehouse", "damaged",
       "expired_written_off", "lost"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(operations=st.lists(OPERATION, min_size=3, max_size=30), period=st.tuples(st.integers(0, 120), st.integers(0, 60)),
       early=st.booleans())
def test_reports_agree_with_the_ledger(operations: list[tuple[str, int, int, str, str, int, int]], period: tuple[int, int],
                                       early: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ihms-reports-"))
    try:
        shutil.copy(template() / "ihms-desk.sqlite3", folder / "ihms-desk.sqlite3")
        clock = FakeClock(dt.datetime.combine(START, dt.time(10), IST))
        with Store.open(folder, clock=clock) as store:
            model = run(store, clock, operations, early)
            today = clock.current.date()
            start = min(START + dt.timedelta(days=period[0]), today)
            end = min(start + dt.timedelta(days=period[1]), today)
            store.act_as("admin")
            check_stock_register(store, model, start, end, today)
            check_consumption(store, model, start, end, today)
            check_slips(store, model, start, end)
            # The whole history too: every reversal undoes exactly what its document moved.
            check_stock_register(store, model, START - dt.timedelta(days=200), today, today)
            check_reversals(store, model, START - dt.timedelta(days=200), today)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _records(table) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    names = [column.key for column in table.columns]
    return [{**dict(zip(names, row.values)), "level": row.level} for row in table.rows]


def check_stock_register(store: Store, model: Model, start: dt.date, end: dt.date, today: dt.date) -> None:
    rows = _records(build_report(store, "stock-register", start, end).table("stock_register"))
    on_shelf = {(code, batch): qty for code, batch, qty in store.conn.execute(
        "SELECT i.code, b.batch_no, s.qty FROM stock s JOIN batch b ON b.id = s.batch_id JOIN item i ON i.id = s.item_id")}
    listed = set()
    for row in rows:
        flows = {key: row[key] or 0 for key, _ in COLUMN_OF.values()}
        identity = row["opening"] + sum(-qty if key in OUT else qty for key, qty in flows.items())
        assert identity == row["closing"], row
        if row["level"] == 0:
            batches = [r for r in rows if r["level"] == 1 and r["item_code"] == row["item_code"]]
            for key in ("opening", "closing", *flows):
                assert (row[key] or 0) == sum(r[key] or 0 for r in batches), key
            continue
        key = (row["item_code"], row["batch_no"])
        listed.add(key)
        assert row["opening"] == model.balance(*key, start - dt.timedelta(days=1))
        assert row["closing"] == model.balance(*key, end)
        if end == today:
            assert row["closing"] == on_shelf.get(key, 0)
        expected: dict[str, int] = defaultdict(int)
        for m in model.moved:
            if (m.item, m.batch) == key and start <= m.day <= end:
                column, sign = COLUMN_OF[m.document]
                expected[column] += sign * m.qty
        assert {k: v for k, v in flows.items() if v} == {k: v for k, v in expected.items() if v}, key
    # Every batch that held or moved stock in the period is listed.
    for key in model.expiry:
        moved = any((m.item, m.batch) == key and start <= m.day <= end for m in model.moved)
        if moved or model.balance(*key, end) or model.balance(*key, start - dt.timedelta(days=1)):
            assert key in listed, key


def check_consumption(store: Store, model: Model, start: dt.date, end: dt.date, today: dt.date) -> None:
    table = build_report(store, "consumption", start, end).table("consumption")
    months = [column.param for column in table.columns if column.key == "consumption_month"]
    averaged = amc_months(end)
    window = (dt.date.fromisoformat(averaged[0] + "-01"), last_usable_day(averaged[-1]))
    for row, values in zip(_records(table), (r.values for r in table.rows)):
        code = row["item_code"]
        for offset, month in enumerate(months):
            issued = -sum(m.qty for m in model.moved if m.item == code and m.kind in ("dispense", "transfer") and m.month_of == month)
            assert values[3 + offset] == issued, (code, month)
        assert row["days_out_of_stock"] == usable_days_out(model, code, *window), code
        usable = sum(model.balance(code, batch, end) for (item, batch), expiry in model.expiry.items()
                     if item == code and expiry >= end.strftime("%Y-%m"))
        assert row["usable_stock"] == usable


def check_slips(store: Store, model: Model, start: dt.date, end: dt.date) -> None:
    report = build_report(store, "dispensing-register", start, end)
    kept = [s for s in model.slips if start <= s[0] <= end and s[1] not in model.reversed]
    listed = [s for s in model.slips if start <= s[0] <= end]
    assert len(report.table("dispensing_slips").rows) == len(listed)
    totals = report.table("dispensing_days").totals
    assert totals is not None
    assert (totals[2], totals[4], totals[5]) == (len(kept), sum(s[4] for s in kept), sum(s[3] - s[4] for s in kept))
    short: dict[str, int] = defaultdict(int)
    for day, _, item, prescribed, given_qty in kept:
        short[item] += prescribed - given_qty
    items = {r["item_code"]: r for r in _records(build_report(store, "not-available", start, end).table("not_available_items"))}
    assert {code: r["not_given"] for code, r in items.items() if r["not_given"]} == {k: v for k, v in short.items() if v}


def check_reversals(store: Store, model: Model, start: dt.date, end: dt.date) -> None:
    rows = [r for r in _records(build_report(store, "stock-register", start, end).table("stock_register")) if r["level"] == 1]
    for row in rows:
        key = (row["item_code"], row["batch_no"])
        undone = sum(m.qty for m in model.moved if (m.item, m.batch) == key and m.number in model.reversed)
        assert (row["reversals"] or 0) == -undone, key
