"""Languages and fonts: installs the Hindi translation, loads the bundled Noto fonts, and puts
the store's refusals and sync's failures into the user's language.

::

    from ihms_desk.ui import i18n
    i18n.load_fonts()                 # once, after QApplication exists
    i18n.set_language("hi")          # installs resources/i18n/ihms_desk_hi.qm ("en" removes it)
    i18n.refusal_text(error)          # a store Refusal's message, translated when we know it
    i18n.sync_error_text(message, kind, values)   # a sync failure, likewise

The store speaks English (it must not import Qt); each refusal carries a stable ``code`` and
its values (item, batch, quantities), so the messages a pharmacist meets every day are
re-worded here through ``translate()``. Sync does the same with a ``kind`` and its values
(``ihms_desk.sync.errors.MESSAGES``). Anything not known falls back to the English message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ihms_desk.paths import resource_path
from ihms_desk.store.errors import (
    AlreadyReversed,
    BatchExpired,
    DocumentNotFound,
    StockTooLow,
    StoreError,
    UnknownBatch,
    UnknownItem,
)
from ihms_desk.sync.errors import identify

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
    folder = resource_path("fonts")
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
        translator._data = content  # type: ignore[attr-defined]
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


# -- the store's refusals, in the user's language ----------------------------------------------

def _label(field: str | None, english: str) -> str:
    """A field's label, translated; the English label from the message when we do not know it."""
    if field == "opd_no":
        return QCoreApplication.translate("refusal", "OPD registration number")
    if field == "patient_name":
        return QCoreApplication.translate("refusal", "Patient name")
    if field == "prescriber":
        return QCoreApplication.translate("refusal", "Prescriber")
    if field == "reason":
        return QCoreApplication.translate("refusal", "Reason for the reversal")
    if field == "code":
        return QCoreApplication.translate("refusal", "Facility code")
    if field == "name":
        return QCoreApplication.translate("refusal", "Facility name")
    if field == "district":
        return QCoreApplication.translate("refusal", "District")
    if field == "block":
        return QCoreApplication.translate("refusal", "Block")
    if field == "username":
        return QCoreApplication.translate("refusal", "User name")
    if field == "full_name":
        return QCoreApplication.translate("refusal", "Full name")
    if field == "note":
        return QCoreApplication.translate("refusal", "Note")
    if field == "destination_name":
        return QCoreApplication.translate("refusal", "Destination")
    if field == "source_name":
        return QCoreApplication.translate("refusal", "Sender")
    if field == "voucher_no":
        return QCoreApplication.translate("refusal", "Voucher or challan number")
    if field == "batch":
        return QCoreApplication.translate("refusal", "Batch number")
    return english


