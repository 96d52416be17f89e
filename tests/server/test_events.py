"""POST /v1/events on both backends: exactly-once storage, per-event results, the projection."""

from __future__ import annotations

import gzip
import json
import random
import threading
from collections import Counter
from typing import Any

import requests

from ihms_desk.sync import protocol as wire
from ihms_server.store import Store
from ihms_server.testing import EnrolledDevice, make_event, make_facility_and_enrol, make_movement


def statuses(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["status"] for r in response.json()["results"]]


def test_a_repeated_batch_is_stored_once(device: EnrolledDevice, store: Store) -> None:
    events = [make_event(device, n, type="receipt", movements=[make_movement(qty=5)])
              for n in range(1, 51)]
    assert statuses(device.push(events)) == ["applied"] * 50
    again = device.push(events)
    assert statuses(again) == ["duplicate"] * 50
    assert [r["event_id"] for r in again.json()["results"]] == [e["event_id"] for e in events]
    assert store.event_count(device.facility_code) == 50
    assert store.stock_rows(device.facility_code) == {("PARA500", "B1"): ("2027-03", 250)}


def test_twenty_clients_pushing_overlapping_batches_store_each_event_once(
        device: EnrolledDevice, store: Store) -> None:
    pool = [make_event(device, n, type="receipt",
                       movements=[make_movement(qty=n % 7 + 1, batch_no=f"B{n % 5}")])
            for n in range(1, 801)]
    applied: Counter[str] = Counter()
    errors: list[str] = []
    barrier = threading.Barrier(20)

    def client(number: int) -> None:
        rng = random.Random(number)
        session = requests.Session()
        barrier.wait()
        for _ in range(4):
            start = rng.randrange(0, len(pool) - 200)
            batch = pool[start:start + 200]
            rng.shuffle(batch)
            response = device.push(batch, session=session)
            if response.status_code != 200:
                errors.append(response.text)
                return
            for result in response.json()["results"]:
                if result["status"] == "applied":
                    applied[result["event_id"]] += 1
                elif result["status"] != "duplicate":
                    errors.append(json.dumps(result))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(applied.values()) == {1}, "an event was applied twice"
    assert store.event_count() == len(applied)
    # Push everything once more: the remainder is applied, nothing is counted twice.
    for start in range(0, len(pool), 500):
        statuses(device.push(pool[start:start + 500]))
    assert store.event_count() == len(pool)
    expected: Counter[tuple[str, str]] = Counter()
    for event in pool:
        for movement in event["payload"]["movements"]:
            expected[(movement["item_code"], movement["batch_no"])] += movement["qty"]
    assert {key: qty for key, (_, qty) in store.stock_rows(device.facility_code).items()} \
        == dict(expected)


def test_a_poison_event_among_500_leaves_the_other_499_applied(
        device: EnrolledDevice, store: Store) -> None:
    events = [make_event(device, n) for n in range(1, 501)]
    events[250]["payload"]["movements"][0]["expiry_month"] = "2027-3"
    response = device.push(events)
    results = response.json()["results"]
    assert len(results) == 500
    assert Counter(r["status"] for r in results) == {"applied": 499, "rejected": 1}
    assert results[250]["code"] == wire.INVALID_EVENT
    assert "payload.movements[0].expiry_month" in results[250]["reason"]
    assert results[250]["event_id"] == events[250]["event_id"]
    assert store.event_count() == 499
    assert store.stock_rows(device.facility_code)[("PARA500", "B1")][1] == -10 * 499
    assert [(g["missing_from"], g["missing_to"]) for g in response.json()["gaps"]] == [(251, 251)]


def test_anything_that_is_not_an_event_is_rejected_in_its_place(
        device: EnrolledDevice, store: Store) -> None:
    events: list[Any] = ["not an event", None, 42, [], make_event(device, 1), {"event_id": 7}]
    results = device.push(events).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["applied", "rejected"]
    assert all(r["code"] == wire.INVALID_EVENT and r["reason"] for r in results if r["status"] == "rejected")
    assert store.event_count() == 1


