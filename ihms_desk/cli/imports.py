"""``ihms-desk import-catalog`` and ``ihms-desk import-receipt``: CSV files into the store.

A catalogue file's bad rows are refused one by one (the good ones are taken); a challan is
taken whole or not at all, like a receipt typed on the Receive screen.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ihms_desk.cli.common import EXIT_OK, EXIT_REFUSED, login, open_existing, read_text, row_reason, say
from ihms_desk.store.errors import InvalidInput

if TYPE_CHECKING:
    from ihms_desk.store.model import ReceiptLine


def cmd_import_catalog(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        login(store, args)
        report = store.import_catalogue_csv(Path(args.file))
    say("cli_catalogue_imported", added=report.added, updated=report.updated, refused=len(report.rejected))
    for row_number, reason in report.rejected:
        say("cli_row_refused", to=sys.stderr, row=row_number, reason=row_reason(reason))
    return EXIT_OK if report.ok else EXIT_REFUSED


RECEIPT_COLUMNS = ("item_code", "batch_no", "expiry", "qty")


def read_challan(path: Path) -> tuple[list[ReceiptLine], dict[str, str]]:
    """Lines of a warehouse challan CSV, and voucher fields if the file carries them."""
    from ihms_desk.store.catalogue import numbered_rows, read_header
    from ihms_desk.store.model import ReceiptLine

    reader = csv.DictReader(io.StringIO(read_text(path, "challan_not_utf8")))
    header = read_header(reader)
    missing = [column for column in RECEIPT_COLUMNS if column not in header]
    if missing:
        raise InvalidInput("challan_columns_missing", missing=", ".join(missing), needed=", ".join(RECEIPT_COLUMNS))
    reader.fieldnames = header
    lines: list[ReceiptLine] = []
    voucher: dict[str, str] = {}
    for row_number, row in numbered_rows(reader):
        if None in row:
            raise InvalidInput("row_more_fields", row=row_number)
        qty_text = (row.get("qty") or "").strip()
        if not qty_text.isdecimal():  # not isdigit(): int() cannot read "5²"
            raise InvalidInput("row_quantity_not_whole", row=row_number, text=qty_text)
        lines.append(
            ReceiptLine(
                item_code=(row.get("item_code") or "").strip(),
                batch_no=(row.get("batch_no") or "").strip(),
                expiry_month=(row.get("expiry") or "").strip(),
                qty=int(qty_text),
                manufacturer=(row.get("manufacturer") or "").strip() or None,
                unit_cost=(row.get("unit_cost") or "").strip() or None,
            )
        )
        for key in ("voucher_no", "voucher_date"):
            value = (row.get(key) or "").strip()
            if value and voucher.setdefault(key, value) != value:
                raise InvalidInput("row_voucher_differs", row=row_number, column=key)
    if not lines:
        raise InvalidInput("challan_has_no_lines")
    return lines, voucher


def cmd_import_receipt(args: argparse.Namespace) -> int:
    lines, voucher = read_challan(Path(args.file))
    voucher_no = args.voucher_no or voucher.get("voucher_no")
    voucher_date = args.voucher_date or voucher.get("voucher_date")
    if not voucher_no or not voucher_date:
        raise InvalidInput("voucher_needed")
    with open_existing(args) as store:
        login(store, args)
        document = store.receive(
            source=args.source, source_name=args.source_name or "", voucher_no=voucher_no, voucher_date=voucher_date, lines=lines
        )
    say("cli_receipt_saved", number=document.number, lines=len(document.lines),
        units=sum(line["qty"] for line in document.lines))
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalog = commands.add_parser("import-catalog", help="add or update items from a catalogue CSV")
    catalog.add_argument("file")
    catalog.add_argument("--user", help="who is importing (password from the prompt or IHMS_PASSWORD)")
    catalog.set_defaults(handler=cmd_import_catalog)

    receipt = commands.add_parser("import-receipt", help="record a warehouse challan from a CSV file")
    receipt.add_argument("file")
    receipt.add_argument("--user", help="who is receiving (password from the prompt or IHMS_PASSWORD)")
    receipt.add_argument("--voucher-no")
    receipt.add_argument("--voucher-date", help="dd-mm-yyyy or yyyy-mm-dd")
    receipt.add_argument("--source", default="ddw", choices=("ddw", "facility", "local_purchase"))
    receipt.add_argument("--source-name", help="the sending facility, for --source facility")
    receipt.set_defaults(handler=cmd_import_receipt)
