"""Tests for ihms_desk/ui/alerts.py: alerts from the store, the badge count, sync overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.store.model import AdjustmentLine
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.alerts import AlertsScreen, sync_overdue
from tests.ui.conftest import shown_active


@pytest.fixture()
def screen(qtbot, incharge_store: Store) -> AlertsScreen:
    return shown_active(qtbot, AlertsScreen(incharge_store), (900, 500))


def load(qtbot, screen: AlertsScreen) -> int:
    with qtbot.waitSignal(screen.count_changed, timeout=5000) as signal:
        screen.refresh()
    return signal.args[0]


def kinds(screen: AlertsScreen) -> list[str]:
    return [screen.model.row(r).kind for r in range(screen.model.rowCount())]


def test_alerts_come_from_the_store_with_a_badge_count(qtbot, screen: AlertsScreen, incharge_store: Store) -> None:
    count = load(qtbot, screen)
    expected = incharge_store.alerts()
    assert count == len(expected) == screen.model.rowCount()
    # D0008 never received but has a minimum: out; AZ-OLD expired; ORS low; PCM-A near expiry.
    assert set(kinds(screen)) == {"stock_out", "expired", "low_stock", "near_expiry"}
    assert kinds(screen)[0] in ("stock_out", "expired")  # the serious ones first
    assert screen.model.index(0, AlertsScreen.KIND).data(Qt.ItemDataRole.BackgroundRole) == fmt.EXPIRED_BG
    assert "Out of stock" in screen.summary_label.text()


def test_the_badge_falls_when_the_problem_is_dealt_with(qtbot, screen: AlertsScreen, incharge_store: Store) -> None:
    before = load(qtbot, screen)
    incharge_store.adjust(reason="expired_write_off", lines=[AdjustmentLine("D0009", "AZ-OLD", 50)])
    assert load(qtbot, screen) == before - 1
    assert "expired" not in kinds(screen)


def test_kind_filter(qtbot, screen: AlertsScreen) -> None:
    total = load(qtbot, screen)
    screen.kind_combo.setCurrentIndex(screen.kind_combo.findData("low_stock"))
    assert kinds(screen) == ["low_stock"]
    assert screen.model.index(0, AlertsScreen.ITEM).data() == "D0005"
    screen.kind_combo.setCurrentIndex(0)
    assert screen.model.rowCount() == total


def test_sync_overdue_only_once_sync_is_known(qtbot, screen: AlertsScreen, incharge_store: Store) -> None:
    total = load(qtbot, screen)
    assert "sync_overdue" not in kinds(screen)
    now = incharge_store.now()
    with qtbot.waitSignal(screen.count_changed) as signal:
        screen.set_last_sync(now - dt.timedelta(hours=2))
    assert signal.args == [total]
    with qtbot.waitSignal(screen.count_changed) as signal:
        screen.set_last_sync(now - dt.timedelta(hours=30))
    assert signal.args == [total + 1]
    assert kinds(screen)[0] == "sync_overdue"
    with qtbot.waitSignal(screen.count_changed) as signal:
        screen.set_last_sync(None)
    assert signal.args == [total + 1]
    assert "never" in screen.model.index(0, AlertsScreen.MESSAGE).data()


def test_sync_overdue_rule() -> None:
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
    assert sync_overdue(None, now)
    assert not sync_overdue(now - dt.timedelta(hours=23, minutes=59), now)
    assert sync_overdue(now - dt.timedelta(hours=24, minutes=1), now)
    assert not sync_overdue(dt.datetime(2026, 11, 25, 1, 0), now)  # naive times compared as they are


def test_activating_an_item_alert_names_the_item(qtbot, screen: AlertsScreen) -> None:
    load(qtbot, screen)
    screen.kind_combo.setCurrentIndex(screen.kind_combo.findData("low_stock"))
    with qtbot.waitSignal(screen.item_activated) as signal:
        screen.view.activated.emit(screen.model.index(0, 0))
    assert signal.args == ["D0005"]


def test_alerts_model_passes_the_model_tester(qtmodeltester, qtbot, screen: AlertsScreen) -> None:
    load(qtbot, screen)
    qtmodeltester.check(screen.model)


def test_alert_details_are_in_the_users_language(qtbot, incharge_store: Store) -> None:
    """The store gives facts with each alert; the screen words them, in Hindi too."""
    from ihms_desk.ui import i18n

    i18n.set_language("hi")
    try:
        widget = AlertsScreen(incharge_store)
        qtbot.addWidget(widget)
        load(qtbot, widget)
        details = [widget.model.index(r, AlertsScreen.MESSAGE).data() for r in range(widget.model.rowCount())]
        by_kind = dict(zip(kinds(widget), details))
        assert "स्टॉक खत्म" in by_kind["stock_out"]
        assert "रैक पर" in by_kind["expired"] and "रैक पर" in by_kind["near_expiry"]
        assert "बचा" in by_kind["low_stock"]
        assert not any(" on shelf" in text or "out of stock" in text for text in details)
    finally:
        i18n.set_language("en")
