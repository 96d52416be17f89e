"""``ihms-desk report``: a register or report written as CSV, XLSX or PDF, in English or Hindi,
for a scheduled task or a clerk at the command prompt; ``ihms-desk report --list`` names them.

    ihms-desk report stock-register --from 01-11-2026 --to 30-11-2026 --out nov.pdf --user incharge
    ihms-desk report consumption --from 01-09-2026 --to 30-11-2026 --format xlsx --out amc.xlsx --lang hi

Every problem is a refusal worded from the wording tables in the user's language
(``IHMS_LANG``, else the facility's): an unknown report, a bad or reversed date, a period in
the future, an unknown format, category or item: exit status 2; a file that cannot be written
there: exit status 3, as for a backup folder that cannot be written. Format, language and path
are checked before the report is built, so a typo costs no wait.
"""

from __future__ import annotations

import argparse
import sys

from ihms_desk.cli.common import (
    EXIT_ENVIRONMENT, EXIT_OK, EXIT_REFUSED, language, login, open_existing, say, words,
)
from ihms_desk.store.errors import InvalidInput


def cmd_report(args: argparse.Namespace) -> int:
    from ihms_desk.exports import ExportError, export_report, labels
    from ihms_desk.store.reports import REPORT_NAMES, REPORTS, ReportRefused

    lang = args.lang or language()
    if args.list:
        shown = lang if lang in labels.LANGUAGES else language()
        width = max(len(name) for name in REPORT_NAMES)
        for name in REPORT_NAMES:
            print(f"{name:<{width}}  {labels.text(f'report.{name}', shown)}: {labels.text(f'report.{name}.about', shown)}")
        return EXIT_OK
    if not args.name:
        raise InvalidInput("report_name_missing", known=", ".join(REPORT_NAMES))
    # The name first: a typo is said before a password is asked for.
    if args.name.strip().lower() not in REPORTS:
        raise ReportRefused("unknown_report", field="name", name=args.name, known=", ".join(REPORT_NAMES))
    for option, value in (("--from", args.start), ("--to", args.end), ("--out", args.out)):
        if not value:
            raise InvalidInput("report_option_missing", option=option, name=args.name)
    with open_existing(args) as store:
        login(store, args)
        try:
            path = export_report(store, args.name, args.start, args.end, args.format, args.out, lang=lang,
                                 category=args.category, items=args.item or ())
        except ExportError as error:
            if error.kind == "cannot_write":  # the folder is not there, read-only, or the disk full
                say("cli_problem", to=sys.stderr, message=words(error, error.message))
                return EXIT_ENVIRONMENT
            say("cli_refused", to=sys.stderr, message=words(error, error.message))
            return EXIT_REFUSED
    title = labels.text(f"report.{args.name.strip().lower()}", language())
    say("cli_report_written", path=path, report=title, start=args.start, end=args.end)
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser(
        "report", help="write a register or report as CSV, XLSX or PDF (ihms-desk report --list names them)")
    report.add_argument("name", nargs="?", metavar="NAME", help="the report (see --list)")
    report.add_argument("--list", action="store_true", help="name every report and what it holds")
    report.add_argument("--from", dest="start", metavar="DD-MM-YYYY", help="first day of the period")
    report.add_argument("--to", dest="end", metavar="DD-MM-YYYY", help="last day of the period (today at the latest)")
    # Not argparse choices: a wrong value is refused in the user's language, from the wording tables.
    report.add_argument("--format", metavar="csv|xlsx|pdf", help="default: from the --out file's ending")
    report.add_argument("--out", metavar="FILE", help="the file to write (written whole, or not at all)")
    report.add_argument("--lang", metavar="en|hi", help="language of the file (default: the command line's)")
    report.add_argument("--category", metavar="drug|surgical|suture", help="only this category")
    report.add_argument("--item", action="append", metavar="CODE", help="only this item (may be repeated)")
    report.add_argument("--user", help="who is writing the report (printed on it)")
    report.set_defaults(handler=cmd_report)
