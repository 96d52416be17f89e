"""The ``ihms-desk`` command: opens the program, or runs a store task from the command line.

Every refusal and every bad file or argument ends with a plain message and a non-zero exit
status, never a traceback: 2 for a refusal or bad input, 3 for a problem of the machine
(disk full, read-only, locked), 1 when ``doctor`` finds a fault.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import importlib
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from typing import TYPE_CHECKING

from ihms_desk import __version__
from ihms_desk.paths import database_path, demo_data_dir, resolve_data_dir
from ihms_desk.store.errors import EnvironmentProblem, InvalidInput, Refusal
from ihms_desk.store.rules import FACILITY_TYPES

if TYPE_CHECKING:
    # The store is imported by the commands that use it: `ihms-desk` opening the window
    # shows its first window before the store is loaded (see ihms_desk/ui/app.py).
    from ihms_desk.store import Store
    from ihms_desk.store.model import ReceiptLine

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_REFUSED = 2
EXIT_ENVIRONMENT = 3

PASSWORD_ENV = "IHMS_PASSWORD"


def _password(prompt: str) -> str:
    """From ``IHMS_PASSWORD`` (scripts, scheduled tasks) or typed at a prompt without echo."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise InvalidInput(f"No password: type it at a terminal or set {PASSWORD_ENV}.")
    return getpass.getpass(prompt)


def _open_existing(args: argparse.Namespace) -> Store:
    from ihms_desk.store import Store, database

    data_dir = resolve_data_dir(args.data_dir)
    database.refuse_lost_database(database_path(data_dir))  # beside backups: restore, not init
    if not database_path(data_dir).exists():
        raise InvalidInput(f"There is no IHMS Desk database in {data_dir}. Run 'ihms-desk init' (or 'ihms-desk demo') first.")
    store = Store.open(data_dir)
    store.require_facility()
    return store


