"""Indents, issue vouchers, receipts against them, transfers and fill rate through a real
server on SQLite and PostgreSQL (issue 14; docs/indents.md), events posted over HTTP as a
desk posts them and the warehouse's form posted as a browser posts it."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
import requests

from ihms_desk.sync import protocol as wire
from ihms_server import indents, models, redistribution
from ihms_server.store import Store, migration_scripts, open_store, utc_now
from ihms_server.testing import EnrolledDevice, add_facility, make_event, make_facility_and_enrol, make_movement
from ihms_server.testing_supply import (
    add_warehouse_and_accounts,
    csrf_of,
    indent_event,
    pull_vouchers,
    receipt_event,
    transfer_event,
    web_login,
)

NEXT_YEAR = f"{utc_now().year + 1}-06"


@pytest.fixture
def ready(store: Store, device: EnrolledDevice) -> EnrolledDevice:
    add_warehouse_and_accounts(store)
    return device


def push_ok(device: EnrolledDevice, *events: dict) -> list[dict]:
    response = device.push(list(events))
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * len(events), results
    return results


def pull(device: EnrolledDevice, count: int = 0, after: str = "", limit: int = 100) -> dict:
    return pull_vouchers(device, count, after=after, limit=limit)


def issue(session: requests.Session, base_url: str, indent_id: int,
          rows: list[tuple[str, str, str, str]]) -> requests.Response:
    page = session.get(f"{base_url}/warehouse/indents/{indent_id}", timeout=30)
    data: dict[str, object] = {"csrf": csrf_of(page.text),
                               "item_code": [r[0] for r in rows], "batch_no": [r[1] for r in rows],
                               "expiry_month": [r[2] for r in rows], "qty": [r[3] for r in rows]}
    return session.post(f"{base_url}/warehouse/indents/{indent_id}/vouchers", data=data,
                        timeout=30, allow_redirects=False)


def stored_indent(store: Store, device: EnrolledDevice, number: str) -> indents.Indent:
    found = indents.indent_by_number(store, device.facility_code, number)
    assert found is not None
    return found


def three_line_indent(store: Store, device: EnrolledDevice) -> tuple[str, int]:
    """An indent for 1,000 PARA500, 200 ORS-200 and 50 AMOX250, pushed as the desk's first
    event: its number, and its id on the server."""
    event = indent_event(device, 1, [{"item_code": "PARA500", "qty": 1000},
                                     {"item_code": "ORS-200", "qty": 200},
                                     {"item_code": "AMOX250", "qty": 50}])
    push_ok(device, event)
    number = event["payload"]["document"]["number"]
    return number, stored_indent(store, device, number).id


def test_an_indent_is_kept_with_why_each_line_was_asked(store: Store, ready: EnrolledDevice) -> None:
    event = indent_event(ready, 1, [
        {"item_code": "PARA500", "qty": 1200, "suggested": 1350, "usable_stock": 410,
         "amc": 587, "on_order": 0, "days_out_of_stock": 6, "emergency": True},
        {"item_code": "ORS-200", "qty": 300}], emergency=True)
    push_ok(ready, event)
    number = event["payload"]["document"]["number"]
    indent = stored_indent(store, ready, number)
    assert indent.status == "open" and indent.emergency
    assert [(l.item_code, l.qty, l.usable_stock, l.amc, l.days_out_of_stock) for l in indent.lines] \
        == [("PARA500", 1200, 410, 587.0, 6), ("ORS-200", 300, 0, 0.0, 0)]

    session = web_login(ready.base_url, "ware")
    listing = session.get(f"{ready.base_url}/warehouse", timeout=30)
    assert number in listing.text and "emergency" in listing.text
    page = session.get(f"{ready.base_url}/warehouse/indents/{indent.id}", timeout=30)
    assert page.status_code == 200
    row = re.search(r"<tr><td>1</td>.*?</tr>", page.text, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    assert cells[:6] == ["1,200", "1,350", "410", "587", "0", "6"]


def test_a_broken_indent_is_refused_by_field(ready: EnrolledDevice) -> None:
    event = indent_event(ready, 1, [{"item_code": "PARA500", "qty": 0}])
    result = ready.push([event]).json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == wire.INVALID_EVENT
    assert "lines[0].qty" in result["reason"]
    receipt = make_event(ready, 2, type="receipt")
    receipt["payload"]["document"]["header"] = {"against_voucher": "V1", "differences": [
        {"voucher_line": 1, "item_code": "PARA500", "sent": 5, "received": 4, "kind": "lost"}]}
    result = ready.push([receipt]).json()["results"][0]
    assert result["code"] == wire.INVALID_EVENT and "differences[0].kind" in result["reason"]


def test_issue_pull_and_receive_with_a_short_line(store: Store, ready: EnrolledDevice) -> None:
    """The warehouse issues against the indent; the desk pulls it once, receives one line
    short; the server's indent shows the difference and the lines closed."""
    number, indent_id = three_line_indent(store, ready)
    session = web_login(ready.base_url, "ware")

    refused = issue(session, ready.base_url, indent_id, [("PARA500", "PA-1", "2019-01", "500")])
    assert refused.status_code == 422 and "expired in 2019-01" in refused.text
    assert indents.vouchers(store, district="Jaipur") == []  # nothing recorded

    answer = issue(session, ready.base_url, indent_id, [
        ("PARA500", "PA-1", NEXT_YEAR, "600"), ("PARA500", "PA-2", "06/" + NEXT_YEAR[:4], "400"),
        ("ORS-200", "OR-9", NEXT_YEAR, "150"), ("AMOX250", "", "", "")])
    assert answer.status_code == 303, answer.text[:2000]
    voucher_number = re.search(r"issued=([^&]+)", answer.headers["location"]).group(1)
    assert requests.utils.unquote(voucher_number).startswith("DDW-JAI/")
    indent = stored_indent(store, ready, number)
    assert indent.status == "partly_issued"
    assert [(l.issued_qty, l.closed) for l in indent.lines] == [(1000, False), (150, False), (0, False)]

    page = pull(ready, 1, limit=1)
    assert not page["more"] and len(page["vouchers"]) == 1
    voucher = page["vouchers"][0]
    assert voucher["kind"] == "voucher" and voucher["indent_number"] == number
    assert voucher["from_code"] == "DDW-JAI" and voucher["from_name"] == "DDW Jaipur"
    assert [(l["item_code"], l["batch_no"], l["expiry_month"], l["qty"]) for l in voucher["lines"]] \
        == [("PARA500", "PA-1", NEXT_YEAR, 600), ("PARA500", "PA-2", NEXT_YEAR, 400),
            ("ORS-200", "OR-9", NEXT_YEAR, 150)]
    assert pull(ready, after=page["cursor"])["vouchers"] == []  # each voucher once
    # The answer is what the OpenAPI document promises, key for key.
    models.VoucherPage.model_validate(page)
    assert set(voucher) == set(models.VoucherModel.model_fields)
    assert set(voucher["lines"][0]) == set(models.VoucherLineModel.model_fields)

    push_ok(ready, receipt_event(ready, 2, voucher, {2: 350}))
    indent = stored_indent(store, ready, number)
    assert [(l.received_qty, l.closed) for l in indent.lines] == [(950, True), (150, True), (0, False)]
    assert indent.status == "partly_issued"  # AMOX250 is still open
    (kept,) = indents.vouchers(store, indent_id=indent.id)
    assert kept.receipt_number is not None
    assert [(d.voucher_line, d.batch_no, d.sent, d.received, d.kind) for d in kept.differences] \
        == [(2, "PA-2", 400, 350, "short")]
    assert store.stock_rows(ready.facility_code)[("PARA500", "PA-2")] == (NEXT_YEAR, 350)
    shown = session.get(f"{ready.base_url}/warehouse/indents/{indent.id}", timeout=30).text
    assert "short: PARA500 PA-2 sent 400, received 350" in shown

    close_page = session.get(f"{ready.base_url}/warehouse/indents/{indent.id}", timeout=30)
    closed = session.post(f"{ready.base_url}/warehouse/indents/{indent.id}/close", timeout=30,
                          data={"csrf": csrf_of(close_page.text)}, allow_redirects=False)
    assert closed.status_code == 303
    assert stored_indent(store, ready, number).status == "closed"

    # Fill rate over the indent's three lines: one issued in full (PARA500), by quantity
    # (1000 + 150 + 0) / (1000 + 200 + 50); lead time 0 days (indent and receipt today).
    facilities, total = indents.supply_figures(store, "Jaipur", dt.date.today())
    assert (total.lines, total.lines_filled, total.qty_indented, total.qty_issued) == (3, 1, 1250, 1150)
    supply = web_login(ready.base_url, "officer").get(
        f"{ready.base_url}/supply?district=Jaipur", timeout=30).text
    assert f'data-figure="qty-{ready.facility_code}">92.0%' in supply
    assert f'data-figure="lines-{ready.facility_code}">33.3%' in supply
    assert f'data-figure="lead-{ready.facility_code}">0.0' in supply


