"""The main window: facility, user and date always on top, every screen one key away, sync state below.

F2 Dispense, F3 Receive, F4 Stock, F5 Alerts, F6 Documents, F7 Adjust, F8 Transfer,
F9 Stocktake, F11 Sync, Ctrl+B Backup, F12 Settings; Ctrl+Shift+L logs out. A user sees (and can reach by key) only
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
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ihms_desk.store import Store
from ihms_desk.store.errors import EnvironmentProblem
from ihms_desk.store.users import ROLE_LABELS, Action, Role
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt
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


class PlaceholderScreen(QWidget):
    """Stands in for a screen whose module is not there (yet); says so plainly."""

    def __init__(self, store: Store, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        label = QLabel(self.tr("{title}: this screen is not available in this build.").format(title=title), self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)

    @Slot()
    def refresh(self) -> None:
        pass


def load_screen_class(spec: ScreenSpec) -> type[QWidget] | None:
    """The screen's class, or None if its module is missing (a placeholder is shown instead)."""
    try:
        module = importlib.import_module(f"ihms_desk.ui.{spec.module}")
    except ImportError as error:
        log.warning("screen %s not available: %s", spec.key, error)
        return None
    found = getattr(module, spec.class_name, None)
    return found if isinstance(found, type) else None


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
        self.screens: dict[str, QWidget] = {}
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
        logout.triggered.connect(self.logout_requested)
        account.addAction(logout)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        account.addAction(quit_action)

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

    def screen_for(self, key: str) -> QWidget:
        """The screen for ``key``, built on first use."""
        if key not in self.screens:
            spec = next(spec for spec in self.specs if spec.key == key)
            widget = self._make_screen(spec)
            self.screens[key] = widget
            self.stack.addWidget(widget)
        return self.screens[key]

    def _make_screen(self, spec: ScreenSpec) -> QWidget:
        cls = load_screen_class(spec)
        if cls is None:
            return PlaceholderScreen(self.store, spec.title(), self)
        widget = cls(self.store, self)  # type: ignore[arg-type]
        saved = getattr(widget, "saved", None)
        if saved is not None and hasattr(saved, "connect"):
            saved.connect(self.on_document_saved)
        reversed_signal = getattr(widget, "reversed", None)
        if reversed_signal is not None and hasattr(reversed_signal, "connect"):
            reversed_signal.connect(self.on_document_saved)
        count_changed = getattr(widget, "count_changed", None)
        if count_changed is not None and hasattr(count_changed, "connect"):
            count_changed.connect(self.set_alert_count)
        if spec.key == "alerts" and self.sync_known is not None and self.sync_known[0]:
            widget.set_last_sync(self.sync_known[1])  # type: ignore[attr-defined]
        language = getattr(widget, "language_changed", None)
        if spec.key == "settings" and language is not None:
            language.connect(self.language_changed)
        self.screen_created.emit(spec.key, widget)
        return widget

    @Slot()
    def _on_go_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.go_to(str(action.data()))

    def go_to(self, key: str) -> QWidget | None:
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
        widget.setFocus()
        return widget

    def _refresh(self, widget: QWidget) -> None:
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            try:
                refresh()
            except EnvironmentProblem as problem:
                dialogs.show_problem(self, problem)

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
        alerts = self.screens.get("alerts")
        if online is not None and alerts is not None:
            alerts.set_last_sync(when)  # type: ignore[attr-defined]

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
