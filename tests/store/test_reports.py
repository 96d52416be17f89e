"""Registers and reports from the ledger: every column of every report against a ledger worked
by hand, the AMC and months-of-stock formula by hand, filters, and every refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from ledger_checks import at, receive

from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput, NotLoggedIn
from ihms_desk.store.model import AdjustmentLine, DispenseLine, Patient, ReceiptLine, StocktakeCount, TransferLine
from ihms_desk.store.reports import REPORT_NAMES, ReportCancelled, ReportRefused, build_report, stock_levels
from ihms_desk.store.reports.consumption import Amc, amc_months, status
from ihms_desk.store.reports.result import Report, Table


def rows_by(table: Table, *keys: str) -> dict[Any, dict[str, Any]]:
    """The table's rows as dicts, by the value(s) of ``keys``."""
    names = [column.key for column in table.columns]
    result = {}
    for row in table.rows:
        record = dict(zip(names, row.values))
        record["level"] = row.level
        result[tuple(record[key] for key in keys) if len(keys) > 1 else record[keys[0]]] = record
    return result


def give(store: Store, code: str, qty: int, *, opd: str = "OPD/1", prescriber: str = "Dr. R. Meena",
         prescribed: int | None = None, batch: str | None = None) -> str:
    store.act_as("pharma")
    line = DispenseLine(code, prescribed or qty, None if prescribed else qty, batch)
    return store.dispense(patient=Patient(opd, f"Patient {opd}", 40, "F"), prescriber=prescriber, lines=[line]).number


def on(store: Store, year: int, month: int, day: int) -> None:
    store.clock.current = at(year, month, day)


# -- consumption and months of stock: the worked example -----------------------------------


@pytest.fixture
def quarter(make_store) -> Store:  # type: ignore[no-untyped-def]
    """September to November 2026, worked by hand in test_amc_and_months_of_stock_by_hand."""
    store = make_store(user="clerk", start=at(2026, 9, 1))
    receive(store, ("D0001", "PA", "2027-12", 1000), ("D0002", "AM", "2027-12", 500), ("D0003", "OR", "2027-12", 100),
            ("D0010", "MF", "2027-12", 5000))
    on(store, 2026, 9, 10)
    give(store, "D0001", 300)
    give(store, "D0010", 300)
    on(store, 2026, 10, 5)
    give(store, "D0003", 100)                    # ORS: none left from 5 October
    give(store, "D0010", 300)
    on(store, 2026, 10, 21)
    give(store, "D0001", 700)                    # paracetamol runs out on 21 October
    on(store, 2026, 11, 1)
    store.act_as("clerk")
    receive(store, ("D0001", "PB", "2027-06", 2000))   # ... and comes back on 1 November
    on(store, 2026, 11, 15)
    give(store, "D0001", 200)
    give(store, "D0010", 300)
    on(store, 2026, 11, 20)
    store.act_as("clerk")
    store.transfer_out(destination_type="ward", destination_name="Labour room", lines=[TransferLine("D0001", 50)])
    on(store, 2026, 12, 1)
    store.act_as("incharge")
    return store


def test_amc_and_months_of_stock_by_hand(quarter: Store) -> None:
    """Paracetamol (D0001), period 1-30 November 2026, which ends on its month's last day:

    - AMC months: September, October, November; N = 30 + 31 + 30 = 91 days.
    - Consumption: September 300, October 700, November 200 dispensed + 50 to the ward = 250;
      1,250 in all. AMC = 1,250 / 3 = 416.67 -> 416.7.
    - Out of stock: the 700 on 21 October emptied the shelf; the receipt came on 1 November.
      Days that ended with nothing usable: 21 to 31 October = 11 days.
    - Adjusted AMC = 416.67 x 91 / (91 - 11) = 1,250 x 91 / 240 = 473.96 -> 474.0.
    - Usable stock on 30 November: 2,000 received - 200 - 50 = 1,750.
    - Months of stock = 1,750 / 473.96 = 3.69 -> 3 whole months: between the in-charge's
      minimum 2 and maximum 4, so adequate.
    """
    report = build_report(quarter, "consumption", "01-11-2026", "30-11-2026")
    table = report.table("consumption")
    assert [c.param for c in table.columns if c.key == "consumption_month"] == ["2026-11"]
    paracetamol = rows_by(table, "item_code")["D0001"]
    assert paracetamol["consumption_month"] == 250
    assert paracetamol["days_out_of_stock"] == 11
    assert paracetamol["amc"] == Decimal("416.7")
    assert paracetamol["amc_adjusted"] == Decimal("474.0")
    assert paracetamol["usable_stock"] == 1750
    assert paracetamol["months_of_stock"] == 3
    assert paracetamol["status"] == "adequate"
    assert [note.key for note in report.notes] == ["amc_window", "amc_formula", "stock_levels"]
    assert report.notes[0].values == {"first": "2026-09", "last": "2026-11", "days": 91}
    # The same arithmetic as the class does it, from the figures above.
    amc = Amc(consumed=1250, days=91, days_out=11)
    assert (amc.plain, amc.adjusted, amc.months_of_stock(1750)) == (Decimal("416.7"), Decimal("474.0"), 3)