def test_a_voucher_without_an_indent_and_from_the_warehouses_csv(
        store: Store, ready: EnrolledDevice, tmp_path: Path) -> None:
    session = web_login(ready.base_url, "ware")
    form = session.get(f"{ready.base_url}/warehouse/vouchers/new", timeout=30)
    assert ready.facility_code in form.text
    csv_text = ("Item Code,Batch No,Expiry,Quantity,Manufacturer,Rate\n"
                f"PARA500,pa-7,06/{NEXT_YEAR[:4]},1000,Acme Pharma,0.45\n"
                "ORS-200,OR-1,2019-01,50,,\n")
    read = session.post(f"{ready.base_url}/warehouse/vouchers/import", timeout=30,
                        data={"csrf": csrf_of(form.text), "facility": ready.facility_code},
                        files={"file": ("issue.csv", csv_text.encode(), "text/csv")})
    assert read.status_code == 422
    assert "row 3: batch OR-1 expired in 2019-01" in read.text
    assert 'value="pa-7"' in read.text  # the file's rows are in the form to correct
    assert indents.vouchers(store, district="Jaipur") == []  # nothing recorded

    csv_text = csv_text.splitlines()
    read = session.post(f"{ready.base_url}/warehouse/vouchers/import", timeout=30,
                        data={"csrf": csrf_of(form.text), "facility": ready.facility_code},
                        files={"file": ("issue.csv", "\n".join(csv_text[:2]).encode(), "text/csv")})
    assert read.status_code == 200
    rows = {key: re.findall(rf'name="{key}" value="([^"]*)"', read.text)
            for key in ("item_code", "batch_no", "expiry_month", "qty", "manufacturer", "unit_cost")}
    recorded = session.post(f"{ready.base_url}/warehouse/vouchers", timeout=30, allow_redirects=False,
                            data={"csrf": csrf_of(read.text), "facility": ready.facility_code, **rows})
    assert recorded.status_code == 303, recorded.text[:2000]
    (voucher,) = pull(ready, 1)["vouchers"]
    assert voucher["indent_number"] is None
    assert voucher["lines"] == [{"line_no": 1, "item_code": "PARA500", "batch_no": "PA-7",
                                 "expiry_month": NEXT_YEAR[:4] + "-06", "qty": 1000,
                                 "manufacturer": "Acme Pharma", "unit_cost": "0.45"}]


