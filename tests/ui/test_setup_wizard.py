"""First run: the wizard sets the facility up, logs the administrator in and loads the catalogue in the worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.ui import setup_wizard
from ihms_desk.ui.app import AppController, create_application
from ihms_desk.ui.main_window import MainWindow
from ihms_desk.ui.setup_wizard import SetupWizard

CSV = """code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active
D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,500,1
D0002,Amoxicillin 500 mg Capsule,Amoxicillin,500 mg,capsule,capsule,drug,200,1
S0001,Gauze Swab,Gauze,10 cm,swab,piece,surgical,100,1
"""


@pytest.fixture(autouse=True)
def back_to_english():
    yield
    from ihms_desk.ui import i18n

    i18n.set_language("en")


@pytest.fixture()
def catalogue(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "starter.csv"
    path.write_text(CSV, encoding="utf-8")
    monkeypatch.setattr(setup_wizard, "starter_catalogue", lambda: path)
    return path


def fill(qtbot, wizard: SetupWizard, **values: str) -> None:
    for field, text in values.items():
        edit = wizard.edits[field]
        edit.clear()
        qtbot.keyClicks(edit, text)


def test_first_run_sets_up_and_loads_catalogue(qtbot, tmp_path: Path, catalogue: Path) -> None:
    create_application()
    data_dir = tmp_path / "new"
    store = Store.open(data_dir)
    controller = AppController(store)
    controller.start()
    wizard = controller.window
    assert isinstance(wizard, SetupWizard)
    fill(qtbot, wizard, code="rj-jpr-chc-014", name="CHC Chaksu", district="Jaipur", block="Chaksu",
         username="admin", full_name="Dr. A. Sharma", password="long-secret")
    wizard.language_combo.setCurrentIndex(wizard.language_combo.findData("hi"))
    wizard = controller.window  # built again in Hindi, with what was typed
    assert isinstance(wizard, SetupWizard)
    with qtbot.waitSignal(wizard.finished, timeout=10_000):
        qtbot.mouseClick(wizard.setup_button, Qt.MouseButton.LeftButton)
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    with Store.open(data_dir) as check:
        facility = check.facility()
        assert facility is not None and facility.code == "RJ-JPR-CHC-014" and facility.type == "CHC"
        assert [user.username for user in check.users()] == ["admin"]
        assert check.item_count() == 3
        assert check.setting("language", "en") == "hi"
    window.close()
    store.close()
    from ihms_desk.ui import i18n

    i18n.set_language("en")


def test_refusal_shown_next_to_the_field(qtbot, tmp_path: Path, catalogue: Path) -> None:
    store = Store.open(tmp_path / "new")
    wizard = SetupWizard(store)
    qtbot.addWidget(wizard)
    fill(qtbot, wizard, code="RJ-1", name="CHC X", district="Jaipur", block="X", username="admin",
         full_name="Admin", password="123")
    qtbot.mouseClick(wizard.setup_button, Qt.MouseButton.LeftButton)
    assert wizard.errors["password"].isVisibleTo(wizard)
    assert "at least" in wizard.errors["password"].text()
    assert store.facility() is None
    store.close()


def test_choosing_hindi_shows_the_wizard_in_hindi(qtbot, tmp_path: Path) -> None:
    from ihms_desk.ui import i18n

    create_application()
    store = Store.open(tmp_path / "new")
    controller = AppController(store)
    controller.start()
    wizard = controller.window
    assert isinstance(wizard, SetupWizard)
    fill(qtbot, wizard, code="RJ-1", name="CHC X")
    wizard.language_combo.setCurrentIndex(wizard.language_combo.findData("hi"))
    hindi = controller.window
    assert isinstance(hindi, SetupWizard) and hindi is not wizard
    qtbot.addWidget(hindi)
    assert hindi.setup_button.text() == "सेटअप करें"
    assert hindi.edits["code"].text() == "RJ-1" and hindi.edits["name"].text() == "CHC X"
    assert hindi.language_combo.currentData() == "hi"
    hindi.close()
    store.close()
    i18n.set_language("en")


def test_a_bad_catalogue_is_reported_and_setup_still_finishes(qtbot, tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nD1,Something\n", encoding="utf-8")
    monkeypatch.setattr(setup_wizard, "starter_catalogue", lambda: bad)
    store = Store.open(tmp_path / "new")
    wizard = SetupWizard(store)
    qtbot.addWidget(wizard)
    fill(qtbot, wizard, code="RJ-2", name="PHC Y", district="Jaipur", block="Y", username="admin",
         full_name="Admin", password="long-secret")
    with qtbot.waitSignal(wizard.finished, timeout=10_000):
        qtbot.mouseClick(wizard.setup_button, Qt.MouseButton.LeftButton)
    # The worker's refusal came back to the screen; the facility is set up, no items loaded.
    assert "no column" in wizard.status.text()
    assert store.facility() is not None and store.item_count() == 0
    store.close()
