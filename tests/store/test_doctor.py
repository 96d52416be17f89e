"""doctor(): a sound ledger passes; each kind of damage done behind the store's back is named."""

from __future__ import annotations

import sqlite3

import pytest
from ledger_checks import receive

from ihms_desk.store import Store
from ihms_desk.store.errors import DatabaseCorrupt
from ihms_desk.store.model import DispenseLine, Patient


@pytest.fixture
def ledger(make_store) -> Store:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk")
    receive(store, ("D0001", "B1", "2027-03", 100), ("D0002", "A1", "2027-05", 50))
    store.act_as("pharma")
    for n in range(3):
        store.dispense(patient=Patient(f"OPD/{n}", "P", 30, "M"), prescriber="Dr", lines=[DispenseLine("D0001", 5), DispenseLine("D0002", 2)])
    assert store.doctor() == []
    return store


def tamper(store: Store, *statements: str) -> None:
    """Change the file as a careless tool would: with plain sqlite3, guards dropped."""
    conn = sqlite3.connect(store.path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


DAMAGE: list[tuple[str, tuple[str, ...], str]] = [
    ("balance edited", ("UPDATE stock SET qty = qty + 1 WHERE batch_id = 1",), "Batch B1 of D0001: balance 86 but ledger sums to 85"),
    ("movement edited", ("UPDATE movement SET qty = -6 WHERE id = 3",), "but ledger sums to"),
    ("negative balance", ("UPDATE stock SET qty = -5 WHERE batch_id = 2",), "CHECK constraint failed in stock"),
    ("event deleted", ("DELETE FROM outbox WHERE sequence = 2",), "4 documents but 3 outbox events"),
    ("lines deleted", ("DELETE FROM document_line WHERE document_id = 3",), "has no lines (half saved)"),
    ("document missing", ("DELETE FROM outbox WHERE document_id = 3", "DELETE FROM movement WHERE document_id = 3",
                          "DELETE FROM document_line WHERE document_id = 3", "DELETE FROM document WHERE id = 3",
                          "UPDATE stock SET qty = qty - 5 WHERE batch_id = 1", "UPDATE stock SET qty = qty - 2 WHERE batch_id = 2",
                          "UPDATE consumption_month SET qty = qty - 5 WHERE item_id = 1",
                          "UPDATE consumption_month SET qty = qty - 2 WHERE item_id = 2"),
     "dispense numbers of 2026-27 have gaps: 2 documents, last number 3"),
    ("consumption edited", ("UPDATE consumption_month SET qty = qty + 3",), "Monthly consumption totals do not match the ledger"),
    ("consumption deleted", ("DELETE FROM consumption_month",), "Monthly consumption totals do not match the ledger"),
    ("sequence reused", ("UPDATE device SET next_sequence = 2",), "is not below the device's next sequence"),
    ("guards dropped", (), "append-only guard document_no_update is missing"),
    ("movement to no batch", ("UPDATE movement SET batch_id = 999 WHERE id = 1",), "Broken reference in table movement"),
    ("balance of no batch", ("INSERT INTO stock (batch_id, item_id, qty) VALUES (999, 1, 5)",), "1 balances belong to no batch"),
    ("document counter behind", ("UPDATE doc_counter SET last_serial = 1 WHERE kind = 'dispense'",),
     "dispense counter of 2026-27 is at 1 but the last number is 3"),
]


@pytest.mark.parametrize(("what", "statements", "expected"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_doctor_names_the_damage(ledger: Store, what: str, statements: tuple[str, ...], expected: str) -> None:
    tamper(ledger, *statements)
    problems = ledger.doctor()
    assert problems, f"{what}: doctor found nothing"
    assert any(expected in problem for problem in problems), problems


def test_a_file_that_is_not_a_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ihms-desk.sqlite3").write_bytes(b"garbage " * 1000)
    with pytest.raises(DatabaseCorrupt, match="damaged"):
        Store.open(tmp_path)


def test_damaged_pages_are_found(ledger: Store) -> None:
    path = ledger.path
    ledger.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # put everything in the main file
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'movement_batch'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:  # scribble over an index page
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\x07" * 200)
    try:
        store = Store.open(path.parent)
    except DatabaseCorrupt:
        return  # refusing to open a damaged file is as good as naming the damage
    try:
        problems = store.doctor()
        assert problems and problems[0].startswith("SQLite integrity check")
    finally:
        store.close()
