"""A first look at a data folder's database without opening the store: the facility's name,
the counter's language and its text size, read with read-only queries (no migration, nothing
written).

The window shows its login screen from it before the store is even imported, and the command
line picks its language from it; ``None`` means there is no facility yet, or the file cannot
be read (then the caller opens the store and its checks explain why).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from ihms_desk.paths import DataFolder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirstLook:
    """What can be shown before the store is loaded."""

    facility_name: str
    language: str
    #: The desk's text size in points as Settings saved it (``text_size``), or None if none
    #: was saved; the window checks it (an odd value is the program's default).
    text_size: str | None = None


def first_look(folder: DataFolder) -> FirstLook | None:
    """The facility's name and language, or ``None`` (no database, no facility, unreadable)."""
    path = folder.database
    if not path.exists():
        return None
    try:
        # The root is absolute (DataFolder), as a file: URI must be.
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            facility = conn.execute("SELECT name FROM facility WHERE id = 1").fetchone()
            settings = dict(conn.execute("SELECT key, value FROM setting WHERE key IN ('language', 'text_size')").fetchall())
        finally:
            conn.close()
    except sqlite3.Error as error:
        log.info("first look at %s failed (%s)", path, error)
        return None
    if facility is None:
        return None
    language = settings.get("language")
    text_size = settings.get("text_size")
    return FirstLook(str(facility[0]), language if language in ("en", "hi") else "en",
                     None if text_size is None else str(text_size))
