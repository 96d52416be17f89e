"""The desktop program's screens (PySide6); the only package that imports Qt.

Importing it also guards against a PySide6 6.12.0 bug on Python 3.11: every call of a C++
method returning ``void`` hands back ``None`` without taking a reference to it. Python 3.11's
``None`` is not immortal, so after some ten thousand calls (``setText``, ``resize``,
``processEvents`` ...) the interpreter aborts with "Fatal Python error: none_dealloc" - a
counter that dies a few minutes into a busy OPD. PySide6 6.11 and Python 3.12+ are not
affected. When a probe at import shows the bug, ``None`` (and ``True`` and ``False``, which
another path of the same build also loses) is given a very large reference count (2**40
references: more calls than a PC makes in years), which is what Python 3.12 does anyway.
The real fix is to pin ``PySide6-Essentials!=6.12.0`` (see docs/ui.md).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject

#: References given to ``None`` when the bug is present.
NONE_RESERVE = 1 << 40


def _void_calls_lose_none() -> bool:
    """True when calling a void C++ method from Python drops a reference to None."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal there: a lost reference cannot hurt
    probe = QObject()
    probe.setObjectName("probe")  # warm up
    before = sys.getrefcount(None)
    for _ in range(200):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= 150


NONE_REFCOUNT_BUG = _void_calls_lose_none()
if NONE_REFCOUNT_BUG:
    # True and False get the same reserve: a full test run also ended in "bool_dealloc" at
    # exit, from some path of the same PySide6 build we could not pin down.
    import ctypes  # only here: no import cost for a PySide6 without the bug

    for _singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(_singleton)).value += NONE_RESERVE
