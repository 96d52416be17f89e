"""The counter's start: the login screen first, then the store, the lock and the integrity
check behind it; a password typed meanwhile is checked as soon as the store is open; a second
copy or a damaged database found behind the login screen is dealt with there."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ihms_desk import launch
from ihms_desk.backup import take_backup
from ihms_desk.paths import DataFolder
from ihms_desk.store import Store
from ihms_desk.store import database as store_database
from ihms_desk.store import integrity
from ihms_desk.store.model import DispenseLine, Patient
from ihms_desk.ui import app as program
from ihms_desk.ui import i18n, startup_checks
from ihms_desk.ui.login import LoginScreen
from ihms_desk.ui.startup_checks import StartupProblem
from tests.ui.conftest import PASSWORD

#: Run in a child process: the real `ihms-desk` start, stopped as its first window is shown,
#: printing which of the program's heavier modules were loaded by then.
FIRST_WINDOW_PROBE = textwrap.dedent(
    """
    import os, sys
    from ihms_desk import launch
    from ihms_desk.ui import app as program

    show_login = program.Startup.show_login

    def probe(self, first):
        show_login(self, first)
        heavy = ["ihms_desk.store.api", "ihms_desk.backup", "ihms_desk.ui.main_window", "filelock",
                 "requests", "ihms_desk.sync.client", "ihms_desk.cli", "sqlite_utils", "pyqtgraph", "numpy",
                 "ihms_desk.store.integrity", "ihms_desk.store.database", "ihms_desk.wording"]
        print("visible", self.login.isVisible(), "facility", first.facility_name, flush=True)
        print("loaded", ",".join(name for name in heavy if name in sys.modules), flush=True)
        # PySide6 puts its Qt namespace on QtCore at its first use, building ~90 enums then.
        print("qt_namespace", "Qt" in vars(sys.modules["PySide6.QtCore"]), flush=True)
        os._exit(0)

    program.Startup.show_login = probe
    launch.main(["--data-dir", sys.argv[1]])
    """
)


def test_the_login_screen_is_up_before_the_store_is_loaded(chc_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IHMS_LOG_DIR": str(tmp_path / "logs")}
    result = subprocess.run([sys.executable, "-c", FIRST_WINDOW_PROBE, str(chc_dir)], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["visible"] == "True facility CHC Testpur"
    # The store, the lock, the main window, the sync client, the parser, the Reports screen's
    # chart library (pyqtgraph, numpy), the integrity check and the wording tables all come after.
    assert lines["loaded"] == ""
    # So does PySide6's Qt namespace: its first use costs 20-40 ms (docs/performance.md).
    assert lines["qt_namespace"] == "False"


def test_a_relative_data_dir_opens_the_login_screen(chc_dir: Path, tmp_path: Path) -> None:
    # `ihms-desk --data-dir data` from the folder holding it: the first look at the file used
    # to build a file: URI from the relative path and crash (as_uri() needs an absolute one).
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IHMS_LOG_DIR": str(tmp_path / "logs")}
    result = subprocess.run([sys.executable, "-c", FIRST_WINDOW_PROBE, chc_dir.name], capture_output=True,
                            text=True, env=env, timeout=120, cwd=chc_dir.parent)
    assert result.returncode == 0, result.stderr
    assert "visible True facility CHC Testpur" in result.stdout


def test_a_relative_data_dir_is_made_absolute_once(chc_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(chc_dir.parent)
    folder = DataFolder.resolve(chc_dir.name)
    assert folder.root == chc_dir and folder.database.is_absolute()
    first = startup_checks.first_look(DataFolder(chc_dir.name))
    assert first is not None and first.facility_name == "CHC Testpur"


def test_a_password_typed_before_the_store_opens_is_checked_when_it_opens(qtbot, chc_dir: Path) -> None:
    screen = LoginScreen(None, facility_name="CHC Testpur")
    qtbot.addWidget(screen)
    assert "CHC Testpur" in screen.title_label.text()
    qtbot.keyClicks(screen.username_edit, "pharmacist")
    qtbot.keyClick(screen.username_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.password_edit, PASSWORD)
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)  # the store is not open yet
    assert screen.error_label.text() == ""
    with Store.open(chc_dir) as store:
        with qtbot.waitSignal(screen.logged_in) as blocker:
            screen.set_store(store)
        assert blocker.args[0].username == "pharmacist" and store.user is not None
        assert store.audit_trail(1)[0]["action"] == "login"


def test_a_facility_name_with_markup_is_shown_as_written(qtbot) -> None:
    screen = LoginScreen(None, facility_name="CHC <b>A&B</b>")
    qtbot.addWidget(screen)
    assert "CHC &lt;b&gt;A&amp;B&lt;/b&gt;" in screen.title_label.text()


@pytest.fixture
def quits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The exit statuses the program asked to quit with (it would end its event loop)."""
    codes: list[int] = []
    monkeypatch.setattr(program, "quit_program", codes.append)
    return codes


