"""The ``ihms-desk`` command line: a front end on the store, sync and backups, as the window is.

One module per group of commands, each with ``register(commands)``:

- :mod:`~ihms_desk.cli.setup`: ``init``, ``demo``
- :mod:`~ihms_desk.cli.imports`: ``import-catalog``, ``import-receipt``
- :mod:`~ihms_desk.cli.stock`: ``stock``, ``doctor``
- :mod:`~ihms_desk.cli.backup`: ``backup``, ``restore``
- :mod:`~ihms_desk.cli.sync`: ``sync``, ``enrol``
- :mod:`~ihms_desk.cli.selftest`: ``--self-test``

:mod:`~ihms_desk.cli.parser` builds the parser and runs a command; :data:`COMMANDS` (in
:mod:`~ihms_desk.cli.common`, where the self-test reads it without the parser) says which
module registers which command. Every refusal and every bad file or argument ends with a
plain message in the user's language and a non-zero exit status, never a traceback (2 refused
or bad input, 3 a problem of the machine, 1 ``doctor`` found a fault). Nothing below the front
ends imports this package (docs/layout.md).
"""

from __future__ import annotations

from ihms_desk.cli.common import COMMANDS, EXIT_ENVIRONMENT, EXIT_FAULT, EXIT_OK, EXIT_REFUSED
from ihms_desk.cli.parser import build_parser, main

__all__ = ["COMMANDS", "EXIT_ENVIRONMENT", "EXIT_FAULT", "EXIT_OK", "EXIT_REFUSED", "build_parser", "main"]