def test_a_transfer_to_a_facility_is_that_facilitys_voucher(
        db_url: str, server: str, store: Store, ready: EnrolledDevice) -> None:
    other = make_facility_and_enrol(db_url, server, "CHC-JPR-002", name="CHC Bassi")
    push_ok(ready, make_event(ready, 1, type="receipt", movements=[
        make_movement("PARA500", 1000, batch_no="PA-1", expiry_month=NEXT_YEAR)]))
    push_ok(ready, transfer_event(ready, 2, other.facility_code, [
        make_movement("PARA500", -300, batch_no="PA-1", expiry_month=NEXT_YEAR)]))
    assert pull(ready)["vouchers"] == []
    (voucher,) = pull(other, 1)["vouchers"]
    assert (voucher["kind"], voucher["from_code"], voucher["from_name"]) == \
        ("transfer", ready.facility_code, "CHC Chaksu")
    assert [(l["batch_no"], l["qty"]) for l in voucher["lines"]] == [("PA-1", 300)]
    push_ok(other, receipt_event(other, 1, voucher))
    assert store.stock_rows(other.facility_code) == {("PARA500", "PA-1"): (NEXT_YEAR, 300)}
    assert store.stock_rows(ready.facility_code) == {("PARA500", "PA-1"): (NEXT_YEAR, 700)}


