"""Where a device stands, fresh epochs, the older copy refused, enrolment retried, document
numbers unique per facility, and refused events kept: the server's side of issue 10."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from ihms_desk.sync import protocol as wire
from ihms_server.store import Store
from ihms_server.testing import EnrolledDevice, make_event, make_facility_and_enrol, make_movement


def claim(device: EnrolledDevice, *, from_epoch: int = 1, proposed: int = 2, take_over: bool = False,
          claim_id: str | None = None, reason: str = "restored") -> requests.Response:
    return requests.post(f"{device.base_url}/v1/epochs", headers=device.headers(), timeout=30, json={
        "device_id": device.device_id, "claim": claim_id or str(uuid.uuid4()), "from_epoch": from_epoch,
        "proposed_epoch": proposed, "reason": reason, "take_over": take_over, "claimed_by": "COUNTER-2"})


def standing(device: EnrolledDevice, epoch: int) -> dict[str, Any]:
    response = requests.get(f"{device.base_url}/v1/standing", params={"epoch": epoch},
                            headers=device.headers(), timeout=30)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_standing_tells_the_high_water_mark_of_an_epoch(db_url: str, server: str) -> None:
    device = make_facility_and_enrol(db_url, server, "CHC-JPR-001")
    assert standing(device, 1) == {
        "device_id": device.device_id, "desk_number": 1, "current_epoch": 1, "epoch_claimed_at": None,
        "epoch_claimed_by": None, "epoch": 1, "stored": 0, "max_sequence": 0, "event_id_at_max": None}
    events = [make_event(device, n) for n in (1, 2, 4)]
    assert device.push(events).status_code == 200
    answer = standing(device, 1)
    assert (answer["stored"], answer["max_sequence"], answer["event_id_at_max"]) == (3, 4, events[2]["event_id"])
    assert standing(device, 7)["max_sequence"] == 0


def test_a_claim_gets_a_fresh_epoch_once_and_the_older_copy_is_refused(db_url: str, server: str, store: Store) -> None:
    device = make_facility_and_enrol(db_url, server, "CHC-JPR-001")
    assert device.push([make_event(device, 1)]).status_code == 200
    claim_id = str(uuid.uuid4())
    first = claim(device, claim_id=claim_id)
    assert first.status_code == 200 and first.json() == {"epoch": 2, "desk_number": 1}
    # The answer was lost: the same claim again gets the same epoch, no other.
    assert claim(device, claim_id=claim_id).json() == {"epoch": 2, "desk_number": 1}
    answer = standing(device, 1)
    assert answer["current_epoch"] == 2 and answer["epoch_claimed_by"] == "COUNTER-2"
    # The older copy, still on epoch 1, is refused with what to do, and counted.
    refused = device.push([make_event(device, 2)])
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == wire.SUPERSEDED and body["current_epoch"] == 2 and body["claimed_by"] == "COUNTER-2"
    assert "enrol it again" in body["reason"] and "--take-over" in body["reason"]
    assert claim(device, from_epoch=1).status_code == 409  # it cannot claim past the newer copy...
    assert claim(device, from_epoch=1, proposed=9, take_over=True).json()["epoch"] == 9  # ...unless it takes over
    (row,) = [d for d in store.devices() if d["device_id"] == device.device_id]
    # Counted: the older copy asking where it stands, its push, and its claim.
    assert row["superseded_refusals"] == 3 and row["current_epoch"] == 9
    assert device.push([make_event(device, 2, epoch=9)]).json()["results"][0]["status"] == "applied"
    claims = store.epoch_claims(facility_code="CHC-JPR-001")
    assert [(c.epoch, c.take_over, c.current) for c in claims] == [(9, True, True), (2, False, False)]


def test_a_claim_for_another_device_is_refused(db_url: str, server: str) -> None:
    device = make_facility_and_enrol(db_url, server, "CHC-JPR-001")
    other = make_facility_and_enrol(db_url, server, "CHC-JPR-001", device_name="counter 2")
    response = requests.post(f"{device.base_url}/v1/epochs", headers=device.headers(), timeout=30, json={
        "device_id": other.device_id, "claim": str(uuid.uuid4()), "from_epoch": 1, "proposed_epoch": 2,
        "reason": "moved", "take_over": False, "claimed_by": "x"})
    assert response.status_code == 403 and response.json()["code"] == wire.WRONG_DEVICE


def test_an_event_is_its_id_and_content_not_its_device_or_epoch(db_url: str, server: str) -> None:
    old = make_facility_and_enrol(db_url, server, "CHC-JPR-001")
    event = make_event(old, 1)
    assert old.push([event]).json()["results"][0]["status"] == "applied"
    new = make_facility_and_enrol(db_url, server, "CHC-JPR-001", device_name="re-enrolled")
    resent = {**event, "device_id": new.device_id, "epoch": 3, "sequence": 40}
    assert new.push([resent]).json()["results"][0]["status"] == "duplicate"
    changed = {**resent, "hlc": "0000000000000001-00000"}
    result = new.push([changed]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", wire.EVENT_ID_CONFLICT)


def test_desks_of_one_facility_are_numbered_and_numbers_are_unique_per_facility(db_url: str, server: str,
                                                                                store: Store) -> None:
    first = make_facility_and_enrol(db_url, server, "CHC-JPR-001")
    second = make_facility_and_enrol(db_url, server, "CHC-JPR-001", device_name="counter 2")
    other = make_facility_and_enrol(db_url, server, "PHC-JPR-002")
    assert [standing(d, 1)["desk_number"] for d in (first, second, other)] == [1, 2, 1]
    one = make_event(first, 1, type="receipt", movements=[make_movement(qty=5)])
    same_number = make_event(second, 1)
    same_number["payload"]["document"]["number"] = one["payload"]["document"]["number"]
    elsewhere = make_event(other, 1)
    elsewhere["payload"]["document"]["number"] = one["payload"]["document"]["number"]
    assert first.push([one]).json()["results"][0]["status"] == "applied"
    result = second.push([same_number]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", wire.NUMBER_TAKEN)
    assert f"{one['payload']['document']['number']} of facility CHC-JPR-001" in result["reason"]
    assert "from desk 1" in result["reason"]
    assert other.push([elsewhere]).json()["results"][0]["status"] == "applied"
    kept = store.rejected_events()
    assert [(r.code, r.desk_number, r.doc_number, r.arrived_later) for r in kept] == [
        (wire.NUMBER_TAKEN, 2, one["payload"]["document"]["number"], False)]
    assert store.stock_rows("CHC-JPR-001") == {("PARA500", "B1"): ("2027-03", 5)}


def test_an_event_too_broken_to_read_is_kept_safely(db_url: str, server: str, store: Store) -> None:
    device = make_facility_and_enrol(db_url, server, "CHC-JPR-001")
    broken = {"event_id": "\x00\ud800" + "x" * 100, "payload": "nothing"}
    answer = device.push([broken]).json()["results"][0]
    assert answer["status"] == "rejected"
    (kept,) = store.rejected_events()
    assert kept.code == wire.INVALID_EVENT and kept.event_id.isascii() and len(kept.event_id) <= 64
    assert answer["event_id"] == kept.event_id == "\\u0000\\ud800" + "x" * 52


def test_enrolment_asked_again_with_its_nonce_gets_the_same_device(db_url: str, server: str, store: Store) -> None:
    from ihms_server.testing import add_facility

    add_facility(store, "CHC-JPR-001")
    code = store.create_enrolment_code("CHC-JPR-001")
    nonce = str(uuid.uuid4())
    body = {"facility_code": "CHC-JPR-001", "enrolment_code": code, "device_name": "c1", "enrol_nonce": nonce}
    headers = {wire.PROTOCOL_HEADER: "1"}
    first = requests.post(f"{server}/v1/enrol", json=body, headers=headers, timeout=30).json()
    again = requests.post(f"{server}/v1/enrol", json=body, headers=headers, timeout=30).json()
    assert again["device_id"] == first["device_id"] and again["token"] != first["token"]
    assert again["desk_number"] == first["desk_number"] == 1
    assert store.authenticate(again["token"]).device_id == first["device_id"]
    assert requests.get(f"{server}/v1/catalog", headers={**headers, "Authorization": f"Bearer {first['token']}"},
                        timeout=30).status_code == 401, "the lost token is useless"
    stranger = requests.post(f"{server}/v1/enrol", json={**body, "enrol_nonce": str(uuid.uuid4())},
                             headers=headers, timeout=30)
    assert stranger.status_code == 403
    store.revoke_device(first["device_id"])
    assert requests.post(f"{server}/v1/enrol", json=body, headers=headers, timeout=30).status_code == 403
    assert [d["device_id"] for d in store.devices()] == [first["device_id"]]
