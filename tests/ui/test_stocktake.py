"""Tests for ihms_desk/ui/stocktake.py: a count typed on the sheet, previewed and saved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from ihms_desk.store import Store
from ihms_desk.ui.stocktake import StocktakeScreen
from tests.ui.conftest import show_screen


@pytest.fixture()
def screen(qtbot, clerk_store: Store) -> StocktakeScreen:
    return show_screen(qtbot, StocktakeScreen, clerk_store)


def add_item(qtbot, screen: StocktakeScreen, search: str) -> None:
    screen.picker.setFocus()
    qtbot.keyClicks(screen.picker.line_edit, search)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)


def count(qtbot, screen: StocktakeScreen, text: str) -> None:
    screen.counted_edit.selectAll()
    qtbot.keyClicks(screen.counted_edit, text)
    qtbot.keyClick(screen.counted_edit, Qt.Key.Key_Return)


def batches(store: Store, code: str) -> dict[str, int]:
    return {b.batch_no: b.qty for b in store.item_batches(code, include_empty=True)}


def test_count_preview_and_save(qtbot, screen: StocktakeScreen, check_store: Store) -> None:
    add_item(qtbot, screen, "paracetamol")
    add_item(qtbot, screen, "metformin")
    assert [(r.item_code, r.batch_no, r.book_qty) for r in screen.rows()] == [
        ("D0001", "PCM-A", 100), ("D0001", "PCM-B", 1000), ("D0003", "MET-1", 300),
    ]
    # The cursor is on the first new batch (MET-1): go back to the top and count down the sheet.
    screen.view.setCurrentIndex(screen.sheet.index(0, StocktakeScreen.COUNTED))
    assert screen.counted_edit.hasFocus() or screen.counted_edit.setFocus() is None
    count(qtbot, screen, "96")      # PCM-A: 4 missing
    count(qtbot, screen, "1000")    # PCM-B: as the books
    count(qtbot, screen, "305")     # MET-1: 5 more
    assert [r.counted for r in screen.rows()] == [96, 1000, 305]
    assert not screen.save_button.isEnabled()
    qtbot.keyClick(screen.counted_edit, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [r.difference for r in screen.rows()] == [-4, 0, 5]
    assert "2 batch(es) differ" in screen.summary_label.text()
    assert screen.save_button.isEnabled()
    qtbot.keyClicks(screen.note_edit, "shelf A")
    qtbot.keyClick(screen.note_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text("lines") + screen.errors.text()
    document = check_store.document(screen.last_saved)
    assert document.kind == "stocktake" and document.header["note"] == "shelf A"
    assert batches(check_store, "D0001") == {"PCM-A": 96, "PCM-B": 1000}
    assert batches(check_store, "D0003") == {"MET-1": 305}
    assert screen.sheet.rowCount() == 0


def test_changing_a_count_after_preview_needs_a_new_preview(qtbot, screen: StocktakeScreen, check_store: Store) -> None:
    add_item(qtbot, screen, "cetirizine")
    count(qtbot, screen, "190")
    screen.preview()
    assert screen.save_button.isEnabled()
    screen.view.setCurrentIndex(screen.sheet.index(0, StocktakeScreen.COUNTED))
    count(qtbot, screen, "180")
    assert not screen.save_button.isEnabled()
    assert screen.rows()[0].difference is None
    # Saving without a fresh preview previews first and asks to check.
    screen.save()
    assert screen.last_saved is None
    assert screen.rows()[0].difference == -20
    screen.save()
    assert batches(check_store, "D0004") == {"CET-1": 180}


def test_uncounted_batches_are_left_alone(qtbot, screen: StocktakeScreen, check_store: Store) -> None:
    add_item(qtbot, screen, "paracetamol")
    count(qtbot, screen, "90")  # PCM-A only
    screen.preview()
    screen.save()
    assert batches(check_store, "D0001") == {"PCM-A": 90, "PCM-B": 1000}


def test_a_whole_category_from_the_worker(qtbot, screen: StocktakeScreen) -> None:
    screen.category_combo.setCurrentIndex(screen.category_combo.findData("surgical"))
    qtbot.mouseClick(screen.category_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.sheet.rowCount() == 1, timeout=5000)
    assert screen.rows()[0].batch_no == "GZ-1"
    # Adding it again does not double the sheet.
    qtbot.mouseClick(screen.category_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.category_button.isEnabled(), timeout=5000)
    assert screen.sheet.rowCount() == 1


def test_bad_count_is_refused_next_to_the_field(qtbot, screen: StocktakeScreen) -> None:
    add_item(qtbot, screen, "ORS")
    count(qtbot, screen, "-3")
    assert "whole number" in screen.errors.text("counted")
    assert screen.rows()[0].counted is None


def test_count_typed_in_the_table(qtbot, screen: StocktakeScreen) -> None:
    add_item(qtbot, screen, "ORS")
    index = screen.sheet.index(0, StocktakeScreen.COUNTED)
    screen.view.setFocus()
    screen.view.setCurrentIndex(index)
    # Typing the digit on the row opens the editor with it.
    qtbot.keyClick(screen.view, Qt.Key.Key_3)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit), editor
    assert editor.text() == "3"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits the editor's text through a queued call.
    qtbot.waitUntil(lambda: screen.rows()[0].counted == 3, timeout=2000)


def test_sheet_model_passes_the_model_tester(qtmodeltester, qtbot, screen: StocktakeScreen) -> None:
    add_item(qtbot, screen, "paracetamol")
    count(qtbot, screen, "5")
    screen.preview()
    qtmodeltester.check(screen.sheet)
