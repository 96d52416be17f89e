"""The stock ledger: everything IHMS Desk knows, kept in one SQLite file, with every rule checked here.

Open a store, log in, and call its operations; each refusal is a typed
:class:`~ihms_desk.store.errors.Refusal` that wrote nothing::

    from ihms_desk.store import Store
    store = Store.open(data_dir)
    store.login("pharma1", "secret")
    store.dispense(patient=..., prescriber=..., lines=[...])

A ``Store`` belongs to the thread that opened it: every thread opens its own.
See ``docs/store.md`` for every operation with an example.

The package imports its parts on first use (PEP 562 ``__getattr__``): a screen that only needs
``ihms_desk.store.errors`` must not pay for the whole store (about 60 ms) before the program's
first window is on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ihms_desk.store.api import Store
    from ihms_desk.store.errors import Refusal, StoreError
    from ihms_desk.store.users import Action, Role, User

__all__ = ["Store", "StoreError", "Refusal", "Role", "User", "Action"]

#: Where each public name lives.
_HOMES = {
    "Store": "ihms_desk.store.api",
    "StoreError": "ihms_desk.store.errors",
    "Refusal": "ihms_desk.store.errors",
    "Role": "ihms_desk.store.users",
    "User": "ihms_desk.store.users",
    "Action": "ihms_desk.store.users",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # found once, then an ordinary module attribute
    return value
