"""The storage layer itself: migrations, the instance id, URLs."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from ihms_desk.sync import protocol as wire
from ihms_server.app import push_batch
from ihms_server.store import (
    Device,
    PostgresStore,
    SqliteStore,
    Store,
    _aggregate_movements,
    hash_secret,
    migration_scripts,
    open_store,
    render_migration,
    utc_now,
)
from ihms_server.testing import EnrolledDevice, add_facility, make_event, make_movement


#: Every migration of either backend, in order (both folders hold the same numbers and names).
ALL_MIGRATIONS = [(1, "0001_initial.sql"), (2, "0002_facility_type_uphc.sql"),
                  (3, "0003_restores_and_refusals.sql"), (4, "0004_counter.sql"),
                  (5, "0005_rollout.sql"), (6, "0006_accounts_indents.sql"), (7, "0007_privacy.sql"),
                  (8, "0008_voucher_reversal.sql"), (9, "0009_voucher_withdrawal.sql")]


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
    for backend in ("sqlite", "postgresql"):
        scripts = migration_scripts(backend)
        assert [(number, name) for number, name, _ in scripts] == ALL_MIGRATIONS


#: Key lines of scripts now in migrations/common/, as each backend ran them before the merge
#: (backend, script, text it must hold).
RENDERED_LINES = [
    ("postgresql", "0001_initial.sql",
     "    id         bigserial PRIMARY KEY,\n    txid       xid8 NOT NULL DEFAULT pg_current_xact_id(),"),
    ("sqlite", "0001_initial.sql",
     "    id         INTEGER PRIMARY KEY AUTOINCREMENT,\n    txid       integer NOT NULL DEFAULT 0,"),
    ("sqlite", "0001_initial.sql", "updated_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"),
    ("postgresql", "0001_initial.sql", "active     boolean NOT NULL DEFAULT true,"),
    ("sqlite", "0001_initial.sql", "VALUES ('instance_id', lower(hex(randomblob(16))));"),
    ("postgresql", "0001_initial.sql", "    device_id       uuid PRIMARY KEY,"),
    ("postgresql", "0006_accounts_indents.sql", "    indent_id         bigint NOT NULL REFERENCES indent (id),"),
    ("sqlite", "0006_accounts_indents.sql", "    indent_id         integer NOT NULL REFERENCES indent (id),"),
    ("postgresql", "0007_privacy.sql", "id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"),
    ("sqlite", "0007_privacy.sql", "id            integer PRIMARY KEY AUTOINCREMENT,"),
    ("sqlite", "0004_counter.sql", "ALTER TABLE item ADD COLUMN synonyms text NOT NULL DEFAULT '';"),
    ("postgresql", "0005_rollout.sql", "ALTER TABLE enrolment_code ADD COLUMN revoked_at timestamptz;"),
    ("postgresql", "0005_rollout.sql", "ALTER TABLE enrolment_code ADD COLUMN package_id text;"),
]

#: A backend's own part of a script runs after the common part: (backend, script, a statement
#: of the common part, a text of the backend's part).
OWN_PART_AFTER = [
    ("postgresql", "0006_accounts_indents.sql", "CREATE TABLE consumption_month", "jsonb_array_elements"),
    ("sqlite", "0006_accounts_indents.sql", "CREATE TABLE consumption_month", "json_each(e.body"),
    ("postgresql", "0005_rollout.sql", "CREATE TABLE facility_rollout", "DISTINCT ON (facility_code)"),
    ("sqlite", "0005_rollout.sql", "CREATE TABLE facility_rollout", "ORDER BY received_at, wall_time LIMIT 1"),
]


def test_common_migrations_render_each_backends_own_types() -> None:
    """The scripts of migrations/common/ become what each backend ran before they were merged
    (a few key lines of each), with no placeholder left."""
    rendered = {backend: {name: sql for _, name, sql in migration_scripts(backend)}
                for backend in ("sqlite", "postgresql")}
    for scripts in rendered.values():
        for sql in scripts.values():
            assert not re.search(r"\{\w+\}", sql)
    for backend, name, line in RENDERED_LINES:
        assert line in rendered[backend][name], (backend, name, line)
    for backend, name, common, own in OWN_PART_AFTER:
        assert rendered[backend][name].index(common) < rendered[backend][name].index(own)


def test_an_unknown_placeholder_fails_rendering() -> None:
    assert render_migration("a {time} b", "sqlite") == "a text b"
    with pytest.raises(KeyError):
        render_migration("a {tiem} b", "postgresql")


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


# A database made by an earlier version holds rows that version's code wrote: these two write
# enrolments and events as versions 1 and 2 did (facilities, items and enrolment codes are
# still written the same way).

def old_enrol(store: Store, facility_code: str, name: str) -> tuple[Device, EnrolledDevice]:
    device_id, token = str(uuid.uuid4()), f"ihms_{uuid.uuid4().hex}"
    with store._write() as cur:  # noqa: SLF001
        cur.execute("INSERT INTO device (device_id, facility_code, name, token_hash, enrolled_at)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (device_id, facility_code, name, hash_secret(token), store._ts(utc_now())))  # noqa: SLF001
    return (Device(device_id, facility_code, name),
            EnrolledDevice("http://unused", facility_code, device_id, token))


def old_push(store: Store, device: Device, *raw_events: dict[str, Any]) -> None:
    """Events stored as versions 1 and 2 stored them: whole-event hash, no number key."""
    events = [wire.validate_event(raw) for raw in raw_events]
    now = utc_now()
    with store._write() as cur:  # noqa: SLF001
        for event, raw in zip(events, raw_events):
            cur.execute(
                "INSERT INTO event (event_id, device_id, facility_code, epoch, sequence, type,"
                " schema_version, hlc, wall_time, doc_number, body, content_hash, received_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (event.event_id, event.device_id, event.facility_code, event.epoch, event.sequence,
                 event.type, 1, event.hlc, store._ts(event.wall_time), event.document_number,  # noqa: SLF001
                 wire.canonical_json(raw), hashlib.sha256(wire.canonical_json(raw).encode()).hexdigest(),
                 store._ts(now)))  # noqa: SLF001
        store._add_to_stock(cur, _aggregate_movements(events), now)  # noqa: SLF001
        store._count_sequences(cur, device.device_id, events)  # noqa: SLF001


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
        device, desk = old_enrol(old, "CHC-JPR-001", "counter 1")
        old_push(old, device, make_event(desk, 1, type="receipt", movements=[make_movement(qty=100)]),
                 make_event(desk, 3))  # 2 is missing: a gap
        with pytest.raises(old.data_errors):  # version 1 does not know UPHC
            add_facility(old, "UPHC-JPR-006", type="UPHC")
        instance = old.instance_id()
        rows_before, schema_before = rows_held(old), schema_held(old)
    finally:
        old.close()

    migrated = open_store(db_url, migrate=False)
    try:
        migrated.migrate(up_to=2)
        assert migrations_recorded(migrated) == ALL_MIGRATIONS[:2]
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

        # The desk enrolled before the migrations goes on where it left off.
        migrated.migrate()
        assert pushed(migrated, device, make_event(desk, 2)) == ["applied"]
        assert migrated.stock_rows("CHC-JPR-001") == {("PARA500", "B1"): ("2027-03", 80)}
        assert migrated.authenticate(desk.token).device_id == device.device_id
    finally:
        migrated.close()


def test_a_database_at_version_2_migrates_numbers_desks_and_epochs(db_url: str) -> None:
    """Migration 3 on rows an earlier version wrote: desks are numbered per facility in
    enrolment order, each device's current epoch is the newest it used, and a document number
    two events already share stays with the first of them: nothing old is refused, nothing new
    may take the number again."""
    old = open_store(db_url, migrate=False)
    try:
        old.migrate(up_to=2)
        add_facility(old, "CHC-JPR-001")
        add_facility(old, "PHC-JPR-002", type="PHC")
        first, first_desk = old_enrol(old, "CHC-JPR-001", "counter 1")
        other, other_desk = old_enrol(old, "PHC-JPR-002", "phc counter")
        second, second_desk = old_enrol(old, "CHC-JPR-001", "counter 2")
        shared = [make_event(first_desk, 1), make_event(second_desk, 1)]
        for event in shared:  # two desks of one facility numbered alike before
            event["payload"]["document"]["number"] = "DSP/2026-27/000001"
        old_push(old, first, shared[0], make_event(first_desk, 2, epoch=2))
        old_push(old, second, shared[1])
    finally:
        old.close()
    migrated = open_store(db_url)
    try:
        by_id = {d["device_id"]: d for d in migrated.devices()}
        assert [by_id[d.device_id]["desk_number"] for d in (first, second, other)] == [1, 2, 1]
        assert [by_id[d.device_id]["current_epoch"] for d in (first, second, other)] == [2, 1, 1]
        with migrated._read() as cur:  # noqa: SLF001
            cur.execute("SELECT count(*), count(number_key) FROM event WHERE doc_number = %s",
                        ("DSP/2026-27/000001",))
            assert tuple(cur.fetchone()) == (2, 1)
        # Both old events are still themselves when resent (their stored hash covered the
        # whole event; identity now leaves device, epoch and sequence out).
        assert pushed(migrated, first, shared[0]) == ["duplicate"]
        assert pushed(migrated, second, shared[1]) == ["duplicate"]
        third = make_event(other_desk, 2)
        third["payload"]["document"]["number"] = "DSP/2026-27/000001"  # another facility: free
        assert pushed(migrated, other, third) == ["applied"]
        again = make_event(second_desk, 2)
        again["payload"]["document"]["number"] = "DSP/2026-27/000001"
        answer = push_batch(migrated, second, {"device_id": second.device_id, "events": [again]})
        assert answer["results"][0]["code"] == wire.NUMBER_TAKEN
        assert "DSP/2026-27/000001 of facility CHC-JPR-001 is already held" in answer["results"][0]["reason"]
        # A desk enrolled after the migration is the facility's third.
        code = migrated.create_enrolment_code("CHC-JPR-001")
        assert migrated.enrol("CHC-JPR-001", code, "counter 3")["desk_number"] == 3
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
