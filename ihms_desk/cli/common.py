"""What every command of ``ihms-desk`` shares: exit statuses, the data folder, the password,
the log-in, and speaking the user's language.

The command line speaks Hindi when ``IHMS_LANG=hi`` or the facility's language setting is
Hindi (:func:`ihms_desk.wording.language_for_cli`); its refusals come from the same tables as
the screens' (:mod:`ihms_desk.wording`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ihms_desk import wording
from ihms_desk.paths import DataFolder
from ihms_desk.store.errors import InvalidInput

if TYPE_CHECKING:
    # The store is imported by the commands that use it: `ihms-desk` opening the window
    # shows its first window before the store is loaded (see ihms_desk/ui/app.py).
    from ihms_desk.store import Store

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_REFUSED = 2
EXIT_ENVIRONMENT = 3

PASSWORD_ENV = "IHMS_PASSWORD"

#: Which module registers each sub-command (each has ``register(commands)``).
COMMANDS: dict[str, str] = {
    "init": "ihms_desk.cli.setup",
    "demo": "ihms_desk.cli.setup",
    "import-catalog": "ihms_desk.cli.imports",
    "import-receipt": "ihms_desk.cli.imports",
    "stock": "ihms_desk.cli.stock",
    "doctor": "ihms_desk.cli.stock",
    "backup": "ihms_desk.cli.backup",
    "restore": "ihms_desk.cli.backup",
    "compact": "ihms_desk.cli.backup",
    "sync": "ihms_desk.cli.sync",
    "enrol": "ihms_desk.cli.sync",
    "nightly-task": "ihms_desk.cli.install",
    "report": "ihms_desk.cli.report",
}

#: This run's arguments, and the language once it was decided (see :func:`language`).
_run: dict[str, object] = {}


def data_folder(args: argparse.Namespace) -> DataFolder:
    return DataFolder.resolve(getattr(args, "data_dir", None))


def begin(args: argparse.Namespace) -> None:
    """A new run of the command line (``main`` may be called more than once in a process)."""
    _run.clear()
    _run["args"] = args


def end() -> None:
    """The run is over: its language is not the next one's."""
    _run.clear()


def language() -> str:
    """The language the command line speaks, decided at its first message: ``IHMS_LANG``,
    else the facility's setting, read without opening the store."""
    if "language" not in _run:
        setting = None
        args = _run.get("args")
        # Outside a run (a function called on its own) only IHMS_LANG decides.
        if os.environ.get(wording.LANGUAGE_ENV) is None and isinstance(args, argparse.Namespace):
            from ihms_desk.store.glance import first_look

            first = first_look(data_folder(args))
            setting = first.language if first is not None else None
        _run["language"] = wording.language_for_cli(setting)
    return str(_run["language"])


def words_of(kind: str, **values: object) -> str:
    """The wording of ``kind`` in the user's language."""
    return wording.say(kind, values, language())


def say(kind: str, *, to: TextIO | None = None, flush: bool = False, **values: object) -> None:
    """Print the wording of ``kind`` in the user's language (on stdout unless ``to``)."""
    print(wording.say(kind, values, language()), file=to or sys.stdout, flush=flush)


def words(worded: wording.Worded, fallback: str | None = None) -> str:
    """A refusal's or a sync failure's words in the user's language."""
    return wording.text_of(worded, language(), fallback)


def row_reason(reason: str) -> str:
    """Why a CSV row was refused (a :class:`~ihms_desk.wording.Said`), in the user's language."""
    return words(reason, reason) if isinstance(reason, wording.Said) else reason


def password(prompt: str) -> str:
    """From ``IHMS_PASSWORD`` (scripts, scheduled tasks) or typed at a prompt without echo."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise InvalidInput("no_password", env=PASSWORD_ENV)
    return getpass.getpass(prompt)


def open_existing(args: argparse.Namespace) -> Store:
    """The store of the data folder ``--data-dir`` names; refused when it was never set up."""
    from ihms_desk.store import Store, database

    folder = data_folder(args)
    database.refuse_lost_database(folder.database)  # beside backups: restore, not init
    if not folder.has_database():
        raise InvalidInput("no_database", folder=folder.root)
    store = Store.open(folder.root)
    store.require_facility()
    return store


def login(store: Store, args: argparse.Namespace) -> None:
    if not args.user:
        raise InvalidInput("say_who")
    store.login(args.user, password(f"Password for {args.user}: "))
