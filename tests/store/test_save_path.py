"""The save path (``ledger._save``, ``outbox.claim_event_place``): a 4-line OPD dispense takes few
statements and reads back nothing it wrote, and every document kind writes exactly the rows,
and returns exactly the document, the store wrote and returned before the path was made
leaner (``save_path_rows.json``, recorded from that earlier code).

To record the file again (only when what a save writes is meant to change), run this module
with ``IHMS_RECORD_SAVE_PATH=1``; the test then writes the file instead of comparing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from ledger_checks import at, check_invariants

from ihms_desk.store import Store
from ihms_desk.store.errors import UnknownItem
from ihms_desk.store.model import (
    AdjustmentLine,
    DispenseLine,
    Patient,
    ReceiptLine,
    SavedDocument,
    StocktakeCount,
    TransferLine,
)

RECORDED = Path(__file__).with_name("save_path_rows.json")
#: Every table a save writes, and the columns that differ from run to run (a random event
#: id, the PC clock's hybrid logical clock), left out of the comparison.
TABLES = {
    "document": (), "document_line": (), "movement": (), "stock": (), "batch": (), "doc_counter": (),
    "consumption_month": (), "dose_memory": (), "outbox": ("event_id", "hlc"), "device": ("hlc_wall_ms", "hlc_counter"),
}


def written(path: Path) -> dict[str, list[dict[str, Any]]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {table: [{key: row[key] for key in row.keys() if key not in varying}
                        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
                for table, varying in TABLES.items()}
    finally:
        conn.close()


def every_kind_of_document(store: Store) -> list[SavedDocument]:
    """Receipts (new and known batches, from a warehouse and a facility), dispenses (a line
    split over two batches, one short, one less than prescribed, one from a chosen batch, one
    not given, a dose), a transfer (one item on two lines), adjustments, a stocktake, a
    patient's return, reversals (a dispense, a transfer into the month before, a receipt)."""
    saved = []
    store.act_as("clerk")
    saved.append(store.receive(source="ddw", voucher_no="DDW/FIX/1", voucher_date="2026-11-19", lines=[
        ReceiptLine("D0001", "PCM-A", "2027-03", 100, manufacturer="RMSCL", unit_cost="0.18"),
        ReceiptLine("D0001", "PCM-B", "2027-06", 200),
        ReceiptLine("D0002", "AMX-1", "2027-12", 300, manufacturer="Cipla", unit_cost="1.25"),
        ReceiptLine("D0010", "MET-1", "2027-09", 50),
        ReceiptLine("D0003", "ORS-1", "2028-01", 40)]))
    saved.append(store.receive(source="facility", source_name="CHC Chaksu", voucher_no="T/22", voucher_date="2026-11-18",
                               lines=[ReceiptLine("D0002", "AMX-1", "2027-12", 20), ReceiptLine("S0001", "GZ-1", "2029-01", 10)]))
    store.act_as("pharma")
    saved.append(store.dispense(
        patient=Patient("OPD/77", "Sita Devi", 34, "F", "91-1234-5678-9012"), prescriber="Dr. R. Meena",
        lines=[DispenseLine("D0001", 150), DispenseLine("D0002", 10, dose="1-0-1 x5"), DispenseLine("D0010", 60),
               DispenseLine("D0003", 5, 3)]))
    saved.append(store.dispense(
        patient=Patient("OPD/78", "गीता", 1, "F", age_months=14), prescriber="Dr. R. Meena",
        lines=[DispenseLine("D0001", 10, batch_no="PCM-B"), DispenseLine("D0002", 5, 0)]))
    store.act_as("clerk")
    saved.append(store.transfer_out(destination_type="ward", destination_name="Labour room", note="indent 4",
                                    lines=[TransferLine("D0001", 20), TransferLine("D0001", 15, "PCM-B")]))
    store.act_as("incharge")
    saved.append(store.adjust(reason="damaged", lines=[AdjustmentLine("D0002", "AMX-1", 3)], note="wet"))
    saved.append(store.adjust(reason="found", lines=[AdjustmentLine("D0003", "ORS-1", 2)]))
    store.act_as("clerk")
    saved.append(store.stocktake([StocktakeCount("D0001", "PCM-B", 100), StocktakeCount("S0001", "GZ-1", 10)],
                                 note="shelf 3"))
    store.act_as("pharma")
    saved.append(store.return_line(saved[2].number, 2, 4, note="unused"))
    store.act_as("incharge")
    saved.append(store.reverse(saved[3].number, reason="wrong patient"))
    store.clock.current = at(2026, 12, 2)
    store.act_as("pharma")
    saved.append(store.dispense(patient=Patient("OPD/1", "Ram Lal", 60, "M"), prescriber="Dr. A",
                                lines=[DispenseLine("D0002", 5)]))
    store.act_as("incharge")
    saved.append(store.reverse(saved[4].number, reason="sent back"))
    saved.append(store.reverse(saved[1].number, reason="wrong challan"))
    return saved


