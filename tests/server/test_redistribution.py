"""Redistribution in a district of three facilities through a real server on SQLite and
PostgreSQL: the suggestion the district page and the sender's /v1/suggestions show, the
transfer that acts on it received at the other desk, and both stocks converging."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import requests

from ihms_server import models, redistribution
from ihms_server.dashboard import IST
from ihms_server.store import Store, utc_now
from ihms_server.testing import EnrolledDevice, make_event, make_facility_and_enrol, make_movement
from ihms_server.testing_supply import pull_vouchers, receipt_event, transfer_event

LATER = f"{utc_now().year + 2}-03"


def today_ist() -> dt.date:
    """The server's day: its pages and /v1/suggestions count months in Indian time."""
    return utc_now().astimezone(IST).date()


def months_back(count: int) -> list[str]:
    """The first day of each of the last ``count`` complete months, oldest first."""
    first = today_ist().replace(day=1)
    days = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        days.append(first.isoformat())
    return days[::-1]


def stocked(device: EnrolledDevice, received: int, monthly_use: int, *, batch: str = "PA-1",
            expiry: str = LATER) -> None:
    """Receive ``received`` units, then dispense ``monthly_use`` in each of the last three
    complete months (the server's AMC is ``monthly_use``)."""
    events = [make_event(device, 1, type="receipt", movements=[
        make_movement("PARA500", received, batch_no=batch, expiry_month=expiry)])]
    for sequence, day in enumerate(months_back(3), start=2):
        event = make_event(device, sequence, movements=[
            make_movement("PARA500", -monthly_use, batch_no=batch, expiry_month=expiry)])
        event["payload"]["document"]["doc_date"] = day
        events.append(event)
    results = device.push(events).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 4


def suggestions_of(device: EnrolledDevice) -> list[dict[str, Any]]:
    response = requests.get(f"{device.base_url}/v1/suggestions", headers=device.headers(), timeout=30)
    assert response.status_code == 200, response.text
    return list(response.json()["suggestions"])


def test_surplus_moves_to_the_stock_out_and_both_stocks_converge(
        db_url: str, server: str, store: Store, web: requests.Session) -> None:
    short = make_facility_and_enrol(db_url, server, "CHC-JPR-001", name="CHC Chaksu")
    full = make_facility_and_enrol(db_url, server, "CHC-JPR-002", name="CHC Bassi")
    usual = make_facility_and_enrol(db_url, server, "CHC-JPR-003", name="CHC Phagi")
    stocked(short, 300, 100)   # AMC 100, nothing left: stocked out; min 200, max 400
    stocked(full, 1300, 100)   # AMC 100, 1,000 left: 600 above its maximum of 400
    stocked(usual, 600, 100)   # AMC 100, 300 left: between its minimum and maximum

    (suggestion,) = redistribution.suggestions(store, "Jaipur", today_ist())
    # The stocked-out facility is brought up to its maximum, 4 × 100, from the surplus.
    assert (suggestion.from_code, suggestion.to_code, suggestion.qty, suggestion.reason) \
        == ("CHC-JPR-002", "CHC-JPR-001", 400, "surplus")
    page = web.get(f"{server}/supply?district=Jaipur", timeout=30).text
    row = re.search(r"<tr><td>Paracetamol.*?</tr>|<tr><td>PARA500.*?</tr>", page, re.S)
    assert row is not None and "CHC Bassi" in row.group(0) and "<b>400</b>" in row.group(0)
    assert suggestions_of(short) == [] and suggestions_of(usual) == []
    (offered,) = suggestions_of(full)
    assert set(offered) == set(models.SuggestionModel.model_fields)
    assert offered == {"id": suggestion.id, "item_code": "PARA500", "to_code": "CHC-JPR-001",
                       "to_name": "CHC Chaksu", "qty": 400, "reason": "surplus", "expires": None}

    transfer = transfer_event(full, 5, short.facility_code, [
        make_movement("PARA500", -400, batch_no="PA-1", expiry_month=LATER)], offered["id"])
    assert full.push([transfer]).json()["results"][0]["status"] == "applied"
    assert suggestions_of(full) == []  # acted on; and the stock on its way counts at the receiver

    (voucher,) = pull_vouchers(short, 1)["vouchers"]
    assert voucher["kind"] == "transfer" and voucher["from_code"] == "CHC-JPR-002"
    assert short.push([receipt_event(short, 5, voucher)]).json()["results"][0]["status"] == "applied"

    assert store.stock_rows("CHC-JPR-001") == {("PARA500", "PA-1"): (LATER, 400)}
    assert store.stock_rows("CHC-JPR-002") == {("PARA500", "PA-1"): (LATER, 600)}
    assert store.stock_rows("CHC-JPR-003") == {("PARA500", "PA-1"): (LATER, 300)}
    assert redistribution.suggestions(store, "Jaipur", today_ist()) == []


def test_stock_expiring_before_it_can_be_used_is_offered(
        db_url: str, server: str, store: Store) -> None:
    today = today_ist()
    soon = f"{today.year + (today.month + 1) // 12:04d}-{(today.month + 1) % 12 + 1:02d}"
    short = make_facility_and_enrol(db_url, server, "CHC-JPR-001", name="CHC Chaksu")
    holder = make_facility_and_enrol(db_url, server, "CHC-JPR-002", name="CHC Bassi")
    stocked(short, 300, 100)
    # 500 left of a batch expiring in two months' time: at 50 a month, 150 are used (this
    # month and the next two) and 350 would expire unused, although 500 is below its maximum.
    stocked(holder, 650, 50, batch="PA-9", expiry=soon)
    (suggestion,) = redistribution.suggestions(store, "Jaipur", today)
    assert (suggestion.from_code, suggestion.qty, suggestion.reason, suggestion.expires) \
        == ("CHC-JPR-002", 350, "near_expiry", soon)
    (offered,) = suggestions_of(holder)
    assert offered["reason"] == "near_expiry" and offered["expires"] == soon


def test_no_suggestion_between_districts_or_without_a_giver(
        db_url: str, server: str, store: Store) -> None:
    short = make_facility_and_enrol(db_url, server, "CHC-JPR-001", name="CHC Chaksu")
    elsewhere = make_facility_and_enrol(db_url, server, "CHC-AJM-001", name="CHC Kishangarh",
                                        district="Ajmer")
    stocked(short, 300, 100)
    stocked(elsewhere, 5000, 100)
    assert redistribution.suggestions(store, "Jaipur", today_ist()) == []
    assert suggestions_of(elsewhere) == []
