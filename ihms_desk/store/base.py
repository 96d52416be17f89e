"""The core every part of the store shares: connection, clock, logged-in user, transactions."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ihms_desk.store import database
from ihms_desk.store.errors import (
    DatabaseCorrupt,
    EnvironmentProblem,
    NotLoggedIn,
    PermissionDenied,
    Refusal,
    classify_sqlite_error,
)
from ihms_desk.store.users import Action, User
from ihms_desk.wording import Label

if TYPE_CHECKING:
    from ihms_desk.store.catalogue import ActiveItems
    from ihms_desk.store.item_search import ItemSearch
    from ihms_desk.store.model import Item

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Now, in the PC's local time zone (a desk in Rajasthan runs on IST)."""
    return dt.datetime.now().astimezone()


class StoreBase:
    """State shared by the store's parts; see :class:`ihms_desk.store.Store` for the API."""

    conn: sqlite3.Connection
    path: Path
    clock: Clock
    user: User | None
    #: Items built from catalogue rows, by id, with the columns they were built from (see
    #: ``QueriesMixin.stock_on_hand``). Per store, so per connection and thread.
    _stock_items: dict[int, tuple[tuple[object, ...], Item]]
    #: The item search's index of the catalogue (``store/item_search.py``), built on the
    #: first search. Per store, like the connection it reads through.
    _item_search: ItemSearch
    #: The active items a save looks up by code (``catalogue.ActiveItems``).
    _active_items: ActiveItems

    if TYPE_CHECKING:
        # Provided by CatalogueMixin; declared here so the other parts may look items up.
        def item(self, code: str, *, field: str = "item") -> Item: ...

    # -- time -------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        # The PC's own clock gives its date without working out its time zone first.
        return dt.date.today() if self.clock is system_clock else self.clock().date()

    def now_utc_iso(self) -> str:
        # The PC's own clock read straight in UTC: the same instant and text as its local time
        # converted, at a third of the cost (a save reads it twice).
        moment = dt.datetime.now(dt.timezone.utc) if self.clock is system_clock else self.clock().astimezone(dt.timezone.utc)
        return moment.isoformat(timespec="milliseconds")

    # -- reading ----------------------------------------------------------------------------

    def _rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._sqlite_errors():
            return self.conn.execute(sql, params).fetchall()

    def _row(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self._sqlite_errors():
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def _scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        row = self._row(sql, params)
        return None if row is None else row[0]

    def setting(self, key: str, default: str) -> str:
        value = self._scalar("SELECT value FROM setting WHERE key = ?", (key,))
        return default if value is None else str(value)

    # -- failures -----------------------------------------------------------------------------

    def _problem(self, error: sqlite3.Error) -> EnvironmentProblem | None:
        """What an SQLite failure means for the person (``None``: a bug). Damage SQLite runs
        into is written down beside the file, so nothing writes to it again."""
        problem = classify_sqlite_error(error, self.path)
        if isinstance(problem, DatabaseCorrupt):
            database.note_damage(self.path, str(error), found_by="SQLite, while IHMS Desk used it")
        return problem

    @contextmanager
    def _sqlite_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            problem = self._problem(error)
            if problem is None:
                raise
            raise problem from error

    # -- writing ----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all.

        BEGIN IMMEDIATE takes the write lock up front, so stock checked inside cannot be
        changed by another connection before we commit. A file found damaged since it was
        opened (by a backup's check, ``doctor``, or another connection) is not written to.
        """
        conn = self.conn
        noted = database.damage_noted(self.path)
        if noted is not None:
            raise database.damaged(self.path, noted)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            problem = self._problem(error)
            if problem is None:
                raise
            raise problem from error
        try:
            yield conn
            conn.commit()
        except sqlite3.IntegrityError as error:
            conn.rollback()
            # The schema's CHECK (qty >= 0) is the last line of defence; the code checks first.
            if "CHECK constraint failed: qty >= 0" in str(error):
                raise Refusal("stock_would_go_negative", field="quantity") from error
            raise
        except sqlite3.Error as error:
            if conn.in_transaction:
                conn.rollback()
            problem = self._problem(error)
            if problem is None:
                raise
            raise problem from error
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    # -- who --------------------------------------------------------------------------------

    def _require(self, action: Action, doing: str) -> User:
        """The logged-in user, if their role allows ``action``; refusals are audited.
        ``doing`` names what was tried (``doing.<name>`` in the wording tables)."""
        user = self.user
        if user is None:
            raise NotLoggedIn("not_logged_in")
        if not user.may(action):
            what = Label(f"doing.{doing}")
            self.audit(user.username, action.value, "refused", str(what))
            raise PermissionDenied("permission_denied", who=user.full_name, role=Label(f"role.{user.role.value}"),
                                   what=what)
        return user

    def audit(self, username: str | None, action: str, outcome: str, detail: str = "") -> None:
        """Append to the audit trail in its own small transaction (it must survive a refusal)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO audit (at, username, action, outcome, detail) VALUES (?, ?, ?, ?, ?)",
                (self.now_utc_iso(), username, action, outcome, detail[:500]),
            )
