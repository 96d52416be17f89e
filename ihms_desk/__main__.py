"""Entry point for ``python -m ihms_desk`` (the same as the ``ihms-desk`` command)."""
from ihms_desk.launch import main

raise SystemExit(main())
