"""Start the desktop program: Qt application, fonts, language, then setup, login and the main window.

``ihms-desk`` calls :func:`run_app`, which runs one :class:`Startup`: the steps from the data
folder to the first window, in order, each with its typed result. The
:class:`AppController` then moves between the first-run setup, the login screen and the
logged-in main window, and rebuilds the main window when the language changes (every label is
then created again through ``tr()``).

Start-up shows the login screen first and loads the rest behind it: the store, the main
window's module and the integrity check are not needed until someone has typed a password,
and importing them before the first window doubled the time to a window (see
``docs/performance.md``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QWidget

from ihms_desk.paths import DataFolder
from ihms_desk.store.errors import DatabaseCorrupt, DatabaseMissing, EnvironmentProblem, StoreError
from ihms_desk.ui import dialogs, i18n, startup_checks
from ihms_desk.ui.login import LoginScreen

if TYPE_CHECKING:
    from ihms_desk.instance_lock import InstanceLock
    from ihms_desk.store import Store
    from ihms_desk.ui.main_window import MainWindow
    from ihms_desk.ui.screen import Screen
    from ihms_desk.ui.setup_wizard import SetupWizard
    from ihms_desk.ui.sync_adapter import SyncAdapter

log = logging.getLogger("ihms_desk.ui")

EXIT_ENVIRONMENT = 3
#: The sync loop and the backup timer start this long after the first window is shown.
SERVICES_DELAY_MS = 300
DEFAULT_SIZE = (1280, 760)
LOGIN_SIZE = (720, 520)


def _quit(code: int) -> None:
    QApplication.exit(code)


#: Ends the program's event loop with an exit status; tests replace it to see the status.
quit_program: Callable[[int], None] = _quit


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists, as in tests), named, with the bundled fonts."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("IHMS Desk")
    app.setOrganizationName("IHMS")
    i18n.load_fonts(app)
    return app


class AppController(QObject):
    """Shows one top-level window at a time: setup, login, or the main window."""

    #: Whether this controller starts the sync loop and backup timer itself (run_app sets it;
    #: tests hand in their own adapter or none).
    run_services = False

    def __init__(self, store: Store, *, demo: bool = False, maximize: bool = False, sync: SyncAdapter | None = None,
                 lock: InstanceLock | None = None) -> None:
        super().__init__()
        self.store = store
        self.folder = store.folder
        self.demo = demo
        self.maximize = maximize
        #: The sync loop in its own thread, when this run has one.
        self.sync: SyncAdapter | None = sync
        #: The instance lock on the data folder (a restore needs it).
        self.lock = lock
        self.window: QWidget | None = None
        self.main_window: MainWindow | None = None
        self.backup_timer: QObject | None = None
        #: The integrity check running behind the window (stopped before a restore or at exit).
        self.integrity_check: startup_checks.IntegrityCheckThread | None = None
        self._services_started = sync is not None

    def start(self, login: LoginScreen | None = None) -> None:
        """The first window; ``login`` is a login screen already on screen, shown before the
        store was open (see :func:`run_app`), which now gets the store."""
        if self.store.facility() is None:
            i18n.set_language("en")
            self.show_setup()
        elif login is not None:
            login.logged_in.connect(self.on_logged_in)
            self.window = login
            login.set_store(self.store)
        else:
            i18n.set_language(self.store.setting("language", "en"))
            self.show_login()

    # -- the three windows ------------------------------------------------------------------

    def show_setup(self) -> SetupWizard:
        # Imported here: only the first run on a new data folder needs it (start-up time).
        from ihms_desk.ui.setup_wizard import SetupWizard

        wizard = SetupWizard(self.store)
        wizard.finished.connect(self.on_setup_done)
        wizard.language_changed.connect(self.change_setup_language)
        self._show(wizard, size=(720, 680))
        return wizard

    def _apply_text_size(self) -> None:
        """The desk's text size (Settings), before a window's widgets measure their font."""
        i18n.set_text_size(self.store.setting("text_size", str(i18n.BASE_POINT_SIZE)))

    @Slot(str)
    def change_setup_language(self, code: str) -> None:
        """The wizard again in the chosen language, with what was typed kept."""
        from ihms_desk.ui.setup_wizard import SetupWizard

        old = self.window
        values = old.values() if isinstance(old, SetupWizard) else {}
        i18n.set_language(code)
        self.show_setup().set_values(values)

    def show_login(self) -> LoginScreen:
        self._apply_text_size()
        login = LoginScreen(self.store, demo=self.demo)
        login.logged_in.connect(self.on_logged_in)
        self._show(login, size=LOGIN_SIZE)
        return login

    def show_main(self, start: str | None = None) -> MainWindow:
        from ihms_desk.ui.main_window import MainWindow

        self._apply_text_size()
        window = MainWindow(self.store, open_first=False)
        window.logout_requested.connect(self.logout)
        window.language_changed.connect(self.change_language)
        # Connected before the first screen is built, so that one is wired up too.
        window.screen_created.connect(self.on_screen_created)
        self._wire_sync(window)
        window.open_first_screen(start)
        self._show(window, size=DEFAULT_SIZE, maximize=self.maximize)
        self.main_window = window
        return window

    def _wire_sync(self, window: MainWindow) -> None:
        if self.sync is None:
            return
        self.sync.stateChanged.connect(window.sync_status.set_state)
        self.sync.stateChanged.connect(window.on_sync_state)
        window.document_saved.connect(self.sync.localSaved)
        for screen in window.screens.values():
            screen.attach_sync(self.sync)

    @Slot()
    def start_services(self) -> None:
        """The sync loop and the daily backup, started once the first window is up (importing
        the sync client alone took 120 ms) and once the facility is set up."""
        if self._services_started or self.store.facility() is None:
            return
        self._services_started = True
        self.sync = _start_sync(self.folder, self)
        if self.main_window is not None and self.window is self.main_window:
            self._wire_sync(self.main_window)
        self.backup_timer = _start_daily_backup(self.store, self)

    @Slot(str, object)
    def on_screen_created(self, key: str, widget: Screen) -> None:
        """Screens that talk to the program's sync loop or replace its database."""
        if self.sync is not None:
            widget.attach_sync(self.sync)
        if key == "backup":
            from ihms_desk.ui.backup_screen import BackupScreen  # loaded by now: no cost

            if isinstance(widget, BackupScreen):
                widget.restore_requested.connect(self.restore)

    @Slot(str)
    def restore(self, backup_file: str) -> None:
        """Put a backup in place of the database: the store is closed first, and the program
        closes afterwards (every screen and the sync loop held the old file)."""
        if not dialogs.confirm(self.window, self.tr("Restore a backup"), self.tr(
                "Replace the database with the backup {file}? Everything saved after that backup "
                "is lost on this PC (the server keeps what was synced). IHMS Desk closes afterwards.").format(
                file=Path(backup_file).name)):
            return
        self.replace_database(Path(backup_file))

    def replace_database(self, backup_file: Path) -> None:
        """Close everything that holds the database, restore ``backup_file``, say how it went,
        and quit (the person opens the program again on the restored file)."""
        from ihms_desk.backup import restore_backup

        parent = self.window
        if self.sync is not None:
            self.sync.stop()
        if self.integrity_check is not None:
            self.integrity_check.cancel()  # its connection must not hold the file being replaced
        from ihms_desk.ui import workers

        workers.shutdown()
        self.store.close()
        try:
            restore_backup(self.folder.root, backup_file, lock=self.lock)
        except StoreError as error:
            dialogs.tell_and_wait(parent, self.tr("Not restored"), i18n.refusal_text(error))
        else:
            dialogs.tell_and_wait(parent, self.tr("Restored"), self.tr(
                "The backup is in place. Open IHMS Desk again."))
        quit_program(0)

    @Slot(object)
    def on_start_check(self, problem: startup_checks.StartupProblem | None) -> None:
        """The integrity check run behind the login screen has finished: a damaged database
        is said at once, with the last good backup offered; a nearly full disk is warned of."""
        if problem is None:
            return
        choice = startup_checks.ask_choice(problem, self.window)
        if choice == startup_checks.CONTINUE and startup_checks.CONTINUE in problem.choices:
            return
        if choice == startup_checks.RESTORE and problem.offered_backup is not None:
            self.replace_database(problem.offered_backup.path)
            return
        quit_program(EXIT_ENVIRONMENT)

    def _show(self, widget: QWidget, *, size: tuple[int, int], maximize: bool = False) -> None:
        old = self.window
        self.window = widget
        widget.resize(*size)
        if maximize:
            widget.showMaximized()
        else:
            widget.show()
        widget.activateWindow()
        widget.setFocus()
        if old is not None:
            if old is self.main_window:
                self.main_window = None
            # The new window is visible first, so closing the old one does not quit the app.
            old.close()
            old.deleteLater()

    # -- moving between them ----------------------------------------------------------------

    @Slot(object)
    def on_setup_done(self, user: object) -> None:
        if self.run_services:
            QTimer.singleShot(SERVICES_DELAY_MS, self.start_services)
        i18n.set_language(self.store.setting("language", "en"))
        if self.store.user is None:
            self.show_login()
        else:
            self.show_main()

    @Slot(object)
    def on_logged_in(self, user: object) -> None:
        self.show_main()

    @Slot()
    def logout(self) -> None:
        self.store.logout()
        self.show_login()

    @Slot(str)
    def change_language(self, code: str) -> None:
        i18n.set_language(code)
        self.show_main(start="settings")


