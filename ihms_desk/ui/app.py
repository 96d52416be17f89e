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

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem
from ihms_desk.ui import i18n, workers
from ihms_desk.ui.login import LoginScreen
from ihms_desk.ui.main_window import MainWindow

if TYPE_CHECKING:
    from ihms_desk.ui.setup_wizard import SetupWizard

log = logging.getLogger("ihms_desk.ui")

EXIT_ENVIRONMENT = 3
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

    def __init__(self, store: Store, *, demo: bool = False, maximize: bool = False) -> None:
        super().__init__()
        self.store = store
        self.demo = demo
        self.maximize = maximize
        self.window: QWidget | None = None

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
        window = MainWindow(self.store, start=start)
        window.logout_requested.connect(self.logout)
        window.language_changed.connect(self.change_language)
        self._show(window, size=DEFAULT_SIZE, maximize=self.maximize)
        return window

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
    """Log file and the bug dialog, when this build has them (another part of the program)."""
    try:
        from ihms_desk.logging_setup import setup_logging

        setup_logging()
    except ImportError:
        logging.basicConfig(level=logging.INFO)
    try:
        from ihms_desk.ui import error_dialog

        error_dialog.install()
    except ImportError:
        pass


def run_app(data_dir: Path, *, demo: bool = False) -> int:
    """Open the program on ``data_dir``; returns the exit status."""
    app = create_application()
    _install_error_reporting()
    try:
        store = Store.open(data_dir)
    except EnvironmentProblem as problem:
        QMessageBox.critical(None, "IHMS Desk", i18n.refusal_text(problem))
        return EXIT_ENVIRONMENT
    controller = AppController(store, demo=demo, maximize=True)
    controller.start()
    try:
        return int(app.exec())
    finally:
        workers.shutdown()
        if store.user is not None:
            store.logout()  # the audit trail records the end of the session
        store.close()
