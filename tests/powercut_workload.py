"""The desk's work during the power-cut suite (``tests/test_power_cuts.py``), as a "zygote":
it imports the program once, then forks one counter process per run number read on stdin,
prints the counter's pid, and then its wait status once the power cut has killed it.

A counter works on the data folder (on the power-cut filesystem, ``tests/powerfs.py``) and
writes a line to its report file (on the real disk, which is not cut) after each step returns,
and before a step whose result is a file the checks read back:

- ``SAVE kind number key lines total``: a dispense or receipt, saved (as the crash suite's);
- ``TOKEN-BEGIN key`` / ``TOKEN key``: enrolment as ``sync.device.enrol`` does it: the token
  file ``tok-KEY``, then the database's device id ``dev-KEY``;
- ``MARKER-BEGIN device epoch sequence`` / ``MARKER ...``: events acknowledged by a server,
  recorded in the database, then the sync marker advanced, as the sync worker does;
- ``BACKUP-BEGIN`` / ``BACKUP name``: a backup taken (``ihms-desk backup``);
- ``RESTORE-BEGIN name`` / ``RESTORE name replaced``: a backup restored over the database
  (``ihms-desk restore``): in the middle of a run (the store closed before and opened again
  after), or first thing in a run, over the database and WAL the last cut left, as someone
  would after a power cut. Only backups reported by an earlier line are restored.

With ``sync`` after the two folders on the command line, the enrolment and marker steps are
a real sync pass instead (``SyncWorker.sync_once`` against the test's server, which writes the
marker and this PC's home marker itself): ``SYNC-BEGIN`` / ``SYNC device epoch sequence
error`` (the marker read back, ``-`` for none; the error's message, ``-`` for none).

One ``os.write`` per line, so a kill never leaves half a line.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable
from pathlib import Path

from ihms_desk import backup
from ihms_desk.store import Store
from ihms_desk.store.errors import Refusal
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from ihms_desk.sync import device
from ihms_desk.sync.worker import SyncConfig, SyncWorker
import uuid6  # noqa: F401 - the store imports it at the first save; a forked counter has it already

CODES = ["D0001", "D0002", "D0003", "D0010"]
SERVER = "https://ihms.rajasthan.example"


def newest_reported_backup(reports: Path) -> str | None:
    """The name of the last backup an earlier run reported as taken."""
    runs = sorted(reports.glob("run-*.txt"), key=lambda path: int(path.stem.removeprefix("run-")))
    names = [line.split()[1] for path in runs for line in path.read_text().splitlines() if line.startswith("BACKUP ")]
    return names[-1] if names else None


def restore(data_dir: Path, name: str, say: Callable[[str], None]) -> None:
    say(f"RESTORE-BEGIN {name}")
    restored = backup.restore_backup(data_dir, backup.backup_dir(data_dir) / name)
    say(f"RESTORE {name} {restored.replaced_copy}")


def sync_pass(data_dir: Path, say: Callable[[str], None]) -> None:
    say("SYNC-BEGIN")
    outcome = SyncWorker(data_dir, SyncConfig(connect_timeout=5.0, read_timeout=30.0)).sync_once()
    marker = device.read_marker(data_dir)
    where = f"{marker.device_id} {marker.epoch} {marker.sequence}" if marker else "- - -"
    say(f"SYNC {where} {'-' if outcome.error is None else ' '.join(outcome.error.message.split())}")


def counter(data_dir: Path, reports: Path, run: int, syncing: bool) -> None:
    report = os.open(reports / f"run-{run}.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def say(text: str) -> None:
        os.write(report, (text + "\n").encode())

    rng = random.Random(run)
    if rng.random() < 0.08:
        name = newest_reported_backup(reports)
        if name is not None:
            restore(data_dir, name, say)
    store = Store.open(data_dir)
    store.act_as("incharge")
    say("READY")
    taken: Path | None = None
    for n in range(1_000_000):
        key = f"{run}/{n}"
        step = rng.random()
        if step < 0.15 and syncing:
            sync_pass(data_dir, say)
        elif step < 0.05:
            say(f"TOKEN-BEGIN {key}")
            device.write_token(data_dir, f"tok-{key}")
            store.record_enrolment(SERVER, f"dev-{key}")
            say(f"TOKEN {key}")
        elif step < 0.15:
            device_id = store.sync_state().device_id
            events = store.pending_wire_events(limit=rng.randint(1, 20))
            if device_id is None or not events:
                continue
            store.record_sync_results((event.event_id, "applied", None, None) for event in events)
            epoch, sequence = max((event.epoch, event.sequence) for event in events)
            say(f"MARKER-BEGIN {device_id} {epoch} {sequence}")
            device.advance_marker(data_dir, device_id, epoch, sequence)
            marker = device.read_marker(data_dir)
            assert marker is not None
            say(f"MARKER {marker.device_id} {marker.epoch} {marker.sequence}")
        elif step < 0.19:
            say("BACKUP-BEGIN")
            taken = backup.take_backup(data_dir).copies[0]
            say(f"BACKUP {taken.name}")
        elif step < 0.22 and taken is not None:
            store.close()
            restore(data_dir, taken.name, say)
            store = Store.open(data_dir)
            store.act_as("incharge")
        elif step < 0.45:
            lines = [ReceiptLine(code, f"B{run % 7}-{code}", "2029-06", rng.randint(50, 400))
                     for code in rng.sample(CODES, k=rng.randint(1, 3))]
            doc = store.receive(source="ddw", voucher_no=f"CUT/{key}", voucher_date=store.today(), lines=lines)
            say(f"SAVE {doc.kind} {doc.number} {key} {len(doc.lines)} {sum(line.qty for line in lines)}")
        else:
            lines_out = [DispenseLine(code, rng.randint(1, 30)) for code in rng.sample(CODES, k=rng.randint(1, 3))]
            try:
                doc = store.dispense(patient=Patient(opd_no=f"OPD/{key}", name="Power Cut", age=rng.randint(1, 90),
                                                     sex=rng.choice("MF")), prescriber="Dr. Power Cut", lines=lines_out)
            except Refusal:  # nothing of these items in stock (after a restore to an early backup)
                continue
            say(f"SAVE {doc.kind} {doc.number} {key} {len(doc.lines)} "
                f"{sum(line['qty_dispensed'] for line in doc.lines)}")


def main() -> None:
    data_dir, reports = Path(sys.argv[1]), Path(sys.argv[2])
    syncing = sys.argv[3:] == ["sync"]
    for line in sys.stdin:
        run = int(line)
        pid = os.fork()
        if pid == 0:
            try:
                counter(data_dir, reports, run, syncing)
            finally:
                os._exit(70)  # never fall back into the zygote's loop
        print(pid, flush=True)
        print(os.waitpid(pid, 0)[1], flush=True)


if __name__ == "__main__":
    main()