def test_the_voucher_cursor_is_this_servers(ready: EnrolledDevice) -> None:
    response = requests.get(f"{ready.base_url}/v1/vouchers", headers=ready.headers(),
                            params={"after": "nonsense-1-2"}, timeout=30)
    assert response.status_code == 410 and response.json()["code"] == wire.CURSOR_UNKNOWN
    response = requests.get(f"{ready.base_url}/v1/vouchers", timeout=30,
                            headers={wire.PROTOCOL_HEADER: "1"})
    assert response.status_code == 401


def test_consumption_is_kept_from_dispenses_and_their_reversals(
        store: Store, ready: EnrolledDevice) -> None:
    month = utc_now().strftime("%Y-%m")
    dispense = make_event(ready, 1, movements=[make_movement("PARA500", -30)])
    push_ok(ready, dispense, make_event(ready, 2, movements=[make_movement("PARA500", -12)]))
    reversal = make_event(ready, 3, type="reversal", movements=[make_movement("PARA500", 30)])
    reversal["payload"]["document"]["reverses_number"] = dispense["payload"]["document"]["number"]
    push_ok(ready, reversal)

    def kept() -> list[tuple]:
        with store._read() as cur:
            cur.execute("SELECT facility_code, item_code, month, qty FROM consumption_month")
            return [tuple(r) for r in cur.fetchall()]

    assert kept() == [(ready.facility_code, "PARA500", month, 12)]
    # The migration fills the table from the dispenses stored before it (reversals aside).
    script = (Path(indents.__file__).parent / "migrations" / store.kind
              / "0006_accounts_indents.sql").read_text()
    with store._write() as cur:
        cur.execute("DELETE FROM consumption_month")
        cur.execute(script[script.index("INSERT INTO consumption_month"):].rstrip().rstrip(";"))
    assert kept() == [(ready.facility_code, "PARA500", month, 42)]


def reversal_of(device: EnrolledDevice, sequence: int, original: dict) -> dict:
    """The desk's reversal of ``original``: every movement back, naming what it reverses."""
    document = original["payload"]["document"]
    event = make_event(device, sequence, type="reversal", movements=[
        {**m, "qty": -m["qty"]} for m in original["payload"]["movements"]])
    event["payload"]["document"]["reverses_number"] = document["number"]
    event["payload"]["document"]["header"] = {"reverses_number": document["number"],
                                              "reverses_kind": document["kind"]}
    return event


