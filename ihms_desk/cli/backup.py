"""``ihms-desk backup`` (a checked copy now, safe while the program is open), ``ihms-desk
restore FILE`` (replace the database with a backup, the program closed) and ``ihms-desk
compact`` (drop acknowledged payloads the ledger rebuilds and rewrite the file smaller)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ihms_desk.cli.common import EXIT_ENVIRONMENT, EXIT_OK, data_folder, say, words


def cmd_backup(args: argparse.Namespace) -> int:
    from ihms_desk.backup import take_backup

    # --to is a one-off copy (say, to a stick carried to the district): only there.
    report = take_backup(data_folder(args).root, to=Path(args.to) if args.to else None, include_second_folder=not args.to)
    for copy in report.copies:
        say("cli_backup_written", path=copy)
    for problem in report.problems:
        say("cli_backup_warning", to=sys.stderr, problem=words(problem, problem))
    return EXIT_OK if report.ok else EXIT_ENVIRONMENT


def cmd_restore(args: argparse.Namespace) -> int:
    from ihms_desk.backup import restore_backup

    report = restore_backup(data_folder(args).root, Path(args.file), facility_code=args.facility)
    say("cli_restored", code=report.facility_code, path=report.restored_from, documents=report.documents,
        epoch=report.epoch)
    if report.replaced_copy is not None:
        say("cli_replaced_kept", path=report.replaced_copy)
    return EXIT_OK


def cmd_compact(args: argparse.Namespace) -> int:
    from ihms_desk.backup import compact

    say("cli_compacting", flush=True)
    before, after = compact(data_folder(args).root)
    say("cli_compacted", before=f"{before / 1e6:,.0f}", after=f"{after / 1e6:,.0f}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser("backup", help="back up the database now (safe while IHMS Desk is open)")
    backup.add_argument("--to", metavar="DIR", help="folder to write the backup to (default: the data folder's backups)")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="replace the database with a backup (close IHMS Desk first)")
    restore.add_argument("file", help="the backup file (ihms-desk-...sqlite3.zst, or an older ihms-desk-...sqlite3)")
    restore.add_argument("--facility", help="this facility's code, only needed when the database is too damaged to read")
    restore.set_defaults(handler=cmd_restore)

    compact = commands.add_parser("compact", help="make the database file smaller (close IHMS Desk first; minutes on a large file)")
    compact.set_defaults(handler=cmd_compact)
