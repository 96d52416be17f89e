"""Pulling the catalogue: pages by cursor, each page and its cursor in one transaction
(cases 8 and 9 of issue 5), and facility changes only for the desk's own facility."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from e2e_desk import FACILITY_CODE, assert_converged

from ihms_server.testing import add_facility


def state_items(count: int, *, start: int = 0, name: str = "Tablet") -> list[dict]:
    return [{"code": f"NL{i:05d}", "name": f"Medicine {i} {name}", "generic_name": f"Generic {i}",
             "strength": "500 mg", "dosage_form": "tablet", "unit_of_issue": "tablet",
             "category": "drug", "min_stock": i % 50, "active": True}
            for i in range(start, start + count)]


def desk_catalogue(desk) -> dict[str, tuple]:
    rows = desk.store.conn.execute(
        "SELECT code, name, generic_name, strength, dosage_form, unit_of_issue, category, min_stock, active "
        "FROM item WHERE code LIKE 'NL%'").fetchall()
    return {row[0]: tuple(row) for row in rows}


def expected_catalogue(items: list[dict]) -> dict[str, tuple]:
    return {item["code"]: (item["code"], item["name"], item["generic_name"], item["strength"],
                           item["dosage_form"], item["unit_of_issue"], item["category"], item["min_stock"],
                           int(item["active"])) for item in items}


def sync_until_catalogue(desk, expected: dict[str, tuple], timeout: float = 30.0) -> None:
    """Sync until the desk holds ``expected``. On PostgreSQL the server hands out a change only
    once every transaction older than it has ended, in any database of the cluster (other test
    runs too), so the newest changes can take a pass or two more to appear."""
    import time

    deadline = time.monotonic() + timeout
    desk.sync_until_done()
    while desk_catalogue(desk) != expected:
        assert time.monotonic() < deadline, "the catalogue did not arrive"
        time.sleep(0.2)
        desk.sync_until_done()


def enrol_once_the_state_lists(make_desk, server, proxy, count: int) -> tuple:
    """The state lists ``count`` new items, then a fresh desk enrols (it has pulled nothing yet)."""
    items = state_items(count)
    server.store.import_items(items)
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    return desk, items


def server_cursor_after_all(server) -> str:
    page = server.store.catalog_page("", 100_000)
    return page["next_cursor"]


CRASH_ON_SECOND_CURSOR = textwrap.dedent("""
    import os, sys
    from ihms_desk.store import database

    real_connect = database.connect
    cursor_updates = 0

    def connect(path):
        conn = real_connect(path)

        def trace(sql):
            global cursor_updates
            if sql.startswith("UPDATE sync_state SET catalogue_cursor"):
                cursor_updates += 1
                if cursor_updates == 2:  # page 2's items are applied, its cursor not yet saved
                    os._exit(9)

        conn.set_trace_callback(trace)
        return conn

    database.connect = connect
    from ihms_desk.sync.worker import SyncWorker
    SyncWorker(sys.argv[1]).sync_once()
    sys.exit(0)
""")


@pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)
def test_8_crash_between_applying_a_page_and_saving_its_cursor(make_desk, server, proxy):
    desk, items = enrol_once_the_state_lists(make_desk, server, proxy, 1200)
    crashed = subprocess.run([sys.executable, "-c", CRASH_ON_SECOND_CURSOR, str(desk.data_dir)],
                             capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr
    # Page 1 and its cursor committed together; page 2's items died with its cursor.
    after_crash = desk_catalogue(desk)
    cursor = desk.store.sync_state().catalogue_cursor
    first_page = server.store.catalog_page("", 500)
    first_codes = {change["key"] for change in first_page["changes"] if change["entity"] == "item"}
    assert len(first_codes) == 499  # the page also carries the facility
    assert after_crash == expected_catalogue([item for item in items if item["code"] in first_codes])
    assert cursor == first_page["next_cursor"]
    desk.receive()
    sync_until_catalogue(desk, expected_catalogue(items))
    assert desk.store.sync_state().catalogue_cursor == server_cursor_after_all(server)
    assert_converged(desk, server.store)


@pytest.mark.parametrize("server", ["sqlite", "postgresql"], indirect=True)
def test_9_server_says_the_cursor_is_unknown(make_desk, server, proxy):
    desk, items = enrol_once_the_state_lists(make_desk, server, proxy, 700)
    sync_until_catalogue(desk, expected_catalogue(items))
    # The server was reset (or the desk's cursor came from another server): its cursor is unknown.
    desk.store.conn.execute("UPDATE sync_state SET catalogue_cursor = 'feedface-0-99999'")
    desk.store.conn.commit()
    renamed = state_items(10, name="Syrup")
    server.store.import_items(renamed)
    outcome = desk.sync_until_done()
    assert ("GET", "/v1/catalog?since=feedface-0-99999&limit=500", "forward") in proxy.log
    assert outcome.catalogue_changes >= 690  # pulled again from the start
    sync_until_catalogue(desk, expected_catalogue(renamed + items[10:]))
    assert desk.store.sync_state().catalogue_cursor == server_cursor_after_all(server)
    assert_converged(desk, server.store)


def test_catalogue_takes_only_this_desks_facility_and_refuses_bad_items(make_desk, server, proxy):
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    add_facility(server.store, "CHC-OTHER-002", name="CHC Elsewhere", district="Ajmer", block="Kekri")
    add_facility(server.store, FACILITY_CODE, name="CHC Sanganer (renamed)", district="Jaipur", block="Sanganer")
    lower_case = {**state_items(1)[0], "code": "nl-lower-case-code-that-is-far-too-long"}
    server.store.import_items([lower_case, *state_items(3, start=10)])
    desk.sync_until_done()
    facility = desk.store.require_facility()
    assert (facility.code, facility.name, facility.district) == (FACILITY_CODE, "CHC Sanganer (renamed)", "Jaipur")
    # The desk's own rules refuse what it cannot store; the rest of the page still applies.
    assert set(desk_catalogue(desk)) == {"NL00010", "NL00011", "NL00012"}
    assert desk.store.sync_state().catalogue_cursor == server_cursor_after_all(server)


def test_pull_stops_when_the_cursor_does_not_advance(enrolled_desk, server, proxy):
    from ihms_desk.sync.errors import ServerTrouble

    server.store.import_items(state_items(20))
    desk = enrolled_desk()
    proxy.add("repeat_cursor", path="/v1/catalog", method="GET", times=1)
    outcome = desk.worker().sync_once()
    assert isinstance(outcome.error, ServerTrouble) and "without moving on" in outcome.error.message
    assert [path for _, path, _ in proxy.log].count("/v1/catalog?since=&limit=500") == 1, "no loop"
    assert desk.store.sync_state().catalogue_cursor == ""
    assert outcome.sent == 1  # the push before the pull went through
    desk.sync_until_done()
    assert desk_catalogue(desk) == expected_catalogue(state_items(20))
    assert_converged(desk, server.store)
