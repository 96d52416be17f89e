"""Run slow database work off the GUI thread; results come back through Qt signals.

One worker thread, like Anki's ``ThreadPoolExecutor(max_workers=1)``: jobs run one after
another on the worker's own store connection, opened in that thread on first use and kept
(a new connection starts with a cold page cache: the stock list on a five-year database took
300-450 ms that way instead of about 60). The job must not touch
any widget; it gets a ``progress(str)`` callable instead::

    from ihms_desk.ui.workers import run_in_worker

    def import_catalogue(store: Store, progress: Callable[[str], None]) -> ImportReport:
        progress("reading the file")
        return store.import_catalogue_csv(path)

    job = run_in_worker(self.store, import_catalogue,
                        on_finished=self.on_imported,          # Slot(object): the job's return value
                        on_failed=self.on_failed,              # Slot(object): the exception
                        on_progress=self.status_label.setText)

``run_in_worker`` returns a :class:`Job` that lives in the GUI thread; its signals are
emitted from the worker thread, so Qt queues them to the GUI thread. Pass the slots as
arguments: they are connected *before* the job starts, so a job that finishes at once
cannot emit into nothing. The module keeps running jobs alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from ihms_desk.store import Store

log = logging.getLogger("ihms_desk.ui")

StoreJob = Callable[["Store", Callable[[str], None]], Any]

_executor: ThreadPoolExecutor | None = None
_running: set[Job] = set()
#: The worker thread's connection, kept between jobs (only that thread touches it).
_thread_state = threading.local()


def worker_store(store: Store) -> Store:
    """The calling worker thread's connection to ``store``'s file, acting as ``store``'s user.

    Call it only inside a job. It is reopened when the file changes (another data folder)
    and closed by :func:`shutdown`, which a restore calls before it replaces the file.
    """
    cached: Store | None = getattr(_thread_state, "store", None)
    if cached is None or cached.path != store.path:
        if cached is not None:
            cached.close()
        cached = store.open_another()
        _thread_state.store = cached
    cached.user = store.user
    cached.clock = store.clock
    return cached


def _close_worker_store() -> None:
    cached: Store | None = getattr(_thread_state, "store", None)
    if cached is not None:
        cached.close()
        _thread_state.store = None


def executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ihms-db")
    return _executor


class Job(QObject):
    """One piece of work in the worker thread, reporting back by signals."""

    progress = Signal(str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.future: Future[Any] | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False


def run_in_worker(
    store: Store,
    work: StoreJob,
    *,
    on_finished: Callable[[Any], None] | None = None,
    on_failed: Callable[[Any], None] | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Job:
    """Run ``work(worker_store, progress)`` in the worker thread on its own connection."""
    job = Job()
    if on_finished is not None:
        job.finished.connect(on_finished)
    if on_failed is not None:
        job.failed.connect(on_failed)
    if on_progress is not None:
        job.progress.connect(on_progress)
    _running.add(job)

    def run() -> None:
        try:
            job.result = work(worker_store(store), job.progress.emit)
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the GUI
            job.error = error
            if not isinstance(error, Exception):
                raise
        finally:
            job.done = True
            if job.error is None:
                job.finished.emit(job.result)
            else:
                log.debug("worker job failed", exc_info=job.error)
                job.failed.emit(job.error)
            _running.discard(job)

    job.future = executor().submit(run)
    return job


def shutdown() -> None:
    """Wait for running jobs (at exit): a half-run import must not be cut off mid-transaction."""
    global _executor
    if _executor is not None:
        _executor.submit(_close_worker_store)  # in the thread that owns the connection
        _executor.shutdown(wait=True)
        _executor = None
