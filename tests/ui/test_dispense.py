"""The dispensing screen, driven with the keyboard as a pharmacist would, checked against the store."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

from ihms_desk.store import Store
from ihms_desk.ui import dialogs
from ihms_desk.ui.dispense import DispenseLineModel, DispenseScreen, RecentDispensesModel


def make_screen(qtbot, store: Store) -> DispenseScreen:
    screen = DispenseScreen(store)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    with qtbot.waitActive(screen):
        screen.activateWindow()
    screen.opd_edit.setFocus()
    return screen


def focused() -> object:
    return QApplication.focusWidget()


def type_patient(qtbot, screen: DispenseScreen, opd: str = "251125/0042", name: str = "Sita Devi", age: str = "34",
                 sex: str = "F", prescriber: str = "Dr. R. Meena") -> None:
    """OPD no -> name -> age/sex in one field -> prescriber with Enter and Tab, as at the counter
    (the offered OPD number and prescriber are selected, so typing replaces them)."""
    qtbot.keyClicks(screen.opd_edit, opd)
    qtbot.keyClick(screen.opd_edit, Qt.Key.Key_Return)
    assert focused() is screen.name_edit
    qtbot.keyClicks(screen.name_edit, name)
    qtbot.keyClick(screen.name_edit, Qt.Key.Key_Tab)
    assert focused() is screen.age_sex_edit
    qtbot.keyClicks(screen.age_sex_edit, age + sex)
    qtbot.keyClick(screen.age_sex_edit, Qt.Key.Key_Return)
    assert focused() is screen.prescriber_edit
    qtbot.keyClicks(screen.prescriber_edit, prescriber)
    qtbot.keyClick(screen.prescriber_edit, Qt.Key.Key_Tab)
    assert focused() is screen.picker.line_edit


def type_line(qtbot, screen: DispenseScreen, search: str, quantity: str) -> None:
    """Item search -> Enter picks -> quantity -> Enter adds -> back in the item search."""
    qtbot.keyClicks(screen.picker.line_edit, search)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    assert focused() is screen.qty_edit
    qtbot.keyClicks(screen.qty_edit, quantity)
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert focused() is screen.picker.line_edit


def stock_of(store: Store, code: str) -> int:
    return sum(batch.qty for batch in store.item_batches(code))


def test_four_line_prescription_by_keyboard(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    before = check_store.outbox_counts()["pending"]
    type_patient(qtbot, screen)
    type_line(qtbot, screen, "paracet", "1-0-1 x5")      # 10
    type_line(qtbot, screen, "amox", "1-1-1 x 3")         # 9
    type_line(qtbot, screen, "cetiriz", "OD x 10")        # 10
    type_line(qtbot, screen, "iron and folic", "BD x5")   # generic name, 10
    assert [line.qty_prescribed for line in screen.model.lines] == [10, 9, 10, 10]
    # FEFO: paracetamol comes from the batch that expires first.
    assert screen.model.lines[0].plan.allocations[0].batch_no == "PCM-A"
    with qtbot.waitSignal(screen.saved) as saved:
        qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    document = saved.args[0]

    stored = check_store.document(document.number)
    assert stored.kind == "dispense"
    assert stored.header["opd_no"] == "251125/0042"
    assert stored.header["patient_name"] == "Sita Devi"
    assert stored.header["age"] == 34 and stored.header["sex"] == "F"
    assert stored.header["prescriber"] == "Dr. R. Meena"
    assert [(line["item_code"], line["qty_dispensed"]) for line in stored.lines] == [
        ("D0001", 10), ("D0002", 9), ("D0004", 10), ("D0006", 10)]
    assert {(m["item_code"], m["batch_no"], m["qty"]) for m in stored.movements} == {
        ("D0001", "PCM-A", -10), ("D0002", "AMX-1", -9), ("D0004", "CET-1", -10), ("D0006", "IFA-1", -10)}
    assert stock_of(check_store, "D0001") == 1090
    assert check_store.outbox_counts()["pending"] == before + 1
    # Ready for the next patient: empty form, cursor in OPD no, the dispense listed.
    assert screen.model.rowCount() == 0 and screen.name_edit.text() == ""
    assert screen.opd_edit.text() == check_store.next_opd_no() and screen.opd_edit.selectedText() == screen.opd_edit.text()
    assert focused() is screen.opd_edit
    assert document.number in screen.message.text()
    assert screen.recent_model.row(0).number == document.number


def test_f10_saves_too(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    type_patient(qtbot, screen, opd="F10/1")
    type_line(qtbot, screen, "D0003", "30")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert check_store.recent_dispenses(1)[0].summary.startswith("F10/1")
    assert stock_of(check_store, "D0003") == 270


def test_short_stock_dispenses_what_there_is(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    type_patient(qtbot, screen, opd="SHORT/1", name="Mohan Lal", age="60", sex="M")
    type_line(qtbot, screen, "ORS", "10")            # only 4 sachets on the shelf
    type_line(qtbot, screen, "pantopr", "OD x 14")   # never received: none at all
    notes = [screen.model.data(screen.model.index(row, DispenseLineModel.NOTE)) for row in range(2)]
    assert "6" in notes[0] and notes[1]
    with qtbot.waitSignal(screen.saved) as saved:
        qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    stored = check_store.document(saved.args[0].number)
    assert [(line["item_code"], line["qty_prescribed"], line["qty_dispensed"], line["not_available"]) for line in stored.lines] == [
        ("D0005", 10, 4, 6), ("D0008", 14, 0, 14)]
    assert stock_of(check_store, "D0005") == 0
    assert "NOT AVAILABLE" in screen.message.text() and "6" in screen.message.text()


def test_expired_batch_refused_on_screen_nothing_written(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    documents_before = len(check_store.recent_dispenses(100))
    events_before = check_store.outbox_counts()["pending"]
    type_patient(qtbot, screen, opd="EXP/1")
    type_line(qtbot, screen, "azithro", "3")
    assert screen.model.lines[0].plan.allocations[0].batch_no == "AZ-NEW"
    # Choose the expired batch in the batch column with the keyboard: F2 opens the list.
    screen.lines_view.setFocus()
    screen.lines_view.setCurrentIndex(screen.model.index(0, DispenseLineModel.BATCH))
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_F2)
    editor = screen.lines_view.findChild(QComboBox, "batch_editor")
    assert editor is not None
    old = editor.findData("AZ-OLD")
    assert "EXPIRED" in editor.itemText(old)
    editor.setCurrentIndex(old)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The view commits the editor's choice through a queued call.
    qtbot.waitUntil(lambda: screen.model.lines[0].batch_no == "AZ-OLD")
    assert "expired" in screen.errors["general"].text()
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "AZ-OLD" in screen.errors["general"].text() and "expired" in screen.errors["general"].text()
    assert screen.errors["general"].isVisible()
    assert len(check_store.recent_dispenses(100)) == documents_before
    assert check_store.outbox_counts()["pending"] == events_before
    assert stock_of(check_store, "D0009") == 150
    # The form is kept so the pharmacist can pick another batch and save.
    assert screen.opd_edit.text() == "EXP/1" and screen.model.rowCount() == 1


def test_refusal_shown_next_to_field(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    qtbot.keyClick(screen.opd_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.name_edit, "Sita Devi")
    qtbot.keyClick(screen.name_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.age_sex_edit, "34")          # the sex left out
    qtbot.keyClick(screen.age_sex_edit, Qt.Key.Key_Return)
    assert screen.errors["sex"].isVisible() and "sex" in screen.errors["sex"].text()
    assert focused() is screen.age_sex_edit
    screen.picker.setFocus()
    type_line(qtbot, screen, "D0004", "5")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert focused() is screen.age_sex_edit and screen.errors["age"].isVisible()
    assert check_store.recent_dispenses(100) == []


def test_bad_quantity_is_explained(qtbot, pharmacist_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    qtbot.keyClicks(screen.picker.line_edit, "D0004")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.qty_edit, "1-0-1")
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 0
    assert "1-0-1 x5" in screen.errors["quantity"].text()
    screen.qty_edit.clear()
    qtbot.keyClicks(screen.qty_edit, "TDS x 5")
    assert "15" in screen.qty_result.text()


def test_incharge_reverses_a_dispense(qtbot, incharge_store: Store, check_store: Store, monkeypatch) -> None:
    screen = make_screen(qtbot, incharge_store)
    type_patient(qtbot, screen, opd="REV/1")
    type_line(qtbot, screen, "D0007", "20")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert stock_of(check_store, "D0007") == 380
    assert screen.reverse_button.isVisible()
    screen.recent_view.setCurrentIndex(screen.recent_model.index(0, 0))
    monkeypatch.setattr(dialogs, "ask_text", lambda *args, **kwargs: "wrong patient")
    reversal = screen.reverse_selected()
    assert reversal is not None
    assert stock_of(check_store, "D0007") == 400
    assert check_store.document(reversal.number).reason == "wrong patient"
    assert screen.recent_model.row(0).reversed_by == reversal.number


def test_pharmacist_cannot_see_reverse(qtbot, pharmacist_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    assert not screen.reverse_button.isVisible()


def test_models_pass_modeltester(qtmodeltester, qtbot, pharmacist_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    type_patient(qtbot, screen)
    type_line(qtbot, screen, "paracet", "2000")
    type_line(qtbot, screen, "ORS", "5")
    qtmodeltester.check(screen.model)
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    recent = RecentDispensesModel()
    recent.set_rows(pharmacist_store.recent_dispenses(20))
    assert recent.rowCount() == 1
    qtmodeltester.check(recent)


def test_escape_and_delete_correct_a_prescription(qtbot, pharmacist_store: Store, check_store: Store) -> None:
    screen = make_screen(qtbot, pharmacist_store)
    type_patient(qtbot, screen, opd="FIX/1")
    qtbot.keyClicks(screen.picker.line_edit, "ibupro")
    qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_Return)
    qtbot.keyClick(screen.qty_edit, Qt.Key.Key_Escape)  # wrong item: back to the search
    assert focused() is screen.picker.line_edit and screen.model.rowCount() == 0
    screen.picker.clear()
    type_line(qtbot, screen, "D0003", "10")
    type_line(qtbot, screen, "D0004", "5")
    screen.lines_view.setFocus()
    screen.lines_view.setCurrentIndex(screen.model.index(0, DispenseLineModel.ITEM))
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_Delete)
    assert [line.item.code for line in screen.model.lines] == ["D0004"]
    qtbot.keyClick(screen.lines_view, Qt.Key.Key_F10)
    stored = check_store.recent_dispenses(1)[0]
    assert [line["item_code"] for line in check_store.document(stored.number).lines] == ["D0004"]
    assert stock_of(check_store, "D0003") == 300


def test_locked_database_explained_and_form_kept(qtbot, pharmacist_store: Store, chc_dir) -> None:
    """An environment problem (another program holds the database) gets a message box saying
    what to do; nothing is saved and the prescription stays on screen to save again."""
    import sqlite3

    from ihms_desk.paths import database_path

    pharmacist_store.conn.execute("PRAGMA busy_timeout = 100")  # fail fast instead of waiting 5 s
    screen = make_screen(qtbot, pharmacist_store)
    type_patient(qtbot, screen, opd="LOCK/1")
    type_line(qtbot, screen, "D0004", "5")
    other = sqlite3.connect(database_path(chc_dir), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    shown_before = len(dialogs.shown)
    try:
        qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(dialogs.shown) == shown_before + 1
    title, message = dialogs.shown[-1]
    assert title == "Nothing was saved" and "Close the other copy and save again" in message
    assert screen.opd_edit.text() == "LOCK/1" and screen.model.rowCount() == 1
    assert pharmacist_store.recent_dispenses(5) == []
    with qtbot.waitSignal(screen.saved):
        qtbot.keyClick(screen.picker.line_edit, Qt.Key.Key_F10)
    assert pharmacist_store.recent_dispenses(1)[0].summary.startswith("LOCK/1")
