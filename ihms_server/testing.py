"""Helpers for tests that need a real state server: a throwaway PostgreSQL database, a server
on a free loopback port, an enrolled device and well-formed events.

Used by tests/server and meant for the desk's end-to-end sync tests too (see docs/server.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
import uvicorn
import uuid6

from ihms_desk.sync import protocol as wire
from ihms_server.app import create_app
from ihms_server.store import Store, open_store

#: The CI database: trust auth on loopback, user postgres, database test.
DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def temporary_postgres_database(admin_url: str = DEFAULT_POSTGRES_ADMIN_URL) -> Iterator[str]:
    """Create a database of its own (``ihms_test_<random>``), yield its URL, drop it after.

    Raises if PostgreSQL cannot be reached: a test that needs it must fail, not skip."""
    import psycopg

    name = f"ihms_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_database(backend: str, folder: Path,
                       postgres_admin_url: str | None = None) -> Iterator[str]:
    """A fresh database URL: ``backend`` is "sqlite" (a file in ``folder``) or "postgresql"
    (a database of its own; $IHMS_TEST_POSTGRES or the CI default as admin database)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'server.sqlite3'}"
    elif backend == "postgresql":
        admin = postgres_admin_url or os.environ.get("IHMS_TEST_POSTGRES", DEFAULT_POSTGRES_ADMIN_URL)
        with temporary_postgres_database(admin) as url:
            yield url
    else:
        raise ValueError(f"unknown backend {backend!r}")


@contextmanager
def run_server(db_url: str, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the API over ``db_url`` (migrated first) on a free port in a background thread;
    yield the base URL, e.g. ``http://127.0.0.1:41234``."""
    store = open_store(db_url)
    try:
        with serve_app(create_app(store), host=host) as base_url:
            yield base_url
    finally:
        store.close()


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler], *, tls: ssl.SSLContext | None = None) -> Iterator[int]:
    """A plain ``http.server`` answering with ``handler`` on a free loopback port, in a thread,
    until the block ends; yields the port. ``tls`` makes it an HTTPS server. For what the state
    server never answers: a Wi-Fi login page, a certificate the desk must refuse, a framing page."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def serve_app(app: Any, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"ihms-server-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@dataclasses.dataclass(frozen=True)
class EnrolledDevice:
    """A desk as the server knows it after enrolment."""

    base_url: str
    facility_code: str
    device_id: str
    token: str

    def headers(self) -> dict[str, str]:
        return {wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
                "Authorization": f"Bearer {self.token}"}

    def push(self, events: Sequence[dict[str, Any]], *, session: Any = requests,
             timeout: float = 60) -> requests.Response:
        response: requests.Response = session.post(
            f"{self.base_url}/v1/events", headers=self.headers(), timeout=timeout,
            json={"device_id": self.device_id, "events": list(events)})
        return response


def add_facility(store: Store, code: str, *, name: str | None = None, district: str = "Jaipur",
                 block: str = "Sanganer", type: str = "CHC") -> None:
    store.upsert_facility({"code": code, "name": name or f"CHC {code}", "district": district,
                           "block": block, "type": type, "active": True})


def make_facility_and_enrol(db_url: str, base_url: str, facility_code: str = "CHC-TEST-001", *,
                            name: str | None = None, district: str = "Jaipur",
                            block: str = "Sanganer", type: str = "CHC",
                            device_name: str = "DDC counter 1") -> EnrolledDevice:
    """Add (or keep) the facility, issue an enrolment code and enrol through the real API."""
    store = open_store(db_url, migrate=False)
    try:
        add_facility(store, facility_code, name=name, district=district, block=block, type=type)
        code = store.create_enrolment_code(facility_code)
    finally:
        store.close()
    response = requests.post(
        f"{base_url}/v1/enrol", timeout=30,
        headers={wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION)},
        json={"facility_code": facility_code, "enrolment_code": code, "device_name": device_name})
    response.raise_for_status()
    answer = response.json()
    return EnrolledDevice(base_url, facility_code, answer["device_id"], answer["token"])


def utc_iso(moment: dt.datetime | None = None) -> str:
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_movement(item_code: str = "PARA500", qty: int = -10, *, batch_no: str = "B1",
                  expiry_month: str = "2027-03", line_no: int = 1) -> dict[str, Any]:
    return {"line_no": line_no, "item_code": item_code, "batch_no": batch_no,
            "expiry_month": expiry_month, "manufacturer": "RMSCL supplier", "unit_cost": "0.45",
            "qty": qty}


def make_event(device: EnrolledDevice, sequence: int, *, epoch: int = 1,
               type: str = "dispense", movements: Sequence[dict[str, Any]] | None = None,
               event_id: str | None = None, facility_code: str | None = None) -> dict[str, Any]:
    """A well-formed event of ``device``; by default a dispense of 10 tablets of PARA500. Its
    document number is the device's own series (as a real desk's is), so that events of two
    devices, or of two epochs, never share a number."""
    now = utc_iso()
    number = f"{type[:3].upper()}/2026-27/{device.device_id[:4].upper()}{epoch}-{sequence:06d}"
    if movements is None:
        movements = [make_movement(qty=10 if type == "receipt" else -10)]
    return {
        "event_id": event_id or str(uuid6.uuid7()),
        "device_id": device.device_id,
        "facility_code": facility_code or device.facility_code,
        "epoch": epoch,
        "sequence": sequence,
        "type": type,
        "schema_version": wire.EVENT_SCHEMA_VERSION,
        "hlc": f"{int(time.time() * 1000):016d}-{sequence:04d}-{device.device_id[:8]}",
        "wall_time": now,
        "payload": {
            "document": {
                "number": number, "kind": type, "doc_date": now[:10], "created_at": now,
                "created_by": "pharmacist1", "reverses_number": None, "reason": None,
                "header": {"opd_no": f"OPD-{sequence}", "patient_name": "Test Patient",
                           "age": 40, "sex": "F"} if type == "dispense" else {},
                "lines": [{"line_no": m["line_no"], "item_code": m["item_code"],
                           "qty": abs(m["qty"])} for m in movements],
            },
            "movements": list(movements),
        },
    }
