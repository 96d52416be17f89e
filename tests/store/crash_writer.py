"""Run by test_crash.py in a subprocess: save receipts and dispenses in a loop until killed,
printing each saved document's number (flushed) the moment its transaction has committed."""

from __future__ import annotations

import sys
from itertools import count

from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine

ITEMS = ("D0001", "D0002", "D0003")


def main(data_dir: str, seed: int) -> None:
    store = Store.open(data_dir)
    for i in count():
        n = seed * 1_000_000 + i
        if i % 3 == 0:  # each run starts with a receipt, so its dispenses always find stock
            store.act_as("clerk")
            document = store.receive(
                source="ddw", voucher_no=f"CRASH/{n}", voucher_date=store.today(),
                lines=[ReceiptLine(code, f"C{n % 7}", "2099-12", 40) for code in ITEMS],
            )
        else:
            store.act_as("pharma")
            document = store.dispense(
                patient=Patient(f"OPD/{n}", "Crash Test", 30, "M"), prescriber="Dr",
                lines=[DispenseLine(code, 1 + n % 9) for code in ITEMS],
            )
        sys.stdout.write(document.number + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
