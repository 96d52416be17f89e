"""``ihms-server``: run the state server and do the state admin's chores from a terminal."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import os
import sys
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Sequence

import platformdirs

from ihms_desk import fields
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.protocol import ProtocolError
from ihms_server import accounts_cli, rollout_cli
from ihms_server.store import ENROLMENT_CODE_VALIDITY, Store, open_store, utc_now

DEFAULT_PORT = 8470
DB_ENVIRONMENT_VARIABLE = "IHMS_SERVER_DB"


def default_db_url() -> str:
    """$IHMS_SERVER_DB, else a SQLite file in the user's data folder."""
    if os.environ.get(DB_ENVIRONMENT_VARIABLE):
        return os.environ[DB_ENVIRONMENT_VARIABLE]
    folder = Path(platformdirs.user_data_dir("ihms-server", appauthor=False))
    return f"sqlite:///{folder / 'ihms-server.sqlite3'}"


def read_catalogue_file(path: Path) -> list[wire.ItemData]:
    """Items from a CSV file with a header row, or a JSON list of objects; all or nothing. A file
    that is not that (binary, another encoding, broken JSON) is refused with a message."""
    nothing = "nothing was imported"
    try:
        rows = _catalogue_rows(path)
    except UnicodeDecodeError:
        raise SystemExit(f"{path}: not a text file in UTF-8. Save the catalogue from the spreadsheet "
                         f"as 'CSV UTF-8', or give a JSON list of items; {nothing}") from None
    except json.JSONDecodeError as error:
        raise SystemExit(f"{path}: not valid JSON ({error.msg} at line {error.lineno}); {nothing}") from None
    except csv.Error as error:
        raise SystemExit(f"{path}: not a readable CSV file ({error}); {nothing}") from None
    except OSError as error:
        raise SystemExit(f"{path}: cannot be read ({error.strerror or error}); {nothing}") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise SystemExit(f"{path}: must be a list of items (objects with code, name, ...); {nothing}")
    items = []
    for number, row in enumerate(rows, start=1):
        try:
            items.append(wire.validate_item_data(row))
        except ProtocolError as error:
            raise SystemExit(f"{path}: item {number}: {error.reason}; {nothing}") from None
    return items


def _catalogue_rows(path: Path) -> Any:
    if path.suffix.lower() == ".json":
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return loaded.get("items") if isinstance(loaded, dict) else loaded
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = []
        for row in csv.DictReader(handle):
            item: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items()
                                    if isinstance(k, str) and isinstance(v, str | None)}
            if item.get("min_stock", "") != "":
                item["min_stock"] = int(item["min_stock"]) if item["min_stock"].isdigit() \
                    else item["min_stock"]
            else:
                item.pop("min_stock", None)
            if "active" in item:
                item["active"] = {"": True, "1": True, "yes": True, "true": True, "y": True,
                                  "0": False, "no": False, "false": False, "n": False,
                                  }.get(item["active"].lower(), item["active"])
            rows.append(item)
        return rows


def _open(args: argparse.Namespace) -> Store:
    return open_store(args.db)


def cmd_facility_add(args: argparse.Namespace) -> int:
    try:
        data = wire.validate_facility_data({
            "code": args.code, "name": args.name, "district": args.district,
            "block": args.block, "type": args.type, "active": not args.inactive})
    except ProtocolError as error:
        print(f"facility not added: {error.reason}", file=sys.stderr)
        return 2
    with closing(_open(args)) as store:
        changed = store.upsert_facility(data)
    print(f"facility {data['code']} {'saved' if changed else 'unchanged'}")
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        code = store.create_enrolment_code(args.code.upper(), dt.timedelta(days=args.days))
    except ProtocolError as error:
        print(error.reason, file=sys.stderr)
        return 1
    finally:
        store.close()
    # The code alone on stdout, so that scripts can capture it.
    print(code)
    print(f"one-time enrolment code for {args.code.upper()}, valid for {args.days} days",
          file=sys.stderr)
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    items = read_catalogue_file(Path(args.file))
    with closing(_open(args)) as store:
        changed = store.import_items(items)
    print(f"{len(items)} items read, {changed} new or changed")
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    store = _open(args)
    failed = 0
    try:
        ids = list(args.device_id)
        malformed = [device_id for device_id in ids if not _is_uuid(device_id)]
        if malformed:
            print(f"not a device id: {', '.join(repr(d[:60]) for d in malformed)}. A device id looks like "
                  "2d66f171-c948-4dcc-92fa-d8e8639cba5b: see 'ihms-server device list'; nothing was revoked",
                  file=sys.stderr)
            return 2
        if args.orphans:
            ids += [d["device_id"] for d in store.devices(orphans_only=True)
                    if d["enrolled_at"] is None or d["enrolled_at"] < utc_now() - dt.timedelta(days=args.older_than)]
        if not ids:
            print("no device to revoke", file=sys.stderr)
            return 1
        for device_id in ids:
            revoked = store.revoke_device(device_id)
            failed += not revoked
            print(f"device {device_id} {'revoked' if revoked else 'not found or already revoked'}")
    finally:
        store.close()
    return 1 if failed else 0


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def cmd_device_list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        devices = store.devices(orphans_only=args.orphans)
        if args.orphans and not devices:
            print("no orphan devices: every live device has sent something", file=sys.stderr)
        for device in devices:
            state = "revoked" if device["revoked_at"] else "active"
            claimed = (f"  epoch {device['current_epoch']} claimed by {device['epoch_claimed_by']}"
                       if device["epoch_claimed_by"] else "")
            older = (f"  older copy refused {device['superseded_refusals']}x"
                     if device["superseded_refusals"] else "")
            orphan = "  ORPHAN: never sent anything" if device["orphan"] else ""
            print(f"{device['device_id']}  {device['facility_code']:<16} desk {device['desk_number'] or '-':<3} "
                  f"{state:<8} events={device['events_received']:<8} "
                  f"enrolled={_when(device['enrolled_at'])} last_push={_when(device['last_push_at'])}"
                  f"  {device['name']}{orphan}{claimed}{older}")
    finally:
        store.close()
    return 0