def test_each_status(quarter: Store) -> None:
    """Metformin: 900 used in 3 months (AMC 300), 4,100 left: 13 months, over the maximum of 4.
    Amoxicillin: never dispensed. ORS: none left since 5 October (26 + 30 days out of stock)."""
    rows = rows_by(build_report(quarter, "consumption", "01-11-2026", "30-11-2026").table("consumption"), "item_code")
    assert (rows["D0010"]["amc_adjusted"], rows["D0010"]["usable_stock"], rows["D0010"]["months_of_stock"],
            rows["D0010"]["status"]) == (Decimal("300.0"), 4100, 13, "over_maximum")
    assert (rows["D0002"]["amc"], rows["D0002"]["months_of_stock"], rows["D0002"]["status"]) == (Decimal("0.0"), None, "no_consumption")
    assert (rows["D0003"]["days_out_of_stock"], rows["D0003"]["usable_stock"], rows["D0003"]["status"]) == (57, 0, "stocked_out")
    # Gauze (S0001) and catgut were never received and have no minimum: not listed.
    assert "S0001" not in rows and "T0001" not in rows


def test_months_of_stock_follow_the_in_charges_levels(quarter: Store) -> None:
    assert stock_levels(quarter) == (2, 4)
    quarter.set_setting("min_stock_months", "3")
    quarter.set_setting("max_stock_months", "12")
    rows = rows_by(build_report(quarter, "consumption", "01-11-2026", "30-11-2026").table("consumption"), "item_code")
    assert rows["D0001"]["status"] == "adequate"           # 3 months: at the new minimum
    assert rows["D0010"]["status"] == "over_maximum"       # 13 > 12
    quarter.set_setting("min_stock_months", "4")
    rows = rows_by(build_report(quarter, "consumption", "01-11-2026", "30-11-2026").table("consumption"), "item_code")
    assert rows["D0001"]["status"] == "below_minimum"
    assert build_report(quarter, "consumption", "01-11-2026", "30-11-2026").notes[2].values == {"minimum": 4, "maximum": 12}


