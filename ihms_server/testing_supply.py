"""Helpers for tests of indents, vouchers and the web login (issue 14): events of the new
kinds as a desk sends them, a warehouse and accounts, and a logged-in HTTP session.

Beside :mod:`ihms_server.testing`, for tests/server and the end-to-end tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

import requests

from ihms_server import accounts, indents
from ihms_server.store import Store
from ihms_server.testing import EnrolledDevice, make_event, make_movement

PASSWORD = "district-stock-2026"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def indent_event(device: EnrolledDevice, sequence: int, lines: Sequence[dict[str, Any]], *,
                 number: str | None = None, emergency: bool = False) -> dict[str, Any]:
    """An approved indent as docs/indents.md shows it; each line needs item_code and qty."""
    event = make_event(device, sequence, type="indent", movements=[])
    document = event["payload"]["document"]
    if number is not None:
        document["number"] = number
    document["header"] = {"to": "DDW", "to_name": "DDW Jaipur", "months_max": 3,
                          "emergency": emergency, "approved_by": "incharge", "note": None}
    document["lines"] = [{"line_no": index, "suggested": line["qty"], "usable_stock": 0,
                          "amc": 0, "on_order": 0, "days_out_of_stock": 0, "emergency": False,
                          **line} for index, line in enumerate(lines, start=1)]
    return event


def receipt_event(device: EnrolledDevice, sequence: int, voucher: dict[str, Any],
                  received: dict[int, int] | None = None, *,
                  reason: str = "carton short") -> dict[str, Any]:
    """A receipt against a pulled voucher: every line as sent, except ``received`` (voucher
    line -> units that arrived), each such line a ``short`` (or ``excess``) difference."""
    received = received or {}
    movements: list[dict[str, Any]] = []
    differences: list[dict[str, Any]] = []
    for line in voucher["lines"]:
        got = received.get(line["line_no"], line["qty"])
        if got != line["qty"]:
            differences.append({"voucher_line": line["line_no"], "item_code": line["item_code"],
                                "batch_no": line["batch_no"], "sent": line["qty"],
                                "received": got, "kind": "short" if got < line["qty"] else "excess",
                                "reason": reason})
        if got:
            movements.append(make_movement(line["item_code"], got, batch_no=line["batch_no"],
                                           expiry_month=line["expiry_month"],
                                           line_no=len(movements) + 1))
    event = make_event(device, sequence, type="receipt", movements=movements)
    event["payload"]["document"]["header"] = {
        "source": "ddw" if voucher["kind"] == "voucher" else "facility",
        "source_name": voucher["from_name"], "voucher_no": voucher["number"],
        "voucher_date": voucher["issued_on"], "against_voucher": voucher["number"],
        "indent_number": voucher["indent_number"], "differences": differences}
    return event


def transfer_event(device: EnrolledDevice, sequence: int, to_facility: str,
                   movements: Sequence[dict[str, Any]],
                   suggestion_id: str | None = None) -> dict[str, Any]:
    """A transfer to another facility (movements negative), naming the suggestion it acts on."""
    event = make_event(device, sequence, type="transfer", movements=list(movements))
    event["payload"]["document"]["header"] = {"destination_type": "facility",
                                              "to_facility": to_facility,
                                              "suggestion_id": suggestion_id}
    return event


def add_warehouse_and_accounts(store: Store, district: str = "Jaipur",
                               code: str = "DDW-JAI") -> None:
    """The district's warehouse, and accounts ``ware`` (warehouse), ``officer`` (district
    officer) and ``admin`` (state admin), all with :data:`PASSWORD`."""
    indents.add_warehouse(store, code, f"DDW {district}", district)
    accounts.add_account(store, "ware", PASSWORD, "warehouse", district, "Warehouse clerk")
    accounts.add_account(store, "officer", PASSWORD, "district_officer", district, "DPM")
    accounts.add_account(store, "admin", PASSWORD, "state_admin", None, "State admin")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def web_login(base_url: str, username: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in through the login form (its CSRF cookie and field)."""
    session = requests.Session()
    form = session.get(f"{base_url}/login", timeout=30)
    answer = session.post(f"{base_url}/login", timeout=30, allow_redirects=False, data={
        "username": username, "password": password, "csrf": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text[:500]
    return session


def pull_vouchers(device: EnrolledDevice, count: int, *, after: str = "", limit: int = 100,
                  patience: float = 30.0) -> dict[str, Any]:
    """``GET /v1/vouchers`` until it hands out ``count`` vouchers. On PostgreSQL a voucher is
    handed out once every older transaction of the cluster has ended, and a test running
    beside this one may hold one open for a moment (docs/indents.md)."""
    deadline = time.monotonic() + patience
    query: dict[str, str | int] = {"after": after, "limit": limit}
    while True:
        response = requests.get(f"{device.base_url}/v1/vouchers", headers=device.headers(),
                                params=query, timeout=30)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        if len(page["vouchers"]) >= count or time.monotonic() > deadline:
            return page
        time.sleep(0.1)
