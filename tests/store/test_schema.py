"""Migrations: a database at every earlier schema version, holding data, migrates to the newest
with its data intact, a backup taken first, and the same schema a fresh database gets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from ledger_checks import at, check_invariants
from sqlite_utils import Database

from ihms_desk.paths import database_path
from ihms_desk.store import Store, database, schema
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine


def schema_of(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(path)
    try:
        objects = sorted(
            (row[0], row[1], row[2]) for row in conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        )
        columns = {
            name: conn.execute(f"PRAGMA table_info({name})").fetchall()
            for kind, name, _ in objects if kind == "table"
        }
        applied = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY applied_at, name")]
        return {"objects": objects, "columns": columns, "applied": applied}
    finally:
        conn.close()


def ledger_content(path: Path, columns_of: dict[str, list[dict[str, object]]] | None = None) -> dict[str, list[dict[str, object]]]:
    """Every row of the ledger tables as dicts; with ``columns_of``, only the columns it has
    (a later migration may add columns, which old rows then hold as NULL)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {
            table: [
                {key: row[key] for key in (columns_of[table][0] if columns_of and columns_of[table] else row.keys())}
                for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
            ]
            for table in ("facility", "app_user", "item", "batch", "stock", "document", "document_line", "movement",
                          "outbox", "doc_counter", "device", "consumption_month")
        }
    finally:
        conn.close()


def test_migration_names_are_ordered_and_unique() -> None:
    names = schema.migration_names()
    assert names == sorted(names) and len(set(names)) == len(names)
    assert schema.latest_version() == names[-1]


def test_fresh_database_has_every_migration_and_no_backup(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        applied = database.applied_migrations(Database(store.conn, execute_plugins=False))
    assert applied == schema.migration_names()
    assert not (tmp_path / "backups").exists()


def test_reopening_an_up_to_date_database_takes_no_backup(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    Store.open(tmp_path).close()
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("stop_before", schema.migration_names())
def test_every_earlier_version_migrates_to_the_newest(tmp_path: Path, catalogue_file: Path, stop_before: str) -> None:
    fresh_dir = tmp_path / "fresh"
    Store.open(fresh_dir).close()

    old_dir = tmp_path / "old"
    path = database_path(old_dir)
    conn = database.connect(path)
    database.migrate(conn, path, stop_before=stop_before)
    applied_before = database.applied_migrations(Database(conn, execute_plugins=False))
    assert applied_before == schema.migration_names()[: schema.migration_names().index(stop_before)]
    has_tables = bool(applied_before)
    if has_tables:
        # Put real data in through the store's own code, as far as this schema version allows.
        old = Store(conn, path, clock=lambda: at(2026, 11, 20))
        old.set_up(code="RJ-OLD-CHC-1", name="CHC Old", district="Jaipur", block="Chaksu", type="CHC",
                   admin_username="admin", admin_full_name="Admin", admin_password="long-secret")
        old.act_as("admin")
        report = old.import_catalogue_csv(catalogue_file)
        assert report.ok, report.rejected
        old.receive(source="ddw", voucher_no="V1", voucher_date="2026-11-19",
                    lines=[ReceiptLine("D0001", "PCM1", "2027-03", 500), ReceiptLine("D0002", "AMX1", "2027-06", 100)])
        old.dispense(patient=Patient("OPD/1", "Sita Devi", 34, "F", "91-1234-5678-9012"), prescriber="Dr. Meena",
                     lines=[DispenseLine("D0001", 15), DispenseLine("D0002", 10, 0)])
    conn.close()
    before = ledger_content(path) if has_tables else None

    with Store.open(old_dir) as store:
        assert database.applied_migrations(Database(store.conn, execute_plugins=False)) == schema.migration_names()
        if has_tables:
            check_invariants(store)
            assert store.doctor() == []

    assert schema_of(path)["objects"] == schema_of(database_path(fresh_dir))["objects"]
    assert schema_of(path)["columns"] == schema_of(database_path(fresh_dir))["columns"]
    if has_tables:
        assert before is not None and before["document"] and before["movement"]
        assert ledger_content(path, before) == before
        if stop_before <= "m003_barcodes_and_rejections":
            assert {(row["reject_code"], row["reject_reason"]) for row in ledger_content(path)["outbox"]} == {(None, None)}
        backups = list((old_dir / "backups").glob("*.sqlite3"))
        assert len(backups) == 1
        assert backups[0].name.startswith(f"before-{stop_before}-")
        # The backup is the database as it was: same version, same ledger.
        assert schema_of(backups[0])["applied"] == applied_before
        assert ledger_content(backups[0]) == before
    else:
        assert not (old_dir / "backups").exists()


def test_the_quick_up_to_date_check_knows_every_migration(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """database.MIGRATION_NAMES lets an up-to-date file open without sqlite-utils: it must
    list exactly the migrations schema.py registers, or a new migration would never run."""
    assert database.MIGRATION_NAMES == tuple(schema.migration_names())
    conn = database.open_database(tmp_path / "db.sqlite3")
    assert database.is_up_to_date(conn)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (schema.migration_names()[-1],))
    assert not database.is_up_to_date(conn)


def test_an_up_to_date_database_opens_without_importing_sqlite_utils(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    database.open_database(database_path(tmp_path)).close()
    probe = (
        "import sys; from pathlib import Path; from ihms_desk.store import Store; "
        f"Store.open(Path({str(tmp_path)!r})).close(); print('sqlite_utils' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