@pytest.mark.parametrize(("key", "value"), [
    ("min_stock_months", "0"), ("min_stock_months", "2.5"), ("min_stock_months", "4"),  # not below the maximum 4
    ("max_stock_months", "2"), ("max_stock_months", "25"), ("max_stock_months", "x"),   # not above the minimum 2
])
def test_stock_level_settings_are_checked(quarter: Store, key: str, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        quarter.set_setting(key, value)
    assert refused.value.field == key
    assert stock_levels(quarter) == (2, 4)


def test_amc_window_and_status_rules() -> None:
    assert amc_months(dt.date(2026, 11, 30)) == ["2026-09", "2026-10", "2026-11"]   # November is complete
    assert amc_months(dt.date(2026, 11, 29)) == ["2026-08", "2026-09", "2026-10"]   # it is not
    assert amc_months(dt.date(2027, 2, 10)) == ["2026-11", "2026-12", "2027-01"]
    assert Amc(90, 92, 92).adjusted == Decimal("30.0")    # out every day: nothing to scale by
    assert Amc(0, 92, 10).months_of_stock(50) is None
    assert [status(0, None, 2, 4), status(5, None, 2, 4), status(5, 1, 2, 4), status(5, 2, 2, 4), status(5, 4, 2, 4),
            status(5, 5, 2, 4)] == ["stocked_out", "no_consumption", "below_minimum", "adequate", "adequate", "over_maximum"]


def test_expiry_makes_a_day_out_of_stock(make_store) -> None:  # type: ignore[no-untyped-def]
    """A batch marked 2026-09 is usable through 30 September; with nothing else on the shelf,
    every October day is out of stock although the batch is still on the books."""
    store = make_store(user="clerk", start=at(2026, 8, 20))
    receive(store, ("D0002", "SHORT", "2026-09", 40))
    on(store, 2026, 9, 5)
    give(store, "D0002", 10)
    on(store, 2026, 11, 2)
    store.act_as("incharge")
    rows = rows_by(build_report(store, "consumption", "01-10-2026", "31-10-2026").table("consumption"), "item_code")
    # AMC months August to October: 20 days of August before the receipt + 31 of October.
    assert rows["D0002"]["days_out_of_stock"] == 19 + 31
    assert rows["D0002"]["usable_stock"] == 0 and rows["D0002"]["status"] == "stocked_out"
    expired = build_report(store, "expiry", "01-10-2026", "31-10-2026").table("expired_on_shelf")
    assert [(r["batch_no"], r["qty"]) for r in rows_by(expired, "batch_no").values()] == [("SHORT", 30)]


# -- stock register --------------------------------------------------------------------------


@pytest.fixture
def november(make_store) -> Store:  # type: ignore[no-untyped-def]
    """Every kind of movement of paracetamol (D0001) in November 2026, on top of October stock."""
    store = make_store(user="admin", start=at(2026, 10, 25))
    store.receive(source="ddw", voucher_no="DDW/JPR/4400", voucher_date="2026-10-24",
                  lines=[ReceiptLine("D0001", "PA", "2027-03", 1000, unit_cost="0.50")])
    give(store, "D0001", 40)                                                   # October: in the opening
    on(store, 2026, 11, 2)
    store.act_as("admin")
    store.receive(source="ddw", voucher_no="DDW/JPR/4411", voucher_date="2026-11-01",
                  lines=[ReceiptLine("D0001", "PB", "2027-09", 500, unit_cost="0.40")])
    on(store, 2026, 11, 3)
    dispensed = give(store, "D0001", 100)                                      # FEFO: from PA
    on(store, 2026, 11, 4)
    store.act_as("admin")
    for kind, name, qty in (("ward", "Labour room", 50), ("sub_centre", "SC Kotkhawda", 30), ("facility", "PHC Bassi", 20)):
        store.transfer_out(destination_type=kind, destination_name=name, lines=[TransferLine("D0001", qty)])
    on(store, 2026, 11, 5)
    for reason, batch, qty in (("return_to_warehouse", "PB", 10), ("damaged", "PA", 5), ("expired_write_off", "PA", 4),
                               ("lost", "PA", 3), ("found", "PA", 7), ("stocktake_correction", "PB", -2)):
        store.adjust(reason=reason, lines=[AdjustmentLine("D0001", batch, qty)])
    on(store, 2026, 11, 6)
    store.stocktake([StocktakeCount("D0001", "PA", 740)], note="shelf count")  # books say 755: -15
    on(store, 2026, 11, 7)
    store.reverse(dispensed, reason="wrong patient")                           # +100 back to PA
    on(store, 2026, 12, 1)
    return store


def test_stock_register_every_column(november: Store) -> None:
    table = build_report(november, "stock-register", "01-11-2026", "30-11-2026").table("stock_register")
    rows = rows_by(table, "item_code", "batch_no")
    assert set(rows) == {("D0001", None), ("D0001", "PA"), ("D0001", "PB")}
    item, pa, pb = rows[("D0001", None)], rows[("D0001", "PA")], rows[("D0001", "PB")]
    assert [item["level"], pa["level"], pb["level"]] == [0, 1, 1]
    assert [r["item_code"] for r in rows_by(table, "item_code", "batch_no").values()] == ["D0001"] * 3
    # PA: 1,000 received in October, 40 dispensed then. FEFO took every November issue from PA
    # (expiring first), except the named batches of the adjustments.
    assert pa == {**pa, "expiry": "2027-03", "vouchers": None, "opening": 960, "received": None, "dispensed_opd": 100,
                  "issued_ward": 50, "issued_sub_centre": 30, "issued_facility": 20, "returned_to_warehouse": None,
                  "damaged": 5, "expired_written_off": 4, "lost": 3, "found": 7, "stocktake_correction": -15,
                  "reversals": 100, "closing": 840, "closing_value": Decimal("420.00")}
    assert pb == {**pb, "expiry": "2027-09", "vouchers": "DDW/JPR/4411", "opening": 0, "received": 500,
                  "dispensed_opd": None, "returned_to_warehouse": 10, "stocktake_correction": -2, "reversals": None,
                  "closing": 488, "closing_value": Decimal("195.20")}
    assert item == {**item, "vouchers": "DDW/JPR/4411", "opening": 960, "received": 500, "dispensed_opd": 100,
                    "returned_to_warehouse": 10, "stocktake_correction": -17, "reversals": 100, "closing": 1328,
                    "closing_value": Decimal("615.20")}
    assert table.totals is not None and table.totals[-1] == Decimal("615.20")
    # The balance on the shelf now is the register's closing.
    assert {b.batch_no: b.qty for b in november.item_batches("D0001")} == {"PA": 840, "PB": 488}


def test_stock_register_over_part_of_the_month(november: Store) -> None:
    """3 to 4 November: the opening is what stood at the end of 2 November."""
    rows = rows_by(build_report(november, "stock-register", "03-11-2026", "04-11-2026").table("stock_register"),
                   "item_code", "batch_no")
    pa = rows[("D0001", "PA")]
    assert (pa["opening"], pa["dispensed_opd"], pa["issued_ward"], pa["closing"]) == (960, 100, 50, 760)
    assert rows[("D0001", "PB")]["opening"] == 500 and rows[("D0001", "PB")]["received"] is None


def test_reversal_cancels_its_document_over_a_period_holding_both(november: Store) -> None:
    """Over 3 to 7 November the wrong dispense and its reversal net to nothing."""
    pa = rows_by(build_report(november, "stock-register", "03-11-2026", "07-11-2026").table("stock_register"),
                 "item_code", "batch_no")[("D0001", "PA")]
    assert pa["dispensed_opd"] - pa["reversals"] == 0


def test_issues_register(november: Store) -> None:
    report = build_report(november, "issues-register", "01-11-2026", "30-11-2026")
    register = report.table("issues_register")
    types = [row.values[register.column("type")] for row in register.rows]
    assert types == ["transfer_ward", "transfer_sub_centre", "transfer_facility", "adjustment_return_to_warehouse",
                     "adjustment_damaged", "adjustment_expired_write_off", "adjustment_lost", "adjustment_found",
                     "adjustment_stocktake_correction", "stocktake", "reversal"]
    quantities = register.values("qty")
    assert quantities == [-50, -30, -20, -10, -5, -4, -3, 7, -2, -15, 100]
    assert register.values("value")[0] == Decimal("-25.00") and register.values("value")[3] == Decimal("-4.00")
    ward = dict(zip([c.key for c in register.columns], register.rows[0].values))
    assert (ward["particulars"], ward["batch_no"], ward["entered_by"]) == ("Labour room", "PA", "Test Admin")
    reversal = dict(zip([c.key for c in register.columns], register.rows[-1].values))
    assert reversal["particulars"].endswith(": wrong patient") and reversal["particulars"].startswith("DSP/")
    summary = rows_by(report.table("issues_summary"), "type")
    assert summary["reversal"]["documents"] == 1 and summary["transfer_ward"]["value"] == Decimal("-25.00")
    assert report.table("issues_summary").totals == (None, 11, 11, sum((r["value"] for r in summary.values()), Decimal(0)))


# -- dispensing register and not available -----------------------------------------------------


@pytest.fixture
def clinic(make_store) -> Store:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2026, 11, 9))
    receive(store, ("D0001", "P1", "2027-01", 10), ("D0001", "P2", "2027-06", 100), ("D0002", "A1", "2027-06", 5))
    on(store, 2026, 11, 10)
    store.act_as("pharma")
    store.dispense(patient=Patient("OPD/1", "Sita Devi", 34, "F"), prescriber="Dr. R. Meena",
                   lines=[DispenseLine("D0001", 15), DispenseLine("D0002", 3)])   # 15 split: 10 of P1, 5 of P2
    store.dispense(patient=Patient("OPD/2", "Ramesh", 50, "M"), prescriber="Dr. P. Jain",
                   lines=[DispenseLine("D0002", 5)])                                 # only 2 left: 3 not given
    wrong = store.dispense(patient=Patient("OPD/3", "Geeta", 20, "F"), prescriber="Dr. P. Jain",
                           lines=[DispenseLine("D0001", 10)]).number
    on(store, 2026, 11, 11)
    store.act_as("pharma")
    store.dispense(patient=Patient("OPD/1", "Kamla", 60, "F"), prescriber="Dr. R. Meena",
                   lines=[DispenseLine("D0001", 20), DispenseLine("D0002", 4)])      # D0002: none left
    store.act_as("incharge")
    store.reverse(wrong, reason="typed twice")
    return store


