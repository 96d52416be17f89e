"""Run slow database work off the GUI thread; results come back through Qt signals.

One worker thread, like Anki's ``ThreadPoolExecutor(max_workers=1)``: jobs run one after
another, each with its own store connection opened in that thread. The job must not touch
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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from ihms_desk.store import Store

log = logging.getLogger("ihms_desk.ui")

StoreJob = Callable[[Store, Callable[[str], None]], Any]

_executor: ThreadPoolExecutor | None = None
_running: set[Job] = set()


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
    """Run ``work(worker_store, progress)`` in the worker thread with its own connection."""
    job = Job()
    if on_finished is not None:
        job.finished.connect(on_finished)
    if on_failed is not None:
        job.failed.connect(on_failed)
    if on_progress is not None:
        job.progress.connect(on_progress)
    _running.add(job)

    def run() -> None:
        worker_store: Store | None = None
        try:
            worker_store = store.open_another()  # opened here: a connection belongs to its thread
            job.result = work(worker_store, job.progress.emit)
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the GUI
            job.error = error
            if not isinstance(error, Exception):
                raise
        finally:
            if worker_store is not None:
                worker_store.close()
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
        _executor.shutdown(wait=True)
        _executor = None
