"""Tests for ihms_desk/ui/documents.py: a day's documents, their movements, reversal."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.store.counter import PATIENT_RETURN
from ihms_desk.store.vouchers import VoucherCheck
from ihms_desk.store.model import AdjustmentReason, DispenseLine, Patient, ReceiptLine, ReceiptSource, TransferDestination, TransferLine
from ihms_desk.ui import documents, i18n
from ihms_desk.ui.documents import DocumentsScreen
from tests.ui.conftest import month_from, open_as, show_screen

@pytest.fixture()
def dispense_number(chc_dir: Path) -> str:
    with open_as(chc_dir, "pharmacist") as store:
        doc = store.dispense(patient=Patient("OPD/1", "Sita Devi", 34, "F"), prescriber="Dr. R. Meena",
                             lines=[DispenseLine("D0001", 150), DispenseLine("D0008", 10)])
    return doc.number


@pytest.fixture()
def questions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Answer the confirm question with yes, and remember what was asked."""
    asked: list[tuple[str, str]] = []

    def answer(parent, number: str, question: str) -> bool:
        asked.append((number, question))
        return True

    monkeypatch.setattr(documents, "ask_reverse", answer)
    return asked


def make_screen(qtbot, store: Store, size: tuple[int, int] = (1000, 700)) -> DocumentsScreen:
    return show_screen(qtbot, DocumentsScreen, store, size)


def numbers(screen: DocumentsScreen) -> list[str]:
    return [summary.number for summary in screen.documents.rows()]


def test_todays_documents_and_their_movements(qtbot, incharge_store: Store, dispense_number: str) -> None:
    screen = make_screen(qtbot, incharge_store)
    assert numbers(screen) == [dispense_number, "RCV/" + dispense_number[4:12] + "000002"]
    # From the keyboard: the focused list starts on the newest document; Down and Up select it.
    screen.view.setFocus()
    qtbot.keyClick(screen.view, Qt.Key.Key_Down)
    qtbot.keyClick(screen.view, Qt.Key.Key_Up)
    document = screen.current_document()
    assert document is not None and document.number == dispense_number
    # 150 paracetamol from PCM-A (100, earliest expiry) then PCM-B (50); D0008 not available.
    assert [(m["batch_no"], m["qty"]) for m in screen.movements.rows()] == [("PCM-A", -100), ("PCM-B", -50)]
    assert screen.movements.index(0, DocumentsScreen.M_QTY).data() == "-100"
    assert "Sita Devi" in screen.detail_label.text()
    assert "Not available: D0008" in screen.detail_label.text()
    assert "D0001: prescribed 150, given 150" in screen.detail_label.text()


def test_kind_filter_and_day(qtbot, incharge_store: Store, dispense_number: str) -> None:
    screen = make_screen(qtbot, incharge_store)
    screen.kind_combo.setCurrentIndex(screen.kind_combo.findData("dispense"))
    assert numbers(screen) == [dispense_number]
    screen.kind_combo.setCurrentIndex(0)
    screen.show_day(incharge_store.today() - dt.timedelta(days=1))
    assert numbers(screen) == []
    assert "0" in screen.count_label.text()


def test_in_charge_reverses_with_a_reason(qtbot, incharge_store: Store, dispense_number: str, questions, check_store: Store) -> None:
    screen = make_screen(qtbot, incharge_store)
    screen.select_number(dispense_number)
    screen.reason_edit.setFocus()
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    assert "reason" in screen.errors.text("reason").lower()
    assert questions == []
    qtbot.keyClicks(screen.reason_edit, "wrong patient")
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    assert [number for number, _ in questions] == [dispense_number]
    assert questions[0][1].endswith("Reason: wrong patient") and "withdrawn" not in questions[0][1]
    assert screen.last_reversal is not None
    original = check_store.document(dispense_number)
    assert original.reversed_by == screen.last_reversal
    assert {b.batch_no: b.qty for b in check_store.item_batches("D0001")} == {"PCM-A": 100, "PCM-B": 1000}
    # The list shows the reversal; the original is still selected and can no more be reversed.
    assert numbers(screen)[0] == screen.last_reversal
    assert screen.current_document().reversed_by == screen.last_reversal
    assert not screen.reverse_button.isEnabled()