def start(qtbot, data_dir: Path) -> program.Startup:
    first = startup_checks.first_look(DataFolder(data_dir))
    assert first is not None
    startup = program.Startup(DataFolder(data_dir), demo=False, run_services=False)
    startup.show_login(first)
    assert startup.login is not None
    qtbot.addWidget(startup.login)
    return startup


def stop(startup: program.Startup) -> None:
    if startup.check is not None:
        startup.check.wait(30)
    if startup.controller is not None:
        startup.controller.store.close()
    if startup.lock is not None:
        startup.lock.release()


def test_the_counter_start_opens_the_store_behind_the_login_screen(qtbot, chc_dir: Path, quits: list[int],
                                                                   answers: list[StartupProblem]) -> None:
    startup = start(qtbot, chc_dir)
    try:
        assert startup.login is not None and startup.login.store is None and startup.lock is None
        startup.finish()
        assert startup.lock is not None and startup.lock.held
        assert startup.controller is not None and startup.login.store is startup.controller.store
        assert startup.check is not None
        with qtbot.waitSignal(startup.check.finished, timeout=30_000) as blocker:
            pass
        assert blocker.args == [None], "a sound database passes the check"
        qtbot.keyClicks(startup.login.username_edit, "clerk")
        qtbot.keyClicks(startup.login.password_edit, PASSWORD)
        with qtbot.waitSignal(startup.login.logged_in):
            qtbot.keyClick(startup.login.password_edit, Qt.Key.Key_Return)
        assert startup.controller.window is not None and startup.controller.window.objectName() == "main_window"
        startup.controller.window.close()
        assert answers == [] and quits == []
    finally:
        stop(startup)


@pytest.fixture
def text_size_back() -> Iterator[None]:
    """The program's own text size again after the test (the application font is shared)."""
    yield
    i18n.set_text_size(i18n.BASE_POINT_SIZE)


@pytest.mark.parametrize("saved", [None, "14", "16"])
def test_the_first_login_screen_has_the_desks_text_size(qtbot, chc_dir: Path, quits: list[int], text_size_back: None,
                                                        saved: str | None) -> None:
    if saved is not None:
        with Store.open(chc_dir) as store:
            store.act_as("clerk")
            store.set_setting("text_size", saved)
    expected = int(saved or i18n.BASE_POINT_SIZE)
    i18n.set_text_size(12)  # another data folder's size, left from before: not this desk's
    startup = start(qtbot, chc_dir)
    try:
        login = startup.login
        assert login is not None
        for widget in (login, login.username_edit, login.password_edit, login.login_button):
            assert widget.font().pointSize() == expected, widget.objectName()
        # The main window after it keeps the same size: the login screen no longer differs.
        startup.finish()
        qtbot.keyClicks(login.username_edit, "clerk")
        qtbot.keyClicks(login.password_edit, PASSWORD)
        with qtbot.waitSignal(login.logged_in):
            qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
        assert startup.controller is not None and startup.controller.window is not None
        assert startup.controller.window.font().pointSize() == expected
        startup.controller.window.close()
    finally:
        stop(startup)