def _read_text(path: Path, what: str) -> str:
    """A UTF-8 (or Excel 'CSV UTF-8') file's text, or a plain refusal saying why not."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"The {what} file is not UTF-8 text. Save it as 'CSV UTF-8'.") from None
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror}") from None


def _login(store: Store, args: argparse.Namespace) -> None:
    if not args.user:
        raise InvalidInput("Say who is doing this with --user NAME.")
    store.login(args.user, _password(f"Password for {args.user}: "))


# -- commands ---------------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    from ihms_desk.ui.app import run_app  # Qt is loaded only when a window is wanted

    return run_app(resolve_data_dir(args.data_dir))


def cmd_init(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    catalogue: str | None = None
    if args.catalog != "none":
        # Read the catalogue before anything is saved: a missing or unreadable file must not
        # leave a facility set up without its items (init would then refuse to run again).
        from ihms_desk.demo import starter_catalogue_path

        catalogue = _read_text(Path(args.catalog) if args.catalog else starter_catalogue_path(), "catalogue")
    from ihms_desk.store import Store

    store = Store.open(data_dir)
    try:
        def ask(value: str | None, label: str) -> str:
            if value:
                return value
            if not sys.stdin.isatty():
                raise InvalidInput(f"{label} is missing: give it as an option (see ihms-desk init --help).")
            return input(f"{label}: ")

        store.set_up(
            code=ask(args.code, "Facility code"),
            name=ask(args.name, "Facility name"),
            district=ask(args.district, "District"),
            block=ask(args.block, "Block"),
            type=ask(args.type, f"Facility type ({'/'.join(FACILITY_TYPES)})"),
            admin_username=ask(args.admin_user, "Administrator user name"),
            admin_full_name=ask(args.admin_name, "Administrator full name"),
            admin_password=_password("Administrator password: "),
        )
        if catalogue is not None:
            store.act_as(args.admin_user or store.users()[0].username)
            report = store.import_catalogue_csv(io.StringIO(catalogue))
            store.logout()
            print(f"Catalogue: {report.added} items added.")
            for row_number, reason in report.rejected:
                print(f"  catalogue row {row_number} refused: {reason}", file=sys.stderr)
        facility = store.require_facility()
        print(f"Set up {facility.name} ({facility.code}) in {data_dir}")
    finally:
        store.close()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ihms_desk.demo import DEMO_PASSWORD, DEMO_USERS, build_demo

    if not 0 <= args.days <= 366:
        # Negative days would date the demo's documents in the future.
        raise InvalidInput("--days is a number of days of history, from 0 to 366.")
    data_dir = Path(args.data_dir) if args.data_dir else demo_data_dir()
    if args.rebuild and database_path(data_dir).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(database_path(data_dir)) + suffix).unlink(missing_ok=True)
    if not database_path(data_dir).exists():
        print(f"Building the demo CHC in {data_dir} ...", file=sys.stderr)
        build_demo(data_dir, days=args.days)
        accounts = ", ".join(username for username, _, _ in DEMO_USERS)
        print(f"Demo ready. Accounts: {accounts}; password: {DEMO_PASSWORD}", file=sys.stderr)
    if args.build_only:
        return EXIT_OK
    from ihms_desk.ui.app import run_app

    return run_app(data_dir, demo=True)


def cmd_import_catalog(args: argparse.Namespace) -> int:
    with _open_existing(args) as store:
        _login(store, args)
        report = store.import_catalogue_csv(Path(args.file))
    print(f"{report.added} items added, {report.updated} updated, {len(report.rejected)} rows refused.")
    for row_number, reason in report.rejected:
        print(f"  row {row_number}: {reason}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_REFUSED


RECEIPT_COLUMNS = ("item_code", "batch_no", "expiry", "qty")


def read_challan(path: Path) -> tuple[list[ReceiptLine], dict[str, str]]:
    """Lines of a warehouse challan CSV, and voucher fields if the file carries them."""
    from ihms_desk.store.catalogue import numbered_rows, read_header
    from ihms_desk.store.model import ReceiptLine

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The challan file is not UTF-8 text. Save it as 'CSV UTF-8'.") from None
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = read_header(reader)
    missing = [column for column in RECEIPT_COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            f"The challan has no column {', '.join(missing)}. Needed: {', '.join(RECEIPT_COLUMNS)} "
            "(optional: manufacturer, unit_cost, voucher_no, voucher_date)."
        )
    reader.fieldnames = header
    lines: list[ReceiptLine] = []
    voucher: dict[str, str] = {}
    for row_number, row in numbered_rows(reader):
        if None in row:
            raise InvalidInput(f"Row {row_number} has more fields than the header.")
        qty_text = (row.get("qty") or "").strip()
        if not qty_text.isdecimal():  # not isdigit(): int() cannot read "5²"
            raise InvalidInput(f"Row {row_number}: quantity '{qty_text}' is not a whole number.")
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
            if value:
                if voucher.setdefault(key, value) != value:
                    raise InvalidInput(f"Row {row_number}: {key} differs from earlier rows; one challan per file.")
    if not lines:
        raise InvalidInput("The challan file has no lines.")
    return lines, voucher


def cmd_import_receipt(args: argparse.Namespace) -> int:
    lines, voucher = read_challan(Path(args.file))
    voucher_no = args.voucher_no or voucher.get("voucher_no")
    voucher_date = args.voucher_date or voucher.get("voucher_date")
    if not voucher_no or not voucher_date:
        raise InvalidInput("Give the challan's number and date: --voucher-no and --voucher-date (or columns in the file).")
    with _open_existing(args) as store:
        _login(store, args)
        document = store.receive(
            source=args.source, source_name=args.source_name or "", voucher_no=voucher_no, voucher_date=voucher_date, lines=lines
        )
    print(f"Saved {document.number}: {len(document.lines)} lines, {sum(line['qty'] for line in document.lines)} units.")
    return EXIT_OK


#: The columns of ``stock --format csv``, the same whether or not any item has stock.
STOCK_COLUMNS = ("code", "name", "unit", "on_hand", "usable", "expired", "nearest_expiry", "amc", "months_of_stock")


def cmd_stock(args: argparse.Namespace) -> int:
    with _open_existing(args) as store:
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
        writer = csv.DictWriter(out, fieldnames=STOCK_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        out.write(f"{'Code':<8} {'Item':<44} {'On hand':>9} {'Usable':>9} {'Expiry':>8} {'MoS':>5}\n")
        for record in records:
            mos = "" if record["months_of_stock"] is None else f"{record['months_of_stock']:.1f}"
            out.write(
                f"{record['code']:<8} {str(record['name'])[:44]:<44} {record['on_hand']:>9} {record['usable']:>9} "
                f"{record['nearest_expiry']:>8} {mos:>5}\n"
            )
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from ihms_desk.store import database
    from ihms_desk.store.doctor import diagnose

    # A damaged file is examined read-only, not opened as a store (that refuses it).
    path = database_path(resolve_data_dir(args.data_dir))
    database.refuse_lost_database(path)
    diagnosis = diagnose(path) if path.exists() else None
    for line in diagnosis.report() if diagnosis is not None else ():
        print(line)
    if diagnosis is not None and diagnosis.problems:
        return EXIT_FAULT
    with _open_existing(args) as store:
        counts = store.outbox_counts()
    print(f"OK: {store.path} is sound (events pending {counts['pending']}, sent {counts['sent']}, set aside {counts['rejected']}).")
    return EXIT_OK


# -- parser -----------------------------------------------------------------------------------


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``ihms-desk`` parser; with ``argv``, only the other modules' commands it may run."""
    parser = argparse.ArgumentParser(prog="ihms-desk", description="IHMS Desk: the CHC medicine counter, offline first.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="folder holding the database (default: IHMS_DATA_DIR or the user data folder)")
    parser.add_argument("--self-test", action="store_true", help="check resources, translations, fonts and a temporary database, then exit")
    parser.set_defaults(handler=cmd_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

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

    stock = commands.add_parser("stock", help="print stock on hand")
    stock.add_argument("--format", choices=("table", "csv", "json"), default="table")
    stock.add_argument("--category", choices=("drug", "surgical", "suture"))
    stock.add_argument("--all", action="store_true", help="include items with no stock")
    stock.set_defaults(handler=cmd_stock)

    doctor = commands.add_parser("doctor", help="check the database: integrity, balances against the ledger, outbox")
    doctor.set_defaults(handler=cmd_doctor)

    for module in sorted(set(EXTRA_COMMANDS.values()) if argv is None else _extra_modules_for(argv)):
        importlib.import_module(module).register_cli(commands)
    # People type the folder after the command too (ihms-desk demo --data-dir X); SUPPRESS keeps
    # a value given before the command when none is given after it.
    for sub in commands.choices.values():
        if not any("--data-dir" in action.option_strings for action in sub._actions):
            sub.add_argument("--data-dir", default=argparse.SUPPRESS, help="folder holding the database")
    return parser


#: Sub-commands that live in other modules (each has ``register_cli(commands)``). A module is
#: imported only when the command line may need it: the sync client pulls in requests and
#: the backup module the whole store, ~200 ms that opening the window must not wait for.
EXTRA_COMMANDS = {
    "backup": "ihms_desk.backup",
    "restore": "ihms_desk.backup",
    "sync": "ihms_desk.sync.commands",
    "enrol": "ihms_desk.sync.commands",
}
BUILT_IN_COMMANDS = ("init", "demo", "import-catalog", "import-receipt", "stock", "doctor")


def _extra_modules_for(argv: Sequence[str]) -> set[str]:
    """The modules whose commands ``argv`` may run: those named, or all of them for --help or
    for a word we do not know (so argparse's "invalid choice" lists every command)."""
    words = [word for index, word in enumerate(argv)
             if not word.startswith("-") and (index == 0 or argv[index - 1] != "--data-dir")]
    if "-h" in argv or "--help" in argv or any(word not in BUILT_IN_COMMANDS and word not in EXTRA_COMMANDS
                                                for word in words):
        return set(EXTRA_COMMANDS.values())
    return {EXTRA_COMMANDS[word] for word in words if word in EXTRA_COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.self_test:
        from ihms_desk.selftest import main as self_test

        return self_test()
    try:
        return int(args.handler(args))
    except Refusal as error:
        print(f"Refused, nothing was saved: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    except EnvironmentProblem as error:
        print(f"Problem: {error.message}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader of our output went away (ihms-desk stock | head): nothing is wrong. Point
        # stdout at devnull so the final flush at exit does not fail again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
