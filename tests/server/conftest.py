"""Fixtures for the server suite: every test runs once on SQLite and once on a PostgreSQL
database of its own, against a real server on a loopback port.

PostgreSQL is not optional: if it cannot be reached the PostgreSQL half of the suite fails.
Set IHMS_TEST_POSTGRES to use another admin database than postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ihms_server.store import Store, open_store
from ihms_server.testing import EnrolledDevice, make_facility_and_enrol, run_server, temporary_database

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
