"""Build a five-year CHC database for benchmarks: the real schema, filled in bulk.

Sizes follow the store issue: 1,500 stocked items (in a 6,000-item catalogue, as the state's
free-medicine list grows), 6,000 batches, 600 OPD patients a day with about 3 lines each for
five years (about 1.1 million dispenses and 3.3 million movements), plus warehouse receipts.
Rows are written directly with SQL, not through ``Store.dispense`` (that would take hours), but
into a database created and migrated by the store, with balances, consumption and one outbox
event per document, so ``Store.doctor()`` passes on the result.

    python benchmarks/five_year_db.py /tmp/five-year   # builds once, ~3-5 minutes
    python benchmarks/five_year_db.py /tmp/five-year --footprint /tmp/fp   # and its footprint

``--footprint DIR`` copies the database to DIR (opening migrates it: the original is never
opened), and prints what the footprint issue asks: the file's size before and after
``ihms-desk compact`` (and how long dropping the acknowledged payloads and the VACUUM took),
the daily backup's time and size, a restore of it, and the backups' total under the
retention policy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import time
from pathlib import Path

from uuid6 import uuid7

from ihms_desk.paths import database_path
from ihms_desk.store import Store
from ihms_desk.store.catalogue import search_text
from ihms_desk.store.rules import document_number, financial_year

CATALOGUE_ITEMS = 6_000
STOCKED_ITEMS = 1_500
BATCHES = 6_000
PATIENTS_PER_DAY = 600
YEARS = 5

_STEMS = (
    "Paracetamol", "Amoxicillin", "Azithromycin", "Metformin", "Amlodipine", "Atenolol", "Cetirizine",
    "Ciprofloxacin", "Diclofenac", "Ibuprofen", "Omeprazole", "Pantoprazole", "Ranitidine", "Ondansetron",
    "Metronidazole", "Albendazole", "Ferrous sulphate", "Folic acid", "Calcium carbonate", "Vitamin B complex",
    "Losartan", "Telmisartan", "Enalapril", "Glimepiride", "Gliclazide", "Atorvastatin", "Aspirin", "Clopidogrel",
    "Salbutamol", "Montelukast", "Prednisolone", "Dexamethasone", "Chlorpheniramine", "Domperidone", "Dicyclomine",
    "Cefixime", "Cefuroxime", "Doxycycline", "Cotrimoxazole", "Nitrofurantoin", "Fluconazole", "Clotrimazole",
    "Acyclovir", "Levothyroxine", "Carbimazole", "Furosemide", "Spironolactone", "Hydrochlorothiazide", "Digoxin",
    "Phenytoin", "Carbamazepine", "Sodium valproate", "Levetiracetam", "Diazepam", "Alprazolam", "Amitriptyline",
    "Fluoxetine", "Haloperidol", "Risperidone", "Olanzapine", "Chloroquine", "Artesunate", "Primaquine",
    "Isoniazid", "Rifampicin", "Pyrazinamide", "Ethambutol", "Zinc sulphate", "ORS", "Tramadol", "Misoprostol",
)
_FORMS = (("Tablet", "tablet", "tablet"), ("Capsule", "capsule", "capsule"), ("Syrup", "syrup", "bottle"),
          ("Injection", "injection", "vial"), ("Cream", "cream", "tube"), ("Drops", "drops", "bottle"))


def _catalogue(rng: random.Random) -> list[dict[str, object]]:
    items = []
    for index in range(CATALOGUE_ITEMS):
        stem = _STEMS[index % len(_STEMS)]
        form, dosage_form, unit = _FORMS[(index // len(_STEMS)) % len(_FORMS)]
        strength = f"{rng.choice((5, 10, 20, 25, 40, 50, 100, 125, 250, 500))} mg"
        record: dict[str, object] = {
            "code": f"X{index:05d}",
            "name": f"{stem} {strength} {form} v{index // (len(_STEMS) * len(_FORMS))}",
            "generic_name": stem,
            "strength": strength,
            "dosage_form": dosage_form,
            "unit_of_issue": unit,
            "category": "drug" if index % 10 < 8 else ("surgical" if index % 10 == 8 else "suture"),
            "min_stock": rng.choice((0, 50, 100, 500, 1000)),
            "active": 1,
        }
        items.append(record)
    return items


def build(data_dir: Path, *, seed: int = 5, today: dt.date | None = None, patients_per_day: int = PATIENTS_PER_DAY,
          years: int = YEARS, log=print) -> Path:  # type: ignore[no-untyped-def]
    """Create the database in ``data_dir`` (reused if it is already complete); return its path."""
    path = database_path(data_dir)
    done_marker = data_dir / "five-year.done"
    if path.exists() and done_marker.exists():
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    rng = random.Random(seed)
    end = today or dt.date.today()
    start = end - dt.timedelta(days=365 * years)
    store = Store.open(data_dir)
    store.set_up(code="RJ-BEN-CHC-001", name="CHC Benchmark", district="Jaipur", block="Sanganer", type="CHC",
                 admin_username="admin", admin_full_name="Bench Admin", admin_password="bench-password")
    store.close()

    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    now_iso = dt.datetime.now(dt.timezone.utc).isoformat()
    catalogue = _catalogue(rng)
    conn.executemany(
        "INSERT INTO item (code, name, generic_name, strength, dosage_form, unit_of_issue, category, min_stock, active, "
        "search_text, updated_at) VALUES (:code, :name, :generic_name, :strength, :dosage_form, :unit_of_issue, "
        ":category, :min_stock, :active, :search_text, :updated_at)",
        [{**record, "search_text": search_text(record), "updated_at": now_iso} for record in catalogue],
    )
    stocked = rng.sample(range(1, CATALOGUE_ITEMS + 1), STOCKED_ITEMS)
    # Popularity is skewed: a few items (paracetamol, ORS, iron) make most of the lines.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(STOCKED_ITEMS)]
    code_of = {i + 1: str(record["code"]) for i, record in enumerate(catalogue)}

    # Four batches per stocked item, received every ~15 months, each usable ~24 months.
    batches_per_item = BATCHES // STOCKED_ITEMS
    span = (end - start).days
    batch_rows = []
    batch_of: dict[tuple[int, int], int] = {}
    batch_id = 0
    for item_id in stocked:
        for k in range(batches_per_item):
            batch_id += 1
            received = start + dt.timedelta(days=k * span // batches_per_item)
            expiry = received + dt.timedelta(days=900)
            batch_rows.append((batch_id, item_id, f"B{item_id:05d}{k}", expiry.strftime("%Y-%m"), "RMSCL supply",
                               f"{rng.uniform(0.1, 30):.2f}", now_iso, received))
            batch_of[(item_id, k)] = batch_id
    conn.executemany(
        "INSERT INTO batch (id, item_id, batch_no, expiry_month, manufacturer, unit_cost, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [row[:7] for row in batch_rows],
    )
    log(f"catalogue and batches: {time.perf_counter() - started:.0f} s")

    dispensed: dict[int, int] = {}
    consumption: dict[tuple[int, str], int] = {}
    counters: dict[tuple[str, str], int] = {}
    doc_id = 0
    move_id = 0
    sequence = 0

    def next_number(kind: str, day: dt.date) -> tuple[str, str, int]:
        fy = financial_year(day)
        serial = counters.get((kind, fy), 0) + 1
        counters[(kind, fy)] = serial
        return document_number(kind, fy, serial), fy, serial

    documents: list[tuple] = []  # type: ignore[type-arg]
    lines: list[tuple] = []  # type: ignore[type-arg]
    movements: list[tuple] = []  # type: ignore[type-arg]
    outbox: list[tuple] = []  # type: ignore[type-arg]

    def flush() -> None:
        conn.executemany("INSERT INTO document (id, number, kind, financial_year, serial, doc_date, created_at, created_by, header) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)", documents)
        conn.executemany("INSERT INTO document_line (document_id, line_no, item_id, qty_prescribed, qty, detail) VALUES (?, ?, ?, ?, ?, ?)", lines)
        conn.executemany("INSERT INTO movement (id, document_id, line_no, batch_id, item_id, kind, qty, moved_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", movements)
        conn.executemany("INSERT INTO outbox (sequence, event_id, epoch, document_id, type, payload, hlc, created_at, status, attempts, acknowledged_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, 'sent', 1, ?)", outbox)
        documents.clear(), lines.clear(), movements.clear(), outbox.clear()

    def add_document(kind: str, day: dt.date, header: dict[str, object], doc_lines: list[dict[str, object]],
                     doc_moves: list[tuple[int, int, int, int]], prescribed: list[int | None]) -> None:
        nonlocal doc_id, move_id, sequence
        doc_id += 1
        sequence += 1
        number, fy, serial = next_number(kind, day)
        created = f"{day.isoformat()}T05:{rng.randint(0, 59):02d}:00.000+00:00"
        documents.append((doc_id, number, kind, fy, serial, day.isoformat(), created, json.dumps(header, ensure_ascii=False)))
        for line, qty_prescribed, (_, _, item_id, _) in zip(doc_lines, prescribed, doc_moves):
            qty = line.get("qty_dispensed", line.get("qty", 0))
            lines.append((doc_id, line["line_no"], item_id, qty_prescribed, qty, json.dumps(line, ensure_ascii=False)))
        payload_moves = []
        for line_no, batch, item_id, qty in doc_moves:
            move_id += 1
            movements.append((move_id, doc_id, line_no, batch, item_id, kind, qty, day.isoformat()))
            row = batch_rows[batch - 1]
            payload_moves.append({"line_no": line_no, "item_code": code_of[item_id], "batch_no": row[2],
                                  "expiry_month": row[3], "manufacturer": row[4], "unit_cost": row[5], "qty": qty})
        # Exactly the store's payload (``SavedDocument.payload``, written by ``outbox.write_event``),
        # so that what the store can rebuild from the ledger matches what was stored and sent.
        payload = {"document": {"number": number, "kind": kind, "doc_date": day.isoformat(), "created_at": created,
                                "created_by": "admin", "reverses_number": None, "reason": None, "header": header,
                                "lines": doc_lines}, "movements": payload_moves}
        outbox.append((sequence, str(uuid7()), doc_id, kind, json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                       f"{sequence:016d}-00000", created, created))

    # Receipts: one challan per batch-receiving day. Their quantities are known only after
    # dispensing is generated, so they are written last (with later ids, earlier dates).
    receipt_qty: dict[int, int] = {}
    by_day: dict[dt.date, list[tuple]] = {}  # type: ignore[type-arg]
    for row in batch_rows:
        by_day.setdefault(row[7], []).append(row)
    receipt_docs: list[tuple[dt.date, list[tuple]]] = sorted(by_day.items())  # type: ignore[type-arg]

    # Drawn once: choices() with weights is O(items) per call, far too slow per line.
    draws = iter(rng.choices(range(STOCKED_ITEMS), weights=weights, k=patients_per_day * 365 * (years + 1) * 5))
    day = start
    dispense_count = 0
    while day <= end:
        period = min((day - start).days * batches_per_item // max(span, 1), batches_per_item - 1)
        month = day.strftime("%Y-%m")
        for patient in range(int(patients_per_day * rng.uniform(0.8, 1.2))):
            count = rng.choice((2, 3, 3, 3, 4))
            chosen = set()
            doc_lines = []
            doc_moves = []
            prescribed = []
            for line_no in range(1, count + 1):
                item_index = next(draws) if line_no > 1 else rng.randrange(30)
                item_id = stocked[item_index]
                if item_id in chosen:
                    continue
                chosen.add(item_id)
                qty = rng.choice((6, 10, 10, 15, 20, 30))
                batch = batch_of[(item_id, period)]
                dispensed[batch] = dispensed.get(batch, 0) + qty
                consumption[(item_id, month)] = consumption.get((item_id, month), 0) + qty
                n = len(doc_lines) + 1
                # The line as ``Store.dispense`` writes it (document_line.detail).
                doc_lines.append({"line_no": n, "item_code": code_of[item_id], "qty_prescribed": qty,
                                  "qty_dispensed": qty, "not_available": 0})
                doc_moves.append((n, batch, item_id, -qty))
                prescribed.append(qty)
            header = {"opd_no": f"{day:%y%m%d}/{patient + 1:04d}", "patient_name": "Patient", "age": rng.randint(1, 85),
                      "sex": rng.choice("MF"), "abha": None, "prescriber": "Dr. Bench"}
            add_document("dispense", day, header, doc_lines, doc_moves, prescribed)
            dispense_count += 1
        if len(documents) > 50_000:
            flush()
            log(f"{day.isoformat()}: {dispense_count:,} dispenses, {move_id:,} movements, {time.perf_counter() - started:.0f} s")
        day += dt.timedelta(days=1)
    flush()

    # Receipts carry what was dispensed from each batch plus what is left on the shelf now.
    for rday, rows in receipt_docs:
        doc_lines = []
        doc_moves = []
        for n, row in enumerate(rows, start=1):
            batch, item_id = row[0], row[1]
            qty = dispensed.get(batch, 0) + rng.randint(0, 3000)
            if qty == 0:
                qty = 100
            receipt_qty[batch] = qty
            doc_lines.append({"line_no": n, "item_code": code_of[item_id], "batch_no": row[2],
                              "expiry_month": row[3], "manufacturer": row[4], "unit_cost": row[5], "qty": qty})
            doc_moves.append((n, batch, item_id, qty))
        add_document("receipt", rday, {"source": "ddw", "source_name": "", "voucher_no": f"DDW/{rday}", "voucher_date": rday.isoformat()},
                     doc_lines, doc_moves, [None] * len(doc_lines))
    flush()
    conn.executemany("INSERT INTO stock (batch_id, item_id, qty) VALUES (?, ?, ?)",
                     [(row[0], row[1], receipt_qty[row[0]] - dispensed.get(row[0], 0)) for row in batch_rows])
    conn.executemany("INSERT INTO consumption_month (item_id, month, qty) VALUES (?, ?, ?)",
                     [(item_id, month, qty) for (item_id, month), qty in consumption.items()])
    conn.executemany("INSERT INTO doc_counter (kind, financial_year, last_serial) VALUES (?, ?, ?)",
                     [(kind, fy, serial) for (kind, fy), serial in counters.items()])
    conn.execute("UPDATE device SET next_sequence = ? WHERE id = 1", (sequence + 1,))
    conn.commit()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    done_marker.write_text(f"{dispense_count} dispenses, {move_id} movements\n")
    log(f"built {path}: {dispense_count:,} dispenses, {move_id:,} movements in {time.perf_counter() - started:.0f} s")
    return path


def backup_figures(data_dir: Path, folder: Path, log=print) -> Path:  # type: ignore[no-untyped-def]
    """Take the daily backup of ``data_dir`` into ``folder``; print its time and size, and the
    backups' total under the retention policy after a year of daily backups (each no larger
    than this one: a backup taken earlier held less); returns the backup."""
    from ihms_desk.backup import kept_by_policy, take_backup

    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    copy = take_backup(data_dir, to=folder, include_second_folder=False).copies[0]
    seconds = time.perf_counter() - started
    size = copy.stat().st_size
    log(f"daily backup: {seconds:.1f} s (target <= 60 s), {size / 1e6:,.1f} MB compressed (target <= 300 MB)")
    now = dt.datetime(2026, 12, 2, 13, 0)
    stamps = [now - dt.timedelta(days=day) for day in range(366)]
    kept = len(kept_by_policy(stamps, now))
    log(f"retention policy after a year of daily backups: {kept} kept, at most {kept * size / 1e9:.2f} GB "
        "(target <= 5 GB)")
    return copy


def footprint(source_dir: Path, work_dir: Path, log=print) -> None:  # type: ignore[no-untyped-def]
    """The footprint figures on a copy of the five-year database in ``work_dir``."""
    from ihms_desk.backup import restore_backup
    from ihms_desk.store import Store
    from ihms_desk.store.footprint import vacuum

    source = database_path(source_dir)
    shutil.rmtree(work_dir, ignore_errors=True)
    copy_dir = work_dir / "data"
    copy_dir.mkdir(parents=True)
    started = time.perf_counter()
    shutil.copyfile(source, database_path(copy_dir))
    log(f"database {source.stat().st_size / 1e9:.2f} GB, copied in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    store = Store.open(copy_dir)
    log(f"opened (migrations, after the copy the store takes first): {time.perf_counter() - started:.1f} s")
    # The payloads were acknowledged when the benchmark wrote them; the passes drop those
    # acknowledged over a week before "now": a month on, every one of them.
    later = dt.datetime.now().astimezone() + dt.timedelta(days=30)
    started = time.perf_counter()
    result = store.drop_payloads_for(24 * 3600, limit=2000, now=later)
    log(f"dropped {result.dropped:,} of {result.checked:,} acknowledged payloads (kept whole {result.kept:,}) "
        f"in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    vacuum(store.conn)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"VACUUM: {time.perf_counter() - started:.0f} s")
    store.close()
    size = database_path(copy_dir).stat().st_size
    log(f"file size after compact: {size / 1e9:.3f} GB ({size:,} bytes; target <= 1.0 GB)")
    copy = backup_figures(copy_dir, work_dir / "backups", log)
    started = time.perf_counter()
    restore_backup(work_dir / "restored", copy, facility_code="RJ-BEN-CHC-001")
    log(f"restore of that backup into a new folder (checks included): {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default="/tmp/ihms-five-year", type=Path)
    parser.add_argument("--footprint", type=Path, metavar="WORK_DIR",
                        help="print the footprint figures, measured on a copy in WORK_DIR")
    args = parser.parse_args()
    build(args.data_dir)
    if args.footprint is not None:
        footprint(args.data_dir, args.footprint)
