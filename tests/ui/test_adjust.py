"""Tests for ihms_desk/ui/adjust.py: adjustments and write-offs saved through the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.store.model import AdjustmentReason
from ihms_desk.ui.adjust import AdjustScreen
from tests.ui.conftest import show_screen

def make_screen(qtbot, store: Store) -> AdjustScreen:
    return show_screen(qtbot, AdjustScreen, store)


def choose_reason(screen: AdjustScreen, reason: AdjustmentReason) -> None:
    screen.reason_combo.setCurrentIndex(screen.reason_combo.findData(reason.value))


def enter_line(qtbot, screen: AdjustScreen, search: str, batch_no: str, qty: str) -> None:
    screen.picker.setFocus()
    qtbot.keyClicks(screen.picker.line_edit, search)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    assert screen.batch_combo.hasFocus()
    # Down through the batch list, as a clerk would, until the wanted batch shows.
    for _ in range(screen.batch_combo.count()):
        if screen.batch_combo.currentData() == batch_no:
            break
        qtbot.keyClick(screen.batch_combo, Qt.Key.Key_Down)
    assert screen.batch_combo.currentData() == batch_no
    screen.qty_edit.setFocus()
    qtbot.keyClicks(screen.qty_edit, qty)
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)


def save_one_line(qtbot, screen: AdjustScreen, reason: AdjustmentReason, search: str, batch_no: str, qty: str) -> None:
    """An adjustment of one line, for ``reason``, saved."""
    choose_reason(screen, reason)
    enter_line(qtbot, screen, search, batch_no, qty)
    screen.save()


def batch_qty(store: Store, code: str, batch_no: str) -> int:
    return {b.batch_no: b.qty for b in store.item_batches(code, include_empty=True)}[batch_no]


def test_in_charge_writes_off_an_expired_batch(qtbot, incharge_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, incharge_store)
    choose_reason(screen, AdjustmentReason.EXPIRED_WRITE_OFF)
    qtbot.keyClicks(screen.note_edit, "condemned")
    enter_line(qtbot, screen, "azithro", "AZ-OLD", "50")
    assert screen.lines.rowCount() == 1
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text("lines") + screen.errors.text()
    document = check_store.document(screen.last_saved)
    assert document.header == {"reason_code": "expired_write_off", "note": "condemned"}
    assert batch_qty(check_store, "D0009", "AZ-OLD") == 0
    assert check_store.expired_on_shelf() == []


def test_a_clerks_write_off_is_refused_next_to_the_reason(qtbot, clerk_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, clerk_store)
    choose_reason(screen, AdjustmentReason.DAMAGED)
    assert "in-charge" in screen.reason_hint.text()
    enter_line(qtbot, screen, "D0004", "CET-1", "10")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert screen.last_saved is None
    message = screen.errors.text("reason")
    assert "Ramesh Saini" in message and "may not write off stock" in message
    assert screen.lines.rowCount() == 1  # kept, so the in-charge can save it after logging in
    assert batch_qty(check_store, "D0004", "CET-1") == 200


def test_clerk_returns_to_warehouse_and_corrects(qtbot, clerk_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, clerk_store)
    save_one_line(qtbot, screen, AdjustmentReason.RETURN_TO_WAREHOUSE, "para", "PCM-A", "30")
    assert screen.last_saved is not None
    assert batch_qty(check_store, "D0001", "PCM-A") == 70

    choose_reason(screen, AdjustmentReason.STOCKTAKE_CORRECTION)
    enter_line(qtbot, screen, "para", "PCM-B", "-5")
    enter_line(qtbot, screen, "metformin", "MET-1", "+3")
    assert [line.qty for line in screen.adjustment_lines()] == [-5, 3]
    screen.save()
    assert batch_qty(check_store, "D0001", "PCM-B") == 995
    assert batch_qty(check_store, "D0003", "MET-1") == 303


def test_found_can_name_an_empty_batch(qtbot, incharge_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, incharge_store)
    save_one_line(qtbot, screen, AdjustmentReason.EXPIRED_WRITE_OFF, "azithro", "AZ-OLD", "50")
    save_one_line(qtbot, screen, AdjustmentReason.FOUND, "azithro", "AZ-OLD", "2")
    assert batch_qty(check_store, "D0009", "AZ-OLD") == 2


def test_refusals_while_entering(qtbot, clerk_store: Store) -> None:
    screen = make_screen(qtbot, clerk_store)
    choose_reason(screen, AdjustmentReason.RETURN_TO_WAREHOUSE)
    screen.add_line()
    assert screen.errors.text("item")
    enter_line(qtbot, screen, "ORS", "ORS-1", "zero")
    assert "zero" in screen.errors.text("quantity")
    screen.qty_edit.clear()
    qtbot.keyClicks(screen.qty_edit, "40")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    screen.save()
    # Only 4 sachets on the shelf: the store's refusal shows under the lines.
    assert "Only 4" in screen.errors.text("lines")
    assert screen.last_saved is None


def test_lines_model_passes_the_model_tester(qtmodeltester, qtbot, clerk_store: Store) -> None:
    screen = make_screen(qtbot, clerk_store)
    choose_reason(screen, AdjustmentReason.RETURN_TO_WAREHOUSE)
    enter_line(qtbot, screen, "para", "PCM-A", "3")
    qtmodeltester.check(screen.lines)


def test_the_refusal_is_in_hindi_when_the_counter_works_in_hindi(qtbot, clerk_store: Store) -> None:
    from ihms_desk.ui import i18n

    assert i18n.set_language("hi")
    try:
        screen = make_screen(qtbot, clerk_store)
        save_one_line(qtbot, screen, AdjustmentReason.DAMAGED, "D0004", "CET-1", "10")
        message = screen.errors.text("reason")
        assert "Ramesh Saini" in message
        assert "may not" not in message  # the translated sentence, not the store's English
    finally:
        i18n.set_language("en")
