"""Tests for ihms_desk/store/challan.py and the receipt checks of issue 12 item 7: a challan CSV
read whatever Excel wrote (commas or semicolons, 20,000), every bad row named in one refusal,
the separator named when it is the problem; short expiry taken only with a reason, kept with
the line; a challan equal to an earlier one said, and saved only when confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_checks import check_invariants, count, item_qty

from ihms_desk import wording
from ihms_desk.store import Store
from ihms_desk.store.challan import read_challan
from ihms_desk.store.errors import BatchExpiryMismatch, ExpiresSoon, InvalidInput, SameLinesAsEarlier
from ihms_desk.store.model import ReceiptLine

# The make_store clock stands on 20-11-2026: November and December 2026 are "this month or next".
HEADER = "item_code,batch_no,expiry,qty,voucher_no,voucher_date\n"


def write(tmp_path: Path, text: str, name: str = "challan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def take(store: Store, voucher_no: str, lines: list[ReceiptLine], **options: object):  # type: ignore[no-untyped-def]
    return store.receive(source="ddw", voucher_no=voucher_no, voucher_date="2026-11-18", lines=lines, warn=True,
                         **options)


# -- reading the file ---------------------------------------------------------------------------


def test_excel_semicolons_and_grouped_quantities_are_read(tmp_path: Path, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    path = write(tmp_path, "\ufeffitem_code;batch_no;expiry;qty;voucher_no;voucher_date\n"
                           "D0001;PCM-1;03/2028;20,000;DDW/1;18-11-2026\n"
                           "D0002;AMX-1;2028-05;1,50,000;DDW/1;18-11-2026\n")
    challan = read_challan(path, check=store.check_receipt_line)
    assert challan.separator == ";"
    assert [(line.item_code, line.qty) for line in challan.lines] == [("D0001", 20000), ("D0002", 150000)]
    assert challan.voucher == {"voucher_no": "DDW/1", "voucher_date": "18-11-2026"}
    # A comma file with a quoted grouped quantity, as Excel writes it.
    commas = read_challan(HEADER + 'D0001,PCM-1,03/2028,"20,000",DDW/2,18-11-2026\n')
    assert commas.separator == "," and commas.lines[0].qty == 20000


def test_every_bad_row_is_named_in_one_refusal_and_nothing_is_saved(tmp_path: Path, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    take(store, "DDW/0", [ReceiptLine("D0003", "MET-1", "2028-01", 10)])
    path = write(tmp_path, HEADER
                 + "D0001,PCM-1,03/2028,100,DDW/1,18-11-2026\n"   # row 2: good
                 + "D0001,PCM-2,13/2028,100,DDW/1,18-11-2026\n"   # row 3: no such month
                 + "D0002,AMX-1,05/2028,ten,DDW/1,18-11-2026\n"   # row 4: quantity
                 + "X9999,XX-1,05/2028,5,DDW/1,18-11-2026\n"      # row 5: unknown item
                 + "D0003,MET-1,02/2028,5,DDW/1,18-11-2026\n"     # row 6: expiry differs from the batch on record
                 + "D0010,MET-9,10/2026,5,DDW/1,18-11-2026\n"     # row 7: expired
                 + "S0001,GZ-1,12/2026,5,DDW/1,18-11-2026\n"      # row 8: expires next month, no reason
                 + "T0001,CAT-1,06/2028,0,DDW/1,18-11-2026\n")    # row 9: zero
    before = count(store, "document")
    with pytest.raises(InvalidInput) as refused:
        read_challan(path, check=store.check_receipt_line)
    assert refused.value.kind == "challan_rows_refused" and refused.value.values["count"] == 7
    lines = refused.value.message.splitlines()[1:]
    assert [int(line.split(":")[0].split()[1]) for line in lines] == [3, 4, 5, 6, 7, 8, 9]
    assert "13/2028" in lines[0] and "ten" in lines[1] and "X9999" in lines[2]
    assert "01/2028" in lines[3] and "02/2028" in lines[3]      # months as printed, not 2028-01
    assert "10/2026" in lines[4] and "12/2026" in lines[5] and "reason" in lines[5]
    assert "at least 1" in lines[6]
    # The Hindi words every row again.
    hindi = wording.text_of(refused.value, "hi")
    assert "पंक्ति 3" in hindi and "पंक्ति 9" in hindi and "row" not in hindi
    assert count(store, "document") == before


def test_the_separator_is_named_when_it_is_the_problem(tmp_path: Path) -> None:
    tabbed = write(tmp_path, "item_code\tbatch_no\texpiry\tqty\nD0001\tPCM-1\t03/2028\t100\n")
    with pytest.raises(InvalidInput) as refused:
        read_challan(tabbed)
    assert refused.value.kind == "challan_separator"
    assert "tabs" in refused.value.message
    assert "टैब" in wording.text_of(refused.value, "hi")
    piped = write(tmp_path, "item_code|batch_no|expiry|qty\nD0001|PCM-1|03/2028|100\n", "piped.csv")
    with pytest.raises(InvalidInput, match=r"bars \(\|\)"):
        read_challan(piped)
    # A row saved with semicolons under a comma header is named too.
    mixed = write(tmp_path, HEADER + "D0001;PCM-1;03/2028;100;DDW/1;18-11-2026\n", "mixed.csv")
    with pytest.raises(InvalidInput) as refused:
        read_challan(mixed)
    assert "semicolons (;)" in refused.value.message and "commas (,)" in refused.value.message


def test_columns_missing_are_still_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_challan(write(tmp_path, "item_code,batch,expiry,qty\nD0001,PCM-1,03/2028,100\n"))
    assert refused.value.kind == "challan_columns_missing" and refused.value.values["missing"] == "batch_no"


# -- short expiry: a reason, kept with the line ------------------------------------------------


def test_short_expiry_is_taken_only_with_a_reason_that_is_kept(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    for month in ("2026-11", "2026-12"):
        with pytest.raises(ExpiresSoon) as refused:
            take(store, f"DDW/{month}", [ReceiptLine("D0001", f"S-{month}", month, 100)])
        assert refused.value.field == "short_expiry_reason"
        assert f"{month[5:]}/{month[:4]}" in refused.value.message
    assert count(store, "document") == 0
    # January is far enough: no reason needed.
    take(store, "DDW/JAN", [ReceiptLine("D0001", "S-JAN", "2027-01", 100)])
    saved = take(store, "DDW/DEC", [ReceiptLine("D0001", "S-DEC", "2026-12", 100,
                                                 short_expiry_reason="DDW sent it for the camp this week")])
    document = store.document(saved.number)
    assert document.lines[0]["short_expiry_reason"] == "DDW sent it for the camp this week"
    assert item_qty(store, "D0001") == 200
    # A program replaying facts (the demo, a sync) is not asked: the rule is for people.
    store.receive(source="ddw", voucher_no="DDW/NOV", voucher_date="2026-11-18",
                  lines=[ReceiptLine("D0001", "S-NOV", "2026-11", 5)])
    check_invariants(store)


def test_a_batch_typed_with_another_expiry_is_said_at_the_line(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    take(store, "DDW/1", [ReceiptLine("D0001", "PCM-1", "2028-03", 100)])
    with pytest.raises(BatchExpiryMismatch) as refused:
        store.check_receipt_line(ReceiptLine("D0001", "pcm-1", "04/2028", 1))
    assert refused.value.field == "expiry"
    assert "03/2028" in refused.value.message and "04/2028" in refused.value.message
    assert store.check_receipt_line(ReceiptLine("D0001", "pcm-1", "03/2028", 1))[1:] == ("PCM-1", "2028-03", None)


# -- the same challan twice under another number ----------------------------------------------


def test_a_challan_equal_to_an_earlier_one_is_said_and_saved_only_when_confirmed(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    lines = [ReceiptLine("D0001", "PCM-1", "2028-03", 5000), ReceiptLine("D0002", "AMX-1", "2028-05", 800)]
    first = take(store, "DDW/4411", lines)
    with pytest.raises(SameLinesAsEarlier) as refused:
        take(store, "DDW/4412", list(reversed(lines)))
    assert refused.value.number == first.number and refused.value.field == "voucher_no"
    assert "DDW/4411" in refused.value.message and "18-11-2026" in refused.value.message
    assert item_qty(store, "D0001") == 5000
    # Different quantities, or one line more: not the same challan.
    take(store, "DDW/4413", [lines[0], ReceiptLine("D0002", "AMX-1", "2028-05", 801)])
    take(store, "DDW/4414", [*lines, ReceiptLine("D0003", "MET-1", "2028-01", 10)])
    # A true second delivery, confirmed: saved, and the likeness recorded in its header.
    again = take(store, "DDW/4415", lines, same_lines_ok=True)
    assert store.document(again.number).header["same_lines_as"] == first.number
    assert item_qty(store, "D0001") == 20000
    check_invariants(store)


def test_a_reversed_receipt_does_not_count_as_the_earlier_challan(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    lines = [ReceiptLine("D0001", "PCM-1", "2028-03", 5000)]
    first = take(store, "DDW/1", lines)
    store.act_as("incharge")
    store.reverse(first.number, reason="typed under the wrong challan number")
    store.act_as("clerk")
    take(store, "DDW/2", lines)
    assert item_qty(store, "D0001") == 5000
    # And without warn (a program's receipt) equal lines are not asked about.
    store.receive(source="ddw", voucher_no="DDW/3", voucher_date="2026-11-18", lines=lines)
    assert item_qty(store, "D0001") == 10000


def test_same_line_check_reads_only_candidates(make_store) -> None:  # type: ignore[no-untyped-def]
    """The look-up starts from the first line's batch and quantity (an index), so a ledger of
    many receipts is not read whole: the query plan uses the batch index."""
    store = make_store(user="clerk")
    plan = " ".join(str(row[3]) for row in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT m.document_id FROM movement m JOIN batch b ON b.id = m.batch_id "
        "WHERE b.item_id = 1 AND b.batch_no = 'X' AND m.kind = 'receipt' AND m.qty = 5"))
    assert "movement_batch" in plan, plan
