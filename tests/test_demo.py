"""The demo CHC: built through the real store API, it obeys every rule of the ledger, and its
registers and reports look like a CHC's: a few dozen fast movers and a long tail, supplies every
few weeks keeping most items at one to six months of stock, some stock-outs and low items,
batches near expiry and one expired on the shelf, four and a half months of history."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from ihms_desk.cli import EXIT_OK, main
from ihms_desk.demo import DEMO_DAYS, DEMO_PASSWORD, DEMO_USERS, FAST_MOVER_CODES, build_demo
from ihms_desk.store import Store
from ihms_desk.store.reports import build_report

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder, today=TODAY)
    return folder


@pytest.fixture
def store(demo: Path) -> Store:
    opened = Store.open(demo, clock=lambda: dt.datetime(2026, 11, 20, 12).astimezone())
    opened.act_as("incharge")
    yield opened  # type: ignore[misc]
    opened.close()


def records(table) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    names = [column.key for column in table.columns]
    return [dict(zip(names, row.values)) for row in table.rows]


def test_demo_is_a_sound_ledger(demo: Path) -> None:
    with Store.open(demo) as store:
        assert store.doctor() == []
        facility = store.require_facility()
        assert facility.code == "RJ-JPR-CHC-DEMO"
        assert {u.username: u.role for u in store.users()} == {name: role for name, _, role in DEMO_USERS}
        assert store.login("pharmacist", DEMO_PASSWORD).role.value == "pharmacist"
        kinds = dict(store.conn.execute("SELECT kind, count(*) FROM document GROUP BY kind").fetchall())
        assert set(kinds) == {"receipt", "dispense", "transfer", "adjustment", "stocktake", "reversal"}
        assert kinds["dispense"] >= 115 * 35
        assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == sum(kinds.values())
        assert store.item_count() >= 900
        # Per-commit fsync was turned off only while building.
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_four_and_a_half_months_of_history_six_days_a_week(demo: Path) -> None:
    with Store.open(demo) as store:
        days = [dt.date.fromisoformat(row[0]) for row in store.conn.execute(
            "SELECT DISTINCT doc_date FROM document WHERE kind = 'dispense' ORDER BY 1")]
        first = store.conn.execute("SELECT min(doc_date) FROM document").fetchone()[0]
    assert dt.date.fromisoformat(first) == TODAY - dt.timedelta(days=DEMO_DAYS)
    assert days[-1] == TODAY and (TODAY - days[0]).days >= 4 * 30
    assert all(day.weekday() != 6 for day in days)                     # Sundays the OPD is closed
    assert len(days) >= DEMO_DAYS * 6 // 7 - 1


def test_supplies_come_every_few_weeks(demo: Path) -> None:
    with Store.open(demo) as store:
        supplied = [dt.date.fromisoformat(row[0]) for row in store.conn.execute(
            "SELECT DISTINCT doc_date FROM document WHERE kind = 'receipt' ORDER BY 1")]
        vouchers = store.conn.execute(
            "SELECT count(DISTINCT json_extract(header, '$.voucher_no')) FROM document WHERE kind = 'receipt'").fetchone()[0]
    gaps = [(later - earlier).days for earlier, later in zip(supplied, supplied[1:])]
    assert len(supplied) >= 4 and all(21 <= gap <= 35 for gap in gaps), gaps
    assert vouchers >= 20  # each supply comes on several challans of up to 40 lines


def test_a_few_dozen_fast_movers_and_a_long_tail(store: Store) -> None:
    table = records(build_report(store, "consumption", "01-07-2026", "31-10-2026").table("consumption"))
    used = {row["item_code"]: row["consumption_total"] for row in table}
    total = sum(used.values())
    fast = sum(used.get(code, 0) for code in FAST_MOVER_CODES)
    assert fast / total >= 0.75
    assert max(used, key=lambda code: used[code]) == "D0037"           # paracetamol 500 mg
    tail = [qty for code, qty in used.items() if code not in FAST_MOVER_CODES and qty]
    assert len(tail) >= 300                                             # the long tail is used, a little


def test_most_items_hold_one_to_six_months_and_some_run_low_or_out(store: Store) -> None:
    table = records(build_report(store, "consumption", "01-11-2026", "20-11-2026").table("consumption"))
    months = [row["months_of_stock"] for row in table if row["months_of_stock"] is not None]
    assert sum(1 <= m <= 6 for m in months) >= 0.7 * len(months)
    status = Counter(row["status"] for row in table)
    assert 3 <= status["stocked_out"] <= 25 and status["below_minimum"] >= 10 and status["over_maximum"] >= 5
    assert status["adequate"] > max(status["below_minimum"], status["over_maximum"])
    # Most fast movers are kept stocked; the few the district rations run short.
    fast = [row for row in table if row["item_code"] in FAST_MOVER_CODES]
    assert sum(row["status"] in ("adequate", "over_maximum") for row in fast) >= 25


def test_expiry_near_and_one_batch_expired_on_the_shelf(store: Store) -> None:
    report = build_report(store, "expiry", "01-11-2026", "20-11-2026")
    assert len(report.table("expired_on_shelf").rows) == 1
    assert len(report.table("expiring_3_months").rows) + len(report.table("expiring_6_months").rows) >= 5
    kinds = {alert.kind for alert in store.alerts()}
    assert {"near_expiry", "stock_out", "expired", "low_stock"} <= kinds
    assert sum(alert.kind == "stock_out" for alert in store.alerts()) < 30   # a handful, not hundreds


def test_shortfalls_and_store_work_show_in_the_registers(store: Store) -> None:
    short = build_report(store, "not-available", "01-10-2026", "20-11-2026").table("not_available_items")
    assert sum(1 for row in records(short) if row["not_given"]) >= 5
    register = records(build_report(store, "issues-register", "01-07-2026", "20-11-2026").table("issues_register"))
    types = Counter(str(row["type"]) for row in register)
    assert types["transfer_ward"] >= 10 and types["transfer_sub_centre"] >= 2 and types["stocktake"] >= 3
    for kind in ("adjustment_damaged", "adjustment_return_to_warehouse", "adjustment_expired_write_off", "reversal"):
        assert types[kind] >= 1, kind
    slips = build_report(store, "dispensing-register", "02-11-2026", "07-11-2026")
    assert slips.table("dispensing_days").totals[1] >= 5 * 30  # type: ignore[index]


def test_demo_is_repeatable(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        build_demo(folder, days=20, patients_per_day=10, today=TODAY)

    def documents(folder: Path) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(folder / "ihms-desk.sqlite3")
        try:
            return conn.execute("SELECT number, doc_date, header FROM document ORDER BY id").fetchall()
        finally:
            conn.close()

    assert documents(first) == documents(second) and len(documents(first)) > 150


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
