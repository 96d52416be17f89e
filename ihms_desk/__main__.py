"""Entry point for ``python -m ihms_desk``."""
from ihms_desk.cli import main

raise SystemExit(main())
