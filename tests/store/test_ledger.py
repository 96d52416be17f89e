"""Documents that move stock: receipts, dispenses, adjustments, transfers, stocktakes, reversals,
their numbering per financial year, batches and expiry, FEFO."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from ledger_checks import at, batch_qty, check_invariants, count, item_qty, receive

from ihms_desk.store import Store
from ihms_desk.store.errors import (
    DuplicateVoucher,
    AlreadyReversed,
    BatchExpired,
    BatchExpiryMismatch,
    DocumentNotFound,
    InvalidABHA,
    InvalidInput,
    InvalidQuantity,
    PermissionDenied,
    StockTooLow,
    UnknownBatch,
    UnknownItem,
)
from ihms_desk.store.model import (
    AdjustmentLine,
    DispenseLine,
    Patient,
    ReceiptLine,
    StocktakeCount,
    TransferLine,
)
from ihms_desk.store.rules import financial_year, is_expired, last_usable_day, parse_expiry_month

PATIENT = Patient(opd_no="OPD/4521", name="Sita Devi", age=34, sex="F")


def dispense(store: Store, *lines: DispenseLine, patient: Patient = PATIENT, doc_date: dt.date | None = None):  # type: ignore[no-untyped-def]
    return store.dispense(patient=patient, prescriber="Dr. R. Meena", lines=list(lines), doc_date=doc_date)


@pytest.fixture
def stocked(make_store) -> Store:  # type: ignore[no-untyped-def]
    """Paracetamol in three batches (expiring 2027-01, 2027-03, 2027-06) and amoxicillin in one."""
    store = make_store(user="clerk")
    receive(store, ("D0001", "LATE", "2027-06", 100), ("D0001", "EARLY", "2027-01", 30),
            ("D0001", "MID", "2027-03", 50), ("D0002", "AMX1", "2027-12", 200))
    store.act_as("pharma")
    return store


# -- rules of expiry and financial years ------------------------------------------------------


@pytest.mark.parametrize("text", ["2027-03", "03/2027", "3/2027", "03/27", "EXP 03/2027", "exp: 3-27", "03.2027", " 2027-3 "])
def test_expiry_as_printed_reads_as_a_month(text: str) -> None:
    assert parse_expiry_month(text) == "2027-03"


@pytest.mark.parametrize("text", ["", "2027", "13/2027", "00/2027", "2027-13", "31-03-2027", "03/1999", "march 2027"])
def test_expiry_that_is_not_a_month_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_expiry_month(text)
    assert refused.value.field == "expiry"


def test_expiry_month_is_usable_through_its_last_day() -> None:
    assert last_usable_day("2027-03") == dt.date(2027, 3, 31)
    assert last_usable_day("2028-02") == dt.date(2028, 2, 29)
    assert not is_expired("2027-03", dt.date(2027, 3, 31))
    assert is_expired("2027-03", dt.date(2027, 4, 1))


@pytest.mark.parametrize(
    ("day", "fy"),
    [(dt.date(2026, 4, 1), "2026-27"), (dt.date(2027, 3, 31), "2026-27"), (dt.date(2027, 4, 1), "2027-28"),
     (dt.date(2099, 12, 31), "2099-00"), (dt.date(2026, 1, 15), "2025-26")],
)
def test_financial_year_runs_april_to_march(day: dt.date, fy: str) -> None:
    assert financial_year(day) == fy


# -- receipts and batches ----------------------------------------------------------------------


def test_receipt_creates_batches_stock_and_movements(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    doc = store.receive(
        source="ddw", voucher_no="DDW/JPR/2026/4411", voucher_date="19-11-2026",
        lines=[ReceiptLine("d0001", " pcm 2411 ", "03/2027", 5000, manufacturer="RMSCL", unit_cost="0.18"),
               ReceiptLine("S0001", "G1", "2028-01", 40)],
    )
    assert doc.number == "RCV/2026-27/000001"
    assert doc.kind == "receipt" and doc.created_by == "clerk" and doc.doc_date == dt.date(2026, 11, 20)
    assert doc.header == {"source": "ddw", "source_name": "", "voucher_no": "DDW/JPR/2026/4411", "voucher_date": "2026-11-19"}
    assert [(m["item_code"], m["batch_no"], m["expiry_month"], m["qty"]) for m in doc.movements] == [
        ("D0001", "PCM 2411", "2027-03", 5000), ("S0001", "G1", "2028-01", 40)]
    row = store.conn.execute("SELECT manufacturer, unit_cost, expiry_month FROM batch WHERE batch_no = 'PCM 2411'").fetchone()
    assert tuple(row) == ("RMSCL", "0.18", "2027-03")
    assert batch_qty(store, "D0001", "PCM 2411") == 5000
    assert batch_qty(store, "S0001", "G1") == 40
    check_invariants(store)


def test_same_batch_received_again_adds_to_it(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    receive(store, ("D0001", "B1", "2027-03", 100))
    receive(store, ("D0001", "b1", "3/27", 20))
    assert count(store, "batch") == 1
    assert batch_qty(store, "D0001", "B1") == 120
    check_invariants(store)


def test_same_batch_number_of_another_item_is_another_batch(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    receive(store, ("D0001", "B1", "2027-03", 100), ("D0002", "B1", "2028-01", 5))
    assert count(store, "batch") == 2


def test_same_batch_with_another_expiry_is_refused(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    receive(store, ("D0001", "B1", "2027-03", 100))
    with pytest.raises(BatchExpiryMismatch) as refused:
        receive(store, ("D0002", "A1", "2027-05", 5), ("D0001", "B1", "2027-04", 10))
    assert (refused.value.known, refused.value.given) == ("2027-03", "2027-04")
    assert "03/2027" in refused.value.message and refused.value.field == "expiry"
    assert batch_qty(store, "D0001", "B1") == 100
    assert count(store, "batch") == 1  # the new batch of the refused receipt's first line is gone too


def test_same_batch_twice_in_one_receipt_with_two_expiries_is_refused(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    with pytest.raises(BatchExpiryMismatch):
        receive(store, ("D0001", "B1", "2027-03", 10), ("D0001", "B1", "2027-04", 10))
    assert count(store, "batch") == 0 and count(store, "document") == 0


def test_expired_stock_cannot_be_received(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2027, 4, 1, 9))
    with pytest.raises(BatchExpired, match="cannot be received"):
        receive(store, ("D0001", "B1", "2027-03", 10))
    store.clock.current = at(2027, 3, 31, 23)
    receive(store, ("D0001", "B1", "2027-03", 10))  # the last day of its month it is still good
    assert batch_qty(store, "D0001", "B1") == 10


def test_receipt_from_another_facility_needs_its_name(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    with pytest.raises(InvalidInput) as refused:
        store.receive(source="facility", voucher_no="V", voucher_date=store.today(), lines=[ReceiptLine("D0001", "B", "2027-03", 1)])
    assert refused.value.field == "source_name"
    doc = store.receive(source="facility", source_name="PHC Kotkhawda", voucher_no="V", voucher_date=store.today(),
                        lines=[ReceiptLine("D0001", "B", "2027-03", 1)])
    assert doc.header["source_name"] == "PHC Kotkhawda"


def test_the_same_challan_is_not_received_twice(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    line = [ReceiptLine("D0001", "B", "2027-03", 10)]
    first = store.receive(source="ddw", voucher_no="DDW/JPR/77", voucher_date=store.today(), lines=line)
    with pytest.raises(DuplicateVoucher) as refused:
        store.receive(source="ddw", voucher_no="ddw/jpr/77", voucher_date=store.today(), lines=line)
    assert (refused.value.number, refused.value.field) == (first.number, "voucher_no")
    assert batch_qty(store, "D0001", "B") == 10
    # Another sender may use the same number; and once reversed, the challan can be entered again.
    store.receive(source="local_purchase", voucher_no="DDW/JPR/77", voucher_date=store.today(), lines=line)
    store.act_as("incharge")
    store.reverse(first.number, reason="entered with wrong batch")
    store.act_as("clerk")
    store.receive(source="ddw", voucher_no="DDW/JPR/77", voucher_date=store.today(), lines=line)
    assert batch_qty(store, "D0001", "B") == 20


@pytest.mark.parametrize(("voucher_date", "field"), [("2026-11-21", "voucher_date"), ("2025-11-01", "voucher_date"), ("yesterday", "voucher_date")])
def test_voucher_date_is_checked(make_store, voucher_date: str, field: str) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    with pytest.raises(InvalidInput) as refused:
        store.receive(source="ddw", voucher_no="V", voucher_date=voucher_date, lines=[ReceiptLine("D0001", "B", "2027-03", 1)])
    assert refused.value.field == field


# -- document numbers ---------------------------------------------------------------------------


def test_numbers_run_per_kind_without_gaps(stocked: Store) -> None:
    numbers = [dispense(stocked, DispenseLine("D0001", 2)).number for _ in range(3)]
    assert numbers == ["DSP/2026-27/000001", "DSP/2026-27/000002", "DSP/2026-27/000003"]
    with pytest.raises(StockTooLow):
        dispense(stocked, DispenseLine("D0001", 500, 500))
    assert dispense(stocked, DispenseLine("D0001", 2)).number == "DSP/2026-27/000004"
    stocked.act_as("clerk")
    assert receive(stocked, ("D0003", "O1", "2027-03", 5)).number == "RCV/2026-27/000002"
    check_invariants(stocked)


def test_numbers_restart_on_the_first_of_april(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2027, 3, 30, 10))
    receive(store, ("D0001", "B1", "2027-12", 1000))
    store.act_as("pharma")
    assert dispense(store, DispenseLine("D0001", 1)).number == "DSP/2026-27/000001"
    store.clock.current = at(2027, 3, 31, 23)
    assert dispense(store, DispenseLine("D0001", 1)).number == "DSP/2026-27/000002"
    store.clock.current = at(2027, 4, 1, 0)
    first = dispense(store, DispenseLine("D0001", 1))
    assert first.number == "DSP/2027-28/000001" and first.doc_date == dt.date(2027, 4, 1)
    assert dispense(store, DispenseLine("D0001", 1)).number == "DSP/2027-28/000002"
    # A paper slip from 31 March typed in on 1 April continues the old year's series.
    late = dispense(store, DispenseLine("D0001", 1), doc_date=dt.date(2027, 3, 31))
    assert late.number == "DSP/2026-27/000003"
    store.act_as("clerk")
    assert receive(store, ("D0001", "B1", "2027-12", 1)).number == "RCV/2027-28/000001"
    rows = store.conn.execute("SELECT kind, financial_year, last_serial FROM doc_counter ORDER BY 1, 2").fetchall()
    assert [tuple(r) for r in rows] == [("dispense", "2026-27", 3), ("dispense", "2027-28", 2),
                                       ("receipt", "2026-27", 1), ("receipt", "2027-28", 1)]
    check_invariants(store)


def test_documents_cannot_be_dated_in_the_future_or_too_far_back(stocked: Store) -> None:
    with pytest.raises(InvalidInput, match="future"):
        dispense(stocked, DispenseLine("D0001", 1), doc_date=dt.date(2026, 11, 21))
    with pytest.raises(InvalidInput, match="30 days"):
        dispense(stocked, DispenseLine("D0001", 1), doc_date=dt.date(2026, 10, 20))
    assert dispense(stocked, DispenseLine("D0001", 1), doc_date=dt.date(2026, 10, 21)).doc_date == dt.date(2026, 10, 21)


# -- OPD dispense and FEFO -----------------------------------------------------------------------


def test_fefo_takes_the_earliest_expiry_first_and_splits(stocked: Store) -> None:
    doc = dispense(stocked, DispenseLine("D0001", 40))
    assert [(m["batch_no"], m["qty"]) for m in doc.movements] == [("EARLY", -30), ("MID", -10)]
    assert (batch_qty(stocked, "D0001", "EARLY"), batch_qty(stocked, "D0001", "MID"), batch_qty(stocked, "D0001", "LATE")) == (0, 40, 100)
    doc = dispense(stocked, DispenseLine("D0001", 45))
    assert [(m["batch_no"], m["qty"]) for m in doc.movements] == [("MID", -40), ("LATE", -5)]
    check_invariants(stocked)


def test_chosen_batch_is_used_first_then_fefo(stocked: Store) -> None:
    doc = dispense(stocked, DispenseLine("D0001", 110, batch_no="late"))
    assert [(m["batch_no"], m["qty"]) for m in doc.movements] == [("LATE", -100), ("EARLY", -10)]
    check_invariants(stocked)


def test_chosen_batch_that_is_empty_is_refused_not_swapped(stocked: Store) -> None:
    dispense(stocked, DispenseLine("D0001", 30, batch_no="EARLY"))
    before = count(stocked, "movement")
    with pytest.raises(StockTooLow) as refused:
        dispense(stocked, DispenseLine("D0001", 5, batch_no="EARLY"))
    assert (refused.value.batch_no, refused.value.available) == ("EARLY", 0)
    assert count(stocked, "movement") == before


def test_chosen_batch_that_is_unknown_is_refused(stocked: Store) -> None:
    with pytest.raises(UnknownBatch) as refused:
        dispense(stocked, DispenseLine("D0001", 1, batch_no="AMX1"))  # a batch of another item
    assert refused.value.batch_no == "AMX1"


def test_expired_batches_are_skipped_and_cannot_be_chosen(stocked: Store) -> None:
    stocked.clock.current = at(2027, 1, 31, 20)
    assert [(m["batch_no"], m["qty"]) for m in dispense(stocked, DispenseLine("D0001", 1)).movements] == [("EARLY", -1)]
    stocked.clock.current = at(2027, 2, 1, 8)
    assert [(m["batch_no"], m["qty"]) for m in dispense(stocked, DispenseLine("D0001", 1)).movements] == [("MID", -1)]
    with pytest.raises(BatchExpired) as refused:
        dispense(stocked, DispenseLine("D0001", 1, batch_no="EARLY"))
    assert refused.value.expiry_month == "2027-01"
    # Only expired stock left: nothing can be dispensed, and an explicit quantity is refused.
    stocked.clock.current = at(2027, 7, 1, 8)
    with pytest.raises(StockTooLow) as short:
        dispense(stocked, DispenseLine("D0001", 5, 5))
    assert short.value.available == 0
    doc = dispense(stocked, DispenseLine("D0001", 5))
    assert doc.movements == [] and doc.shortfalls == [{"line_no": 1, "item_code": "D0001", "not_available": 5}]
    check_invariants(stocked)


def test_dispense_records_prescribed_dispensed_and_not_available(stocked: Store) -> None:
    doc = dispense(
        stocked,
        DispenseLine("D0001", 15),            # enough
        DispenseLine("D0002", 300),           # short: 200 on the shelf
        DispenseLine("D0003", 4),             # none on the shelf at all
        DispenseLine("D0010", 10, qty=0),     # not dispensed at all on purpose
        patient=Patient("OPD/77", "Ram Lal", 60, "m", abha="91-1234-5678-9012"),
    )
    assert doc.header["abha"] == "91123456789012" and doc.header["sex"] == "M"
    assert [(line["item_code"], line["qty_prescribed"], line["qty_dispensed"], line["not_available"]) for line in doc.lines] == [
        ("D0001", 15, 15, 0), ("D0002", 300, 200, 100), ("D0003", 4, 0, 4), ("D0010", 10, 0, 10)]
    assert doc.shortfalls == [{"line_no": 2, "item_code": "D0002", "not_available": 100},
                              {"line_no": 3, "item_code": "D0003", "not_available": 4},
                              {"line_no": 4, "item_code": "D0010", "not_available": 10}]
    stored = stocked.conn.execute(
        "SELECT line_no, qty_prescribed, qty FROM document_line WHERE document_id = ? ORDER BY line_no", (doc.id,)
    ).fetchall()
    assert [tuple(row) for row in stored] == [(1, 15, 15), (2, 300, 200), (3, 4, 0), (4, 10, 0)]
    assert item_qty(stocked, "D0002") == 0
    report = {row["code"]: row["not_available"] for row in stocked.not_available_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30))}
    assert report == {"D0002": 100, "D0003": 4, "D0010": 10}
    check_invariants(stocked)


def test_an_explicit_quantity_less_than_prescribed(stocked: Store) -> None:
    doc = dispense(stocked, DispenseLine("D0001", 20, qty=12))
    assert doc.lines[0]["qty_dispensed"] == 12 and doc.lines[0]["not_available"] == 8
    assert item_qty(stocked, "D0001") == 168


@pytest.mark.parametrize("abha", ["91-1234-5678-901", "9112345678901X", "911234567890123", "ABHA"])
def test_abha_must_be_14_digits(stocked: Store, abha: str) -> None:
    with pytest.raises(InvalidABHA) as refused:
        dispense(stocked, DispenseLine("D0001", 1), patient=Patient("OPD/1", "A", 30, "F", abha))
    assert refused.value.field == "abha"
    assert count(stocked, "document") == 1  # only the receipt


@pytest.mark.parametrize("abha", [None, "", "  ", "91 1234 5678 9012", "91123456789012"])
def test_abha_may_be_empty_or_spaced(stocked: Store, abha: str | None) -> None:
    doc = dispense(stocked, DispenseLine("D0001", 1), patient=Patient("OPD/1", "A", 30, "F", abha))
    assert doc.header["abha"] == (None if abha is None or not abha.strip() else "91123456789012")


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (DispenseLine("D0001", 0), InvalidQuantity),
        (DispenseLine("D0001", -3), InvalidQuantity),
        (DispenseLine("D0001", 2.5), InvalidQuantity),  # type: ignore[arg-type]
        (DispenseLine("D0001", True), InvalidQuantity),  # type: ignore[arg-type]
        (DispenseLine("D0001", 10_001), InvalidQuantity),
        (DispenseLine("D0001", 10, qty=-1), InvalidQuantity),
        (DispenseLine("D0001", 10, qty=11), InvalidInput),
        (DispenseLine("NOPE", 10), UnknownItem),
    ],
)
def test_bad_dispense_lines_are_refused(stocked: Store, line: DispenseLine, error: type[Exception]) -> None:
    with pytest.raises(error):
        dispense(stocked, line)


def test_quantities_typed_as_text_are_read_as_numbers(stocked: Store) -> None:
    doc = dispense(stocked, DispenseLine("D0001", "15", " 10 "), DispenseLine("D0002", "4"))  # type: ignore[arg-type]
    assert [(line["qty_prescribed"], line["qty_dispensed"], line["not_available"]) for line in doc.lines] == [(15, 10, 5), (4, 4, 0)]
    with pytest.raises(InvalidQuantity):
        dispense(stocked, DispenseLine("D0001", "ten"))  # type: ignore[arg-type]
    stocked.act_as("clerk")
    transfer = stocked.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", "7")])  # type: ignore[arg-type]
    assert transfer.lines[0]["qty"] == 7 and sum(m["qty"] for m in transfer.movements) == -7
    check_invariants(stocked)


def test_same_item_twice_on_a_prescription_is_refused(stocked: Store) -> None:
    with pytest.raises(InvalidInput, match="twice"):
        dispense(stocked, DispenseLine("D0001", 1), DispenseLine("d0001 ", 2))


@pytest.mark.parametrize(
    ("patient", "field"),
    [(Patient("", "A", 30, "F"), "opd_no"), (Patient("1", "", 30, "F"), "patient_name"), (Patient("1", "A", 131, "F"), "age"),
     (Patient("1", "A", -1, "F"), "age"), (Patient("1", "A", 30, "X"), "sex"), (Patient("1", "A", "30", "F"), "age")],  # type: ignore[arg-type]
)
def test_bad_patient_details_are_refused(stocked: Store, patient: Patient, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        dispense(stocked, DispenseLine("D0001", 1), patient=patient)
    assert refused.value.field == field


def test_plan_dispense_shows_the_plan_and_saves_nothing(stocked: Store) -> None:
    before = count(stocked, "movement"), count(stocked, "document")
    plan = stocked.plan_dispense([DispenseLine("D0001", 200), DispenseLine("D0003", 2)])
    assert [(a.batch_no, a.qty) for a in plan[0].allocations] == [("EARLY", 30), ("MID", 50), ("LATE", 100)]
    assert (plan[0].qty, plan[0].shortfall, plan[1].qty, plan[1].shortfall) == (180, 20, 0, 2)
    assert (count(stocked, "movement"), count(stocked, "document")) == before


# -- adjustments --------------------------------------------------------------------------------


def test_adjustment_reasons_and_signs(stocked: Store) -> None:
    stocked.act_as("clerk")
    found = stocked.adjust(reason="found", lines=[AdjustmentLine("D0001", "MID", 5)])
    assert found.movements[0]["qty"] == 5 and found.number == "ADJ/2026-27/000001"
    returned = stocked.adjust(reason="return_to_warehouse", lines=[AdjustmentLine("D0001", "MID", 15)], note="recall")
    assert returned.movements[0]["qty"] == -15 and returned.header == {"reason_code": "return_to_warehouse", "note": "recall"}
    up = stocked.adjust(reason="stocktake_correction", lines=[AdjustmentLine("D0001", "MID", 3), AdjustmentLine("D0001", "LATE", -4)])
    assert [m["qty"] for m in up.movements] == [3, -4]
    assert batch_qty(stocked, "D0001", "MID") == 50 + 5 - 15 + 3
    assert batch_qty(stocked, "D0001", "LATE") == 96
    check_invariants(stocked)


@pytest.mark.parametrize("reason", ["damaged", "expired_write_off", "lost"])
def test_write_offs_need_the_in_charge(stocked: Store, reason: str) -> None:
    for user in ("clerk", "pharma"):
        stocked.act_as(user)
        with pytest.raises(PermissionDenied):
            stocked.adjust(reason=reason, lines=[AdjustmentLine("D0001", "MID", 5)])
    assert batch_qty(stocked, "D0001", "MID") == 50
    stocked.act_as("incharge")
    doc = stocked.adjust(reason=reason, lines=[AdjustmentLine("D0001", "MID", 5)])
    assert doc.movements[0]["qty"] == -5 and doc.created_by == "incharge"
    assert batch_qty(stocked, "D0001", "MID") == 45
    audit = stocked.audit_trail()
    assert [(a["username"], a["action"], a["outcome"]) for a in audit if a["outcome"] == "refused"] == [
        ("pharma", "write_off", "refused"), ("clerk", "write_off", "refused")]


def test_pharmacist_may_not_adjust_at_all(stocked: Store) -> None:
    with pytest.raises(PermissionDenied):
        stocked.adjust(reason="found", lines=[AdjustmentLine("D0001", "MID", 5)])


def test_expired_stock_leaves_by_write_off(stocked: Store) -> None:
    stocked.clock.current = at(2027, 2, 10)
    stocked.act_as("incharge")
    doc = stocked.adjust(reason="expired_write_off", lines=[AdjustmentLine("D0001", "EARLY", 30)])
    assert doc.movements[0]["qty"] == -30 and batch_qty(stocked, "D0001", "EARLY") == 0
    assert stocked.expired_on_shelf() == []


@pytest.mark.parametrize(
    ("reason", "qty", "error"),
    [("found", 0, InvalidQuantity), ("found", -5, InvalidQuantity), ("return_to_warehouse", -5, InvalidQuantity),
     ("stocktake_correction", 0, InvalidInput), ("stocktake_correction", 1.5, InvalidInput),
     ("return_to_warehouse", 51, StockTooLow), ("stocktake_correction", -51, StockTooLow), ("nonsense", 1, InvalidInput)],
)
def test_bad_adjustments_are_refused(stocked: Store, reason: str, qty: int, error: type[Exception]) -> None:
    stocked.act_as("clerk")
    with pytest.raises(error):
        stocked.adjust(reason=reason, lines=[AdjustmentLine("D0001", "MID", qty)])
    assert batch_qty(stocked, "D0001", "MID") == 50


# -- transfers ---------------------------------------------------------------------------------


def test_transfer_out_takes_fefo_and_is_never_short(stocked: Store) -> None:
    stocked.act_as("clerk")
    doc = stocked.transfer_out(destination_type="ward", destination_name="Labour room", lines=[TransferLine("D0001", 35)])
    assert doc.number == "TRF/2026-27/000001"
    assert [(m["batch_no"], m["qty"]) for m in doc.movements] == [("EARLY", -30), ("MID", -5)]
    assert doc.header == {"destination_type": "ward", "destination_name": "Labour room", "note": ""}
    with pytest.raises(StockTooLow) as refused:
        stocked.transfer_out(destination_type="sub_centre", destination_name="SC Bassi", lines=[TransferLine("D0001", 146)])
    assert refused.value.available == 145
    named = stocked.transfer_out(destination_type="facility", destination_name="PHC X", lines=[TransferLine("D0001", 10, "late")])
    assert [(m["batch_no"], m["qty"]) for m in named.movements] == [("LATE", -10)]
    check_invariants(stocked)


def test_transfer_with_the_same_item_on_two_lines(stocked: Store) -> None:
    """Two lines of one item (say, one per batch on the issue voucher) share the stock: the
    second line must see what the first took, neither overdraw nor be refused wrongly."""
    stocked.act_as("clerk")
    doc = stocked.transfer_out(destination_type="ward", destination_name="W",
                               lines=[TransferLine("D0001", 30), TransferLine("D0001", 30), TransferLine("D0001", 10)])
    assert [(m["line_no"], m["batch_no"], m["qty"]) for m in doc.movements] == [
        (1, "EARLY", -30), (2, "MID", -30), (3, "MID", -10)]
    assert (batch_qty(stocked, "D0001", "EARLY"), batch_qty(stocked, "D0001", "MID")) == (0, 10)
    # A line naming a batch that an earlier line emptied is refused, not moved to another batch.
    with pytest.raises(StockTooLow) as emptied:
        stocked.transfer_out(destination_type="ward", destination_name="W",
                             lines=[TransferLine("D0001", 10, "MID"), TransferLine("D0001", 1, "MID")])
    assert (emptied.value.batch_no, emptied.value.available) == ("MID", 0)
    with pytest.raises(StockTooLow) as refused:
        stocked.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 100), TransferLine("D0001", 11)])
    assert refused.value.available == 10
    check_invariants(stocked)


def test_expired_stock_is_not_transferred(stocked: Store) -> None:
    stocked.act_as("clerk")
    stocked.clock.current = at(2027, 2, 1)
    with pytest.raises(BatchExpired):
        stocked.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 1, "EARLY")])
    doc = stocked.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 1)])
    assert doc.movements[0]["batch_no"] == "MID"


def test_pharmacist_may_not_transfer(stocked: Store) -> None:
    with pytest.raises(PermissionDenied):
        stocked.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 1)])


# -- stocktake ---------------------------------------------------------------------------------


def test_stocktake_corrects_counted_batches_only(stocked: Store) -> None:
    stocked.act_as("clerk")
    counts = [StocktakeCount("D0001", "MID", 47), StocktakeCount("D0001", "LATE", 103), StocktakeCount("D0002", "AMX1", 200)]
    preview = stocked.preview_stocktake(counts)
    assert [(d.batch_no, d.book_qty, d.counted, d.difference) for d in preview] == [
        ("MID", 50, 47, -3), ("LATE", 100, 103, 3), ("AMX1", 200, 200, 0)]
    assert count(stocked, "document") == 1
    doc = stocked.stocktake(counts, note="shelf A")
    assert doc.number == "STK/2026-27/000001"
    assert [(m["batch_no"], m["qty"]) for m in doc.movements] == [("MID", -3), ("LATE", 3)]
    assert [(line["batch_no"], line["book_qty"], line["counted"], line["qty"]) for line in doc.lines] == [
        ("MID", 50, 47, -3), ("LATE", 100, 103, 3), ("AMX1", 200, 200, 0)]
    assert (batch_qty(stocked, "D0001", "MID"), batch_qty(stocked, "D0001", "LATE"), batch_qty(stocked, "D0001", "EARLY")) == (47, 103, 30)
    check_invariants(stocked)


def test_stocktake_refuses_a_batch_counted_twice_and_bad_counts(stocked: Store) -> None:
    stocked.act_as("clerk")
    with pytest.raises(InvalidInput, match="twice"):
        stocked.stocktake([StocktakeCount("D0001", "MID", 1), StocktakeCount("D0001", "mid", 2)])
    with pytest.raises(InvalidInput):
        stocked.stocktake([StocktakeCount("D0001", "MID", -1)])
    with pytest.raises(UnknownBatch):
        stocked.stocktake([StocktakeCount("D0001", "NOPE", 1)])
    assert count(stocked, "document") == 1


# -- reversals ---------------------------------------------------------------------------------


def test_reversal_of_a_dispense_puts_stock_back(stocked: Store) -> None:
    original = dispense(stocked, DispenseLine("D0001", 40), DispenseLine("D0002", 5))
    stocked.act_as("incharge")
    reversal = stocked.reverse(original.number.lower(), reason="wrong patient")
    assert reversal.number == "REV/2026-27/000001" and reversal.reverses_number == original.number
    assert reversal.reason == "wrong patient"
    assert [(m["batch_no"], m["qty"]) for m in reversal.movements] == [("EARLY", 30), ("MID", 10), ("AMX1", 5)]
    assert (batch_qty(stocked, "D0001", "EARLY"), batch_qty(stocked, "D0001", "MID"), batch_qty(stocked, "D0002", "AMX1")) == (30, 50, 200)
    assert stocked.document(original.number).reversed_by == reversal.number
    # The original is untouched: nothing is ever edited.
    assert stocked.document(original.number).movements == original.movements
    # Reversed dispenses no longer count as consumption.
    assert stocked.conn.execute("SELECT sum(qty) FROM consumption_month").fetchone()[0] == 0
    check_invariants(stocked)


@pytest.mark.parametrize("user", ["pharma", "clerk"])
def test_only_in_charge_or_admin_may_reverse(stocked: Store, user: str) -> None:
    original = dispense(stocked, DispenseLine("D0001", 4))
    stocked.act_as(user)
    with pytest.raises(PermissionDenied):
        stocked.reverse(original.number, reason="mistake")
    stocked.act_as("admin")
    stocked.reverse(original.number, reason="mistake")


def test_a_document_is_reversed_once_and_a_reversal_never(stocked: Store) -> None:
    original = dispense(stocked, DispenseLine("D0001", 4))
    stocked.act_as("incharge")
    reversal = stocked.reverse(original.number, reason="mistake")
    with pytest.raises(AlreadyReversed, match=reversal.number):
        stocked.reverse(original.number, reason="again")
    with pytest.raises(AlreadyReversed):
        stocked.reverse(reversal.number, reason="undo the undo")
    with pytest.raises(DocumentNotFound):
        stocked.reverse("DSP/2026-27/999999", reason="x")
    assert item_qty(stocked, "D0001") == 180
    check_invariants(stocked)


def test_receipt_whose_stock_is_gone_cannot_be_reversed(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    receipt = receive(store, ("D0001", "B1", "2027-03", 10))
    store.act_as("pharma")
    dispense(store, DispenseLine("D0001", 4))
    store.act_as("incharge")
    with pytest.raises(StockTooLow) as refused:
        store.reverse(receipt.number, reason="wrong challan")
    assert (refused.value.requested, refused.value.available, refused.value.batch_no) == (10, 6, "B1")
    store.act_as("clerk")
    receive(store, ("D0001", "B1", "2027-03", 4))
    store.act_as("incharge")
    store.reverse(receipt.number, reason="wrong challan")
    assert batch_qty(store, "D0001", "B1") == 0
    check_invariants(store)


def test_every_kind_of_document_can_be_reversed(stocked: Store) -> None:
    stocked.act_as("clerk")
    documents = [
        stocked.adjust(reason="found", lines=[AdjustmentLine("D0001", "MID", 5)]),
        stocked.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 31)]),
        stocked.stocktake([StocktakeCount("D0002", "AMX1", 190)]),
        receive(stocked, ("D0003", "O1", "2027-05", 9)),
    ]
    stocked.act_as("pharma")
    documents.append(dispense(stocked, DispenseLine("D0001", 3)))
    before = {code: item_qty(stocked, code) for code in ("D0001", "D0002", "D0003")}
    stocked.act_as("incharge")
    for document in reversed(documents):
        stocked.reverse(document.number, reason="test")
    after = {code: item_qty(stocked, code) for code in ("D0001", "D0002", "D0003")}
    assert after == {"D0001": 180, "D0002": 200, "D0003": 0} != before
    check_invariants(stocked)


def test_reversal_of_a_dispense_that_moved_nothing(stocked: Store) -> None:
    """A prescription recorded entirely as not available may still be cancelled (wrong slip)."""
    original = dispense(stocked, DispenseLine("D0003", 4), DispenseLine("D0001", 3, qty=0))
    assert original.movements == []
    stocked.act_as("incharge")
    reversal = stocked.reverse(original.number, reason="wrong slip")
    assert reversal.movements == []
    assert stocked.not_available_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == []
    check_invariants(stocked)


# -- the outbox ---------------------------------------------------------------------------------


def test_every_document_writes_exactly_one_event_with_the_whole_document(stocked: Store) -> None:
    doc = dispense(stocked, DispenseLine("D0001", 40), patient=Patient("OPD/9", "Geeta", 5, "F", "91-1234-5678-9012"))
    rows = stocked.conn.execute("SELECT sequence, event_id, epoch, document_id, type, payload, status FROM outbox ORDER BY sequence").fetchall()
    assert [row["sequence"] for row in rows] == [1, 2]
    event = rows[1]
    assert event["document_id"] == doc.id and event["type"] == "dispense" and event["status"] == "pending" and event["epoch"] == 1
    assert uuid.UUID(event["event_id"]).version == 7
    assert uuid.UUID(rows[0]["event_id"]) < uuid.UUID(event["event_id"])
    payload = json.loads(event["payload"])
    assert payload == stocked.document(doc.number).payload()
    assert payload["document"]["header"]["patient_name"] == "Geeta"
    assert payload["document"]["lines"][0]["qty_dispensed"] == 40
    assert [(m["batch_no"], m["qty"]) for m in payload["movements"]] == [("EARLY", -30), ("MID", -10)]
    assert [e.sequence for e in stocked.pending_events()] == [1, 2]
    assert stocked.device_state() == {"epoch": 1, "next_sequence": 3}


def test_outbox_results_and_new_epoch(stocked: Store) -> None:
    dispense(stocked, DispenseLine("D0001", 1))
    dispense(stocked, DispenseLine("D0001", 1))
    events = stocked.pending_events()
    stocked.record_sync_results([(events[0].event_id, "applied", None, None), (events[1].event_id, "rejected", "bad", "why"),
                                 (events[2].event_id, "error", None, "timeout")])
    assert stocked.outbox_counts() == {"pending": 1, "sent": 1, "rejected": 1}
    assert [e["number"] for e in stocked.rejected_events()] == ["DSP/2026-27/000001"]
    assert stocked.start_new_epoch() == 2
    stocked.act_as("pharma")
    dispense(stocked, DispenseLine("D0001", 1))
    assert stocked.pending_events()[-1].epoch == 2
    check_invariants(stocked)


def test_two_adjustment_lines_of_one_batch_cannot_overdraw_it_together(stocked: Store) -> None:
    """Each line alone fits the balance; together they do not: the save's last guard refuses."""
    from ledger_checks import assert_unchanged, snapshot

    stocked.act_as("clerk")
    before = snapshot(stocked)
    with pytest.raises(StockTooLow) as refused:
        stocked.adjust(reason="return_to_warehouse", lines=[AdjustmentLine("D0001", "MID", 30), AdjustmentLine("D0001", "MID", 30)])
    assert (refused.value.requested, refused.value.available, refused.value.batch_no) == (30, 20, "MID")
    assert_unchanged(before, stocked)
    doc = stocked.adjust(reason="return_to_warehouse", lines=[AdjustmentLine("D0001", "MID", 30), AdjustmentLine("D0001", "MID", 20)])
    assert [m["qty"] for m in doc.movements] == [-30, -20] and batch_qty(stocked, "D0001", "MID") == 0
    check_invariants(stocked)


