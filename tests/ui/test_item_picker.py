"""The item picker searches the real catalogue as you type and picks with the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.store.model import ItemHit
from ihms_desk.ui.item_picker import ItemHitModel, ItemPicker


@pytest.fixture()
def picker(qtbot, pharmacist_store: Store) -> ItemPicker:
    widget = ItemPicker(pharmacist_store)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture()
def picked(picker: ItemPicker) -> list[ItemHit]:
    """What the picker picks, in order."""
    chosen: list[ItemHit] = []
    picker.item_chosen.connect(chosen.append)
    return chosen


def test_search_as_you_type_and_enter_picks(qtbot, picker: ItemPicker, picked: list[ItemHit]) -> None:
    qtbot.keyClicks(picker.line_edit, "amox")
    assert [hit.item.code for hit in picker.hits()] == ["D0002"]
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Return)
    assert [hit.item.code for hit in picked] == ["D0002"]
    assert picked[0].usable_qty == 500


def test_generic_name_and_arrow_keys(qtbot, picker: ItemPicker, picked: list[ItemHit]) -> None:
    qtbot.keyClicks(picker.line_edit, "tablet")
    codes = [hit.item.code for hit in picker.hits()]
    assert len(codes) >= 5
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Return)
    assert picked[0].item.code == codes[1]


def test_out_of_stock_is_marked(qtbot, picker: ItemPicker) -> None:
    qtbot.keyClicks(picker.line_edit, "panto")
    index = picker.model.index(0, ItemHitModel.STOCK)
    assert picker.model.data(index) == "Out of stock"
    assert picker.model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    # Expired stock does not count as stock: only the good batch of azithromycin is offered.
    picker.clear()
    qtbot.keyClicks(picker.line_edit, "D0009")
    assert picker.hits()[0].usable_qty == 100


def test_no_match_says_so_and_escape_clears(qtbot, picker: ItemPicker) -> None:
    qtbot.keyClicks(picker.line_edit, "zzzz")
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Return)
    assert "zzzz" in picker.error_label.text()
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Escape)
    assert picker.text() == ""


def test_choose_code(qtbot, picker: ItemPicker) -> None:
    with qtbot.waitSignal(picker.item_chosen) as blocker:
        picker.choose_code("d0004")
    assert blocker.args[0].item.code == "D0004"


def test_model_passes_modeltester(qtmodeltester, pharmacist_store: Store) -> None:
    model = ItemHitModel()
    model.set_hits(pharmacist_store.search_items("tablet"))
    qtmodeltester.check(model)


def test_one_letter_waits_for_the_next_unless_enter(qtbot, picker: ItemPicker, picked: list[ItemHit]) -> None:
    qtbot.keyClicks(picker.line_edit, "o")
    assert picker.hits() == []
    qtbot.keyClicks(picker.line_edit, "r")
    assert "D0005" in [hit.item.code for hit in picker.hits()]
    picker.clear()
    qtbot.keyClicks(picker.line_edit, "g")
    qtbot.keyClick(picker.line_edit, Qt.Key.Key_Return)
    assert [hit.item.code for hit in picked] == ["S0001"]
