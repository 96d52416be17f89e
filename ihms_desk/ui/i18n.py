"""Languages and fonts: installs the Hindi translation, loads the bundled Noto fonts, and puts
the store's refusals into the user's language.

::

    from ihms_desk.ui import i18n
    i18n.load_fonts()                 # once, after QApplication exists
    i18n.set_language("hi")          # installs resources/i18n/ihms_desk_hi.qm ("en" removes it)
    i18n.refusal_text(error)          # a store Refusal's message, translated when we know it

The store speaks English (it must not import Qt); each refusal carries a stable ``code`` and
its values (item, batch, quantities), so the messages a pharmacist meets every day are
re-worded here through ``translate()``. Anything not known falls back to the English message.
"""

from __future__ import annotations

import re
from importlib.resources import files

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ihms_desk.store.errors import (
    AlreadyReversed,
    BatchExpired,
    DocumentNotFound,
    StockTooLow,
    StoreError,
    UnknownBatch,
    UnknownItem,
)

LANGUAGES = {"en": "English", "hi": "हिन्दी"}
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf")
#: Latin text in Noto Sans, Devanagari falls through to Noto Sans Devanagari (same metrics family).
FONT_FAMILIES = ["Noto Sans", "Noto Sans Devanagari"]
BASE_POINT_SIZE = 10

# A QTranslator that is garbage-collected silently stops translating: keep them here.
_installed: list[QTranslator] = []
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
    folder = files("ihms_desk.resources") / "fonts"
    families: list[str] = []
    for name in FONT_FILES:
        data = (folder / name).read_bytes()
        font_id = QFontDatabase.addApplicationFontFromData(data)
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    _fonts_loaded.extend(dict.fromkeys(families))
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is not None:
        font = QFont()
        font.setFamilies(FONT_FAMILIES)
        font.setPointSize(BASE_POINT_SIZE)
        app.setFont(font)
    return list(_fonts_loaded)


def translation_file(language: str) -> bytes | None:
    """The compiled .qm for a language, or None (English needs none)."""
    if language == "en":
        return None
    source = files("ihms_desk.resources") / "i18n" / f"ihms_desk_{language}.qm"
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
    _current = "en"
    if language == "en":
        return True
    data = translation_file(language)
    if data is None:
        return False
    translator = QTranslator()
    # loadFromData keeps a pointer into the buffer: keep the bytes alive with the translator.
    translator.setProperty("ihms_language", language)
    translator._data = data  # type: ignore[attr-defined]
    if not translator.load(data):
        return False
    QCoreApplication.installTranslator(translator)
    _installed.append(translator)
    _current = language
    return True


def current_language() -> str:
    return _current


def installed_translators() -> list[QTranslator]:
    return list(_installed)


# -- the store's refusals, in the user's language ----------------------------------------------

def _label(field: str | None, english: str) -> str:
    """A field's label, translated; the English label from the message when we do not know it."""
    if field == "opd_no":
        return tr("OPD registration number", "refusal")
    if field == "patient_name":
        return tr("Patient name", "refusal")
    if field == "prescriber":
        return tr("Prescriber", "refusal")
    if field == "reason":
        return tr("Reason for the reversal", "refusal")
    if field == "code":
        return tr("Facility code", "refusal")
    if field == "name":
        return tr("Facility name", "refusal")
    if field == "district":
        return tr("District", "refusal")
    if field == "block":
        return tr("Block", "refusal")
    if field == "username":
        return tr("User name", "refusal")
    if field == "full_name":
        return tr("Full name", "refusal")
    if field == "note":
        return tr("Note", "refusal")
    if field == "destination_name":
        return tr("Destination", "refusal")
    if field == "source_name":
        return tr("Sender", "refusal")
    if field == "voucher_no":
        return tr("Voucher or challan number", "refusal")
    if field == "batch":
        return tr("Batch number", "refusal")
    return english


def _static_messages() -> dict[str, str]:
    # Literal calls so that pyside6-lupdate finds every string.
    return {
        "Choose the patient's sex: M, F or O.": tr("Choose the patient's sex: M, F or O.", "refusal"),
        "Age must be a whole number of years from 0 to 130.": tr("Age must be a whole number of years from 0 to 130.", "refusal"),
        "Add at least one line.": tr("Add at least one line.", "refusal"),
        "Cannot dispense more than prescribed.": tr("Cannot dispense more than prescribed.", "refusal"),
        "Quantity must be at least 1.": tr("Quantity must be at least 1.", "refusal"),
        "Wrong user name or password.": tr("Wrong user name or password.", "refusal"),
        "Log in first.": tr("Log in first.", "refusal"),
        "ABHA number must be 14 digits (for example 91-1234-5678-9012), or left empty.": tr(
            "ABHA number must be 14 digits (for example 91-1234-5678-9012), or left empty.", "refusal"
        ),
        "A document cannot be dated in the future.": tr("A document cannot be dated in the future.", "refusal"),
        "This database is already set up for a facility.": tr("This database is already set up for a facility.", "refusal"),
        "A user name has letters, digits, dot, dash or underscore only.": tr(
            "A user name has letters, digits, dot, dash or underscore only.", "refusal"
        ),
        "You cannot disable your own account.": tr("You cannot disable your own account.", "refusal"),
        "Choose a role: pharmacist, store clerk, in-charge or admin.": tr(
            "Choose a role: pharmacist, store clerk, in-charge or admin.", "refusal"
        ),
        "The voucher date is after today: check it.": tr("The voucher date is after today: check it.", "refusal"),
        "The voucher is more than a year old: check the date.": tr("The voucher is more than a year old: check the date.", "refusal"),
        "Choose where the stock came from: DDW, another facility or local purchase.": tr(
            "Choose where the stock came from: DDW, another facility or local purchase.", "refusal"
        ),
        "Choose where the stock goes: ward, sub-centre or facility.": tr(
            "Choose where the stock goes: ward, sub-centre or facility.", "refusal"
        ),
        "Choose a reason for the adjustment.": tr("Choose a reason for the adjustment.", "refusal"),
        "A counted quantity is a whole number, 0 or more.": tr("A counted quantity is a whole number, 0 or more.", "refusal"),
        "A stocktake correction is a non-zero whole number (+ or -).": tr(
            "A stocktake correction is a non-zero whole number (+ or -).", "refusal"
        ),
        "A GTIN has 14 digits.": tr("A GTIN has 14 digits.", "refusal"),
    }


