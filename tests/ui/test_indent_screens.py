"""The indent screen and the voucher screen, driven by the keyboard only at 1366x698; then what
the store holds is checked (tests/ui/test_dispense.py's habit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui.indent import IndentScreen
from ihms_desk.ui.vouchers import VoucherScreen
from tests.conftest import StoreFactory
from tests.store.test_indents_and_vouchers import known_consumption
from tests.ui.conftest import show_screen

SIZE = (1366, 698)
#: The issue's bound: a 10-line voucher received as sent in at most this many keys.
AS_SENT_KEY_BOUND = 15
CTRL = Qt.KeyboardModifier.ControlModifier


class Keys:
    """Presses keys through qtbot and counts them (a typed text counts a key a character)."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.count = 0

    def press(self, widget: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.count += 1
        self.qtbot.keyClick(widget, key, modifier)

    def type(self, widget: Any, text: str) -> None:
        self.count += len(text)
        self.qtbot.keyClicks(widget, text)


def test_indent_drafted_by_the_clerk_approved_by_the_in_charge(qtbot: Any, make_store: StoreFactory) -> None:
    store = known_consumption(make_store)
    store.act_as("clerk")
    screen = show_screen(qtbot, IndentScreen, store, SIZE)
    screen.setFocus()  # as the window does when it shows a screen
    keys = Keys(qtbot)
    assert "Ctrl+G" in screen.draft_label.text() and screen.lines.rowCount() == 0
    assert screen.picker.line_edit.hasFocus()
    keys.press(screen.picker.line_edit, Qt.Key.Key_G, CTRL)  # work the suggestions out
    assert [(line.item_code, line.qty, line.amc, line.emergency) for line in screen.lines.rows()] == [
        ("D0001", 1476, 394, True)]
    assert screen.lines_view.hasFocus()
    # An item not suggested, by its code and a quantity.
    screen.picker.setFocus()
    keys.type(screen.picker.line_edit, "D0002")
    keys.press(screen.picker.line_edit, Qt.Key.Key_Return)
    assert screen.qty_edit.hasFocus()
    keys.type(screen.qty_edit, "100")
    keys.press(screen.qty_edit, Qt.Key.Key_Return)
    assert screen.picker.line_edit.hasFocus()
    # Change the first line: Enter on it puts it in the fields, the quantity chosen.
    screen.lines_view.setFocus()
    screen.lines_view.selectRow(0)
    keys.press(screen.lines_view, Qt.Key.Key_Return)
    assert screen.qty_edit.hasFocus() and screen.qty_edit.selectedText() == "1476"
    keys.type(screen.qty_edit, "1500")
    keys.press(screen.qty_edit, Qt.Key.Key_Return)
    draft = store.indent_draft()
    assert draft is not None and [(line.item_code, line.qty) for line in draft.lines] == [("D0001", 1500), ("D0002", 100)]
    # The clerk may not approve: said under the lines, the draft kept.
    keys.press(screen.picker.line_edit, Qt.Key.Key_F10)
    assert screen.last_saved is None and "approve an indent" in screen.errors.text()
    assert store.indent_draft() is not None
    store.act_as("incharge")
    keys.press(screen.picker.line_edit, Qt.Key.Key_F10)
    assert screen.last_saved == "IND/2026-27/000001", screen.errors.text("lines")
    document = store.document(screen.last_saved)
    assert [(line["item_code"], line["qty"], line["suggested"]) for line in document.lines] == [
        ("D0001", 1500, 1476), ("D0002", 100, 0)]
    assert store.indent_draft() is None and screen.lines.rowCount() == 0
    assert screen.indents.rowCount() == 1
    status = screen.indents.data(screen.indents.index(0, 4))
    assert status == "approved, not sent yet"


def test_indent_prints_through_the_report_preview(qtbot: Any, make_store: StoreFactory, monkeypatch: Any) -> None:
    from ihms_desk.ui import report_print

    painted: list[int] = []

    def preview(parent: Any, printer: Any, paint: Any) -> None:
        from PySide6.QtPrintSupport import QPrinter

        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp / "indent.pdf"))
        paint(printer)
        painted.append(1)

    store = known_consumption(make_store)
    tmp = store.folder.root
    monkeypatch.setattr(report_print, "show_preview", preview)
    store.act_as("clerk")
    screen = show_screen(qtbot, IndentScreen, store, SIZE)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_G, CTRL)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_P, CTRL)
    assert painted == [1] and (tmp / "indent.pdf").stat().st_size > 1000


