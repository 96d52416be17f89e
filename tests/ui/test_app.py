"""The program's start: login leads to the main window, roles see only their screens, keys move between them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ihms_desk.store import Store
from ihms_desk.ui.app import AppController, create_application
from ihms_desk.ui.dispense import DispenseScreen
from ihms_desk.ui.login import LoginScreen
from ihms_desk.ui.main_window import MainWindow, PlaceholderScreen

PASSWORD = "test1234"  # conftest.PASSWORD: the test CHC's accounts


@pytest.fixture()
def controller(qtbot, chc_dir: Path):
    create_application()
    store = Store.open(chc_dir)
    app = AppController(store)
    app.start()
    yield app
    if app.window is not None:
        app.window.close()
    store.close()


def log_in(qtbot, controller: AppController, username: str) -> MainWindow:
    login = controller.window
    assert isinstance(login, LoginScreen)
    qtbot.keyClicks(login.username_edit, username)
    qtbot.keyClick(login.username_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(login.password_edit, PASSWORD)
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    # Shortcuts only fire in the active window, as on a real desktop.
    with qtbot.waitActive(window):
        window.activateWindow()
    return window


def press(qtbot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed wherever the cursor is, as a person would."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def test_wrong_password_is_refused(qtbot, controller: AppController, check_store: Store) -> None:
    login = controller.window
    assert isinstance(login, LoginScreen)
    qtbot.keyClicks(login.username_edit, "pharmacist")
    qtbot.keyClicks(login.password_edit, "nope-nope")
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    assert controller.window is login
    assert "Wrong user name or password" in login.error_label.text()
    assert check_store.audit_trail(1)[0]["outcome"] == "refused"


def test_pharmacist_sees_counter_screens_only(qtbot, controller: AppController) -> None:
    window = log_in(qtbot, controller, "pharmacist")
    assert window.current_key() == "dispense"
    assert isinstance(window.screens["dispense"], DispenseScreen)
    assert set(window.actions_by_key) == {"dispense", "stock", "alerts", "documents", "reports", "settings"}
    # Facility, user and date are always on top.
    assert "CHC Testpur" in window.facility_label.text()
    assert "Kavita Sharma" in window.user_label.text()
    assert len(window.date_label.text()) == 10
    # F3 (receive) is not this role's: nothing happens.
    window.go_to("receive")
    assert window.current_key() == "dispense"
    press(qtbot, window, Qt.Key.Key_F4)
    assert window.current_key() == "stock"
    press(qtbot, window, Qt.Key.Key_F2)
    assert window.current_key() == "dispense"


def test_clerk_and_incharge_screens(qtbot, controller: AppController) -> None:
    window = log_in(qtbot, controller, "clerk")
    assert window.current_key() == "receive"
    assert "dispense" not in window.actions_by_key
    assert {"receive", "adjust", "transfer", "stocktake"} <= set(window.actions_by_key)
    window.logout_requested.emit()
    window = log_in(qtbot, controller, "incharge")
    assert set(window.actions_by_key) == {"dispense", "receive", "stock", "alerts", "documents", "reports", "adjust", "transfer",
                                          "stocktake", "sync", "backup", "settings", "indent", "vouchers"}


def test_every_screen_is_real_and_opens(qtbot, controller: AppController) -> None:
    window = log_in(qtbot, controller, "admin")
    for key, action in window.actions_by_key.items():
        action.trigger()
        assert window.current_key() == key
        assert not isinstance(window.screens[key], PlaceholderScreen), f"{key} is still a placeholder"


def test_status_bar_counts_waiting_events(qtbot, controller: AppController, check_store: Store) -> None:
    window = log_in(qtbot, controller, "pharmacist")
    assert window.sync_status.state_label.text() == "Sync: not set up"
    waiting = check_store.outbox_counts()["pending"]
    assert waiting > 0
    qtbot.waitUntil(lambda: window.sync_status.waiting == waiting)  # counted in the worker
    assert str(waiting) in window.sync_status.waiting_label.text()


def test_logout_returns_to_login(qtbot, controller: AppController) -> None:
    window = log_in(qtbot, controller, "pharmacist")
    press(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(controller.window, LoginScreen)
    assert controller.store.user is None
    assert QApplication.instance() is not None


def test_first_screen_is_loaded_too(qtbot, incharge_store: Store) -> None:
    """The screen a user starts on is refreshed like any other (it was left empty once)."""
    window = MainWindow(incharge_store, start="stock")
    qtbot.addWidget(window)
    window.show()
    stock = window.screens["stock"]
    qtbot.waitUntil(lambda: stock.model.rowCount() > 0, timeout=5000)
    codes = {stock.model.item_stock(row).item.code for row in range(stock.model.rowCount())}
    assert "D0001" in codes


def test_sync_status_widget_shows_what_it_is_given(qtbot) -> None:
    from ihms_desk.ui.sync_status import SyncStatus

    widget = SyncStatus()
    qtbot.addWidget(widget)
    widget.set_state(True, 123456, "2026-11-25T04:30:00+00:00", None)
    assert widget.state_label.text() == "Sync: online"
    assert widget.waiting_label.text() == "1,23,456 events waiting"
    assert "25-11-2026" in widget.last_label.text()
    widget.set_state(False, 3, None, "server unreachable")
    assert widget.state_label.text() == "Sync: offline"
    assert widget.last_label.text() == "Last sync: never"
    assert widget.toolTip() == "server unreachable"


def test_settings_users_model_and_adding_a_user(qtbot, qtmodeltester, chc_dir: Path) -> None:
    from ihms_desk.ui import dialogs
    from ihms_desk.ui.settings_screen import SettingsScreen, UsersModel

    with Store.open(chc_dir) as store:
        store.login("admin", PASSWORD)
        screen = SettingsScreen(store)
        qtbot.addWidget(screen)
        screen.resize(1000, 1400)  # tall enough that the add-user button is on screen, not scrolled away
        screen.show()
        assert screen.users_box.isVisibleTo(screen)
        qtmodeltester.check(screen.users_model)
        qtbot.keyClicks(screen.new_username, "pharma2")
        qtbot.keyClicks(screen.new_full_name, "Sunita Jain")
        qtbot.keyClicks(screen.new_password, "short")
        qtbot.mouseClick(screen.add_user_button, Qt.MouseButton.LeftButton)
        assert "at least" in screen.errors["password"].text()
        screen.new_password.clear()
        qtbot.keyClicks(screen.new_password, "long-enough")
        shown_before = len(dialogs.shown)
        qtbot.mouseClick(screen.add_user_button, Qt.MouseButton.LeftButton)
        assert len(dialogs.shown) == shown_before + 1
        with Store.open(chc_dir) as check:
            assert "pharma2" in [user.username for user in check.users()]
            assert check.login("pharma2", "long-enough").role.value == "pharmacist"
        assert isinstance(screen.users_model, UsersModel) and screen.users_model.rowCount() == 5


def test_pharmacist_settings_are_language_and_password_only(qtbot, pharmacist_store: Store) -> None:
    from ihms_desk.ui.settings_screen import SettingsScreen

    screen = SettingsScreen(pharmacist_store)
    qtbot.addWidget(screen)
    assert not screen.users_box.isVisibleTo(screen)
    assert not screen.setting_edits["near_expiry_days"].isEnabledTo(screen)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_main_window_fits_an_old_1024x768_screen(qtbot, chc_dir: Path, language: str) -> None:
    from ihms_desk.ui import i18n

    create_application()
    i18n.set_language(language)
    try:
        with Store.open(chc_dir) as store:
            store.login("admin", PASSWORD)
            window = MainWindow(store)
            qtbot.addWidget(window)
            for key in window.actions_by_key:
                window.go_to(key)
            size = window.minimumSizeHint()
            # 768 px less the taskbar and the title bar leave about 700.
            assert size.width() <= 1024 and size.height() <= 700, (language, size)
    finally:
        i18n.set_language("en")


def test_sync_loop_drives_the_status_bar_and_the_sync_screen(qtbot, chc_dir: Path) -> None:
    """The program's sync adapter (a real one, on a desk not enrolled yet) reaches the status
    bar, and the Sync screen is handed the adapter when it is built."""
    from ihms_desk.ui.sync_adapter import SyncAdapter

    create_application()
    with Store.open(chc_dir) as store:
        adapter = SyncAdapter(chc_dir)
        controller = AppController(store, sync=adapter)
        controller.start()
        try:
            window = log_in(qtbot, controller, "admin")
            adapter.stateChanged.emit(None, 7, None, None)
            qtbot.waitUntil(lambda: window.sync_status.waiting == 7)
            assert window.sync_status.state_label.text() == "Sync: not set up"
            adapter.stateChanged.emit(True, 0, "2026-11-25T04:30:00+00:00", None)
            qtbot.waitUntil(lambda: window.sync_status.state_label.text() == "Sync: online")
            sync_screen = window.go_to("sync")
            assert sync_screen is not None
            sync_screen.syncNowRequested.emit()  # wired to adapter.syncNow: must not raise
        finally:
            adapter.stop()
            if controller.window is not None:
                controller.window.close()


def test_services_start_after_the_window_and_reach_it(qtbot, chc_dir: Path) -> None:
    create_application()
    with Store.open(chc_dir) as store:
        controller = AppController(store)
        controller.start()
        window = log_in(qtbot, controller, "pharmacist")
        assert controller.sync is None
        controller.start_services()
        try:
            assert controller.sync is not None and controller.backup_timer is not None
            controller.sync.stateChanged.emit(False, 5, None, "no line")
            qtbot.waitUntil(lambda: window.sync_status.state_label.text() == "Sync: offline")
            controller.start_services()  # a second call changes nothing
        finally:
            controller.sync.stop()
            window.close()


def test_alert_badge_follows_a_dispense(qtbot, controller: AppController) -> None:
    window = log_in(qtbot, controller, "pharmacist")
    qtbot.waitUntil(lambda: window.alerts_count is not None, timeout=5000)
    before = window.alerts_count
    window.alerts_timer.setInterval(10)
    dispense = window.screens["dispense"]
    qtbot.keyClicks(dispense.opd_edit, "BADGE/1")
    qtbot.keyClicks(dispense.name_edit, "Ramesh")
    qtbot.keyClicks(dispense.age_sex_edit, "50M")
    qtbot.keyClicks(dispense.prescriber_edit, "Dr. X")
    qtbot.keyClicks(dispense.picker.line_edit, "cetiri")
    qtbot.keyClick(dispense.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dispense.qty_edit, "150")  # 50 left, under the minimum of 100: low stock
    qtbot.keyClick(dispense.qty_edit, Qt.Key.Key_Return)
    press(qtbot, window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: window.alerts_count == before + 1, timeout=5000)
    assert f"({before + 1})" in window.actions_by_key["alerts"].text()


def test_sync_overdue_alert_follows_the_sync_loop(qtbot, incharge_store: Store) -> None:
    """The sync loop's state reaches the alerts screen: overdue after 24 h, nothing when sync
    is not set up, and an alerts screen built later still learns it."""
    import datetime as dt

    window = MainWindow(incharge_store, start="alerts")
    qtbot.addWidget(window)
    window.show()
    alerts = window.screens["alerts"]
    kinds = lambda: [alert.kind for alert in alerts.alerts()]  # noqa: E731
    window.on_sync_state(None, 0, None, None)  # not enrolled: no sync alert
    assert "sync_overdue" not in kinds()
    old = (incharge_store.now() - dt.timedelta(hours=30)).isoformat()
    window.on_sync_state(False, 12, old, "connection refused")
    assert kinds()[0] == "sync_overdue"
    window.on_sync_state(True, 0, incharge_store.now().isoformat(), None)
    assert "sync_overdue" not in kinds()
    later = MainWindow(incharge_store, start="stock")
    qtbot.addWidget(later)
    later.on_sync_state(False, 3, None, "no route to host")  # enrolled, never succeeded
    later.go_to("alerts")
    assert [a.kind for a in later.screens["alerts"].alerts()][0] == "sync_overdue"