_REQUIRED = re.compile(r"^(?P<label>.+) is required\.$")
_TOO_LONG = re.compile(r"^(?P<label>.+) is longer than (?P<n>\d+) characters\.$")
_PASSWORD = re.compile(r"^A password has at least (?P<n>\d+) characters\.$")
_NOT_QUANTITY = re.compile(r"^'(?P<text>.*)' is not a quantity\. ")
_TOO_MUCH = re.compile(r"^(?:Quantity )?(?P<q>\d+) is more than (?P<n>\d+): check the number\.$")
_PERMISSION = re.compile(r"^(?P<who>.+) \((?P<role>[a-z ]+)\) may not (?P<what>.+)\. Ask the MO in-charge or the administrator\.$")


def refusal_text(error: StoreError) -> str:
    """The refusal's message in the current language (English when no translation is known)."""
    message = error.message
    if isinstance(error, BatchExpired):
        if "cannot be received" in message:
            return tr("Batch {batch} of {item} expired at the end of {month}: expired stock cannot be received. "
                      "Return it to the sender.", "refusal").format(batch=error.batch_no, item=error.item_code,
                                                                   month=_month(error.expiry_month))
        return tr("Batch {batch} of {item} expired at the end of {month} and cannot be issued. "
                  "Choose another batch, or write it off.", "refusal").format(
            batch=error.batch_no, item=error.item_code, month=_month(error.expiry_month))
    if isinstance(error, StockTooLow):
        if error.batch_no:
            return tr("Only {available} available of batch {batch} of {item}; {requested} asked.", "refusal").format(
                available=error.available, batch=error.batch_no, item=error.item_code, requested=error.requested)
        return tr("Only {available} available of {item}; {requested} asked.", "refusal").format(
            available=error.available, item=error.item_code, requested=error.requested)
    if isinstance(error, UnknownItem):
        return tr("Item '{item}' is not in the catalogue. Check the code or import the catalogue.", "refusal").format(
            item=error.item_code)
    if isinstance(error, UnknownBatch):
        return tr("Batch '{batch}' of item {item} has never been received here.", "refusal").format(
            batch=error.batch_no, item=error.item_code)
    if isinstance(error, AlreadyReversed):
        match = re.match(r"^(?P<number>\S+) was already reversed by (?P<by>\S+)\.$", message)
        if match:
            return tr("{number} was already reversed by {by}.", "refusal").format(**match.groupdict())
    if isinstance(error, DocumentNotFound):
        match = re.match(r"^There is no document (?P<number>.+)\.$", message)
        if match:
            return tr("There is no document {number}.", "refusal").format(**match.groupdict())
    if error.code in ("disk_full", "read_only", "locked", "corrupt"):
        return _environment_text(error.code, message)
    known = _static_messages().get(message)
    if known is not None:
        return known
    match = _REQUIRED.match(message)
    if match:
        return tr("{label} is required.", "refusal").format(label=_label(error.field, match["label"]))
    match = _TOO_LONG.match(message)
    if match:
        return tr("{label} is longer than {n} characters.", "refusal").format(label=_label(error.field, match["label"]), n=match["n"])
    match = _PASSWORD.match(message)
    if match:
        return tr("A password has at least {n} characters.", "refusal").format(n=match["n"])
    match = _NOT_QUANTITY.match(message)
    if match:
        return tr("'{text}' is not a quantity. Type a number (10) or a dose: 1-0-1 x5, BD x5, TDS x5.", "refusal").format(
            text=match["text"])
    match = _TOO_MUCH.match(message)
    if match:
        return tr("{q} is more than {n}: check the number.", "refusal").format(q=match["q"], n=match["n"])
    match = _PERMISSION.match(message)
    if match:
        return tr("{who} may not do this. Ask the MO in-charge or the administrator.", "refusal").format(who=match["who"])
    return message


def _month(expiry_month: str) -> str:
    year, _, month = expiry_month.partition("-")
    return f"{month}/{year}"


def _environment_text(code: str, english: str) -> str:
    if code == "disk_full":
        if "I/O" in english:
            return tr("The disk could not be written (I/O error): nothing was saved. Check the disk and save again.", "refusal")
        return tr("The disk is full: nothing was saved. Free some space (or ask for help) and save again.", "refusal")
    if code == "read_only":
        if "cannot be opened" in english:
            return tr("The database file cannot be opened. Check that the data folder exists and is writable.", "refusal")
        return tr("The data folder cannot be written (read-only): nothing was saved. Check the folder's permissions "
                  "or the USB/network drive, then save again.", "refusal")
    if code == "locked":
        return tr("The database is busy in another program or copy of IHMS Desk: nothing was saved. "
                  "Close the other copy and save again.", "refusal")
    return tr("The database file is damaged. Do not continue: restore the latest backup (ihms-desk restore) "
              "or call for support.", "refusal")