def test_saying_no_reverses_nothing(qtbot, incharge_store: Store, dispense_number: str, monkeypatch, check_store: Store) -> None:
    monkeypatch.setattr(documents, "ask_reverse", lambda parent, number, question: False)
    screen = make_screen(qtbot, incharge_store)
    screen.select_number(dispense_number)
    qtbot.keyClicks(screen.reason_edit, "typed twice")
    qtbot.mouseClick(screen.reverse_button, Qt.MouseButton.LeftButton)
    assert screen.last_reversal is None
    assert check_store.document(dispense_number).reversed_by is None


def test_a_clerk_is_refused_by_the_store(qtbot, chc_dir: Path, dispense_number: str, questions, check_store: Store) -> None:
    with open_as(chc_dir, "clerk") as clerk:
        screen = make_screen(qtbot, clerk)
        assert "in-charge" in screen.reverse_hint.text()
        screen.select_number(dispense_number)
        qtbot.keyClicks(screen.reason_edit, "wrong patient")
        qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
        assert "may not" in screen.errors.text("reason")
        assert check_store.document(dispense_number).reversed_by is None


def test_a_receipt_whose_stock_went_cannot_be_reversed(qtbot, incharge_store: Store, questions) -> None:
    incharge_store.transfer_out(destination_type="ward", destination_name="Labour room", lines=[TransferLine("D0005", 4)])
    screen = make_screen(qtbot, incharge_store)
    receipt = [n for n in numbers(screen) if n.startswith("RCV")][0]
    screen.select_number(receipt)
    qtbot.keyClicks(screen.reason_edit, "wrong challan")
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    assert "ORS-1" in screen.errors.text("lines") + screen.errors.text() + screen.errors.text("reason")
    assert screen.last_reversal is None


def test_models_pass_the_model_tester(qtmodeltester, qtbot, incharge_store: Store, dispense_number: str) -> None:
    screen = make_screen(qtbot, incharge_store)
    screen.select_number(dispense_number)
    qtmodeltester.check(screen.documents)
    qtmodeltester.check(screen.movements)