def test_a_reversed_voucher_receipt_reopens_the_voucher_and_its_indent_lines(
        store: Store, ready: EnrolledDevice) -> None:
    """Received with wrong counts, reversed on the desk, received again: the server's voucher
    waits again between, the indent lines lose what the reversed receipt brought and open
    again, lead time counts the receipt that holds the voucher; a receipt of a voucher held
    already counts nothing; an indent the warehouse closed stays closed through a reversal."""
    number, indent_id = three_line_indent(store, ready)
    warehouse = indents.warehouse_of(store, "Jaipur")
    assert warehouse is not None
    indents.issue_voucher(store, warehouse, ready.facility_code, [
        indents.VoucherLineIn("PARA500", "PA-1", NEXT_YEAR, 1000),
        indents.VoucherLineIn("ORS-200", "OR-1", NEXT_YEAR, 200)], "ware", indent_id)
    (voucher,) = pull(ready, 1)["vouchers"]

    def seen() -> tuple[str, list[tuple[int, bool]], str | None, list[int], list[int]]:
        indent = stored_indent(store, ready, number)
        (kept,) = indents.vouchers(store, indent_id=indent_id)
        lead = indents.supply_figures(store, "Jaipur", dt.date.today())[1].lead_days
        return (indent.status, [(line.received_qty, line.closed) for line in indent.lines],
                kept.receipt_number, [d.received for d in kept.differences], lead)

    wrong = receipt_event(ready, 2, voucher, {1: 900}, reason="counted a box short")
    push_ok(ready, wrong)
    wrong_number = wrong["payload"]["document"]["number"]
    assert seen() == ("partly_issued", [(900, True), (200, True), (0, False)], wrong_number, [900], [0])

    push_ok(ready, reversal_of(ready, 3, wrong))
    assert seen() == ("partly_issued", [(0, False), (0, False), (0, False)], None, [], [])
    assert store.stock_rows(ready.facility_code)[("PARA500", "PA-1")] == (NEXT_YEAR, 0)
    assert indents.vouchers(store, indent_id=indent_id)[0].lines[0]["received_qty"] is None

    right = receipt_event(ready, 4, voucher)
    push_ok(ready, right)
    right_number = right["payload"]["document"]["number"]
    assert seen() == ("partly_issued", [(1000, True), (200, True), (0, False)], right_number, [], [0])
    # Another receipt of the voucher held already (two desks, say) counts nothing, nor does
    # its reversal.
    twice = receipt_event(ready, 5, voucher)
    push_ok(ready, twice, reversal_of(ready, 6, twice))
    assert seen() == ("partly_issued", [(1000, True), (200, True), (0, False)], right_number, [], [0])
    assert store.stock_rows(ready.facility_code)[("PARA500", "PA-1")] == (NEXT_YEAR, 1000)

    assert indents.close_indent(store, indent_id, "Jaipur")  # nothing more will be issued
    assert seen()[:2] == ("closed", [(1000, True), (200, True), (0, True)])
    push_ok(ready, reversal_of(ready, 7, right))
    assert seen() == ("closed", [(0, True), (0, True), (0, True)], None, [], [])
    again = receipt_event(ready, 8, voucher, {2: 190})
    push_ok(ready, again)
    assert seen() == ("closed", [(1000, True), (190, True), (0, True)],
                      again["payload"]["document"]["number"], [190], [0])
    assert store.stock_rows(ready.facility_code) == {("PARA500", "PA-1"): (NEXT_YEAR, 1000),
                                                     ("ORS-200", "OR-1"): (NEXT_YEAR, 190)}


def test_the_migration_keeps_which_indents_the_warehouse_closed(store: Store, ready: EnrolledDevice) -> None:
    """0008 fills ``warehouse_closed_at`` for indents closed before it: the moment of a line no
    receipt had closed by then (an indent its receipts closed was not the warehouse's)."""
    ids = []
    for sequence, items in ((1, ["PARA500", "AMOX250"]), (2, ["ORS-200"])):
        event = indent_event(ready, sequence, [{"item_code": item, "qty": 10} for item in items])
        push_ok(ready, event)
        ids.append(stored_indent(store, ready, event["payload"]["document"]["number"]).id)
    warehouse = indents.warehouse_of(store, "Jaipur")
    assert warehouse is not None
    for indent_id, item in zip(ids, ["PARA500", "ORS-200"]):
        indents.issue_voucher(store, warehouse, ready.facility_code,
                              [indents.VoucherLineIn(item, "B-1", NEXT_YEAR, 10)], "ware", indent_id)
    for sequence, voucher in enumerate(pull(ready, 2)["vouchers"], start=3):
        push_ok(ready, receipt_event(ready, sequence, voucher))
    assert indents.close_indent(store, ids[0], "Jaipur")  # AMOX250 was still open

    def closed_by_warehouse() -> list[bool]:
        with store._read() as cur:  # noqa: SLF001 - what the database holds
            cur.execute("SELECT warehouse_closed_at FROM indent ORDER BY id")
            return [row[0] is not None for row in cur.fetchall()]

    assert closed_by_warehouse() == [True, False]
    script = {name: sql for _, name, sql in migration_scripts(store.kind)}["0008_voucher_reversal.sql"]
    with store._write() as cur:  # noqa: SLF001 - as before the migration
        cur.execute("UPDATE indent SET warehouse_closed_at = NULL")
        cur.execute(script[script.index("UPDATE indent"):].rstrip().rstrip(";"))
    assert closed_by_warehouse() == [True, False]
    assert [i.status for i in indents.district_indents(store, "Jaipur")] == ["closed", "closed"]


