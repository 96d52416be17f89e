"""Fixtures for the end-to-end sync tests: a real state server on loopback (SQLite by default,
PostgreSQL where a case says so), a fault-injecting proxy in front of it, and desks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ihms_server.store import Store as ServerStore
from ihms_server.store import open_store
from ihms_server.testing import (
    DEFAULT_POSTGRES_ADMIN_URL,
    add_facility,
    run_server,
    temporary_postgres_database,
)
from e2e_desk import FACILITY_CODE, Desk, build_template
from fault_proxy import FaultProxy


class Server:
    """A running state server and a handle on its database to set up and to check."""

    def __init__(self, db_url: str, base_url: str) -> None:
        self.db_url = db_url
        self.url = base_url
        self.store: ServerStore = open_store(db_url, migrate=False)
        add_facility(self.store, FACILITY_CODE, name="CHC Test", district="Jaipur", block="Sanganer")

    def enrolment_code(self, facility_code: str = FACILITY_CODE) -> str:
        return self.store.create_enrolment_code(facility_code)


def _serve(db_url: str) -> Iterator[Server]:
    with run_server(db_url) as base_url:
        server = Server(db_url, base_url)
        try:
            yield server
        finally:
            server.store.close()


def _postgres() -> Iterator[Server]:
    """On PostgreSQL: fails (never skips) when PostgreSQL cannot be reached."""
    admin_url = os.environ.get("IHMS_TEST_POSTGRES", DEFAULT_POSTGRES_ADMIN_URL)
    with temporary_postgres_database(admin_url) as url:
        yield from _serve(url)


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """SQLite unless a test asks for ``@pytest.mark.parametrize("server", ["postgresql"],
    indirect=True)``."""
    if getattr(request, "param", "sqlite") == "postgresql":
        yield from _postgres()
    else:
        yield from _serve(f"sqlite:///{tmp_path / 'server.sqlite3'}")


@pytest.fixture
def pg_server() -> Iterator[Server]:
    yield from _postgres()


@pytest.fixture
def proxy(server: Server) -> Iterator[FaultProxy]:
    with FaultProxy(server.url) as running:
        yield running


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("desk-template"))


@pytest.fixture
def make_desk(desk_template: Path, tmp_path: Path) -> Iterator[Callable[..., Desk]]:
    desks: list[Desk] = []

    def factory(name: str = "desk", clock: object = None, *, existing: bool = False,
                pc: Path | None = None) -> Desk:
        desk = Desk(None if existing else desk_template, tmp_path / name, clock, pc)
        desks.append(desk)
        return desk

    yield factory
    for desk in desks:
        desk.close()


@pytest.fixture
def enrolled_desk(make_desk: Callable[..., Desk], server: Server, proxy: FaultProxy) -> Callable[..., Desk]:
    """A desk enrolled through the fault proxy, holding one receipt and ``dispensed``
    dispenses that wait to be sent (``make_desk``'s arguments pass through)."""

    def factory(dispensed: int = 0, **make_args: Any) -> Desk:
        desk = make_desk(**make_args)
        desk.enrol(proxy.url, server.enrolment_code())
        desk.receive()
        desk.dispense(dispensed)
        return desk

    return factory
