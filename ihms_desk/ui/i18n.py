"""Languages and fonts: installs the Hindi translation, loads the bundled Noto fonts, and puts
refusals and sync's failures into the user's language.

::

    from ihms_desk.ui import i18n
    i18n.load_fonts()                 # once, after QApplication exists
    i18n.set_language("hi")          # installs resources/i18n/ihms_desk_hi.qm ("en" removes it)
    i18n.refusal_text(error)          # a refusal in the current language
    i18n.sync_error_text(message, kind, values)   # a sync failure, likewise

The screens' own words go through Qt (``tr()``, the .ts/.qm files). A refusal or a sync
failure carries a stable kind and its values instead, and is worded from the Qt-free tables
of :mod:`ihms_desk.wording`, which the command line reads too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ihms_desk.paths import resource_path

if TYPE_CHECKING:
    from ihms_desk.wording import Worded

FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf")
#: Latin text in Noto Sans, Devanagari falls through to Noto Sans Devanagari (same metrics family).
FONT_FAMILIES = ["Noto Sans", "Noto Sans Devanagari"]
BASE_POINT_SIZE = 10
#: The text sizes Settings offers, in points (the store keeps the choice as ``text_size``).
TEXT_SIZES = range(9, 17)

# A QTranslator that is garbage-collected silently stops translating: keep them here.
_installed: list[QTranslator] = []
#: The .qm bytes each translator reads from (load(bytes) keeps a pointer into them).
_buffers: list[bytes] = []
_current = "en"
_fonts_loaded: list[str] = []


def tr(text: str, context: str = "i18n") -> str:
    return QCoreApplication.translate(context, text)


def load_fonts(app: QApplication | None = None) -> list[str]:
    """Register the bundled Noto fonts and make them the application font; returns the families.

    Loaded from memory (``addApplicationFontFromData``) so it works the same from a source
    checkout, a wheel or a frozen build, and Devanagari renders even on a PC without Hindi fonts.
    """
    if _fonts_loaded:
        return list(_fonts_loaded)
    folder = resource_path("fonts")
    families: list[str] = []
    for name in FONT_FILES:
        data = (folder / name).read_bytes()
        font_id = QFontDatabase.addApplicationFontFromData(data)
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    _fonts_loaded.extend(dict.fromkeys(families))
    set_text_size(BASE_POINT_SIZE, app)
    return list(_fonts_loaded)


def set_text_size(points: int | str, app: QApplication | None = None) -> int:
    """Make ``points`` (9-16; anything else is the base size) the application's text size,
    Latin and Devanagari alike; returns the size used. Widgets built afterwards take it; the
    main window is rebuilt after a change (sizes measured from the font are measured again)."""
    try:
        size = int(points)
    except (TypeError, ValueError):
        size = BASE_POINT_SIZE
    if size not in TEXT_SIZES:
        size = BASE_POINT_SIZE
    app = app or _application()
    if app is not None:
        font = QFont()
        font.setFamilies(FONT_FAMILIES)
        font.setPointSize(size)
        app.setFont(font)
    return size


def text_size() -> int:
    """The application's text size in points now."""
    app = _application()
    return app.font().pointSize() if app is not None else BASE_POINT_SIZE


def _application() -> QApplication | None:
    instance = QApplication.instance()
    return instance if isinstance(instance, QApplication) else None


def translation_file(language: str, name: str = "ihms_desk") -> bytes | None:
    """The compiled .qm for a language (``ihms_desk_hi.qm``; ``qt_hi.qm`` holds Qt's own
    button texts), or None (English needs none)."""
    if language == "en":
        return None
    source = resource_path("i18n", f"{name}_{language}.qm")
    try:
        return source.read_bytes()
    except (FileNotFoundError, OSError):
        return None


