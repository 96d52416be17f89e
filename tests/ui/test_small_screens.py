"""Issue 12 item 8: every screen but dispense is usable on the PCs the counters have, 1366x768
and 1366x698 (a maximised window above the taskbar), in both languages; the Receive screen
shows at least 10 lines there. Real main windows, real widgets, laid out offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from ihms_desk.store import Store
from ihms_desk.store.model import ReceiptLine
from ihms_desk.ui import i18n
from ihms_desk.ui.main_window import MainWindow
from ihms_desk.ui.receive import ReceiveScreen
from ihms_desk.ui.workers import executor
from tests.ui.conftest import month_from, open_as

SIZES = [(1366, 768), (1366, 698)]
#: Every screen of the main window but dispense (issue 12 gives dispense to its own work), by
#: the user who may open it.
SCREENS = [("receive", "clerk"), ("stock", "incharge"), ("alerts", "incharge"), ("documents", "incharge"),
           ("reports", "incharge"), ("adjust", "incharge"), ("transfer", "clerk"), ("stocktake", "clerk"),
           ("sync", "incharge"), ("backup", "incharge"), ("settings", "incharge")]


@pytest.fixture(params=["en", "hi"])
def language(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    assert i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def show_window(qtbot, store: Store, key: str, size: tuple[int, int]) -> MainWindow:  # type: ignore[no-untyped-def]
    """The main window at ``size`` on screen ``key``; :func:`close_window` takes it down."""
    window = MainWindow(store, start=key)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    settle_worker(qtbot)
    return window


def close_window(qtbot, window: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Closed and deleted now, while its store is still open: no timer or late reply of a
    window left for the garbage collector reaches a closed store in a later test."""
    settle_worker(qtbot)
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def settle_worker(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the jobs the screen gave the database worker, and their replies: a screen torn
    down while its job runs would be answered after it is gone."""
    executor().submit(lambda: None).result(timeout=30)  # one worker thread: the jobs before are done
    qtbot.wait(20)


def clipped(screen: QWidget) -> list[str]:
    """The fields and buttons of a screen that its layout squeezed below their minimum size (or
    pushed outside it): what a clerk could not read or reach at this size."""
    found = []
    for widget in screen.findChildren(QWidget):
        # Named widgets only (fields, buttons, tables), not the ones a scroll area brings into view.
        if not widget.isVisibleTo(screen) or widget.objectName() == "" or _scrolled(widget, screen):
            continue
        bottom_right = widget.mapTo(screen, widget.rect().bottomRight())
        hint = widget.minimumSizeHint()
        if bottom_right.y() > screen.height() or bottom_right.x() > screen.width():
            found.append(f"{widget.objectName()} outside")
        elif hint.isValid() and (widget.height() < hint.height() - 1):
            found.append(f"{widget.objectName()} squeezed {widget.height()} < {hint.height()}")
    return found


def _scrolled(widget: QWidget, screen: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not screen:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_every_screen_but_dispense_fits(qtbot, chc_dir, language: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    for key, user in SCREENS:
        store = open_as(chc_dir, user)
        window = show_window(qtbot, store, key, size)
        try:
            screen = window.screens[key]
            # The window kept the size asked: nothing in it needs more than the screen has.
            assert (window.width(), window.height()) == size, (key, window.size(), window.minimumSizeHint())
            assert clipped(screen) == [], (key, language)
        finally:
            close_window(qtbot, window)
            store.close()


def test_the_receive_screen_shows_ten_lines_at_1366x698(qtbot, chc_dir, language: str) -> None:  # type: ignore[no-untyped-def]
    store = open_as(chc_dir, "clerk")
    window = show_window(qtbot, store, "receive", (1366, 698))
    try:
        screen = window.screens["receive"]
        assert isinstance(screen, ReceiveScreen)
        far = month_from(store.today(), 20)
        codes = ["D0001", "D0002", "D0003", "D0004", "D0005", "D0006", "D0007", "D0008", "D0009", "S0001"]
        for number in range(12):
            code = codes[number % len(codes)]
            screen._append_line(ReceiptLine(code, f"B-{number}", far, 10), store.item(code))
        qtbot.wait(10)
        view = screen.lines_view
        # The tenth line is whole inside the table's viewport, not cut off by it.
        tenth = view.visualRect(screen.lines.index(9, 0))
        assert tenth.isValid() and tenth.bottom() <= view.viewport().height(), (tenth, view.viewport().height())
        assert screen.visible_lines() >= ReceiveScreen.MIN_VISIBLE_LINES
        # The row is tall enough for Devanagari (no clipped matras): the font's own height and more.
        assert view.rowHeight(0) >= view.fontMetrics().height() + 4
        # With the reason field shown (a short-expiry line) the table still keeps 10 lines.
        screen.set_line_field_visible(screen.reason_edit, True)
        qtbot.wait(10)
        assert screen.visible_lines() >= ReceiveScreen.MIN_VISIBLE_LINES
    finally:
        close_window(qtbot, window)
        store.close()


def test_the_text_size_is_chosen_in_settings_kept_and_applied_to_every_screen(qtbot, chc_dir) -> None:  # type: ignore[no-untyped-def]
    """Settings, by keyboard: the text size spin box, a size, Tab to its button, Space. The
    store keeps it, the application font takes it, and the window built again shows it; the
    next start (a new controller on the same folder) applies it again."""
    from PySide6.QtWidgets import QApplication

    from ihms_desk.ui.app import AppController, create_application
    from tests.ui.test_app import log_in

    create_application()
    try:
        with Store.open(chc_dir) as store:
            controller = AppController(store)
            controller.start()
            window = log_in(qtbot, controller, "pharmacist")  # any user chooses their desk's size
            settings = window.go_to("settings")
            spin = settings.text_size_spin
            assert spin.value() == i18n.BASE_POINT_SIZE
            spin.setFocus()
            spin.lineEdit().selectAll()
            qtbot.keyClicks(spin, "13")
            qtbot.keyClick(spin, Qt.Key.Key_Tab)
            assert settings.apply_text_size_button.hasFocus()
            qtbot.keyClick(settings.apply_text_size_button, Qt.Key.Key_Space)
            assert QApplication.font().pointSize() == 13
            rebuilt = controller.window
            assert isinstance(rebuilt, MainWindow) and rebuilt is not window
            stock = rebuilt.go_to("stock")
            assert stock.font().pointSize() == 13 and rebuilt.screens["settings"].text_size_spin.value() == 13
            with Store.open(chc_dir) as check:
                assert check.setting("text_size", "") == "13"
            # Hindi at that size: a Devanagari line is taller than at 10 points.
            assert QFontMetrics(stock.font()).height() > QFontMetrics(QFont(stock.font().families(), 10)).height()
            close_window(qtbot, rebuilt)
        i18n.set_text_size(i18n.BASE_POINT_SIZE)
        with Store.open(chc_dir) as store:
            again = AppController(store)
            again.start()
            assert QApplication.font().pointSize() == 13  # the login screen is in it already
            log_in(qtbot, again, "clerk")
            assert QApplication.font().pointSize() == 13
            assert again.window is not None
            close_window(qtbot, again.window)
    finally:
        i18n.set_text_size(i18n.BASE_POINT_SIZE)


def test_a_text_size_out_of_range_is_refused_with_its_wording(clerk_store: Store) -> None:  # type: ignore[no-untyped-def]
    from ihms_desk import wording
    from ihms_desk.store.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        clerk_store.set_setting("text_size", "40")
    assert "9 to 16" in refused.value.message and "9 से 16" in wording.text_of(refused.value, "hi")
