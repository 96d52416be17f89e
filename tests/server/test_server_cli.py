"""The admin CLI (ihms-server ...) on both backends, checked against what the database holds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from ihms_desk.sync import protocol as wire
from ihms_server import cli, models
from ihms_server.store import Store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_facility_add_then_enrol_prints_a_code_that_enrols_once(
        capsys: pytest.CaptureFixture[str], db_url: str, server: str, store: Store) -> None:
    code, out, _ = run(capsys, "facility", "add", "CHC-BKN-010", "--name", "CHC Nokha",
                       "--district", "Bikaner", "--block", "Nokha", "--type", "CHC", "--db", db_url)
    assert code == 0 and "saved" in out
    assert store.facility("CHC-BKN-010") == {"code": "CHC-BKN-010", "name": "CHC Nokha",
                                             "district": "Bikaner", "block": "Nokha",
                                             "type": "CHC", "active": True}
    code, out, _ = run(capsys, "enrol", "CHC-BKN-010", "--db", db_url)
    assert code == 0
    enrolment_code = out.strip()
    assert len(enrolment_code) == 14
    body = {"facility_code": "CHC-BKN-010", "enrolment_code": enrolment_code, "device_name": "c1"}
    headers = {wire.PROTOCOL_HEADER: "1"}
    first = requests.post(f"{server}/v1/enrol", json=body, headers=headers, timeout=30)
    assert first.status_code == 200
    assert requests.post(f"{server}/v1/enrol", json=body, headers=headers, timeout=30).status_code == 403
    device_id = first.json()["device_id"]
    code, out, _ = run(capsys, "device", "list", "--db", db_url)
    assert device_id in out and "active" in out
    code, out, _ = run(capsys, "device", "revoke", device_id, "--db", db_url)
    assert code == 0 and "revoked" in out
    assert store.devices()[0]["revoked_at"] is not None


def test_a_uphc_is_added_with_its_own_type_and_its_desk_enrols(
        capsys: pytest.CaptureFixture[str], db_url: str, server: str, store: Store) -> None:
    code, out, _ = run(capsys, "facility", "add", "UPHC-JPR-007", "--name", "UPHC Adarsh Nagar",
                       "--district", "Jaipur", "--block", "Jaipur City", "--type", "UPHC",
                       "--db", db_url)
    assert code == 0 and "saved" in out
    assert store.facility("UPHC-JPR-007") == {"code": "UPHC-JPR-007", "name": "UPHC Adarsh Nagar",
                                              "district": "Jaipur", "block": "Jaipur City",
                                              "type": "UPHC", "active": True}
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        cur.execute("SELECT type FROM facility WHERE code = 'UPHC-JPR-007'")
        assert cur.fetchone() == ("UPHC",)
    # A facility first set up as a PHC can be corrected to UPHC.
    run(capsys, "facility", "add", "PHC-JPR-008", "--name", "PHC Sodala", "--district", "Jaipur",
        "--block", "Jaipur City", "--type", "PHC", "--db", db_url)
    code, out, _ = run(capsys, "facility", "add", "PHC-JPR-008", "--name", "PHC Sodala",
                       "--district", "Jaipur", "--block", "Jaipur City", "--type", "UPHC",
                       "--db", db_url)
    assert code == 0 and "saved" in out
    corrected = store.facility("PHC-JPR-008")
    assert corrected is not None and corrected["type"] == "UPHC"

    code, out, _ = run(capsys, "enrol", "UPHC-JPR-007", "--db", db_url)
    assert code == 0
    answer = requests.post(f"{server}/v1/enrol", headers={wire.PROTOCOL_HEADER: "1"}, timeout=30,
                           json={"facility_code": "UPHC-JPR-007", "enrolment_code": out.strip(),
                                 "device_name": "counter 1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["facility"]["type"] == "UPHC"
    models.EnrolResponse.model_validate(answer.json())  # as the OpenAPI document describes it
    # On PostgreSQL a write transaction of a test running in parallel holds the catalogue's
    # delivery horizon back for a moment (transaction ids are cluster-wide): rows come late,
    # never skipped, so read until both facilities have arrived (as test_catalog.settled does).
    headers = {wire.PROTOCOL_HEADER: "1", "Authorization": f"Bearer {answer.json()['token']}"}
    # The correction of PHC-JPR-008 can come later than its first version, so read until the
    # newest change of each facility has arrived.
    expected = {"UPHC-JPR-007": "UPHC", "PHC-JPR-008": "UPHC"}
    deadline = time.monotonic() + 20
    while True:
        page = requests.get(f"{server}/v1/catalog", timeout=30, headers=headers).json()
        types = {c["key"]: c["data"]["type"] for c in page["changes"]}
        if types == expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert types == expected


def test_facility_add_refuses_a_bad_type_or_code(capsys: pytest.CaptureFixture[str],
                                                 db_url: str, store: Store) -> None:
    for bad_type in ("HOSPITAL", "uphc", ""):
        with pytest.raises(SystemExit):
            run(capsys, "facility", "add", "CHC-1", "--name", "x", "--district", "d", "--block",
                "b", "--type", bad_type, "--db", db_url)
        assert "invalid choice" in capsys.readouterr().err
    assert store.facility("CHC-1") is None
    code, _, err = run(capsys, "facility", "add", "CHC 1", "--name", "x", "--district", "d",
                       "--block", "b", "--type", "CHC", "--db", db_url)
    assert code == 2 and "code" in err
    assert store.facility("CHC 1") is None


def test_enrol_for_an_unknown_facility_fails(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, err = run(capsys, "enrol", "NOPE", "--db", db_url)
    assert code == 1 and out == "" and "NOPE" in err


def items_held(store: Store) -> list[tuple[str, bool, int]]:
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        cur.execute("SELECT code, active, min_stock FROM item ORDER BY code")
        return [(r[0], bool(r[1]), r[2]) for r in cur.fetchall()]


def test_catalog_import_reads_csv_and_json_all_or_nothing(
        capsys: pytest.CaptureFixture[str], db_url: str, store: Store, tmp_path: Path) -> None:
    csv_file = tmp_path / "edl.csv"
    csv_file.write_text(
        "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"
        "PARA500,Paracetamol 500 mg tablet,Paracetamol,500 mg,tablet,tablet,drug,2000,yes\n"
        "SUT-CAT-2,Catgut chromic 2-0,Catgut,2-0,suture,piece,suture,,no\n", encoding="utf-8")
    code, out, _ = run(capsys, "catalog", "import", str(csv_file), "--db", db_url)
    assert code == 0 and "2 items read, 2 new or changed" in out
    assert items_held(store) == [("PARA500", True, 2000), ("SUT-CAT-2", False, 0)]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([
        {"code": "ibu400", "name": "Ibuprofen\n400 mg", "generic_name": "Ibuprofen",
         "strength": "400 mg", "dosage_form": "Tablet", "unit_of_issue": "tablet", "category": "drug"},
        {"code": "X", "name": "x", "generic_name": "x", "strength": "-", "dosage_form": "tablet",
         "unit_of_issue": "tablet", "category": "medicine"}]))
    with pytest.raises(SystemExit, match="item 2: category"):
        run(capsys, "catalog", "import", str(bad), "--db", db_url)
    assert len(items_held(store)) == 2  # IBU400 was not imported either
    bad.write_text(json.dumps([json.loads(bad.read_text())[0]]))
    code, out, _ = run(capsys, "catalog", "import", str(bad), "--db", db_url)
    assert code == 0
    with store._read() as cur:  # noqa: SLF001 - cleaned the way the desk's catalogue stores it
        cur.execute("SELECT code, name, dosage_form FROM item WHERE code = 'IBU400'")
        assert cur.fetchone() == ("IBU400", "Ibuprofen 400 mg", "tablet")


def test_the_default_database_is_sqlite_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.DB_ENVIRONMENT_VARIABLE, raising=False)
    url = cli.default_db_url()
    assert url.startswith("sqlite:///") and url.endswith("ihms-server.sqlite3")
    monkeypatch.setenv(cli.DB_ENVIRONMENT_VARIABLE, "postgresql://somewhere/ihms")
    assert cli.default_db_url() == "postgresql://somewhere/ihms"
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", cli.DEFAULT_PORT)


def test_serve_without_a_database_option_uses_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    env.pop(cli.DB_ENVIRONMENT_VARIABLE, None)
    process = subprocess.Popen([sys.executable, "-m", "ihms_server.cli", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert response.json()["status"] == "ok"
        assert (tmp_path / "data" / "ihms-server" / "ihms-server.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(15)


def run_process(*argv: str) -> "subprocess.CompletedProcess[str]":
    """The command as the admin runs it: a message on a bad input, never a traceback."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "ihms_server.cli", *argv], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("device_id", ["not-a-device", "2d66f171-c948-4dcc-92fa-d8e8639cba5", "'; DROP TABLE device; --"])
def test_device_revoke_refuses_a_bad_device_id(db_url: str, store: Store, device_id: str) -> None:
    done = run_process("device", "revoke", device_id, "--db", db_url)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "not a device id" in done.stderr and "ihms-server device list" in done.stderr
    assert store.devices() == []


@pytest.mark.parametrize(("name", "data", "says"), [
    ("edl.csv", bytes(range(256)) * 8, "not a text file in UTF-8"),
    ("edl.csv", "code,name\nD1,Paracetamol\n".encode("utf-16"), "not a text file in UTF-8"),
    ("edl.json", b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file in UTF-8"),
    ("edl.json", b'{"items": [1, 2', "not valid JSON"),
    ("edl.json", b'{"things": []}', "must be a list of items"),
    ("edl.json", b'[1, 2]', "must be a list of items"),
    ("missing.csv", None, "cannot be read"),
])
def test_catalog_import_refuses_a_file_that_is_not_a_catalogue(
        db_url: str, store: Store, tmp_path: Path, name: str, data: bytes | None, says: str) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    done = run_process("catalog", "import", str(path), "--db", db_url)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert says in done.stderr and "nothing was imported" in done.stderr
    assert not any(c["entity"] == "item" for c in store.catalog_page("", 100)["changes"])