def _static_messages() -> dict[str, str]:
    # Literal calls so that pyside6-lupdate finds every string.
    return {
        "Choose the patient's sex: M, F or O.": QCoreApplication.translate("refusal", "Choose the patient's sex: M, F or O."),
        "Age must be a whole number of years from 0 to 130.": QCoreApplication.translate("refusal", "Age must be a whole number of years from 0 to 130."),
        "Add at least one line.": QCoreApplication.translate("refusal", "Add at least one line."),
        "Cannot dispense more than prescribed.": QCoreApplication.translate("refusal", "Cannot dispense more than prescribed."),
        "Quantity must be at least 1.": QCoreApplication.translate("refusal", "Quantity must be at least 1."),
        "Wrong user name or password.": QCoreApplication.translate("refusal", "Wrong user name or password."),
        "Log in first.": QCoreApplication.translate("refusal", "Log in first."),
        "ABHA number must be 14 digits (for example 91-1234-5678-9012), or left empty.": QCoreApplication.translate("refusal", "ABHA number must be 14 digits (for example 91-1234-5678-9012), or left empty."),
        "A document cannot be dated in the future.": QCoreApplication.translate("refusal", "A document cannot be dated in the future."),
        "This database is already set up for a facility.": QCoreApplication.translate("refusal", "This database is already set up for a facility."),
        "A user name has letters, digits, dot, dash or underscore only.": QCoreApplication.translate("refusal", "A user name has letters, digits, dot, dash or underscore only."),
        "You cannot disable your own account.": QCoreApplication.translate("refusal", "You cannot disable your own account."),
        "Choose a role: pharmacist, store clerk, in-charge or admin.": QCoreApplication.translate("refusal", "Choose a role: pharmacist, store clerk, in-charge or admin."),
        "The voucher date is after today: check it.": QCoreApplication.translate("refusal", "The voucher date is after today: check it."),
        "The voucher is more than a year old: check the date.": QCoreApplication.translate("refusal", "The voucher is more than a year old: check the date."),
        "Choose where the stock came from: DDW, another facility or local purchase.": QCoreApplication.translate("refusal", "Choose where the stock came from: DDW, another facility or local purchase."),
        "Choose where the stock goes: ward, sub-centre or facility.": QCoreApplication.translate("refusal", "Choose where the stock goes: ward, sub-centre or facility."),
        "Choose a reason for the adjustment.": QCoreApplication.translate("refusal", "Choose a reason for the adjustment."),
        "A counted quantity is a whole number, 0 or more.": QCoreApplication.translate("refusal", "A counted quantity is a whole number, 0 or more."),
        "A stocktake correction is a non-zero whole number (+ or -).": QCoreApplication.translate("refusal", "A stocktake correction is a non-zero whole number (+ or -)."),
        "A GTIN has 14 digits.": QCoreApplication.translate("refusal", "A GTIN has 14 digits."),
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
            return QCoreApplication.translate("refusal", "Batch {batch} of {item} expired at the end of {month}: expired stock cannot be received. Return it to the sender.").format(batch=error.batch_no, item=error.item_code,
                                                                   month=_month(error.expiry_month))
        return QCoreApplication.translate("refusal", "Batch {batch} of {item} expired at the end of {month} and cannot be issued. Choose another batch, or write it off.").format(
            batch=error.batch_no, item=error.item_code, month=_month(error.expiry_month))
    if isinstance(error, StockTooLow):
        if error.batch_no:
            return QCoreApplication.translate("refusal", "Only {available} available of batch {batch} of {item}; {requested} asked.").format(
                available=error.available, batch=error.batch_no, item=error.item_code, requested=error.requested)
        return QCoreApplication.translate("refusal", "Only {available} available of {item}; {requested} asked.").format(
            available=error.available, item=error.item_code, requested=error.requested)
    if isinstance(error, UnknownItem):
        return QCoreApplication.translate("refusal", "Item '{item}' is not in the catalogue. Check the code or import the catalogue.").format(
            item=error.item_code)
    if isinstance(error, UnknownBatch):
        return QCoreApplication.translate("refusal", "Batch '{batch}' of item {item} has never been received here.").format(
            batch=error.batch_no, item=error.item_code)
    if isinstance(error, AlreadyReversed):
        match = re.match(r"^(?P<number>\S+) was already reversed by (?P<by>\S+)\.$", message)
        if match:
            return QCoreApplication.translate("refusal", "{number} was already reversed by {by}.").format(**match.groupdict())
    if isinstance(error, DocumentNotFound):
        match = re.match(r"^There is no document (?P<number>.+)\.$", message)
        if match:
            return QCoreApplication.translate("refusal", "There is no document {number}.").format(**match.groupdict())
    if error.code in ("disk_full", "io_error", "read_only", "locked", "corrupt", "missing"):
        return _environment_text(error.code, message)
    known = _static_messages().get(message)
    if known is not None:
        return known
    match = _REQUIRED.match(message)
    if match:
        return QCoreApplication.translate("refusal", "{label} is required.").format(label=_label(error.field, match["label"]))
    match = _TOO_LONG.match(message)
    if match:
        return QCoreApplication.translate("refusal", "{label} is longer than {n} characters.").format(label=_label(error.field, match["label"]), n=match["n"])
    match = _PASSWORD.match(message)
    if match:
        return QCoreApplication.translate("refusal", "A password has at least {n} characters.").format(n=match["n"])
    match = _NOT_QUANTITY.match(message)
    if match:
        return QCoreApplication.translate("refusal", "'{text}' is not a quantity. Type a number (10) or a dose: 1-0-1 x5, BD x5, TDS x5.").format(
            text=match["text"])
    match = _TOO_MUCH.match(message)
    if match:
        return QCoreApplication.translate("refusal", "{q} is more than {n}: check the number.").format(q=match["q"], n=match["n"])
    match = _PERMISSION.match(message)
    if match:
        return QCoreApplication.translate("refusal", "{who} may not do this. Ask the MO in-charge or the administrator.").format(who=match["who"])
    return message


def _month(expiry_month: str) -> str:
    year, _, month = expiry_month.partition("-")
    return f"{month}/{year}"


def _environment_text(code: str, english: str) -> str:
    if code == "disk_full":
        return QCoreApplication.translate("refusal", "The disk is full: nothing was saved. Free some space (or ask for help) and save again.")
    if code == "io_error":
        return QCoreApplication.translate("refusal", "The disk could not be read or written (an I/O error; it is not full): nothing was saved. The disk or the USB or network drive may be failing or disconnected: check it, take a backup onto another drive, and call for support if it happens again.")
    if code == "missing":
        return QCoreApplication.translate("refusal", "The database is missing or empty, but backups of this facility are kept in the data folder. Nothing was created. Restore the newest backup (ihms-desk restore, or open IHMS Desk, which offers it); do not set the facility up again.")
    if code == "read_only":
        if "cannot be opened" in english:
            return QCoreApplication.translate("refusal", "The database file cannot be opened. Check that the data folder exists and is writable.")
        return QCoreApplication.translate("refusal", "The data folder cannot be written (read-only): nothing was saved. Check the folder's permissions or the USB/network drive, then save again.")
    if code == "locked":
        return QCoreApplication.translate("refusal", "The database is busy in another program or copy of IHMS Desk: nothing was saved. Close the other copy and save again.")
    return QCoreApplication.translate("refusal", "The database file is damaged. Nothing was saved, and IHMS Desk will not write to it: restore the latest backup (the Backup screen, or ihms-desk restore) or call for support.")


# -- sync's failures, in the user's language ---------------------------------------------------

def _sync_wordings() -> dict[str, str]:
    """Each kind of ``ihms_desk.sync.errors.MESSAGES`` with its English as the source text, so
    that English shows exactly what the CLI prints. Literal calls, for pyside6-lupdate."""
    return {
        "not_enrolled": QCoreApplication.translate("sync", "This desk is not enrolled with the state server yet. On the Sync screen (or with 'ihms-desk sync --enrol URL CODE') enter the server address and the enrolment code from the district."),
        "enrolment_code_missing": QCoreApplication.translate("sync", "Type the enrolment code the district gave you."),
        "enrolment_code_refused": QCoreApplication.translate("sync", "This enrolment code is wrong, already used or expired for this facility. Ask the district for a new code."),
        "enrolment_refused": QCoreApplication.translate("sync", "The enrolment code was refused."),
        "not_a_server_address": QCoreApplication.translate("sync", "'{address}' is not a server address. Type it as the district gave it, for example https://ihms.rajasthan.gov.in"),
        "server_unreachable": QCoreApplication.translate("sync", "Cannot reach the server {server}: the line may be down or the address wrong. Records stay safe on this PC and will be sent later."),
        "timed_out": QCoreApplication.translate("sync", "The server {server} did not answer in time."),
        "certificate_not_trusted": QCoreApplication.translate("sync", "The server {server} did not prove who it is (its TLS certificate did not verify). Check the address, and that this PC's date and time are right. Details: {details}"),
        "redirected": QCoreApplication.translate("sync", "The address {server} sends this desk on to {target} (HTTP {status}). Enrol again with the address the district gave, exactly as given (https://...)."),
        "not_ihms_server": QCoreApplication.translate("sync", "The address {server} does not answer like an IHMS state server ({detail}). Check the address; a Wi-Fi login page can also cause this."),
        "server_trouble": QCoreApplication.translate("sync", "The server {server} has a problem (HTTP {status}); sync will try again."),
        "server_trouble_unexplained": QCoreApplication.translate("sync", "The server has a problem (HTTP {status}): no reason given. Sync will try again."),
        "server_trouble_reason": QCoreApplication.translate("sync", "The server has a problem (HTTP {status}): {reason}. Sync will try again."),
        "catalogue_stuck": QCoreApplication.translate("sync", "The server sent catalogue changes without moving on past them; the item list may be out of date. Sync will try again; tell the district if this stays."),
        "version_mismatch": QCoreApplication.translate("sync", "This desk speaks sync version {ours}; the server speaks {theirs}. Update IHMS Desk (or ask the district about the server). Records stay safe on this PC meanwhile."),
        "versions_differ": QCoreApplication.translate("sync", "This desk and the server speak different sync versions. {reason}"),
        "token_missing": QCoreApplication.translate("sync", "This desk has no device token. Enrol it with the code from the district."),
        "token_rejected": QCoreApplication.translate("sync", "The server no longer accepts this desk: {reason} Records stay safe on this PC; enrol again to send them."),
        "cursor_unknown": QCoreApplication.translate("sync", "The catalogue cursor is unknown."),
        "batch_too_large": QCoreApplication.translate("sync", "The server found a batch too large: {reason}"),
        "request_refused": QCoreApplication.translate("sync", "The server refused the request ({code}): {reason}"),
        "records_clash": QCoreApplication.translate("sync", "Some records clashed with records the server already has from this device: this PC may be a copy of another desk, or restored from an old backup. They are sent again under epoch {epoch}, so nothing is lost; tell the district."),
        "superseded": QCoreApplication.translate("sync", "This desk's records now come from another PC, {claimed_by}, which restored or copied this desk's data and took it over on {when} (epoch {epoch}); this PC holds an older copy. Records saved here stay on this PC and are not sent. If this PC is still used at the counter, ask the district for a new enrolment code and enrol it again: it then sends its records as a desk of its own. If this PC is the one to keep, run 'ihms-desk sync --take-over'."),
        "local_problem": QCoreApplication.translate("sync", "This PC could not sync: {reason}"),
        "sync_busy": QCoreApplication.translate("sync", "Another sync of this data folder is running (the program or a scheduled task); this one waits for it."),
        "unexpected": QCoreApplication.translate("sync", "Sync failed unexpectedly ({error}); it will try again. The log file has the details."),
    }


def _server_reason(reason: str) -> str:
    """The state server's fixed reasons for refusing a device token (ihms_server/store.py)."""
    known = {
        "This device token is not known here. Enrol the desk again with a new enrolment code.": QCoreApplication.translate("sync", "This device token is not known here. Enrol the desk again with a new enrolment code."),
        "This device has been withdrawn by the district. Ask them for a new enrolment code.": QCoreApplication.translate("sync", "This device has been withdrawn by the district. Ask them for a new enrolment code."),
    }
    return known.get(reason, reason)


_WEB_PAGE = re.compile(r"^it answered with a web page \(HTTP (?P<status>\d+)\)$")
_SOMETHING_ELSE = re.compile(r"^it answered with something else \(HTTP (?P<status>\d+)\)$")
_NOT_IHMS_ERROR = re.compile(r"^its error answer \(HTTP (?P<status>\d+)\) is not an IHMS one$")


def _not_ihms_detail(detail: str) -> str:
    """What was wrong with the answer, inside the not_ihms_server message (client.py and
    worker.py write these phrases)."""
    known = {
        "its health answer lists no protocol versions": QCoreApplication.translate("sync", "its health answer lists no protocol versions"),
        "its results do not match the events sent": QCoreApplication.translate("sync", "its results do not match the events sent"),
        "it answered the enrolment without a device token": QCoreApplication.translate("sync", "it answered the enrolment without a device token"),
        "its answer to a batch does not list one result per event": QCoreApplication.translate("sync", "its answer to a batch does not list one result per event"),
        "its catalogue page has no changes or cursor": QCoreApplication.translate("sync", "its catalogue page has no changes or cursor"),
    }
    if detail in known:
        return known[detail]
    match = _WEB_PAGE.match(detail)
    if match:
        return QCoreApplication.translate("sync", "it answered with a web page (HTTP {status})").format(status=match["status"])
    match = _SOMETHING_ELSE.match(detail)
    if match:
        return QCoreApplication.translate("sync", "it answered with something else (HTTP {status})").format(status=match["status"])
    match = _NOT_IHMS_ERROR.match(detail)
    if match:
        return QCoreApplication.translate("sync", "its error answer (HTTP {status}) is not an IHMS one").format(status=match["status"])
    return detail


def sync_error_text(message: str, kind: str | None = None, values: Mapping[str, str] | None = None) -> str:
    """A sync failure in the current language (English when no translation is known).

    ``kind`` and ``values`` as a ``SyncError`` or ``SyncStatus`` carries them; given only the
    English ``message`` (the status bar's signal), the kind is recognised from it.
    """
    if kind is None:
        kind, values = identify(message)
    wording = _sync_wordings().get(kind) if kind is not None else None
    if wording is None:
        return message
    shown = dict(values or {})
    if kind == "not_ihms_server" and "detail" in shown:
        shown["detail"] = _not_ihms_detail(shown["detail"])
    if kind == "token_rejected" and "reason" in shown:
        shown["reason"] = _server_reason(shown["reason"])
    try:
        return wording.format_map(shown)
    except (KeyError, IndexError, ValueError):  # values that do not fit the words: the English is right
        return message


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
    ]
