"""ihms_server/privacy.py: dispense events are stored without the patient's name, ABHA and OPD
numbers unless patient-level reporting is on; an event sent again is still recognised; events
stored before 0007_privacy are redacted by the migration; refused events keep no patient."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from ihms_desk.sync import protocol as wire
from ihms_server import privacy, rollout
from ihms_server.store import Store, open_store
from ihms_server.testing import EnrolledDevice, add_facility, make_event, run_server

PATIENT = {"opd_no": "OPD/4521", "patient_name": "Sita Devi", "age": 34, "sex": "F",
           "abha": "91-1234-5678-9012", "prescriber": "Dr. R. Meena"}


def dispense(device: EnrolledDevice, sequence: int, **header: Any) -> dict[str, Any]:
    event = make_event(device, sequence)
    event["payload"]["document"]["header"] = {**PATIENT, **header}
    return event


def stored(store: Store, event_id: str) -> dict[str, Any]:
    with store._read() as cur:  # noqa: SLF001 - what the database really holds
        cur.execute("SELECT body FROM event WHERE event_id = %s", (event_id,))
        return store._json_out(cur.fetchone()[0])  # type: ignore[no-any-return]


def statuses(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["status"] for r in response.json()["results"]]


@pytest.mark.parametrize(("age", "band"), [(0, "0-4"), (4, "0-4"), (5, "5-14"), (34, "30-44"),
                                           (59, "45-59"), (60, "60+"), (130, "60+"), (-1, None),
                                           ("34", None), (True, None)])
def test_age_bands(age: Any, band: str | None) -> None:
    assert privacy.age_band(age) == band


def test_a_dispense_is_stored_without_the_patient(device: EnrolledDevice, store: Store) -> None:
    event = dispense(device, 1)
    assert statuses(device.push([event])) == [wire.APPLIED]
    header = stored(store, event["event_id"])["payload"]["document"]["header"]
    assert header == {"sex": "F", "age_band": "30-44", "prescriber": "Dr. R. Meena"}
    text = json.dumps(stored(store, event["event_id"]), ensure_ascii=False)
    assert "Sita" not in text and "9012" not in text and "4521" not in text
    # What the state needs is all there: the quantities by facility, item and day.
    assert store.stock_rows(device.facility_code) == {("PARA500", "B1"): ("2027-03", -10)}
    body = stored(store, event["event_id"])
    assert body["payload"]["movements"] == event["payload"]["movements"]
    assert body["payload"]["document"]["doc_date"] == event["payload"]["document"]["doc_date"]


def test_a_resent_event_is_still_recognised(device: EnrolledDevice, store: Store) -> None:
    event = dispense(device, 1)
    assert statuses(device.push([event])) == [wire.APPLIED]
    assert statuses(device.push([event])) == [wire.DUPLICATE]
    # The same event under another epoch (a restored desk) is the same event.
    moved = {**copy.deepcopy(event), "epoch": 2, "sequence": 1}
    assert statuses(device.push([moved])) == [wire.DUPLICATE]
    # Another item under the same id is another event: a conflict.
    other = copy.deepcopy(event)
    other["payload"]["movements"][0]["qty"] = -11
    response = device.push([other])
    assert statuses(response) == [wire.REJECTED]
    assert response.json()["results"][0]["code"] == wire.EVENT_ID_CONFLICT
    # Another patient's name under the same id cannot be told apart: the server keeps nothing
    # of the name, not even a hash of the event with it (docs/privacy.md).
    renamed = copy.deepcopy(event)
    renamed["payload"]["document"]["header"]["patient_name"] = "Gita Devi"
    assert statuses(device.push([renamed])) == [wire.DUPLICATE]
    assert store.event_count() == 1


def test_no_hash_of_the_patient_is_stored(device: EnrolledDevice, store: Store) -> None:
    """Names are few and ABHA numbers 14 digits: a hash over them could confirm a guess."""
    event = dispense(device, 1)
    device.push([event])
    with store._read() as cur:  # noqa: SLF001
        cur.execute("SELECT content_hash FROM event")
        (stored_hash,), = cur.fetchall()
    assert stored_hash != wire.content_hash(event)
    assert stored_hash == wire.content_hash(privacy.redact(event))


def test_patient_level_reporting_keeps_the_patient(device: EnrolledDevice, store: Store) -> None:
    rollout.set_setting(store, privacy.SETTING, privacy.ON)
    event = dispense(device, 1)
    assert statuses(device.push([event])) == [wire.APPLIED]
    assert stored(store, event["event_id"])["payload"]["document"]["header"] == PATIENT
    assert statuses(device.push([event])) == [wire.DUPLICATE]
    # Turned off again: what was kept meanwhile is removed, and still recognised when resent.
    rollout.set_setting(store, privacy.SETTING, privacy.OFF)
    assert "patient_name" not in stored(store, event["event_id"])["payload"]["document"]["header"]
    assert statuses(device.push([event])) == [wire.DUPLICATE]


def test_the_setting_takes_only_on_or_off(store: Store) -> None:
    with pytest.raises(ValueError, match="on or off"):
        rollout.set_setting(store, privacy.SETTING, "yes")
    assert rollout.setting(store, privacy.SETTING) == privacy.OFF


def test_refused_events_keep_no_patient(device: EnrolledDevice, store: Store) -> None:
    event = dispense(device, 1)
    event["payload"]["movements"][0]["qty"] = 0  # refused: a movement never moves nothing
    assert statuses(device.push([event])) == [wire.REJECTED]
    with store._read() as cur:  # noqa: SLF001 - the body is kept but not shown
        cur.execute("SELECT body FROM rejected_event")
        (body,), = cur.fetchall()
    assert "Sita" not in body and "9012" not in body and '"age_band": "30-44"' in body


def test_the_migration_redacts_events_stored_before_it(db_url: str) -> None:
    old = open_store(db_url, migrate=False)
    try:
        old.migrate(up_to=5)
        add_facility(old, "CHC-JPR-001")
        answer = old.enrol("CHC-JPR-001", old.create_enrolment_code("CHC-JPR-001"), "Counter 1")
        with old._write() as cur:  # noqa: SLF001 - a server before 0007 kept every event whole
            cur.execute("INSERT INTO server_setting (key, value, updated_at) VALUES (%s, %s, %s)",
                        (privacy.SETTING, privacy.ON, "2026-01-01T00:00:00Z"))
        device = EnrolledDevice("", "CHC-JPR-001", answer["device_id"], answer["token"])
        events = [dispense(device, n, age=n * 10) for n in range(1, 8)]
        old.push(old.authenticate(answer["token"]), [wire.validate_event(e) for e in events])
        with old._write() as cur:  # noqa: SLF001
            cur.execute("DELETE FROM server_setting WHERE key = %s", (privacy.SETTING,))
            # An event stored before identity left the routing out was hashed whole.
            cur.execute("UPDATE event SET content_hash = 'hashed-whole' WHERE event_id = %s",
                        (events[0]["event_id"],))
        assert all("patient_name" in stored(old, e["event_id"])["payload"]["document"]["header"]
                   for e in events)
        old.migrate()  # 0007_privacy
        for event in events:
            header = stored(old, event["event_id"])["payload"]["document"]["header"]
            assert not {"patient_name", "abha", "opd_no", "age"} & set(header), header
        assert stored(old, events[2]["event_id"])["payload"]["document"]["header"]["age_band"] == "30-44"
        assert privacy.redact_stored(old) == 0  # done once, not at every start
    finally:
        old.close()
    with run_server(db_url) as base_url:
        device = dataclasses.replace(device, base_url=base_url)
        assert statuses(device.push(events)) == [wire.DUPLICATE] * 7


def test_the_redaction_goes_in_batches(device: EnrolledDevice, store: Store) -> None:
    rollout.set_setting(store, privacy.SETTING, privacy.ON)
    events = [dispense(device, n) for n in range(1, 8)]
    assert statuses(device.push(events)) == [wire.APPLIED] * 7
    with store._write() as cur:  # noqa: SLF001 - turned off without redacting, as before 0007
        cur.execute("DELETE FROM server_setting WHERE key = %s", (privacy.SETTING,))
        cur.execute("UPDATE server_meta SET value = %s WHERE key = %s", (privacy.START, privacy.PROGRESS_KEY))
    assert privacy.redact_stored(store, batch=3) == 7
    assert all("patient_name" not in stored(store, e["event_id"])["payload"]["document"]["header"]
               for e in events)
    assert statuses(device.push(events)) == [wire.DUPLICATE] * 7
