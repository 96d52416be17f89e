"""Alerts the counter must act on: stock-outs, low stock, near expiry, expired on the shelf, and
a sync that has not succeeded for over a day.

The store decides what is an alert (:meth:`Store.alerts`); this screen reads them in the worker
thread, lists them most serious first, and tells the main window how many there are
(:attr:`AlertsScreen.count_changed`) for its badge.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ihms_desk.store import Store

from ihms_desk.store.model import Alert

from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.forms import RowsModel, choice_field, error_label, note_label, rows_table, run_store_job
from ihms_desk.ui.screen import Screen

#: A sync older than this is overdue (the desk syncs whenever the line is up, at least nightly).
SYNC_OVERDUE_AFTER = dt.timedelta(hours=24)
#: The order kinds are listed in, most serious first.
KIND_ORDER = ("sync_overdue", "stock_out", "expired", "low_stock", "near_expiry")


def sync_overdue(last_sync: dt.datetime | None, now: dt.datetime) -> bool:
    """Overdue when sync never succeeded, or last succeeded more than 24 hours ago."""
    if last_sync is None:
        return True
    if last_sync.tzinfo is None or now.tzinfo is None:
        last_sync, now = last_sync.replace(tzinfo=None), now.replace(tzinfo=None)
    return now - last_sync > SYNC_OVERDUE_AFTER


class AlertsScreen(Screen):
    """Everything that needs attention now, with a count for the main window's badge."""

    #: The user opened an alert about an item (Enter or double-click): its item code, so the
    #: main window can show it on the stock screen.
    item_activated = Signal(str)

    KIND, ITEM, MESSAGE = range(3)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self._alerts: list[Alert] = []
        self._sync_configured = False
        self._last_sync: dt.datetime | None = None
        self._tag = 0
        self.loading = False

        self.summary_label = note_label(self, "alerts_summary")
        self.kind_combo = choice_field(self, "alert_kind", [
            (self.tr("All alerts"), ""), *((self.kind_label(kind), kind) for kind in KIND_ORDER)])
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.error = error_label(self, "alerts")
        self.model = RowsModel([self.tr("Alert"), self.tr("Item"), self.tr("Details")], self._cell, self)
        # Fixed widths: a five-year desk can have thousands of alerts, too many to measure.
        self.view = rows_table(self, self.model, "alerts_table", stretch=self.MESSAGE,
                               widths={self.KIND: 150, self.ITEM: 80})

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.kind_combo)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        self.setFocusProxy(self.view)

        self.kind_combo.currentIndexChanged.connect(self._show)
        self.refresh_button.clicked.connect(self.refresh)
        self.view.activated.connect(self._on_activated)

    # -- public -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read the alerts again in the worker thread; :attr:`count_changed` follows."""
        self._tag += 1
        self.loading = True
        self.busy.emit(True)
        run_store_job(self.store, lambda store: store.alerts(), self._tag, self._on_loaded, self._on_failed, self)

    def show_sync_state(self, set_up: bool, last_success: dt.datetime | None) -> None:
        """The sync loop reported (a Screen's offer): an overdue sync is an alert, once set up."""
        if set_up:
            self.set_last_sync(last_success)

    def set_last_sync(self, when: dt.datetime | None) -> None:
        """The last successful sync, ``None`` if it never succeeded. Calling this at all says
        sync is set up; before the first call no sync alert is shown."""
        self._sync_configured = True
        self._last_sync = when
        self._show()

    def alerts(self) -> list[Alert]:
        """The alerts now shown or counted, the sync one included, most serious first."""
        alerts = list(self._alerts)
        if self._sync_configured and sync_overdue(self._last_sync, self.store.now()):
            if self._last_sync is None:
                message = self.tr("Sync has never succeeded: check the internet line and the sync settings.")
            else:
                message = self.tr("Last successful sync {when}: the district cannot see this stock. Check the internet line.").format(
                    when=fmt.datetime_local(self._last_sync))
            alerts.insert(0, Alert("sync_overdue", None, message, 2))
        order = {kind: n for n, kind in enumerate(KIND_ORDER)}
        alerts.sort(key=lambda alert: (-alert.severity, order.get(alert.kind, 99)))
        return alerts

    def kind_label(self, kind: str) -> str:
        return {
            "sync_overdue": self.tr("Sync overdue"),
            "stock_out": self.tr("Out of stock"),
            "expired": self.tr("Expired on the shelf"),
            "low_stock": self.tr("Low stock"),
            "near_expiry": self.tr("Near expiry"),
        }.get(kind, kind)

    # -- loading ----------------------------------------------------------------------------

    @Slot(object, int)
    def _on_loaded(self, alerts: list[Alert], tag: int) -> None:
        if tag != self._tag:
            return
        self.loading = False
        self.busy.emit(False)
        self.error.hide()
        self._alerts = alerts
        self._show()

    @Slot(object, int)
    def _on_failed(self, error: object, tag: int) -> None:
        if tag != self._tag:
            return
        self.loading = False
        self.job_failed(error, self.error)

    @Slot()
    def _show(self) -> None:
        alerts = self.alerts()
        kind = self.kind_combo.currentData()
        self.model.set_rows([alert for alert in alerts if not kind or alert.kind == kind])
        counts: dict[str, int] = {}
        for alert in alerts:
            counts[alert.kind] = counts.get(alert.kind, 0) + 1
        if alerts:
            self.summary_label.setText(" · ".join(f"{self.kind_label(k)}: {counts[k]}" for k in KIND_ORDER if k in counts))
        else:
            self.summary_label.setText(self.tr("Nothing needs attention."))
        self.count_changed.emit(len(alerts))

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        alert = self.model.row(index.row())
        if alert is not None and alert.item_code:
            self.item_activated.emit(alert.item_code)

    def _cell(self, alert: Alert, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.KIND:
                return self.kind_label(alert.kind)
            if column == self.ITEM:
                return alert.item_code or ""
            return self.alert_text(alert)
        if role == Qt.ItemDataRole.BackgroundRole and column == self.KIND:
            return fmt.EXPIRED_BG if alert.severity >= 2 else fmt.NEAR_EXPIRY_BG
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.alert_text(alert)
        return None

    def alert_text(self, alert: Alert) -> str:
        """The alert in the user's language, from the facts the store gives with it."""
        facts = alert.details
        if alert.kind == "stock_out" and facts:
            return self.tr("{name}: out of stock").format(name=facts["name"])
        if alert.kind in ("expired", "near_expiry") and facts:
            text = (self.tr("Batch {batch} expired {expiry}: {qty} on the shelf") if alert.kind == "expired"
                    else self.tr("Batch {batch} expires {expiry}: {qty} on the shelf"))
            return text.format(batch=facts["batch_no"], expiry=fmt.expiry(facts["expiry_month"]), qty=fmt.group_indian(facts["qty"]))
        if alert.kind == "low_stock" and facts:
            if facts["months"] is not None:
                return self.tr("{name}: {qty} left, {months} months of stock").format(
                    name=facts["name"], qty=fmt.qty_unit(facts["qty"], facts.get("unit")), months=fmt.months(facts["months"]))
            return self.tr("{name}: {qty} left, below the minimum {minimum}").format(
                name=facts["name"], qty=fmt.qty_unit(facts["qty"], facts.get("unit")), minimum=fmt.group_indian(facts["minimum"]))
        return alert.message
