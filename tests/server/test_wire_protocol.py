"""The wire protocol's validation (ihms_desk/sync/protocol.py), without a server."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ihms_desk.sync import protocol as wire
from ihms_server.testing import EnrolledDevice, make_event, make_movement

DEVICE = EnrolledDevice("http://unused", "CHC-JPR-001", "6f1c7a52-3b7e-4d0b-9a51-0c2f1e9d8a11", "t")


def event(**changes: Any) -> dict[str, Any]:
    made = make_event(DEVICE, 1)
    made.update(changes)
    return made


def test_a_well_formed_event_passes_and_keeps_its_content() -> None:
    raw = event()
    parsed = wire.validate_event(raw)
    assert parsed.event_id == raw["event_id"]
    assert parsed.movements[0]["qty"] == -10
    assert parsed.content_hash == wire.content_hash(raw)


def test_the_hash_ignores_key_order_but_not_content() -> None:
    raw = event()
    reordered = json.loads(json.dumps(raw, sort_keys=True))
    assert wire.validate_event(reordered).content_hash == wire.validate_event(raw).content_hash
    changed = copy.deepcopy(raw)
    changed["payload"]["movements"][0]["qty"] = -11
    assert wire.validate_event(changed).content_hash != wire.validate_event(raw).content_hash


@pytest.mark.parametrize(("path", "value", "field"), [
    (("event_id",), "not-a-uuid", "event_id"),
    (("event_id",), "6f1c7a52-3b7e-4d0b-9a51-0c2f1e9d8a11", "event_id"),  # version 4, not 7
    (("epoch",), 0, "epoch"),
    (("epoch",), True, "epoch"),
    (("sequence",), "5", "sequence"),
    (("type",), "sale", "type"),
    (("schema_version",), 2, "schema_version"),
    (("wall_time",), "2026-11-25T10:00:00+05:30", "wall_time"),
    (("wall_time",), "yesterday", "wall_time"),
    (("hlc",), "", "hlc"),
    (("facility_code",), "CHC JPR", "facility_code"),
    (("payload", "document", "kind"), "dispense", "payload.document.kind"),
    (("payload", "document", "doc_date"), "2026-02-30", "payload.document.doc_date"),
    (("payload", "document", "header"), [], "payload.document.header"),
    (("payload", "document", "header"), {"note": "a\x00b"}, "payload.document"),
    (("payload", "movements", 0, "qty"), 0, "payload.movements[0].qty"),
    (("payload", "movements", 0, "qty"), 2.5, "payload.movements[0].qty"),
    (("payload", "movements", 0, "expiry_month"), "2027-13", "payload.movements[0].expiry_month"),
    (("payload", "movements", 0, "unit_cost"), 0.45, "payload.movements[0].unit_cost"),
    (("payload", "movements", 0, "batch_no"), " B1", "payload.movements[0].batch_no"),
    (("payload", "movements"), [], "payload.movements"),  # a receipt must move stock
])
def test_each_bad_field_is_refused_by_name(path: tuple[Any, ...], value: Any, field: str) -> None:
    raw = make_event(DEVICE, 1, type="receipt")
    target: Any = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(wire.ProtocolError) as caught:
        wire.validate_event(raw)
    assert caught.value.code == wire.INVALID_EVENT
    assert caught.value.field == field
    assert field in caught.value.reason


def test_a_dispense_wholly_not_available_may_move_nothing() -> None:
    raw = make_event(DEVICE, 1, type="dispense", movements=[])
    assert wire.validate_event(raw).movements == ()


def test_text_that_is_not_unicode_or_numbers_that_are_not_finite_are_refused() -> None:
    surrogate = event()
    surrogate["payload"]["document"]["header"]["note"] = "\ud800"
    infinite = event()
    infinite["payload"]["document"]["header"]["weight"] = float("inf")
    for raw in (surrogate, infinite):
        with pytest.raises(wire.ProtocolError) as caught:
            wire.validate_event(raw)
        assert caught.value.code == wire.INVALID_EVENT


@pytest.mark.parametrize("header", [None, "", "0", "2", "1.0", "one"])
def test_protocol_versions_outside_the_supported_set_need_an_upgrade(header: str | None) -> None:
    with pytest.raises(wire.ProtocolError) as caught:
        wire.parse_protocol_version(header)
    assert caught.value.code == wire.UPGRADE_REQUIRED


def test_the_supported_version_is_accepted() -> None:
    assert wire.parse_protocol_version("1") == wire.PROTOCOL_VERSION


def test_a_batch_holds_one_to_five_hundred_events() -> None:
    with pytest.raises(wire.ProtocolError):
        wire.validate_push_request({"device_id": DEVICE.device_id, "events": []})
    with pytest.raises(wire.ProtocolError):
        wire.validate_push_request({"device_id": DEVICE.device_id, "events": [{}] * 501})
    assert wire.validate_push_request({"device_id": DEVICE.device_id, "events": [{}]})[0] \
        == DEVICE.device_id


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)
FIELDS = ["event_id", "device_id", "facility_code", "epoch", "sequence", "type", "schema_version",
          "hlc", "wall_time", "payload"]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS + ["payload.document", "movement"]), value=json_values)
def test_any_json_in_any_field_gives_a_protocol_error_or_an_event(field: str, value: Any) -> None:
    raw = make_event(DEVICE, 1, movements=[make_movement()])
    if field == "payload.document":
        raw["payload"]["document"] = value
    elif field == "movement":
        raw["payload"]["movements"][0] = value
    else:
        raw[field] = value
    try:
        wire.validate_event(raw)
    except wire.ProtocolError as error:
        assert error.code == wire.INVALID_EVENT and error.reason


def test_the_server_imports_only_the_pure_wire_modules_of_the_desk_and_never_qt() -> None:
    import subprocess
    import sys

    code = ("import sys, ihms_server.app, ihms_server.cli, ihms_server.testing; "
            "print(sorted(m for m in sys.modules if m.startswith(('ihms_desk', 'PySide6', 'shiboken6'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The field rules (ihms_desk.fields) and the protocol built on them: both stdlib only.
    assert loaded.stdout.strip() == (
        "['ihms_desk', 'ihms_desk.fields', 'ihms_desk.sync', 'ihms_desk.sync.protocol']")


def valid_item(**changes: Any) -> dict[str, Any]:
    item = {"code": "PARA500", "name": "Paracetamol 500 mg tablet", "generic_name": "Paracetamol",
            "strength": "500 mg", "dosage_form": "tablet", "unit_of_issue": "tablet",
            "category": "drug", "min_stock": 100, "active": True}
    item.update(changes)
    return item


@pytest.mark.parametrize(("changes", "field"), [
    ({"code": "PARA 500"}, "code"),
    ({"code": "A" * 21}, "code"),
    ({"name": "Para\x00cetamol"}, "name"),
    ({"name": "Para\x07"}, "name"),
    ({"generic_name": ""}, "generic_name"),
    ({"strength": "   "}, "strength"),
    ({"category": "medicine"}, "category"),
    ({"min_stock": -1}, "min_stock"),
    ({"min_stock": True}, "min_stock"),
    ({"active": "yes"}, "active"),
])
def test_catalogue_items_follow_the_desks_rules(changes: dict[str, Any], field: str) -> None:
    """The state must publish only items every desk's catalogue accepts."""
    with pytest.raises(wire.ProtocolError) as caught:
        wire.validate_item_data(valid_item(**changes))
    assert caught.value.field == field


