"""The :class:`Store`: one facility's database and every operation on it (re-exported as
``ihms_desk.store.Store``; see the package docstring and ``docs/store.md``)."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from pathlib import Path
from types import TracebackType

from ihms_desk import fields
from ihms_desk.fields import FieldProblem
from ihms_desk.paths import DataFolder
from ihms_desk.store import database
from ihms_desk.store.base import Clock, system_clock
from ihms_desk.store.catalogue import ActiveItems, CatalogueMixin
from ihms_desk.store.counter import CounterMixin
from ihms_desk.store.doctor import check_database
from ihms_desk.store.facilities import FacilitiesMixin
from ihms_desk.store.footprint import FootprintMixin
from ihms_desk.store.user_import import UserImportMixin
from ihms_desk.store.errors import InvalidInput, LoginFailed, NotLoggedIn, NotSetUp
from ihms_desk.store.indents import IndentsMixin
from ihms_desk.store.item_search import ItemSearch
from ihms_desk.store.ledger import LedgerMixin
from ihms_desk.store.model import Facility
from ihms_desk.store.outbox import OutboxMixin
from ihms_desk.store.queries import QueriesMixin
from ihms_desk.store.rules import FACILITY_TYPES, check_facility_code, check_text
from ihms_desk.store.sync_state import SyncStateMixin
from ihms_desk.wording import Label
from ihms_desk.store.vouchers import VouchersMixin
from ihms_desk.store.users import (
    MIN_PASSWORD_LENGTH,
    Action,
    Role,
    User,
    hash_password,
    verify_password,
)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the user name is unknown, so a refusal takes as long either way
    (made on first use: scrypt would add its 50 ms to every start of the program)."""
    return hash_password("no such user")


#: Settings a user may change, with what each value must look like.
SETTINGS: dict[str, tuple[Action | None, str]] = {
    "near_expiry_days": (Action.CHANGE_SETTINGS, "a number of days from 1 to 730"),
    "low_stock_months": (Action.CHANGE_SETTINGS, "a number of months from 0.1 to 24"),
    "backdate_days": (Action.CHANGE_SETTINGS, "a number of days from 0 to 90"),
    "nightly_sync_time": (Action.CHANGE_SETTINGS, "a time such as 21:00"),
    # The in-charge's stock levels in months of average monthly consumption (the consumption
    # report's status: below the minimum, order; above the maximum, too much is held).
    "min_stock_months": (Action.CHANGE_SETTINGS, "a whole number of months from 1 to 12, below the maximum"),
    "max_stock_months": (Action.CHANGE_SETTINGS, "a whole number of months from 2 to 24, above the minimum"),
    # Below this many months of AMC an indent line is an emergency (the emergency order point).
    "emergency_order_months": (Action.CHANGE_SETTINGS, "a number of months from 0.1 to 12"),
    "backup_folder": (Action.CHANGE_SETTINGS, "a folder path, or empty"),
    # How long a pharmacist may still correct the slip they just saved (0: never).
    "correction_minutes": (Action.CHANGE_SETTINGS, "a number of minutes from 0 to 240"),
    # The display language is each counter's own choice, so any logged-in user may set it.
    "language": (None, "en or hi"),
    # Text size in points, for every screen of this desk (Devanagari at 10 pt is small for some).
    "text_size": (None, "a text size from 9 to 16 points"),
}


def _valid_setting(key: str, value: str) -> bool:
    try:
        if key == "near_expiry_days":
            return 1 <= int(value) <= 730
        if key == "low_stock_months":
            return 0.1 <= float(value) <= 24
        if key == "emergency_order_months":
            # A decimal as typed ("0.5"), never "nan" or "1e-1": it is read back with Decimal.
            return value.replace(".", "", 1).isdecimal() and 0.1 <= float(value) <= 12
        if key == "backdate_days":
            return 0 <= int(value) <= 90
        if key == "correction_minutes":
            return value.isdecimal() and 0 <= int(value) <= 240
        if key == "min_stock_months":
            return value.isdecimal() and 1 <= int(value) <= 12
        if key == "max_stock_months":
            return value.isdecimal() and 2 <= int(value) <= 24
        if key == "nightly_sync_time":
            dt.time.fromisoformat(value)
            return len(value) == 5
        if key == "language":
            return value in ("en", "hi")
        if key == "text_size":
            return value.isdecimal() and 9 <= int(value) <= 16
        return len(value) <= 500
    except ValueError:
        return False


