"""``ihms-desk --self-test``: prove that an installed (or frozen) program has all it needs.

Checks what a broken build or a half-copied install folder would lose: the bundled resources
(found through ``paths.resource_path`` exactly as the program finds them), the compiled
translations, the fonts (Hindi must render), SQLite, and a real database in a temporary
folder (set up, receive, dispense, check, back up). Run by CI on the frozen build and by
support staff on a PC that misbehaves; exits 0 only when every check passes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: The fonts the screens ask for by family name; Devanagari is needed for Hindi.
FONT_FAMILIES = ("Noto Sans", "Noto Sans Devanagari")
HINDI_SAMPLE = "दवा वितरण"  # "medicine distribution", as on the counter's screens
#: The outbox uses ``RETURNING`` (SQLite 3.35); an older DLL in a frozen build would fail late.
MIN_SQLITE = (3, 35, 0)

#: A tiny catalogue used if the starter catalogue is missing (its absence is reported anyway).
_FALLBACK_CATALOGUE = (
    "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"
    "D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,0,1\n"
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def resources_root() -> Path:
    from ihms_desk.paths import resource_path

    return resource_path()


def check_resources() -> CheckResult:
    root = resources_root()
    fonts = sorted(entry.name for entry in (root / "fonts").iterdir() if entry.name.endswith(".ttf"))
    if len(fonts) < 2:
        return CheckResult("resources", False, f"fonts missing from the bundle (found {fonts or 'none'})")
    catalogue = root / "catalogue" / "starter_catalogue.csv"
    if not catalogue.is_file():
        return CheckResult("resources", False, "catalogue/starter_catalogue.csv is missing from the bundle")
    rows = list(csv.DictReader(io.StringIO(catalogue.read_text(encoding="utf-8-sig"))))
    if not rows or "code" not in rows[0]:
        return CheckResult("resources", False, "the starter catalogue is empty or has no 'code' column")
    return CheckResult("resources", True, f"{len(fonts)} fonts, starter catalogue of {len(rows)} items")


def _qt_app() -> object:
    from PySide6.QtWidgets import QApplication

    # Reuse the running application (the program's own, or pytest-qt's) rather than make a second.
    return QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "ihms-desk"])


#: The window's modules, imported by name: a build that left one out fails here, not at the counter.
WINDOW_MODULES = ("ihms_desk.ui.app", "ihms_desk.ui.error_dialog", "ihms_desk.ui.backup_screen", "ihms_desk.ui.startup_checks")


def _unimportable(modules: Iterable[str]) -> list[str]:
    """Each module that cannot be imported, with the reason."""
    import importlib

    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as error:
            missing.append(f"{name} ({error})")
    return missing


def check_window() -> CheckResult:
    _qt_app()
    missing = _unimportable(WINDOW_MODULES)
    if missing:
        return CheckResult("window", False, f"cannot import {', '.join(missing)}")
    return CheckResult("window", True, f"Qt widgets and {len(WINDOW_MODULES)} window modules load")


def check_commands() -> CheckResult:
    """The modules ``ihms-desk`` loads by name for its sub-commands (``cli.common.COMMANDS``):
    a frozen build that left one out would fail only when, say, the nightly sync task runs."""
    from ihms_desk.cli.common import COMMANDS

    modules = sorted(set(COMMANDS.values()))
    missing = _unimportable(modules)
    if missing:
        return CheckResult("commands", False, f"cannot import {', '.join(missing)}")
    return CheckResult("commands", True, f"{', '.join(sorted(COMMANDS))} ({len(modules)} modules) load")


def check_translations() -> CheckResult:
    from PySide6.QtCore import QTranslator

    _qt_app()
    folder = resources_root() / "i18n"
    compiled = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".qm")) if folder.is_dir() else []
    if not compiled:
        return CheckResult("translations", False, "no compiled translations (.qm) in i18n/: Hindi would not show")
    empty = []
    for name in compiled:
        translator = QTranslator()
        # loadFromData, not load(path): the bundle may be a zip or a frozen archive, not a folder.
        if not translator.load((folder / name).read_bytes()) or translator.isEmpty():
            empty.append(name)
    if empty:
        return CheckResult("translations", False, f"cannot load {', '.join(empty)}")
    return CheckResult("translations", True, f"loaded {', '.join(compiled)}")


def check_fonts() -> CheckResult:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

    _qt_app()
    families: set[str] = set()
    for entry in sorted((resources_root() / "fonts").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".ttf"):
            continue
        font_id = QFontDatabase.addApplicationFontFromData(QByteArray(entry.read_bytes()))
        if font_id < 0:
            return CheckResult("fonts", False, f"Qt cannot load {entry.name}")
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    missing = [family for family in FONT_FAMILIES if family not in families]
    if missing:
        return CheckResult("fonts", False, f"font families missing: {', '.join(missing)} (have {sorted(families)})")
    metrics = QFontMetrics(QFont("Noto Sans Devanagari", 12))
    absent = [char for char in HINDI_SAMPLE if not char.isspace() and not metrics.inFontUcs4(ord(char))]
    if absent or metrics.horizontalAdvance(HINDI_SAMPLE) <= 0:
        return CheckResult("fonts", False, f"Hindi cannot be drawn: no glyph for {''.join(absent)!r}")
    return CheckResult("fonts", True, f"{', '.join(sorted(families))}; Hindi renders")


def check_sqlite() -> CheckResult:
    version = tuple(int(part) for part in sqlite3.sqlite_version.split("."))
    if version < MIN_SQLITE:
        return CheckResult("sqlite", False, f"SQLite {sqlite3.sqlite_version} is older than 3.35 (RETURNING is needed)")
    return CheckResult("sqlite", True, f"SQLite {sqlite3.sqlite_version}")


def check_database() -> CheckResult:
    """A whole small day in a temporary folder: set up, receive, dispense, doctor, back up."""
    from ihms_desk.backup import inspect_backup, take_backup
    from ihms_desk.instance_lock import InstanceLock
    from ihms_desk.store import Store
    from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine

    with tempfile.TemporaryDirectory(prefix="ihms-selftest-") as folder:
        data_dir = Path(folder) / "data"
        with InstanceLock(data_dir):
            with Store.open(data_dir) as store:
                store.set_up(code="SELFTEST", name="Self-test CHC", district="Jaipur", block="Test", type="CHC",
                             admin_username="admin", admin_full_name="Self Test", admin_password="self-test-only")
                store.act_as("admin")
                catalogue = resources_root() / "catalogue" / "starter_catalogue.csv"
                text = catalogue.read_text(encoding="utf-8-sig") if catalogue.is_file() else _FALLBACK_CATALOGUE
                report = store.import_catalogue_csv(io.StringIO(text))
                if not report.ok or report.added < 1:
                    return CheckResult("database", False, f"catalogue import refused rows: {report.rejected[:3]}")
                item = store.stock_on_hand()[0].item
                expiry = (dt.date.today() + dt.timedelta(days=400)).strftime("%Y-%m")
                store.receive(source="ddw", voucher_no="SELFTEST/1", voucher_date=dt.date.today(),
                              lines=[ReceiptLine(item.code, "ST-1", expiry, 100)])
                store.dispense(patient=Patient(opd_no="ST/1", name="Self Test", age=30, sex="F"),
                               prescriber="Dr. Test", lines=[DispenseLine(item.code, 10)])
                problems = store.doctor()
                if problems:
                    return CheckResult("database", False, f"doctor found: {problems[0]}")
            backup = take_backup(data_dir).copies[0]
            info = inspect_backup(backup)
            if info.documents != 2:
                return CheckResult("database", False, f"the backup holds {info.documents} documents, not 2")
    return CheckResult("database", True, f"set up, receipt, dispense, doctor and backup in a temporary folder ({item.code})")


def check_reports() -> CheckResult:
    """A report built on a small ledger, written as a Hindi PDF (fpdf2, uharfbuzz's compiled
    shaper and the fonts) and as XLSX, and charted (pyqtgraph and numpy): all of it loaded by
    name or on demand, so a build that left one out would fail only at the in-charge's desk."""
    from ihms_desk.exports import write_report
    from ihms_desk.store import Store
    from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
    from ihms_desk.store.reports import build_report

    _qt_app()
    from ihms_desk.ui.report_charts import MonthsOfStockChart

    with tempfile.TemporaryDirectory(prefix="ihms-selftest-") as folder:
        with Store.open(Path(folder) / "data") as store:
            store.set_up(code="SELFTEST", name="Self-test CHC", district="Jaipur", block="Test", type="CHC",
                         admin_username="admin", admin_full_name="स्व-परीक्षण", admin_password="self-test-only")
            store.act_as("admin")
            store.import_catalogue_csv(io.StringIO(_FALLBACK_CATALOGUE))
            today = dt.date.today()
            store.receive(source="ddw", voucher_no="SELFTEST/1", voucher_date=today,
                          lines=[ReceiptLine("D0001", "ST-1", (today + dt.timedelta(days=400)).strftime("%Y-%m"), 100)])
            store.dispense(patient=Patient(opd_no="ST/1", name="Self Test", age=30, sex="F"), prescriber="Dr. Test",
                           lines=[DispenseLine("D0001", 10)])
            report = build_report(store, "consumption", today.replace(day=1), today)
        pdf = write_report(report, Path(folder) / "consumption-hi.pdf", lang="hi")
        xlsx = write_report(report, Path(folder) / "consumption.xlsx")
        pdf_size, xlsx_size = pdf.stat().st_size, xlsx.stat().st_size
        if pdf_size < 1000 or xlsx_size < 1000:
            return CheckResult("reports", False, f"report files too small: PDF {pdf_size}, XLSX {xlsx_size} bytes")
        table = report.table("consumption")
        chart = MonthsOfStockChart()
        chart.show_table(table, 2, 4)
        chart.resize(600, 300)
        drawn = chart.grab()  # drawn, as on the screen
        counted = sum(1 for status in table.values("status") if status != "no_consumption")
        if sum(bucket.count for bucket in chart.buckets) != counted or drawn.isNull():
            return CheckResult("reports", False, "the months-of-stock chart does not draw what the report holds")
    return CheckResult("reports", True, f"consumption report, Hindi PDF ({pdf_size:,} bytes), XLSX and a chart")


