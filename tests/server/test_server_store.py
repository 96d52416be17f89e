"""The storage layer itself: migrations, the instance id, URLs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ihms_server.store import PostgresStore, SqliteStore, Store, open_store


def migrations_recorded(store: Store) -> list[tuple[int, str]]:
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        cur.execute("SELECT version, name FROM schema_migration ORDER BY version")
        return [(r[0], r[1]) for r in cur.fetchall()]


def test_migrations_run_once_and_are_recorded(db_url: str, store: Store) -> None:
    assert migrations_recorded(store) == [(1, "0001_initial.sql")]
    instance = store.instance_id()
    again = open_store(db_url)  # migrating an up-to-date database changes nothing
    try:
        assert migrations_recorded(again) == [(1, "0001_initial.sql")]
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
        assert migrations_recorded(opened[0]) == [(1, "0001_initial.sql")]
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
