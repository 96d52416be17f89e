"""The main window: facility, user and date always on top, every screen one key away, sync state below.

F2 Dispense, F3 Receive, F4 Stock, F5 Alerts, F6 Documents, F1 Reports, F7 Adjust, F8 Transfer,
F9 Stocktake, F11 Sync, Ctrl+B Backup, F12 Settings, Ctrl+I Indent, Ctrl+Shift+R Vouchers (receive against the
warehouse's voucher, send a suggested transfer); Ctrl+Shift+L logs out, Ctrl+Q quits (both ask
first when a screen holds typed lines not saved). A user sees (and can reach by key) only
the screens their role may use; the store checks the role again on every operation.

Screens are built the first time they are opened, so the window shows fast on an old PC.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QToolBar, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem
from ihms_desk.store.users import ROLE_LABELS, Action, Role
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.screen import Screen
from ihms_desk.ui.sync_status import SyncStatus
from ihms_desk.ui.workers import run_in_worker

log = logging.getLogger("ihms_desk.ui")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


@dataclass(frozen=True)
class ScreenSpec:
    key: str
    module: str
    class_name: str
    title: Callable[[], str]
    shortcut: str
    action: Action | None


def screen_specs() -> list[ScreenSpec]:
    """Every screen, in menu order (titles translated when called)."""
    return [
        ScreenSpec("dispense", "dispense", "DispenseScreen", lambda: QCoreApplication.translate("MainWindow", "Dispense"), "F2", Action.DISPENSE),
        ScreenSpec("receive", "receive", "ReceiveScreen", lambda: QCoreApplication.translate("MainWindow", "Receive"), "F3", Action.RECEIVE),
        ScreenSpec("stock", "stock", "StockScreen", lambda: QCoreApplication.translate("MainWindow", "Stock"), "F4", Action.VIEW_STOCK),
        ScreenSpec("alerts", "alerts", "AlertsScreen", lambda: QCoreApplication.translate("MainWindow", "Alerts"), "F5", Action.VIEW_STOCK),
        ScreenSpec("documents", "documents", "DocumentsScreen", lambda: QCoreApplication.translate("MainWindow", "Documents"), "F6", Action.VIEW_STOCK),
        ScreenSpec("reports", "reports", "ReportsScreen", lambda: QCoreApplication.translate("MainWindow", "Reports"), "F1", Action.VIEW_STOCK),
        ScreenSpec("indent", "indent", "IndentScreen", lambda: QCoreApplication.translate("MainWindow", "Indent"), "Ctrl+I", Action.INDENT),
        ScreenSpec("vouchers", "vouchers", "VoucherScreen", lambda: QCoreApplication.translate("MainWindow", "Vouchers"), "Ctrl+Shift+R", Action.RECEIVE),
        ScreenSpec("adjust", "adjust", "AdjustScreen", lambda: QCoreApplication.translate("MainWindow", "Adjust"), "F7", Action.ADJUST),
        ScreenSpec("transfer", "transfer", "TransferScreen", lambda: QCoreApplication.translate("MainWindow", "Transfer"), "F8", Action.TRANSFER),
        ScreenSpec("stocktake", "stocktake", "StocktakeScreen", lambda: QCoreApplication.translate("MainWindow", "Stocktake"), "F9", Action.STOCKTAKE),
        ScreenSpec("sync", "sync_screen", "SyncScreen", lambda: QCoreApplication.translate("MainWindow", "Sync"), "F11", Action.CHANGE_SETTINGS),
        ScreenSpec("backup", "backup_screen", "BackupScreen", lambda: QCoreApplication.translate("MainWindow", "Backup"), "Ctrl+B", Action.CHANGE_SETTINGS),
        ScreenSpec("settings", "settings_screen", "SettingsScreen", lambda: QCoreApplication.translate("MainWindow", "Settings"), "F12", None),
    ]


def count_waiting_events(store: Store, progress: Callable[[str], None]) -> int:
    """Worker job: events not yet accepted by the server."""
    return store.outbox_counts()["pending"]


#: How long after the window opens the alerts screen is built for the badge count.
ALERTS_DELAY_MS = 400
#: After a save, the alert badge is recounted once no other save came for this long.
ALERTS_AFTER_SAVE_MS = 3000
#: Pause between importing two screens' modules in the background.
PRELOAD_STEP_MS = 60

#: Where each role starts the day.
HOME_SCREEN = {Role.PHARMACIST: "dispense", Role.STORE_CLERK: "receive", Role.IN_CHARGE: "alerts", Role.ADMIN: "stock"}


class PlaceholderScreen(Screen):
    """Stands in for a screen whose module is not there (yet); says so plainly."""

    def __init__(self, store: Store, title: str, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        label = QLabel(self.tr("{title}: this screen is not available in this build.").format(title=title), self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)


def load_screen_class(spec: ScreenSpec) -> type[Screen] | None:
    """The screen's class, or None if its module is missing (a placeholder is shown instead)."""
    try:
        module = importlib.import_module(f"ihms_desk.ui.{spec.module}")
    except ImportError as error:
        log.warning("screen %s not available: %s", spec.key, error)
        return None
    found = getattr(module, spec.class_name, None)
    return found if isinstance(found, type) and issubclass(found, Screen) else None


