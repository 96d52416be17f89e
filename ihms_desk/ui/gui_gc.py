"""Python's garbage collector, run on the GUI thread only.

An object in a reference cycle is freed when the collector next runs, in whichever thread
happened to allocate enough to start it: a worker reading stock, the sync thread. A widget
freed so is destroyed off the thread it lives in, and Qt crashes (seen in the test suite: a
segfault with "Garbage-collecting" at the top of a worker thread's stack, twice in a day).
So while the program runs, automatic collection is off and a timer on the GUI thread
collects instead, as often as the collector would have by its own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

#: How often the counts are looked at: a few cheap calls; a collection only when due.
CHECK_MS = 500

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects on the GUI thread when the collector's own thresholds say it is due."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_if_due)
        self.timer.start(CHECK_MS)

    @Slot()
    def collect_if_due(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] > thresholds[0]:
            # The oldest generation whose count passed its threshold, as the collector picks.
            generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
            gc.collect(generation)


def collect_on_gui_thread(app: QCoreApplication) -> None:
    """Switch automatic collection off and let a timer on ``app``'s (the GUI) thread collect;
    once per process (tests call it for each test)."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector(app)
    gc.disable()
