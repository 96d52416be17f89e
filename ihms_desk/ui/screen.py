"""What a screen of the main window is, and everything it may offer the window.

Every screen (F2 Dispense ... F12 Settings) is a :class:`Screen`: built as
``XxxScreen(store, parent)``, refreshed each time it comes into view. What a screen may offer
is declared here once, with a default that offers nothing, so the main window connects every
screen the same way and never asks whether a screen happens to have a signal::

    class ReceiveScreen(DocumentForm):      # a Screen
        ...
        self.saved.emit(document)           # the window asks for a sync, recounts the alerts

- :attr:`saved`: a document was saved or reversed (its ``SavedDocument``);
- :attr:`count_changed`: a number for the screen's button (the alerts' badge);
- :attr:`busy`: work in the worker thread started (True) or ended (False);
- :attr:`title_changed`: what the window title adds for this screen ("3 lines not saved");
- :meth:`shortcuts`: the keys the screen adds to the window's, shown in the status bar;
- :meth:`unsaved_work`: what is typed and not saved, so the window asks before closing;
- :meth:`attach_sync` and :meth:`show_sync_state`: the program's sync loop, for the screens
  that talk to it or show when it last succeeded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import StoreError
from ihms_desk.ui import dialogs, i18n

if TYPE_CHECKING:
    from ihms_desk.ui.sync_adapter import SyncAdapter


class Screen(QWidget):
    """A screen of the main window (see the module docstring for what it may offer)."""

    #: A document was saved or reversed (the ``SavedDocument``).
    saved = Signal(object)
    #: A number for this screen's button in the window (0: none).
    count_changed = Signal(int)
    #: Work for this screen runs in the worker thread (True) or has ended (False).
    busy = Signal(bool)
    #: What the window title says about this screen now ("" for nothing).
    title_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store

    @Slot()
    def refresh(self) -> None:
        """The screen came into view: show fresh figures (stock may have changed elsewhere)."""

    def shortcuts(self) -> list[tuple[str, str]]:
        """The keys this screen adds to the window's F-keys, as (key, what it does)."""
        return []

    def unsaved_work(self) -> str:
        """What closing the window now would drop ("3 lines of Sita Devi not saved"), or ""."""
        return ""

    def attach_sync(self, adapter: SyncAdapter) -> None:
        """The program's sync loop is running: screens that talk to it connect here."""

    def show_sync_state(self, set_up: bool, last_success: dt.datetime | None) -> None:
        """Sync reported: whether it is set up on this PC, and when it last got through."""

    def job_failed(self, error: object, label: QLabel | None = None) -> None:
        """This screen's job in the worker failed: a refusal or a problem of the machine is
        said (in ``label`` too, when given) and the work is over; anything else is a bug,
        raised again for the application's hook to log and show."""
        self.busy.emit(False)
        if isinstance(error, StoreError):
            if label is not None:
                label.setText(i18n.refusal_text(error))
                label.show()
            dialogs.show_problem(self, error)
            return
        assert isinstance(error, BaseException)
        raise error