def set_language(language: str) -> bool:
    """Install the translation for ``language`` ('en' or 'hi'), replacing the previous one.

    Returns False if the translation file is missing (the program then stays in English).
    Widgets built before the switch keep their text: the main window is rebuilt after it.
    """
    global _current
    app = QCoreApplication.instance()
    for translator in _installed:
        if app is not None:
            QCoreApplication.removeTranslator(translator)
    _installed.clear()
    _buffers.clear()
    _current = "en"
    if language == "en":
        return True
    data = translation_file(language)
    if data is None:
        return False
    for name, content in (("ihms_desk", data), ("qt", translation_file(language, "qt"))):
        if content is None:
            continue  # Qt's buttons stay English: a smaller loss than no translation at all
        translator = QTranslator()
        # load(bytes) keeps a pointer into the buffer: keep the bytes alive with the translator.
        _buffers.append(content)
        if not translator.load(content):
            if name == "ihms_desk":
                return False
            continue
        QCoreApplication.installTranslator(translator)
        _installed.append(translator)
    _current = language
    return True


def current_language() -> str:
    return _current


def installed_translators() -> list[QTranslator]:
    return list(_installed)


# -- refusals and failures, in the user's language --------------------------------------------

def refusal_text(error: Worded) -> str:
    """A refusal's (or a barcode's, an environment problem's) words in the current language,
    from the wording tables (:mod:`ihms_desk.wording`)."""
    # The tables are imported at the first refusal, not with this module: the login screen
    # is shown before any refusal can be, and they cost it 5-10 ms (docs/performance.md).
    from ihms_desk import wording

    return wording.text_of(error, _current, getattr(error, "message", None))


def sync_error_text(message: str, kind: str | None = None, values: Mapping[str, str] | None = None) -> str:
    """A sync failure in the current language (its English when the kind is not known).

    ``kind`` and ``values`` as a ``SyncError`` or ``SyncStatus`` carries them; given only the
    English ``message`` (a failure recorded before kinds were kept), the kind is recognised
    from it.
    """
    from ihms_desk import wording  # as in refusal_text
    from ihms_desk.sync.errors import identify

    if kind is None:
        kind, values = identify(message)
    return wording.text_of(_Failure(kind, values or {}), _current, message)


class _Failure:
    """A sync failure's kind and values, as :func:`ihms_desk.wording.text_of` reads them."""

    def __init__(self, kind: str | None, values: Mapping[str, str]) -> None:
        self.kind = kind
        self.values = values


def _wrapped_strings() -> list[str]:
    """Modules that translate through a ``_tr(text)`` helper (ui/error_dialog.py,
    ui/startup_checks.py) hide their strings from lupdate; they are listed here, literally and
    in their context, so they get into the .ts. Regenerated at each translation pass."""
    return [
        QCoreApplication.translate("ErrorDialog", "IHMS Desk: unexpected error"),  # error_dialog.py
        QCoreApplication.translate("ErrorDialog", "The details were written to the log file:"),  # error_dialog.py
        QCoreApplication.translate("ErrorDialog", "Something went wrong inside IHMS Desk. Everything saved before this message is safe."),  # error_dialog.py
        QCoreApplication.translate("ErrorDialog", "If the last save did not show 'Saved', check it and save it again."),  # error_dialog.py
        QCoreApplication.translate("ErrorDialog", "Please tell your support person what you were doing."),  # error_dialog.py
        QCoreApplication.translate("StartupChecks", "The database is damaged"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The data folder cannot be used"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "Quit"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "Continue"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "Restore this backup"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The disk is nearly full"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The database in {folder} is damaged ({detail}). Do not type in new records until this is fixed."),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "No good backup was found. Call your support person; do not delete anything in the data folder."),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The data folder cannot be written"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The disk is full"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The database is in use"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The latest good backup is from {when} ({documents} documents). Restoring it brings back everything up to then; records made after it must be entered again from the paper slips. The damaged file is kept."),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "IHMS Desk is already open"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "Only {free} MB are free on the disk holding the data folder ({folder}). IHMS Desk will stop saving when it is full. Delete old files or ask for help today."),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The backup could not be restored"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The database is missing"),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The database in {folder} is missing or empty, but backups of this facility are kept there. Do not set the facility up again: restore a backup."),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The latest good backup is from {when} ({documents} documents). Restoring it brings back everything up to then; records made after it must be entered again from the paper slips."),  # startup_checks.py
        QCoreApplication.translate("StartupChecks", "The disk could not be read or written"),  # startup_checks.py
    ]
