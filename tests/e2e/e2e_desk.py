"""A desk for the end-to-end tests: a real data folder with a real SQLite ledger, documents
saved through the store's own API, and the convergence check every case ends with."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from ihms_desk.sync.device import enrol
from ihms_desk.sync.worker import SyncConfig, SyncOutcome, SyncWorker
from ihms_server.store import Store as ServerStore

FACILITY_CODE = "CHC-TEST-001"
PASSWORD = "e2e-password-1"
ITEMS_CSV = (
    "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"
    "D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,100,1\n"
    "D0002,Amoxicillin 250 mg Capsule,Amoxicillin,250 mg,capsule,capsule,drug,0,1\n"
    "D0003,ORS Powder,Oral Rehydration Salts,20.5 g,powder,sachet,drug,0,1\n"
)

#: Small times so that a failing pass is retried within the test's patience.
FAST = SyncConfig(backoff_base=0.05, backoff_cap=0.5, debounce=0.1, interval=3600.0,
                  connect_timeout=2.0, read_timeout=10.0, nightly_at=dt.time(23, 59, 59),
                  retry_pause=0.01)


def build_template(folder: Path) -> Path:
    """Set up a facility once (password hashing is slow on purpose); tests copy the file."""
    store = Store.open(folder)
    store.set_up(code=FACILITY_CODE, name="CHC Test", district="Jaipur", block="Sanganer", type="CHC",
                 admin_username="admin", admin_full_name="Test Admin", admin_password=PASSWORD)
    store.act_as("admin")
    csv_path = folder / "items.csv"
    csv_path.write_text(ITEMS_CSV, encoding="utf-8")
    assert store.import_catalogue_csv(csv_path).ok
    store.close()
    return folder


class Desk:
    """One counter PC: its data folder, a store acting as the administrator, and a worker.
    ``pc`` is the PC's own folder (its id and home markers): desks given the same one are
    on the same PC."""

    def __init__(self, template: Path | None, data_dir: Path, clock: Any = None, pc: Path | None = None) -> None:
        if template is not None:  # None: the folder is already there (a copied desk)
            data_dir.mkdir(parents=True)
            shutil.copy(template / "ihms-desk.sqlite3", data_dir / "ihms-desk.sqlite3")
        self.data_dir = data_dir
        self.pc = pc or data_dir.parent / f"pc-of-{data_dir.name}"
        self.clock = clock
        self.store = Store.open(data_dir, clock=clock) if clock else Store.open(data_dir)
        self.store.act_as("admin")
        # Tests save thousands of documents; durability per commit is not what they test.
        self.store.conn.execute("PRAGMA synchronous = NORMAL")
        self._receipts = 0
        self._patients = 0

    def close(self) -> None:
        self.store.close()

    def reopen(self) -> None:
        """As after the program is closed and started again (or the file was put back)."""
        self.store.close()
        self.store = Store.open(self.data_dir, clock=self.clock) if self.clock else Store.open(self.data_dir)
        self.store.act_as("admin")
        self.store.conn.execute("PRAGMA synchronous = NORMAL")

    def copy_folder_to(self, data_dir: Path) -> None:
        """Copy the whole data folder (database, token, marker) as someone cloning the PC, or a
        backup tool, would."""
        self.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copytree(self.data_dir, data_dir)

    def put_folder_back(self, copy: Path) -> None:
        """Replace the whole data folder with an older copy of it, as a technician would."""
        self.store.close()
        shutil.rmtree(self.data_dir)
        shutil.copytree(copy, self.data_dir)
        self.reopen()

    def put_database_back(self, backup: Path) -> None:
        """Replace the database file alone with an older copy; the rest of the folder stays."""
        self.store.close()
        database = self.data_dir / "ihms-desk.sqlite3"
        for suffix in ("-wal", "-shm"):
            (self.data_dir / (database.name + suffix)).unlink(missing_ok=True)
        shutil.copy(backup, database)
        self.reopen()

    def command(self, *args: str) -> list[str]:
        """The command line that runs ``ihms-desk`` on this desk's data folder, as a clerk would."""
        return [sys.executable, "-m", "ihms_desk", "--data-dir", str(self.data_dir), *args]

    def numbers(self) -> list[str]:
        return [row[0] for row in self.store.conn.execute("SELECT number FROM document ORDER BY id")]

    # -- documents ---------------------------------------------------------------------------

    def receive(self, qty: int = 100_000, item: str = "D0001", batch: str | None = None) -> str:
        self._receipts += 1
        document = self.store.receive(
            source="ddw", voucher_no=f"DDW/{self._receipts}", voucher_date=self.store.today(),
            lines=[ReceiptLine(item, batch or f"B{self._receipts}", "2040-12", qty, manufacturer="RMSCL",
                               unit_cost="0.18")])
        return document.number

    def dispense(self, count: int, item: str = "D0001", qty: int = 3) -> list[str]:
        numbers = []
        for _ in range(count):
            self._patients += 1
            document = self.store.dispense(
                patient=Patient(f"OPD-{self._patients}", "Sita Devi", 40, "F"), prescriber="Dr. Gupta",
                lines=[DispenseLine(item, qty)])
            numbers.append(document.number)
        return numbers

    # -- sync --------------------------------------------------------------------------------

    def enrol(self, server_url: str, code: str) -> None:
        enrol(self.store, server_url, code, device_name="e2e desk")

    def worker(self, config: SyncConfig = FAST, **kwargs: Any) -> SyncWorker:
        if self.clock is not None and "clock" not in kwargs:
            kwargs["clock"] = self.clock
        kwargs.setdefault("machine_dir", self.pc)
        kwargs.setdefault("device_name", f"PC {self.data_dir.name}")
        return SyncWorker(self.data_dir, replace(config, **kwargs))

    def sync_until_done(self, worker: SyncWorker | None = None, attempts: int = 50) -> SyncOutcome:
        worker = worker or self.worker()
        outcome = SyncOutcome()
        for _ in range(attempts):
            outcome = worker.sync_once()
            if outcome.complete:
                return outcome
        raise AssertionError(f"sync did not complete in {attempts} passes: {outcome}")

    def sync_until_vouchers(self, count: int, patience: float = 30.0) -> list[Any]:
        """Sync until the desk holds ``count`` vouchers waiting: on PostgreSQL the server hands a
        voucher out once every older transaction of the cluster has ended (docs/indents.md), and a
        test running beside this one may hold one open for a moment."""
        self.sync_until(lambda: len(self.store.vouchers()) >= count, patience)
        return self.store.vouchers()

    def sync_until(self, condition: Callable[[], object], patience: float = 30.0) -> None:
        """Sync until ``condition`` holds (or ``patience`` seconds passed: the caller asserts),
        for what the server hands out late on PostgreSQL (see :meth:`sync_until_vouchers`)."""
        deadline = time.monotonic() + patience
        while True:
            self.sync_until_done()
            if condition() or time.monotonic() > deadline:
                return
            time.sleep(0.2)

    # -- what the desk holds -----------------------------------------------------------------

    def poison_payload(self, sequence: int, kind: str = "receipt") -> None:
        """Make the event at ``sequence`` one a buggy older desk could have written: its
        document kind differs from the event's type. The outbox forbids edits, so the guards
        are lifted for this one change and put back."""
        conn = self.store.conn
        payload = json.loads(conn.execute("SELECT payload FROM outbox WHERE sequence = ?", (sequence,)).fetchone()[0])
        payload["document"]["kind"] = kind
        guards = [row[0] for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE name IN ('outbox_payload_fixed', 'outbox_payload_dropped')")]
        conn.execute("DROP TRIGGER IF EXISTS outbox_payload_fixed")
        conn.execute("DROP TRIGGER IF EXISTS outbox_payload_dropped")
        conn.execute("UPDATE outbox SET payload = ? WHERE sequence = ?", (json.dumps(payload), sequence))
        for guard in guards:
            conn.execute(guard)
        conn.commit()

    def counts(self) -> dict[str, int]:
        return self.store.outbox_counts()

    def outbox(self) -> list[dict[str, Any]]:
        rows = self.store.conn.execute(
            "SELECT o.event_id, o.sequence, o.epoch, o.status, o.reject_code, o.payload, d.number "
            "FROM outbox o JOIN document d ON d.id = o.document_id ORDER BY o.sequence").fetchall()
        # A payload dropped once acknowledged (store/footprint.py) is read as rebuilt.
        return [{**row, "payload": row["payload"] or self.store.event_payload(row["sequence"])} for row in rows]

    def stock(self) -> dict[tuple[str, str], int]:
        rows = self.store.conn.execute(
            "SELECT i.code, b.batch_no, s.qty FROM stock s JOIN batch b ON b.id = s.batch_id "
            "JOIN item i ON i.id = s.item_id").fetchall()
        return {(r[0], r[1]): r[2] for r in rows if r[2] != 0}


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "condition",
             pause: float = 0.02) -> None:
    """Poll ``condition`` until it holds; fail, naming ``what``, after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(pause)


def server_documents(server: ServerStore, facility_code: str = FACILITY_CODE) -> Counter[tuple[str, str]]:
    """(event id, document number) of every event the server holds for the facility."""
    with server._read() as cur:  # the server's own snapshot read
        cur.execute("SELECT event_id, doc_number FROM event WHERE facility_code = %s", (facility_code,))
        return Counter((str(r[0]), r[1]) for r in cur.fetchall())


def server_movements(server: ServerStore, event_ids: set[str],
                     facility_code: str = FACILITY_CODE) -> list[dict[str, Any]]:
    """The movements of the given events, as the server stored them."""
    with server._read() as cur:
        cur.execute("SELECT event_id, body FROM event WHERE facility_code = %s", (facility_code,))
        bodies = [(str(r[0]), server._json_out(r[1])) for r in cur.fetchall()]
    return [m for event_id, body in bodies if event_id in event_ids for m in body["payload"]["movements"]]


def server_stock(server: ServerStore, facility_code: str = FACILITY_CODE) -> dict[tuple[str, str], int]:
    return {key: qty for key, (_, qty) in server.stock_rows(facility_code).items() if qty != 0}


def add_movements(totals: dict[tuple[str, str], int], movements: list[dict[str, Any]], sign: int = 1) -> None:
    for movement in movements:
        key = (movement["item_code"], movement["batch_no"])
        totals[key] = totals.get(key, 0) + sign * movement["qty"]


def assert_converged(desks: Desk | list[Desk], server: ServerStore, *, lost_on_desk: int = 0) -> None:
    """The check every case ends with. Once the outbox is empty: the server holds every
    document the desks sent, exactly once, and none they hold set aside; no two documents of
    the facility share a number; the server's stock per item and batch equals the desks'
    (less what was set aside, plus what only the server still has); ``ihms-desk doctor`` finds
    nothing wrong on any desk.

    ``lost_on_desk``: documents the server holds that no desk has any more (a desk restored
    from an old backup lost them; the server keeps the only copy)."""
    desks = desks if isinstance(desks, list) else [desks]
    sent: dict[str, str] = {}
    rejected: dict[str, dict[str, Any]] = {}
    payloads: dict[str, str] = {}
    for desk in desks:
        outbox = desk.outbox()
        assert all(row["status"] != "pending" for row in outbox), "the outbox is not empty"
        sent.update((row["event_id"], row["number"]) for row in outbox if row["status"] == "sent")
        rejected.update((row["event_id"], row) for row in outbox if row["status"] == "rejected")
        payloads.update((row["event_id"], row["payload"]) for row in outbox)
        assert desk.store.doctor() == [], f"doctor found problems on {desk.data_dir.name}"
    held = server_documents(server)
    held_ids = {event_id for event_id, _ in held}
    assert max(held.values(), default=1) == 1, "the server holds an event twice"
    numbers = Counter(number for _, number in held)
    assert max(numbers.values(), default=1) == 1, (
        f"two documents share a number: {[n for n, c in numbers.items() if c > 1][:5]}")
    missing = set(sent) - held_ids
    assert not missing, f"{len(missing)} sent documents are not on the server"
    assert not held_ids & set(rejected), "an event set aside on the desk is on the server"
    only_on_server = held_ids - set(sent)
    assert len(only_on_server) == lost_on_desk, (
        f"server holds {len(held_ids)} documents, the desks sent {len(sent)}")
    if len(desks) == 1:
        # The desk's own balances, less what was set aside, plus what only the server has.
        expected = desks[0].stock()
        for row in rejected.values():
            add_movements(expected, json.loads(row["payload"])["movements"], -1)
    else:
        # Desks that share events (a copy) cannot share balances: sum the sent events instead.
        expected = {}
        for event_id in sent:
            add_movements(expected, json.loads(payloads[event_id])["movements"])
    add_movements(expected, server_movements(server, only_on_server))
    assert server_stock(server) == {key: qty for key, qty in expected.items() if qty != 0}
