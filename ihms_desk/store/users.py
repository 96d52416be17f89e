"""Accounts, roles, permissions and the audit trail.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a random salt.
Permissions are checked here in the store, so no screen or script can skip them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass


class Role(str, enum.Enum):
    PHARMACIST = "pharmacist"
    STORE_CLERK = "store_clerk"
    IN_CHARGE = "in_charge"
    ADMIN = "admin"


class Action(str, enum.Enum):
    """What a user may be allowed to do; each maps to the roles below."""

    DISPENSE = "dispense"
    RECEIVE = "receive"
    TRANSFER = "transfer"
    ADJUST = "adjust"
    WRITE_OFF = "write_off"
    STOCKTAKE = "stocktake"
    REVERSE = "reverse"
    MANAGE_CATALOGUE = "manage_catalogue"
    MANAGE_USERS = "manage_users"
    CHANGE_SETTINGS = "change_settings"
    VIEW_STOCK = "view_stock"
    #: Prepare an indent (a draft) and receive against a pulled voucher.
    INDENT = "indent"
    #: Approve an indent: it then goes to the warehouse.
    APPROVE_INDENT = "approve_indent"


_EVERYONE = frozenset(Role)
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.DISPENSE: frozenset({Role.PHARMACIST, Role.IN_CHARGE, Role.ADMIN}),
    Action.RECEIVE: frozenset({Role.STORE_CLERK, Role.IN_CHARGE, Role.ADMIN}),
    Action.TRANSFER: frozenset({Role.STORE_CLERK, Role.IN_CHARGE, Role.ADMIN}),
    Action.ADJUST: frozenset({Role.STORE_CLERK, Role.IN_CHARGE, Role.ADMIN}),
    # Removing stock from the books (damaged, expired, lost) needs the MO in-charge.
    Action.WRITE_OFF: frozenset({Role.IN_CHARGE, Role.ADMIN}),
    Action.STOCKTAKE: frozenset({Role.STORE_CLERK, Role.IN_CHARGE, Role.ADMIN}),
    Action.REVERSE: frozenset({Role.IN_CHARGE, Role.ADMIN}),
    Action.MANAGE_CATALOGUE: frozenset({Role.STORE_CLERK, Role.IN_CHARGE, Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.CHANGE_SETTINGS: frozenset({Role.IN_CHARGE, Role.ADMIN}),
    Action.VIEW_STOCK: _EVERYONE,
    Action.INDENT: frozenset({Role.STORE_CLERK, Role.IN_CHARGE, Role.ADMIN}),
    # What the facility asks of the warehouse is the MO in-charge's word.
    Action.APPROVE_INDENT: frozenset({Role.IN_CHARGE, Role.ADMIN}),
}

ROLE_LABELS = {
    Role.PHARMACIST: "Pharmacist",
    Role.STORE_CLERK: "Store clerk",
    Role.IN_CHARGE: "MO in-charge",
    Role.ADMIN: "Administrator",
}

# scrypt cost: about 50 ms on an old PC, slow enough to make guessing expensive.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
MIN_PASSWORD_LENGTH = 6


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: Role

    def may(self, action: Action) -> bool:
        return self.role in PERMISSIONS[action]


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Check ``password`` against a stored hash in constant time."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    try:
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest_hex) // 2,
        )
    except ValueError:  # a damaged stored hash (bad numbers or hex) matches no password
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)
