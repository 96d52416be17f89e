"""A small CHC ledger with every kind of document, and item names that a spreadsheet would run
as formulas, for the report files to be written from and read back."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from ihms_desk.store import Store
from ihms_desk.store.model import AdjustmentLine, DispenseLine, Patient, ReceiptLine, TransferLine

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
#: Item names as a hostile or careless catalogue might send them.
FORMULA_NAMES = {
    "X0001": '=HYPERLINK("http://example.invalid","click")',
    "X0002": "+cmd|' /C calc'!A0",
    "X0003": "-2+3",
    "X0004": "@SUM(A1:A9)",
}


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), IST)


@pytest.fixture
def ledger(make_store) -> Store:  # type: ignore[no-untyped-def]
    """November 2026 at a small CHC: receipts with unit costs, OPD slips (one in Hindi, one
    reversed, one short), a ward issue, an adjustment; the clock on 1 December."""
    store = make_store(user="admin", start=at(dt.date(2026, 10, 30)))
    catalogue = "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n" + "".join(
        f'{code},"{name.replace(chr(34), chr(34) * 2)}",Generic,1 mg,tablet,tablet,drug,0,1\n'
        for code, name in FORMULA_NAMES.items())
    report = store.import_catalogue_csv(io.StringIO(catalogue))
    assert report.ok, report.rejected
    store.receive(source="ddw", voucher_no="DDW/JPR/4411", voucher_date="2026-10-30", lines=[
        ReceiptLine("D0001", "PCM2411A", "2027-03", 5000, unit_cost="0.18"),
        ReceiptLine("D0002", "AMX-09", "2026-12", 300, unit_cost="1.25"),
        ReceiptLine("S0001", "GZ1", "2026-11", 40, unit_cost="12.5"),
        *(ReceiptLine(code, f"F{code[-1]}", "2027-06", 100, unit_cost="2") for code in FORMULA_NAMES),
    ])
    store.clock.current = at(dt.date(2026, 11, 10))
    store.act_as("pharma")
    store.dispense(patient=Patient("261110/0001", "सीता देवी", 34, "F"), prescriber="डॉ. क्षमा त्रिपाठी",
                   lines=[DispenseLine("D0001", 15), DispenseLine("X0001", 10), DispenseLine("X0003", 5)])
    store.dispense(patient=Patient("261110/0002", "Ramesh Saini", 61, "M"), prescriber="Dr. R. K. Gupta",
                   lines=[DispenseLine("D0002", 20), DispenseLine("X0002", 3), DispenseLine("X0004", 4)])
    wrong = store.dispense(patient=Patient("261110/0003", "Geeta", 8, "F"), prescriber="Dr. R. K. Gupta",
                           lines=[DispenseLine("D0001", 30)]).number
    store.clock.current = at(dt.date(2026, 11, 20))
    store.dispense(patient=Patient("261120/0001", "Kamla", 70, "F"), prescriber="Dr. R. K. Gupta",
                   lines=[DispenseLine("D0003", 5)])                       # ORS: never received, not given
    store.act_as("clerk")
    store.transfer_out(destination_type="ward", destination_name="Labour room", lines=[TransferLine("D0001", 200)])
    store.act_as("incharge")
    store.adjust(reason="damaged", lines=[AdjustmentLine("D0002", "AMX-09", 6)], note="= wet carton")
    store.reverse(wrong, reason="typed twice")
    store.clock.current = at(dt.date(2026, 12, 1))
    return store