def ten_line_voucher(store: Store, number: str = "DDW-JAI/2026-27/000031") -> None:
    codes = ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006", "D0007", "D0008", "D0009", "S0001")
    expiry = (dt.date.today() + dt.timedelta(days=400)).strftime("%Y-%m")
    store.apply_voucher_page([{
        "number": number, "kind": "voucher", "from_code": "DDW-JAI", "from_name": "DDW Jaipur", "indent_number": None,
        "issued_on": dt.date.today().isoformat(),
        "lines": [{"line_no": n, "item_code": code, "batch_no": f"V{n}", "expiry_month": expiry, "qty": 100 * n,
                   "manufacturer": None, "unit_cost": None} for n, code in enumerate(codes, start=1)]}],
        cursor_before=store.voucher_cursor(), next_cursor=number)


@pytest.fixture()
def voucher_screen(qtbot: Any, clerk_store: Store) -> VoucherScreen:
    ten_line_voucher(clerk_store)
    screen = show_screen(qtbot, VoucherScreen, clerk_store, SIZE)
    screen.setFocus()  # as the window does when it shows a screen
    return screen


def test_ten_line_voucher_received_as_sent_within_the_key_bound(qtbot: Any, voucher_screen: VoucherScreen,
                                                                check_store: Store) -> None:
    keys = Keys(qtbot)
    assert voucher_screen.voucher_combo.hasFocus() and voucher_screen.lines.rowCount() == 10
    keys.press(voucher_screen.voucher_combo, Qt.Key.Key_F10)
    assert voucher_screen.last_saved is not None, voucher_screen.errors.text("lines")
    # The screen's own key plus what was pressed on it.
    assert 1 + keys.count <= AS_SENT_KEY_BOUND
    receipt = check_store.document(voucher_screen.last_saved)
    assert receipt.header["against_voucher"] == "DDW-JAI/2026-27/000031" and receipt.header["differences"] == []
    assert len(receipt.movements) == 10 and sum(m["qty"] for m in receipt.movements) == 100 * 55
    assert voucher_screen.lines.rowCount() == 0 and check_store.vouchers() == []