# --- a transfer its sender reverses: the voucher withdrawn (migration 0009) ---------------------


@pytest.fixture
def two(db_url: str, server: str, ready: EnrolledDevice) -> tuple[EnrolledDevice, EnrolledDevice]:
    """The sender (``ready``, holding 1,000 PARA500 of PA-1) and a second facility's desk."""
    other = make_facility_and_enrol(db_url, server, "CHC-JPR-002", name="CHC Bassi")
    push_ok(ready, make_event(ready, 1, type="receipt", movements=[
        make_movement("PARA500", 1000, batch_no="PA-1", expiry_month=NEXT_YEAR)]))
    return ready, other


def transfer_of(device: EnrolledDevice, sequence: int, to: EnrolledDevice, qty: int) -> dict:
    return transfer_event(device, sequence, to.facility_code, [
        make_movement("PARA500", -qty, batch_no="PA-1", expiry_month=NEXT_YEAR)])


def number_of(event: dict) -> str:
    return str(event["payload"]["document"]["number"])


def test_a_reversed_transfer_withdraws_its_voucher_even_for_a_desk_that_pulled_it(
        store: Store, two: tuple[EnrolledDevice, EnrolledDevice]) -> None:
    """The receiver pulled the voucher; the sender reverses the transfer; the receiver's next
    pull, from its own cursor, hands the voucher out again marked withdrawn (and only once);
    a voucher issued after the withdrawal still comes after that cursor; a receipt of the
    withdrawn voucher from a desk that never heard is a conflict."""
    sender, receiver = two
    push_ok(receiver, make_event(receiver, 1, type="receipt", movements=[
        make_movement("PARA500", 10, batch_no="R-1", expiry_month=NEXT_YEAR)]))

    def on_its_way() -> list[int]:
        return [h.in_transit for h in redistribution._holdings(
            store, "Jaipur", dt.date.today(), facility=receiver.facility_code)]

    transfer = transfer_of(sender, 2, receiver, 300)
    push_ok(sender, transfer)
    assert on_its_way() == [300]
    first = pull(receiver, 1)
    (voucher,) = first["vouchers"]
    assert voucher["number"] == number_of(transfer) and voucher["withdrawn"] is None
    assert pull(receiver, after=first["cursor"])["vouchers"] == []

    reversal = reversal_of(sender, 3, transfer)
    push_ok(sender, reversal)
    assert store.stock_rows(sender.facility_code)[("PARA500", "PA-1")] == (NEXT_YEAR, 1000)
    again = pull(receiver, 1, after=first["cursor"])
    (withdrawn,) = again["vouchers"]
    assert withdrawn == {**voucher, "withdrawn": {"reversal_number": number_of(reversal),
                                                  "reversed_on": utc_now().date().isoformat()}}
    assert pull(receiver, after=again["cursor"])["vouchers"] == []
    # From the start, it is there once, as it now stands.
    assert [v["withdrawn"] is not None for v in pull(receiver, 1)["vouchers"]] == [True]
    (kept,) = indents.vouchers(store, district="Jaipur")
    assert kept.reversed_by == number_of(reversal) and kept.withdrawn_at is not None
    assert not kept.conflict
    assert on_its_way() == [0]  # redistribution no longer counts it
    assert models.VoucherPage.model_validate(again).vouchers[0].withdrawn is not None

    # The sender transfers again: the new voucher comes after the receiver's cursor.
    later = transfer_of(sender, 4, receiver, 100)
    push_ok(sender, later)
    (new,) = pull(receiver, 1, after=again["cursor"])["vouchers"]
    assert new["number"] == number_of(later) and new["withdrawn"] is None

    # A desk that received the withdrawn voucher before it heard: kept, and a conflict.
    receipt = receipt_event(receiver, 2, voucher)
    push_ok(receiver, receipt)
    (conflict,) = indents.conflicts(store, district="Jaipur")
    assert (conflict.number, conflict.receipt_number, conflict.reversal_number, conflict.units) \
        == (number_of(transfer), number_of(receipt), number_of(reversal), 300)
    assert conflict.received_after_withdrawal and conflict.settled_at is None
    assert indents.conflicts(store, facility_code=sender.facility_code) == [conflict]
    assert indents.conflicts(store, district="Ajmer") == []


