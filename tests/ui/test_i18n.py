"""Hindi: the translation is complete and installed, the switch in Settings is remembered, fonts load."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from ihms_desk import wording
from ihms_desk.store import Store
from ihms_desk.store.errors import BatchExpired, StockTooLow
from ihms_desk.ui import i18n
from ihms_desk.ui.app import AppController, create_application
from ihms_desk.ui.login import LoginScreen
from ihms_desk.ui.main_window import MainWindow
from ihms_desk.ui.settings_screen import SettingsScreen

TS_FILE = Path(str(files("ihms_desk.resources") / "i18n" / "ihms_desk_hi.ts"))
UI_DIR = Path(__file__).resolve().parents[2] / "ihms_desk" / "ui"


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    yield
    i18n.set_language("en")


def test_hindi_file_is_complete() -> None:
    root = ET.parse(TS_FILE).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 300
    unfinished = [m.findtext("source") for m in messages if m.find("translation").get("type") in ("unfinished", "vanished", "obsolete")]
    assert unfinished == []
    contexts = {context.findtext("name") for context in root.iter("context")}
    # Every screen of the program is in it; the store's refusals are in the wording tables
    # (ihms_desk/wording/hi.py, checked by tests/test_wording.py), which the CLI reads too.
    assert {"DispenseScreen", "MainWindow", "LoginScreen", "SettingsScreen", "SetupWizard", "ItemPicker",
            "ReceiveScreen", "StockScreen", "AdjustScreen", "DocumentForm"} <= contexts
    assert set(wording.hi.MESSAGES) == set(wording.en.MESSAGES)


def test_translation_installs_and_is_kept() -> None:
    create_application()
    assert i18n.set_language("hi")
    assert i18n.current_language() == "hi"
    assert len(i18n.installed_translators()) == 2  # ours and Qt's button texts
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "रद्द करें"
    assert QCoreApplication.translate("MainWindow", "Dispense") == "दवा वितरण"
    assert i18n.set_language("en")
    assert i18n.installed_translators() == []
    assert QCoreApplication.translate("MainWindow", "Dispense") == "Dispense"


def test_refusals_in_hindi() -> None:
    create_application()
    i18n.set_language("hi")
    text = i18n.refusal_text(BatchExpired("D0009", "AZ-OLD", "2026-09"))
    assert "AZ-OLD" in text and "09/2026" in text and "एक्सपायर" in text
    assert "उपलब्ध" in i18n.refusal_text(StockTooLow("D0005", 10, 4))


def test_bundled_fonts_have_devanagari() -> None:
    create_application()
    families = i18n.load_fonts()
    assert "Noto Sans Devanagari" in families
    assert QFontDatabase.WritingSystem.Devanagari in QFontDatabase.writingSystems("Noto Sans Devanagari")
    assert "Noto Sans Devanagari" in QApplication.font().families()


def test_switch_to_hindi_in_settings_is_remembered(qtbot, chc_dir: Path, check_store: Store) -> None:
    create_application()
    store = Store.open(chc_dir)
    controller = AppController(store)
    controller.start()
    login = controller.window
    assert isinstance(login, LoginScreen)
    qtbot.keyClicks(login.username_edit, "pharmacist")
    qtbot.keyClicks(login.password_edit, "test1234")
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    window = controller.window
    assert isinstance(window, MainWindow)
    assert window.actions_by_key["dispense"].text().endswith("Dispense")
    settings = window.go_to("settings")
    assert isinstance(settings, SettingsScreen)
    settings.language_combo.setCurrentIndex(settings.language_combo.findData("hi"))
    qtbot.mouseClick(settings.apply_language_button, Qt.MouseButton.LeftButton)

    hindi = controller.window
    assert isinstance(hindi, MainWindow) and hindi is not window
    qtbot.addWidget(hindi)
    assert hindi.actions_by_key["dispense"].text() == "F2  दवा वितरण"
    assert hindi.current_key() == "settings"
    assert "सिंक" in hindi.sync_status.state_label.text()
    dispense = hindi.go_to("dispense")
    assert dispense is not None and dispense.save_button.text().startswith("सेव करें")
    assert check_store.setting("language", "en") == "hi"

    # Remembered: the next start of the program comes up in Hindi.
    hindi.close()
    store.close()
    i18n.set_language("en")
    store = Store.open(chc_dir)
    again = AppController(store)
    again.start()
    assert i18n.current_language() == "hi"
    assert isinstance(again.window, LoginScreen) and again.window.login_button.text() == "लॉग इन करें"
    again.window.close()
    store.close()


def test_every_ui_module_is_in_the_translation() -> None:
    """A new module whose strings never went through lupdate would show English in Hindi mode."""
    root = ET.parse(TS_FILE).getroot()
    referenced = {Path(location.get("filename")).name for location in root.iter("location") if location.get("filename")}
    literal_call = re.compile(r"""\.tr\(\s*["']|translate\(\s*["'][^"']*["']\s*,\s*["']""")
    modules = {path.name for path in UI_DIR.glob("*.py") if literal_call.search(path.read_text(encoding="utf-8"))}
    assert modules - referenced == set()


def test_refusal_on_the_dispense_screen_in_hindi(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    from ihms_desk.ui.dispense import DispenseScreen

    create_application()
    assert i18n.set_language("hi")
    screen = DispenseScreen(pharmacist_store)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitActive(screen):  # F10 is a shortcut: it needs the active window
        screen.activateWindow()
    assert screen.save_button.text() == "सेव करें (Ctrl+S / F10)"
    qtbot.keyClicks(screen.opd_edit, "HI/1")
    # QTest can only type ASCII keys; a Hindi keyboard goes through the input method instead.
    screen.name_edit.insert("सीता देवी")
    qtbot.keyClicks(screen.age_sex_edit, "30")
    screen.prescriber_edit.insert("डॉ. मीणा")
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "5")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert screen.errors["sex"].text() == "मरीज़ का लिंग चुनें: M, F या O।"
    assert check_store.recent_dispenses(5) == []
    qtbot.keyClicks(screen.age_sex_edit, "F")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    saved = check_store.recent_dispenses(1)[0]
    assert check_store.document(saved.number).header["patient_name"] == "सीता देवी"
    assert "सेव हुआ" in screen.message.text()