def test_catalogue_items_are_normalised_like_the_desk_does() -> None:
    item = wire.validate_item_data(valid_item(code="para500", name=" Paracetamol\n500 mg\t",
                                              dosage_form="Tablet", category="DRUG"))
    assert (item["code"], item["name"], item["dosage_form"], item["category"]) == (
        "PARA500", "Paracetamol 500 mg", "tablet", "drug")


def facility(**changes: Any) -> dict[str, Any]:
    return {"code": "UPHC-JPR-007", "name": "UPHC Adarsh Nagar", "district": "Jaipur",
            "block": "Jaipur City", "type": "UPHC", "active": True, **changes}


@pytest.mark.parametrize("facility_type", ["CHC", "PHC", "UPHC", "DH", "SDH", "SC"])
def test_every_facility_type_of_the_state_passes(facility_type: str) -> None:
    assert wire.validate_facility_data(facility(type=facility_type))["type"] == facility_type


@pytest.mark.parametrize("facility_type", ["HOSPITAL", "uphc", "", None, 1])
def test_an_unknown_facility_type_is_refused_by_name(facility_type: Any) -> None:
    with pytest.raises(wire.ProtocolError) as caught:
        wire.validate_facility_data(facility(type=facility_type))
    assert caught.value.field == "type" and "UPHC" in caught.value.reason


def test_the_server_knows_the_same_facility_types_as_the_protocol() -> None:
    """The OpenAPI model and the admin CLI list the protocol's types, no more, no fewer; the
    desk's own types (no SC) are all among them, so every desk can be registered as it is."""
    import typing

    from ihms_desk.store.rules import FACILITY_TYPES as DESK_FACILITY_TYPES
    from ihms_server import cli, models

    assert set(typing.get_args(models.FacilityModel.model_fields["type"].annotation)) == set(
        wire.FACILITY_TYPES)
    parser = cli.build_parser()
    add = parser.parse_args(["facility", "add", "X-1", "--name", "x", "--district", "d",
                             "--block", "b", "--type", "UPHC"])
    assert add.type == "UPHC"
    choices = next(a.choices for a in add_facility_parser(parser)._actions  # noqa: SLF001
                   if a.dest == "type")
    assert tuple(choices) == wire.FACILITY_TYPES
    assert set(DESK_FACILITY_TYPES) <= set(wire.FACILITY_TYPES)


def add_facility_parser(parser: Any) -> Any:
    """The ``facility add`` sub-parser of the admin CLI."""
    commands = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001
    facility_actions = next(a for a in commands.choices["facility"]._actions  # noqa: SLF001
                            if a.dest == "action")
    return facility_actions.choices["add"]
