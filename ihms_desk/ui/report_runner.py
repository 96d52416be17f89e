"""Builds reports and writes their files in a thread of their own, and stops them when asked.

A report may take seconds (a year's register of every item on a five-year ledger): it runs in
its own thread, not the shared database worker (``ui/workers.py``), so the stock list and the
alerts badge are never held up behind it. The thread keeps its own connection
(``store.open_another()``, opened there on first use: a connection belongs to its thread) and
reports back by signals, which Qt delivers in the GUI thread::

    runner = ReportRunner(store, parent=screen)
    runner.built.connect(screen.show_report)          # Signal(object): the Report
    runner.failed.connect(screen.show_failure)        # Signal(object): the exception
    runner.cancelled.connect(screen.show_cancelled)
    runner.build("consumption", start, end, category="drug", items=["D0037"])
    runner.cancel()                                  # build_report's should_stop says yes

Only the newest job's result is delivered: a job started while another ran makes the older
one stop (its answer would be stale), like ``stock_model``'s generation numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ihms_desk.store import Store
from ihms_desk.store.reports import Report, ReportCancelled, build_report

log = logging.getLogger("ihms_desk.ui")


class ReportRunner(QObject):
    """One report thread for a screen; slots in the GUI thread, signals back to it."""

    #: A report was built (the :class:`~ihms_desk.store.reports.Report`).
    built = Signal(object)
    #: A file was written (its path).
    written = Signal(object)
    #: A job failed: a refusal, an export error, a problem of the machine, or a bug.
    failed = Signal(object)
    #: The person stopped the job; nothing was kept.
    cancelled = Signal()
    #: Whether a job is running (for the progress bar and the buttons).
    running_changed = Signal(bool)
    #: Internal: a job's outcome from the thread, with its generation (queued to the GUI thread).
    _done = Signal(int, str, object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ihms-report")
        self._local = threading.local()
        self._generation = 0
        self._stop = threading.Event()
        self.running = False
        self._done.connect(self._on_done)

    # -- GUI thread --------------------------------------------------------------------------

    def build(self, name: str, start: dt.date, end: dt.date, *, category: str | None = None,
              items: Sequence[str] = ()) -> None:
        """Build report ``name`` in the thread; :attr:`built` (or failed/cancelled) follows."""
        codes = tuple(items)

        def job(store: Store, should_stop: Callable[[], bool]) -> Report:
            return build_report(store, name, start, end, category=category, items=codes, should_stop=should_stop)

        self._start("built", job)

    def write(self, report: Report, path: Path, fmt: str, lang: str) -> None:
        """Write a built report to ``path``; :attr:`written` when the file is complete."""
        from ihms_desk.exports import write_report  # fpdf2 and xlsxwriter load when a file is asked for

        def job(store: Store, should_stop: Callable[[], bool]) -> Path:
            return write_report(report, path, fmt, lang=lang, should_stop=should_stop)

        self._start("written", job)

    def run(self, job: Callable[[Store, Callable[[], bool]], Any], on_done: Callable[[Any], None]) -> None:
        """Any other read for the screen (a chart's figures): ``job(store, should_stop)`` in
        the thread, ``on_done(result)`` in the GUI thread; failures go to :attr:`failed`."""
        self._start("call", lambda store, should_stop: (on_done, job(store, should_stop)))

    @Slot()
    def cancel(self) -> None:
        """Stop the running job (SQLite is interrupted within a few thousand steps)."""
        self._stop.set()

    def shutdown(self) -> None:
        """Stop what runs and let the thread end (the screen is going away)."""
        self._stop.set()
        self._generation += 1
        try:
            self._executor.submit(self._close_store)  # in the thread that owns the connection
        except RuntimeError:  # the interpreter is exiting: its threads are being stopped anyway
            return
        self._executor.shutdown(wait=False)

    def _start(self, what: str, job: Callable[[Store, Callable[[], bool]], Any]) -> None:
        # A newer job makes the older one stop: its answer would no longer be wanted.
        self._stop.set()
        self._stop = stop = threading.Event()
        self._generation += 1
        generation = self._generation
        self._set_running(True)
        self._executor.submit(self._run, generation, what, job, stop)

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)

    @Slot(int, str, object)
    def _on_done(self, generation: int, what: str, result: object) -> None:
        if generation != self._generation:
            return  # a newer job replaced this one
        self._set_running(False)
        if what == "cancelled":
            self.cancelled.emit()
        elif what == "failed":
            self.failed.emit(result)
        elif what == "built":
            self.built.emit(result)
        elif what == "written":
            self.written.emit(result)
        else:
            assert isinstance(result, tuple)
            on_done: Callable[[Any], None] = result[0]
            on_done(result[1])

    # -- the report thread: never touches a widget ----------------------------------------------

    def _run(self, generation: int, what: str, job: Callable[[Store, Callable[[], bool]], Any],
             stop: threading.Event) -> None:
        if stop.is_set():
            self._done.emit(generation, "cancelled", None)
            return
        try:
            result = job(self._thread_store(), stop.is_set)
        except ReportCancelled:
            self._done.emit(generation, "cancelled", None)
        except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI
            log.debug("report job failed", exc_info=error)
            self._done.emit(generation, "failed", error)
        else:
            self._done.emit(generation, what, result)

    def _thread_store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None or store.path != self.store.path:
            if store is not None:
                store.close()
            store = self.store.open_another()
            self._local.store = store
        # The person at the screen now (a log-out and log-in may have changed it).
        store.user = self.store.user
        store.clock = self.store.clock
        return store

    def _close_store(self) -> None:
        store: Store | None = getattr(self._local, "store", None)
        if store is not None:
            store.close()
            self._local.store = None