def test_dispensing_register(clinic: Store) -> None:
    report = build_report(clinic, "dispensing-register", "10-11-2026", "11-11-2026")
    slips = report.table("dispensing_slips")
    names = [c.key for c in slips.columns]
    lines = [dict(zip(names, row.values)) for row in slips.rows]
    assert [(r["opd_no"], r["item_code"], r["batch_no"], r["qty_prescribed"], r["qty_dispensed"], r["not_given"])
            for r in lines] == [
        ("OPD/1", "D0001", "P1 (10), P2 (5)", 15, 15, None), ("OPD/1", "D0002", "A1", 3, 3, None),
        ("OPD/2", "D0002", "A1", 5, 2, 3), ("OPD/3", "D0001", "P2", 10, 10, None),
        ("OPD/1", "D0001", "P2", 20, 20, None), ("OPD/1", "D0002", None, 4, 0, 4),
    ]
    assert lines[3]["reversed_by"] and all(r["reversed_by"] is None for i, r in enumerate(lines) if i != 3)
    assert (lines[0]["date"], lines[0]["patient"], lines[0]["age_sex"], lines[0]["prescriber"]) == (
        dt.date(2026, 11, 10), "Sita Devi", "34/F", "Dr. R. Meena")
    # The reversed slip (OPD/3) is out of every total.
    days = rows_by(report.table("dispensing_days"), "date")
    assert {d: (r["patients"], r["slips"], r["lines"], r["qty_dispensed"], r["not_given"]) for d, r in days.items()} == {
        dt.date(2026, 11, 10): (2, 2, 3, 20, 3), dt.date(2026, 11, 11): (1, 1, 2, 20, 4)}
    assert report.table("dispensing_days").totals == (None, 3, 3, 5, 40, 7)
    prescribers = rows_by(report.table("dispensing_prescribers"), "date", "prescriber")
    assert prescribers[(dt.date(2026, 11, 10), "Dr. P. Jain")]["qty_dispensed"] == 2
    items = rows_by(report.table("dispensing_items"), "item_code")
    # Paracetamol went to OPD/1 on two days (two visits); amoxicillin to two patients, one got none.
    assert (items["D0001"]["patients"], items["D0001"]["lines"], items["D0001"]["qty_dispensed"]) == (2, 2, 35)
    assert (items["D0002"]["patients"], items["D0002"]["lines"], items["D0002"]["qty_dispensed"],
            items["D0002"]["not_given"]) == (2, 3, 5, 7)
    assert [note.key for note in report.notes] == ["dispensing"]


