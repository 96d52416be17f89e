"""The rollout's commands of ``ihms-server``: ``facility import``, ``rollout``, ``rollout-key``,
``code list | reissue | revoke`` and ``setting``. Registered by :mod:`ihms_server.cli`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ihms_desk import fields
from ihms_server import rollout
from ihms_server.store import Store, open_store, utc_now

#: Where ``rollout`` finds the state's signing key when ``--key`` is not given.
KEY_ENVIRONMENT_VARIABLE = "IHMS_ROLLOUT_KEY"


def _open(args: argparse.Namespace) -> Store:
    return open_store(args.db)


def _when(moment: dt.datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def cmd_facility_import(args: argparse.Namespace) -> int:
    facilities, problems = rollout.read_facility_csv(Path(args.file))
    if problems:
        for row, problem in problems:
            print(f"{args.file}: row {row}: {problem}" if row else f"{args.file}: {problem}", file=sys.stderr)
        print(f"{len(problems)} row(s) refused; nothing was imported. Correct them and import the file again.",
              file=sys.stderr)
        return 2
    store = _open(args)
    try:
        result = rollout.import_facilities(store, facilities)
    finally:
        store.close()
    print(f"{result.read} facilities read: {result.added} new, {result.changed} changed, "
          f"{result.unchanged} unchanged")
    return 0


def _server_url(store: Store, given: str | None) -> str | None:
    url = (given or rollout.setting(store, "server_url")).strip().rstrip("/")
    if not url:
        print("the packages need the address desks reach this server at: give --server-url https://... "
              "or set it once with 'ihms-server setting set server_url https://...'", file=sys.stderr)
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        print(f"{url!r} is not a server address (https://...)", file=sys.stderr)
        return None
    if fields.plain_http_refused(url):
        print(f"{url} is plain http: desks refuse to send records over it to another machine. "
              "Use the server's https address.", file=sys.stderr)
        return None
    return url


def _signing_key(given: str | None) -> Any:
    from ihms_server.packages import SigningKey

    path = given or os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if not path:
        print(f"the packages are signed with the state's key: give --key PATH or set ${KEY_ENVIRONMENT_VARIABLE} "
              "(make one with 'ihms-server rollout-key new')", file=sys.stderr)
        return None
    try:
        return SigningKey.load(Path(path))
    except (OSError, ValueError) as error:
        print(f"cannot use the signing key {path}: {error}", file=sys.stderr)
        return None


def _write(args: argparse.Namespace, store: Store, district: str, issued: list[rollout.IssuedCode],
           key: Any, server_url: str) -> None:
    from ihms_server.packages import write_rollout

    helpline = args.helpline if args.helpline is not None else rollout.setting(store, "helpline")
    files = write_rollout(issued, Path(args.out), district, key, server_url=server_url, helpline=helpline)
    replaced = sum(entry.replaced for entry in issued)
    print(f"{len(files.packages)} facility package(s) written to {files.folder}")
    print(f"  list:  {files.csv}")
    print(f"  slips: {files.pdf}")
    if issued:
        print(f"  codes valid until {issued[0].expires_at.astimezone(dt.timezone.utc):%d-%m-%Y}")
    if replaced:
        print(f"  {replaced} earlier unused code(s) of these facilities were withdrawn: only the new packages work")


def cmd_rollout(args: argparse.Namespace) -> int:
    return _issue_packages(args, args.district)


def cmd_code_reissue(args: argparse.Namespace) -> int:
    return _issue_packages(args, "", facility_codes=[code.upper() for code in args.facility])


def _issue_packages(args: argparse.Namespace, district: str, *, facility_codes: list[str] | None = None) -> int:
    """Issue codes, a district's or (a re-issue) the given facilities', and write their
    packages, slips and list; 2 with the reason when the key, the district, the server
    address or a facility is wanting."""
    from ihms_desk.sync.protocol import ProtocolError

    key = _signing_key(args.key)
    if key is None:
        return 2
    store = _open(args)
    try:
        if facility_codes is None and district not in rollout.districts(store):
            print(f"there is no district {district!r}; districts: {', '.join(rollout.districts(store)) or 'none'}",
                  file=sys.stderr)
            return 2
        server_url = _server_url(store, args.server_url)
        if server_url is None:
            return 2
        try:
            issued = rollout.issue_rollout(store, district, facility_codes=facility_codes,
                                           valid_for=dt.timedelta(days=args.days) if args.days else None)
        except ProtocolError as error:  # a re-issue for a facility the state does not list
            print(error.reason, file=sys.stderr)
            return 2
        if facility_codes is not None:
            district = issued[0].facility["district"] if issued else ""
        _write(args, store, district, issued, key, server_url)
    finally:
        store.close()
    return 0


def cmd_code_list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        rows = rollout.codes(store, district=args.district,
                             facility_code=args.facility.upper() if args.facility else None)
    finally:
        store.close()
    now = utc_now()
    if not rows:
        print("no enrolment codes", file=sys.stderr)
    for row in rows:
        print(f"{row.code_id}  {row.facility_code:<16} {row.kind:<7} {row.state(now):<8} "
              f"issued={_when(row.created_at)} valid_until={_when(row.expires_at)} "
              f"used={_when(row.used_at)} revoked={_when(row.revoked_at)}  {row.facility_name}")
    return 0


def cmd_code_revoke(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        count = rollout.revoke_codes(store, facility_code=args.facility.upper() if args.facility else None,
                                     code_id=args.code_id)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"{count} unused code(s) withdrawn")
    return 0 if count else 1


def cmd_rollout_key(args: argparse.Namespace) -> int:
    from ihms_server.packages import new_signing_key

    try:
        private, public = new_signing_key(Path(args.out), args.key_id)
    except (ValueError, FileExistsError) as error:
        print(f"no key made: {error}", file=sys.stderr)
        return 2
    print(f"private key (keep on the server, never in the repository): {private}")
    print(f"public key (ship it in the desk's resources/rollout_keys/): {public}")
    return 0


def cmd_setting(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if args.action == "set":
            try:
                rollout.set_setting(store, args.key, args.value)
            except ValueError as error:
                print(error, file=sys.stderr)
                return 2
        for key, (default, meaning) in rollout.SETTINGS.items():
            print(f"{key} = {rollout.setting(store, key)!r}  ({meaning}; default {default!r})")
    finally:
        store.close()
    return 0


def register_facility(facility: Any, db: argparse.ArgumentParser) -> None:
    """``facility import`` beside ``facility add``."""
    imp = facility.add_parser("import", parents=[db], help="add or change facilities from a CSV file "
                              "(code,name,district,block,type[,active]); all or nothing")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_facility_import)


def register(commands: Any, db: argparse.ArgumentParser) -> None:
    signing = argparse.ArgumentParser(add_help=False)
    signing.add_argument("--out", required=True, help="folder for the packages, the CSV and the PDF")
    signing.add_argument("--key", help=f"the state's signing key (default: ${KEY_ENVIRONMENT_VARIABLE})")
    signing.add_argument("--server-url", help="the address desks reach this server at (default: the setting)")
    signing.add_argument("--days", type=int, help="days the codes stay valid (default: the setting, 60)")
    signing.add_argument("--helpline", help="the number printed on the slips (default: the setting)")

    run = commands.add_parser("rollout", parents=[db, signing],
                              help="a signed facility package for every facility of a district not yet enrolled")
    run.add_argument("--district", required=True)
    run.set_defaults(run=cmd_rollout)

    key = commands.add_parser("rollout-key", help="the state's key for signing facility packages").add_subparsers(
        dest="action", required=True)
    new = key.add_parser("new", help="make a new key pair")
    new.add_argument("--out", required=True, help="folder for the .key and .pub files")
    new.add_argument("--key-id", required=True, help="e.g. rj-state-2026")
    new.set_defaults(run=cmd_rollout_key)

    code = commands.add_parser("code", help="enrolment codes").add_subparsers(dest="action", required=True)
    listing = code.add_parser("list", parents=[db], help="list codes, newest first")
    scope = listing.add_mutually_exclusive_group()
    scope.add_argument("--district")
    scope.add_argument("--facility")
    listing.set_defaults(run=cmd_code_list)
    reissue = code.add_parser("reissue", parents=[db, signing],
                              help="a new package for facilities (their unused rollout codes are withdrawn)")
    reissue.add_argument("facility", nargs="+", help="facility codes")
    reissue.set_defaults(run=cmd_code_reissue)
    revoke = code.add_parser("revoke", parents=[db], help="withdraw unused codes")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--facility", help="every unused code of this facility")
    which.add_argument("code_id", nargs="?", help="one code, by the id 'code list' shows")
    revoke.set_defaults(run=cmd_code_revoke)

    settings = commands.add_parser("setting", help="the server's settings").add_subparsers(dest="action",
                                                                                             required=True)
    settings.add_parser("show", parents=[db]).set_defaults(run=cmd_setting)
    change = settings.add_parser("set", parents=[db])
    change.add_argument("key", choices=sorted(rollout.SETTINGS))
    change.add_argument("value")
    change.set_defaults(run=cmd_setting)
