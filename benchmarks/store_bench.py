"""Store benchmark on a five-year CHC database; prints every figure of the store issue in one run.

    python benchmarks/store_bench.py [--data-dir /tmp/ihms-five-year] [--saves 200]

Figures:
- save time of a 4-line OPD dispense through ``Store.dispense`` (p50, p95), beside a raw
  sqlite3 baseline that writes the same rows (document, lines, movements, balances,
  consumption, counter, outbox event) in one transaction with the same pragmas, and the
  ratio (target <= 1.5);
- item search p95 over the 6,000-item catalogue, keystroke by keystroke (target <= 5 ms), and
  the first search's time (it builds the store's index of the catalogue);
- the full stock-on-hand list (target <= 100 ms);
- the database size, the daily backup's time and size, and the backups' total under the
  retention policy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from uuid6 import uuid7

sys.path.insert(0, str(Path(__file__).resolve().parent))

from five_year_db import backup_figures, build  # noqa: E402

from ihms_desk.store import Store  # noqa: E402
from ihms_desk.store.database import connect  # noqa: E402
from ihms_desk.store.model import DispenseLine, Patient  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def usable_items(store: Store, count: int) -> list[str]:
    """Codes of items with plenty of usable stock, so every benchmark dispense is complete."""
    month = store.today().strftime("%Y-%m")
    rows = store.conn.execute(
        "SELECT i.code FROM stock s JOIN batch b ON b.id = s.batch_id JOIN item i ON i.id = s.item_id "
        "WHERE b.expiry_month >= ? GROUP BY i.id HAVING sum(s.qty) > 300 ORDER BY sum(s.qty) DESC LIMIT ?",
        (month, count),
    ).fetchall()
    return [row[0] for row in rows]


def baseline_save(conn, lines: list[tuple[int, str, int, list[tuple[int, int]]]]) -> None:  # type: ignore[no-untyped-def]
    """The same rows a 4-line dispense writes, as plain SQL in one transaction."""
    today = dt.date.today().isoformat()
    header = json.dumps({"opd_no": "BASELINE", "patient_name": "Baseline", "age": 40, "sex": "F", "abha": None, "prescriber": "Dr. B"})
    conn.execute("BEGIN IMMEDIATE")
    serial = conn.execute(
        "INSERT INTO doc_counter (kind, financial_year, last_serial) VALUES ('dispense', '2099-00', 1) "
        "ON CONFLICT (kind, financial_year) DO UPDATE SET last_serial = last_serial + 1 RETURNING last_serial"
    ).fetchone()[0]
    doc_id = conn.execute(
        "INSERT INTO document (number, kind, financial_year, serial, doc_date, created_at, created_by, header) "
        "VALUES (?, 'dispense', '2099-00', ?, ?, ?, 1, ?)",
        (f"BASE/2099-00/{serial:06d}", serial, today, dt.datetime.now(dt.timezone.utc).isoformat(), header),
    ).lastrowid
    moves = []
    for line_no, (item_id, code, qty, allocations) in enumerate(lines, start=1):
        detail = json.dumps({"line_no": line_no, "item_code": code, "qty_prescribed": qty, "qty_dispensed": qty, "not_available": 0})
        conn.execute(
            "INSERT INTO document_line (document_id, line_no, item_id, qty_prescribed, qty, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, line_no, item_id, qty, qty, detail),
        )
        for batch_id, batch_qty in allocations:
            conn.execute(
                "INSERT INTO movement (document_id, line_no, batch_id, item_id, kind, qty, moved_on) VALUES (?, ?, ?, ?, 'dispense', ?, ?)",
                (doc_id, line_no, batch_id, item_id, -batch_qty, today),
            )
            conn.execute("UPDATE stock SET qty = qty - ? WHERE batch_id = ?", (batch_qty, batch_id))
            moves.append({"line_no": line_no, "item_code": code, "batch_id": batch_id, "qty": -batch_qty})
        conn.execute(
            "INSERT INTO consumption_month (item_id, month, qty) VALUES (?, ?, ?) "
            "ON CONFLICT (item_id, month) DO UPDATE SET qty = qty + excluded.qty",
            (item_id, today[:7], qty),
        )
    sequence = conn.execute("UPDATE device SET next_sequence = next_sequence + 1 RETURNING next_sequence - 1").fetchone()[0]
    conn.execute(
        "INSERT INTO outbox (sequence, event_id, epoch, document_id, type, payload, hlc, created_at) VALUES (?, ?, 1, ?, 'dispense', ?, ?, ?)",
        (sequence, str(uuid7()), doc_id, json.dumps({"document": {"header": header}, "movements": moves}), f"{sequence:016d}-00000", today),
    )
    conn.commit()


def bench_saves(store: Store, saves: int) -> tuple[list[float], list[float]]:
    rng = random.Random(7)
    codes = usable_items(store, 40)
    baseline_conn = connect(store.path)
    store_times: list[float] = []
    base_times: list[float] = []
    for round_no in range(saves):
        chosen = rng.sample(codes, 4)
        lines = [DispenseLine(code, rng.choice((6, 10, 15))) for code in chosen]
        # Alternate which goes first, so neither always meets a warm cache.
        order = (0, 1) if round_no % 2 else (1, 0)
        for which in order:
            started = time.perf_counter()
            if which == 0:
                store.dispense(patient=Patient(f"BENCH/{round_no}", "Bench Patient", 40, "F"), prescriber="Dr. Bench", lines=lines)
                store_times.append(time.perf_counter() - started)
            else:
                # The rows the store would write: same batches, same quantities (planned outside the timing).
                plan = store.plan_dispense(lines)
                raw_lines = [(p.item.id, p.item.code, p.qty, [(a.batch_id, a.qty) for a in p.allocations]) for p in plan]
                started = time.perf_counter()
                baseline_save(baseline_conn, raw_lines)
                base_times.append(time.perf_counter() - started)
    baseline_conn.close()
    return store_times, base_times


def bench_search(store: Store) -> list[float]:
    """Every prefix of realistic queries, as a pharmacist types them."""
    queries = ["paracetamol", "amox", "metformin 500", "x0012", "ors", "cetiri", "pantop", "azith", "ferrous", "vitamin b",
               "salbu", "dicl", "cipro", "omep", "albend"]
    times = []
    for query in queries:
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            store.search_items(query[:end], limit=20)
            times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/ihms-five-year", help="where the five-year database is built (reused)")
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    started = time.perf_counter()
    path = build(data_dir, log=lambda message: print(f"  build: {message}", file=sys.stderr))
    print(f"five-year database ready in {time.perf_counter() - started:.0f} s: {path}")
    store = Store.open(data_dir)
    store.act_as("admin")
    counts = store.conn.execute(
        "SELECT (SELECT count(*) FROM item), (SELECT count(DISTINCT item_id) FROM batch), (SELECT count(*) FROM batch), "
        "(SELECT count(*) FROM document WHERE kind = 'dispense'), (SELECT count(*) FROM movement)"
    ).fetchone()
    print(f"catalogue {counts[0]:,} items, {counts[1]:,} stocked, {counts[2]:,} batches, {counts[3]:,} dispenses, {counts[4]:,} movements")

    store_times, base_times = bench_saves(store, args.saves)
    s50, s95 = percentile(store_times, 0.5) * 1000, percentile(store_times, 0.95) * 1000
    b50, b95 = percentile(base_times, 0.5) * 1000, percentile(base_times, 0.95) * 1000
    print(f"4-line dispense save, {args.saves} saves: Store.dispense p50 {s50:.2f} ms, p95 {s95:.2f} ms")
    print(f"  raw sqlite3 baseline (same rows, same pragmas): p50 {b50:.2f} ms, p95 {b95:.2f} ms")
    print(f"  ratio p50 {s50 / b50:.2f}, p95 {s95 / b95:.2f} (target <= 1.5)")

    search = bench_search(store)
    print(f"item search over {counts[0]:,} items, {len(search)} keystrokes: p50 {statistics.median(search) * 1000:.2f} ms, "
          f"p95 {percentile(search, 0.95) * 1000:.2f} ms (target <= 5 ms)")
    # The store's first search builds its index of the catalogue (store/item_search.py).
    print(f"  the first of them, the first search since the store opened: {search[0] * 1000:.1f} ms")

    soh = []
    for _ in range(10):
        started = time.perf_counter()
        rows = store.stock_on_hand()
        soh.append(time.perf_counter() - started)
    print(f"full stock on hand ({len(rows):,} items): median {statistics.median(soh) * 1000:.1f} ms, "
          f"worst {max(soh) * 1000:.1f} ms (target <= 100 ms)")
    store.close()
    size = sum(p.stat().st_size for p in data_dir.glob("ihms-desk.sqlite3*"))
    print(f"database size: {size / 1e9:.2f} GB")
    with tempfile.TemporaryDirectory(prefix="ihms-bench-backups-") as folder:
        backup_figures(data_dir, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
