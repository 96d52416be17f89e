"""ihms_desk/ui/gui_gc.py: garbage is collected on the GUI thread, never in a worker's."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QWidget

from ihms_desk.ui import gui_gc
from ihms_desk.ui.app import create_application


class _Cyclic(QWidget):
    """A widget in a reference cycle: only the collector frees it."""

    def __init__(self, freed_in: list[str]) -> None:
        super().__init__()
        self.me = self
        self.destroyed.connect(lambda: freed_in.append(threading.current_thread().name))


def test_a_widget_in_a_cycle_is_freed_on_the_gui_thread_though_a_worker_allocated_meanwhile(qtbot) -> None:
    create_application()
    assert not gc.isenabled()
    freed_in: list[str] = []
    _Cyclic(freed_in)

    def allocate() -> None:  # far past every threshold: automatic collection would run here
        junk = []
        for _ in range(200_000):
            cycle: list[object] = []
            cycle.append(cycle)
            junk.append(cycle)
        del junk

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert freed_in == []
    qtbot.waitUntil(lambda: bool(freed_in), timeout=3 * gui_gc.CHECK_MS + 1000)
    assert freed_in == [threading.main_thread().name]
