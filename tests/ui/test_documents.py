"""Tests for ihms_desk/ui/documents.py: a day's documents, their movements, reversal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, TransferLine
from ihms_desk.ui import documents
from ihms_desk.ui.documents import DocumentsScreen
from tests.ui.conftest import open_as, show_screen

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

    def answer(parent, number: str, reason: str) -> bool:
        asked.append((number, reason))
        return True

    monkeypatch.setattr(documents, "ask_reverse", answer)
    return asked


def make_screen(qtbot, store: Store) -> DocumentsScreen:
    return show_screen(qtbot, DocumentsScreen, store)


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
    assert questions == [(dispense_number, "wrong patient")]
    assert screen.last_reversal is not None
    original = check_store.document(dispense_number)
    assert original.reversed_by == screen.last_reversal
    assert {b.batch_no: b.qty for b in check_store.item_batches("D0001")} == {"PCM-A": 100, "PCM-B": 1000}
    # The list shows the reversal; the original is still selected and can no more be reversed.
    assert numbers(screen)[0] == screen.last_reversal
    assert screen.current_document().reversed_by == screen.last_reversal
    assert not screen.reverse_button.isEnabled()


def test_saying_no_reverses_nothing(qtbot, incharge_store: Store, dispense_number: str, monkeypatch, check_store: Store) -> None:
    monkeypatch.setattr(documents, "ask_reverse", lambda parent, number, reason: False)
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
