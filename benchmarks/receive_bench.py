"""What the receipt checks of issue 12 (item 7) cost a save: a 10-line challan saved with
``warn=True`` (short expiry, an expiry differing from the batch on record, the same lines as an
earlier challan) against the same challan saved without, in the same run on the same database.

    python benchmarks/receive_bench.py [--data-dir DEMO_OR_FIVE_YEAR_DIR] [--saves 60]

Without ``--data-dir`` the demo CHC is built in a temporary folder. The database is copied
first (nothing is written to the one given). Each save receives batches already on the shelf
(the case where the same-lines look-up has receipts to compare) under a new challan number,
with quantities no earlier receipt has, so every save is taken. Prints p50 and p95 of each
and their ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ihms_desk.store import Store
from ihms_desk.store.model import ReceiptLine


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def shelf_batches(store: Store, count: int) -> list[tuple[str, str, str]]:
    """(item, batch, expiry) of batches already received, far from expiry, the most moved first."""
    rows = store.conn.execute(
        "SELECT i.code, b.batch_no, b.expiry_month FROM batch b JOIN item i ON i.id = b.item_id "
        "JOIN movement m ON m.batch_id = b.id WHERE b.expiry_month >= ? "
        "GROUP BY b.id ORDER BY count(*) DESC LIMIT ?",
        (f"{store.today().year + 1:04d}-01", count)).fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


def run(data_dir: Path, saves: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "db"
        shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("backups", "*.lock"))
        with Store.open(copy) as store:
            store.act_as(next(user.username for user in store.users() if user.role.value in ("store_clerk", "admin")))
            batches = shelf_batches(store, 10)
            timings: dict[bool, list[float]] = {True: [], False: []}
            for number in range(saves * 2):
                warn = number % 2 == 0  # interleaved, so both see the same machine load
                lines = [ReceiptLine(code, batch, expiry, 100_000 + number * 10 + index)
                         for index, (code, batch, expiry) in enumerate(batches)]
                started = time.perf_counter()
                store.receive(source="ddw", voucher_no=f"BENCH/{number}", voucher_date=store.today(), lines=lines,
                              warn=warn)
                timings[warn].append((time.perf_counter() - started) * 1000)
    with_checks, without = timings[True], timings[False]
    print(f"10-line receipt of batches on the shelf, {saves} saves each, database {data_dir}")
    print(f"  without the checks (warn=False): p50 {statistics.median(without):.2f} ms, p95 {percentile(without, 0.95):.2f} ms")
    print(f"  with the checks (warn=True):     p50 {statistics.median(with_checks):.2f} ms, "
          f"p95 {percentile(with_checks, 0.95):.2f} ms")
    print(f"  ratio with / without (p50): {statistics.median(with_checks) / statistics.median(without):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--saves", type=int, default=60)
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        run(args.data_dir, args.saves)
        return 0
    from ihms_desk.demo import build_demo

    with tempfile.TemporaryDirectory() as scratch:
        demo = Path(scratch) / "demo"
        print(f"Building the demo CHC in {demo} ...", file=sys.stderr)
        build_demo(demo)
        run(demo, args.saves)
    return 0


if __name__ == "__main__":
    sys.exit(main())
