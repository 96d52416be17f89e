"""Render every main screen with demo data, in English and in Hindi, to PNG files.

    python -m ihms_desk.ui.screenshots OUTDIR [--data-dir DEMO_DIR] [--size 1366x768]

Runs headless (the offscreen Qt platform unless QT_QPA_PLATFORM says otherwise). Without
``--data-dir`` the demo CHC is built in a temporary folder first. The bundled Noto fonts are
loaded, so Hindi renders on a machine with no Devanagari font.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from ihms_desk.paths import database_path  # noqa: E402
from ihms_desk.store import Store  # noqa: E402
from ihms_desk.ui import dialogs, i18n  # noqa: E402
from ihms_desk.ui.app import create_application  # noqa: E402
from ihms_desk.ui.dispense import DispenseScreen  # noqa: E402
from ihms_desk.ui.login import LoginScreen  # noqa: E402
from ihms_desk.ui.main_window import MainWindow  # noqa: E402
from ihms_desk.ui.setup_wizard import SetupWizard  # noqa: E402

#: screen key, user who shows it.
SCREENS = (
    ("dispense", "pharmacist"),
    ("receive", "clerk"),
    ("stock", "incharge"),
    ("alerts", "incharge"),
    ("documents", "incharge"),
    ("reports", "incharge"),
    ("adjust", "incharge"),
    ("transfer", "clerk"),
    ("stocktake", "clerk"),
    ("sync", "admin"),
    ("backup", "incharge"),
    ("settings", "admin"),
    ("indent", "clerk"),
    ("vouchers", "clerk"),
)


#: How long each screen is given to load (worker results) before it is grabbed.
SETTLE_MS = 600


def settle(milliseconds: int | None = None) -> None:
    """Let queued signals and worker results arrive (screens that load in the worker)."""
    end = time.monotonic() + (SETTLE_MS if milliseconds is None else milliseconds) / 1000
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def save(widget: QWidget, path: Path) -> Path:
    settle()
    widget.grab().save(str(path))
    return path


def fill_prescription(screen: DispenseScreen, store: Store) -> None:
    """A patient and a few lines typed as at the counter, one of them short, so the screen shows its parts."""
    QTest.keyClick(screen.opd_edit, Qt.Key.Key_Return)   # today's next OPD number, offered
    QTest.keyClicks(screen.name_edit, "Sunita Bairwa")
    QTest.keyClicks(screen.age_sex_edit, "42F")
    screen.prescriber_edit.setText("Dr. R. K. Gupta")
    wanted = [("paracetamol 500", "1-0-1 x5"), ("amoxicillin", "TDS x 5"), ("cetirizine", "OD x 10"),
              ("metformin", "1-0-1 x 15"), ("ranitidine", "BD x5"), ("pantoprazole", "OD x 7")]
    added = 0
    for text, quantity in wanted:
        hits = [hit for hit in store.search_items(text) if hit.usable_qty >= 30 and hit.item.unit_of_issue in ("tablet", "capsule")]
        if hits and added < 3:
            screen.picker.choose_code(hits[0].item.code)
            QTest.keyClicks(screen.qty_edit, quantity)
            QTest.keyClick(screen.qty_edit, Qt.Key.Key_Return)
            added += 1
    short = [row for row in store.stock_on_hand() if 0 < row.usable_qty < 20 and row.item.unit_of_issue == "tablet"]
    if short:
        screen.picker.choose_code(short[0].item.code)
        QTest.keyClicks(screen.qty_edit, "30")
        QTest.keyClick(screen.qty_edit, Qt.Key.Key_Return)
    # The next line half typed: an item picked, its dose read back before Enter takes it.
    amoxicillin = [hit for hit in store.search_items("amoxicillin") if hit.usable_qty > 0]
    if amoxicillin:
        screen.picker.choose_code(amoxicillin[0].item.code)
        screen.qty_edit.setText("TDS x5")


def search_in_progress(screen: DispenseScreen) -> None:
    """Three letters typed: the results float over the lines, best first for this counter."""
    screen.qty_edit.clear()
    screen.chosen_label.clear()
    screen.picker.clear()
    screen.picker.setFocus()
    QTest.keyClicks(screen.picker.line_edit, "par")


def fill_receipt(screen: QWidget, store: Store) -> None:
    """A challan typed line by line as the clerk does: eleven lines (more than the ten the
    table shows at 1366x698), the last expiring next month, taken with a reason."""
    today = store.today()

    def month(ahead: int) -> str:
        index = today.year * 12 + today.month - 1 + ahead
        return f"{index % 12 + 1:02d}/{index // 12}"

    QTest.keyClicks(getattr(screen, "voucher_edit"), "DDW/JPR/2026/4411")
    rows = [row for row in store.stock_on_hand() if row.item.category == "drug"][:11]
    for number, row in enumerate(rows):
        getattr(screen, "picker").choose_code(row.item.code)
        QTest.keyClicks(getattr(screen, "batch_edit"), f"{row.item.code[1:]}-{2411 + number}")
        QTest.keyClicks(getattr(screen, "expiry_edit"), month(1 if number == len(rows) - 1 else 14 + number))
        if not number:  # the manufacturer stays from line to line
            QTest.keyClicks(getattr(screen, "manufacturer_edit"), "RMSCL")
        QTest.keyClicks(getattr(screen, "qty_edit"), str(500 * (number + 1)))
        QTest.keyClicks(getattr(screen, "cost_edit"), f"{0.45 + number / 10:.2f}")
        getattr(screen, "add_line")()
        if getattr(screen, "reason_edit").isVisible():  # short expiry: said, and answered
            QTest.keyClicks(getattr(screen, "reason_edit"), "DDW sent it for the camp this week")
            getattr(screen, "add_line")()


def fill_indent(screen: QWidget, store: Store) -> None:
    """The indent screen with its suggestions worked out (a draft, as the clerk's Ctrl+G makes)."""
    getattr(screen, "suggest")()


def fill_vouchers(screen: QWidget, store: Store) -> None:
    """A 10-line voucher from the warehouse waiting (the demo has none until a server issues
    one), with one line checked short, and a suggested transfer."""
    if not store.vouchers():
        held = [row for row in store.stock_on_hand() if row.usable_qty > 0][:10]
        expiry = f"{store.today().year + 2}-03"
        store.apply_voucher_page([{
            "number": "DDW-JPR/2026-27/000031", "kind": "voucher", "from_code": "DDW-JPR", "from_name": "DDW Jaipur",
            "indent_number": None, "issued_on": store.today().isoformat(),
            "lines": [{"line_no": n, "item_code": row.item.code, "batch_no": f"DW{2400 + n}", "expiry_month": expiry,
                       "qty": 100 * n, "manufacturer": "RMSCL", "unit_cost": None} for n, row in enumerate(held, start=1)]}],
            cursor_before=store.voucher_cursor(), next_cursor="demo")
        if held:
            store.replace_suggestions([{"id": "S-17", "item_code": held[0].item.code, "to_code": "CHC-PHAGI",
                                        "to_name": "CHC Phagi", "qty": 200, "reason": "near_expiry", "expires": expiry}])
    getattr(screen, "refresh")()
    view = getattr(screen, "lines_view")
    view.setFocus()
    view.selectRow(2)
    QTest.keyClick(view, Qt.Key.Key_Return)
    QTest.keyClicks(getattr(screen, "received_edit"), "250")
    QTest.keyClick(getattr(screen, "received_edit"), Qt.Key.Key_Return)
    QTest.keyClicks(getattr(screen, "reason_edit"), "one carton missing")
    QTest.keyClick(getattr(screen, "reason_edit"), Qt.Key.Key_Return)


#: Screens given something to show before they are grabbed.
FILLS = {"indent": fill_indent, "vouchers": fill_vouchers}


def build_report_on(screen: QWidget, name: str, period: str, tab: int = 0) -> None:
    """The Reports screen with a report built (in its own thread) and one of its tabs shown."""
    combo, periods = getattr(screen, "report_combo"), getattr(screen, "period_combo")
    combo.setCurrentIndex(combo.findData(name))
    periods.setCurrentIndex(periods.findData(period))
    getattr(screen, "build")()
    runner = getattr(screen, "runner")
    end = time.monotonic() + 60
    while (runner.running or getattr(screen, "report") is None) and time.monotonic() < end:
        settle(50)
    getattr(screen, "tabs").setCurrentIndex(tab)
    while runner.running and time.monotonic() < end:  # the item chart reads its year
        settle(50)


#: The Reports screen shown again with a report on it: file name, report, period, tab.
REPORT_SHOTS = (
    ("reports-table", "stock-register", "last_month", 0),
    ("reports-chart", "consumption", "last_3_months", 1),
)


def _type_line(screen: QWidget, code: str, quantity: str) -> None:
    picker = getattr(screen, "picker")
    picker.choose_code(code)
    QTest.keyClicks(getattr(screen, "qty_edit"), quantity)


def refuse_dispense(screen: QWidget, store: Store) -> None:
    """A dose the counter cannot read: refused under the quantity."""
    _type_line(screen, store.stock_on_hand()[0].item.code, "1-0-1")
    QTest.keyClick(getattr(screen, "qty_edit"), Qt.Key.Key_Return)


def refuse_receive(screen: QWidget, store: Store) -> None:
    """A pack whose expiry has passed: refused under the expiry."""
    QTest.keyClicks(getattr(screen, "voucher_edit"), "DDW/JPR/2026/4411")
    _type_line(screen, store.stock_on_hand()[0].item.code, "100")
    QTest.keyClicks(getattr(screen, "batch_edit"), "OLD-19")
    QTest.keyClicks(getattr(screen, "expiry_edit"), "01/2020")
    getattr(screen, "add_line")()


def refuse_adjust(screen: QWidget, store: Store) -> None:
    """A store clerk's write-off: refused next to the reason (the in-charge approves it)."""
    row = store.stock_on_hand()[0]
    getattr(screen, "picker").choose_code(row.item.code)
    QTest.keyClicks(getattr(screen, "qty_edit"), "5")
    getattr(screen, "add_line")()
    getattr(screen, "save")()


def refuse_transfer(screen: QWidget, store: Store) -> None:
    """More than the shelf holds: a transfer is never short, so it is refused."""
    row = store.stock_on_hand()[0]
    QTest.keyClicks(getattr(screen, "destination_name"), "Labour room")
    _type_line(screen, row.item.code, str(row.usable_qty + 500))
    getattr(screen, "add_line")()
    getattr(screen, "save")()


#: Screens shown again with their commonest refusal on them: key, user, how it is driven.
REFUSALS = (
    ("dispense", "pharmacist", refuse_dispense),
    ("receive", "clerk", refuse_receive),
    ("adjust", "clerk", refuse_adjust),
    ("transfer", "clerk", refuse_transfer),
)


def _answer_no(*_args: object, **_kwargs: object) -> bool:
    return False


def render(out_dir: Path, data_dir: Path, size: tuple[int, int], languages: list[str]) -> list[Path]:
    """Every screen to PNG. A program shows them, so every question is answered "no": a window
    left with lines typed is not asked about (it is deleted all the same), and the draft such a
    window leaves is not taken back by the next one (a modal question would wait forever here)."""
    asked = dialogs.confirm
    dialogs.confirm = _answer_no
    try:
        return _render(out_dir, data_dir, size, languages)
    finally:
        dialogs.confirm = asked


def _render(out_dir: Path, data_dir: Path, size: tuple[int, int], languages: list[str]) -> list[Path]:
    create_application()
    written: list[Path] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for language in languages:
        if not i18n.set_language(language):
            print(f"warning: no translation file for {language}", file=sys.stderr)
        store = Store.open(data_dir)
        try:
            login = LoginScreen(store, demo=True)
            login.resize(*size)
            login.show()
            written.append(save(login, out_dir / f"{language}-00-login.png"))
            login.close()
            for number, (key, username) in enumerate(SCREENS, start=1):
                store.act_as(username)
                window = MainWindow(store, start=key)
                window.resize(*size)
                window.show()
                screen = window.screens.get(key)
                if key == "dispense" and isinstance(screen, DispenseScreen):
                    fill_prescription(screen, store)
                if key == "receive" and screen is not None:
                    fill_receipt(screen, store)
                if key == "reports" and screen is not None:
                    build_report_on(screen, *REPORT_SHOTS[0][1:])
                if key in FILLS and screen is not None:
                    FILLS[key](screen, store)
                written.append(save(window, out_dir / f"{language}-{number:02d}-{key}.png"))
                if key == "dispense" and isinstance(screen, DispenseScreen):
                    search_in_progress(screen)
                    written.append(save(window, out_dir / f"{language}-{number:02d}-{key}-search.png"))
                    window._leaving = True  # typed lines left on purpose: no question on close
                window.close()
                if key == "dispense":
                    store.discard_draft("dispense")  # or the next window would offer it back
                window.deleteLater()
            for number, (key, username, refuse) in enumerate(REFUSALS, start=30):
                store.act_as(username)
                window = MainWindow(store, start=key)
                window.resize(*size)
                window.show()
                settle()
                refuse(window.screens[key], store)
                written.append(save(window, out_dir / f"{language}-{number:02d}-{key}-refused.png"))
                window.close()
                window.deleteLater()
            for number, (shot, name, period, tab) in enumerate(REPORT_SHOTS, start=40):
                store.act_as("incharge")
                window = MainWindow(store, start="reports")
                window.resize(*size)
                window.show()
                settle()
                build_report_on(window.screens["reports"], name, period, tab)
                written.append(save(window, out_dir / f"{language}-{number:02d}-{shot}.png"))
                window.close()
                window.deleteLater()
            store.logout()
        finally:
            store.close()
        with tempfile.TemporaryDirectory() as fresh:
            with Store.open(Path(fresh)) as new_store:
                wizard = SetupWizard(new_store)
                wizard.resize(720, 680)
                wizard.show()
                written.append(save(wizard, out_dir / f"{language}-20-setup.png"))
                wizard.close()
    i18n.set_language("en")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ihms_desk.ui.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--data-dir", type=Path, help="a demo CHC folder (default: build one in a temporary folder)")
    parser.add_argument("--size", default="1366x768", help="window size, WIDTHxHEIGHT (default 1366x768, a common old screen)")
    parser.add_argument("--languages", default="en,hi")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    size = (int(width), int(height))
    app = QApplication.instance()
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = args.data_dir
        if data_dir is None or not database_path(data_dir).exists():
            from ihms_desk.demo import build_demo

            data_dir = data_dir or Path(temporary) / "demo"
            print(f"Building the demo CHC in {data_dir} ...", file=sys.stderr)
            build_demo(data_dir)
        written = render(args.out_dir, data_dir, size, [code for code in args.languages.split(",") if code])
    for path in written:
        print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
