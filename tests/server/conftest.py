"""Fixtures for the server suite: every test runs once on SQLite and once on a PostgreSQL
database of its own, against a real server on a loopback port.

PostgreSQL is not optional: if it cannot be reached the PostgreSQL half of the suite fails.
Set IHMS_TEST_POSTGRES to use another admin database than postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ihms_server.store import Store, open_store
from ihms_server.testing import EnrolledDevice, make_facility_and_enrol, run_server, temporary_database
from ihms_server.testing_supply import PASSWORD, add_warehouse_and_accounts, web_login

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with temporary_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A second, independent handle on the server's database, to set up and to check."""
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def server(db_url: str, store: Store) -> Iterator[str]:
    with run_server(db_url) as base_url:
        yield base_url


@pytest.fixture
def device(db_url: str, server: str) -> EnrolledDevice:
    return make_facility_and_enrol(db_url, server, "CHC-JPR-001", name="CHC Chaksu",
                                   district="Jaipur", block="Chaksu")


@pytest.fixture
def accounts_made(store: Store) -> None:
    """The Jaipur warehouse and the accounts ``ware``, ``officer`` (Jaipur) and ``admin``."""
    add_warehouse_and_accounts(store)


@pytest.fixture
def web(server: str, accounts_made: None) -> Iterator[requests.Session]:
    """An HTTP session logged in as the state admin (the facility pages need a login)."""
    with web_login(server, "admin") as session:
        yield session


@pytest.fixture
def log_in(server: str, accounts_made: None) -> Callable[[Any, str], None]:
    """Log a Chromium page in through the login form, as a person would: type, press Enter."""
    def log_in(page: Any, username: str) -> None:
        page.goto(f"{server}/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)

    return log_in
