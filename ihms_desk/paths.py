"""Where IHMS Desk keeps its data: the data folder and every file in it, the log folder, and
the bundled resources.

:class:`DataFolder` is the one place that names the data folder's files (database, backups,
locks, the device token, the sync marker): every other module asks it, none spells a name::

    folder = DataFolder.resolve(args.data_dir)   # --data-dir, IHMS_DATA_DIR, the installer's
                                                 # ihms-desk.ini, or the user folder
    folder.database, folder.backups, folder.sync_lock

platformdirs is imported when a default folder is asked for (about 10 ms), so a start with
``--data-dir`` does not pay for it before its first window.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

APP_NAME = "IHMS Desk"
APP_AUTHOR = "IHMS"
DATABASE_FILE = "ihms-desk.sqlite3"
DATA_DIR_ENV = "IHMS_DATA_DIR"
#: The log file's name, in the log folder (:func:`log_dir`; ``IHMS_LOG_DIR`` overrides it).
LOG_FILE = "ihms-desk.log"
#: Where the bundled resources live (``resources/`` in the source tree).
RESOURCES_PACKAGE = "ihms_desk.resources"


class _InFolder:
    """A file or folder of the data folder, by its name: ``folder.database`` is a Path."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, folder: DataFolder, owner: type[DataFolder]) -> Path:
        return folder.root / self.name


class DataFolder:
    """One facility's data folder and the files IHMS Desk keeps in it.

    ``root`` is always absolute: a relative ``--data-dir`` is resolved against the folder the
    program was started in, once, so a later change of directory (a file dialog may make
    one) or a ``file:`` URI built from it cannot go wrong.
    """

    __slots__ = ("root",)

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(os.path.abspath(Path(root).expanduser()))

    def __fspath__(self) -> str:
        # A DataFolder goes wherever a folder's path does: Path(folder), open(), FileLock.
        return str(self.root)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataFolder) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def __repr__(self) -> str:
        return f"DataFolder({str(self.root)!r})"

    @classmethod
    def resolve(cls, explicit: str | os.PathLike[str] | None = None) -> DataFolder:
        """``--data-dir`` wins, then ``IHMS_DATA_DIR``, then the platform's user data folder."""
        return cls(resolve_data_dir(explicit))

    @classmethod
    def of(cls, database: Path) -> DataFolder:
        """The data folder a database file lives in."""
        return cls(Path(database).parent)

    #: The SQLite database (with its ``-wal`` and ``-shm`` beside it while open).
    database = _InFolder(DATABASE_FILE)
    #: Daily backups, the copies taken before a migration, and replaced databases.
    backups = _InFolder("backups")
    #: Held by the running program (one copy per data folder).
    instance_lock = _InFolder("ihms-desk.lock")
    #: Who holds :attr:`instance_lock`: read only to word the refusal of a second copy.
    lock_holder = _InFolder("ihms-desk.lock.json")
    #: Held by a sync pass (the program's or a scheduled ``ihms-desk sync --once``).
    sync_lock = _InFolder("sync.lock")
    #: The device token from enrolment: a secret, readable by the owner only, never in the
    #: database (which is copied into backups).
    device_token = _InFolder("device-token")
    #: How far the server has acknowledged, outside the database on purpose: it tells a
    #: database restored from a backup from the one that was synced.
    sync_marker = _InFolder("sync-marker.json")

    def has_database(self) -> bool:
        return self.database.exists()


def default_data_dir() -> Path:
    """The folder used when neither ``--data-dir`` nor ``IHMS_DATA_DIR`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def demo_data_dir() -> Path:
    """The demo CHC lives in its own folder so it never mixes with a real facility's data."""
    return default_data_dir() / "demo"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``IHMS_DATA_DIR``, then the data folder the installer wrote
    into the settings file beside the program (:func:`installed_data_dir`), then the
    platform's user data folder; always an absolute path (see :class:`DataFolder`)."""
    if explicit:
        chosen = Path(explicit).expanduser()
    else:
        from_env = os.environ.get(DATA_DIR_ENV)
        chosen = Path(from_env).expanduser() if from_env else installed_data_dir() or default_data_dir()
    return Path(os.path.abspath(chosen))


#: The settings file the Windows installer writes beside the program (installer/ihms-desk.nsi),
#: so that the desktop shortcut and the nightly task need no arguments. ``IHMS_SETTINGS_FILE``
#: names another one (tests, a PC set up by hand).
SETTINGS_FILE = "ihms-desk.ini"
SETTINGS_FILE_ENV = "IHMS_SETTINGS_FILE"


def settings_file() -> Path | None:
    """``IHMS_SETTINGS_FILE``, else ``ihms-desk.ini`` beside the frozen program; None when
    running from source without the variable."""
    import sys

    named = os.environ.get(SETTINGS_FILE_ENV)
    if named:
        return Path(named)
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent / SETTINGS_FILE
    return None


def installed_data_dir(path: Path | None = None) -> Path | None:
    """The data folder named in the settings file (``[paths] data_dir=D:\\IHMS\\data``), or
    None when there is no file or it names none. Windows' own INI writer (NSIS's WriteINIStr)
    writes the system's code page, or UTF-16 when the file started so: both are read."""
    path = path or settings_file()
    if path is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    value = parser.get("paths", "data_dir", fallback="").strip().strip('"')
    return Path(value) if value else None


def database_path(data_dir: Path) -> Path:
    return DataFolder(data_dir).database


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


# -- files that survive a power cut -------------------------------------------------------------


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make ``folder``'s entries durable: a file created in it, renamed into it or removed
    from it is only certain to be there (or gone) after a power cut once the folder itself is
    fsynced, not the file (POSIX; ext4, XFS). Windows cannot open a folder for fsync; NTFS
    journals its entries itself."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        # Some network shares cannot fsync a folder (EINVAL): there is no promise to get.
        if error.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


def make_folder(folder: str | os.PathLike[str]) -> None:
    """``mkdir -p`` whose new folders survive a power cut: each new one's entry is fsynced in
    its parent (a backup renamed into a folder whose own entry was lost is lost with it)."""
    path = Path(folder)
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for new in reversed(missing):
        try:
            new.mkdir()
        except FileExistsError:
            if not new.is_dir():
                raise
        fsync_folder(new.parent)
