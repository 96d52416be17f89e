"""The ``ihms-desk`` command's entry point: the window at once, or the command line.

``ihms-desk`` and ``ihms-desk --data-dir DIR`` (what a counter's shortcut runs every morning)
go straight to the window; anything else, ``--help`` included, goes to
:func:`ihms_desk.cli.main`. Building the full argument parser imports argparse and the
command-line tasks' modules, about 25 ms the first window should not wait for.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

_NOT_THE_WINDOW = object()


def window_data_dir(argv: Sequence[str]) -> object:
    """The ``--data-dir`` value (``None`` when not given) if ``argv`` only opens the window,
    else a sentinel that sends it to the full parser (which also explains mistakes)."""
    if not argv:
        return None
    if len(argv) == 2 and argv[0] == "--data-dir" and not argv[1].startswith("-"):
        return argv[1]
    if len(argv) == 1 and argv[0].startswith("--data-dir="):
        return argv[0].split("=", 1)[1]
    return _NOT_THE_WINDOW


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    data_dir = window_data_dir(arguments)
    if data_dir is _NOT_THE_WINDOW:
        from ihms_desk.cli import main as cli_main

        return cli_main(arguments)
    from ihms_desk.paths import DataFolder
    from ihms_desk.ui.app import run_app

    assert data_dir is None or isinstance(data_dir, str)
    return run_app(DataFolder.resolve(data_dir).root)