SECOND_COPY = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ihms_desk.instance_lock import InstanceLock
    lock = InstanceLock(Path(sys.argv[1])).acquire()
    print("OPEN", flush=True)
    sys.stdin.read()
    """
)


def test_a_second_copy_is_refused_over_its_login_screen(qtbot, chc_dir: Path, quits: list[int],
                                                       answers: list[StartupProblem]) -> None:
    first = subprocess.Popen([sys.executable, "-c", SECOND_COPY, str(chc_dir)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "OPEN"
        startup = start(qtbot, chc_dir)
        startup.finish()
        assert [problem.kind for problem in answers] == ["second_copy"]
        assert quits == [program.EXIT_ENVIRONMENT]
        assert startup.controller is None and startup.lock is None and startup.login is not None
        assert startup.login.store is None, "nothing was opened"
    finally:
        first.communicate("", timeout=10)


def damage_the_end(path: Path, pages: int = 3) -> None:
    """Overwrite pages near the end of the file (the newest rows and index entries), leaving
    the facility and settings pages at its start readable."""
    data = bytearray(path.read_bytes())
    page = 4096
    start_page = len(data) // page - pages - 1
    data[start_page * page:(start_page + pages) * page] = bytes(range(256)) * (pages * page // 256)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("size", ["small", "large"])
def test_damage_found_behind_the_login_screen_offers_the_last_good_backup(qtbot, chc_dir: Path, quits: list[int],
                                                                          answers: list[StartupProblem],
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          size: str) -> None:
    """A small file gets the whole integrity check at each start; a large one (any file, with
    the limit at 0) its check table by table across starts (store/integrity.py): either way
    the damage is found behind the window and the backup offered."""
    if size == "large":
        monkeypatch.setattr(integrity, "WHOLE_CHECK_MAX_BYTES", 0)
    with Store.open(chc_dir) as store:
        store.act_as("pharmacist")
        for n in range(300):  # enough rows for the file to span many pages
            store.dispense(patient=Patient(f"OPD/{n}", "Patient", 30, "F"), prescriber="Dr. Rao",
                           lines=[DispenseLine("D0001", 1)])
    good = take_backup(chc_dir).copies[0]
    database = chc_dir / "ihms-desk.sqlite3"
    damage_the_end(database)
    # As a large file: only its bounded tables are checked when it opens (tests/test_damaged_files.py
    # has the damage found then), its history behind the login screen.
    monkeypatch.setattr(store_database, "QUICK_CHECK_MAX_BYTES", 0)
    told: list[str] = []
    monkeypatch.setattr(program.dialogs, "tell_and_wait", lambda parent, title, message: told.append(title))

    startup = start(qtbot, chc_dir)
    try:
        startup.finish()
        assert startup.check is not None and startup.controller is not None
        qtbot.waitUntil(lambda: bool(quits), timeout=30_000)
        assert [problem.kind for problem in answers] == ["corrupt"]
        assert answers[0].offered_backup is not None and answers[0].offered_backup.path == good
        assert told == ["Restored"] and quits == [0], "restored, and the program closes to be opened again"
    finally:
        if startup.lock is not None:
            startup.lock.release()
    with Store.open(chc_dir) as store:
        assert store.doctor() == []
        assert store.device_state()["epoch"] == 2, "the restored file starts a new sync epoch"


def test_window_only_command_lines_skip_the_parser() -> None:
    assert launch.window_data_dir([]) is None
    assert launch.window_data_dir(["--data-dir", "C:/IHMS"]) == "C:/IHMS"
    assert launch.window_data_dir(["--data-dir=C:/IHMS"]) == "C:/IHMS"
    for other in (["demo"], ["--help"], ["--data-dir"], ["--data-dir", "--help"], ["--self-test"],
                  ["--data-dir", "x", "stock"]):
        assert launch.window_data_dir(other) is not None and not isinstance(launch.window_data_dir(other), str)


def test_everything_else_goes_to_the_full_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        launch.main(["--help"])
    assert stopped.value.code == 0
    listed = capsys.readouterr().out
    for command in ("init", "demo", "stock", "doctor", "backup", "restore", "sync", "enrol"):
        assert command in listed
    with pytest.raises(SystemExit):
        launch.main(["no-such-command"])
    refusal = capsys.readouterr().err
    # An unknown word loads every module's commands, so the refusal lists them all.
    assert "invalid choice: 'no-such-command'" in refusal and "'sync'" in refusal and "'restore'" in refusal