class Store(IndentsMixin, VouchersMixin, CatalogueMixin, CounterMixin, LedgerMixin, OutboxMixin, QueriesMixin,
            SyncStateMixin, FacilitiesMixin, UserImportMixin, FootprintMixin):
    """One facility's database. Operations check the logged-in user's role."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock
        self.user: User | None = None
        self._stock_items = {}
        self._item_search = ItemSearch()
        self._active_items = ActiveItems()

    @classmethod
    def open(cls, data_dir: Path | str, *, clock: Clock = system_clock, start_over: bool = False) -> Store:
        """Open (creating and migrating as needed) the database in ``data_dir``::

            store = Store.open(Path("C:/IHMS"))

        A damaged file, or a missing or empty one beside backups of the facility, is refused
        (:class:`DatabaseCorrupt`, :class:`DatabaseMissing`) and nothing is written;
        ``start_over`` creates a new database beside backups (the demo, rebuilt on request).
        """
        path = DataFolder(Path(data_dir)).database
        store = cls(database.open_database(path, start_over=start_over), path, clock=clock)
        try:
            # After a program update that brought new starter synonyms: once, a few ms.
            store.refresh_search_text()
        except BaseException:
            store.close()
            raise
        return store

    @property
    def folder(self) -> DataFolder:
        """The data folder this database lives in, with the names of its other files."""
        return DataFolder.of(self.path)

    def open_another(self) -> Store:
        """A second connection to the same file, acting as the same user, for a worker thread
        (a connection belongs to the thread that opened it)::

            worker_store = store.open_another()   # call in the worker thread
        """
        other = Store(database.open_database(self.path, migrate_schema=False), self.path, clock=self.clock)
        other.user = self.user
        return other

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- facility ---------------------------------------------------------------------------

    def facility(self) -> Facility | None:
        """This installation's facility, or ``None`` before setup."""
        row = self._row("SELECT code, name, district, block, type FROM facility WHERE id = 1")
        return None if row is None else Facility(*row)

    def require_facility(self) -> Facility:
        facility = self.facility()
        if facility is None:
            raise NotSetUp("not_set_up")
        return facility

    def set_up(
        self,
        *,
        code: str,
        name: str,
        district: str,
        block: str,
        type: str,
        admin_username: str,
        admin_full_name: str,
        admin_password: str,
    ) -> User:
        """First run: record the facility and create the first administrator, together::

            store.set_up(code="RJ-JPR-CHC-014", name="CHC Chaksu", district="Jaipur",
                         block="Chaksu", type="CHC", admin_username="admin",
                         admin_full_name="Dr. A. Sharma", admin_password="long secret")
        """
        if self.facility() is not None:
            raise InvalidInput("already_set_up")
        facility_type = type.strip().upper()
        if facility_type not in FACILITY_TYPES:
            raise InvalidInput("bad_facility_type", field="type", types=", ".join(FACILITY_TYPES))
        values = (
            check_facility_code(code),
            check_text(name, "name", "Facility name"),
            check_text(district, "district", "District", max_length=60),
            check_text(block, "block", "Block", max_length=60),
            facility_type,
        )
        username, full_name, password_hash = self._check_new_user(admin_username, admin_full_name, admin_password)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO facility (id, code, name, district, block, type, created_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
                (*values, self.now_utc_iso()),
            )
            user_id = conn.execute(
                "INSERT INTO app_user (username, full_name, role, password_hash, created_at) VALUES (?, ?, 'admin', ?, ?)",
                (username, full_name, password_hash, self.now_utc_iso()),
            ).lastrowid
        assert user_id is not None
        return User(user_id, username, full_name, Role.ADMIN)

    # -- settings ---------------------------------------------------------------------------

    def set_setting(self, key: str, value: str) -> None:
        """Change a setting (see :data:`SETTINGS`)::

            store.set_setting("near_expiry_days", "120")
        """
        if key not in SETTINGS:
            raise InvalidInput("no_such_setting", field=key, key=key)
        action, expected = SETTINGS[key]
        if action is None:
            if self.user is None:
                raise NotLoggedIn("not_logged_in")
        else:
            self._require(action, "change_settings")
        value = str(value).strip()
        if not _valid_setting(key, value) or not self._stock_levels_in_order(key, value):
            raise InvalidInput("bad_setting", field=key, key=key, expected=Label(f"setting.{key}", expected))
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _stock_levels_in_order(self, key: str, value: str) -> bool:
        """The minimum months of stock stays below the maximum, whichever of them changes."""
        if key == "min_stock_months":
            return int(value) < int(self.setting("max_stock_months", "4"))
        if key == "max_stock_months":
            return int(value) > int(self.setting("min_stock_months", "2"))
        return True

    # -- users ------------------------------------------------------------------------------

    def _check_new_user(self, username: str, full_name: str, password: str) -> tuple[str, str, str]:
        username = check_text(username, "username", "User name", max_length=fields.MAX_USER_NAME).lower()
        try:
            fields.user_name(username)
        except FieldProblem:
            # A Cyrillic or Devanagari letter, a joiner, a mark: one look for two accounts.
            raise InvalidInput("bad_username", field="username") from None
        full_name = check_text(full_name, "full_name", "Full name")
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise InvalidInput("password_too_short", field="password", n=MIN_PASSWORD_LENGTH)
        return username, full_name, hash_password(password)

    def create_user(self, username: str, full_name: str, role: Role | str, password: str) -> User:
        """Add an account (admin only)::

            store.create_user("pharma1", "Kavita Sharma", Role.PHARMACIST, "s3cret-pw")
        """
        self._require(Action.MANAGE_USERS, "create_users")
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput("choose_role", field="role") from None
        username, full_name, password_hash = self._check_new_user(username, full_name, password)
        if self._row("SELECT 1 FROM app_user WHERE username = ?", (username,)):
            raise InvalidInput("user_exists", field="username", username=username)
        with self._transaction() as conn:
            user_id = conn.execute(
                "INSERT INTO app_user (username, full_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (username, full_name, role.value, password_hash, self.now_utc_iso()),
            ).lastrowid
        assert user_id is not None
        return User(user_id, username, full_name, role)

    def set_password(self, username: str, password: str) -> None:
        """Change a password: one's own, or anyone's for an admin."""
        if self.user is None or (self.user.username != username.lower() and not self.user.may(Action.MANAGE_USERS)):
            self._require(Action.MANAGE_USERS, "set_password")
        _, _, password_hash = self._check_new_user(username, "x", password)
        with self._transaction() as conn:
            changed = conn.execute("UPDATE app_user SET password_hash = ? WHERE username = ?", (password_hash, username.lower()))
            if changed.rowcount == 0:
                raise InvalidInput("no_such_user", field="username", username=username)

    def deactivate_user(self, username: str) -> None:
        """Disable an account (admin only); its history stays."""
        user = self._require(Action.MANAGE_USERS, "disable_users")
        if user.username == username.lower():
            raise InvalidInput("own_account", field="username")
        with self._transaction() as conn:
            changed = conn.execute("UPDATE app_user SET active = 0 WHERE username = ?", (username.lower(),))
            if changed.rowcount == 0:
                raise InvalidInput("no_such_user", field="username", username=username)

    def users(self) -> list[User]:
        return [
            User(row["id"], row["username"], row["full_name"], Role(row["role"]))
            for row in self._rows("SELECT id, username, full_name, role FROM app_user WHERE active = 1 ORDER BY username")
        ]

    def login(self, username: str, password: str) -> User:
        """Check the password and make this user the one acting; every attempt is audited::

            user = store.login("pharma1", "s3cret-pw")
        """
        name = (username or "").strip().lower()
        # Whoever was logged in is logged out by any attempt, successful or not.
        self.user = None
        row = self._row("SELECT id, username, full_name, role, password_hash, active FROM app_user WHERE username = ?", (name,))
        # An unknown name costs the same scrypt work, so timing does not tell which names exist.
        stored = row["password_hash"] if row is not None else _dummy_hash()
        password_ok = verify_password(password or "", stored)
        if row is None or not row["active"] or not password_ok:
            self.audit(name or None, "login", "refused", "wrong user name or password" if row is None or row["active"] else "account disabled")
            raise LoginFailed("login_failed", field="password")
        self.user = User(row["id"], row["username"], row["full_name"], Role(row["role"]))
        self.audit(self.user.username, "login", "ok")
        return self.user

    def logout(self) -> None:
        if self.user is not None:
            self.audit(self.user.username, "logout", "ok")
        self.user = None

    def act_as(self, username: str) -> User:
        """Act as an existing user without a password: only for trusted local tools (demo data,
        benchmarks, tests) that already hold the database file. Audited."""
        row = self._row("SELECT id, username, full_name, role FROM app_user WHERE username = ? AND active = 1", (username.lower(),))
        if row is None:
            raise LoginFailed("no_active_user", username=username)
        self.user = User(row["id"], row["username"], row["full_name"], Role(row["role"]))
        self.audit(self.user.username, "act_as", "ok", "local tool")
        return self.user

    def audit_trail(self, limit: int = 200) -> list[dict[str, str]]:
        """The newest audit entries: logins and refused actions."""
        return [dict(row) for row in self._rows("SELECT at, username, action, outcome, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))]

    # -- health -----------------------------------------------------------------------------

    def doctor(self) -> list[str]:
        """Check the file and the ledger; an empty list means all is well::

            problems = store.doctor()
        """
        return check_database(self.conn)

    def backup_to(self, target: Path) -> Path:
        """A consistent copy of the live database (SQLite online backup), safe while in use."""
        return database.backup_file(self.conn, target)
