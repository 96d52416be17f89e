"""``ihms-desk nightly-task``: the nightly sync's scheduled task on Windows (the installer
registers it; support staff can write its definition, install it again or remove it)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ihms_desk.cli.common import EXIT_OK, EXIT_REFUSED


def cmd_nightly_task(args: argparse.Namespace) -> int:
    from ihms_desk import nightly_task

    program = Path(args.program) if args.program else nightly_task.console_program()
    if args.xml:
        nightly_task.write_task_xml(Path(args.xml), program)
        print(f"task definition written to {args.xml}")
        return EXIT_OK
    if sys.platform != "win32":
        print("the nightly task is a Windows scheduled task; on this system use cron (see docs/install-windows.md)",
              file=sys.stderr)
        return EXIT_REFUSED
    if args.remove:
        done = nightly_task.remove()
    else:
        with tempfile.TemporaryDirectory() as folder:
            done = nightly_task.install(nightly_task.write_task_xml(Path(folder) / "task.xml", program))
    print((done.stdout or done.stderr).strip())
    return EXIT_OK if done.returncode == 0 else EXIT_REFUSED


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    task = commands.add_parser("nightly-task", help="the nightly sync as a Windows scheduled task")
    what = task.add_mutually_exclusive_group()
    what.add_argument("--install", action="store_true", help="register it (the default; needs an administrator)")
    what.add_argument("--remove", action="store_true", help="remove it")
    what.add_argument("--xml", metavar="FILE", help="only write its definition to FILE")
    task.add_argument("--program", help="the console program the task runs (default: ihms-desk-cli.exe beside this one)")
    task.set_defaults(handler=cmd_nightly_task)