def test_header_choices_and_line_counts_are_checked(stocked: Store) -> None:
    stocked.act_as("clerk")
    with pytest.raises(InvalidInput) as refused:
        stocked.receive(source="gift", voucher_no="V", voucher_date=stocked.today(), lines=[ReceiptLine("D0001", "B", "2027-03", 1)])
    assert refused.value.field == "source"
    with pytest.raises(InvalidInput) as refused:
        stocked.transfer_out(destination_type="moon", destination_name="X", lines=[TransferLine("D0001", 1)])
    assert refused.value.field == "destination_type"
    with pytest.raises(InvalidInput, match="at most 200 lines"):
        stocked.receive(source="ddw", voucher_no="V", voucher_date=stocked.today(),
                        lines=[ReceiptLine("D0001", f"B{n}", "2027-03", 1) for n in range(201)])
    with pytest.raises(InvalidInput, match="at least one line"):
        stocked.stocktake([])
    with pytest.raises(DocumentNotFound):
        stocked.document("RCV/2026-27/000099")
    assert stocked.document(" rcv/2026-27/000001 ").number == "RCV/2026-27/000001"
    with pytest.raises(InvalidInput):
        stocked.preview_stocktake([StocktakeCount("D0001", "MID", -1)])
    assert count(stocked, "document") == 1


