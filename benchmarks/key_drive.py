"""The keyboard the keystroke benchmarks press: keys to whatever has the focus, each counted
under the step being driven, with the program let run in between (used by first_run_bench.py
and counter_keys.py, and through them by their tests)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class CountsKeys(Protocol):
    """A drive's figures: the keys pressed, by step."""

    keys: dict[str, int]


class Keyboard:
    """Keys to whatever has the focus, counted under :attr:`step`; waits for the program in between."""

    def __init__(self, drive: CountsKeys) -> None:
        self.drive = drive
        self.step = ""

    def _target(self) -> Any:
        from PySide6.QtWidgets import QApplication

        self.wait_until(lambda: QApplication.focusWidget() is not None, "something to have the focus")
        return QApplication.focusWidget()

    def _count(self, n: int = 1) -> None:
        self.drive.keys[self.step] = self.drive.keys.get(self.step, 0) + n

    def type(self, text: str) -> None:
        from PySide6.QtTest import QTest

        for character in text:
            QTest.keyClicks(self._target(), character)
            self._count()
        self.settle()

    def key(self, name: str, modifier: str = "") -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        key = getattr(Qt.Key, f"Key_{name}")
        modifiers = getattr(Qt.KeyboardModifier, f"{modifier}Modifier") if modifier else Qt.KeyboardModifier.NoModifier
        QTest.keyClick(self._target(), key, modifiers)
        self._count()
        self.settle()

    def settle(self) -> None:
        from PySide6.QtCore import QCoreApplication

        for _ in range(3):
            QCoreApplication.processEvents()

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        from PySide6.QtCore import QCoreApplication, QEventLoop

        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.002)
