"""A half-typed form kept in the database as it is typed, and offered back at the next start.

A screen names what it holds and how to put it back; :class:`DraftKeeper` does the rest::

    self.drafts = DraftKeeper(self, store, "receive", collect=self.draft_content, restore=self.restore_draft)
    edit.textChanged.connect(self.drafts.changed)   # any change: saved a moment later
    # the first time the screen is shown, a draft left is offered: "take back what was typed?"
    self.drafts.discard()                             # saved or emptied on purpose

``collect`` returns None for a form with nothing typed (no draft is kept then). The draft is
written a short moment after the last change, in its own small transaction (``store.save_draft``
in the same SQLite file, never the ledger), so a power cut loses at most that moment.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import StoreError
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt

log = logging.getLogger("ihms_desk.ui")

#: How long after the last change the draft is written.
DRAFT_DELAY_MS = 400


class DraftKeeper(QObject):
    """Keeps one screen's draft (see the module docstring)."""

    def __init__(self, screen: QWidget, store: Store, key: str, *, collect: Callable[[], dict[str, Any] | None],
                 restore: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(screen)
        self.screen = screen
        self.store = store
        self.key = key
        self.collect = collect
        self.restore = restore
        #: While a draft is being put back, its own changes are not saved again.
        self.paused = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_DELAY_MS)
        self.timer.timeout.connect(self._on_timer)
        screen.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # No screen while the garbage collector takes apart a screen nothing uses any more: it
        # clears this object's attributes first, and Qt's destruction of the (shown) screen
        # still sends its hiding here.
        if watched is not self.__dict__.get("screen"):
            return False
        if event.type() == QEvent.Type.Hide and self.timer.isActive():
            self.save_now()  # another screen comes up: what was just typed is kept now
        if event.type() == QEvent.Type.Show and not self._offered:
            self._offered = True
            # Asked once the screen is on view (the question needs its window), not in its build.
            QTimer.singleShot(0, self, self._offer_if_shown)  # dropped if the screen goes first
        return False

    #: Whether the draft was offered already (once, the first time the screen is shown).
    _offered = False

    @Slot()
    def _offer_if_shown(self) -> None:
        if self.screen.isVisible():
            self.offer()

    @Slot()
    def _on_timer(self) -> None:
        # Only a screen in view is typed into; a hidden one saved when it was hidden.
        if self.screen.isVisible():
            self.save_now()

    @Slot()
    def changed(self, *_: object) -> None:
        if not self.paused:
            self.timer.start()

    @Slot()
    def save_now(self) -> None:
        """Write the draft now (or drop it if the form is empty)."""
        self.timer.stop()
        if self.paused:
            return
        try:
            content = self.collect()
            if content is None:
                self.store.discard_draft(self.key)
            else:
                self.store.save_draft(self.key, content)
        except (StoreError, sqlite3.ProgrammingError) as error:
            # A draft is a convenience: a full disk is said by the save that matters, not here
            # (and a store closed under a screen being torn down has nothing to keep).
            log.warning("draft of %s not kept: %s", self.key, error)

    def discard(self) -> None:
        self.timer.stop()
        try:
            self.store.discard_draft(self.key)
        except (StoreError, sqlite3.ProgrammingError) as error:
            log.warning("draft of %s not discarded: %s", self.key, error)

    def offer(self) -> bool:
        """If a draft was left, ask whether to take it back; True if it was put back."""
        try:
            draft = self.store.draft(self.key)
        except (StoreError, sqlite3.ProgrammingError):
            return False
        if draft is None:
            return False
        when = fmt.datetime_local(draft.saved_at) if draft.saved_at else ""
        question = QCoreApplication.translate(
            "DraftKeeper", "A form was being typed here when the program stopped ({when}). Take it back?").format(when=when)
        # Yes is the default here: Enter must not throw away what was typed.
        if not dialogs.confirm(self.screen, QCoreApplication.translate("DraftKeeper", "Unsaved form"), question,
                               default_yes=True):
            self.discard()
            return False
        self.paused = True
        try:
            self.restore(draft.content)
        finally:
            self.paused = False
        return True



def keep_receive_drafts(screen: Any) -> DraftKeeper:
    """The receive screen's draft: the challan's header and its lines (issue 12). Kept here,
    beside the keeper, so the receive screen needs one line to have it."""
    from ihms_desk.store.model import ReceiptLine

    def collect() -> dict[str, Any] | None:
        rows = screen.lines.rows()
        if not rows and not screen.voucher_edit.text().strip():
            return None
        return {"source": screen.source_combo.currentData(), "source_name": screen.sender_edit.text(),
                "voucher_no": screen.voucher_edit.text(), "voucher_date": screen.voucher_date.date().toString("yyyy-MM-dd"),
                "lines": [vars(line) for line, _ in rows]}

    def restore(content: dict[str, Any]) -> None:
        from PySide6.QtCore import QDate

        screen.source_combo.setCurrentIndex(max(0, screen.source_combo.findData(content.get("source"))))
        screen.sender_edit.setText(str(content.get("source_name") or ""))
        screen.voucher_edit.setText(str(content.get("voucher_no") or ""))
        day = QDate.fromString(str(content.get("voucher_date") or ""), "yyyy-MM-dd")
        if day.isValid():
            screen.voucher_date.setDate(day)
        for line in content.get("lines") or []:
            try:
                item = screen.store.item(str(line["item_code"]))
            except StoreError:
                continue  # withdrawn from the catalogue since: typed again
            screen.lines.append((ReceiptLine(**line), item))

    keeper = DraftKeeper(screen, screen.store, "receive", collect=collect, restore=restore)
    for signal in (screen.voucher_edit.textChanged, screen.sender_edit.textChanged, screen.lines.rowsInserted,
                   screen.lines.rowsRemoved, screen.lines.modelReset, screen.lines.dataChanged):
        signal.connect(keeper.changed)
    screen.saved.connect(keeper.discard)
    return keeper
