"""The wire format is written once (ihms_desk.fields): the desk's saved documents, the
protocol's TypedDicts and the server's OpenAPI models all have the same fields."""

from __future__ import annotations

import typing
from typing import Any, get_args

from pydantic import BaseModel

from ihms_desk import fields
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from ihms_desk.sync import protocol as wire
from ihms_server import models


def keys_of(typed_dict: Any) -> set[str]:
    return set(typing.get_type_hints(typed_dict))


def test_each_server_model_has_exactly_the_fields_of_its_wire_shape() -> None:
    pairs: list[tuple[type[BaseModel], Any]] = [
        (models.MovementModel, fields.MovementDict), (models.DocumentModel, fields.DocumentDict),
        (models.PayloadModel, fields.PayloadDict), (models.EventModel, wire.EventDict),
        (models.PushRequest, wire.PushRequestDict), (models.EventResultModel, wire.EventResultDict),
        (models.GapModel, wire.GapDict), (models.PushResponse, wire.PushResponseDict),
        (models.CatalogPage, wire.CatalogPageDict), (models.FacilityModel, wire.FacilityData),
        (models.EnrolRequest, wire.EnrolRequestDict), (models.EnrolResponse, wire.EnrolResponseDict),
        (models.StandingModel, wire.StandingDict), (models.EpochClaim, wire.EpochClaimDict),
        (models.EpochGrant, wire.EpochGrantDict), (models.VoucherPage, wire.VoucherPageDict),
        (models.VoucherModel, wire.VoucherDict), (models.VoucherLineModel, wire.VoucherLineDict),
        (models.VoucherWithdrawnModel, wire.VoucherWithdrawnDict),
    ]
    for model, shape in pairs:
        assert set(model.model_fields) == keys_of(shape), model.__name__
    assert get_args(models.EventTypeLiteral) == fields.DOCUMENT_KINDS
    assert get_args(models.FacilityModel.model_fields["type"].annotation) == fields.FACILITY_TYPES
    assert get_args(models.EpochClaim.model_fields["reason"].annotation) == wire.EPOCH_CLAIM_REASONS


def test_the_models_patterns_are_the_field_rules() -> None:
    schema = models.MovementModel.model_json_schema()["properties"]
    assert schema["item_code"]["pattern"] == fields.ITEM_CODE_PATTERN
    assert schema["batch_no"]["pattern"] == fields.BATCH_NO_PATTERN
    assert schema["expiry_month"]["pattern"] == fields.MONTH_PATTERN


def test_a_saved_document_is_in_the_wire_shape(make_store: Any) -> None:
    store = make_store()
    store.receive(source="ddw", voucher_no="V1", voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "pcm  2411", "03/2040", 100, manufacturer="RMSCL", unit_cost="0.18")])
    document = store.dispense(patient=Patient("OPD-1", "Sita Devi", 40, "F"), prescriber="Dr. Gupta",
                              lines=[DispenseLine("D0001", 10)])
    payload = document.payload()
    assert set(payload) == keys_of(fields.PayloadDict)
    assert set(payload["document"]) == keys_of(fields.DocumentDict)
    assert [set(m) for m in payload["movements"]] == [keys_of(fields.MovementDict)]
    assert payload["movements"][0]["batch_no"] == "PCM 2411"