@pytest.fixture(params=["en", "hi"])
def language(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    assert i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def shown_texts(screen: DocumentsScreen) -> list[str]:
    """Every text the screen shows of its lists and the selected document."""
    texts = [screen.detail_label.text()]
    for model in (screen.documents, screen.movements):
        texts += [str(model.index(row, column).data() or "") for row in range(model.rowCount())
                  for column in range(model.columnCount())]
    return texts


def latin_words(text: str, *data: str) -> list[str]:
    """The words in Latin letters left in ``text`` once the data it shows (numbers, codes,
    batches, names, user names, typed reasons) is taken out: on a Hindi screen, none."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]+", text)


def test_a_patient_return_names_its_slip(qtbot, chc_dir: Path, dispense_number: str, language: str) -> None:
    with open_as(chc_dir, "pharmacist") as pharmacist:
        returned = pharmacist.return_line(dispense_number, 1, 20, note="").number
    with open_as(chc_dir, "incharge") as store:
        screen = make_screen(qtbot, store)
        assert screen.select_number(returned)
        row = numbers(screen).index(returned)
        # The list names the slip too, not only the detail below it.
        assert screen.documents.index(row, DocumentsScreen.SUMMARY).data() == {
            "en": f"patient return · slip {dispense_number}, line 1",
            "hi": f"मरीज़ की वापसी · पर्ची {dispense_number}, पंक्ति 1"}[language]
        assert screen.documents.index(row, DocumentsScreen.KIND).data() == {"en": "Adjustment", "hi": "समायोजन"}[language]
        detail = screen.detail_label.text()
        assert {"en": "Reason: patient return", "hi": "कारण: मरीज़ की वापसी"}[language] in detail
        assert {"en": f"Brought back from {dispense_number}, line 1",
                "hi": f"{dispense_number} की पंक्ति 1 से वापस लाया गया"}[language] in detail
        texts = " ".join(shown_texts(screen))
        assert PATIENT_RETURN not in texts
        if language == "hi":
            assert latin_words(texts, *numbers(screen), "OPD/1", "Sita Devi (34/F)", "DDW/TST/2", "D0001", "PCM-A", "PCM-B",
                               "pharmacist", "clerk", "Paracetamol 500 mg Tablet") == []


def test_a_reversal_is_worded_in_the_list(qtbot, incharge_store: Store, dispense_number: str, questions,
                                          language: str) -> None:
    reversal = incharge_store.reverse(dispense_number, reason="typed twice").number
    screen = make_screen(qtbot, incharge_store)
    row = numbers(screen).index(reversal)
    # The store's summary of a reversal is English ("reverses ..."): the screen words it.
    assert screen.documents.index(row, DocumentsScreen.SUMMARY).data() == {
        "en": f"reverses {dispense_number}", "hi": f"{dispense_number} को रद्द करता है"}[language]


def test_every_code_the_store_writes_has_a_label(qtbot, incharge_store: Store, language: str) -> None:
    screen = make_screen(qtbot, incharge_store)
    codes = [PATIENT_RETURN, *AdjustmentReason, *ReceiptSource, *TransferDestination]
    for code in codes:
        label = screen.code_label(getattr(code, "value", code))
        assert label and "_" not in label, code
        if language == "hi":  # a code left as it was would be English on the Hindi screen
            assert not any("a" <= ch.lower() <= "z" for ch in label), (code, label)


def test_a_short_expiry_reason_is_shown_with_its_line(qtbot, chc_dir: Path, language: str) -> None:
    today = dt.date.today()
    with open_as(chc_dir, "clerk") as clerk:
        receipt = clerk.receive(source="ddw", voucher_no="DDW/TST/9", voucher_date=today, lines=[
            ReceiptLine("D0003", "MET-2", month_from(today, 12), 100),
            ReceiptLine("D0004", "CET-9", month_from(today, 1), 50, short_expiry_reason="DDW sent it for use this month"),
        ]).number
    with open_as(chc_dir, "incharge") as store:
        screen = make_screen(qtbot, store, size=(1366, 698))
        assert screen.select_number(receipt)
        view, model = screen.movements_view, screen.movements
        assert not view.isColumnHidden(DocumentsScreen.M_NOTE)
        wording = {"en": "Short expiry taken: ", "hi": "कम अवधि वाला स्टॉक लिया: "}[language]
        note = model.index(1, DocumentsScreen.M_NOTE)
        assert note.data() == wording + "DDW sent it for use this month"
        assert note.data(Qt.ItemDataRole.ToolTipRole) == note.data()
        assert model.index(0, DocumentsScreen.M_NOTE).data() == ""
        assert model.headerData(DocumentsScreen.M_NOTE, Qt.Orientation.Horizontal) == {"en": "Note", "hi": "टिप्पणी"}[language]
        # Wide enough to read at 1366x698, beside the item column.
        assert view.columnWidth(DocumentsScreen.M_NOTE) >= 200
        # A document without a note has no empty column.
        earlier = [number for number in numbers(screen) if number.startswith("RCV") and number != receipt][0]
        assert screen.select_number(earlier)
        assert view.isColumnHidden(DocumentsScreen.M_NOTE)


VOUCHER = "DDW-JAI/2026-27/000031"
#: What a screen gets of a 1366x698 main window: less the side bar, title bar, menu and status bar.
IN_WINDOW = (1200, 610)
INDENT = "IND/2026-27/000007"


def pull_voucher(store: Store, indent: str | None) -> None:
    """A warehouse voucher as sync stores it: three lines, 100, 200 and 300 units."""
    expiry = month_from(dt.date.today(), 18)
    store.apply_voucher_page([{
        "number": VOUCHER, "kind": "voucher", "from_code": "DDW-JAI", "from_name": "DDW Jaipur", "indent_number": indent,
        "issued_on": dt.date.today().isoformat(),
        "lines": [{"line_no": n, "item_code": code, "batch_no": f"V{n}", "expiry_month": expiry, "qty": 100 * n,
                   "manufacturer": None, "unit_cost": None} for n, code in enumerate(("D0002", "D0003", "D0007"), start=1)]}],
        cursor_before=store.voucher_cursor(), next_cursor="c1")


def test_a_voucher_receipt_shows_what_differed(qtbot, chc_dir: Path, language: str) -> None:
    with open_as(chc_dir, "clerk") as clerk:
        pull_voucher(clerk, INDENT)
        receipt = clerk.receive_voucher(VOUCHER, [VoucherCheck(2, 150, "short", "one carton missing"),
                                                  VoucherCheck(3, 280, "damaged", "crushed in transit")]).number
    with open_as(chc_dir, "incharge") as store:
        screen = make_screen(qtbot, store, size=IN_WINDOW)
        assert screen.select_number(receipt)
        today = dt.date.today().strftime("%d-%m-%Y")
        lines = screen.detail_label.text().split("\n")[1:]
        assert lines == {
            "en": [f"From District drug warehouse (DDW Jaipur), voucher {VOUCHER} of {today}",
                   f"Received against the synced voucher {VOUCHER}, issued against indent {INDENT}. "
                   "These lines differed from it:",
                   "Voucher line 2, D0003 batch V2: sent 200, received 150, short (one carton missing)",
                   "Voucher line 3, D0007 batch V3: sent 300, received 280, damaged (crushed in transit)"],
            "hi": [f"ज़िला औषधि भंडार (DDW Jaipur) से, वाउचर {VOUCHER} दिनांक {today}",
                   f"सिंक से आए वाउचर {VOUCHER} के विरुद्ध प्राप्त, जो इंडेंट {INDENT} के विरुद्ध जारी हुआ। "
                   "इन पंक्तियों में अंतर निकला:",
                   "वाउचर पंक्ति 2, D0003 बैच V2: भेजा 200, प्राप्त 150, कम (one carton missing)",
                   "वाउचर पंक्ति 3, D0007 बैच V3: भेजा 300, प्राप्त 280, खराब (crushed in transit)"],
        }[language]
        # What arrived usable moved stock, not what was sent.
        assert [(m["batch_no"], m["qty"]) for m in screen.movements.rows()] == [("V1", 100), ("V2", 150), ("V3", 280)]
        if language == "hi":
            assert latin_words(" ".join(shown_texts(screen)), *numbers(screen), VOUCHER, INDENT, "DDW Jaipur", "DDW/TST/2", "clerk",
                               "one carton missing", "crushed in transit", "D0002", "D0003", "D0007", "V1", "V2", "V3",
                               "Amoxicillin 500 mg Capsule", "Metformin 500 mg Tablet", "Ibuprofen 400 mg Tablet") == []
        # In a 1366x698 window the whole detail is shown above the moved lines, none of them cut off.
        label, view = screen.detail_label, screen.movements_view
        qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=2000)
        assert view.viewport().height() >= view.verticalHeader().length()


def test_a_voucher_received_as_sent_says_so(qtbot, chc_dir: Path, language: str) -> None:
    with open_as(chc_dir, "clerk") as clerk:
        pull_voucher(clerk, None)
        receipt = clerk.receive_voucher(VOUCHER).number
    with open_as(chc_dir, "incharge") as store:
        screen = make_screen(qtbot, store)
        assert screen.select_number(receipt)
        assert screen.detail_label.text().split("\n")[2:] == {
            "en": [f"Received against the synced voucher {VOUCHER}, issued without an indent. Everything arrived as sent."],
            "hi": [f"सिंक से आए वाउचर {VOUCHER} के विरुद्ध प्राप्त, जो बिना इंडेंट के जारी हुआ। सब कुछ भेजे अनुसार आया।"],
        }[language]


def test_a_receipt_reads_right_with_and_without_a_sender(qtbot, chc_dir: Path, language: str) -> None:
    today = dt.date.today()
    with open_as(chc_dir, "clerk") as clerk:
        named = clerk.receive(source="facility", source_name="PHC Kotkhawda", voucher_no="TR/44", voucher_date=today,
                              lines=[ReceiptLine("D0003", "MET-1", month_from(today, 18), 20)]).number
    with open_as(chc_dir, "incharge") as store:
        screen = make_screen(qtbot, store)
        unnamed = [number for number in numbers(screen) if number.startswith("RCV") and number != named][0]
        shown = today.strftime("%d-%m-%Y")
        assert screen.select_number(unnamed)  # the test CHC's DDW/TST/2, typed with no sender name
        assert screen.detail_label.text().split("\n")[1:] == [{
            "en": f"From District drug warehouse, voucher DDW/TST/2 of {shown}",
            "hi": f"ज़िला औषधि भंडार से, वाउचर DDW/TST/2 दिनांक {shown}"}[language]]
        assert screen.select_number(named)
        assert screen.detail_label.text().split("\n")[1:] == [{
            "en": f"From another facility (PHC Kotkhawda), voucher TR/44 of {shown}",
            "hi": f"दूसरी संस्था (PHC Kotkhawda) से, वाउचर TR/44 दिनांक {shown}"}[language]]


def test_reversing_a_transfer_to_a_facility_says_its_voucher_is_withdrawn(
        qtbot, incharge_store: Store, questions, check_store: Store, language: str) -> None:
    """The confirm question before reversing a transfer to another facility says that
    facility's voucher is withdrawn when this desk syncs (and a transfer to a ward says
    nothing of it); the reversal is saved."""
    ward = incharge_store.transfer_out(destination_type="ward", destination_name="Labour room",
                                       lines=[TransferLine("D0001", 5)]).number
    transfer = incharge_store.transfer_out(
        destination_type="facility", destination_name="CHC Bassi", lines=[TransferLine("D0001", 20)],
        extra_header={"to_facility": "CHC-JPR-002"}).number
    screen = make_screen(qtbot, incharge_store)
    for number in (ward, transfer):
        screen.select_number(number)
        qtbot.keyClicks(screen.reason_edit, "wrong facility")
        qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    (_, to_ward), (asked_for, question) = questions
    assert asked_for == transfer
    warning = {"en": "The voucher CHC Bassi receives this transfer by will be withdrawn when this desk syncs",
               "hi": "CHC Bassi जिस वाउचर से यह निर्गम प्राप्त करता, वह इस डेस्क के सिंक होने पर वापस ले लिया जाएगा"}[language]
    assert warning in question and question.count("CHC Bassi") == 2
    assert warning not in to_ward and "CHC Bassi" not in to_ward
    if language == "hi":
        assert latin_words(question, transfer, "CHC Bassi", "wrong facility") == []
    assert check_store.document(transfer).reversed_by is not None


def test_a_long_day_is_read_a_page_at_a_time(qtbot, incharge_store: Store, dispense_number: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The list reads a day a page at a time (a five-year desk's busy day blocked the window
    for a third of a second read whole): the count is the day's, the next page comes as the
    list is scrolled to its end, and a document further down is still found by its number."""
    with open_as(incharge_store.folder.root, "pharmacist") as store:
        for n in range(5):
            store.dispense(patient=Patient(f"OPD/{n + 2}", "Patient", 30, "F"), prescriber="Dr. Rao",
                           lines=[DispenseLine("D0001", 1)])
    whole = [summary.number for summary in incharge_store.documents_on()]
    assert len(whole) == 7
    monkeypatch.setattr(documents, "PAGE", 3)
    screen = make_screen(qtbot, incharge_store, size=(1000, 700))
    assert numbers(screen) == whole[:3]
    assert "7" in screen.count_label.text()
    screen.view.setFocus()
    for _ in range(3):  # End, as a person would, until every page is in
        qtbot.keyClick(screen.view, Qt.Key.Key_End)
        screen.view.scrollToBottom()
        qtbot.wait(1)
    assert numbers(screen) == whole
    screen.refresh()
    assert numbers(screen) == whole[:3]
    assert screen.select_number(whole[-1])
    assert numbers(screen) == whole
    document = screen.current_document()
    assert document is not None and document.number == whole[-1]
