"""GET /v1/catalog: paging in commit order, cursors that never skip a late commit."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from ihms_desk.sync import protocol as wire
from ihms_server.store import Store
from ihms_server.testing import EnrolledDevice


def item(code: str, name: str | None = None, min_stock: int = 0) -> wire.ItemData:
    return {"code": code, "name": name or f"Item {code}", "generic_name": "Paracetamol",
            "strength": "500 mg", "dosage_form": "tablet", "unit_of_issue": "tablet",
            "category": "drug", "min_stock": min_stock, "active": True}


def page(device: EnrolledDevice, since: str = "", limit: int = 500) -> dict[str, Any]:
    response = requests.get(f"{device.base_url}/v1/catalog", headers=device.headers(),
                            params={"since": since, "limit": limit}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def read_all(device: EnrolledDevice, since: str, limit: int = 7) -> tuple[list[str], str]:
    keys: list[str] = []
    while True:
        body = page(device, since, limit)
        keys += [c["key"] for c in body["changes"]]
        since = body["next_cursor"]
        if body["remaining"] == 0:
            return keys, since


def settled(device: EnrolledDevice, since: str, expected: int) -> None:
    """Wait until ``expected`` changes after ``since`` are deliverable. On PostgreSQL a write
    transaction of a test running in parallel holds the delivery horizon back for a moment
    (transaction ids are cluster-wide); rows are late then, never skipped."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = page(device, since, 1000)
        if len(body["changes"]) + body["remaining"] >= expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {expected} changes after {since!r}")


def test_pages_follow_the_cursor_and_count_what_remains(device: EnrolledDevice, store: Store) -> None:
    assert store.import_items([item(f"ITEM{n:03d}") for n in range(25)]) == 25
    settled(device, "0", 26)
    first = page(device, "0", 10)
    # The facility of the enrolled desk came first, then the 25 items in import order.
    assert [c["key"] for c in first["changes"]] == ["CHC-JPR-001"] + [f"ITEM{n:03d}" for n in range(9)]
    assert first["changes"][1]["data"] == item("ITEM000")
    assert first["remaining"] == 16
    second = page(device, first["next_cursor"], 10)
    assert second["remaining"] == 6
    third = page(device, second["next_cursor"], 10)
    assert [c["key"] for c in third["changes"]] == [f"ITEM{n:03d}" for n in range(19, 25)]
    assert third["remaining"] == 0
    # Nothing new: the same cursor comes back.
    assert page(device, third["next_cursor"])["changes"] == []
    # A changed item is sent again; an unchanged one is not.
    assert store.import_items([item("ITEM003", min_stock=100), item("ITEM004")]) == 1
    settled(device, third["next_cursor"], 1)
    latest = page(device, third["next_cursor"])
    assert [(c["key"], c["data"]["min_stock"]) for c in latest["changes"]] == [("ITEM003", 100)]


@pytest.mark.parametrize("cursor", ["garbage", "abc-1-2", "-1-2", "x" * 200])
def test_a_cursor_this_server_did_not_issue_is_unknown(device: EnrolledDevice, cursor: str) -> None:
    response = requests.get(f"{device.base_url}/v1/catalog", headers=device.headers(),
                            params={"since": cursor}, timeout=30)
    assert response.status_code == 410
    assert response.json()["code"] == wire.CURSOR_UNKNOWN


def test_a_cursor_from_another_server_instance_is_unknown(device: EnrolledDevice, store: Store) -> None:
    cursor = page(device)["next_cursor"]
    other_instance = "0" * 32 + cursor[32:]
    response = requests.get(f"{device.base_url}/v1/catalog", headers=device.headers(),
                            params={"since": other_instance}, timeout=30)
    assert response.status_code == 410