def _when(moment: dt.datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def cmd_migrate(args: argparse.Namespace) -> int:
    _open(args).close()
    print("database schema is up to date")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = _open(args)  # migrates once, before any worker starts
    if not fields.is_loopback_host(args.host):
        logging.getLogger(__name__).warning(
            "serving plain HTTP on %s: device tokens and records cross the network in clear text "
            "unless a TLS proxy is in front of this port and the port is closed to everything "
            "else (docs/server.md, 'TLS in front of ihms-server')", args.host)
    if args.workers > 1:
        store.close()
        os.environ[DB_ENVIRONMENT_VARIABLE] = args.db
        uvicorn.run("ihms_server.app:app_from_environment", factory=True, host=args.host,
                    port=args.port, workers=args.workers, access_log=not args.no_access_log)
        return 0
    from ihms_server.app import create_app

    try:
        uvicorn.run(create_app(store), host=args.host, port=args.port,
                    access_log=not args.no_access_log)
    finally:
        store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", default=default_db_url(),
                    help="postgresql://user@host/dbname or sqlite:///path "
                         f"(default: ${DB_ENVIRONMENT_VARIABLE} or a SQLite file in the user data folder)")
    parser = argparse.ArgumentParser(
        prog="ihms-server",
        description="Run the IHMS state server and do the state admin's chores.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", parents=[db], help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1",
                       help="keep the default (loopback) and put a TLS proxy in front: docs/server.md")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL)")
    serve.add_argument("--no-access-log", action="store_true")
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("migrate", parents=[db], help="create or update the schema").set_defaults(
        run=cmd_migrate)

    facility = commands.add_parser("facility", help="facilities").add_subparsers(
        dest="action", required=True)
    add = facility.add_parser("add", parents=[db], help="add or change a facility")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--district", required=True)
    add.add_argument("--block", required=True)
    add.add_argument("--type", required=True, choices=wire.FACILITY_TYPES)
    add.add_argument("--inactive", action="store_true", help="mark the facility closed")
    add.set_defaults(run=cmd_facility_add)
    rollout_cli.register_facility(facility, db)

    enrol = commands.add_parser("enrol", parents=[db],
                                help="print a one-time enrolment code for a facility's desk")
    enrol.add_argument("code", help="facility code")
    enrol.add_argument("--days", type=int, default=ENROLMENT_CODE_VALIDITY.days,
                       help="days the code stays valid")
    enrol.set_defaults(run=cmd_enrol)

    catalog = commands.add_parser("catalog", help="the item catalogue").add_subparsers(
        dest="action", required=True)
    imp = catalog.add_parser("import", parents=[db], help="add or change items from CSV or JSON")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_catalog_import)

    device = commands.add_parser("device", help="enrolled desks").add_subparsers(
        dest="action", required=True)
    revoke = device.add_parser("revoke", parents=[db], help="withdraw devices' tokens")
    revoke.add_argument("device_id", nargs="*", help="device ids (see 'device list')")
    revoke.add_argument("--orphans", action="store_true",
                        help="also every orphan: a live device that never sent anything")
    revoke.add_argument("--older-than", type=int, default=7, metavar="DAYS",
                        help="with --orphans, only those enrolled more than DAYS ago (default 7)")
    revoke.set_defaults(run=cmd_device_revoke)
    listing = device.add_parser("list", parents=[db], help="list devices")
    listing.add_argument("--orphans", action="store_true",
                         help="only orphans: live devices that never sent anything (an enrolment "
                              "whose desk never used its token)")
    listing.set_defaults(run=cmd_device_list)

    rollout_cli.register(commands, db)
    accounts_cli.register(commands, db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
