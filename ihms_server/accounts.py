"""Web accounts of the state server: roles, Argon2id password hashes, lockout after failed
logins, and browser sessions with their CSRF tokens (issue 14).

Desks never use these: they keep their device tokens. Functions over an open
:class:`~ihms_server.store.Store`, with its SQL primitives, so both backends share them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ihms_server.store import Store, hash_secret, utc_now

ROLES = ("state_admin", "district_officer", "warehouse")
ROLE_NAMES = {"state_admin": "State admin", "district_officer": "District officer",
              "warehouse": "Warehouse"}
#: Consecutive wrong passwords that lock an account, and for how long.
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
#: A session ends this long after login, or after this long without a request.
SESSION_LIFETIME = dt.timedelta(hours=12)
SESSION_IDLE = dt.timedelta(hours=2)
#: last_seen_at is written at most this often (a page view need not be a write each time).
_SEEN_EVERY = dt.timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")

# Argon2id with the library's defaults (RFC 9106's second recommended profile, 64 MiB):
# a stolen table of hashes costs an attacker memory per guess, unlike a plain or fast hash.
_hasher = PasswordHasher()
#: Checked when the username is unknown, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountProblem(ValueError):
    """An account the admin cannot create or change as asked; the message says why."""


@dataclasses.dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: str
    district: str | None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    def may_see(self, district: str | None) -> bool:
        """A state admin sees every district (and state-wide pages); the others their own."""
        return self.role == "state_admin" or (district is not None and district == self.district)


@dataclasses.dataclass(frozen=True)
class LoginRefused(Exception):
    """``kind`` is ``wrong`` (name or password; never says which) or ``locked`` (until)."""

    kind: str
    until: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


def _check(username: str, role: str | None = None, district: str | None = None,
           password: str | None = None) -> None:
    if not _USERNAME.match(username):
        raise AccountProblem("a username is 3-40 small letters, digits and . _ - "
                             "(starting with a letter or digit)")
    if role is not None and role not in ROLES:
        raise AccountProblem(f"the role is one of {', '.join(ROLES)}")
    if role is not None and (role == "state_admin") != (district is None):
        raise AccountProblem("a district officer or a warehouse account needs --district; "
                             "a state admin has none")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountProblem(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


def add_account(store: Store, username: str, password: str, role: str,
                district: str | None = None, full_name: str = "") -> None:
    _check(username, role, district, password)
    with store._write() as cur:
        cur.execute("SELECT 1 FROM account WHERE username = %s", (username,))
        if cur.fetchone() is not None:
            raise AccountProblem(f"there is already an account {username}")
        if role == "warehouse":
            cur.execute("SELECT 1 FROM warehouse WHERE district = %s", (district,))
            if cur.fetchone() is None:
                raise AccountProblem(f"{district} district has no warehouse yet: add it first "
                                     "with 'ihms-server warehouse add CODE --name ... "
                                     f"--district {district}'")
        cur.execute("INSERT INTO account (username, full_name, role, district, password_hash,"
                    " created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                    (username, full_name, role, district, _hasher.hash(password),
                     store._ts(utc_now())))


def set_password(store: Store, username: str, password: str) -> bool:
    """A new password; every session of the account ends and any lock is lifted."""
    _check(username, password=password)
    with store._write() as cur:
        cur.execute("UPDATE account SET password_hash = %s, failed_logins = 0, locked_until = NULL"
                    " WHERE username = %s RETURNING username", (_hasher.hash(password), username))
        changed = cur.fetchone() is not None
        cur.execute("DELETE FROM web_session WHERE username = %s", (username,))
    return changed


def unlock(store: Store, username: str) -> bool:
    with store._write() as cur:
        cur.execute("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE username = %s"
                    " RETURNING username", (username,))
        return cur.fetchone() is not None


def disable(store: Store, username: str) -> bool:
    """The account can no longer log in; its sessions end at once."""
    with store._write() as cur:
        cur.execute("UPDATE account SET disabled_at = %s WHERE username = %s AND disabled_at IS NULL"
                    " RETURNING username", (store._ts(utc_now()), username))
        changed = cur.fetchone() is not None
        cur.execute("DELETE FROM web_session WHERE username = %s", (username,))
    return changed


def accounts(store: Store) -> list[dict[str, object]]:
    with store._read() as cur:
        cur.execute("SELECT username, full_name, role, district, locked_until, disabled_at,"
                    " last_login_at FROM account ORDER BY role, district, username")
        rows = cur.fetchall()
    now = utc_now()
    return [{"username": r[0], "full_name": r[1], "role": r[2], "district": r[3],
             "locked": (store._ts_out(r[4]) or now) > now, "disabled": r[5] is not None,
             "last_login_at": store._ts_out(r[6])} for r in rows]


def login(store: Store, username: str, password: str) -> tuple[str, Session]:
    """Check a password; return a new session's cookie value and the session. Five wrong
    passwords in a row lock the account for 15 minutes (the admin may unlock it sooner)."""
    now = utc_now()
    username = username.strip().lower()
    with store._read() as cur:
        cur.execute("SELECT password_hash, locked_until, disabled_at, full_name, role, district"
                    " FROM account WHERE username = %s", (username,))
        row = cur.fetchone()
    if row is None or row[2] is not None:
        _verify(_DUMMY_HASH, password)
        raise LoginRefused("wrong")
    locked_until = store._ts_out(row[1])
    if locked_until is not None and locked_until > now:
        raise LoginRefused("locked", locked_until)
    if not _verify(row[0], password):
        until = None
        with store._write() as cur:
            cur.execute("UPDATE account SET failed_logins = failed_logins + 1 WHERE username = %s"
                        " RETURNING failed_logins", (username,))
            if int(cur.fetchone()[0]) >= MAX_FAILED_LOGINS:
                until = now + LOCKOUT
                cur.execute("UPDATE account SET failed_logins = 0, locked_until = %s"
                            " WHERE username = %s", (store._ts(until), username))
        raise LoginRefused("wrong" if until is None else "locked", until)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store._write() as cur:
        rehash = _hasher.hash(password) if _hasher.check_needs_rehash(row[0]) else row[0]
        cur.execute("UPDATE account SET failed_logins = 0, locked_until = NULL, last_login_at = %s,"
                    " password_hash = %s WHERE username = %s", (store._ts(now), rehash, username))
        cur.execute("DELETE FROM web_session WHERE expires_at < %s", (store._ts(now),))
        cur.execute("INSERT INTO web_session (token_hash, username, csrf_token, created_at,"
                    " last_seen_at, expires_at) VALUES (%s, %s, %s, %s, %s, %s)",
                    (hash_secret(token), username, csrf, store._ts(now), store._ts(now),
                     store._ts(now + SESSION_LIFETIME)))
    return token, Session(Account(username, row[3], row[4], row[5]), csrf)


def _verify(encoded: str, password: str) -> bool:
    try:
        return _hasher.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


def session(store: Store, token: str | None) -> Session | None:
    """The live session a cookie names, if any (expired or idle sessions are not)."""
    if not token or len(token) > 100:
        return None
    now = utc_now()
    with store._read() as cur:
        cur.execute("SELECT s.csrf_token, s.last_seen_at, s.expires_at, a.username, a.full_name,"
                    " a.role, a.district, a.disabled_at FROM web_session s"
                    " JOIN account a ON a.username = s.username WHERE s.token_hash = %s",
                    (hash_secret(token),))
        row = cur.fetchone()
    if row is None or row[7] is not None:
        return None
    last_seen, expires = store._ts_out(row[1]), store._ts_out(row[2])
    if expires is None or last_seen is None or expires <= now or now - last_seen > SESSION_IDLE:
        return None
    if now - last_seen > _SEEN_EVERY:
        with store._write() as cur:
            cur.execute("UPDATE web_session SET last_seen_at = %s WHERE token_hash = %s",
                        (store._ts(now), hash_secret(token)))
    return Session(Account(row[3], row[4], row[5], row[6]), row[0])


def logout(store: Store, token: str) -> None:
    with store._write() as cur:
        cur.execute("DELETE FROM web_session WHERE token_hash = %s", (hash_secret(token),))
