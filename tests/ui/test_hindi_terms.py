"""Issue 12 item 9: Hindi as the counter speaks it, on the real screens. Units in Hindi (the
stock screen said "455 tablet"), the register's terms for its columns, months of stock in
whole months (it said 1497.0), expiry as MM/YYYY in the messages too."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui import i18n
from ihms_desk.ui.alerts import AlertsScreen
from ihms_desk.ui.receive import ReceiveScreen
from ihms_desk.ui.stock import StockScreen
from ihms_desk.ui.stock_model import StockTableModel
from tests.ui.conftest import month_from, show_screen

#: Register terms (issue 12): what each column of the stock screen is called in Hindi.
REGISTER_TERMS = {
    StockTableModel.USABLE: "देने योग्य स्टॉक",
    StockTableModel.NEAREST: "निकटतम समाप्ति तिथि",
    StockTableModel.AMC: "औसत मासिक खपत (AMC)",
    StockTableModel.MONTHS: "कितने महीने का स्टॉक",
}


@pytest.fixture()
def hindi():  # type: ignore[no-untyped-def]
    assert i18n.set_language("hi")
    yield
    i18n.set_language("en")


def test_the_stock_screen_speaks_the_registers_hindi(qtbot, hindi, clerk_store: Store) -> None:  # type: ignore[no-untyped-def]
    widget = StockScreen(clerk_store)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.model.loaded, timeout=5000):
        widget.show()
        widget.refresh()
    model = widget.model
    for column, term in REGISTER_TERMS.items():
        assert model.headerData(column, Qt.Orientation.Horizontal) == term
        # The heading is not cut: its column is as wide as the words.
        assert widget.view.columnWidth(column) >= widget.view.fontMetrics().horizontalAdvance(term)
    rows = {model.data(model.index(row, StockTableModel.CODE)): row for row in range(model.rowCount())}
    on_hand = model.data(model.index(rows["D0001"], StockTableModel.ON_HAND))
    assert on_hand == "1,100 गोली" and "tablet" not in on_hand
    ors = model.data(model.index(rows["D0005"], StockTableModel.ON_HAND))
    assert ors.startswith("4 ") and "sachet" not in ors, ors
    for row in range(model.rowCount()):
        months = model.data(model.index(row, StockTableModel.MONTHS))
        assert "." not in months, months  # whole months
        expiry = model.data(model.index(row, StockTableModel.NEAREST))
        assert expiry == "" or (len(expiry) == 7 and expiry[2] == "/"), expiry  # MM/YYYY


def test_alerts_say_units_whole_months_and_expiry_as_printed(qtbot, hindi, chc_dir, clerk_store: Store) -> None:  # type: ignore[no-untyped-def]
    screen = show_screen(qtbot, AlertsScreen, clerk_store)
    texts = [screen.alert_text(alert) for alert in clerk_store.alerts()]
    expired = month_from(dt.date.today(), -2)
    assert any(f"{expired[5:]}/{expired[:4]}" in text for text in texts), texts
    assert not any(expired in text for text in texts)
    low = [text for text in texts if "बचा" in text]
    assert low and all("tablet" not in text and "sachet" not in text for text in low), low
    assert all(".0 " not in text for text in texts)
    # The English messages the store keeps (log, command line) print the month as packs do, too.
    messages = [alert.message for alert in clerk_store.alerts()]
    assert any(f"{expired[5:]}/{expired[:4]}" in message for message in messages) and not any(
        f" {expired}:" in message for message in messages)


def test_receive_in_hindi_says_the_unit_and_the_short_expiry_month_as_printed(qtbot, hindi, clerk_store: Store,
                                                                              check_store: Store) -> None:
    screen = show_screen(qtbot, ReceiveScreen, clerk_store)
    next_month = month_from(dt.date.today(), 1)
    screen.picker.choose_code("D0004")
    assert "गोली" in screen.item_label.text() and "tablet" not in screen.item_label.text()
    qtbot.keyClicks(screen.batch_edit, "CET-5")
    qtbot.keyClick(screen.batch_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.expiry_edit, f"{next_month[5:]}/{next_month[:4]}")
    qtbot.keyClick(screen.expiry_edit, Qt.Key.Key_Return)
    said = screen.errors.text("short_expiry_reason")
    assert f"{next_month[5:]}/{next_month[:4]}" in said and "के अंत में" in said and next_month not in said
    qtbot.keyClicks(screen.reason_edit, "health camp")
    qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.manufacturer_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "30")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.cost_edit, Qt.Key.Key_Return)
    assert screen.lines.data(screen.lines.index(0, 5)) == "30 गोली"
    screen.voucher_edit.setFocus()
    qtbot.keyClicks(screen.voucher_edit, "DDW/HI/1")
    qtbot.keyClick(screen.voucher_edit, Qt.Key.Key_F10)
    assert screen.last_saved is not None, screen.errors.text()
    assert check_store.document(screen.last_saved).lines[0]["short_expiry_reason"] == "health camp"
