"""POST /v1/enrol, device tokens, revocation and the health check."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import requests

from ihms_desk.sync import protocol as wire
from ihms_server.store import Store
from ihms_server.testing import add_facility, make_event

PROTOCOL = {wire.PROTOCOL_HEADER: "1"}


def enrol(server: str, facility_code: str, code: str) -> requests.Response:
    return requests.post(f"{server}/v1/enrol", headers=PROTOCOL, timeout=30, json={
        "facility_code": facility_code, "enrolment_code": code, "device_name": "Counter 1"})


def test_an_enrolment_code_works_once(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004", district="Ajmer", block="Kishangarh")
    code = store.create_enrolment_code("CHC-AJM-004")
    first = enrol(server, "CHC-AJM-004", code.lower())  # typed in lower case: still accepted
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["facility"]["district"] == "Ajmer"
    second = enrol(server, "CHC-AJM-004", code)
    assert second.status_code == 403
    assert second.json()["code"] == wire.ENROLMENT_REFUSED
    assert [d["device_id"] for d in store.devices()] == [answer["device_id"]]


def test_tokens_are_long_random_and_stored_only_as_hashes(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    tokens = []
    for _ in range(2):
        answer = enrol(server, "CHC-AJM-004", store.create_enrolment_code("CHC-AJM-004")).json()
        tokens.append(answer["token"])
    assert tokens[0] != tokens[1]
    assert all(len(t.removeprefix("ihms_")) >= 43 for t in tokens)  # 32 bytes, base64
    with store._read() as cur:  # noqa: SLF001 - looking at what the database really holds
        cur.execute("SELECT token_hash FROM device")
        stored = {row[0] for row in cur.fetchall()}
        cur.execute("SELECT code_hash FROM enrolment_code")
        codes = [row[0] for row in cur.fetchall()]
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert all(len(c) == 64 for c in codes)


def test_wrong_facility_or_expired_code_is_refused(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    add_facility(store, "CHC-AJM-005")
    code = store.create_enrolment_code("CHC-AJM-004")
    assert enrol(server, "CHC-AJM-005", code).status_code == 403
    expired = store.create_enrolment_code("CHC-AJM-004", valid_for=dt.timedelta(seconds=-1))
    assert enrol(server, "CHC-AJM-004", expired).status_code == 403
    assert enrol(server, "CHC-AJM-004", "AAAA-BBBB-CCCC").status_code == 403
    assert store.devices() == []
    # The unused valid code still works afterwards.
    assert enrol(server, "CHC-AJM-004", code).status_code == 200


def test_a_revoked_token_is_refused_and_an_unknown_one_too(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    answer = enrol(server, "CHC-AJM-004", store.create_enrolment_code("CHC-AJM-004")).json()
    headers = {**PROTOCOL, "Authorization": f"Bearer {answer['token']}"}
    assert requests.get(f"{server}/v1/catalog", headers=headers, timeout=30).status_code == 200
    assert store.revoke_device(answer["device_id"])
    response = requests.get(f"{server}/v1/catalog", headers=headers, timeout=30)
    assert (response.status_code, response.json()["code"]) == (401, wire.TOKEN_REVOKED)
    unknown = {**PROTOCOL, "Authorization": "Bearer ihms_made_up"}
    response = requests.get(f"{server}/v1/catalog", headers=unknown, timeout=30)
    assert (response.status_code, response.json()["code"]) == (401, wire.TOKEN_INVALID)
    response = requests.get(f"{server}/v1/catalog", headers=PROTOCOL, timeout=30)
    assert (response.status_code, response.json()["code"]) == (401, wire.TOKEN_INVALID)


def test_enrolment_needs_the_protocol_header_and_valid_fields(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    code = store.create_enrolment_code("CHC-AJM-004")
    response = requests.post(f"{server}/v1/enrol", timeout=30, json={
        "facility_code": "CHC-AJM-004", "enrolment_code": code, "device_name": "Counter 1"})
    assert response.status_code == 426
    response = requests.post(f"{server}/v1/enrol", headers=PROTOCOL, timeout=30, json={
        "facility_code": "CHC-AJM-004", "enrolment_code": code})
    assert response.status_code == 422
    assert "device_name" in response.json()["reason"]
    assert store.devices() == []


def test_health_answers_without_the_protocol_header(server: str) -> None:
    response = requests.get(f"{server}/v1/health", timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["protocol_versions"] == [1]
    assert body["server_time"].endswith("Z")


def test_unknown_routes_and_methods_answer_json(server: str) -> None:
    response = requests.get(f"{server}/v1/nothing", timeout=30)
    assert (response.status_code, response.json()["code"]) == (404, wire.NOT_FOUND)
    response = requests.get(f"{server}/v1/events", timeout=30)
    assert response.status_code == 405
    assert response.json()["reason"]


def test_a_revoked_device_cannot_push(server: str, store: Store, db_url: str) -> None:
    from ihms_server.testing import make_facility_and_enrol

    device = make_facility_and_enrol(db_url, server, "CHC-AJM-004")
    store.revoke_device(device.device_id)
    response = device.push([make_event(device, 1)])
    assert response.status_code == 401
    assert store.event_count() == 0


def test_a_database_that_is_down_gives_503_not_500(store: Store) -> None:
    from ihms_server.app import create_app
    from ihms_server.testing import serve_app

    down = store.unavailable_errors[0]

    def database_gone(token: str) -> None:
        raise down("could not reach the database")

    store.authenticate = database_gone  # type: ignore[method-assign,assignment]
    with serve_app(create_app(store)) as base_url:
        response = requests.get(f"{base_url}/v1/catalog", timeout=30,
                                headers={**PROTOCOL, "Authorization": "Bearer x"})
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"


def test_facility_codes_are_upper_case_wherever_they_are_typed(
        server: str, store: Store, db_url: str, capsys: Any) -> None:
    from ihms_server import cli

    db = ["--db", db_url]
    assert cli.main(["facility", "add", "chc-jpr-009", "--name", "CHC Phagi", "--district",
                     "Jaipur", "--block", "Phagi", "--type", "CHC", *db]) == 0
    assert store.facility("CHC-JPR-009") is not None
    assert cli.main(["enrol", "chc-jpr-009", *db]) == 0
    code = capsys.readouterr().out.split()[-1]
    answer = enrol(server, "chc-jpr-009", code)
    assert answer.status_code == 200, answer.text
    assert answer.json()["facility"]["code"] == "CHC-JPR-009"


def test_a_device_name_that_is_not_unicode_is_a_422(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    code = store.create_enrolment_code("CHC-AJM-004")
    body = ('{"facility_code": "CHC-AJM-004", "enrolment_code": "%s", '
            '"device_name": "Counter \\ud800"}' % code).encode()
    response = requests.post(f"{server}/v1/enrol", data=body, timeout=30,
                             headers={**PROTOCOL, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert "device_name" in response.json()["reason"]
    assert enrol(server, "CHC-AJM-004", code).status_code == 200  # the code was not used up