def test_a_transfer_received_before_its_reversal_is_a_conflict_the_district_settles(
        store: Store, two: tuple[EnrolledDevice, EnrolledDevice]) -> None:
    """Received, then reversed by the sender: the server cannot take the units back, so the
    voucher stays received and the refused page lists the conflict. The receiver reversing its
    receipt settles one by itself (the voucher is then withdrawn, and pulled so); the district
    officer marks the other settled, saying how; a warehouse account may not."""
    sender, receiver = two
    transfers = [transfer_of(sender, 2, receiver, 300), transfer_of(sender, 3, receiver, 200)]
    push_ok(sender, *transfers)
    first = pull(receiver, 2)
    receipts = [receipt_event(receiver, n, v) for n, v in enumerate(first["vouchers"], start=1)]
    push_ok(receiver, *receipts)
    push_ok(sender, reversal_of(sender, 4, transfers[0]), reversal_of(sender, 5, transfers[1]))
    assert pull(receiver, after=first["cursor"])["vouchers"] == []  # nothing withdrawn
    listed = indents.conflicts(store, district="Jaipur")
    assert [(c.number, c.received_after_withdrawal) for c in listed] == \
        [(number_of(transfers[1]), False), (number_of(transfers[0]), False)]
    assert all(v.conflict for v in indents.vouchers(store, district="Jaipur"))

    # The receiver finds the first one never came: it reverses its receipt.
    push_ok(receiver, reversal_of(receiver, 3, receipts[0]))
    (withdrawn,) = pull(receiver, 1, after=first["cursor"])["vouchers"]
    assert withdrawn["number"] == number_of(transfers[0]) and withdrawn["withdrawn"] is not None
    assert [c.number for c in indents.conflicts(store, district="Jaipur")] == [number_of(transfers[1])]
    assert store.stock_rows(receiver.facility_code)[("PARA500", "PA-1")] == (NEXT_YEAR, 200)

    # The other is settled by a person, on the refused page.
    (open_one,) = indents.conflicts(store, district="Jaipur")
    officer = web_login(sender.base_url, "officer")
    page = officer.get(f"{sender.base_url}/refused", params={"district": "Jaipur"}, timeout=30)
    assert page.status_code == 200
    row = re.search(rf'<tr data-voucher="{open_one.voucher_id}".*?</tr>', page.text, re.S)
    assert row is not None and "CHC Bassi" in row.group(0) and "Mark settled" in row.group(0)
    assert number_of(transfers[1]) in row.group(0) and number_of(receipts[1]) in row.group(0)
    warehouse = web_login(sender.base_url, "ware")
    form = warehouse.get(f"{sender.base_url}/refused", params={"district": "Jaipur"}, timeout=30)
    assert "Mark settled" not in form.text
    token = csrf_of(warehouse.get(f"{sender.base_url}/warehouse/vouchers/new", timeout=30).text)
    refused = warehouse.post(f"{sender.base_url}/conflicts/{open_one.voucher_id}/settle",
                             data={"csrf": token, "note": "x"}, timeout=30,
                             allow_redirects=False)
    assert refused.status_code == 403
    settled = officer.post(f"{sender.base_url}/conflicts/{open_one.voucher_id}/settle",
                           data={"csrf": csrf_of(page.text), "note": "stock sent back as TRF/9"},
                           timeout=30, allow_redirects=False)
    assert settled.status_code == 303 and settled.headers["location"] == "/refused?district=Jaipur"
    (done,) = indents.conflicts(store, district="Jaipur")
    assert (done.settled_by, done.note) == ("officer", "stock sent back as TRF/9")
    assert done.settled_at is not None
    assert not indents.settle_conflict(store, done.voucher_id, "officer", "again")
    page = officer.get(f"{sender.base_url}/refused", params={"district": "Jaipur"}, timeout=30)
    assert "Mark settled" not in page.text and "stock sent back as TRF/9" in page.text


