"""The storage layer itself: migrations, the instance id, URLs."""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from ihms_desk.sync import protocol as wire
from ihms_server.app import push_batch
from ihms_server.store import Device, PostgresStore, SqliteStore, Store, open_store
from ihms_server.testing import EnrolledDevice, add_facility, make_event, make_movement


#: Every migration of either backend, in order (both folders hold the same numbers and names).
ALL_MIGRATIONS = [(1, "0001_initial.sql"), (2, "0002_facility_type_uphc.sql")]


def migrations_recorded(store: Store) -> list[tuple[int, str]]:
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        cur.execute("SELECT version, name FROM schema_migration ORDER BY version")
        return [(r[0], r[1]) for r in cur.fetchall()]


def test_migrations_run_once_and_are_recorded(db_url: str, store: Store) -> None:
    assert migrations_recorded(store) == ALL_MIGRATIONS
    instance = store.instance_id()
    again = open_store(db_url)  # migrating an up-to-date database changes nothing
    try:
        assert migrations_recorded(again) == ALL_MIGRATIONS
        assert again.instance_id() == instance
    finally:
        again.close()


def test_each_database_gets_its_own_instance_id(tmp_path: Path) -> None:
    ids = set()
    for name in ("a", "b"):
        store = open_store(f"sqlite:///{tmp_path / name}.sqlite3")
        ids.add(store.instance_id())
        store.close()
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_servers_starting_together_migrate_once(db_url: str) -> None:
    opened: list[Store] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(open_store(db_url))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert migrations_recorded(opened[0]) == ALL_MIGRATIONS
    finally:
        for store in opened:
            store.close()


def test_database_urls_pick_the_backend(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'x.sqlite3'}", str(tmp_path / "y.sqlite3")):
        store = open_store(url, migrate=False)
        assert isinstance(store, SqliteStore)
        store.close()
    with pytest.raises(ValueError, match="unsupported database URL"):
        open_store("mysql://somewhere/ihms")
    assert PostgresStore.kind == "postgresql"


def test_both_backends_have_the_same_migrations() -> None:
    from importlib.resources import files

    folder = files("ihms_server").joinpath("migrations")
    for backend in ("sqlite", "postgresql"):
        names = sorted(e.name for e in folder.joinpath(backend).iterdir() if e.name.endswith(".sql"))
        assert [(int(n.split("_", 1)[0]), n) for n in names] == ALL_MIGRATIONS


#: Every table of the schema, with the rows a database at version 1 had.
TABLES = ["server_meta", "facility", "item", "catalog_change", "enrolment_code", "device",
          "event", "device_epoch", "stock"]


def rows_held(store: Store) -> dict[str, list[Any]]:
    """Every row of every table (with its rowid on SQLite), in a stable order."""
    rowid = "rowid, " if store.kind == "sqlite" else ""
    held = {}
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        for table in TABLES:
            cur.execute(f"SELECT {rowid}* FROM {table}")
            held[table] = sorted((tuple(row) for row in cur.fetchall()), key=repr)
    return held


def schema_held(store: Store) -> dict[tuple[str, ...], Any]:
    """Tables, indexes, triggers, views and every foreign key and constraint, by name."""
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        if store.kind == "sqlite":
            cur.execute("SELECT type, name, sql FROM sqlite_schema")
            found: dict[tuple[str, ...], Any] = {(t, n): sql for t, n, sql in cur.fetchall()}
            for kind, name in list(found):
                if kind == "table":
                    cur.execute("SELECT * FROM pragma_foreign_key_list(%s)", (name,))
                    found[("foreign keys", name)] = sorted(cur.fetchall())
            return found
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        found = {("index", n): d for n, d in cur.fetchall()}
        cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                    " FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
        found.update({("constraint", t, n): d for t, n, d in cur.fetchall()})
        cur.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal")
        found.update({("trigger", n): d for n, d in cur.fetchall()})
        return found


def pushed(store: Store, device: Device, *events: dict[str, Any]) -> list[str]:
    answer = push_batch(store, device, {"device_id": device.device_id, "events": list(events)})
    return [r["status"] for r in answer["results"]]


