"""How long a district's redistribution suggestions take to work out (issue 14).

``GET /v1/suggestions`` works out the sender's whole district on every sync pass of every
desk, and the supply page does the same; so this measures ``redistribution.suggestions`` for
a district of FACILITIES CHCs holding ITEMS items of 3 batches each, with 3 months of
consumption, on a throwaway PostgreSQL database and a SQLite file. The baseline, in the same
run, is the district dashboard page's own query (``Store.facility_statuses`` with stock
counts), which also reads every stock row of the district.

    python benchmarks/suggestions_bench.py                     # 60 facilities x 400 items
    python benchmarks/suggestions_bench.py --facilities 20 --items 300 --backends sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ihms_server import redistribution
from ihms_server.store import Store, open_store
from ihms_server.testing import DEFAULT_POSTGRES_ADMIN_URL, add_facility, temporary_postgres_database

ROUNDS = 5


def plant(store: Store, facilities: int, items: int, today: dt.date) -> None:
    """Stock and consumption written straight into the tables (the push is not measured
    here): of each item, one facility in 20 short of it and one in 10 holding a surplus."""
    months, first = [], today.replace(day=1)
    for _ in range(3):  # the 3 complete months before this one
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first.strftime("%Y-%m"))
    for f in range(facilities):
        add_facility(store, f"CHC-BEN-{f:03d}", district="Bench", block=f"Block {f % 8}")
    with store._write() as cur:
        for f in range(facilities):
            code = f"CHC-BEN-{f:03d}"
            for i in range(items):
                item = f"D{i:04d}"
                turn = (f * 7 + i) % 20
                level = 0 if turn == 0 else 2 if turn in (1, 2) else 1  # short, usual, surplus
                for b in range(3):
                    cur.execute("INSERT INTO stock (facility_code, item_code, batch_no, expiry_month, qty)"
                                " VALUES (%s, %s, %s, %s, %s)",
                                (code, item, f"B{b}", f"{today.year + 1 + b}-0{1 + b}", (0, 100, 600)[level]))
                for month in months:
                    cur.execute("INSERT INTO consumption_month (facility_code, item_code, month, qty)"
                                " VALUES (%s, %s, %s, %s)", (code, item, month, 100))


def timed(work: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def run(store: Store, label: str, facilities: int, items: int) -> None:
    today = dt.date.today()
    plant(store, facilities, items, today)
    found = redistribution.suggestions(store, "Bench", today)
    base_median, base_worst = timed(lambda: store.facility_statuses(today, "Bench"))
    median, worst = timed(lambda: redistribution.suggestions(store, "Bench", today))
    one_median, _ = timed(lambda: redistribution.suggestions_from(store, "CHC-BEN-002", today))
    print(f"{label:<10} {facilities} facilities x {items} items ({3 * facilities * items:,} stock rows), "
          f"{len(found):,} suggestions")
    print(f"  district page query (baseline): median {base_median * 1000:7.1f} ms, worst {base_worst * 1000:7.1f} ms")
    print(f"  suggestions, whole district:    median {median * 1000:7.1f} ms, worst {worst * 1000:7.1f} ms "
          f"({median / base_median:.1f}x the baseline)")
    print(f"  GET /v1/suggestions' work:      median {one_median * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=60)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                store = open_store(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
                try:
                    run(store, "SQLite", args.facilities, args.items)
                finally:
                    store.close()
        else:
            admin = os.environ.get("IHMS_TEST_POSTGRES", DEFAULT_POSTGRES_ADMIN_URL)
            with temporary_postgres_database(admin) as url:
                store = open_store(url)
                try:
                    run(store, "PostgreSQL", args.facilities, args.items)
                finally:
                    store.close()


if __name__ == "__main__":
    main()
