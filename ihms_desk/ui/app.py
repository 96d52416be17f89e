"""Start the desktop program: Qt application, fonts, language, then setup, login and the main window.

``ihms-desk`` calls :func:`run_app`; the :class:`AppController` moves between the first-run
setup, the login screen and the logged-in main window, and rebuilds the main window when the
language changes (every label is then created again through ``tr()``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem, StoreError
from ihms_desk.ui import dialogs, i18n, workers
from ihms_desk.ui.login import LoginScreen
from ihms_desk.ui.main_window import MainWindow

if TYPE_CHECKING:
    from ihms_desk.ui.setup_wizard import SetupWizard

log = logging.getLogger("ihms_desk.ui")

EXIT_ENVIRONMENT = 3
#: The sync loop and the backup timer start this long after the first window is shown.
SERVICES_DELAY_MS = 300
DEFAULT_SIZE = (1280, 760)


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

    def __init__(self, store: Store, *, demo: bool = False, maximize: bool = False, sync: QObject | None = None,
                 lock: object | None = None) -> None:
        super().__init__()
        self.store = store
        self.demo = demo
        self.maximize = maximize
        #: The SyncAdapter (sync loop in its own thread), when this run has one.
        self.sync = sync
        #: The instance lock on the data folder (a restore needs it).
        self.lock = lock
        self.window: QWidget | None = None
        self.backup_timer: QObject | None = None
        self._services_started = sync is not None

    def start(self) -> None:
        if self.store.facility() is None:
            i18n.set_language("en")
            self.show_setup()
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

    @Slot(str)
    def change_setup_language(self, code: str) -> None:
        """The wizard again in the chosen language, with what was typed kept."""
        from ihms_desk.ui.setup_wizard import SetupWizard

        old = self.window
        values = old.values() if isinstance(old, SetupWizard) else {}
        i18n.set_language(code)
        self.show_setup().set_values(values)

    def show_login(self) -> LoginScreen:
        login = LoginScreen(self.store, demo=self.demo)
        login.logged_in.connect(self.on_logged_in)
        self._show(login, size=(720, 520))
        return login

    def show_main(self, start: str | None = None) -> MainWindow:
        window = MainWindow(self.store, open_first=False)
        window.logout_requested.connect(self.logout)
        window.language_changed.connect(self.change_language)
        # Connected before the first screen is built, so that one is wired up too.
        window.screen_created.connect(self.on_screen_created)
        self._wire_sync(window)
        window.open_first_screen(start)
        self._show(window, size=DEFAULT_SIZE, maximize=self.maximize)
        return window

    def _wire_sync(self, window: MainWindow) -> None:
        if self.sync is None:
            return
        self.sync.stateChanged.connect(window.sync_status.set_state)  # type: ignore[attr-defined]
        self.sync.stateChanged.connect(window.on_sync_state)  # type: ignore[attr-defined]
        window.document_saved.connect(self.sync.localSaved)  # type: ignore[attr-defined]
        sync_screen = window.screens.get("sync")
        if sync_screen is not None and hasattr(sync_screen, "set_adapter"):
            sync_screen.set_adapter(self.sync)

    @Slot()
    def start_services(self) -> None:
        """The sync loop and the daily backup, started once the first window is up (importing
        the sync client alone took 120 ms) and once the facility is set up."""
        if self._services_started or self.store.facility() is None:
            return
        self._services_started = True
        data_dir = self.store.path.parent
        self.sync = _start_sync(data_dir, self)
        if isinstance(self.window, MainWindow):
            self._wire_sync(self.window)
        self.backup_timer = _start_daily_backup(self.store, self)

    @Slot(str, object)
    def on_screen_created(self, key: str, widget: object) -> None:
        """Screens that talk to the program's sync loop or replace its database."""
        if key == "sync" and self.sync is not None and hasattr(widget, "set_adapter"):
            widget.set_adapter(self.sync)
        if key == "backup" and hasattr(widget, "restore_requested"):
            widget.restore_requested.connect(self.restore)

    @Slot(str)
    def restore(self, backup_file: str) -> None:
        """Put a backup in place of the database: the store is closed first, and the program
        closes afterwards (every screen and the sync loop held the old file)."""
        from ihms_desk.backup import restore_backup

        parent = self.window
        if not dialogs.confirm(parent, self.tr("Restore a backup"), self.tr(
                "Replace the database with the backup {file}? Everything saved after that backup "
                "is lost on this PC (the server keeps what was synced). IHMS Desk closes afterwards.").format(
                file=Path(backup_file).name)):
            return
        data_dir = self.store.path.parent
        if self.sync is not None:
            self.sync.stop()  # type: ignore[attr-defined]
        workers.shutdown()
        self.store.close()
        try:
            restore_backup(data_dir, Path(backup_file), lock=self.lock)  # type: ignore[arg-type]
        except StoreError as error:
            dialogs.tell_and_wait(parent, self.tr("Not restored"), i18n.refusal_text(error))
        else:
            dialogs.tell_and_wait(parent, self.tr("Restored"), self.tr(
                "The backup is in place. Open IHMS Desk again."))
        app = QApplication.instance()
        if app is not None:
            app.quit()

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


