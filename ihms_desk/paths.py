"""Where IHMS Desk keeps its data: the platformdirs user data folder, or one the user names."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "IHMS Desk"
APP_AUTHOR = "IHMS"
DATABASE_FILE = "ihms-desk.sqlite3"
DATA_DIR_ENV = "IHMS_DATA_DIR"


def default_data_dir() -> Path:
    """The folder used when neither ``--data-dir`` nor ``IHMS_DATA_DIR`` is given."""
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
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