def test_limit_out_of_range_is_a_422_naming_the_field(device: EnrolledDevice) -> None:
    for limit in ("0", "1001", "ten"):
        response = requests.get(f"{device.base_url}/v1/catalog", headers=device.headers(),
                                params={"limit": limit}, timeout=30)
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "query.limit"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_cursor_never_skips_a_row_committed_late(
        db_url: str, device: EnrolledDevice, store: Store) -> None:
    """Two real transactions commit out of order; the reader gets every row exactly once."""
    import psycopg

    settled(device, "", 1)  # the enrolled facility
    _, cursor = read_all(device, "")
    early = psycopg.connect(db_url)   # starts first, commits last
    late = psycopg.connect(db_url)
    try:
        early.execute("SELECT pg_current_xact_id()")  # takes its transaction id now
        late.execute("INSERT INTO catalog_change (entity, key, data) VALUES ('item', 'LATE', '{}')")
        early.execute("INSERT INTO catalog_change (entity, key, data) VALUES ('item', 'EARLY1', '{}')")
        late.commit()
        # LATE is committed, but EARLY1's transaction, older, is still open: handing LATE out
        # now would move the cursor past EARLY1, so it must wait.
        keys, cursor = read_all(device, cursor)
        assert keys == []
        early.execute("INSERT INTO catalog_change (entity, key, data) VALUES ('item', 'EARLY2', '{}')")
        early.commit()
        # Transaction ids are cluster-wide: a write transaction of another test running in
        # parallel also holds the horizon back for a moment, so read until all three arrive.
        delivered: list[str] = []
        deadline = time.monotonic() + 20
        while len(delivered) < 3 and time.monotonic() < deadline:
            keys, cursor = read_all(device, cursor)
            delivered += keys
            time.sleep(0.05)
        assert delivered == ["EARLY1", "EARLY2", "LATE"]
        assert read_all(device, cursor)[0] == []
    finally:
        early.close()
        late.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_writers_are_serialised(db_url: str, device: EnrolledDevice) -> None:
    """On SQLite a second writer cannot start while another is open, so id order is commit
    order and a plain sequence is a sound cursor."""
    path = Path(db_url.removeprefix("sqlite:///"))
    first = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    second = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    try:
        first.execute("BEGIN IMMEDIATE")
        first.execute("INSERT INTO catalog_change (entity, key, data) VALUES ('item', 'A', '{}')")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            second.execute("BEGIN IMMEDIATE")
        assert [c["key"] for c in page(device)["changes"]] == ["CHC-JPR-001"]
        first.execute("COMMIT")
        assert [c["key"] for c in page(device)["changes"]] == ["CHC-JPR-001", "A"]
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_database_restored_into_another_cluster_renumbers_its_catalogue(
        db_url: str, store: Store) -> None:
    """pg_dump/restore carries txids from the old cluster; if they are ahead of this one, new
    changes would sort before old ones and be skipped. Start-up detects it and starts over."""
    from ihms_server.store import open_store

    store.import_items([item("OLD1"), item("OLD2")])
    old_instance = store.instance_id()
    with store._write() as cur:  # noqa: SLF001 - stand-in for rows restored from another cluster
        cur.execute("UPDATE catalog_change SET txid = (pg_current_xact_id()::text::bigint"
                    " + 1000000)::text::xid8")
    restarted = open_store(db_url)
    try:
        assert restarted.instance_id() != old_instance
        restarted.import_items([item("NEW1")])
        keys: list[str] = []
        cursor = ""
        deadline = time.monotonic() + 20
        while len(keys) < 3 and time.monotonic() < deadline:
            page_ = restarted.catalog_page(cursor, 1000)
            keys += [c["key"] for c in page_["changes"]]
            cursor = page_["next_cursor"]
            time.sleep(0.05)
        assert keys == ["OLD1", "OLD2", "NEW1"]
        with pytest.raises(wire.ProtocolError):
            restarted.catalog_page(f"{old_instance}-1-1", 10)
    finally:
        restarted.close()


def test_a_cursor_from_before_a_restore_is_unknown(db_url: str, device: EnrolledDevice,
                                                   store: Store) -> None:
    """A restored database has the same instance id but has not issued the desk's cursor:
    following it would skip what changed since the restore, so the desk starts over."""
    settled(device, "", 1)
    cursor = page(device)["next_cursor"]
    instance, txid, row_id = cursor.split("-")
    if store.kind == "sqlite":
        # A real restore: copy the file, change the catalogue, put the copy back.
        path = Path(db_url.removeprefix("sqlite:///"))
        backup = path.with_suffix(".backup")
        with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
            source.backup(target)
        store.import_items([item("AFTER-BACKUP")])
        cursor = page(device, cursor)["next_cursor"]
        with sqlite3.connect(backup) as source, sqlite3.connect(path) as target:
            source.backup(target)
        stale = [cursor]
    else:
        # The transaction counter of a cluster restored from a base backup starts again from
        # the backup's; cursors issued after it look like they come from the future.
        stale = [f"{instance}-{int(txid) + 10**9}-{row_id}", f"{instance}-{txid}-{int(row_id) + 5}"]
    for cursor in stale:
        response = requests.get(f"{device.base_url}/v1/catalog", headers=device.headers(),
                                params={"since": cursor}, timeout=30)
        assert response.status_code == 410, cursor
        assert response.json()["code"] == wire.CURSOR_UNKNOWN
    assert page(device)["changes"]  # starting over works