def test_not_available(clinic: Store) -> None:
    report = build_report(clinic, "not-available", "10-11-2026", "11-11-2026")
    items = rows_by(report.table("not_available_items"), "item_code")
    # Amoxicillin ran out on the 10th (the second patient took the last 2): both days out of stock.
    assert items["D0002"] == {**items["D0002"], "lines_short": 2, "patients": 2, "not_given": 7, "days_short": 2,
                              "days_out_of_stock": 2, "usable_stock": 0}
    assert set(items) == {"D0002"}
    days = rows_by(report.table("not_available_days"), "date", "item_code")
    assert {key: (r["lines_short"], r["not_given"], r["out_of_stock"]) for key, r in days.items()} == {
        (dt.date(2026, 11, 10), "D0002"): (1, 3, "yes"), (dt.date(2026, 11, 11), "D0002"): (1, 4, "yes")}


def test_filters_by_category_and_item(clinic: Store) -> None:
    only = build_report(clinic, "dispensing-register", "10-11-2026", "11-11-2026", items=["d0002"])
    assert {row.values[6] for row in only.table("dispensing_slips").rows} == {"D0002"}
    assert only.item_codes == ("D0002",)
    surgical = build_report(clinic, "stock-register", "10-11-2026", "11-11-2026", category="surgical")
    assert surgical.table("stock_register").rows == [] and surgical.category == "surgical"


# -- expiry ------------------------------------------------------------------------------------------


