"""``ihms-desk import-catalog`` and ``ihms-desk import-receipt``: CSV files into the store.

A catalogue file's bad rows are refused one by one (the good ones are taken); a challan is
taken whole or not at all, like a receipt typed on the Receive screen.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ihms_desk.cli.common import EXIT_OK, EXIT_REFUSED, login, open_existing, row_reason, say
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


def cmd_import_receipt(args: argparse.Namespace) -> int:
    from ihms_desk.store.challan import challan_reader, read_challan

    path = Path(args.file)
    # A file that is wrong as a whole (not UTF-8, a separator not read, columns missing) is
    # said before the password is asked; its rows are checked with the store, all at once.
    challan_reader(path)
    with open_existing(args) as store:
        login(store, args)
        # Then every row is checked against the store (unknown items, expired batches, an
        # expiry that differs from the batch on record, short expiry without a reason) before
        # anything is saved, and every bad row is named in one refusal.
        challan = read_challan(path, check=lambda line: store.check_receipt_line(_with_reason(line, args)))
        voucher_no = args.voucher_no or challan.voucher.get("voucher_no")
        voucher_date = args.voucher_date or challan.voucher.get("voucher_date")
        if not voucher_no or not voucher_date:
            raise InvalidInput("voucher_needed")
        document = store.receive(
            source=args.source, source_name=args.source_name or "", voucher_no=voucher_no, voucher_date=voucher_date,
            lines=[_with_reason(line, args) for line in challan.lines], warn=True,
            same_lines_ok=args.same_lines_ok,
        )
    say("cli_receipt_saved", number=document.number, lines=len(document.lines),
        units=sum(line["qty"] for line in document.lines))
    return EXIT_OK


def _with_reason(line: ReceiptLine, args: argparse.Namespace) -> ReceiptLine:
    """The line with ``--short-expiry-reason`` where its row gives none."""
    if line.short_expiry_reason or not args.short_expiry_reason:
        return line
    return dataclasses.replace(line, short_expiry_reason=args.short_expiry_reason)


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
    receipt.add_argument("--short-expiry-reason",
                         help="why stock expiring this month or next is taken (for rows without a short_expiry_reason)")
    receipt.add_argument("--same-lines-ok", action="store_true",
                         help="save although every line equals an earlier receipt's (a true second delivery)")
    receipt.set_defaults(handler=cmd_import_receipt)
