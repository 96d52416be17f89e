"""Property test of a push (validation + storage, no HTTP): whatever mix of new events,
resends, clones (same sequence, new id) and altered copies (same id, new content) arrives,
in whatever batches and order, the store keeps its invariants."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ihms_desk.sync import protocol as wire
from ihms_server import privacy
from ihms_server.app import push_batch
from ihms_server.store import Device, Store
from ihms_server.testing import EnrolledDevice, add_facility, make_event, make_movement


def build_pool(device: EnrolledDevice) -> list[dict[str, Any]]:
    """Per sequence: the real event, a clone with a new id, and an altered copy of the real one."""
    pool = []
    for sequence in range(1, 13):
        real = make_event(device, sequence, movements=[
            make_movement("PARA500", (-1) ** sequence * sequence, batch_no=f"B{sequence % 3}")])
        clone = make_event(device, sequence, movements=[make_movement("IBU400", -1)])
        altered = copy.deepcopy(real)
        altered["payload"]["movements"][0]["qty"] = 999
        pool += [real, clone, altered]
    return pool


def canonical(event: dict[str, Any]) -> str:
    return wire.canonical_json(event)


def test_any_mix_of_batches_keeps_the_invariants(store: Store) -> None:
    add_facility(store, "CHC-PROP-001")
    answer = store.enrol("CHC-PROP-001", store.create_enrolment_code("CHC-PROP-001"), "prop")
    enrolled = EnrolledDevice("http://unused", "CHC-PROP-001", answer["device_id"], answer["token"])
    device = Device(answer["device_id"], "CHC-PROP-001", "prop")
    pool = build_pool(enrolled)
    applied: dict[str, str] = {}  # event id -> canonical content that was applied
    applied_events: dict[str, dict[str, Any]] = {}

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.lists(st.sampled_from(range(len(pool))), min_size=1, max_size=25))
    def push_some(picks: list[int]) -> None:
        batch = [pool[i] for i in picks]
        results = push_batch(store, device, {"device_id": device.device_id, "events": batch})["results"]
        assert [r["event_id"] for r in results] == [e["event_id"] for e in batch]
        for event, result in zip(batch, results):
            content = canonical(event)
            if result["status"] == "applied":
                assert event["event_id"] not in applied, "an event was applied twice"
                applied[event["event_id"]] = content
                applied_events[event["event_id"]] = event
            elif applied.get(event["event_id"]) == content:
                assert result["status"] == "duplicate"
            else:
                assert result["status"] == "rejected"
                assert result["code"] in (wire.EVENT_ID_CONFLICT, wire.SEQUENCE_REUSED)
        # What the database holds equals what was reported applied, no more, no less.
        with store._read() as cur:  # noqa: SLF001 - what the database really holds
            cur.execute("SELECT event_id, epoch, sequence, content_hash FROM event")
            rows = cur.fetchall()
        assert {str(r[0]): r[3] for r in rows} == {
            # The hash of what is stored: without the patient (docs/privacy.md).
            event_id: wire.content_hash(privacy.redact(json.loads(content)))
            for event_id, content in applied.items()}
        assert max(Counter((r[1], r[2]) for r in rows).values()) == 1
        expected: Counter[tuple[str, str]] = Counter()
        for event in applied_events.values():
            for movement in event["payload"]["movements"]:
                expected[(movement["item_code"], movement["batch_no"])] += movement["qty"]
        held = {key: qty for key, (_, qty) in store.stock_rows("CHC-PROP-001").items()}
        assert held == dict(expected)

    push_some()
