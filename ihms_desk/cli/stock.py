"""``ihms-desk stock`` (stock on hand as a table, CSV or JSON) and ``ihms-desk doctor`` (the
database checked: integrity, balances against the ledger, one outbox event per document)."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from ihms_desk import wording
from ihms_desk.cli.common import EXIT_FAULT, EXIT_OK, data_folder, open_existing, say

#: The columns of ``stock --format csv``, the same whether or not any item has stock.
STOCK_COLUMNS = ("code", "name", "unit", "on_hand", "usable", "expired", "nearest_expiry", "amc", "months_of_stock")


def cmd_stock(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        rows = store.stock_on_hand(category=args.category, include_zero=args.all)
    records = [
        {
            "code": row.item.code,
            "name": row.item.name,
            "unit": row.item.unit_of_issue,
            "on_hand": row.qty,
            "usable": row.usable_qty,
            "expired": row.expired_qty,
            "nearest_expiry": row.nearest_expiry or "",
            "amc": round(row.amc, 1),
            "months_of_stock": None if row.months_of_stock is None else round(row.months_of_stock, 1),
        }
        for row in rows
    ]
    out = sys.stdout
    if args.format == "json":
        json.dump(records, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif args.format == "csv":
        from ihms_desk.store.spreadsheet import csv_row

        # Names come from the state's catalogue: one beginning with = + - @ would run as a
        # formula in the spreadsheet that opens the file, so such text is written as text.
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STOCK_COLUMNS)
        writer.writerows(csv_row(record[column] for column in STOCK_COLUMNS) for record in records)
    else:
        out.write(f"{'Code':<8} {'Item':<44} {'On hand':>9} {'Usable':>9} {'Expiry':>8} {'MoS':>5}\n")
        for record in records:
            # For people: whole months and the expiry as printed (the CSV and JSON keep the data).
            mos = "" if record["months_of_stock"] is None else wording.whole_months(float(record["months_of_stock"]))
            expiry = wording.month_as_printed(str(record["nearest_expiry"]))
            out.write(
                f"{record['code']:<8} {str(record['name'])[:44]:<44} {record['on_hand']:>9} {record['usable']:>9} "
                f"{expiry:>8} {mos:>5}\n"
            )
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from ihms_desk.store import database
    from ihms_desk.store.doctor import diagnose

    # A damaged file is examined read-only, not opened as a store (that refuses it).
    path = data_folder(args).database
    database.refuse_lost_database(path)
    diagnosis = diagnose(path) if path.exists() else None
    for line in diagnosis.report() if diagnosis is not None else ():
        print(line)
    if diagnosis is not None and diagnosis.problems:
        return EXIT_FAULT
    with open_existing(args) as store:
        counts = store.outbox_counts()
    say("cli_doctor_ok", path=store.path, pending=counts["pending"], sent=counts["sent"], set_aside=counts["rejected"])
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stock = commands.add_parser("stock", help="print stock on hand")
    stock.add_argument("--format", choices=("table", "csv", "json"), default="table")
    stock.add_argument("--category", choices=("drug", "surgical", "suture"))
    stock.add_argument("--all", action="store_true", help="include items with no stock")
    stock.set_defaults(handler=cmd_stock)

    doctor = commands.add_parser("doctor", help="check the database: integrity, balances against the ledger, outbox")
    doctor.set_defaults(handler=cmd_doctor)
