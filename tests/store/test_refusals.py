"""Every refusal is a typed exception with a plain message, and writes nothing; environment
failures (read-only file, disk full, locked database) are their own kind and write nothing."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable

import pytest
from ledger_checks import assert_unchanged, at, check_invariants, count, receive, snapshot

from ihms_desk.store import Store
from ihms_desk.store.errors import (
    AlreadyReversed,
    BatchExpired,
    BatchExpiryMismatch,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    DocumentNotFound,
    EnvironmentProblem,
    InvalidABHA,
    InvalidInput,
    InvalidQuantity,
    LoginFailed,
    NotLoggedIn,
    NotSetUp,
    PermissionDenied,
    Refusal,
    StockTooLow,
    UnknownBatch,
    UnknownItem,
    classify_sqlite_error,
)
from ihms_desk.store.model import AdjustmentLine, DispenseLine, Patient, ReceiptLine, StocktakeCount, TransferLine

PATIENT = Patient("OPD/1", "Sita Devi", 34, "F")


def _dispense(*lines: DispenseLine, patient: Patient = PATIENT) -> Callable[[Store], object]:
    return lambda s: s.dispense(patient=patient, prescriber="Dr. X", lines=list(lines))


def _receive(*lines: ReceiptLine) -> Callable[[Store], object]:
    return lambda s: s.receive(source="ddw", voucher_no="V9", voucher_date=s.today(), lines=list(lines))


#: (what is refused, who does it, the operation, the exception expected)
REFUSALS: list[tuple[str, str, Callable[[Store], object], type[Refusal]]] = [
    ("stock too low, explicit qty", "pharma", _dispense(DispenseLine("D0001", 500, 500)), StockTooLow),
    ("stock too low, 2nd line", "pharma", _dispense(DispenseLine("D0002", 5), DispenseLine("D0001", 500, 500)), StockTooLow),
    ("transfer more than stock", "clerk", lambda s: s.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 1, None), TransferLine("D0002", 999)]), StockTooLow),
    ("write off more than batch", "incharge", lambda s: s.adjust(reason="damaged", lines=[AdjustmentLine("D0001", "MID", 51)]), StockTooLow),
    ("reverse receipt whose stock is gone", "incharge", lambda s: s.reverse("RCV/2026-27/000002", reason="x"), StockTooLow),
    ("expired batch chosen", "pharma", _dispense(DispenseLine("D0002", 1), DispenseLine("D0001", 1, batch_no="OLD")), BatchExpired),
    ("expired batch transferred", "clerk", lambda s: s.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 1, "OLD")]), BatchExpired),
    ("expired stock received", "clerk", _receive(ReceiptLine("D0002", "NEW", "2027-05", 5), ReceiptLine("D0003", "X", "2026-10", 5)), BatchExpired),
    ("unknown item dispensed", "pharma", _dispense(DispenseLine("D0001", 1), DispenseLine("ZZZ", 1)), UnknownItem),
    ("unknown item received", "clerk", _receive(ReceiptLine("D0001", "MID", "2027-03", 5), ReceiptLine("ZZZ", "B", "2027-05", 5)), UnknownItem),
    ("unknown batch adjusted", "clerk", lambda s: s.adjust(reason="found", lines=[AdjustmentLine("D0001", "MID", 1), AdjustmentLine("D0001", "NOPE", 1)]), UnknownBatch),
    ("unknown batch counted", "clerk", lambda s: s.stocktake([StocktakeCount("D0001", "MID", 1), StocktakeCount("D0001", "NOPE", 1)]), UnknownBatch),
    ("unknown batch chosen", "pharma", _dispense(DispenseLine("D0001", 1, batch_no="NOPE")), UnknownBatch),
    ("zero quantity received", "clerk", _receive(ReceiptLine("D0001", "MID", "2027-03", 0)), InvalidQuantity),
    ("huge quantity received", "clerk", _receive(ReceiptLine("D0001", "MID", "2027-03", 1_000_001)), InvalidQuantity),
    ("fractional quantity transferred", "clerk", lambda s: s.transfer_out(destination_type="ward", destination_name="W", lines=[TransferLine("D0001", 1.5)]), InvalidQuantity),  # type: ignore[arg-type]
    ("negative dispense", "pharma", _dispense(DispenseLine("D0001", -1)), InvalidQuantity),
    ("bad ABHA", "pharma", _dispense(DispenseLine("D0001", 1), patient=Patient("OPD/1", "A", 3, "F", "1234")), InvalidABHA),
    ("pharmacist receives", "pharma", _receive(ReceiptLine("D0001", "MID", "2027-03", 5)), PermissionDenied),
    ("clerk dispenses", "clerk", _dispense(DispenseLine("D0001", 1)), PermissionDenied),
    ("clerk writes off", "clerk", lambda s: s.adjust(reason="lost", lines=[AdjustmentLine("D0001", "MID", 1)]), PermissionDenied),
    ("pharmacist reverses", "pharma", lambda s: s.reverse("RCV/2026-27/000001", reason="x"), PermissionDenied),
    ("pharmacist counts", "pharma", lambda s: s.stocktake([StocktakeCount("D0001", "MID", 1)]), PermissionDenied),
    ("pharmacist imports catalogue", "pharma", lambda s: s.import_catalogue_csv(io.StringIO("code,name,generic_name,strength,dosage_form,unit_of_issue,category\nX1,X,X,1,tablet,tablet,drug\n")), PermissionDenied),
    ("pharmacist creates user", "pharma", lambda s: s.create_user("x1", "X", "admin", "long-secret"), PermissionDenied),
    ("pharmacist changes setting", "pharma", lambda s: s.set_setting("near_expiry_days", "30"), PermissionDenied),
    ("batch expiry mismatch", "clerk", _receive(ReceiptLine("D0002", "NEW", "2027-05", 5), ReceiptLine("D0001", "MID", "2027-04", 5)), BatchExpiryMismatch),
    ("reverse twice", "incharge", lambda s: s.reverse("DSP/2026-27/000001", reason="x"), AlreadyReversed),
    ("reverse a reversal", "incharge", lambda s: s.reverse("REV/2026-27/000001", reason="x"), AlreadyReversed),
    ("reverse unknown document", "incharge", lambda s: s.reverse("DSP/2026-27/000099", reason="x"), DocumentNotFound),
    ("dispense with no lines", "pharma", _dispense(), InvalidInput),
    ("bad setting value", "incharge", lambda s: s.set_setting("near_expiry_days", "0"), InvalidInput),
    ("future document", "pharma", lambda s: s.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 1)], doc_date=at(2027, 1, 1).date()), InvalidInput),
]


@pytest.fixture
def busy(make_store) -> Store:  # type: ignore[no-untyped-def]
    """A ledger with one of everything, including an expired batch (OLD, 2026-10) still on the shelf."""
    store = make_store(user="clerk", start=at(2026, 10, 5))
    receive(store, ("D0001", "OLD", "2026-10", 20))
    store.clock.current = at(2026, 11, 20)
    receive(store, ("D0001", "MID", "2027-03", 50), ("D0002", "AMX1", "2027-12", 10), ("D0003", "ORS1", "2027-12", 8))
    store.act_as("pharma")
    store.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 5), DispenseLine("D0003", 8)])
    store.act_as("incharge")
    store.reverse("DSP/2026-27/000001", reason="wrong patient")
    store.act_as("pharma")
    store.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0003", 8)])  # ORS1 gone: RCV 2 cannot be reversed
    return store


@pytest.mark.parametrize(("what", "user", "operation", "error"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refusal_writes_nothing(busy: Store, what: str, user: str, operation: Callable[[Store], object], error: type[Refusal]) -> None:
    busy.act_as(user)
    before = snapshot(busy)
    assert before["document"] and before["outbox"]
    with pytest.raises(error) as refused:
        operation(busy)
    assert type(refused.value) is error, f"{what}: got {type(refused.value).__name__}"
    assert isinstance(refused.value, Refusal)
    message = refused.value.message
    assert message and message == str(refused.value) and "Traceback" not in message and len(message) < 300
    assert refused.value.code != "refused"
    assert_unchanged(before, busy)
    # The store is still usable after the refusal.
    busy.act_as("pharma")
    busy.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 1)])
    assert count(busy, "document") == len(before["document"]) + 1


def test_stock_too_low_says_how_much_there_is(busy: Store) -> None:
    with pytest.raises(StockTooLow) as refused:
        busy.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 60, 60)])
    assert (refused.value.requested, refused.value.available, refused.value.item_code) == (60, 50, "D0001")
    assert "Only 50 available" in refused.value.message
    assert refused.value.field == "quantity"


def test_not_logged_in_is_refused_and_writes_nothing(busy: Store) -> None:
    busy.logout()
    before = snapshot(busy)
    with pytest.raises(NotLoggedIn):
        busy.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 1)])
    assert_unchanged(before, busy)


def test_permission_refusals_are_audited(busy: Store) -> None:
    busy.act_as("pharma")
    with pytest.raises(PermissionDenied, match="may not record a receipt"):
        busy.receive(source="ddw", voucher_no="V", voucher_date=busy.today(), lines=[ReceiptLine("D0001", "MID", "2027-03", 1)])
    last = busy.audit_trail(1)[0]
    assert (last["username"], last["action"], last["outcome"], last["detail"]) == ("pharma", "receive", "refused", "record a receipt")


# -- environment failures ---------------------------------------------------------------------


def test_classify_sqlite_errors() -> None:
    def error(name: str, text: str) -> sqlite3.Error:
        e = sqlite3.OperationalError(text)
        e.sqlite_errorname = name  # type: ignore[attr-defined]
        return e

    assert isinstance(classify_sqlite_error(error("SQLITE_FULL", "database or disk is full")), DiskFull)
    assert isinstance(classify_sqlite_error(error("SQLITE_READONLY", "attempt to write a readonly database")), DatabaseReadOnly)
    assert isinstance(classify_sqlite_error(error("SQLITE_BUSY", "database is locked")), DatabaseLocked)
    assert classify_sqlite_error(error("SQLITE_ERROR", "no such table: nope")) is None
    assert classify_sqlite_error(sqlite3.IntegrityError("UNIQUE constraint failed")) is None


def _dispense_one(store: Store) -> None:
    store.dispense(patient=PATIENT, prescriber="Dr", lines=[DispenseLine("D0001", 1)])


def test_read_only_database_file(busy: Store) -> None:
    """A read-only file (as on a write-protected USB stick or a folder without rights). We run
    as root, for whom chmod does not stop writes, so open the file read-only through SQLite."""
    path = busy.path
    busy.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    store = Store(conn, path, clock=busy.clock)
    # act_as writes an audit row, which a read-only file refuses.
    with pytest.raises(DatabaseReadOnly) as problem:
        store.act_as("pharma")
    assert isinstance(problem.value, EnvironmentProblem) and "nothing was saved" in problem.value.message
    store.user = busy.user
    before = snapshot(store)
    with pytest.raises(DatabaseReadOnly):
        _dispense_one(store)
    assert_unchanged(before, store)
    assert sorted(row.item.code for row in store.stock_on_hand() if row.qty) == ["D0001", "D0002"]  # reading still works
    store.close()


def test_disk_full(busy: Store) -> None:
    """Disk full, simulated honestly: SQLite may not grow the file beyond its current pages."""
    busy.act_as("pharma")
    before = snapshot(busy)
    pages = busy.conn.execute("PRAGMA page_count").fetchone()[0]
    busy.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFull) as problem:
        for n in range(200):  # each dispense grows the file a little; soon a page is missing
            last_good = snapshot(busy)
            busy.dispense(patient=Patient(f"OPD/{n}", "A" * 90, 30, "F"), prescriber="Dr " + "x" * 90,
                          lines=[DispenseLine(code, 1) for code in ("D0001", "D0002", "D0003", "D0010", "S0001", "T0001")])
    assert "disk is full" in problem.value.message
    assert_unchanged(last_good, busy)  # the document that did not fit left nothing behind
    saved = count(busy, "document") - len(before["document"])
    # Whatever was saved before the disk filled is whole; the failed document left nothing.
    assert not busy.conn.in_transaction
    check_invariants(busy)
    serials = [row[0] for row in busy.conn.execute("SELECT serial FROM document WHERE kind = 'dispense' ORDER BY serial")]
    assert serials == list(range(1, len(serials) + 1)) and saved == len(serials) - 2
    busy.conn.execute("PRAGMA max_page_count = 1073741823")
    _dispense_one(busy)


def test_database_locked_by_another_writer(busy: Store) -> None:
    busy.act_as("pharma")
    busy.conn.execute("PRAGMA busy_timeout = 100")
    before = snapshot(busy)
    other = sqlite3.connect(busy.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLocked) as problem:
            _dispense_one(busy)
        assert "busy in another program" in problem.value.message
        assert not busy.conn.in_transaction
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_unchanged(before, busy)
    _dispense_one(busy)  # once the other copy lets go, saving works again


def test_a_failed_login_writes_only_its_audit_row(busy: Store) -> None:
    before = snapshot(busy)
    audit_rows = count(busy, "audit")
    with pytest.raises(LoginFailed):
        busy.login("pharma", "not-the-password")
    assert_unchanged(before, busy)
    assert count(busy, "audit") == audit_rows + 1


def test_not_set_up_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store.open(tmp_path) as store:
        with pytest.raises(NotSetUp, match="ihms-desk init"):
            store.require_facility()
        assert store.conn.execute("SELECT count(*) FROM facility").fetchone()[0] == 0