def test_a_short_line_and_a_damaged_one_by_keyboard(qtbot: Any, voucher_screen: VoucherScreen, check_store: Store) -> None:
    screen = voucher_screen
    keys = Keys(qtbot)
    keys.press(screen.voucher_combo, Qt.Key.Key_Tab)
    assert screen.lines_view.hasFocus()
    keys.press(screen.lines_view, Qt.Key.Key_Down)
    keys.press(screen.lines_view, Qt.Key.Key_Down)  # line 3: 300 sent
    keys.press(screen.lines_view, Qt.Key.Key_Return)
    assert screen.received_edit.hasFocus() and screen.received_edit.selectedText() == "300"
    keys.type(screen.received_edit, "250")
    keys.press(screen.received_edit, Qt.Key.Key_Return)
    assert screen.difference_combo.currentData() == "short" and screen.reason_edit.hasFocus()
    keys.type(screen.reason_edit, "one carton missing")
    keys.press(screen.reason_edit, Qt.Key.Key_Return)
    assert screen.lines_view.hasFocus() and screen.lines_view.currentIndex().row() == 3
    # Line 4: 400 sent, 10 broken: damaged is chosen by hand.
    keys.press(screen.lines_view, Qt.Key.Key_Return)
    keys.type(screen.received_edit, "390")
    keys.press(screen.received_edit, Qt.Key.Key_Return)
    screen.difference_combo.setFocus()
    keys.press(screen.difference_combo, Qt.Key.Key_Down)
    keys.press(screen.difference_combo, Qt.Key.Key_Down)
    assert screen.difference_combo.currentData() == "damaged"
    screen.reason_edit.setFocus()
    keys.type(screen.reason_edit, "bottles broken")
    keys.press(screen.reason_edit, Qt.Key.Key_Return)
    # A wrong one is refused under its field and changes nothing.
    keys.press(screen.lines_view, Qt.Key.Key_Return)
    keys.type(screen.received_edit, "900")
    screen.difference_combo.setCurrentIndex(screen.difference_combo.findData("short"))
    screen.reason_edit.setFocus()
    keys.type(screen.reason_edit, "x")
    keys.press(screen.reason_edit, Qt.Key.Key_Return)
    assert "short" in screen.errors.text("received").lower() or screen.errors.text("received")
    assert screen.lines.row(4).kind is None
    keys.press(screen.lines_view, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text("lines")
    receipt = check_store.document(screen.last_saved)
    assert [(d["voucher_line"], d["sent"], d["received"], d["kind"]) for d in receipt.header["differences"]] == [
        (3, 300, 250, "short"), (4, 400, 390, "damaged")]
    assert [m["qty"] for m in receipt.movements][2:4] == [250, 390]


def test_a_suggested_transfer_in_one_action(qtbot: Any, clerk_store: Store, check_store: Store) -> None:
    clerk_store.replace_suggestions([{"id": "S-9", "item_code": "D0006", "to_code": "CHC-B", "to_name": "CHC B",
                                      "qty": 300, "reason": "surplus", "expires": None}])
    screen = show_screen(qtbot, VoucherScreen, clerk_store, SIZE)
    assert "No voucher waiting" in screen.voucher_info.text()
    saved: list[Any] = []
    screen.saved.connect(saved.append)
    qtbot.keyClick(screen.voucher_combo, Qt.Key.Key_T, CTRL)
    assert len(saved) == 1 and saved[0].header["suggestion_id"] == "S-9"
    document = check_store.document(saved[0].number)
    assert document.header["to_facility"] == "CHC-B" and document.movements[0]["qty"] == -300
    assert screen.suggestions.rowCount() == 0 and "CHC B" in screen.status_label.text()


def test_the_in_charge_sets_the_emergency_order_point(qtbot: Any, incharge_store: Store, check_store: Store) -> None:
    from ihms_desk.ui.settings_screen import SettingsScreen

    settings = show_screen(qtbot, SettingsScreen, incharge_store)
    edit = settings.setting_edits["emergency_order_months"]
    assert edit.text() == "0.5"
    for typed, saved in (("0.25", True), ("nan", False), ("13", False)):
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, typed)
        qtbot.mouseClick(settings.save_settings_button, Qt.MouseButton.LeftButton)
        assert settings.errors["emergency_order_months"].isHidden() is saved
    assert str(check_store.indent_levels().emergency_months) == "0.25"