def test_hindi_names_travel_unchanged(stocked: Store) -> None:
    doc = dispense(stocked, DispenseLine("D0001", 2), patient=Patient("ओपीडी/12", "सीता देवी", 34, "F"))
    payload = json.loads(stocked.conn.execute("SELECT payload FROM outbox WHERE document_id = ?", (doc.id,)).fetchone()[0])
    assert payload["document"]["header"]["patient_name"] == "सीता देवी"
    assert stocked.documents_on()[0].summary == "ओपीडी/12 · सीता देवी (34/F)"


def test_expiry_is_judged_on_the_document_date(stocked: Store) -> None:
    """A paper slip of 31 January typed in on 3 February may still name January's batch."""
    stocked.clock.current = at(2027, 2, 3)
    with pytest.raises(BatchExpired):
        dispense(stocked, DispenseLine("D0001", 5, batch_no="EARLY"))
    late = dispense(stocked, DispenseLine("D0001", 5, batch_no="EARLY"), doc_date=dt.date(2027, 1, 31))
    assert [(m["batch_no"], m["qty"]) for m in late.movements] == [("EARLY", -5)] and late.doc_date == dt.date(2027, 1, 31)
    assert [m["batch_no"] for m in dispense(stocked, DispenseLine("D0001", 5)).movements] == ["MID"]
    check_invariants(stocked)
