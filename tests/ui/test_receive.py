"""Tests for ihms_desk/ui/receive.py: a clerk records a challan by keyboard and scanner."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from ihms_desk.store import Store
from ihms_desk.store.model import ReceiptLine
from ihms_desk.ui.receive import VISIBLE_GS, ReceiveScreen
from tests.ui.conftest import month_from, show_screen

GS = chr(29)
GTIN = "08901234567890"


@pytest.fixture()
def screen(qtbot, clerk_store: Store) -> ReceiveScreen:
    return show_screen(qtbot, ReceiveScreen, clerk_store, (1100, 800))


def expiry_code(months_ahead: int) -> tuple[str, str]:
    """GS1 YYMM00 and the store's YYYY-MM for a month ahead of today."""
    today = dt.date.today()
    index = today.year * 12 + today.month - 1 + months_ahead
    year, month = index // 12, index % 12 + 1
    return f"{year % 100:02d}{month:02d}00", f"{year:04d}-{month:02d}"


def type_like_a_scanner(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key; GS (chr(29)) arrives as a key event carrying that character,
    as a keyboard-wedge scanner sends it (QTest.keyClicks cannot type control characters)."""
    for number, part in enumerate(text.split(GS)):
        if number:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, GS))
        if part:
            qtbot.keyClicks(widget, part)


def scan(qtbot, screen: ReceiveScreen, text: str) -> None:
    screen.scan_edit.setFocus()
    type_like_a_scanner(qtbot, screen.scan_edit, text)
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_Return)


def type_header(qtbot, screen: ReceiveScreen, voucher: str) -> None:
    screen.voucher_edit.setFocus()
    qtbot.keyClicks(screen.voucher_edit, voucher)
    qtbot.keyClick(screen.voucher_edit, Qt.Key.Key_Return)


def test_the_scan_field_keeps_the_group_separator(qtbot, screen: ReceiveScreen) -> None:
    type_like_a_scanner(qtbot, screen.scan_edit, "10AB" + GS + "17")
    assert screen.scan_edit.text() == "10AB" + VISIBLE_GS + "17"
    # A wedge scanner may send GS as Ctrl+] instead.
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert screen.scan_edit.text().endswith("17" + VISIBLE_GS)


def test_receipt_from_a_scanned_gs1_string_with_unknown_gtin_mapped_once(
    qtbot, screen: ReceiveScreen, check_store: Store
) -> None:
    yymmdd, month = expiry_code(20)
    type_header(qtbot, screen, "DDW/JPR/2026/4411")
    # Unknown GTIN: the fields fill, the clerk is asked for the item once.
    scan(qtbot, screen, "]d201" + GTIN + "17" + yymmdd + "10IBU-77" + GS + "21SN0001")
    assert screen.batch_edit.text() == "IBU-77"
    assert screen.expiry_edit.text() == f"{month[5:]}/{month[:4]}"
    assert GTIN in screen.errors.text("item")
    assert screen.picker.line_edit.hasFocus()
    qtbot.keyClicks(screen.picker.line_edit, "ibupro")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    assert screen.chosen_item() is not None and screen.chosen_item().code == "D0007"
    assert check_store.item_for_gtin(GTIN).code == "D0007"
    # The cursor went to the quantity (batch and expiry came from the scan).
    assert screen.qty_edit.hasFocus()
    qtbot.keyClicks(screen.qty_edit, "600")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.cost_edit, "0.45")
    qtbot.keyClick(screen.cost_edit, Qt.Key.Key_Return)
    assert screen.lines.rowCount() == 1

    # Second pack, same GTIN, another batch: the item fills without asking.
    yymmdd2, month2 = expiry_code(26)
    scan(qtbot, screen, "]d201" + GTIN + "17" + yymmdd2 + "10IBU-78")
    assert screen.errors.text("item") == ""
    assert screen.chosen_item().code == "D0007"
    assert screen.qty_edit.hasFocus()
    qtbot.keyClicks(screen.qty_edit, "400")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.cost_edit, Qt.Key.Key_Return)
    assert screen.lines.rowCount() == 2

    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text()
    document = check_store.document(screen.last_saved)
    assert document.kind == "receipt"
    assert document.header["voucher_no"] == "DDW/JPR/2026/4411"
    assert document.header["source"] == "ddw"
    assert [(line["item_code"], line["batch_no"], line["expiry_month"], line["qty"], line["unit_cost"]) for line in document.lines] == [
        ("D0007", "IBU-77", month, 600, "0.45"),
        ("D0007", "IBU-78", month2, 400, None),
    ]
    # Ready for the next challan.
    assert screen.lines.rowCount() == 0
    assert screen.voucher_edit.text() == ""
    assert screen.voucher_edit.hasFocus()
    assert screen.last_saved in screen.status_label.text()


def test_bracketed_form_and_a_known_gtin(qtbot, screen: ReceiveScreen, clerk_store: Store, check_store: Store) -> None:
    clerk_store.map_gtin(GTIN, "D0004")
    yymmdd, month = expiry_code(12)
    type_header(qtbot, screen, "V-1")
    scan(qtbot, screen, f"(01){GTIN}(17){yymmdd}(10)CET-9")
    assert screen.chosen_item().code == "D0004"
    qtbot.keyClicks(screen.qty_edit, "50")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.cost_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert screen.last_saved is not None
    assert [(b.batch_no, b.qty) for b in check_store.item_batches("D0004")] == [("CET-1", 200), ("CET-9", 50)]


def test_typed_line_without_scanner(qtbot, screen: ReceiveScreen, check_store: Store) -> None:
    screen.source_combo.setCurrentIndex(screen.source_combo.findData("facility"))
    screen.sender_edit.setFocus()
    qtbot.keyClicks(screen.sender_edit, "PHC Kotkhawda")
    qtbot.keyClick(screen.sender_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.voucher_edit, "IT/22")
    qtbot.keyClick(screen.voucher_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_Return)  # nothing to scan: on to the item
    assert screen.picker.line_edit.hasFocus()
    qtbot.keyClicks(screen.picker.line_edit, "D0008")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    assert screen.batch_edit.hasFocus()
    for edit, text in ((screen.batch_edit, "pan 1"), (screen.expiry_edit, "12/2030"), (screen.manufacturer_edit, "Alkem"),
                       (screen.qty_edit, "1,000"), (screen.cost_edit, "")):
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert screen.lines.rowCount() == 1
    screen.save()
    document = check_store.document(screen.last_saved)
    assert document.header["source"] == "facility" and document.header["source_name"] == "PHC Kotkhawda"
    assert document.lines[0]["batch_no"] == "PAN 1" and document.lines[0]["qty"] == 1000
    assert document.lines[0]["manufacturer"] == "Alkem"


def test_a_malformed_scan_is_explained_next_to_the_scan_field(qtbot, screen: ReceiveScreen) -> None:
    scan(qtbot, screen, "]d20108901234567891" + "17270300")
    assert "check digit" in screen.errors.text("scan")
    assert screen.batch_edit.text() == ""


def test_bad_fields_are_refused_next_to_the_field(qtbot, screen: ReceiveScreen, check_store: Store) -> None:
    before = len(check_store.documents_on())
    screen.add_line()
    assert screen.errors.text("item")  # no item chosen
    qtbot.keyClicks(screen.picker.line_edit, "D0001")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.batch_edit, "X1")
    qtbot.keyClicks(screen.expiry_edit, "13/2027")
    screen.add_line()
    assert "13/2027" in screen.errors.text("expiry")
    screen.expiry_edit.clear()
    qtbot.keyClicks(screen.expiry_edit, "01/2020")
    screen.add_line()
    assert "expired" in screen.errors.text("expiry")
    screen.expiry_edit.clear()
    qtbot.keyClicks(screen.expiry_edit, "01/2031")
    qtbot.keyClicks(screen.qty_edit, "ten")
    screen.add_line()
    assert "ten" in screen.errors.text("quantity")
    assert screen.lines.rowCount() == 0
    screen.qty_edit.clear()
    qtbot.keyClicks(screen.qty_edit, "10")
    screen.add_line()
    assert screen.lines.rowCount() == 1
    # No voucher number: refused by the store, shown next to the voucher field, nothing saved.
    screen.save()
    assert "required" in screen.errors.text("voucher_no")
    assert screen.lines.rowCount() == 1
    assert len(check_store.documents_on()) == before


def test_a_line_refused_at_save_is_shown_under_the_lines(qtbot, screen: ReceiveScreen, check_store: Store) -> None:
    type_header(qtbot, screen, "V-2")
    screen.picker.choose_code("D0001")
    qtbot.keyClicks(screen.batch_edit, "NEW-7")
    qtbot.keyClicks(screen.expiry_edit, "01/2031")
    qtbot.keyClicks(screen.qty_edit, "5")
    screen.add_line()
    assert screen.lines.rowCount() == 1
    # Meanwhile another counter receives the same batch with another expiry: the line is
    # refused at save, under the lines (the entry fields are empty by then).
    check_store.act_as("clerk")
    check_store.receive(source="ddw", voucher_no="V-OTHER", voucher_date=check_store.today(),
                        lines=[ReceiptLine("D0001", "NEW-7", "2031-02", 5)])
    screen.save()
    assert "NEW-7" in screen.errors.text("lines")
    assert screen.last_saved is None


def test_clerk_lines_can_be_removed(qtbot, screen: ReceiveScreen) -> None:
    screen.picker.choose_code("D0002")
    qtbot.keyClicks(screen.batch_edit, "A1")
    qtbot.keyClicks(screen.expiry_edit, "01/2031")
    qtbot.keyClicks(screen.qty_edit, "5")
    screen.add_line()
    screen.lines_view.selectRow(0)
    screen.lines_view.setFocus()
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_Delete)
    assert screen.lines.rowCount() == 0


def test_lines_model_passes_the_model_tester(qtmodeltester, qtbot, screen: ReceiveScreen) -> None:
    screen.picker.choose_code("D0002")
    qtbot.keyClicks(screen.batch_edit, "A1")
    qtbot.keyClicks(screen.expiry_edit, "01/2031")
    qtbot.keyClicks(screen.qty_edit, "5")
    qtbot.keyClicks(screen.cost_edit, "1.5")
    screen.add_line()
    qtmodeltester.check(screen.lines)


def type_into_focus(qtbot, text: str) -> None:
    """Type as a scanner does: every key goes to whichever widget has the focus at that moment."""
    for char in text:
        target = QApplication.focusWidget()
        if char == GS:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, GS))
        else:
            qtbot.keyClicks(target, char)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def test_a_scan_with_prefix_lands_in_the_scan_field_from_any_field(qtbot, screen: ReceiveScreen, clerk_store: Store) -> None:
    clerk_store.map_gtin(GTIN, "D0004")
    yymmdd, month = expiry_code(12)
    screen.batch_edit.setFocus()
    qtbot.keyClicks(screen.batch_edit, "typo")
    type_into_focus(qtbot, "]d201" + GTIN + "10CET-5" + GS + "17" + yymmdd)
    assert screen.chosen_item().code == "D0004"
    assert screen.batch_edit.text() == "CET-5"
    assert screen.expiry_edit.text() == f"{month[5:]}/{month[:4]}"
    assert screen.qty_edit.hasFocus()


def test_a_scan_without_prefix_in_another_field_asks_to_scan_again(qtbot, screen: ReceiveScreen) -> None:
    screen.qty_edit.setFocus()
    type_into_focus(qtbot, "01" + GTIN + "10CET-5" + GS + "17270300")
    # The part after GS followed into the scan field and was dropped, not read as a GTIN-8.
    assert "Scan the pack again" in screen.errors.text("scan")
    assert screen.scan_edit.hasFocus() and screen.scan_edit.text() == ""
    assert screen.expiry_edit.text() == "" and screen.chosen_item() is None
    assert screen.qty_edit.text() == ""  # what the scan typed there was taken back
    # The next scan, in the right place, works.
    scan(qtbot, screen, "01" + GTIN + "10CET-5" + GS + "17270300")
    assert screen.batch_edit.text() == "CET-5"


# -- issue 12 item 7: what the clerk would miss, said at the line, typed by keyboard only -------


def type_line(qtbot, screen: ReceiveScreen, code: str, batch: str, expiry: str) -> None:
    """From the scan field: Enter on an empty scan goes to the item, then batch and expiry."""
    screen.scan_edit.setFocus()
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_Return)
    assert screen.picker.line_edit.hasFocus()
    qtbot.keyClicks(screen.picker.line_edit, code)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    assert screen.batch_edit.hasFocus()
    qtbot.keyClicks(screen.batch_edit, batch)
    qtbot.keyClick(screen.batch_edit, Qt.Key.Key_Return)
    assert screen.expiry_edit.hasFocus()
    qtbot.keyClicks(screen.expiry_edit, expiry)
    qtbot.keyClick(screen.expiry_edit, Qt.Key.Key_Return)


def finish_line(qtbot, screen: ReceiveScreen, qty: str) -> None:
    """From the manufacturer: Enter, the quantity, Enter, Enter on the cost adds the line."""
    assert screen.manufacturer_edit.hasFocus()
    qtbot.keyClick(screen.manufacturer_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, qty)
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.cost_edit, Qt.Key.Key_Return)


def printed(month: str) -> str:
    return f"{month[5:]}/{month[:4]}"


def test_short_expiry_is_taken_with_a_reason_typed_at_the_line(qtbot, screen: ReceiveScreen, check_store: Store) -> None:
    _, next_month = expiry_code(1)
    type_header(qtbot, screen, "DDW/JPR/SHORT")
    assert not screen.reason_edit.isVisible()
    type_line(qtbot, screen, "D0004", "CET-9", printed(next_month))
    # Said at once, under the reason field that now shows, with the cursor in it.
    assert printed(next_month) in screen.errors.text("short_expiry_reason")
    assert screen.reason_edit.isVisible() and screen.reason_edit.hasFocus()
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)  # Enter without a reason: still said
    assert screen.reason_edit.hasFocus() and screen.errors.text("short_expiry_reason")
    qtbot.keyClicks(screen.reason_edit, "DDW sent it for the camp this week")
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    finish_line(qtbot, screen, "50")
    assert screen.lines.rowCount() == 1 and not screen.reason_edit.isVisible()
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text()
    line = check_store.document(screen.last_saved).lines[0]
    assert (line["batch_no"], line["expiry_month"], line["qty"]) == ("CET-9", next_month, 50)
    assert line["short_expiry_reason"] == "DDW sent it for the camp this week"


def test_an_expiry_differing_from_the_batch_on_record_is_said_at_the_line(
    qtbot, screen: ReceiveScreen, check_store: Store
) -> None:
    known = month_from(dt.date.today(), 14)  # PCM-B of the test CHC
    type_header(qtbot, screen, "DDW/JPR/MISMATCH")
    type_line(qtbot, screen, "D0001", "pcm-b", printed(month_from(dt.date.today(), 15)))
    said = screen.errors.text("expiry")
    assert printed(known) in said and "PCM-B" in said and known not in said
    assert screen.expiry_edit.hasFocus() and screen.lines.rowCount() == 0
    screen.expiry_edit.selectAll()
    qtbot.keyClicks(screen.expiry_edit, printed(known))
    qtbot.keyClick(screen.expiry_edit, Qt.Key.Key_Return)
    assert screen.errors.text("expiry") == ""
    finish_line(qtbot, screen, "20")
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None
    assert check_store.document(screen.last_saved).lines[0]["expiry_month"] == known


def test_a_challan_equal_to_an_earlier_one_is_said_and_a_second_f10_confirms(
    qtbot, screen: ReceiveScreen, check_store: Store
) -> None:
    far = printed(month_from(dt.date.today(), 20))
    numbers = []
    counts = []
    for voucher in ("DDW/JPR/500", "DDW/JPR/501"):
        type_header(qtbot, screen, voucher)
        type_line(qtbot, screen, "D0003", "MET-9", far)
        finish_line(qtbot, screen, "300")
        qtbot.keyClick(screen.scan_edit, Qt.Key.Key_F10)
        numbers.append(screen.last_saved)
        counts.append(len(check_store.documents_on()))
        screen.last_saved = None
    # The second is the first under another number: said under the voucher, nothing saved.
    assert numbers[1] is None
    said = screen.errors.text("voucher_no")
    assert numbers[0] in said and "DDW/JPR/500" in said
    assert screen.lines.rowCount() == 1 and counts[1] == counts[0]
    before = counts[1]
    # F10 again, the challan unchanged: the clerk confirms a second delivery.
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text()
    assert len(check_store.documents_on()) == before + 1
    assert check_store.document(screen.last_saved).header["same_lines_as"] == numbers[0]


def test_ctrl_o_reads_a_challan_csv_into_the_lines(qtbot, screen: ReceiveScreen, check_store: Store, tmp_path,
                                                   monkeypatch) -> None:
    from ihms_desk.ui import dialogs

    far, farther = month_from(dt.date.today(), 20), month_from(dt.date.today(), 22)
    bad = tmp_path / "bad.csv"
    bad.write_text("item_code;batch_no;expiry;qty\n"
                   f"D0003;MET-7;{printed(far)};ten\nZZZ;X;{printed(far)};5\nD0004;CET-7;{printed(far)};5\n", encoding="utf-8")
    good = tmp_path / "challan.csv"
    # Excel's semicolons and grouped quantities.
    good.write_text("item_code;batch_no;expiry;qty;voucher_no;voucher_date\n"
                    f"D0003;MET-7;{printed(far)};20,000;DDW/JPR/777;{dt.date.today():%d-%m-%Y}\n"
                    f"D0004;CET-7;{printed(farther)};500;DDW/JPR/777;{dt.date.today():%d-%m-%Y}\n", encoding="utf-8")
    chosen = [bad, good]
    monkeypatch.setattr(dialogs, "open_file", lambda *args: chosen.pop(0))
    qtbot.keyClick(screen.voucher_edit, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    said = screen.errors.text("lines")
    assert "row 2" in said and "ten" in said and "row 3" in said and "ZZZ" in said and "row 4" not in said
    assert screen.lines.rowCount() == 0
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert screen.errors.text("lines") == ""
    assert screen.lines.rowCount() == 2 and screen.voucher_edit.text() == "DDW/JPR/777"
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text()
    document = check_store.document(screen.last_saved)
    assert [(line["item_code"], line["batch_no"], line["expiry_month"], line["qty"]) for line in document.lines] == [
        ("D0003", "MET-7", far, 20000), ("D0004", "CET-7", farther, 500)]
    assert document.header["voucher_no"] == "DDW/JPR/777"


def test_a_challan_with_many_bad_rows_names_the_first_and_counts_the_rest(qtbot, screen: ReceiveScreen, tmp_path,
                                                                          monkeypatch) -> None:
    from ihms_desk.ui import dialogs
    from ihms_desk.ui.receive import SHOWN_BAD_ROWS

    bad = tmp_path / "bad.csv"
    bad.write_text("item_code,batch_no,expiry,qty\n" + "".join(f"D0001,B{n},03/2099,x{n}\n" for n in range(40)),
                   encoding="utf-8")
    monkeypatch.setattr(dialogs, "open_file", lambda *args: bad)
    height = screen.height()
    qtbot.keyClick(screen.voucher_edit, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    said = screen.errors.text("lines")
    assert "40 row(s)" in said and "row 2:" in said and f"row {SHOWN_BAD_ROWS + 1}:" in said
    assert f"row {SHOWN_BAD_ROWS + 2}:" not in said and f"{40 - SHOWN_BAD_ROWS} more row(s)" in said
    assert screen.height() == height and screen.lines.rowCount() == 0
