"""Tests for ihms_desk/ui/stock.py and the stock models in ihms_desk/ui/stock_model.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.stock import StockScreen
from ihms_desk.ui.stock_model import BatchTableModel, StockFilter, StockTableModel, read_stock
from tests.ui.conftest import shown_active


@pytest.fixture()
def screen(qtbot, clerk_store: Store) -> StockScreen:
    widget = shown_active(qtbot, StockScreen(clerk_store), (1000, 700))
    with qtbot.waitSignal(widget.model.loaded, timeout=5000):
        widget.refresh()
    return widget


def codes(model: StockTableModel) -> list[str]:
    return [model.index(row, StockTableModel.CODE).data() for row in range(model.rowCount())]


def test_stock_model_passes_the_model_tester(qtmodeltester, clerk_store: Store) -> None:
    model = StockTableModel(clerk_store)
    model.set_snapshot(read_stock(clerk_store))
    qtmodeltester.check(model)
    model.set_filter(state=StockFilter.ALL)
    qtmodeltester.check(model)


def test_batch_model_passes_the_model_tester(qtmodeltester, clerk_store: Store) -> None:
    model = BatchTableModel()
    model.set_batches(clerk_store.item_batches("D0001"))
    qtmodeltester.check(model)


def test_screen_lists_items_in_stock_from_the_worker(screen: StockScreen) -> None:
    shown = codes(screen.model)
    # Nine items have stock; D0008 was never received.
    assert sorted(shown) == ["D0001", "D0002", "D0003", "D0004", "D0005", "D0006", "D0007", "D0009", "S0001"]
    row = screen.model.row_of("D0001")
    assert screen.model.index(row, StockTableModel.ON_HAND).data() == "1,100 tablet"
    assert "9" in screen.count_label.text()


def test_filters_agree_with_the_store(qtbot, screen: StockScreen, clerk_store: Store) -> None:
    combo = screen.state_combo
    combo.setCurrentIndex(combo.findData(StockFilter.OUT_OF_STOCK))
    assert codes(screen.model) == [row.item.code for row in sorted(clerk_store.stock_outs(), key=lambda r: r.item.name)]
    combo.setCurrentIndex(combo.findData(StockFilter.LOW))
    assert set(codes(screen.model)) == {row.item.code for row in clerk_store.low_stock()} == {"D0005"}
    combo.setCurrentIndex(combo.findData(StockFilter.NEAR_EXPIRY))
    assert set(codes(screen.model)) == {b.item_code for b in clerk_store.near_expiry()} == {"D0001"}
    combo.setCurrentIndex(combo.findData(StockFilter.EXPIRED))
    assert codes(screen.model) == ["D0009"]
    combo.setCurrentIndex(combo.findData(StockFilter.ALL))
    assert len(codes(screen.model)) == 10
    screen.category_combo.setCurrentIndex(screen.category_combo.findData("surgical"))
    assert codes(screen.model) == ["S0001"]


def test_search_by_typing(qtbot, screen: StockScreen) -> None:
    qtbot.keyClicks(screen.search_edit, "amox")
    assert codes(screen.model) == ["D0002"]
    screen.search_edit.clear()
    qtbot.keyClicks(screen.search_edit, "tablet 500")
    assert set(codes(screen.model)) == {"D0001", "D0003", "D0009"}


def test_selecting_an_item_shows_its_batches_coloured(qtbot, screen: StockScreen) -> None:
    screen.select_item("D0009")
    batches = screen.batch_model
    assert [batches.index(r, BatchTableModel.BATCH).data() for r in range(batches.rowCount())] == ["AZ-OLD", "AZ-NEW"]
    assert batches.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) == fmt.EXPIRED_BG
    assert batches.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    screen.select_item("D0001")
    assert batches.index(0, BatchTableModel.BATCH).data() == "PCM-A"
    assert batches.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) == fmt.NEAR_EXPIRY_BG
    assert "D0001" in screen.batch_title.text()


def test_lazy_rows_arrive_in_chunks(qtbot, clerk_store: Store) -> None:
    model = StockTableModel(clerk_store)
    model.CHUNK = 3
    model.set_snapshot(read_stock(clerk_store))
    assert model.rowCount() == 3 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 6
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == model.matching_count() == 9


def test_refresh_after_a_receipt_shows_the_new_stock(qtbot, screen: StockScreen, clerk_store: Store) -> None:
    from ihms_desk.store.model import ReceiptLine

    clerk_store.receive(source="ddw", voucher_no="V-9", voucher_date=clerk_store.today(),
                        lines=[ReceiptLine("D0008", "PAN-1", "2030-01", 60)])
    with qtbot.waitSignal(screen.model.loaded, timeout=5000):
        screen.refresh()
    assert "D0008" in codes(screen.model)


def test_a_filter_chosen_before_the_stock_is_in_applies_the_stores_verdicts(qtbot, clerk_store: Store) -> None:
    widget = StockScreen(clerk_store)
    qtbot.addWidget(widget)
    widget.state_combo.setCurrentIndex(widget.state_combo.findData(StockFilter.LOW))
    assert codes(widget.model) == []  # nothing read yet
    with qtbot.waitSignal(widget.model.loaded, timeout=5000):
        widget.refresh()
        assert widget.model.loading
    # The low-stock filter shows what the store calls low, as the alerts do.
    assert codes(widget.model) == ["D0005"] == [row.item.code for row in clerk_store.low_stock()]
    assert not widget.model.loading


def test_selecting_a_hidden_item_widens_the_filter(qtbot, screen: StockScreen) -> None:
    qtbot.keyClicks(screen.search_edit, "para")
    assert screen.select_item("D0008")  # never received: hidden by "In stock" and the search
    assert screen.state_combo.currentData() == StockFilter.ALL
    assert screen.search_edit.text() == ""
    assert "D0008" in screen.batch_title.text()
    assert screen.batch_model.rowCount() == 0


def test_the_stock_is_never_read_on_the_gui_thread(qtbot, clerk_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    threads: list[str] = []
    original = Store.stock_on_hand

    def recording(self: Store, **kwargs: object):
        threads.append(threading.current_thread().name)
        return original(self, **kwargs)

    monkeypatch.setattr(Store, "stock_on_hand", recording)
    widget = StockScreen(clerk_store)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.model.loaded, timeout=5000):
        widget.refresh()
    assert threads and threading.main_thread().name not in threads