def test_every_kind_of_document_writes_and_returns_what_it_did_before(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2026, 11, 20))
    documents = every_kind_of_document(store)
    check_invariants(store)
    got = json.loads(json.dumps({
        "rows": written(store.path),
        "documents": [dataclasses.asdict(document) for document in documents],
        # What a document read back from the ledger is: the same as what the save returned.
        "read_back": [dataclasses.asdict(store.document(document.number)) for document in documents],
    }, default=str))
    if os.environ.get("IHMS_RECORD_SAVE_PATH"):
        RECORDED.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert got["rows"].keys() == recorded["rows"].keys()
    for table in recorded["rows"]:
        assert got["rows"][table] == recorded["rows"][table], table
    assert got["documents"] == recorded["documents"]
    # A document fresh from its save is its own read-back, except who reversed it since.
    assert [{**document, "reversed_by": None} for document in got["read_back"]] == got["documents"]
    assert got["read_back"] == recorded["read_back"]


def test_a_four_line_dispense_takes_few_statements_and_reads_back_nothing(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2026, 11, 20))
    store.receive(source="ddw", voucher_no="DDW/S/1", voucher_date="2026-11-19", lines=[
        ReceiptLine("D0001", "PCM-A", "2027-03", 10), ReceiptLine("D0001", "PCM-B", "2027-06", 200),
        ReceiptLine("D0002", "AMX-1", "2027-12", 300), ReceiptLine("D0010", "MET-1", "2027-09", 50),
        ReceiptLine("D0003", "ORS-1", "2028-01", 40)])
    store.act_as("pharma")
    lines = [DispenseLine("D0001", 15), DispenseLine("D0002", 10), DispenseLine("D0010", 10), DispenseLine("D0003", 5)]
    # The counter's first slip of these items reads them; later slips find them kept.
    store.dispense(patient=Patient("OPD/0", "Ram Lal", 60, "M"), prescriber="Dr. A",
                   lines=[DispenseLine(line.item_code, 1) for line in lines])
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        document = store.dispense(patient=Patient("OPD/1", "Sita Devi", 34, "F"), prescriber="Dr. A", lines=lines)
    finally:
        store.conn.set_trace_callback(None)
    assert len(document.movements) == 5  # the first line takes the 9 left of PCM-A and 6 of PCM-B
    # BEGIN; the catalogue's count of changes and the items' batches (2); the number and the
    # event's place (2); the document; 4 lines, 5 movements, 5 balances, 4 months'
    # consumption; the event; COMMIT. It took 39 before the save path was made leaner (an
    # item and a batch query per line, the device row read three times and written twice, the
    # document read back in 3 queries).
    assert len(statements) <= 26, "\n".join(statements)
    assert not [sql for sql in statements if sql.startswith("SELECT i.id")], "the items were read again"
    first_write = next(number for number, sql in enumerate(statements) if sql.startswith("INSERT INTO document "))
    assert not [sql for sql in statements[first_write:] if sql.startswith("SELECT")]
    assert document == store.document(document.number)
    assert store.outbox_event_id_at(store.device_state()["next_sequence"] - 1)


def test_a_slip_sees_items_withdrawn_or_renamed_through_another_connection(make_store) -> None:  # type: ignore[no-untyped-def]
    """The items a save keeps between slips follow the catalogue however it changes."""
    store = make_store(user="clerk", start=at(2026, 11, 20))
    store.receive(source="ddw", voucher_no="DDW/S/2", voucher_date="2026-11-19", lines=[
        ReceiptLine("D0001", "PCM-A", "2027-03", 100), ReceiptLine("D0002", "AMX-1", "2027-12", 100)])
    store.act_as("pharma")
    store.dispense(patient=Patient("OPD/1", "Sita Devi", 34, "F"), prescriber="Dr. A",
                   lines=[DispenseLine("D0001", 5), DispenseLine("D0002", 5)])
    other = sqlite3.connect(store.path)
    try:
        other.execute("UPDATE item SET active = 0 WHERE code = 'D0001'")
        other.execute("UPDATE item SET name = 'Amoxicillin 250 mg Capsule (RMSCL)' WHERE code = 'D0002'")
        other.commit()
    finally:
        other.close()
    with pytest.raises(UnknownItem):
        store.dispense(patient=Patient("OPD/2", "Sita Devi", 34, "F"), prescriber="Dr. A", lines=[DispenseLine("D0001", 5)])
    assert store.plan_dispense([DispenseLine("D0002", 5)])[0].item.name == "Amoxicillin 250 mg Capsule (RMSCL)"
    saved = store.dispense(patient=Patient("OPD/3", "Sita Devi", 34, "F"), prescriber="Dr. A", lines=[DispenseLine("D0002", 5)])
    assert saved.movements[0]["item_code"] == "D0002"
