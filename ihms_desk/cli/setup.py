"""``ihms-desk init`` (set up this PC for a facility) and ``ihms-desk demo`` (the demo CHC)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from ihms_desk.cli.common import EXIT_OK, data_folder, password, row_reason, say
from ihms_desk.paths import DataFolder, demo_data_dir
from ihms_desk.store.errors import InvalidInput
from ihms_desk.store.rules import FACILITY_TYPES
from ihms_desk.store.spreadsheet import read_csv_text


def cmd_init(args: argparse.Namespace) -> int:
    folder = data_folder(args)
    catalogue: str | None = None
    if args.catalog != "none":
        # Read the catalogue before anything is saved: a missing or unreadable file must not
        # leave a facility set up without its items (init would then refuse to run again).
        from ihms_desk.demo import starter_catalogue_path

        catalogue = read_csv_text(Path(args.catalog) if args.catalog else starter_catalogue_path(), "catalogue_not_utf8")
    from ihms_desk.store import Store

    store = Store.open(folder.root)
    try:
        def ask(value: str | None, label: str) -> str:
            if value:
                return value
            if not sys.stdin.isatty():
                raise InvalidInput("option_missing", label=label)
            return input(f"{label}: ")

        store.set_up(
            code=ask(args.code, "Facility code"),
            name=ask(args.name, "Facility name"),
            district=ask(args.district, "District"),
            block=ask(args.block, "Block"),
            type=ask(args.type, f"Facility type ({'/'.join(FACILITY_TYPES)})"),
            admin_username=ask(args.admin_user, "Administrator user name"),
            admin_full_name=ask(args.admin_name, "Administrator full name"),
            admin_password=password("Administrator password: "),
        )
        if catalogue is not None:
            store.act_as(args.admin_user or store.users()[0].username)
            report = store.import_catalogue_csv(io.StringIO(catalogue))
            store.logout()
            say("cli_catalogue_added", added=report.added)
            for row_number, reason in report.rejected:
                say("cli_catalogue_row_refused", to=sys.stderr, row=row_number, reason=row_reason(reason))
        facility = store.require_facility()
        say("cli_set_up", name=facility.name, code=facility.code, folder=folder.root)
    finally:
        store.close()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ihms_desk.demo import DEMO_PASSWORD, DEMO_USERS, build_demo

    if not 0 <= args.days <= 366:
        # Negative days would date the demo's documents in the future.
        raise InvalidInput("demo_days")
    folder = DataFolder(Path(args.data_dir) if args.data_dir else demo_data_dir())
    if args.rebuild and folder.has_database():
        for suffix in ("", "-wal", "-shm"):
            Path(str(folder.database) + suffix).unlink(missing_ok=True)
    if not folder.has_database():
        say("cli_demo_building", to=sys.stderr, folder=folder.root)
        build_demo(folder.root, days=args.days)
        accounts = ", ".join(username for username, _, _ in DEMO_USERS)
        say("cli_demo_ready", to=sys.stderr, accounts=accounts, password=DEMO_PASSWORD)
    if args.build_only:
        return EXIT_OK
    from ihms_desk.ui.app import run_app

    return run_app(folder.root, demo=True)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="set up this PC for a facility and create the first administrator")
    init.add_argument("--code", help="facility code, e.g. RJ-JPR-CHC-014")
    init.add_argument("--name", help="facility name")
    init.add_argument("--district")
    init.add_argument("--block")
    init.add_argument("--type", help=f"one of {', '.join(FACILITY_TYPES)}")
    init.add_argument("--admin-user", help="first administrator's user name")
    init.add_argument("--admin-name", help="first administrator's full name")
    init.add_argument("--catalog", help="catalogue CSV to load (default: the starter catalogue; 'none' for none)")
    init.set_defaults(handler=cmd_init)

    demo = commands.add_parser("demo", help="open the demo CHC (built on first use in its own folder)")
    demo.add_argument("--build-only", action="store_true", help="build the demo database and exit")
    demo.add_argument("--rebuild", action="store_true", help="throw the demo database away and build it again")
    demo.add_argument("--days", type=int, default=135, help="days of history (default 135: four and a half months)")
    demo.set_defaults(handler=cmd_demo)
