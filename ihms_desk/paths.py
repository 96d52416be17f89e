"""Where IHMS Desk keeps its data: the platformdirs user data folder, or one the user names.

platformdirs is imported when a default folder is asked for (about 10 ms), so a start with
``--data-dir`` does not pay for it before its first window.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "IHMS Desk"
APP_AUTHOR = "IHMS"
DATABASE_FILE = "ihms-desk.sqlite3"
DATA_DIR_ENV = "IHMS_DATA_DIR"
#: Where the bundled resources live (``resources/`` in the source tree).
RESOURCES_PACKAGE = "ihms_desk.resources"


def default_data_dir() -> Path:
    """The folder used when neither ``--data-dir`` nor ``IHMS_DATA_DIR`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def demo_data_dir() -> Path:
    """The demo CHC lives in its own folder so it never mixes with a real facility's data."""
    return default_data_dir() / "demo"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``IHMS_DATA_DIR``, then the platform's user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_FILE


def log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def resource_path(*parts: str) -> Path:
    """A bundled resource (fonts, translations, the starter catalogue)::

        resource_path("fonts", "NotoSans-Regular.ttf")

    ``ihms_desk.resources`` is a plain folder in a checkout, an installed wheel and the frozen
    build alike (build.spec puts it there), so its ``__path__`` is enough; importlib.resources
    would cost ~13 ms (it imports zipfile) before the first window.
    """
    import importlib

    package = importlib.import_module(RESOURCES_PACKAGE)
    return Path(next(iter(package.__path__))).joinpath(*parts)