def test_expiry_buckets(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2026, 10, 1))
    store.receive(source="ddw", voucher_no="V1", voucher_date="2026-10-01", lines=[
        ReceiptLine("D0001", "OCT", "2026-10", 10, unit_cost="2"), ReceiptLine("D0001", "FEB", "2027-02", 20, unit_cost="1.5"),
        ReceiptLine("D0002", "MAR", "2027-03", 30), ReceiptLine("D0002", "MAY", "2027-05", 40, unit_cost="0.25"),
        ReceiptLine("D0003", "JUN", "2027-06", 50, unit_cost="1"),
    ])
    on(store, 2026, 12, 1)
    report = build_report(store, "expiry", "01-11-2026", "30-11-2026")
    # On 30-11-2026: OCT has expired; FEB's last day, 28-02-2027, is within 3 months (to
    # 28-02-2027); MAR's, 31-03-2027, within 6 (to 30-05-2027); MAY's, 31-05-2027, a day beyond.
    found = {table.key: [(r.values[3], r.values[6], r.values[8]) for r in table.rows] for table in report.tables}
    assert found == {"expired_on_shelf": [("OCT", 10, Decimal("20.00"))],
                     "expiring_3_months": [("FEB", 20, Decimal("30.00"))],
                     "expiring_6_months": [("MAR", 30, None)]}
    assert report.table("expiring_3_months").totals[-1] == Decimal("30.00")  # type: ignore[index]
    assert report.notes[0].values == {"end": dt.date(2026, 11, 30)}


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("arguments", "kind", "field"), [
    (("stock-registr", "01-11-2026", "30-11-2026"), "unknown_report", "name"),
    (("stock-register", "31-11-2026", "30-11-2026"), "bad_start_date", "start"),
    (("stock-register", "01-11-2026", "yesterday"), "bad_end_date", "end"),
    (("stock-register", "30-11-2026", "01-11-2026"), "period_reversed", "start"),
    (("stock-register", "01-11-2026", "02-12-2026"), "period_in_future", "end"),
    (("dispensing-register", "01-06-2026", "11-11-2026"), "period_too_long", "start"),
])
def test_refusals_carry_a_kind_and_values(clinic: Store, arguments: tuple[str, str, str], kind: str, field: str) -> None:
    with pytest.raises(ReportRefused) as refused:
        build_report(clinic, *arguments)
    assert (refused.value.kind, refused.value.field) == (kind, field)
    assert isinstance(refused.value, InvalidInput)
    if kind == "unknown_report":
        assert refused.value.values == {"name": "stock-registr", "known": ", ".join(REPORT_NAMES)}
        assert "stock-register, dispensing-register" in refused.value.message
    if kind == "period_too_long":
        assert refused.value.values == {"days": 164, "limit": 92}


def test_filter_refusals(clinic: Store) -> None:
    with pytest.raises(ReportRefused) as refused:
        build_report(clinic, "expiry", "01-11-2026", "11-11-2026", category="medicine")
    assert refused.value.kind == "unknown_category" and refused.value.values["known"] == "drug, surgical, suture"
    with pytest.raises(ReportRefused) as refused:
        build_report(clinic, "expiry", "01-11-2026", "11-11-2026", items=["D0001", "ZZ99"])
    assert refused.value.values == {"code": "ZZ99"}


def test_a_report_needs_someone_logged_in(clinic: Store) -> None:
    clinic.user = None
    with pytest.raises(NotLoggedIn):
        build_report(clinic, "expiry", "01-11-2026", "11-11-2026")


def test_every_role_may_build_every_report(clinic: Store) -> None:
    for user in ("pharma", "clerk", "incharge", "admin"):
        clinic.act_as(user)
        for name in REPORT_NAMES:
            report = build_report(clinic, name, dt.date(2026, 11, 10), dt.date(2026, 11, 11))
            assert isinstance(report, Report) and report.tables
            assert report.generated_by.endswith(f"({user})") and report.facility.code == "RJ-TST-CHC-001"


def test_a_report_can_be_stopped(clinic: Store) -> None:
    with pytest.raises(ReportCancelled):
        build_report(clinic, "stock-register", "10-11-2026", "11-11-2026", should_stop=lambda: True)
    assert not clinic.conn.in_transaction
    # The connection works as before, with no progress handler left behind.
    assert build_report(clinic, "stock-register", "10-11-2026", "11-11-2026").tables


def test_a_report_reads_one_snapshot(clinic: Store) -> None:
    """A report is one read transaction, ended afterwards: the store can save straight after."""
    build_report(clinic, "consumption", "01-11-2026", "11-11-2026")
    assert not clinic.conn.in_transaction
    give(clinic, "D0001", 1)