#: Above this size the full integrity check is not run at start: it reads the whole file
#: (PRAGMA integrity_check took 124 s on the 2.5 GB five-year database, quick_check 8 s).
START_CHECK_MAX_BYTES = 100 * 1024 * 1024


def _start_checks(data_dir: Path) -> tuple[bool, object | None]:
    """Second copy, read-only or full folder, damaged database (offering the last good
    backup): ``(may_open, instance_lock)``."""
    from ihms_desk.paths import database_path
    from ihms_desk.ui import startup_checks

    path = database_path(data_dir)
    if path.exists() and path.stat().st_size > START_CHECK_MAX_BYTES:
        # Only the second-copy check: a counter must not wait minutes for its window.
        log.info("database is %d MB: integrity check skipped at start", path.stat().st_size // 2**20)
        lock, problem = startup_checks.claim_data_folder(data_dir)
        if problem is not None:
            startup_checks.ask_choice(problem, None)
            return False, None
        return True, lock
    lock = startup_checks.run_startup_checks(data_dir)
    return lock is not None, lock


def _start_sync(data_dir: Path, parent: QObject) -> QObject:
    """The sync loop in its own thread (it never blocks the window)."""
    # Imported here, after the first window shows: the sync client costs ~120 ms to import.
    from ihms_desk.ui.sync_adapter import SyncAdapter

    adapter = SyncAdapter(data_dir, parent=parent)
    adapter.start()
    return adapter


def _start_daily_backup(store: Store, parent: QObject) -> QObject:
    from ihms_desk.ui.backup_screen import DailyBackupScheduler

    return DailyBackupScheduler(store, parent=parent)


def run_app(data_dir: Path, *, demo: bool = False) -> int:
    """Open the program on ``data_dir``; returns the exit status."""
    app = create_application()
    _install_error_reporting()
    data_dir.mkdir(parents=True, exist_ok=True)
    may_open, lock = _start_checks(data_dir)
    if not may_open:
        return EXIT_ENVIRONMENT
    try:
        store = Store.open(data_dir)
    except EnvironmentProblem as problem:
        QMessageBox.critical(None, "IHMS Desk", i18n.refusal_text(problem))
        _release(lock)
        return EXIT_ENVIRONMENT
    controller = AppController(store, demo=demo, maximize=True, lock=lock)
    controller.run_services = True
    controller.start()
    QTimer.singleShot(SERVICES_DELAY_MS, controller.start_services)
    try:
        return int(app.exec())
    finally:
        if controller.sync is not None:
            controller.sync.stop()  # type: ignore[attr-defined]
        workers.shutdown()
        store = controller.store
        try:
            if store.user is not None:
                store.logout()  # the audit trail records the end of the session
            store.close()
        except Exception:  # noqa: BLE001 - closed already by a restore
            log.debug("store already closed at exit", exc_info=True)
        _release(lock)


def _release(lock: object | None) -> None:
    release = getattr(lock, "release", None)
    if callable(release):
        release()