def test_a_database_at_version_1_with_rows_migrates_and_keeps_them(db_url: str) -> None:
    old = open_store(db_url, migrate=False)
    try:
        old.migrate(up_to=1)
        assert migrations_recorded(old) == ALL_MIGRATIONS[:1]
        for code, kind in [("CHC-JPR-001", "CHC"), ("PHC-JPR-002", "PHC"), ("DH-JPR-003", "DH"),
                           ("SDH-JPR-004", "SDH"), ("SC-JPR-005", "SC")]:
            add_facility(old, code, name=f"{kind} {code}", type=kind)
        old.import_items([wire.validate_item_data({
            "code": "PARA500", "name": "Paracetamol 500 mg tablet", "generic_name": "Paracetamol",
            "strength": "500 mg", "dosage_form": "tablet", "unit_of_issue": "tablet",
            "category": "drug", "min_stock": 100})])
        old.create_enrolment_code("PHC-JPR-002")  # never used
        answer = old.enrol("CHC-JPR-001", old.create_enrolment_code("CHC-JPR-001"), "counter 1")
        device = Device(answer["device_id"], "CHC-JPR-001", "counter 1")
        desk = EnrolledDevice("http://unused", "CHC-JPR-001", answer["device_id"], answer["token"])
        assert pushed(old, device, make_event(desk, 1, type="receipt",
                                              movements=[make_movement(qty=100)]),
                      make_event(desk, 3)) == ["applied", "applied"]  # 2 is missing: a gap
        with pytest.raises(old.data_errors):  # version 1 does not know UPHC
            add_facility(old, "UPHC-JPR-006", type="UPHC")
        instance = old.instance_id()
        rows_before, schema_before = rows_held(old), schema_held(old)
    finally:
        old.close()

    migrated = open_store(db_url)
    try:
        assert migrations_recorded(migrated) == ALL_MIGRATIONS
        assert rows_held(migrated) == rows_before
        assert migrated.instance_id() == instance
        # Only the facility type's CHECK changed, and only by UPHC; every index, trigger,
        # foreign key and other constraint is as it was.
        schema_after = schema_held(migrated)
        check = (("table", "facility") if migrated.kind == "sqlite"
                 else ("constraint", "facility", "facility_type_check"))
        assert {k: v for k, v in schema_after.items() if k != check} == {
            k: v for k, v in schema_before.items() if k != check}
        assert "UPHC" not in schema_before[check] and "UPHC" in schema_after[check]
        assert re.sub(r"'UPHC'(::text)?, ", "", schema_after[check]).replace(
            'CREATE TABLE "facility"', "CREATE TABLE facility") == schema_before[check]
        assert ("index", "facility_district") in schema_after

        # The rebuilt table still takes part in every foreign key.
        with pytest.raises(migrated.data_errors), migrated._write() as cur:  # noqa: SLF001
            cur.execute("DELETE FROM facility WHERE code = 'CHC-JPR-001'")
        with pytest.raises(migrated.data_errors), migrated._write() as cur:  # noqa: SLF001
            cur.execute("INSERT INTO device (device_id, facility_code, name, token_hash)"
                        " VALUES (%s, 'NOPE', 'x', 'x')", (str(uuid.uuid4()),))
        if isinstance(migrated, SqliteStore):
            with migrated._read() as cur:  # noqa: SLF001
                assert cur.execute("PRAGMA foreign_keys").fetchone() == (1,)
                assert cur.execute("PRAGMA foreign_key_check").fetchall() == []
                assert cur.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

        # UPHC is taken now, an unknown type is still refused by the database itself.
        add_facility(migrated, "UPHC-JPR-006", type="UPHC")
        assert migrated.facility("UPHC-JPR-006") == {
            "code": "UPHC-JPR-006", "name": "CHC UPHC-JPR-006", "district": "Jaipur",
            "block": "Sanganer", "type": "UPHC", "active": True}
        with pytest.raises(migrated.data_errors):
            add_facility(migrated, "X-JPR-007", type="HOSPITAL")
        assert migrated.facility("X-JPR-007") is None

        # The desk enrolled before the migration goes on where it left off.
        assert pushed(migrated, device, make_event(desk, 2)) == ["applied"]
        assert migrated.stock_rows("CHC-JPR-001") == {("PARA500", "B1"): ("2027-03", 80)}
        assert migrated.authenticate(answer["token"]).device_id == device.device_id
    finally:
        migrated.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("script", "error", "message"), [
    ("DELETE FROM facility;", sqlite3.IntegrityError, "0099_broken.sql .* foreign key"),
    ("CREATE TABLE x (a); SELEC 1;", sqlite3.OperationalError, "syntax error"),
])
def test_a_sqlite_migration_that_fails_leaves_nothing_behind(
        db_url: str, store: Store, script: str, error: type[Exception], message: str) -> None:
    """A script runs with foreign keys off; the foreign key check before COMMIT refuses one
    that orphans rows, and either way foreign keys are back on afterwards."""
    assert isinstance(store, SqliteStore)
    add_facility(store, "CHC-JPR-001")
    store.create_enrolment_code("CHC-JPR-001")
    with pytest.raises(error, match=message):
        store._apply_migrations([(99, "0099_broken.sql", script)])  # noqa: SLF001
    assert migrations_recorded(store) == ALL_MIGRATIONS
    assert store.facility("CHC-JPR-001") is not None
    with store._read() as cur:  # noqa: SLF001
        assert cur.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert cur.execute("SELECT name FROM sqlite_schema WHERE name = 'x'").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):  # enforced again on this same connection
        with store._write() as cur:  # noqa: SLF001
            cur.execute("DELETE FROM facility")
