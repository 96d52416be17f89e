"""Tests for ihms_desk/ui/transfer.py: issues to wards and sub-centres saved through the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui.transfer import TransferScreen
from tests.ui.conftest import show_screen


@pytest.fixture()
def screen(qtbot, clerk_store: Store) -> TransferScreen:
    return show_screen(qtbot, TransferScreen, clerk_store)


def enter_line(qtbot, screen: TransferScreen, search: str, qty: str, batch_no: str | None = None) -> None:
    screen.picker.setFocus()
    qtbot.keyClicks(screen.picker.line_edit, search)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    assert screen.qty_edit.hasFocus()
    qtbot.keyClicks(screen.qty_edit, qty)
    if batch_no is not None:
        while screen.batch_combo.currentData() != batch_no:
            qtbot.keyClick(screen.batch_combo, Qt.Key.Key_Down)
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)


def batch_qty(store: Store, code: str) -> dict[str, int]:
    return {b.batch_no: b.qty for b in store.item_batches(code, include_empty=True)}


def test_transfer_to_a_ward_takes_fefo(qtbot, screen: TransferScreen, check_store: Store) -> None:
    assert screen.destination_name.currentText() == ""
    screen.destination_name.setFocus()
    qtbot.keyClicks(screen.destination_name, "Labour room")
    qtbot.keyClicks(screen.note_edit, "indent 77")
    enter_line(qtbot, screen, "paracetamol", "150")  # 100 of PCM-A (earliest) then 50 of PCM-B
    enter_line(qtbot, screen, "gauze", "20")
    assert screen.lines.rowCount() == 2
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text("lines") + screen.errors.text()
    document = check_store.document(screen.last_saved)
    assert document.header == {"destination_type": "ward", "destination_name": "Labour room", "note": "indent 77"}
    assert [(m["item_code"], m["batch_no"], m["qty"]) for m in document.movements] == [
        ("D0001", "PCM-A", -100), ("D0001", "PCM-B", -50), ("S0001", "GZ-1", -20),
    ]
    assert "PCM-A" in screen.status_label.text()
    assert screen.lines.rowCount() == 0


def test_named_batch_to_a_sub_centre(qtbot, screen: TransferScreen, check_store: Store) -> None:
    screen.destination_type.setCurrentIndex(screen.destination_type.findData("sub_centre"))
    screen.destination_name.setFocus()
    qtbot.keyClicks(screen.destination_name, "SC Barkhera")
    enter_line(qtbot, screen, "D0001", "10", batch_no="PCM-B")
    screen.save()
    assert screen.last_saved is not None
    assert batch_qty(check_store, "D0001") == {"PCM-A": 100, "PCM-B": 990}
    assert check_store.document(screen.last_saved).header["destination_name"] == "SC Barkhera"


def test_too_much_is_refused_and_nothing_saved(qtbot, screen: TransferScreen, check_store: Store) -> None:
    qtbot.keyClicks(screen.destination_name, "Emergency")
    enter_line(qtbot, screen, "ORS", "10")
    screen.save()
    assert screen.last_saved is None
    assert "Only 4" in screen.errors.text("lines")
    assert batch_qty(check_store, "D0005") == {"ORS-1": 4}


def test_missing_destination_is_shown_next_to_it(qtbot, screen: TransferScreen) -> None:
    screen.destination_type.setCurrentIndex(screen.destination_type.findData("facility"))
    screen.destination_name.setCurrentText("")
    enter_line(qtbot, screen, "cetirizine", "5")
    screen.save()
    assert "required" in screen.errors.text("destination_name")


def test_expired_batches_are_not_offered(qtbot, screen: TransferScreen) -> None:
    screen.picker.setFocus()
    qtbot.keyClicks(screen.picker.line_edit, "azithro")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    offered = [screen.batch_combo.itemData(i) for i in range(screen.batch_combo.count())]
    assert offered == [None, "AZ-NEW"]


def test_lines_model_passes_the_model_tester(qtmodeltester, qtbot, screen: TransferScreen) -> None:
    enter_line(qtbot, screen, "ORS", "10")
    qtmodeltester.check(screen.lines)


def test_a_locked_database_gets_a_message_box_saying_what_to_do(qtbot, screen: TransferScreen, clerk_store: Store,
                                                                 check_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from ihms_desk.ui import dialogs

    boxes: list[str] = []
    monkeypatch.setattr(dialogs, "show_problem", lambda parent, error: boxes.append(error.message))
    qtbot.keyClicks(screen.destination_name, "Emergency")
    enter_line(qtbot, screen, "cetirizine", "5")
    # Another program holds the write lock; wait 50 ms for it, not the usual 5 s.
    clerk_store.conn.execute("PRAGMA busy_timeout = 50")
    check_store.conn.execute("BEGIN IMMEDIATE")
    try:
        screen.save()
    finally:
        check_store.conn.rollback()
    assert screen.last_saved is None
    assert len(boxes) == 1 and "Close the other copy" in boxes[0]
    assert screen.lines.rowCount() == 1  # nothing lost: save again once the other copy is closed
    screen.save()
    assert screen.last_saved is not None
