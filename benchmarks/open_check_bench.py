"""What the check before writing costs when a command or the program opens the database.

Every ``Store.open`` refuses a damaged file before it writes (``store/database.py``
``check_file``): the damage note, the header against the file's length, and ``PRAGMA
quick_check`` on the whole file up to ``QUICK_CHECK_MAX_BYTES``, above that on every table
but the history tables. Each figure is the median of fresh processes (each process checks a
file once), beside opening the same file without the check, in the same run:

- the five-year database (2.5 GB, built once by ``five_year_db.py``): the bounded tables;
- a database just under ``QUICK_CHECK_MAX_BYTES`` (one year of 70 patients a day): the
  whole file;
- for reference, ``PRAGMA quick_check`` of the whole five-year file, which is what checking
  every table at every open would cost.

    python benchmarks/open_check_bench.py [--data-dir /tmp/ihms-five-year] [--small-dir /tmp/ihms-small]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from five_year_db import build  # noqa: E402

from ihms_desk.paths import database_path  # noqa: E402
from ihms_desk.store import database  # noqa: E402

RUNS = 7

#: Run in a fresh process: opening without the check, then the check, then the whole Store.open.
CHILD = """
import json, sys, time
from pathlib import Path
from ihms_desk.store import Store, database

data_dir = Path(sys.argv[1])
path = data_dir / "ihms-desk.sqlite3"
started = time.perf_counter()
conn = database.connect(path, check=False)
conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
conn.close()
plain = time.perf_counter() - started
started = time.perf_counter()
database.check_file(path)
check = time.perf_counter() - started
database._checked.clear()  # so that Store.open checks again, as a new process would
started = time.perf_counter()
Store.open(data_dir).close()
store_open = time.perf_counter() - started
print(json.dumps({"plain": plain, "check": check, "store_open": store_open}))
"""


def measure(data_dir: Path) -> dict[str, float]:
    runs = []
    for _ in range(RUNS):
        result = subprocess.run([sys.executable, "-c", CHILD, str(data_dir)], capture_output=True,
                                text=True, check=True)
        runs.append(json.loads(result.stdout))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/ihms-five-year"))
    parser.add_argument("--small-dir", type=Path, default=Path("/tmp/ihms-one-year-small"))
    args = parser.parse_args()
    if not (args.data_dir / "five-year.done").exists():
        build(args.data_dir)
    if not (args.small_dir / "five-year.done").exists():
        build(args.small_dir, years=1, patients_per_day=70)

    print(f"check before writing at open; median of {RUNS} fresh processes, files in the page cache")
    print(f"{'database':<34} {'size':>9} {'checked':<16} {'open':>8} {'check':>8} {'Store.open':>11}")
    for label, folder in (("five years, 600 patients a day", args.data_dir),
                          ("one year, 70 patients a day", args.small_dir)):
        size = database_path(folder).stat().st_size
        what = "whole file" if size <= database.QUICK_CHECK_MAX_BYTES else "bounded tables"
        figures = measure(folder)
        print(f"{label:<34} {size / 2**20:>6.0f} MB {what:<16} {figures['plain'] * 1000:>6.1f}ms "
              f"{figures['check'] * 1000:>6.0f}ms {figures['store_open'] * 1000:>9.0f}ms", flush=True)

    with database.read_only(database_path(args.data_dir)) as conn:
        started = time.perf_counter()
        problems = database.quick_check_problems(conn, whole=True)
        whole = time.perf_counter() - started
    print(f"for reference: PRAGMA quick_check of the whole five-year file {whole:.1f} s "
          f"({'ok' if not problems else problems[0]})")


if __name__ == "__main__":
    main()
