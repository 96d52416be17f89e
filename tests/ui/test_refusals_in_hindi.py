"""Each screen's commonest refusals, driven with the keyboard on a Hindi screen: the words shown
are the Hindi of the wording tables (ihms_desk/wording/hi.py), never the store's English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from ihms_desk import wording
from ihms_desk.store import Store
from ihms_desk.store.dosage import EXAMPLES
from ihms_desk.store.model import DispenseLine, Patient
from ihms_desk.store.users import MIN_PASSWORD_LENGTH
from ihms_desk.ui import documents, i18n
from ihms_desk.ui.adjust import AdjustScreen
from ihms_desk.ui.app import create_application
from ihms_desk.ui.dispense import DispenseLineModel, DispenseScreen
from ihms_desk.ui.documents import DocumentsScreen
from ihms_desk.ui.login import LoginScreen
from ihms_desk.ui.receive import ReceiveScreen
from ihms_desk.ui.settings_screen import SettingsScreen
from ihms_desk.ui.setup_wizard import SetupWizard
from ihms_desk.ui.stocktake import StocktakeScreen
from ihms_desk.ui.transfer import TransferScreen
from tests.ui.conftest import PASSWORD, show_screen
from tests.ui.test_receive import expiry_code, scan, type_header

#: Three Latin words in a row: an English sentence (codes such as DDW or GTIN stand alone).
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")


@pytest.fixture(autouse=True)
def hindi() -> Iterator[None]:
    create_application()
    assert i18n.set_language("hi")
    yield
    i18n.set_language("en")


def hindi_of(kind: str, **values: object) -> str:
    text = wording.say(kind, values, "hi")
    assert not ENGLISH.search(text), text
    return text


def shown(text: str) -> str:
    """What a screen shows, checked to be Hindi."""
    assert text and re.search("[\u0900-\u097f]", text), text
    assert not ENGLISH.search(text), text
    return text


def test_dispense_quantity_abha_and_expired_batch(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = show_screen(qtbot, DispenseScreen, pharmacist_store)
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "1-0-1")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert shown(screen.errors["quantity"].text()) == hindi_of("not_a_quantity", text="1-0-1", examples=EXAMPLES)

    screen.qty_edit.clear()
    qtbot.keyClicks(screen.qty_edit, "3")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.opd_edit, "HI/2")
    screen.name_edit.insert("सीता देवी")
    qtbot.keyClicks(screen.age_sex_edit, "30F")
    qtbot.keyClicks(screen.abha_edit, "12345")
    screen.prescriber_edit.insert("डॉ. मीणा")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert shown(screen.errors["abha"].text()) == hindi_of("bad_abha")

    screen.abha_edit.clear()
    qtbot.keyClicks(screen.picker.line_edit, "azithro")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "3")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    screen.lines_view.setFocus()
    screen.lines_view.setCurrentIndex(screen.model.index(1, DispenseLineModel.BATCH))
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_F2)
    editor = screen.lines_view.findChild(QComboBox, "batch_editor")
    editor.setCurrentIndex(editor.findData("AZ-OLD"))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.model.lines[1].batch_no == "AZ-OLD")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    expired = next(batch for batch in check_store.item_batches("D0009") if batch.batch_no == "AZ-OLD")
    year, month = expired.expiry_month.split("-")
    assert shown(screen.errors["general"].text()) == hindi_of(
        "batch_expired", item="D0009", batch="AZ-OLD", month=f"{month}/{year}")
    assert check_store.recent_dispenses(5) == []


def test_receive_expired_pack_bad_scan_and_repeated_challan(qtbot, clerk_store: Store, check_store: Store) -> None:
    screen = show_screen(qtbot, ReceiveScreen, clerk_store, (1100, 800))
    type_header(qtbot, screen, "DDW/HI/1")
    scan(qtbot, screen, "(01)08901234567891(10)AB1")
    assert shown(screen.errors.text("scan")) == hindi_of("gtin_bad_check_digit", gtin="08901234567891", expected=0)

    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.batch_edit, "OLD-1")
    qtbot.keyClicks(screen.expiry_edit, "13/2026")
    qtbot.keyClicks(screen.qty_edit, "10")
    screen.add_line()
    assert shown(screen.errors.text("expiry")) == hindi_of("not_a_month", text="13/2026")
    screen.expiry_edit.clear()
    qtbot.keyClicks(screen.expiry_edit, "01/2020")
    screen.add_line()
    assert shown(screen.errors.text("expiry")) == hindi_of(
        "batch_expired_receiving", item="D0004", batch="OLD-1", month="01/2020")

    _, month = expiry_code(12)
    screen.expiry_edit.clear()
    qtbot.keyClicks(screen.expiry_edit, f"{month[5:]}/{month[:4]}")
    screen.add_line()
    qtbot.keyClick(screen.scan_edit, Qt.Key.Key_F10)
    first = screen.last_saved
    assert first is not None
    type_header(qtbot, screen, "DDW/HI/1")  # the same challan again
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.batch_edit, "OLD-2")
    qtbot.keyClicks(screen.expiry_edit, f"{month[5:]}/{month[:4]}")
    qtbot.keyClicks(screen.qty_edit, "10")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_F10)
    assert screen.last_saved == first
    assert shown(screen.errors.text("voucher_no")) == hindi_of("duplicate_voucher", voucher_no="DDW/HI/1", number=first)


def test_adjust_write_off_by_a_clerk_and_no_item(qtbot, clerk_store: Store) -> None:
    screen = show_screen(qtbot, AdjustScreen, clerk_store)
    screen.add_line()
    assert shown(screen.errors.text("item")) == hindi_of("choose_item")
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "0")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert shown(screen.errors.text("quantity")) == hindi_of("quantity_at_least_one")
    screen.qty_edit.clear()
    qtbot.keyClicks(screen.qty_edit, "5")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert shown(screen.errors.text("reason")) == (
        "Ramesh Saini (स्टोर क्लर्क) को स्टॉक बट्टे खाते में डालने की अनुमति नहीं है। MO प्रभारी या एडमिन से कहें।")


def test_transfer_never_short_and_no_destination(qtbot, clerk_store: Store) -> None:
    screen = show_screen(qtbot, TransferScreen, clerk_store)
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "5")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert shown(screen.errors.text("destination_name")) == "कहाँ भेजा भरना ज़रूरी है।"
    screen.destination_name.setFocus()
    qtbot.keyClicks(screen.destination_name, "Labour room")
    screen.lines.set_rows([])
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "100000")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert shown(screen.errors.text("lines")) == hindi_of("stock_too_low", item="D0004", requested=100000, available=200)


def test_stocktake_bad_count_and_nothing_counted(qtbot, clerk_store: Store) -> None:
    screen = show_screen(qtbot, StocktakeScreen, clerk_store)
    screen.preview()
    assert shown(screen.errors.text("counted"))
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.counted_edit, "-3")
    qtbot.keyClick(screen.counted_edit, Qt.Key.Key_Return)
    assert shown(screen.errors.text("counted")) == "गिनी गई मात्रा 0 या उससे ज़्यादा पूर्ण संख्या होनी चाहिए।"


def test_login_refused(qtbot, chc_dir: Path) -> None:
    with Store.open(chc_dir) as store:
        screen = LoginScreen(store)
        qtbot.addWidget(screen)
        qtbot.keyClicks(screen.username_edit, "pharmacist")
        qtbot.keyClick(screen.username_edit, Qt.Key.Key_Return)
        qtbot.keyClicks(screen.password_edit, "wrong-password")
        qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
        assert shown(screen.error_label.text()) == hindi_of("login_failed")


def test_settings_short_password(qtbot, pharmacist_store: Store) -> None:
    screen = show_screen(qtbot, SettingsScreen, pharmacist_store)
    qtbot.keyClicks(screen.own_password, "123")
    qtbot.mouseClick(screen.change_password_button, Qt.MouseButton.LeftButton)
    assert shown(screen.password_message.text()) == hindi_of("password_too_short", n=MIN_PASSWORD_LENGTH)


def test_setup_wizard_missing_field(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ihms_desk.ui import setup_wizard

    monkeypatch.setattr(setup_wizard, "package_places", lambda: [])
    store = Store.open(tmp_path / "new")
    wizard = SetupWizard(store)
    qtbot.addWidget(wizard)
    # No package and no facility chosen: Next says what to do, in Hindi.
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Return)
    assert shown(wizard.errors["facility"].text()).startswith("सूची से संस्था चुनें")
    assert wizard.chooser.choose("RJ-JPR-CHC-003")
    qtbot.keyClick(wizard.facility_combo, Qt.Key.Key_Return)
    wizard.edits["full_name"].clear()
    qtbot.keyClicks(wizard.edits["password"], "long-secret")
    qtbot.keyClicks(wizard.edits["password2"], "long-secret")
    qtbot.keyClick(wizard.edits["password2"], Qt.Key.Key_Return)
    assert shown(wizard.errors["full_name"].text()) == "पूरा नाम भरना ज़रूरी है।"
    assert store.facility() is None
    store.close()


def test_documents_reversal_refused(qtbot, chc_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "ask_reverse", lambda parent, number, question: True)
    with Store.open(chc_dir) as store:
        store.login("pharmacist", PASSWORD)
        number = store.dispense(patient=Patient("HI/9", "Sita", 30, "F"), prescriber="Dr. M",
                                lines=[DispenseLine("D0004", 2)]).number
    with Store.open(chc_dir) as clerk:
        clerk.login("clerk", PASSWORD)
        screen = show_screen(qtbot, DocumentsScreen, clerk)
        screen.select_number(number)
        qtbot.keyClicks(screen.reason_edit, "wrong patient")
        qtbot.keyClick(screen.reason_edit, Qt.Key.Key_Return)
        assert shown(screen.errors.text("reason")) == (
            "Ramesh Saini (स्टोर क्लर्क) को दस्तावेज़ रद्द करने की अनुमति नहीं है। MO प्रभारी या एडमिन से कहें।")
