"""The ``ihms-desk`` parser, and running one command with its refusals in the user's language.

A command group's module is imported only when the command line may need it: the sync client
pulls in requests and the backup module the whole store, time that ``ihms-desk stock`` (or the
window, through :mod:`ihms_desk.launch`) must not wait for.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ihms_desk import __version__
from ihms_desk.cli.common import COMMANDS, EXIT_ENVIRONMENT, EXIT_OK, EXIT_REFUSED, begin, data_folder, end, say, words
from ihms_desk.store.errors import EnvironmentProblem, Refusal

def cmd_gui(args: argparse.Namespace) -> int:
    from ihms_desk.ui.app import run_app  # Qt is loaded only when a window is wanted

    return run_app(data_folder(args).root)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``ihms-desk`` parser; with ``argv``, only the command groups it may run."""
    parser = argparse.ArgumentParser(prog="ihms-desk", description="IHMS Desk: the CHC medicine counter, offline first.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="folder holding the database (default: IHMS_DATA_DIR or the user data folder)")
    parser.add_argument("--self-test", action="store_true", help="check resources, translations, fonts and a temporary database, then exit")
    parser.set_defaults(handler=cmd_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    modules = set(COMMANDS.values()) if argv is None else _modules_for(argv)
    # Registered in the order of COMMANDS, so --help lists the commands in that order.
    for module in dict.fromkeys(COMMANDS.values()):
        if module in modules:
            importlib.import_module(module).register(commands)
    # People type the folder after the command too (ihms-desk demo --data-dir X); SUPPRESS keeps
    # a value given before the command when none is given after it.
    for sub in commands.choices.values():
        if not any("--data-dir" in action.option_strings for action in sub._actions):
            sub.add_argument("--data-dir", default=argparse.SUPPRESS, help="folder holding the database")
    return parser


def _modules_for(argv: Sequence[str]) -> set[str]:
    """The modules whose commands ``argv`` may run: those named, or all of them for --help or
    for a word we do not know (so argparse's "invalid choice" lists every command)."""
    words_ = [word for index, word in enumerate(argv)
              if not word.startswith("-") and (index == 0 or argv[index - 1] != "--data-dir")]
    if "-h" in argv or "--help" in argv or any(word not in COMMANDS for word in words_[:1]):
        return set(COMMANDS.values())
    return {COMMANDS[word] for word in words_ if word in COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    begin(args)
    try:
        return _run(args)
    finally:
        end()


def _run(args: argparse.Namespace) -> int:
    if args.self_test:
        from ihms_desk.cli.selftest import main as self_test

        return self_test()
    try:
        return int(args.handler(args))
    except Refusal as error:
        say("cli_refused", to=sys.stderr, message=words(error, error.message))
        return EXIT_REFUSED
    except EnvironmentProblem as error:
        say("cli_problem", to=sys.stderr, message=words(error, error.message))
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        say("cli_stopped", to=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader of our output went away (ihms-desk stock | head): nothing is wrong. Point
        # stdout at devnull so the final flush at exit does not fail again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
