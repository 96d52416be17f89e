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
from tests.ui.conftest import show_screen

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