def _install_error_reporting() -> None:
    """The rotating log file, and the dialog that shows (and logs) any uncaught exception."""
    from ihms_desk.logging_setup import setup_logging
    from ihms_desk.ui import error_dialog

    setup_logging()
    error_dialog.install()


def _start_sync(folder: DataFolder, parent: QObject) -> SyncAdapter:
    """The sync loop in its own thread (it never blocks the window)."""
    # Imported here, after the first window shows: the sync client costs ~120 ms to import.
    from ihms_desk.ui.sync_adapter import SyncAdapter

    adapter = SyncAdapter(folder.root, parent=parent)
    adapter.start()
    return adapter


def _start_daily_backup(store: Store, parent: QObject) -> QObject:
    from ihms_desk.ui.backup_screen import DailyBackupScheduler

    return DailyBackupScheduler(store, parent=parent)


def open_store(folder: DataFolder, lock: InstanceLock, parent: QWidget | None) -> Store | None:
    """The store, or ``None`` when it cannot be opened and the person has been told why.
    A file too damaged to open gets the last good backup offered, as at any start."""
    from ihms_desk.store import Store

    for _ in range(2):  # once more after a restore
        try:
            return Store.open(folder.root)
        except DatabaseCorrupt as damage:
            log.error("database cannot be opened: %s", damage.message)
            offer = startup_checks.corrupt_problem(folder, damage.detail, missing=isinstance(damage, DatabaseMissing))
            if not startup_checks.settle(offer, folder, lock, parent):
                return None
        except EnvironmentProblem as problem:
            startup_checks.ask_choice(startup_checks.environment_problem(problem), parent)
            return None
    return None