def test_a_reversal_that_arrives_before_its_transfer_issues_no_voucher(
        store: Store, two: tuple[EnrolledDevice, EnrolledDevice]) -> None:
    """Events of a desk may arrive in any order (a transfer refused, then sent again under a
    fresh epoch after its reversal went up): the reversal names what it reverses, so the
    transfer arriving after it makes no voucher."""
    sender, receiver = two
    transfer = transfer_of(sender, 2, receiver, 300)
    push_ok(sender, reversal_of(sender, 3, transfer))
    push_ok(sender, transfer)
    assert pull(receiver)["vouchers"] == []
    assert indents.vouchers(store, district="Jaipur") == []
    assert store.stock_rows(sender.facility_code)[("PARA500", "PA-1")] == (NEXT_YEAR, 1000)
    # A reversal of a transfer to a ward (no voucher) is kept too, and does nothing else.
    ward = make_event(sender, 4, type="transfer", movements=[
        make_movement("PARA500", -5, batch_no="PA-1", expiry_month=NEXT_YEAR)])
    push_ok(sender, ward, reversal_of(sender, 5, ward))
    assert pull(receiver)["vouchers"] == []


def test_cursors_handed_out_before_0009_still_hold(db_url: str) -> None:
    """A server migrated to 0009 with vouchers on it: a desk's cursor from before goes on where
    it was, and a voucher issued after the migration comes after it, once."""
    def page_after(store: Store, cursor: str, count: int) -> dict:
        deadline = time.monotonic() + 30  # PostgreSQL's horizon: see testing_supply.pull_vouchers
        while True:
            found = indents.voucher_page(store, "CHC-JPR-001", cursor, 10)
            if len(found["vouchers"]) >= count or time.monotonic() > deadline:
                return dict(found)
            time.sleep(0.1)

    def issue_one(store: Store, batch: str) -> str:
        warehouse = indents.warehouse_of(store, "Jaipur")
        assert warehouse is not None
        return indents.issue_voucher(store, warehouse, "CHC-JPR-001",
                                     [indents.VoucherLineIn("PARA500", batch, NEXT_YEAR, 10)], "ware")

    old = open_store(db_url, migrate=False)
    try:
        old.migrate(up_to=8)
        add_facility(old, "CHC-JPR-001", district="Jaipur")
        indents.add_warehouse(old, "DDW-JAI", "DDW Jaipur", "Jaipur")
        numbers = [issue_one(old, "B-1"), issue_one(old, "B-2")]
        # The cursor the server handed out after both, as it made it before 0009.
        with old._read() as cur:  # noqa: SLF001 - what the database holds
            cur.execute("SELECT txid, id FROM voucher ORDER BY id DESC LIMIT 1")
            txid, last_id = cur.fetchone()
        cursor = f"{old.instance_id()}-{int(str(txid))}-{last_id}"
    finally:
        old.close()
    migrated = open_store(db_url)
    try:
        assert page_after(migrated, cursor, 0)["vouchers"] == []
        later = issue_one(migrated, "B-3")
        after = page_after(migrated, cursor, 1)
        assert [v["number"] for v in after["vouchers"]] == [later]
        assert page_after(migrated, after["cursor"], 0)["vouchers"] == []
        assert [v["number"] for v in page_after(migrated, "", 3)["vouchers"]] == [*numbers, later]
    finally:
        migrated.close()
