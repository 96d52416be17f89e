"""Keys to receive a 10-line issue voucher, against typing the same challan by hand, in one run.

    python benchmarks/voucher_keys_bench.py

In the real main window (offscreen Qt), as the store clerk, from the Stock screen:

1. **as sent**: the voucher pulled from the server, received on the Vouchers screen with every
   line as sent (target <= 15 keys: issue 14);
2. **one short line**: the same, with line 3 checked short with a reason;
3. **baseline**: the same 10 lines typed on the Receive screen from the paper challan (voucher
   number, then per line the item code, batch, expiry, quantity), as a clerk did before.

Every key is pressed through Qt (QTest), counted as one (a typed text counts a key a
character), and each path ends with the receipt saved; the three receipts are checked to hold
the same batches. Prints the keys, the ratio to the baseline, and the seconds each path took.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from ihms_desk.store import Store  # noqa: E402
from ihms_desk.ui.app import create_application  # noqa: E402
from ihms_desk.ui.main_window import MainWindow  # noqa: E402
from tests.ui.conftest import build_test_chc  # noqa: E402

TARGET_AS_SENT = 15
CODES = ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006", "D0007", "D0008", "D0009", "S0001")
CTRL = Qt.KeyboardModifier.ControlModifier


class Keys:
    def __init__(self) -> None:
        self.count = 0

    def press(self, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.count += 1
        QTest.keyClick(widget, key, modifier)
        QApplication.processEvents()

    def type(self, widget: QWidget, text: str) -> None:
        self.count += len(text)
        QTest.keyClicks(widget, text)
        QApplication.processEvents()


def pull_voucher(store: Store, number: str, expiry: str) -> None:
    store.apply_voucher_page([{
        "number": number, "kind": "voucher", "from_code": "DDW-JAI", "from_name": "DDW Jaipur", "indent_number": None,
        "issued_on": store.today().isoformat(),
        "lines": [{"line_no": n, "item_code": code, "batch_no": f"{number[-2:]}V{n}", "expiry_month": expiry, "qty": 100 * n,
                   "manufacturer": None, "unit_cost": None} for n, code in enumerate(CODES, start=1)]}],
        cursor_before=store.voucher_cursor(), next_cursor=number)


def window_at_stock(store: Store) -> MainWindow:
    window = MainWindow(store, start="stock")
    window.resize(1366, 698)
    window.show()
    QApplication.processEvents()
    return window


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def by_voucher(store: Store, number: str, *, short_line: bool) -> tuple[int, float, str]:
    window = window_at_stock(store)
    keys = Keys()
    started = time.perf_counter()
    keys.press(focused(), Qt.Key.Key_R, CTRL | Qt.KeyboardModifier.ShiftModifier)  # the Vouchers screen (one chord)
    screen: Any = window.screens["vouchers"]
    assert screen.current_voucher() is not None and screen.current_voucher().number == number
    if short_line:
        keys.press(focused(), Qt.Key.Key_Tab)  # from the voucher to its lines, the first chosen
        assert screen.lines_view.hasFocus()
        for _ in range(2):
            keys.press(screen.lines_view, Qt.Key.Key_Down)
        keys.press(screen.lines_view, Qt.Key.Key_Return)
        keys.type(screen.received_edit, "250")
        keys.press(screen.received_edit, Qt.Key.Key_Return)
        keys.type(screen.reason_edit, "carton missing")
        keys.press(screen.reason_edit, Qt.Key.Key_Return)
    keys.press(focused(), Qt.Key.Key_F10)
    elapsed = time.perf_counter() - started
    assert screen.last_saved is not None, screen.errors.text("lines")
    saved = str(screen.last_saved)
    window.close()
    return keys.count, elapsed, saved


def by_hand(store: Store, number: str, expiry: str) -> tuple[int, float, str]:
    window = window_at_stock(store)
    keys = Keys()
    started = time.perf_counter()
    keys.press(focused(), Qt.Key.Key_F3)  # the Receive screen; the cursor is in the voucher number
    screen: Any = window.screens["receive"]
    keys.type(screen.voucher_edit, number)
    keys.press(screen.voucher_edit, Qt.Key.Key_Return)  # to the scan field
    keys.press(focused(), Qt.Key.Key_Return)  # no barcode on a paper challan: to the item
    shown_expiry = f"{expiry[5:]}/{expiry[:4]}"
    for n, code in enumerate(CODES, start=1):
        keys.type(focused(), code)
        keys.press(focused(), Qt.Key.Key_Return)  # the item chosen: to the batch
        keys.type(focused(), f"{number[-2:]}V{n}")
        keys.press(focused(), Qt.Key.Key_Return)
        keys.type(focused(), shown_expiry)
        keys.press(focused(), Qt.Key.Key_Return)
        keys.press(focused(), Qt.Key.Key_Return)  # no manufacturer on the challan
        keys.type(focused(), str(100 * n))
        keys.press(focused(), Qt.Key.Key_Return)
        keys.press(focused(), Qt.Key.Key_Return)  # no unit cost: the line is added
        if focused() is screen.scan_edit:
            keys.press(focused(), Qt.Key.Key_Return)  # past the scan field to the item
    keys.press(focused(), Qt.Key.Key_F10)
    elapsed = time.perf_counter() - started
    assert screen.last_saved is not None, screen.errors.text("lines") + screen.errors.text()
    assert screen.lines.rowCount() == 0
    saved = str(screen.last_saved)
    window.close()
    return keys.count, elapsed, saved


def main() -> int:
    create_application()
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = build_test_chc(Path(temporary) / "chc")
        store = Store.open(data_dir)
        store.act_as("clerk")
        expiry = (dt.date.today() + dt.timedelta(days=500)).strftime("%Y-%m")
        for number in ("DDW-JAI/2026-27/000031", "DDW-JAI/2026-27/000032"):
            pull_voucher(store, number, expiry)
        as_sent, as_sent_s, first = by_voucher(store, "DDW-JAI/2026-27/000031", short_line=False)
        short, short_s, second = by_voucher(store, "DDW-JAI/2026-27/000032", short_line=True)
        hand, hand_s, third = by_hand(store, "DDW-JAI/2026-27/000033", expiry)
        received = [sorted((m["item_code"], m["qty"]) for m in store.document(number).movements) for number in (first, third)]
        assert received[0] == received[1], "the voucher and the typed challan received different quantities"
        assert len(store.document(second).header["differences"]) == 1
        store.close()
    print("10-line issue voucher, keys from the Stock screen to the receipt saved (1366x698, offscreen)")
    print(f"  received as sent on the Vouchers screen: {as_sent} keys ({as_sent_s:.2f} s)   target <= {TARGET_AS_SENT}")
    print(f"  with one line short and its reason:      {short} keys ({short_s:.2f} s)")
    print(f"  baseline, typed on the Receive screen:   {hand} keys ({hand_s:.2f} s), {hand / len(CODES):.1f} a line")
    print(f"  ratio as sent / baseline: {as_sent / hand:.3f}; one short line / baseline: {short / hand:.3f}")
    return 0 if as_sent <= TARGET_AS_SENT else 1


if __name__ == "__main__":
    sys.exit(main())
