"""The demo CHC: built through the real store API, it obeys every rule of the ledger."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from ihms_desk.cli import EXIT_OK, main
from ihms_desk.demo import DEMO_PASSWORD, DEMO_USERS, build_demo
from ihms_desk.store import Store

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder, days=10, patients_per_day=20, today=TODAY)
    return folder


def test_demo_is_a_sound_ledger(demo: Path) -> None:
    with Store.open(demo) as store:
        assert store.doctor() == []
        facility = store.require_facility()
        assert facility.code == "RJ-JPR-CHC-DEMO"
        assert {u.username: u.role for u in store.users()} == {name: role for name, _, role in DEMO_USERS}
        assert store.login("pharmacist", DEMO_PASSWORD).role.value == "pharmacist"
        kinds = dict(store.conn.execute("SELECT kind, count(*) FROM document GROUP BY kind").fetchall())
        assert kinds["receipt"] >= 10 and kinds["dispense"] >= 9 * 15
        assert kinds.get("transfer", 0) <= 1 and kinds["adjustment"] == 1
        days = [row[0] for row in store.conn.execute("SELECT DISTINCT doc_date FROM document WHERE kind = 'dispense' ORDER BY 1")]
        assert days[0] == "2026-11-10" and days[-1] == "2026-11-20"
        assert "2026-11-15" not in days  # a Sunday: the OPD is closed
        assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == sum(kinds.values())
        assert store.item_count() >= 400
        # Per-commit fsync was turned off only while building.
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_demo_shows_alerts(demo: Path) -> None:
    with Store.open(demo, clock=lambda: dt.datetime(2026, 11, 20, 12).astimezone()) as store:
        kinds = {alert.kind for alert in store.alerts()}
        assert {"near_expiry", "stock_out"} <= kinds
        assert store.near_expiry() and any(row.usable_qty for row in store.stock_on_hand())


def test_demo_is_repeatable(demo: Path, tmp_path: Path) -> None:
    build_demo(tmp_path, days=10, patients_per_day=20, today=TODAY)

    def documents(folder: Path) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(folder / "ihms-desk.sqlite3")
        try:
            return conn.execute("SELECT number, doc_date, header FROM document ORDER BY id").fetchall()
        finally:
            conn.close()

    assert documents(tmp_path) == documents(demo)


def test_cli_demo_build_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    assert main(["--data-dir", str(folder), "demo", "--build-only", "--days", "2"]) == EXIT_OK
    _, err = capsys.readouterr()
    assert "Demo ready" in err and DEMO_PASSWORD in err and "Traceback" not in err
    with Store.open(folder) as store:
        assert store.doctor() == []
        first = store.conn.execute("SELECT count(*) FROM document").fetchone()[0]
        assert first > 0
    # A second run keeps the demo; --rebuild builds it again from nothing.
    assert main(["--data-dir", str(folder), "demo", "--build-only", "--days", "2"]) == EXIT_OK
    assert "Building" not in capsys.readouterr().err
    assert main(["--data-dir", str(folder), "demo", "--build-only", "--days", "1", "--rebuild"]) == EXIT_OK
    assert "Building" in capsys.readouterr().err
    with Store.open(folder) as store:
        assert store.doctor() == []
        assert store.conn.execute("SELECT count(*) FROM document").fetchone()[0] < first


@pytest.mark.parametrize("days", ["-3", "5000"])
def test_cli_demo_refuses_impossible_history(tmp_path: Path, capsys: pytest.CaptureFixture[str], days: str) -> None:
    assert main(["--data-dir", str(tmp_path), "demo", "--build-only", "--days", days]) == 2
    assert "--days" in capsys.readouterr().err
    assert not (tmp_path / "ihms-desk.sqlite3").exists()


def test_build_demo_refuses_negative_days(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="future"):
        build_demo(tmp_path, days=-1)
    assert not (tmp_path / "ihms-desk.sqlite3").exists()
