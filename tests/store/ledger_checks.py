"""Helpers the store tests share: snapshots of the ledger tables and the invariants of the ledger."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ihms_desk.store import Store
from ihms_desk.store.model import ReceiptLine, SavedDocument
from tests.conftest import IST



def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment in IST, for ``store.clock.current = at(...)``."""
    return dt.datetime(year, month, day, hour, tzinfo=IST)


def facility_template(prefix: str, start: dt.datetime, items: Iterable[str],
                      users: Iterable[tuple[str, str]] = ()) -> Path:
    """A set-up facility in a fresh temporary folder, with ``items`` in its catalogue and
    ``(username, role)`` users, for property tests to copy per example (scrypt hashing is
    slow on purpose, so it is made once)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    store = Store.open(folder, clock=lambda: start)
    store.set_up(code="RJ-T-1", name="CHC T", district="D", block="B", type="CHC",
                 admin_username="admin", admin_full_name="A", admin_password="long-secret")
    store.act_as("admin")
    for name, role in users:
        store.create_user(name, name, role, "long-secret")
    catalogue = folder / "items.csv"
    catalogue.write_text("code,name,generic_name,strength,dosage_form,unit_of_issue,category\n"
                         + "".join(f"{c},Item {c},Generic {c},1 mg,tablet,tablet,drug\n" for c in items))
    assert store.import_catalogue_csv(catalogue).ok
    store.close()
    return folder


#: Every table a saved document touches; a refusal must leave them all as they were.
LEDGER_TABLES = ("document", "document_line", "movement", "stock", "batch", "outbox", "doc_counter", "device",
                 "consumption_month", "item", "setting")


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, read through a separate connection (so it sees only
    what was committed, and nothing the store's own connection holds uncommitted)."""
    conn = sqlite3.connect(store.path)
    try:
        return {table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")] for table in LEDGER_TABLES}
    finally:
        conn.close()


def assert_unchanged(before: dict[str, list[tuple[Any, ...]]], store: Store) -> None:
    after = snapshot(store)
    for table in LEDGER_TABLES:
        assert after[table] == before[table], f"table {table} changed by a refusal"
    assert not store.conn.in_transaction, "the store's connection was left inside a transaction"


def receive(store: Store, *lines: tuple[str, str, str, int], day: dt.date | None = None) -> SavedDocument:
    """A DDW receipt of ``(item_code, batch_no, expiry_month, qty)`` lines, as the current user."""
    voucher_date = day or store.today()
    return store.receive(
        source="ddw", voucher_no=f"DDW/T/{uuid.uuid4().hex[:8]}", voucher_date=voucher_date,
        lines=[ReceiptLine(code, batch, expiry, qty) for code, batch, expiry, qty in lines], doc_date=day,
    )


def batch_qty(store: Store, item_code: str, batch_no: str) -> int:
    row = store.conn.execute(
        "SELECT coalesce(s.qty, 0) FROM batch b JOIN item i ON i.id = b.item_id LEFT JOIN stock s ON s.batch_id = b.id "
        "WHERE i.code = ? AND b.batch_no = ?", (item_code, batch_no)).fetchone()
    assert row is not None, f"no batch {batch_no} of {item_code}"
    return int(row[0])


def item_qty(store: Store, item_code: str) -> int:
    return int(store.conn.execute(
        "SELECT coalesce(sum(s.qty), 0) FROM stock s JOIN item i ON i.id = s.item_id WHERE i.code = ?", (item_code,)
    ).fetchone()[0])


def count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def check_invariants(store: Store) -> None:
    """The ledger's invariants, each checked from the raw tables (not through the store's own
    doctor alone, so a bug shared by the code and its doctor still shows)."""
    conn = store.conn
    # Each batch's balance equals the sum of its movements; no balance is negative.
    rows = conn.execute(
        "SELECT b.id, coalesce(s.qty, 0), (SELECT coalesce(sum(m.qty), 0) FROM movement m WHERE m.batch_id = b.id) "
        "FROM batch b LEFT JOIN stock s ON s.batch_id = b.id"
    ).fetchall()
    for batch_id, balance, ledger in rows:
        assert balance == ledger, f"batch {batch_id}: balance {balance} != ledger sum {ledger}"
        assert balance >= 0
    assert conn.execute("SELECT count(*) FROM stock WHERE qty < 0").fetchone()[0] == 0
    # Exactly one outbox event per document, carrying that document.
    documents = conn.execute("SELECT id, number, kind FROM document ORDER BY id").fetchall()
    events = conn.execute("SELECT sequence, event_id, document_id, type, payload FROM outbox ORDER BY sequence").fetchall()
    assert len(documents) == len(events)
    by_document = {row[2]: row for row in events}
    assert len(by_document) == len(events)
    for document_id, number, kind in documents:
        event = by_document[document_id]
        assert event[3] == kind
        # A payload dropped once acknowledged (store/footprint.py) is read as rebuilt.
        payload = json.loads(event[4] or store.event_payload(event[0]) or "")
        assert payload["document"]["number"] == number
        assert uuid.UUID(event[1]).version == 7
        # Every document has lines; its movements are the ones in its payload.
        assert conn.execute("SELECT count(*) FROM document_line WHERE document_id = ?", (document_id,)).fetchone()[0] >= 1
        movements = conn.execute("SELECT count(*) FROM movement WHERE document_id = ?", (document_id,)).fetchone()[0]
        assert movements == len(payload["movements"]), number
    # Sequences are contiguous from 1, and the device's next one follows the last.
    sequences = [row[0] for row in events]
    assert sequences == list(range(1, len(sequences) + 1))
    # The hybrid logical clock only moves forward along the sequence, whatever the PC clock does.
    hlcs = [row[0] for row in conn.execute("SELECT hlc FROM outbox ORDER BY sequence")]
    assert all(a < b for a, b in zip(hlcs, hlcs[1:])), hlcs
    assert conn.execute("SELECT next_sequence FROM device").fetchone()[0] == len(sequences) + 1
    # Document numbers per kind and financial year run 1..n without gaps.
    for kind, fy, n, top, low in conn.execute(
        "SELECT kind, financial_year, count(*), max(serial), min(serial) FROM document GROUP BY kind, financial_year"
    ):
        assert (n, top, low) == (n, n, 1), f"{kind} {fy}: {n} documents, serials {low}..{top}"
    assert store.doctor() == []