def test_refusals_on_hindi_screens(qtbot: Any, clerk_store: Store, check_store: Store) -> None:
    """The voucher screen's and the indent screen's refusals on a Hindi screen are the Hindi of
    the wording tables, and write nothing."""
    import re

    from ihms_desk.ui import i18n
    from ihms_desk.ui.app import create_application

    create_application()
    assert i18n.set_language("hi")
    try:
        ten_line_voucher(clerk_store)
        screen = show_screen(qtbot, VoucherScreen, clerk_store, SIZE)
        screen.setFocus()
        qtbot.keyClick(screen.voucher_combo, Qt.Key.Key_Tab)
        qtbot.keyClick(screen.lines_view, Qt.Key.Key_Return)  # line 1: 100 sent
        qtbot.keyClicks(screen.received_edit, "150")
        screen.difference_combo.setCurrentIndex(screen.difference_combo.findData("short"))
        screen.reason_edit.setFocus()
        qtbot.keyClicks(screen.reason_edit, "x")
        qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
        said = screen.errors.text("received")
        assert "कम का अर्थ" in said and re.search("[\u0900-\u097f]", said) and "means" not in said
        indent = show_screen(qtbot, IndentScreen, clerk_store, SIZE)
        qtbot.keyClick(indent.picker.line_edit, Qt.Key.Key_F10)  # nothing to approve, and a clerk
        assert re.search("[\u0900-\u097f]", indent.errors.text()) and "approve" not in indent.errors.text()
        assert check_store.outbox_counts()["pending"] == clerk_store.outbox_counts()["pending"]
        assert check_store.vouchers()[0].receipt_number is None
    finally:
        i18n.set_language("en")


def test_del_puts_a_checked_line_back_to_as_sent(qtbot: Any, voucher_screen: VoucherScreen) -> None:
    screen = voucher_screen
    qtbot.keyClick(screen.voucher_combo, Qt.Key.Key_Tab)
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.received_edit, "60")
    qtbot.keyClick(screen.received_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.reason_edit, "wet cartons")
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    assert screen.lines.row(0).kind == "short"
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_Up)
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_Delete)
    row = screen.lines.row(0)
    assert (row.received, row.kind, row.reason) == (100, None, "") and screen.lines.rowCount() == 10


def test_the_in_charge_closes_an_indent_from_the_list(qtbot: Any, make_store: StoreFactory, monkeypatch: Any) -> None:
    from ihms_desk.ui import dialogs

    store = known_consumption(make_store)
    store.act_as("incharge")
    store.start_indent_draft()
    number = store.approve_indent().number
    asked: list[str] = []

    def answer(parent: Any, title: str, label: str) -> str | None:
        asked.append(title)
        return "" if len(asked) == 1 else "DDW has none this quarter"

    monkeypatch.setattr(dialogs, "ask_text", answer)
    screen = show_screen(qtbot, IndentScreen, store, SIZE)
    screen.close_indent()
    assert "Choose an indent" in screen.errors.text("number")
    screen.indents_view.setFocus()
    screen.indents_view.selectRow(0)
    screen.close_indent()  # no reason given: refused, nothing closed
    assert store.indent_status(number).status == "approved" and screen.errors.text("number")
    screen.close_indent()
    assert store.indent_status(number).status == "closed" and asked == [f"Close {number}"] * 2
    assert screen.indents.data(screen.indents.index(0, 4)) == "closed"


def test_no_screen_key_is_also_a_window_key(qtbot: Any, incharge_store: Store) -> None:
    """A key the window binds to a screen (Ctrl+I, Ctrl+Shift+R, ...) is bound by no screen:
    Qt would call the two ambiguous and run neither (Ctrl+R is the dispense screen's 'repeat
    last', so Vouchers is Ctrl+Shift+R)."""
    from ihms_desk.ui.main_window import MainWindow

    window = MainWindow(incharge_store)
    qtbot.addWidget(window)
    # Chords only: the dispense screen's F2 is the lines table's own edit key, not a shortcut.
    window_keys = {spec.shortcut for spec in window.specs if "Ctrl" in spec.shortcut}
    for spec in window.specs:
        screen = window.go_to(spec.key)
        if screen is None:
            continue
        clashing = {key for key, _ in screen.shortcuts() for part in key.split(" / ") if part in window_keys}
        assert not clashing, (spec.key, clashing)


TRANSFER = "TRF/2026-27/A000007"


