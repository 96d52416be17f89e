"""First run: the wizard finds the facility package on the stick (or the facility is chosen
from the state's list), sets up the administrator, adds users by the keyboard or from a CSV,
receives the challan that came with the package, and loads the catalogue in the worker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui import i18n, setup_wizard
from ihms_desk.ui.app import AppController, create_application
from ihms_desk.ui.main_window import MainWindow
from ihms_desk.ui.setup_wizard import SetupWizard
from tests.ui.conftest import shown_active

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from first_run_bench import FACILITY, Stick, make_stick  # noqa: E402

CSV = """code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active
D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,500,1
D0002,Amoxicillin 500 mg Capsule,Amoxicillin,500 mg,capsule,capsule,drug,200,1
S0001,Gauze Swab,Gauze,10 cm,swab,piece,surgical,100,1
"""
LIST = """code,name,district,block,type
RJ-AJM-CHC-001,CHC Arain,Ajmer,Arain,CHC
RJ-JPR-CHC-003,CHC Chaksu,Jaipur,Chaksu,CHC
RJ-JPR-CHC-002,CHC Bassi,Jaipur,Bassi,CHC
RJ-JPR-PHC-009,PHC Kanota,Jaipur,Bassi,PHC
"""


@pytest.fixture(autouse=True)
def back_to_english():
    yield
    i18n.set_language("en")


@pytest.fixture()
def catalogue(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "starter.csv"
    path.write_text(CSV, encoding="utf-8")
    monkeypatch.setattr(setup_wizard, "starter_catalogue", lambda: path)
    return path


@pytest.fixture()
def state_list(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    monkeypatch.setattr("ihms_desk.store.facilities.shipped_list_path", lambda: path)
    return path


def on_the_stick(monkeypatch, stick: Stick | None, tmp_path: Path) -> None:
    monkeypatch.setattr(setup_wizard, "package_places", lambda: [stick.root] if stick else [tmp_path / "no-stick"])
    monkeypatch.setattr(setup_wizard, "trusted_keys", lambda: dict([stick.public_key]) if stick else {})


def wizard_on(qtbot, store: Store) -> SetupWizard:
    return shown_active(qtbot, SetupWizard(store), (720, 680))


def type_into(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def set_up_admin(qtbot, wizard: SetupWizard, password: str = "long-secret") -> None:
    assert wizard.pages.currentWidget() is wizard.admin_page and wizard.edits["full_name"].hasFocus()
    assert wizard.edits["username"].text() == "admin"
    qtbot.keyClicks(wizard.edits["full_name"], "Dr. A. Meena")
    qtbot.keyClick(wizard.edits["full_name"], Qt.Key.Key_Return)
    assert wizard.edits["password"].hasFocus()
    qtbot.keyClicks(wizard.edits["password"], password)
    qtbot.keyClick(wizard.edits["password"], Qt.Key.Key_Return)
    qtbot.keyClicks(wizard.edits["password2"], password)
    qtbot.keyClick(wizard.edits["password2"], Qt.Key.Key_Return)


def test_the_package_on_the_stick_fills_the_facility(qtbot, tmp_path: Path, monkeypatch, catalogue: Path,
                                                     state_list: Path) -> None:
    stick = make_stick(tmp_path / "usb")
    on_the_stick(monkeypatch, stick, tmp_path)
    store = Store.open(tmp_path / "new")
    wizard = wizard_on(qtbot, store)
    assert wizard.package is not None and "CHC Chaksu" in wizard.package_label.text()
    assert "https://ihms.example.in" in wizard.package_label.text()
    assert not wizard.list_box.isEnabled() and wizard.language_combo.hasFocus()
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Return)
    set_up_admin(qtbot, wizard)
    assert wizard.pages.currentWidget() is wizard.users_page
    facility = store.facility()
    assert facility is not None and facility.code == FACILITY["code"] and facility.block == "Chaksu"
    pending = store.pending_package()
    assert pending is not None and pending.server_url == "https://ihms.example.in"
    assert pending.enrolment_code == "ABCD-EFGH-JKMN" and store.helpline() == "0141-2222222"
    # The users file beside the package: Enter adds its users and goes on.
    assert "users.csv" in wizard.users_note.text() and wizard.users_done_button.hasFocus()
    qtbot.keyClick(wizard.users_done_button, Qt.Key.Key_Return)
    assert wizard.users_table.rowCount() == 2
    assert wizard.pages.currentWidget() is wizard.stock_page
    qtbot.waitUntil(lambda: wizard.receive_button.isEnabled(), timeout=10_000)
    assert "DDW/JPR/1187" in wizard.challan_label.text() and "10 lines" in wizard.challan_label.text()
    store.close()


def test_a_package_that_was_tampered_with_is_refused(qtbot, tmp_path: Path, monkeypatch, state_list: Path) -> None:
    stick = make_stick(tmp_path / "usb")
    stick.package.write_text(stick.package.read_text().replace("CHC Chaksu", "CHC Elsewhere"))
    on_the_stick(monkeypatch, stick, tmp_path)
    store = Store.open(tmp_path / "new")
    wizard = wizard_on(qtbot, store)
    assert wizard.package is None and wizard.list_box.isEnabled()
    assert "changed after the state signed it" in wizard.errors["package"].text()
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Return)  # Next without a facility: refused, nothing written
    assert wizard.pages.currentWidget() is wizard.facility_page
    assert "Choose the facility from the list" in wizard.errors["facility"].text()
    assert store.facility() is None
    store.close()


def test_without_a_package_the_facility_is_chosen_not_typed(qtbot, tmp_path: Path, monkeypatch, catalogue: Path,
                                                            state_list: Path) -> None:
    on_the_stick(monkeypatch, None, tmp_path)
    store = Store.open(tmp_path / "new")
    wizard = wizard_on(qtbot, store)
    assert "No facility package found" in wizard.package_label.text()
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Tab)
    assert wizard.district_combo.hasFocus()
    qtbot.keyClicks(wizard.district_combo, "Jai")
    qtbot.keyClick(wizard.district_combo, Qt.Key.Key_Tab)
    qtbot.keyClicks(wizard.block_combo, "Bas")
    qtbot.keyClick(wizard.block_combo, Qt.Key.Key_Tab)
    # Two facilities in Bassi: the person picks one (a key down), none is chosen for them.
    assert wizard.facility_combo.hasFocus() and wizard.chosen_facility() is None
    qtbot.keyClick(wizard.facility_combo, Qt.Key.Key_Down)
    qtbot.keyClick(wizard.facility_combo, Qt.Key.Key_Down)
    assert wizard.chosen_facility().code == "RJ-JPR-PHC-009"
    assert "PHC Kanota" in wizard.chosen_label.text()
    qtbot.keyClick(wizard.facility_combo, Qt.Key.Key_Return)
    set_up_admin(qtbot, wizard)
    assert store.facility().code == "RJ-JPR-PHC-009" and store.facility().type == "PHC"
    assert store.pending_package() is None
    store.close()


def test_users_are_added_by_the_keyboard_and_tab_leaves_the_table(qtbot, tmp_path: Path, monkeypatch,
                                                                  catalogue: Path, state_list: Path) -> None:
    stick = make_stick(tmp_path / "usb")
    (stick.root / "users.csv").unlink()
    on_the_stick(monkeypatch, stick, tmp_path)
    store = Store.open(tmp_path / "new")
    wizard = wizard_on(qtbot, store)
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Return)
    set_up_admin(qtbot, wizard)
    name = wizard.user_edits["username"]
    assert name.hasFocus() and wizard.role_combo.currentData() == "pharmacist"
    for username, full_name, password in (("kavita", "Kavita Sharma", "kavita-pw"), ("ramesh", "Ramesh Saini", "123")):
        qtbot.keyClicks(name, username)
        qtbot.keyClick(name, Qt.Key.Key_Return)
        qtbot.keyClicks(wizard.user_edits["full_name"], full_name)
        qtbot.keyClick(wizard.user_edits["full_name"], Qt.Key.Key_Return)
        assert wizard.role_combo.hasFocus()
        qtbot.keyClick(wizard.role_combo, Qt.Key.Key_Return)
        qtbot.keyClicks(wizard.user_edits["password"], password)
        qtbot.keyClick(wizard.user_edits["password"], Qt.Key.Key_Return)  # Enter submits
    # The clerk's password was too short: said under the field, nothing written, fixed in place.
    assert "at least" in wizard.errors["user_password"].text() and wizard.user_edits["password"].hasFocus()
    qtbot.keyClicks(wizard.user_edits["password"], "ramesh-pw")
    qtbot.keyClick(wizard.user_edits["password"], Qt.Key.Key_Return)
    assert {u.username: u.role.value for u in store.users()} == {
        "admin": "admin", "kavita": "pharmacist", "ramesh": "store_clerk"}
    assert wizard.users_table.rowCount() == 2
    # Tab is never trapped in the table: it goes in and straight out again.
    wizard.users_table.setFocus()
    qtbot.keyClick(wizard.users_table, Qt.Key.Key_Tab)
    assert not wizard.users_table.hasFocus()
    # Enter in an empty user name goes on to the stock page.
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert wizard.pages.currentWidget() is wizard.stock_page
    store.close()


def test_a_refusal_is_shown_next_to_the_field_and_nothing_is_written(qtbot, tmp_path: Path, monkeypatch,
                                                                     state_list: Path) -> None:
    stick = make_stick(tmp_path / "usb")
    on_the_stick(monkeypatch, stick, tmp_path)
    store = Store.open(tmp_path / "new")
    wizard = wizard_on(qtbot, store)
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Return)
    set_up_admin(qtbot, wizard, password="123")
    assert "at least" in wizard.errors["password"].text() and store.facility() is None
    wizard.edits["password"].clear()
    qtbot.keyClicks(wizard.edits["password"], "long-secret")
    wizard.edits["password2"].clear()
    qtbot.keyClicks(wizard.edits["password2"], "long-secreT")
    qtbot.keyClick(wizard.edits["password2"], Qt.Key.Key_Return)
    assert "not the same" in wizard.errors["password2"].text() and store.facility() is None
    store.close()


def test_choosing_hindi_builds_the_wizard_again_with_the_package_kept(qtbot, tmp_path: Path, monkeypatch,
                                                                      state_list: Path) -> None:
    # The real starter catalogue: the challan's items are in it.
    create_application()
    stick = make_stick(tmp_path / "usb")
    on_the_stick(monkeypatch, stick, tmp_path)
    store = Store.open(tmp_path / "new")
    controller = AppController(store)
    controller.start()
    wizard = controller.window
    assert isinstance(wizard, SetupWizard)
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Down)
    hindi = controller.window
    assert isinstance(hindi, SetupWizard) and hindi is not wizard
    qtbot.addWidget(hindi)
    assert hindi.next_button.text() == "आगे (Enter)"
    qtbot.waitUntil(lambda: hindi.language_combo.hasFocus(), timeout=5_000)
    assert hindi.package is not None
    qtbot.keyClick(hindi.language_combo, Qt.Key.Key_Return)
    set_up_admin(qtbot, hindi)
    assert store.setting("language", "en") == "hi"
    qtbot.keyClick(hindi.users_done_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: hindi.receive_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(hindi.finished, timeout=10_000):
        qtbot.keyClick(hindi.receive_button, Qt.Key.Key_Return)
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    with Store.open(tmp_path / "new") as check:
        assert check.item_count() > 900
        assert [u.username for u in check.users()] == ["admin", "kavita", "ramesh"]
        (receipt,) = check.documents_on(kind="receipt")
        saved = check.document(receipt.number)
        assert saved.header["voucher_no"] == "DDW/JPR/1187" and len(saved.lines) == 10
    window.close()
    store.close()


def test_a_bad_catalogue_is_reported_and_setup_still_finishes(qtbot, tmp_path: Path, monkeypatch,
                                                              state_list: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nD1,Something\n", encoding="utf-8")
    monkeypatch.setattr(setup_wizard, "starter_catalogue", lambda: bad)
    on_the_stick(monkeypatch, make_stick(tmp_path / "usb"), tmp_path)
    store = Store.open(tmp_path / "new")
    wizard = wizard_on(qtbot, store)
    qtbot.keyClick(wizard.language_combo, Qt.Key.Key_Return)
    set_up_admin(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.catalogue_loaded, timeout=10_000)
    assert "no column" in wizard.status.text()
    qtbot.keyClick(wizard.user_edits["username"], Qt.Key.Key_F10)
    # The challan's items are not in the catalogue: its refusal is shown, F10 finishes without stock.
    with qtbot.waitSignal(wizard.finished, timeout=10_000):
        qtbot.keyClick(wizard.finish_button, Qt.Key.Key_F10)
    assert store.facility() is not None and store.item_count() == 0
    store.close()


def test_a_challan_saved_by_excel_with_semicolons_is_found_beside_the_package(tmp_path: Path) -> None:
    from ihms_desk.ui.setup_wizard import CHALLAN_COLUMNS, csv_files_with

    (tmp_path / "semicolons.csv").write_text("\ufeffitem_code;batch_no;expiry;qty\nD0001;B;03/2099;20,000\n", encoding="utf-8")
    (tmp_path / "commas.csv").write_text("item_code,batch_no,expiry,qty\nD0001,B,03/2099,5\n", encoding="utf-8")
    (tmp_path / "other.csv").write_text("username;full_name\nx;y\n", encoding="utf-8")
    assert [path.name for path in csv_files_with([tmp_path], CHALLAN_COLUMNS)] == ["commas.csv", "semicolons.csv"]
