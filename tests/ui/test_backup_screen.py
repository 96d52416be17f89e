"""The Backup screen and the daily backup timer, driven as the in-charge would, checked against
the files and the database they leave behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ihms_desk.backup import backup_dir, list_backups, plain_backup
from ihms_desk.store import Store
from ihms_desk.ui import backup_screen
from ihms_desk.ui.backup_screen import BackupScreen, DailyBackupScheduler


def documents(path: Path) -> int:
    with plain_backup(path) as plain:  # a backup is compressed
        conn = sqlite3.connect(plain)
        try:
            return int(conn.execute("SELECT count(*) FROM document").fetchone()[0])
        finally:
            conn.close()


def back_up(qtbot: QtBot, screen: BackupScreen) -> object:
    with qtbot.waitSignal(screen.backup_finished, timeout=20_000) as finished:
        qtbot.mouseClick(screen.backup_button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def test_back_up_now_writes_a_checked_copy_and_lists_it(qtbot: QtBot, incharge_store: Store) -> None:
    screen = BackupScreen(incharge_store)
    qtbot.addWidget(screen)
    assert "No backup has been taken yet" in screen.status_label.text()
    assert not screen.restore_button.isEnabled()

    report = back_up(qtbot, screen)
    copies = list_backups(backup_dir(incharge_store.path.parent))
    assert report.copies == copies and len(copies) == 1  # type: ignore[attr-defined]
    assert documents(copies[0]) == documents(incharge_store.path) == 2
    assert screen.table.rowCount() == 1
    assert screen.table.item(0, 2).text() == str(backup_dir(incharge_store.path.parent))
    assert "Last backup:" in screen.status_label.text()
    assert "Backup saved" in screen.message_label.text()
    assert screen.backup_button.isEnabled() and screen.restore_button.isEnabled()


def test_second_folder_is_saved_in_the_store_and_gets_each_copy(qtbot: QtBot, incharge_store: Store, tmp_path: Path) -> None:
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    screen = BackupScreen(incharge_store)
    qtbot.addWidget(screen)
    screen.folder_edit.clear()
    qtbot.keyClicks(screen.folder_edit, str(stick))
    qtbot.mouseClick(screen.save_folder_button, Qt.MouseButton.LeftButton)
    with Store.open(incharge_store.path.parent) as check:
        assert check.setting("backup_folder", "") == str(stick)
    assert "also be copied" in screen.message_label.text()

    back_up(qtbot, screen)
    assert len(list_backups(stick)) == 1 and documents(list_backups(stick)[0]) == 2
    assert screen.table.rowCount() == 2


def test_a_folder_that_does_not_exist_is_refused(qtbot: QtBot, incharge_store: Store, tmp_path: Path) -> None:
    screen = BackupScreen(incharge_store)
    qtbot.addWidget(screen)
    qtbot.keyClicks(screen.folder_edit, str(tmp_path / "stick-not-plugged-in"))
    qtbot.mouseClick(screen.save_folder_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in screen.message_label.text()
    assert incharge_store.setting("backup_folder", "unset") == "unset"


def test_a_pharmacist_may_back_up_but_not_change_the_folder(qtbot: QtBot, pharmacist_store: Store, tmp_path: Path) -> None:
    screen = BackupScreen(pharmacist_store)
    qtbot.addWidget(screen)
    qtbot.keyClicks(screen.folder_edit, str(tmp_path))
    qtbot.mouseClick(screen.save_folder_button, Qt.MouseButton.LeftButton)
    assert "may not change settings" in screen.message_label.text()
    assert pharmacist_store.setting("backup_folder", "unset") == "unset"
    back_up(qtbot, screen)
    assert len(list_backups(backup_dir(pharmacist_store.path.parent))) == 1


def test_a_failed_backup_says_why_and_keeps_the_button_usable(qtbot: QtBot, incharge_store: Store) -> None:
    blocker = backup_dir(incharge_store.path.parent)
    blocker.write_text("a file where the backups folder should be")
    screen = BackupScreen(incharge_store)
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.backup_failed, timeout=20_000) as failed:
        qtbot.mouseClick(screen.backup_button, Qt.MouseButton.LeftButton)
    assert "The backup failed" in failed.args[0] and str(blocker) in failed.args[0]
    assert screen.message_label.text() == failed.args[0]
    assert screen.backup_button.isEnabled()


def test_restore_is_confirmed_then_asked_of_the_app(qtbot: QtBot, incharge_store: Store,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    questions: list[str] = []
    answer = {"yes": False}
    monkeypatch.setattr(backup_screen, "confirm_restore", lambda parent, text: questions.append(text) or answer["yes"])
    screen = BackupScreen(incharge_store)
    qtbot.addWidget(screen)
    back_up(qtbot, screen)
    qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)
    assert "Choose a backup" in screen.message_label.text() and questions == []
    screen.table.selectRow(0)
    with qtbot.assertNotEmitted(screen.restore_requested):
        qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)  # the in-charge says No
    assert "(2 documents)" in questions[0] and "must be entered again" in questions[0]
    answer["yes"] = True
    with qtbot.waitSignal(screen.restore_requested, timeout=2_000) as asked:
        qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)
    assert asked.args == [str(list_backups(backup_dir(incharge_store.path.parent))[0])]
    assert documents(incharge_store.path) == 2  # the screen itself replaced nothing


def test_daily_timer_takes_one_backup_a_day(qtbot: QtBot, incharge_store: Store) -> None:
    scheduler = DailyBackupScheduler(incharge_store, first_ms=0, interval_ms=60_000)
    with qtbot.waitSignal(scheduler.backup_finished, timeout=20_000) as finished:
        pass
    assert len(finished.args[0].copies) == 1
    # The next tick the same day finds today's backup and does nothing.
    with qtbot.assertNotEmitted(scheduler.backup_finished, wait=1_000):
        scheduler.check()
    assert len(list_backups(backup_dir(incharge_store.path.parent))) == 1
    scheduler.timer.stop()