def withdrawn_transfer(store: Store) -> None:
    """CHC B's transfer of 40 ORS, pulled, then pulled again withdrawn (CHC B reversed it)."""
    voucher = {"number": TRANSFER, "kind": "transfer", "from_code": "CHC-B", "from_name": "CHC B",
               "indent_number": None, "issued_on": dt.date.today().isoformat(),
               "lines": [{"line_no": 1, "item_code": "D0005", "batch_no": "T1",
                          "expiry_month": (dt.date.today() + dt.timedelta(days=400)).strftime("%Y-%m"), "qty": 40,
                          "manufacturer": None, "unit_cost": None}]}
    withdrawn = {**voucher, "withdrawn": {"reversal_number": "REV/2026-27/A000003",
                                          "reversed_on": dt.date.today().isoformat()}}
    for cursor, page in enumerate(([voucher], [withdrawn]), start=1):
        store.apply_voucher_page(page, cursor_before=store.voucher_cursor(), next_cursor=f"withdrawn-{cursor}")


@pytest.mark.parametrize("language", ["en", "hi"])
def test_a_withdrawn_transfer_is_shown_withdrawn_and_not_received(qtbot: Any, clerk_store: Store, check_store: Store,
                                                                   language: str) -> None:
    """A withdrawn voucher is listed after the waiting one, marked withdrawn; chosen, a strip
    says who reversed it and what to do, and nothing on it can be checked or saved: F10 meets
    the store's refusal, worded in the screen's language, and writes nothing."""
    import re

    from ihms_desk.ui import i18n
    from ihms_desk.ui.app import create_application

    create_application()
    assert i18n.set_language(language)
    try:
        ten_line_voucher(clerk_store)
        withdrawn_transfer(clerk_store)
        screen = show_screen(qtbot, VoucherScreen, clerk_store, SIZE)
        screen.setFocus()
        assert screen.withdrawn_strip.isHidden() and screen.save_button.isEnabled()
        qtbot.keyClick(screen.voucher_combo, Qt.Key.Key_Down)
        voucher = screen.current_voucher()
        assert voucher is not None and voucher.number == TRANSFER
        assert screen.voucher_combo.currentText().endswith({"en": "transfer from CHC B · withdrawn",
                                                            "hi": "CHC B से स्थानांतरण · वापस लिया गया"}[language])
        strip = screen.withdrawn_strip.text()
        today = dt.date.today().strftime("%d-%m-%Y")
        assert screen.withdrawn_strip.isVisible() and "REV/2026-27/A000003" in strip and today in strip
        assert strip.startswith({"en": "Withdrawn: CHC B reversed this transfer", "hi": "वापस लिया गया: CHC B ने"}[language])
        assert screen.lines.rowCount() == 1 and screen.lines.index(0, 6).data() == "–"  # nothing received
        assert screen.total_label.text() == {"en": "1 line(s), 40 units sent; withdrawn: nothing to receive",
                                             "hi": "1 पंक्ति, 40 इकाई भेजी; वापस लिया गया: कुछ प्राप्त नहीं करना"}[language]
        for widget in (screen.save_button, screen.received_edit, screen.difference_combo, screen.reason_edit,
                       screen.add_button, screen.remove_button):
            assert not widget.isEnabled()
        qtbot.keyClick(screen.voucher_combo, Qt.Key.Key_F10)
        said = screen.errors.text("voucher")
        assert "REV/2026-27/A000003" in said and screen.last_saved is None
        if language == "hi":
            for text in (strip, said, screen.voucher_combo.currentText()):
                left = re.sub(r"CHC B|REV/2026-27/A000003|TRF/2026-27/A000007", " ", text)
                assert re.findall(r"[A-Za-z]+", left) == [], text
        else:
            assert "cannot be received" in said
        assert check_store.voucher(TRANSFER).receipt_number is None
        assert check_store.outbox_counts()["pending"] == clerk_store.outbox_counts()["pending"]
        # Back to the waiting voucher: it can be received.
        qtbot.keyClick(screen.voucher_combo, Qt.Key.Key_Up)
        assert screen.withdrawn_strip.isHidden() and screen.save_button.isEnabled()
        assert screen.lines.index(0, 6).data() == "100"
    finally:
        i18n.set_language("en")
