"""Reports benchmark on a five-year CHC database; prints every figure of the reports issue.

    python benchmarks/report_bench.py --data-dir /tmp/my-copy-of-five-year [--runs 3]

Opening a database migrates it (and backs it up first, 2.5 GB): run this on a copy of the
five-year folder, never on one someone else uses. Figures (each the median of ``--runs``):

- each report for the last complete month (target <= 500 ms each);
- the one-year stock register of every stocked item (target <= 2 s), its XLSX (<= 3 s) and its
  PDF (<= 10 s), in English and in Hindi;
- the peak memory of the process (target <= 250 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ihms_desk.exports import write_report
from ihms_desk.store import Store
from ihms_desk.store.reports import REPORT_NAMES, build_report

T = TypeVar("T")


#: CPU seconds of the last ``timed`` call (median): on a machine shared with other work the
#: wall-clock figure grows with the load, the CPU figure much less.
cpu = 0.0


def timed(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The median wall-clock seconds of ``runs`` runs of ``work``, and its last result."""
    global cpu
    times, cpus = [], []
    result: T
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    cpu = statistics.median(cpus)
    return statistics.median(times), result


def verdict(seconds: float, target: float) -> str:
    return f"{'within' if seconds <= target else 'OVER'} target <= {target:g} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/ihms-five-year", help="a copy of the five-year database's folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    store = Store.open(Path(args.data_dir))
    print(f"opened (and migrated if needed) in {time.perf_counter() - started:.1f} s: {store.path}")
    schema = store.conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'ihms_desk' ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    counts = dict(store.conn.execute("SELECT kind, count(*) FROM document GROUP BY kind").fetchall())
    movements = store.conn.execute("SELECT max(id) FROM movement").fetchone()[0]
    last_day = dt.date.fromisoformat(store.conn.execute("SELECT max(doc_date) FROM document").fetchone()[0])
    print(f"schema {schema}; {counts.get('dispense', 0):,} dispenses, {movements:,} movements; last document {last_day}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    # The store's clock stands on the database's last day, so "today" is where its ledger ends.
    store.clock = lambda: dt.datetime.combine(last_day, dt.time(18)).astimezone()
    store.act_as("admin")

    month_end = last_day.replace(day=1) - dt.timedelta(days=1)
    month_start = month_end.replace(day=1)
    print(f"\neach report for {month_start:%d-%m-%Y} to {month_end:%d-%m-%Y} (median of {args.runs}):")
    for name in REPORT_NAMES:
        seconds, report = timed(args.runs, lambda name=name: build_report(store, name, month_start, month_end))
        rows = sum(len(table.rows) for table in report.tables)
        print(f"  {name:20s} {seconds * 1000:7.0f} ms (CPU {cpu * 1000:4.0f} ms)  {rows:7,} rows  {verdict(seconds, 0.5)}")

    year_start = (month_end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    seconds, register = timed(args.runs, lambda: build_report(store, "stock-register", year_start, month_end))
    table = register.table("stock_register")
    items = sum(1 for row in table.rows if row.level == 0)
    print(f"\none-year stock register, {year_start:%d-%m-%Y} to {month_end:%d-%m-%Y}, every stocked item "
          f"({items:,} items, {len(table.rows):,} rows with their batches):")
    print(f"  built      {seconds:6.2f} s (CPU {cpu:5.2f} s)  {verdict(seconds, 2)}")
    with tempfile.TemporaryDirectory() as folder:
        for lang in ("en", "hi"):
            for fmt, target in (("xlsx", 3.0), ("pdf", 10.0)):
                path = Path(folder) / f"register-{lang}.{fmt}"
                seconds, _ = timed(1 if fmt == "pdf" else args.runs, lambda: write_report(register, path, lang=lang))
                size = path.stat().st_size / 1e6
                pages = ""
                if fmt == "pdf":
                    data = path.read_bytes()
                    pages = f", {data.count(b'/Type /Page') - data.count(b'/Type /Pages')} pages"
                print(f"  {fmt.upper():4s} {lang}    {seconds:6.2f} s (CPU {cpu:5.2f} s)  {size:5.1f} MB{pages}  "
                      f"{verdict(seconds, target)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:.0f} MB  ({'within' if peak <= 250 else 'OVER'} target <= 250 MB)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
