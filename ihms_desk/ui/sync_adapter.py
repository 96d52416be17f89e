"""Qt face of the sync loop: runs :class:`~ihms_desk.sync.worker.SyncWorker` in a plain thread
and re-emits its callbacks as signals, which Qt delivers in the GUI thread.

    adapter = SyncAdapter(data_dir, parent=main_window)
    adapter.stateChanged.connect(status_widget.set_state)
    adapter.start()                     # and adapter.stop() when the window closes
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ihms_desk.store import Store
from ihms_desk.sync.device import Enrolment, enrol
from ihms_desk.sync.errors import SyncError
from ihms_desk.sync.worker import SyncConfig, SyncStatus, SyncWorker
from ihms_desk.ui.i18n import sync_error_text

log = logging.getLogger(__name__)


class SyncAdapter(QObject):
    """Owns the sync thread. Slots may be called from the GUI; signals arrive in the GUI."""

    #: The whole :class:`SyncStatus`, after every pass and when a pass starts.
    statusChanged = Signal(object)
    #: online (bool; None when not enrolled or not tried yet), events waiting, last success
    #: (ISO timestamp text or None), last error in plain English words (or None; the status
    #: bar words it in the user's language): exactly the arguments of
    #: ``ihms_desk.ui.sync_status.SyncStatus.set_state``.
    stateChanged = Signal(object, int, object, object)
    #: Events sent so far in this pass, events still waiting.
    progress = Signal(int, int)
    #: Enrolment done (True) or refused (False), with the message to show, in the user's language.
    enrolFinished = Signal(bool, str)
    #: The enrolment thread's result (an Enrolment, a SyncError or an unexpected exception),
    #: handed to the GUI thread, where it is worded (translations belong to that thread).
    _enrolDone = Signal(object)

    def __init__(self, data_dir: Path | str, config: SyncConfig | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.worker = SyncWorker(self.data_dir, config, on_status=self._report, on_progress=self._progress)
        self._thread: threading.Thread | None = None
        self._network_info: object | None = None
        self._enrolDone.connect(self._enrol_done)

    # -- callbacks from the sync thread: only emit, never touch widgets -------------------------

    def _report(self, status: SyncStatus) -> None:
        self.statusChanged.emit(status)
        # The status bar reads online=None as "sync not set up on this PC". Its "last sync" is
        # when records last got through, also by a pass that failed half-way.
        online = status.online if status.enrolled else None
        self.stateChanged.emit(online, status.waiting, status.last_contact, status.last_error)

    def _progress(self, sent: int, waiting: int) -> None:
        self.progress.emit(sent, waiting)

    # -- slots -----------------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Start the loop (it tries at once) and listen for the network coming back."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self.worker.run, name="ihms-sync", daemon=True)
        self._thread.start()
        self._watch_network()

    @Slot()
    def stop(self) -> None:
        """Ask the loop to stop and wait briefly; a batch in flight is safe to abandon."""
        self.worker.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @Slot()
    def syncNow(self) -> None:  # noqa: N802 - Qt naming for a slot wired to buttons
        self.worker.request_sync()

    @Slot()
    def localSaved(self) -> None:  # noqa: N802
        """Connect each screen's "saved" signal here: a sync follows once the burst is over."""
        self.worker.notify_local_save()

    @Slot()
    def networkUp(self) -> None:  # noqa: N802
        self.worker.notify_network_up()

    @Slot(str, str)
    def enrol(self, server_url: str, code: str) -> None:
        """Enrol in a plain thread (it talks to the server); answers with enrolFinished."""
        threading.Thread(target=self._enrol, args=(server_url, code), name="ihms-enrol", daemon=True).start()

    def _enrol(self, server_url: str, code: str) -> None:
        try:
            with Store.open(self.data_dir) as store:
                enrolment = enrol(store, server_url, code)
        except SyncError as error:
            self._enrolDone.emit(error)
            return
        except Exception as error:  # a bug: log it with its traceback, and say so
            log.exception("enrolment failed")
            self._enrolDone.emit(error)
            return
        self._enrolDone.emit(enrolment)
        self.worker.request_sync()

    @Slot(object)
    def _enrol_done(self, result: object) -> None:
        """Word the enrolment's result in the user's language and pass it on (GUI thread)."""
        if isinstance(result, Enrolment):
            self.enrolFinished.emit(True, self.tr("{facility} ({code}) is enrolled with {server}.").format(
                facility=result.facility_name, code=result.facility_code, server=result.server_url))
        elif isinstance(result, SyncError):
            self.enrolFinished.emit(False, sync_error_text(result.message, result.kind, result.values))
        else:
            self.enrolFinished.emit(False, self.tr("Enrolment failed unexpectedly: {error}").format(error=result))

    # -- network reachability --------------------------------------------------------------------

    def _watch_network(self) -> None:
        """Qt tells when the PC's network comes back, where the platform can say so."""
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:  # PySide6-Essentials without QtNetwork: the backoff retries still run
            return
        if not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
        if info is None:
            return
        self._network_info = info
        info.reachabilityChanged.connect(self._reachability_changed)

    @Slot(object)
    def _reachability_changed(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            self.worker.notify_network_up()
