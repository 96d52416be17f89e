"""Any sequence of valid and invalid operations keeps the ledger's invariants.

A hypothesis state machine drives receipts, dispenses (with and without a chosen batch, short
stock), adjustments, transfers, stocktakes and reversals against a real store while the clock
moves forward (so batches expire). A small model of its own predicts, for every operation,
which refusal (if any) the store must raise and which batches FEFO must take; after every step
the store's batches must equal the model's, and the invariants must hold: balance equals the
ledger sum per batch, no negative stock, one outbox event per document, contiguous sequences
and document numbers, doctor() empty. A refused operation must leave every table unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from ledger_checks import assert_unchanged, at, check_invariants, facility_template, snapshot

from ihms_desk.store import Store
from ihms_desk.store.errors import (
    AlreadyReversed,
    BatchExpired,
    BatchExpiryMismatch,
    DocumentNotFound,
    InvalidInput,
    InvalidQuantity,
    PermissionDenied,
    Refusal,
    StockTooLow,
    UnknownBatch,
    UnknownItem,
)
from ihms_desk.store.model import (
    AdjustmentLine,
    AdjustmentReason,
    DispenseLine,
    Patient,
    ReceiptLine,
    StocktakeCount,
    TransferLine,
)
from ihms_desk.store.rules import MAX_DISPENSE_QTY, MAX_LINE_QTY
from tests.conftest import FakeClock

ITEMS = ("D0001", "D0002", "D0003")
UNKNOWN = "ZZZ9"
#: Mostly catalogue items, sometimes one that is not in the catalogue.
CODES = (*ITEMS, *ITEMS, *ITEMS, UNKNOWN)
BATCHES = ("B0", "B1", "B2")
#: Mostly sensible quantities, sometimes zero, negative or beyond the bounds.
QUANTITIES = st.one_of(st.sampled_from([1, 3, 10, 40, 150, 600]), st.sampled_from([2, 10, 25, 80]), st.sampled_from([5, 30, 300]),
                       st.sampled_from([MAX_DISPENSE_QTY + 1, MAX_LINE_QTY + 1, 0, -2]))

@functools.cache
def template() -> Path:
    """A set-up database made once for all examples."""
    return facility_template("ihms-stateful-template-", at(2026, 11, 20), ITEMS,
                             users=(("incharge", "in_charge"), ("pharma", "pharmacist"), ("clerk", "store_clerk")))


def month_plus(day: dt.date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class ModelBatch:
    item: str
    batch_no: str
    expiry: str
    qty: int
    order: int


@dataclass
class ModelDocument:
    number: str
    kind: str
    movements: list[tuple[str, str, int]]  # item, batch, signed qty
    reversed: bool = False


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ihms-stateful-"))
        shutil.copy(template() / "ihms-desk.sqlite3", self.folder / "ihms-desk.sqlite3")
        self.clock = FakeClock(at(2026, 11, 20))
        self.store = Store.open(self.folder, clock=self.clock)
        self.batches: dict[tuple[str, str], ModelBatch] = {}
        self.documents: list[ModelDocument] = []
        self.patients = 0
        self.backdate = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the model ------------------------------------------------------------------------

    @property
    def doc_date(self) -> dt.date:
        """The date of the document being saved: today, or a few days back (paper slips)."""
        return self.clock().date() - dt.timedelta(days=self.backdate)

    @property
    def month(self) -> str:
        return self.doc_date.strftime("%Y-%m")

    def usable(self, item: str, chosen: str | None = None) -> list[ModelBatch]:
        batches = sorted((b for b in self.batches.values() if b.item == item and b.qty > 0 and b.expiry >= self.month),
                         key=lambda b: (b.expiry, b.order))
        if chosen is not None:
            batches.sort(key=lambda b: b.batch_no != chosen)
        return batches

    def allocate(self, item: str, wanted: int, chosen: str | None,
                 taken: dict[tuple[str, str], int] | None = None) -> list[tuple[str, str, int]]:
        """FEFO over the model; ``taken`` is what earlier lines of the same document took."""
        taken = {} if taken is None else taken
        moves = []
        for batch in self.usable(item, chosen):
            if wanted <= 0:
                break
            key = (item, batch.batch_no)
            take = min(wanted, batch.qty - taken.get(key, 0))
            if take <= 0:
                continue
            moves.append((item, batch.batch_no, -take))
            taken[key] = taken.get(key, 0) + take
            wanted -= take
        return moves

    def apply(self, number: str, kind: str, movements: list[tuple[str, str, int]]) -> None:
        for item, batch_no, qty in movements:
            self.batches[(item, batch_no)].qty += qty
            assert self.batches[(item, batch_no)].qty >= 0
        self.documents.append(ModelDocument(number, kind, movements))

    def run(self, user: str, expected: type[Refusal] | None, operation, movements: list[tuple[str, str, int]] | None = None):  # type: ignore[no-untyped-def]
        """Run ``operation`` as ``user``: it must raise exactly ``expected`` and write nothing, or
        succeed and move exactly ``movements`` (when given)."""
        self.store.act_as(user)
        event(f"{getattr(operation, '__qualname__', '').split('.')[1]}: {expected.__name__ if expected else 'saved'}")
        if expected is not None:
            before = snapshot(self.store)
            try:
                operation()
            except Refusal as error:
                assert type(error) is expected, f"expected {expected.__name__}, got {type(error).__name__}: {error}"
            else:
                raise AssertionError(f"expected {expected.__name__}, but the operation was saved")
            assert_unchanged(before, self.store)
            return None
        document = operation()
        moved = [(m["item_code"], m["batch_no"], m["qty"]) for m in document.movements]
        if movements is not None:
            assert moved == movements, f"{document.number}: moved {moved}, expected {movements}"
        return document, moved

    # -- rules ----------------------------------------------------------------------------

    @initialize()
    def opening_stock(self) -> None:
        self.receive([(code, batch_no, offset, 200) for code in ITEMS for batch_no, offset in (("B0", 2), ("B1", 5))])

    @rule(code=st.sampled_from(ITEMS), batch_no=st.sampled_from(BATCHES), qty=st.integers(1, 500), offset=st.sampled_from([1, 3, 8]))
    def restock(self, code: str, batch_no: str, qty: int, offset: int) -> None:
        """A receipt that is valid unless its batch has expired meanwhile (more receipts save)."""
        known = self.batches.get((code, batch_no))
        if known is not None:
            today = self.clock().date()
            year, month = (int(part) for part in known.expiry.split("-"))
            offset = year * 12 + month - (today.year * 12 + today.month)
        self.receive([(code, batch_no, offset, qty)])

    @rule(lines=st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(BATCHES), st.sampled_from([-1, 0, 1, 2, 2, 5, 5, 14]),
                                   QUANTITIES), min_size=1, max_size=3))
    def receive(self, lines: list[tuple[str, str, int, int]]) -> None:
        today = self.clock().date()
        expected: type[Refusal] | None = None
        for code, _, offset, qty in lines:  # checked line by line before anything is written
            if code == UNKNOWN:
                expected = UnknownItem
            elif offset < 0:
                expected = BatchExpired
            elif not 1 <= qty <= MAX_LINE_QTY:
                expected = InvalidQuantity
            if expected:
                break
        if expected is None:
            known = {key: b.expiry for key, b in self.batches.items()}
            for code, batch_no, offset, _ in lines:
                expiry = known.setdefault((code, batch_no), month_plus(today, offset))
                if expiry != month_plus(today, offset):
                    expected = BatchExpiryMismatch
                    break
        receipt = [ReceiptLine(code, batch_no, month_plus(today, offset), qty) for code, batch_no, offset, qty in lines]
        result = self.run("clerk", expected, lambda: self.store.receive(
            source="ddw", voucher_no=f"V-{uuid.uuid4().hex[:10]}", voucher_date=today, lines=receipt),
            [(c, b, q) for c, b, _, q in lines])
        if result:
            document, moved = result
            for code, batch_no, offset, _ in lines:
                if (code, batch_no) not in self.batches:
                    self.batches[(code, batch_no)] = ModelBatch(code, batch_no, month_plus(today, offset), 0, len(self.batches))
            self.apply(document.number, "receipt", moved)

    @rule(lines=st.lists(st.tuples(st.sampled_from(CODES), QUANTITIES, st.one_of(st.none(), QUANTITIES),
                                   st.one_of(st.none(), st.none(), st.sampled_from(BATCHES))), min_size=1, max_size=2,
                         unique_by=lambda line: line[0]),
          back=st.sampled_from([0, 0, 0, 2, 25]))
    def dispense(self, lines: list[tuple[str, int, int | None, str | None]], back: int) -> None:
        """Backdated slips (``back`` days) use the batches usable on their date, and their year's numbers."""
        self.backdate = back
        try:
            self._dispense(lines)
        finally:
            self.backdate = 0

    def _dispense(self, lines: list[tuple[str, int, int | None, str | None]]) -> None:
        expected: type[Refusal] | None = None
        for _, prescribed, qty, _ in lines:
            if not 1 <= prescribed <= MAX_DISPENSE_QTY:
                expected = InvalidQuantity
            elif qty is not None and qty != 0 and not 1 <= qty <= MAX_DISPENSE_QTY:
                expected = InvalidQuantity
            elif qty is not None and qty > prescribed:
                expected = InvalidInput
            if expected:
                break
        movements: list[tuple[str, str, int]] = []
        if expected is None:
            for code, prescribed, qty, chosen in lines:
                if code == UNKNOWN:
                    expected = UnknownItem
                    break
                if chosen is not None:
                    batch = self.batches.get((code, chosen))
                    if batch is None:
                        expected = UnknownBatch
                        break
                    if batch.expiry < self.month:
                        expected = BatchExpired
                        break
                wanted = prescribed if qty is None else qty
                if chosen is not None and wanted > 0 and self.batches[(code, chosen)].qty <= 0:
                    expected = StockTooLow  # an empty chosen batch is refused, not swapped
                    break
                if qty is not None and sum(b.qty for b in self.usable(code)) < wanted:
                    expected = StockTooLow
                    break
                movements += self.allocate(code, wanted, chosen)
        self.patients += 1
        patient = Patient(f"OPD/{self.patients}", "Patient", 40, "F")
        doc_date = self.doc_date if self.backdate else None
        result = self.run("pharma", expected, lambda: self.store.dispense(
            patient=patient, prescriber="Dr", lines=[DispenseLine(c, p, q, b) for c, p, q, b in lines], doc_date=doc_date),
            movements)
        if result:
            document, moved = result
            for line, (code, prescribed, qty, _) in zip(document.lines, lines):
                dispensed = -sum(q for c, _, q in moved if c == code)
                assert (line["qty_prescribed"], line["qty_dispensed"], line["not_available"]) == (
                    prescribed, dispensed, prescribed - dispensed)
            self.apply(document.number, "dispense", moved)

    @rule(lines=st.lists(st.tuples(st.sampled_from(CODES), QUANTITIES, st.one_of(st.none(), st.none(), st.sampled_from(BATCHES))),
                         min_size=1, max_size=3))
    def transfer(self, lines: list[tuple[str, int, str | None]]) -> None:
        """One item may be on several lines; each line sees what the earlier ones took."""
        expected: type[Refusal] | None = None
        movements: list[tuple[str, str, int]] = []
        taken: dict[tuple[str, str], int] = {}
        for code, qty, chosen in lines:
            if not 1 <= qty <= MAX_LINE_QTY:
                expected = InvalidQuantity
            elif code == UNKNOWN:
                expected = UnknownItem
            elif chosen is not None and (code, chosen) not in self.batches:
                expected = UnknownBatch
            elif chosen is not None and self.batches[(code, chosen)].expiry < self.month:
                expected = BatchExpired
            elif chosen is not None and self.batches[(code, chosen)].qty - taken.get((code, chosen), 0) <= 0:
                expected = StockTooLow  # an empty chosen batch is refused, not swapped
            else:
                moves = self.allocate(code, qty, chosen, taken)
                if -sum(q for _, _, q in moves) < qty:
                    expected = StockTooLow
                movements += moves
            if expected:
                break
        result = self.run("clerk", expected, lambda: self.store.transfer_out(
            destination_type="ward", destination_name="Ward 1", lines=[TransferLine(c, q, b) for c, q, b in lines]),
            [] if expected else movements)
        if result:
            self.apply(result[0].number, "transfer", result[1])

    @rule(reason=st.sampled_from(list(AdjustmentReason)),
          lines=st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(BATCHES), st.one_of(QUANTITIES, QUANTITIES.map(lambda q: -q))),
                         min_size=1, max_size=2),
          user=st.sampled_from(["incharge", "incharge", "clerk"]))
    def adjust(self, reason: AdjustmentReason, lines: list[tuple[str, str, int]], user: str) -> None:
        """One or two lines, possibly of the same batch: together they must not overdraw it."""
        expected: type[Refusal] | None = None
        movements: list[tuple[str, str, int]] = []
        if reason.is_write_off and user == "clerk":
            expected = PermissionDenied
        for code, batch_no, qty in lines if expected is None else []:
            batch = self.batches.get((code, batch_no))
            if code == UNKNOWN:
                expected = UnknownItem
            elif batch is None:
                expected = UnknownBatch
            elif reason.direction == 0 and qty == 0:
                expected = InvalidInput
            elif reason.direction == 0 and abs(qty) > MAX_LINE_QTY:
                expected = InvalidQuantity
            elif reason.direction != 0 and not 1 <= qty <= MAX_LINE_QTY:
                expected = InvalidQuantity
            else:
                delta = qty if reason.direction == 0 else reason.direction * qty
                if batch.qty + delta < 0:  # each line against the balance before the document
                    expected = StockTooLow
                movements.append((code, batch_no, delta))
            if expected:
                break
        if expected is None:  # then the lines together, as the save applies them
            balance = {key: b.qty for key, b in self.batches.items()}
            for code, batch_no, delta in movements:
                balance[(code, batch_no)] += delta
                if balance[(code, batch_no)] < 0:
                    expected = StockTooLow
        result = self.run(user, expected, lambda: self.store.adjust(
            reason=reason, lines=[AdjustmentLine(c, b, q) for c, b, q in lines]), movements)
        if result:
            self.apply(result[0].number, "adjustment", result[1])

    @precondition(lambda self: self.batches)
    @rule(picks=st.lists(st.integers(0, 30), min_size=1, max_size=3), counts=st.lists(st.integers(-1, 400), min_size=3, max_size=3))
    def stocktake(self, picks: list[int], counts: list[int]) -> None:
        keys = sorted(self.batches)
        chosen = [keys[pick % len(keys)] for pick in picks]
        expected: type[Refusal] | None = None
        seen: set[tuple[str, str]] = set()
        for key, counted in zip(chosen, counts):
            if key in seen:
                expected = InvalidInput
                break
            seen.add(key)
            if counted < 0:
                expected = InvalidInput
                break
        movements = [] if expected else [
            (item, batch_no, counted - self.batches[(item, batch_no)].qty)
            for (item, batch_no), counted in zip(chosen, counts) if counted != self.batches[(item, batch_no)].qty
        ]
        result = self.run("clerk", expected, lambda: self.store.stocktake(
            [StocktakeCount(item, batch_no, counted) for (item, batch_no), counted in zip(chosen, counts)]), movements)
        if result:
            self.apply(result[0].number, "stocktake", result[1])

    @rule(pick=st.integers(0, 1000), user=st.sampled_from(["incharge", "incharge", "admin", "pharma"]))
    def reverse(self, pick: int, user: str) -> None:
        target = self.documents[pick % len(self.documents)] if self.documents and pick < 900 else None
        number = target.number if target else "DSP/2026-27/999999"
        expected: type[Refusal] | None = None
        movements: list[tuple[str, str, int]] = []
        if user == "pharma":
            expected = PermissionDenied
        elif target is None:
            expected = DocumentNotFound
        elif target.kind == "reversal" or target.reversed:
            expected = AlreadyReversed
        else:
            movements = [(item, batch_no, -qty) for item, batch_no, qty in target.movements]
            needed: dict[tuple[str, str], int] = {}
            for item, batch_no, qty in movements:
                if qty < 0:
                    needed[(item, batch_no)] = needed.get((item, batch_no), 0) - qty
            if any(self.batches[key].qty < qty for key, qty in needed.items()):
                expected = StockTooLow
        result = self.run(user, expected, lambda: self.store.reverse(number, reason="test"), movements)
        if result:
            assert target is not None
            target.reversed = True
            self.apply(result[0].number, "reversal", result[1])

    @rule(days=st.sampled_from([1, 9, 31, 45, 130]))
    def time_passes(self, days: int) -> None:
        self.clock.current += dt.timedelta(days=days)

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def ledger_is_sound(self) -> None:
        rows = self.store.conn.execute(
            "SELECT i.code, b.batch_no, b.expiry_month, coalesce(s.qty, 0) FROM batch b JOIN item i ON i.id = b.item_id "
            "LEFT JOIN stock s ON s.batch_id = b.id"
        ).fetchall()
        assert {(r[0], r[1]): (r[2], r[3]) for r in rows} == {key: (b.expiry, b.qty) for key, b in self.batches.items()}
        assert [r[0] for r in self.store.conn.execute("SELECT number FROM document ORDER BY id")] == [d.number for d in self.documents]
        check_invariants(self.store)


LedgerMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestLedger = LedgerMachine.TestCase
