"""The commands of ``ihms-server`` for web accounts and warehouses (issue 14): ``account add |
list | password | unlock | disable`` and ``warehouse add``. Registered by :mod:`ihms_server.cli`.

A password is read from the terminal without echo (``getpass``), or from standard input with
``--password-stdin`` (for scripts), never from the command line, where ``ps`` would show it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ihms_desk.fields import FieldProblem
from ihms_server import accounts, indents
from ihms_server.accounts import AccountProblem
from ihms_server.store import open_store


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise AccountProblem("the two passwords differ")
    return first


def cmd_account_add(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        accounts.add_account(store, args.username, _password(args), args.role, args.district,
                             args.name or "")
    except AccountProblem as problem:
        print(f"account not added: {problem}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"account {args.username} added ({accounts.ROLE_NAMES[args.role]}"
          f"{', ' + args.district if args.district else ''})")
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        rows = accounts.accounts(store)
    finally:
        store.close()
    for row in rows:
        state = "disabled" if row["disabled"] else "locked" if row["locked"] else "active"
        print(f"{row['username']:<20} {row['role']:<17} {row['district'] or '-':<16} {state}")
    return 0


def _change(args: argparse.Namespace, change: Any, done: str) -> int:
    store = open_store(args.db)
    try:
        changed = change(store)
    except AccountProblem as problem:
        print(f"nothing changed: {problem}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if not changed:
        print(f"there is no (active) account {args.username}", file=sys.stderr)
        return 1
    print(f"account {args.username}: {done}")
    return 0


def cmd_account_password(args: argparse.Namespace) -> int:
    return _change(args, lambda store: accounts.set_password(store, args.username, _password(args)),
                   "new password set; its sessions ended")


def cmd_account_unlock(args: argparse.Namespace) -> int:
    return _change(args, lambda store: accounts.unlock(store, args.username), "unlocked")


def cmd_account_disable(args: argparse.Namespace) -> int:
    return _change(args, lambda store: accounts.disable(store, args.username),
                   "disabled; its sessions ended")


def cmd_warehouse_add(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        indents.add_warehouse(store, args.code, args.name, args.district)
    except FieldProblem as problem:
        print(f"warehouse not added: {problem.problem}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"warehouse {args.code.upper()} of {args.district} district")
    return 0


def register(commands: Any, db: argparse.ArgumentParser) -> None:
    secret = argparse.ArgumentParser(add_help=False)
    secret.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (one line)")

    account = commands.add_parser("account", help="web accounts (state admin, district officer, "
                                  "warehouse)").add_subparsers(dest="action", required=True)
    add = account.add_parser("add", parents=[db, secret], help="add an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--district", help="the district a district officer or warehouse account sees")
    add.add_argument("--name", help="the person's name, shown on the pages")
    add.set_defaults(run=cmd_account_add)
    account.add_parser("list", parents=[db], help="list accounts").set_defaults(run=cmd_account_list)
    for name, run, words in (("password", cmd_account_password, "set a new password"),
                             ("unlock", cmd_account_unlock, "lift a lock after failed logins"),
                             ("disable", cmd_account_disable, "stop an account logging in")):
        parser = account.add_parser(name, parents=[db, secret] if name == "password" else [db],
                                    help=words)
        parser.add_argument("username")
        parser.set_defaults(run=run)

    warehouse = commands.add_parser("warehouse", help="district drug warehouses").add_subparsers(
        dest="action", required=True)
    add = warehouse.add_parser("add", parents=[db], help="add or rename a district's warehouse")
    add.add_argument("code", help="starts its vouchers' numbers, e.g. DDW-JAI")
    add.add_argument("--name", required=True)
    add.add_argument("--district", required=True)
    add.set_defaults(run=cmd_warehouse_add)
