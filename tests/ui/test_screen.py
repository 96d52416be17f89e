"""What a screen offers the main window (ihms_desk/ui/screen.py), as the window uses it: a
receipt saved on a DocumentForm screen asks for a sync, its unsaved lines show in the title,
its keys in the status bar, and a screen's work in the worker shows as "Working…"."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.main_window import MainWindow
from ihms_desk.ui.receive import ReceiveScreen
from ihms_desk.ui.screen import Screen
from ihms_desk.ui.stock import StockScreen
from tests.ui.conftest import shown_active
from tests.ui.test_receive import expiry_code


def window_for(qtbot, store: Store, start: str) -> MainWindow:
    return shown_active(qtbot, MainWindow(store, start=start), (1366, 698))


def test_a_receipt_saved_asks_for_a_sync_and_the_title_counts_unsaved_lines(qtbot, clerk_store: Store,
                                                                          check_store: Store) -> None:
    window = window_for(qtbot, clerk_store, "receive")
    screen = window.screens["receive"]
    assert isinstance(screen, ReceiveScreen) and isinstance(screen, DocumentForm) and isinstance(screen, Screen)
    assert "Ctrl+S or F10: save" in window.shortcuts_label.text()
    qtbot.keyClicks(screen.voucher_edit, "DDW/T/1")
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    _, month = expiry_code(12)
    qtbot.keyClicks(screen.batch_edit, "T-1")
    qtbot.keyClicks(screen.expiry_edit, f"{month[5:]}/{month[:4]}")
    qtbot.keyClicks(screen.qty_edit, "10")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.cost_edit, Qt.Key.Key_Return)
    assert window.windowTitle().endswith("Receive (1 line(s) not saved)")
    with qtbot.waitSignal(window.document_saved) as saved:
        qtbot.keyClick(screen.scan_edit, Qt.Key.Key_F10)
    assert saved.args[0].number == screen.last_saved
    assert check_store.document(screen.last_saved).header["voucher_no"] == "DDW/T/1"
    assert window.windowTitle().endswith("— Receive")


def test_a_screen_loading_in_the_worker_shows_working(qtbot, clerk_store: Store) -> None:
    window = window_for(qtbot, clerk_store, "receive")
    stock = window.screen_for("stock")
    assert isinstance(stock, StockScreen)
    with qtbot.waitSignal(stock.busy) as started:
        with qtbot.waitSignal(stock.model.loaded, timeout=5000):
            window.go_to("stock")
            assert not window.busy_label.isHidden()
    assert started.args == [True]
    qtbot.waitUntil(lambda: window.busy_label.isHidden())
    assert window.shortcuts_label.text() == ""  # the stock screen adds no keys of its own