CHECKS: tuple[Callable[[], CheckResult], ...] = (
    check_sqlite, check_resources, check_window, check_commands, check_translations, check_fonts, check_database,
    check_reports,
)


def run_self_test(report: Callable[[str], None] = print) -> bool:
    """Run every check, report each line through ``report``; True when all passed."""
    results: list[CheckResult] = []
    started = time.monotonic()
    for check in CHECKS:
        try:
            result = check()
        except Exception as error:  # a crash in a check is a failed check, reported with its cause
            log.exception("Self-test check %s crashed", check.__name__)
            result = CheckResult(check.__name__.removeprefix("check_"), False, f"{type(error).__name__}: {error}")
        results.append(result)
        line = f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}"
        log.log(logging.INFO if result.ok else logging.ERROR, "self-test %s", line)
        report(line)
    passed = all(result.ok for result in results)
    report(f"Self-test {'passed' if passed else 'FAILED'} in {time.monotonic() - started:.1f} s")
    return passed


def main() -> int:
    """The ``--self-test`` flag: exit status 0 when every check passes, 1 otherwise.

    The results also go to the log file: in the windowed Windows build nothing is printed.
    """
    from ihms_desk.logging_setup import setup_logging

    setup_logging(console=False)
    return 0 if run_self_test() else 1