def start_controller(store: Store, lock: InstanceLock, *, demo: bool, run_services: bool,
                     login: LoginScreen | None = None) -> AppController:
    """The controller on an open store, its first window up (``login`` if one is already
    shown), and the sync loop and daily backup due :data:`SERVICES_DELAY_MS` later."""
    controller = AppController(store, demo=demo, maximize=True, lock=lock)
    controller.run_services = run_services
    controller.start(login=login)
    if run_services:
        QTimer.singleShot(SERVICES_DELAY_MS, controller.start_services)
    return controller


class Startup(QObject):
    """The program's start, from the data folder to its first window, one step after another.

    On a set-up data folder (:meth:`run`): :meth:`show_login` puts the login screen on screen
    with what :func:`startup_checks.first_look` read, then :meth:`finish`, from the event loop
    once that screen is drawn, installs the log, claims the data folder, opens the store,
    hands it to the controller and starts the integrity check in its thread. A first run (the
    setup wizard needs the store) or a file too damaged to read runs every check before any
    window instead. :meth:`close` undoes it all at exit.
    """

    def __init__(self, folder: DataFolder, *, demo: bool, run_services: bool = True) -> None:
        super().__init__()
        self.folder = folder
        self.demo = demo
        #: Whether the sync loop and the daily backup start (tests leave them out).
        self.run_services = run_services
        #: The instance lock, claimed before anything is written.
        self.lock: InstanceLock | None = None
        self.login: LoginScreen | None = None
        self.controller: AppController | None = None
        self.check: startup_checks.IntegrityCheckThread | None = None

    def run(self) -> int | None:
        """The first window, or the exit status when the program must not open at all."""
        try:
            self.folder.root.mkdir(parents=True, exist_ok=True)
            first = startup_checks.first_look(self.folder)
            if first is not None:
                self.show_login(first)
        except BaseException:
            _install_error_reporting()  # so the failure is logged and shown
            raise
        if self.login is not None:
            QTimer.singleShot(0, self._finish_with_error_reporting)
            return None
        # First run (the setup wizard needs the store) or a file too damaged to read: every
        # check before any window.
        _install_error_reporting()
        self.lock = startup_checks.run_startup_checks(self.folder)
        if self.lock is None:
            return EXIT_ENVIRONMENT
        store = open_store(self.folder, self.lock, None)
        if store is None:
            return EXIT_ENVIRONMENT
        self.controller = self._start_controller(store, self.lock)
        return None

    def show_login(self, first: startup_checks.FirstLook) -> None:
        i18n.set_language(first.language)
        # The desk's text size, as every later window has it: the store is not open yet, so it
        # comes from the first look (the program's default when none was saved).
        i18n.set_text_size(first.text_size or i18n.BASE_POINT_SIZE)
        login = LoginScreen(None, demo=self.demo, facility_name=first.facility_name)
        login.resize(*LOGIN_SIZE)
        login.show()
        login.activateWindow()
        login.setFocus()
        self.login = login

    @Slot()
    def _finish_with_error_reporting(self) -> None:
        _install_error_reporting()
        self.finish()

    @Slot()
    def finish(self) -> None:
        # A second copy is refused here, over its own login screen: nothing was written yet,
        # the first look only read the file.
        lock, problem = startup_checks.claim_data_folder(self.folder)
        if problem is not None:
            startup_checks.ask_choice(problem, self.login)
            quit_program(EXIT_ENVIRONMENT)
            return
        assert lock is not None
        self.lock = lock
        store = open_store(self.folder, lock, self.login)
        if store is None:
            quit_program(EXIT_ENVIRONMENT)
            return
        controller = self.controller = self._start_controller(store, lock)
        self.check = controller.integrity_check = startup_checks.IntegrityCheckThread(self.folder, parent=controller)
        self.check.finished.connect(controller.on_start_check)
        self.check.start()

    def _start_controller(self, store: Store, lock: InstanceLock) -> AppController:
        return start_controller(store, lock, demo=self.demo, run_services=self.run_services, login=self.login)

    def close(self) -> None:
        """At exit: the sync loop stopped, running jobs finished, the session's end audited,
        the store closed and the data folder released."""
        if self.controller is not None:
            _close(self.controller)
        if self.lock is not None:
            self.lock.release()


def run_app(data_dir: Path, *, demo: bool = False) -> int:
    """Open the program on ``data_dir``; returns the exit status.

    On a set-up data folder the login screen is shown first, and the log file, the error
    dialog, the instance lock, the store and the integrity check come just after it (see
    :class:`Startup`); a failure before then still reaches the log and the error dialog.
    """
    app = create_application()
    startup = Startup(DataFolder(data_dir), demo=demo)
    try:
        status = startup.run()
        if status is not None:
            return status
        return int(app.exec())
    finally:
        startup.close()


def _close(controller: AppController) -> None:
    """At exit: the sync loop stopped, running jobs finished, the session's end audited."""
    from ihms_desk.ui import workers

    if controller.sync is not None:
        controller.sync.stop()
    if controller.integrity_check is not None:
        controller.integrity_check.cancel()  # a check of a large file is taken up at the next start
    workers.shutdown()
    store = controller.store
    try:
        if store.user is not None:
            store.logout()  # the audit trail records the end of the session
        store.close()
    except Exception:  # noqa: BLE001 - closed already by a restore
        log.debug("store already closed at exit", exc_info=True)