class MainWindow(QMainWindow):
    """The logged-in user's workspace."""

    logout_requested = Signal()
    #: A screen was built (its key and the widget): the app connects sync and backup to it.
    screen_created = Signal(str, object)
    #: Any screen saved or reversed a document (the SavedDocument): sync follows soon after.
    document_saved = Signal(object)
    #: The user chose another language in Settings ('en' or 'hi'): the app rebuilds the window.
    language_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None, *, start: str | None = None,
                 open_first: bool = True) -> None:
        super().__init__(parent)
        assert store.user is not None, "log in before opening the main window"
        self.store = store
        self.user = store.user
        self.facility = store.require_facility()
        self.specs = [spec for spec in screen_specs() if spec.action is None or self.user.may(spec.action)]
        self.screens: dict[str, Screen] = {}
        self.actions_by_key: dict[str, QAction] = {}
        self.setWindowTitle(self.tr("IHMS Desk — {facility}").format(facility=self.facility.name))
        self.setObjectName("main_window")
        self._build()
        self.update_sync_status()
        if open_first:
            self.open_first_screen(start)

    def open_first_screen(self, start: str | None = None) -> None:
        """Show ``start`` (or the role's home screen). The app calls it itself (``open_first=False``)
        after connecting :attr:`screen_created`, so the first screen is wired up like the rest."""
        home = start or HOME_SCREEN.get(self.user.role, "stock")
        if home not in self.actions_by_key:
            home = self.specs[0].key
        self.go_to(home)
        # The alert badge needs the alerts screen; build it once the window is painted, so
        # the counter sees its window first (measured in benchmarks/ui_bench.py).
        QTimer.singleShot(ALERTS_DELAY_MS, self._build_alerts_for_badge)
        # Import the other screens' modules one by one while the counter is idle, so the
        # first F-key press only builds the screen (the import was a third of it).
        self._to_preload = [spec for spec in self.specs if spec.key not in self.screens]
        QTimer.singleShot(ALERTS_DELAY_MS + PRELOAD_STEP_MS, self._preload_next)

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.facility_label = QLabel(
            f"<b>{self.facility.name}</b> · {self.facility.code} · {self.facility.district} / {self.facility.block}", self)
        self.facility_label.setObjectName("facility")
        role = QCoreApplication.translate("roles", ROLE_LABELS[self.user.role])
        self.user_label = QLabel(f"{self.user.full_name} ({role})", self)
        self.user_label.setObjectName("user")
        self.date_label = QLabel(self)
        self.date_label.setObjectName("date")
        header = QWidget(self)
        header.setObjectName("header")
        header.setStyleSheet("#header { background: #0b5d7a; } #header QLabel { color: white; font-size: 11pt; }")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(10, 6, 10, 6)
        header_layout.addWidget(self.facility_label, 1)
        header_layout.addWidget(self.user_label)
        header_layout.addSpacing(20)
        header_layout.addWidget(self.date_label)

        self.stack = QStackedWidget(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.toolbar = QToolBar(self.tr("Screens"), self)
        self.toolbar.setObjectName("screens_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.toolbar)
        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        group = QActionGroup(self)
        group.setExclusive(True)
        for spec in self.specs:
            action = QAction(f"{spec.title()}\t{spec.shortcut}", self)
            action.setObjectName(f"go_{spec.key}")
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setCheckable(True)
            action.setData(spec.key)
            action.triggered.connect(self._on_go_action)
            group.addAction(action)
            go_menu.addAction(action)
            self.toolbar.addAction(action)
            self.actions_by_key[spec.key] = action
        self._refresh_action_texts()
        account = self.menuBar().addMenu(self.tr("&Account"))
        logout = QAction(self.tr("Log out"), self)
        logout.setObjectName("logout")
        logout.setShortcut(QKeySequence("Ctrl+Shift+L"))
        logout.triggered.connect(self.ask_logout)
        account.addAction(logout)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        account.addAction(quit_action)

        self.shortcuts_label = QLabel(self)
        self.shortcuts_label.setObjectName("screen_shortcuts")
        self.statusBar().addWidget(self.shortcuts_label, 1)
        self.busy_label = QLabel(self.tr("Working…"), self)
        self.busy_label.setObjectName("busy")
        self.busy_label.hide()
        self.statusBar().addPermanentWidget(self.busy_label)
        #: The screens whose work is running in the worker thread, and what each adds to the title.
        self._busy: set[int] = set()
        self._titles: dict[str, str] = {}
        self.sync_status = SyncStatus(self)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(30_000)
        self.clock_timer.timeout.connect(self.update_date)
        self.clock_timer.start()
        self.update_date()
        self.sync_timer = QTimer(self)
        self.sync_timer.setInterval(15_000)
        self.sync_timer.timeout.connect(self.update_sync_status)
        self.sync_timer.start()
        self.alerts_count: int | None = None
        #: Whether sync is set up, and its last success: None until the sync loop first reports.
        self.sync_known: tuple[bool, dt.datetime | None] | None = None
        self.alerts_timer = QTimer(self)
        self.alerts_timer.setSingleShot(True)
        self.alerts_timer.setInterval(ALERTS_AFTER_SAVE_MS)
        self.alerts_timer.timeout.connect(self._refresh_alerts_badge)
        self._counting = False
        self._count_again = False

    def _refresh_action_texts(self) -> None:
        for spec in self.specs:
            title = spec.title()
            if spec.key == "alerts" and getattr(self, "alerts_count", None):
                title = f"{title} ({self.alerts_count})"
            self.actions_by_key[spec.key].setText(f"{spec.shortcut}  {title}")

    # -- navigation -------------------------------------------------------------------------

    def screen_for(self, key: str) -> Screen:
        """The screen for ``key``, built on first use."""
        if key not in self.screens:
            spec = next(spec for spec in self.specs if spec.key == key)
            widget = self._make_screen(spec)
            self.screens[key] = widget
            self.stack.addWidget(widget)
        return self.screens[key]

    def _make_screen(self, spec: ScreenSpec) -> Screen:
        cls = load_screen_class(spec)
        widget = PlaceholderScreen(self.store, spec.title(), self) if cls is None else cls(self.store, self)
        # What a screen may offer (ui/screen.py); a screen that offers nothing never emits.
        widget.saved.connect(self.on_document_saved)
        widget.count_changed.connect(self.set_alert_count)
        widget.busy.connect(self._on_screen_busy)
        widget.title_changed.connect(self._on_screen_title)
        if self.sync_known is not None:
            widget.show_sync_state(*self.sync_known)
        if spec.key == "settings":
            from ihms_desk.ui.settings_screen import SettingsScreen  # loaded by now: no cost

            if isinstance(widget, SettingsScreen):
                widget.language_changed.connect(self._on_language_changed)
        self.screen_created.emit(spec.key, widget)
        return widget

    @Slot()
    def _on_go_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.go_to(str(action.data()))

    def go_to(self, key: str) -> Screen | None:
        """Show a screen (if this user may use it), refreshed, with the cursor in its first field."""
        if key not in self.actions_by_key:
            return None
        created = key not in self.screens
        widget = self.screen_for(key)
        self.actions_by_key[key].setChecked(True)
        # The first screen added to the stack is current already: "created" catches it.
        if created or self.stack.currentWidget() is not widget:
            self.stack.setCurrentWidget(widget)
            # Stock may have changed on another screen (or in the worker): show fresh figures.
            self._refresh(widget)
        # The window forwards focus to the screen (and so to its first field): the program
        # focuses the window when it shows it, which used to leave the cursor nowhere.
        self.setFocusProxy(widget)
        widget.setFocus()
        self._update_title()
        self._show_shortcuts(widget)
        return widget

    def unsaved_work(self) -> list[str]:
        """Every screen's work not saved ("3 lines of Sita Devi not saved on Dispense")."""
        titles = {spec.key: spec.title() for spec in self.specs}
        return [f"{what} ({titles.get(key, key)})" for key, screen in self.screens.items() if (what := screen.unsaved_work())]

    def may_leave(self) -> bool:
        """True if nothing typed is unsaved, or the user agrees to leave it (kept as a draft)."""
        unsaved = self.unsaved_work()
        if self._leaving or not unsaved:
            return True
        if not dialogs.confirm(self, self.tr("Not saved"), self.tr(
                "{what}. Leave anyway? (What was typed is offered back next time.)").format(what="; ".join(unsaved))):
            return False
        self._leaving = True
        return True

    @Slot()
    def ask_logout(self) -> None:
        if self.may_leave():
            self.logout_requested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ctrl+Q or the window's close button with lines not saved: asked first."""
        if not self.may_leave():
            event.ignore()
            return
        super().closeEvent(event)

    #: Set once leaving was agreed to (or asked for by the program), so it is asked once.
    _leaving = False

    @Slot(str)
    def _on_language_changed(self, code: str) -> None:
        self._leaving = True  # the window is rebuilt in the other language; drafts keep the lines
        self.language_changed.emit(code)

    def _refresh(self, widget: Screen) -> None:
        try:
            widget.refresh()
        except EnvironmentProblem as problem:
            dialogs.show_problem(self, problem)

    @Slot(str)
    def _on_screen_title(self, text: str) -> None:
        screen = self.sender()
        key = next((key for key, widget in self.screens.items() if widget is screen), None)
        if key is not None:
            self._titles[key] = text
            self._update_title()

    def _update_title(self) -> None:
        """The facility, the screen, and what the screen says about itself ("2 lines not saved")."""
        title = self.tr("IHMS Desk — {facility}").format(facility=self.facility.name)
        key = self.current_key()
        spec = next((spec for spec in self.specs if spec.key == key), None)
        if spec is not None:
            title += f" — {spec.title()}"
            extra = self._titles.get(key or "", "")
            if extra:
                title += f" ({extra})"
        self.setWindowTitle(title)

    def _show_shortcuts(self, widget: Screen) -> None:
        keys = "   ".join(f"{key}: {what}" for key, what in widget.shortcuts())
        self.shortcuts_label.setText(keys)

    @Slot(bool)
    def _on_screen_busy(self, busy: bool) -> None:
        screen = self.sender()
        if busy:
            self._busy.add(id(screen))
        else:
            self._busy.discard(id(screen))
        self.busy_label.setVisible(bool(self._busy))

    def current_key(self) -> str | None:
        current = self.stack.currentWidget()
        return next((key for key, widget in self.screens.items() if widget is current), None)

    # -- header and status ------------------------------------------------------------------

    @Slot()
    def update_date(self) -> None:
        self.date_label.setText(fmt.date(dt.date.today()))

    @Slot()
    def update_sync_status(self) -> None:
        """Until sync is set up, show how many events wait to be sent (the outbox).

        Counted in the worker: on a five-year database the outbox holds a million rows and
        the count takes 150-250 ms, too long for the GUI thread.
        """
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        run_in_worker(self.store, count_waiting_events, on_finished=self._on_waiting_counted,
                      on_failed=self._on_count_failed)

    @Slot(object)
    def _on_waiting_counted(self, waiting: int) -> None:
        self._counting = False
        status = self.sync_status
        status.set_state(status.online, int(waiting), status.last_success, status.last_error)
        if self._count_again:
            self._count_again = False
            self.update_sync_status()

    @Slot(object)
    def _on_count_failed(self, error: object) -> None:
        self._counting = False
        log.warning("could not count the waiting events: %s", error)

    @Slot(object, int, object, object)
    def on_sync_state(self, online: bool | None, waiting: int, last_success: str | None, last_error: str | None) -> None:
        """The sync loop's news, for the "sync overdue" alert (online is None: not set up)."""
        when = dt.datetime.fromisoformat(last_success) if last_success else None
        self.sync_known = (online is not None, when)
        for screen in self.screens.values():
            screen.show_sync_state(*self.sync_known)

    @Slot(object)
    def on_document_saved(self, document: object) -> None:
        self.update_sync_status()
        self.document_saved.emit(document)
        # Stock changed: recount the alerts for the badge once a burst of saves is over.
        self.alerts_timer.start()

    @Slot()
    def _refresh_alerts_badge(self) -> None:
        alerts = self.screens.get("alerts")
        if alerts is not None and self.stack.currentWidget() is not alerts:
            self._refresh(alerts)
        # Stock changed: other screens show fresh figures next time they come into view.

    @Slot(int)
    def set_alert_count(self, count: int) -> None:
        self.alerts_count = count
        self._refresh_action_texts()

    @Slot()
    def _preload_next(self) -> None:
        if not self._to_preload:
            return
        load_screen_class(self._to_preload.pop(0))
        QTimer.singleShot(PRELOAD_STEP_MS, self._preload_next)

    @Slot()
    def _build_alerts_for_badge(self) -> None:
        if "alerts" in self.actions_by_key and "alerts" not in self.screens:
            self._refresh(self.screen_for("alerts"))