def test_same_sequence_with_another_event_id_is_refused_as_reused(
        device: EnrolledDevice, store: Store) -> None:
    original = make_event(device, 7)
    assert statuses(device.push([original])) == ["applied"]
    clone = make_event(device, 7)
    result = device.push([clone]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", wire.SEQUENCE_REUSED)
    assert "backup" in result["reason"]
    assert store.event_count() == 1


def test_same_event_id_with_other_content_is_a_conflict(device: EnrolledDevice, store: Store) -> None:
    original = make_event(device, 1)
    assert statuses(device.push([original])) == ["applied"]
    altered = json.loads(json.dumps(original))
    altered["payload"]["movements"][0]["qty"] = -99
    result = device.push([altered]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", wire.EVENT_ID_CONFLICT)
    assert store.stock_rows(device.facility_code)[("PARA500", "B1")][1] == -10


def test_gaps_in_a_devices_sequence_are_reported_until_filled(device: EnrolledDevice) -> None:
    events = {n: make_event(device, n) for n in range(1, 8)}
    gaps = device.push([events[1], events[2], events[5], events[7]]).json()["gaps"]
    assert [(g["epoch"], g["missing_from"], g["missing_to"]) for g in gaps] == [(1, 3, 4), (1, 6, 6)]
    assert device.push([events[3], events[4], events[6]]).json()["gaps"] == []
    new_epoch = make_event(device, 3, epoch=2)
    gaps = device.push([new_epoch]).json()["gaps"]
    assert [(g["epoch"], g["missing_from"], g["missing_to"]) for g in gaps] == [(2, 1, 2)]


def test_events_are_facts_even_when_stock_would_go_negative(
        device: EnrolledDevice, store: Store) -> None:
    dispense = make_event(device, 2, movements=[make_movement("AMOX250", -30, batch_no="X9")])
    receipt = make_event(device, 1, type="receipt",
                         movements=[make_movement("AMOX250", 100, batch_no="X9")])
    assert statuses(device.push([dispense])) == ["applied"]
    assert store.stock_rows(device.facility_code) == {("AMOX250", "X9"): ("2027-03", -30)}
    assert statuses(device.push([receipt])) == ["applied"]
    assert store.stock_rows(device.facility_code) == {("AMOX250", "X9"): ("2027-03", 70)}


def test_events_of_another_facility_are_refused(db_url: str, server: str,
                                                device: EnrolledDevice, store: Store) -> None:
    other = make_facility_and_enrol(db_url, server, "PHC-JPR-002", name="PHC Kotkhawda")
    foreign = make_event(other, 1)  # another desk's event, pushed with this desk's token
    own_id_other_facility = make_event(device, 1, facility_code=other.facility_code)
    results = device.push([foreign, own_id_other_facility, make_event(device, 2)]).json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", wire.WRONG_FACILITY), ("rejected", wire.WRONG_FACILITY), ("applied", None)]
    assert store.event_count(other.facility_code) == 0
    assert store.stock_rows(other.facility_code) == {}
    # A body naming another device is refused as a whole.
    response = requests.post(f"{server}/v1/events", headers=device.headers(), timeout=30,
                             json={"device_id": other.device_id, "events": [foreign]})
    assert response.status_code == 403
    assert response.json()["code"] == wire.WRONG_DEVICE
    assert store.event_count() == 1


def test_a_gzip_body_is_accepted_and_a_bomb_is_refused(device: EnrolledDevice, store: Store) -> None:
    body = json.dumps({"device_id": device.device_id,
                       "events": [make_event(device, n) for n in range(1, 11)]}).encode()
    headers = {**device.headers(), "Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = requests.post(f"{device.base_url}/v1/events", data=gzip.compress(body),
                             headers=headers, timeout=30)
    assert statuses(response) == ["applied"] * 10
    bomb = gzip.compress(b" " * (wire.MAX_BODY_BYTES + 1024))
    response = requests.post(f"{device.base_url}/v1/events", data=bomb, headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.json()["code"] == wire.PAYLOAD_TOO_LARGE
    assert store.event_count() == 10


def test_malformed_requests_get_a_4xx_with_a_reason(device: EnrolledDevice, store: Store) -> None:
    url = f"{device.base_url}/v1/events"
    cases: list[tuple[Any, int]] = [
        (b"{not json", 400),
        (b"NaN", 400),
        (b"[1, 2]", 422),
        (json.dumps({"device_id": device.device_id, "events": []}).encode(), 422),
        (json.dumps({"device_id": device.device_id,
                     "events": [make_event(device, 1)] * 501}).encode(), 422),
        (json.dumps({"device_id": "x", "events": [make_event(device, 1)]}).encode(), 422),
        (b"[" * 100_000, 400),
        (b"x" * (wire.MAX_BODY_BYTES + 1), 413),
    ]
    for body, status in cases:
        response = requests.post(url, data=body, headers=device.headers(), timeout=30)
        assert response.status_code == status, (body[:40], response.text)
        assert response.json()["reason"]
    assert store.event_count() == 0


def test_a_request_without_the_protocol_header_needs_an_upgrade(device: EnrolledDevice) -> None:
    for version in (None, "2"):
        headers = {"Authorization": f"Bearer {device.token}"}
        if version:
            headers[wire.PROTOCOL_HEADER] = version
        response = requests.post(f"{device.base_url}/v1/events", headers=headers, timeout=30,
                                 json={"device_id": device.device_id,
                                       "events": [make_event(device, 1)]})
        assert response.status_code == 426
        assert response.json()["code"] == wire.UPGRADE_REQUIRED
        assert response.json()["supported"] == [1]
        assert response.headers["Upgrade"] == "IHMS-Protocol/1"


def test_unknown_item_codes_are_accepted_and_shown(device: EnrolledDevice, store: Store) -> None:
    event = make_event(device, 1, type="receipt", movements=[make_movement("NEW-ITEM-9", 40)])
    assert statuses(device.push([event])) == ["applied"]
    (item,) = store.facility_stock(device.facility_code)
    assert (item.item_code, item.name, item.qty) == ("NEW-ITEM-9", None, 40)


def test_server_answers_only_after_commit(device: EnrolledDevice, store: Store) -> None:
    """Whatever a 200 reports as applied is already visible to another connection."""
    events = [make_event(device, n) for n in range(1, 21)]
    assert statuses(device.push(events)) == ["applied"] * 20
    assert store.event_count(device.facility_code) == 20
    assert sum(d["events_received"] for d in store.devices()) == 20


def test_an_event_the_database_refuses_does_not_spoil_its_batch(
        device: EnrolledDevice, store: Store, monkeypatch: Any) -> None:
    """Validation should leave nothing for the database to refuse; if it ever does, the batch
    is stored event by event and only the poison event is rejected."""
    from ihms_server.app import push_batch
    from ihms_server.store import Device

    real_add_to_stock = store._add_to_stock  # noqa: SLF001

    def refusing_add_to_stock(cur: Any, rows: Any, now: Any) -> None:
        if any(row[1] == "POISON" for row in rows):
            # A real error raised by the database itself, not a Python exception.
            cur.execute("SELECT CAST('x' AS integer)" if store.kind == "postgresql"
                        else "INSERT INTO stock (facility_code) VALUES (NULL)")
        real_add_to_stock(cur, rows, now)

    monkeypatch.setattr(store, "_add_to_stock", refusing_add_to_stock)
    events = [make_event(device, n) for n in range(1, 11)]
    events[4] = make_event(device, 5, movements=[make_movement("POISON", -1)])
    answer = push_batch(store, Device(device.device_id, device.facility_code, "c1"),
                        {"device_id": device.device_id, "events": events})
    assert [r["status"] for r in answer["results"]] == ["applied"] * 4 + ["rejected"] + ["applied"] * 5
    assert answer["results"][4]["code"] == wire.INVALID_EVENT
    assert store.event_count() == 9
    assert store.stock_rows(device.facility_code) == {("PARA500", "B1"): ("2027-03", -90)}
    assert [(g["missing_from"], g["missing_to"]) for g in answer["gaps"]] == [(5, 5)]


def test_an_event_twice_in_one_batch_is_applied_once(device: EnrolledDevice, store: Store) -> None:
    event = make_event(device, 1)
    twin = json.loads(json.dumps(event))
    twin["payload"]["movements"][0]["qty"] = -3  # same id, other content
    assert statuses(device.push([event, event, twin])) == ["applied", "duplicate", "rejected"]
    assert store.event_count() == 1
    assert store.stock_rows(device.facility_code)[("PARA500", "B1")][1] == -10
