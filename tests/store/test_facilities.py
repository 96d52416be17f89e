"""The state's facility list on the desk, the package's pending enrolment, the facility
correction before the first sync (audited) and its refusal after, and users from a CSV."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ihms_desk import wording
from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput, PermissionDenied
from ihms_desk.store.facilities import read_facility_list, shipped_list_path

PASSWORD = "long-secret"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "desk")
    opened.set_up(code="RJ-JPR-CHC-16", name="CHC Bassi", district="Jaipur", block="Bassi", type="CHC",
                  admin_username="admin", admin_full_name="Admin", admin_password=PASSWORD)
    opened.login("admin", PASSWORD)
    yield opened
    opened.close()


def test_the_shipped_list_covers_every_district_of_rajasthan() -> None:
    facilities = read_facility_list(shipped_list_path())
    districts = {f.district for f in facilities}
    assert len(districts) == 41 and {"Jaipur", "Balotra", "Salumbar", "Kotputli-Behror"} <= districts
    assert len({f.code for f in facilities}) == len(facilities)
    assert {f.type for f in facilities} == {"CHC", "DH"}
    chaksu = [f for f in facilities if f.block == "Chaksu"]
    assert [f.name for f in chaksu] == ["CHC Chaksu"]


def test_the_pull_overrides_the_shipped_list(store: Store, tmp_path: Path) -> None:
    shipped = tmp_path / "list.csv"
    shipped.write_text("code,name,district,block,type\nRJ-JPR-CHC-001,CHC Amber,Jaipur,Amber,CHC\n"
                       "RJ-JPR-CHC-002,CHC Bassi,Jaipur,Bassi,CHC\nBAD CODE,X,Jaipur,Amber,CHC\n", encoding="utf-8")
    assert [f.code for f in store.state_facilities(shipped)] == ["RJ-JPR-CHC-001", "RJ-JPR-CHC-002"]
    report = store.apply_catalogue_page([
        {"entity": "facility", "key": "RJ-JPR-CHC-002", "data": {"code": "RJ-JPR-CHC-002", "name": "CHC Bassi",
                                                                 "district": "Jaipur", "block": "Bassi", "type": "CHC",
                                                                 "active": False}},
        {"entity": "facility", "key": "RJ-JPR-PHC-077", "data": {"code": "RJ-JPR-PHC-077", "name": "PHC Kanota",
                                                                 "district": "Jaipur", "block": "Bassi", "type": "PHC",
                                                                 "active": True}},
    ], cursor_before="", next_cursor="c1")
    assert report.refused == []
    # Closed by the state: gone; new at the state: there, in district, block and name order.
    assert [f.code for f in store.state_facilities(shipped)] == ["RJ-JPR-CHC-001", "RJ-JPR-PHC-077"]


def test_a_mistyped_code_is_corrected_before_the_first_sync_and_audited(store: Store) -> None:
    fixed = store.correct_facility(code="rj-jpr-chc-016", name="CHC Bassi", district="Jaipur", block="Bassi",
                                   type="CHC")
    assert fixed.code == "RJ-JPR-CHC-016" and store.require_facility().code == "RJ-JPR-CHC-016"
    trail = store.audit_trail(5)
    assert trail[0]["action"] == "correct_facility" and trail[0]["outcome"] == "ok"
    assert "RJ-JPR-CHC-16" in trail[0]["detail"] and "RJ-JPR-CHC-016" in trail[0]["detail"]
    with pytest.raises(InvalidInput) as same:
        store.correct_facility(code="RJ-JPR-CHC-016", name="CHC Bassi", district="Jaipur", block="Bassi", type="CHC")
    assert same.value.kind == "facility_unchanged"


def test_after_the_first_sync_the_code_is_fixed_with_a_clear_refusal(store: Store) -> None:
    store.record_enrolment("https://ihms.example.in", "device-1")
    with pytest.raises(InvalidInput) as refused:
        store.correct_facility(code="RJ-JPR-CHC-016", name="CHC Bassi", district="Jaipur", block="Bassi", type="CHC")
    assert refused.value.kind == "facility_fixed_after_sync" and refused.value.field == "code"
    assert "can no longer be changed" in refused.value.message and "RJ-JPR-CHC-16" in refused.value.message
    assert "अब नहीं बदला जा सकता" in wording.text_of(refused.value, "hi")
    assert store.require_facility().code == "RJ-JPR-CHC-16"  # nothing written
    assert store.audit_trail(1)[0]["outcome"] == "refused"


def test_only_the_in_charge_or_admin_may_correct(store: Store) -> None:
    store.create_user("kavita", "Kavita Sharma", "pharmacist", PASSWORD)
    store.login("kavita", PASSWORD)
    with pytest.raises(PermissionDenied):
        store.correct_facility(code="RJ-JPR-CHC-016", name="CHC Bassi", district="Jaipur", block="Bassi", type="CHC")
    assert store.require_facility().code == "RJ-JPR-CHC-16"


def test_the_packages_enrolment_waits_until_enrolled(store: Store) -> None:
    assert store.pending_package() is None
    store.remember_package("https://ihms.example.in", "ABCD-EFGH-JKMN", expires_at="2027-01-31T00:00:00+00:00",
                           package_id="p1", helpline="0141-2222222")
    pending = store.pending_package()
    assert pending is not None and pending.enrolment_code == "ABCD-EFGH-JKMN" and store.helpline() == "0141-2222222"
    store.record_enrolment("https://ihms.example.in", "device-1")
    assert store.pending_package() is None
    # The used code is not kept once the desk is enrolled.
    assert store._scalar("SELECT package_code FROM sync_state") is None  # noqa: SLF001


def test_users_from_a_csv_every_bad_row_listed(store: Store) -> None:
    report = store.import_users_csv(io.StringIO(
        "username,full_name,role,password\n"
        "kavita,Kavita Sharma,pharmacist,kavita-pw\n"
        "ramesh,Ramesh Saini,Store clerk,ramesh-pw\n"
        "x y,Bad Name,pharmacist,long-enough\n"
        "sunita,Sunita,nurse,long-enough\n"
        "anil,Anil,in_charge,123\n"
        "kavita,Kavita Again,pharmacist,kavita-pw\n"))
    assert report.added == 2
    assert [row for row, _ in report.rejected] == [4, 5, 6, 7]
    reasons = [reason for _, reason in report.rejected]
    assert "nurse" in reasons[1] and "at least" in reasons[2] and "kavita" in reasons[3]
    assert "भूमिका" in wording.text_of(reasons[1], "hi")  # type: ignore[arg-type]
    assert {u.username: u.role.value for u in store.users()} == {
        "admin": "admin", "kavita": "pharmacist", "ramesh": "store_clerk"}
    store.login("kavita", "kavita-pw")


def test_a_users_file_without_its_columns_is_refused_whole(store: Store) -> None:
    with pytest.raises(InvalidInput) as refused:
        store.import_users_csv(io.StringIO("name,password\nkavita,kavita-pw\n"))
    assert refused.value.kind == "users_csv_columns_missing" and "username" in refused.value.message
    assert [u.username for u in store.users()] == ["admin"]
