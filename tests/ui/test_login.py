"""The login screen: the store decides, the screen shows the refusal; demo mode lists the accounts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui import i18n
from ihms_desk.ui.login import LoginScreen
from tests.ui.conftest import shown_active


def test_login_by_keyboard(qtbot, chc_dir, check_store: Store) -> None:
    with Store.open(chc_dir) as store:
        screen = LoginScreen(store)
        qtbot.addWidget(screen)
        assert not screen.demo_hint.isVisibleTo(screen)
        with qtbot.waitSignal(screen.logged_in) as blocker:
            qtbot.keyClicks(screen.username_edit, "Pharmacist")
            qtbot.keyClick(screen.username_edit, Qt.Key.Key_Return)
            qtbot.keyClicks(screen.password_edit, "test1234")
            qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
        assert blocker.args[0].username == "pharmacist"
        assert store.user is not None and store.user.username == "pharmacist"
    assert check_store.audit_trail(1)[0]["action"] == "login"
    assert check_store.audit_trail(1)[0]["outcome"] == "ok"


def test_wrong_password_clears_and_says_so(qtbot, chc_dir) -> None:
    with Store.open(chc_dir) as store:
        screen = LoginScreen(store)
        qtbot.addWidget(screen)
        qtbot.keyClicks(screen.username_edit, "clerk")
        qtbot.keyClicks(screen.password_edit, "wrong-one")
        qtbot.mouseClick(screen.login_button, Qt.MouseButton.LeftButton)
        assert store.user is None
        assert screen.password_edit.text() == ""
        assert "Wrong user name or password" in screen.error_label.text()


def test_demo_mode_shows_the_accounts(qtbot, chc_dir) -> None:
    with Store.open(chc_dir) as store:
        screen = LoginScreen(store, demo=True)
        qtbot.addWidget(screen)
        text = screen.demo_hint.text()
        assert "pharmacist" in text and "demo1234" in text and screen.demo_hint.isVisibleTo(screen)


@pytest.mark.parametrize("language", ["en", "hi"])
@pytest.mark.parametrize("points", [10, 14, 16])
def test_the_demo_accounts_fit_at_every_text_size(qtbot, chc_dir, language: str, points: int) -> None:
    assert i18n.set_language(language)
    i18n.set_text_size(points)
    try:
        with Store.open(chc_dir) as store:
            screen = shown_active(qtbot, LoginScreen(store, demo=True), (1366, 698))
            hint = screen.demo_hint
            assert hint.font().pointSize() == points
            # Not cut off: the hint (not wrapped) is as wide as its two lines.
            assert hint.width() >= hint.sizeHint().width()
            assert hint.geometry().right() <= hint.parentWidget().contentsRect().right()
    finally:
        i18n.set_text_size(i18n.BASE_POINT_SIZE)
        i18n.set_language("en")
