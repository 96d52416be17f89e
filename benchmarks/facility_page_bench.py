"""How long the district dashboard's facility pages take when one desk has sent 200,000 batches.

Starts ``ihms-server serve`` as its own process (one worker) on a throwaway PostgreSQL
database and on a SQLite file, enrols three desks and plants, through the real push
(``POST /v1/events``, events of 5,000 movements in bodies under 8 MB):

- ``one item``: 200,000 batches of one item (the shape that took 185 s before the pages
  were paged);
- ``many items``: 200,000 item codes of one batch each;
- ``baseline``: an ordinary CHC, 300 catalogue items of 3 batches each.

Then it asks each page over HTTP, alone and two at once, and prints the median and worst
times, and the ratio of each page to the baseline facility's page in the same run.

    python benchmarks/facility_page_bench.py                    # both backends, 200,000 batches
    python benchmarks/facility_page_bench.py --batches 50000 --backends sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from ihms_desk.sync import protocol as wire
from ihms_server.store import open_store
from ihms_server.testing import (
    EnrolledDevice,
    make_event,
    make_movement,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server_bench import add_backend_arguments, each_backend, enrol_desks, server_process  # noqa: E402

ROUNDS = 7


def months(n: int) -> str:
    return f"{2026 + n % 4}-{1 + n % 12:02d}"


def plant(desk: EnrolledDevice, movements: list[dict[str, Any]]) -> tuple[int, float]:
    """Push ``movements`` as receipts through the API; returns (requests, seconds)."""
    events = []
    for sequence, start in enumerate(range(0, len(movements), wire.MAX_MOVEMENTS), 1):
        chunk = movements[start:start + wire.MAX_MOVEMENTS]
        for line_no, movement in enumerate(chunk, 1):
            movement["line_no"] = line_no
        events.append(make_event(desk, sequence, type="receipt", movements=chunk))
    bodies: list[bytes] = []
    batch: list[dict[str, Any]] = []
    for event in events:  # as many events per request as fit under the body limit
        candidate = json.dumps({"device_id": desk.device_id, "events": [*batch, event]}).encode()
        if batch and len(candidate) > wire.MAX_BODY_BYTES - 4096:
            bodies.append(json.dumps({"device_id": desk.device_id, "events": batch}).encode())
            batch = []
        batch.append(event)
    bodies.append(json.dumps({"device_id": desk.device_id, "events": batch}).encode())
    started = time.perf_counter()
    for body in bodies:
        response = requests.post(f"{desk.base_url}/v1/events", data=body, timeout=600,
                                 headers={**desk.headers(), "Content-Type": "application/json"})
        statuses = {r["status"] for r in response.json()["results"]} if response.ok else set()
        if statuses != {"applied"}:
            raise SystemExit(f"push refused: {response.status_code} {response.text[:300]}")
    return len(bodies), time.perf_counter() - started


def fetch(url: str) -> float:
    started = time.perf_counter()
    response = requests.get(url, timeout=600)
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or "<table" not in response.text:
        raise SystemExit(f"{url}: {response.status_code} {response.text[:300]}")
    return elapsed


def timed(url: str) -> dict[str, float]:
    """Alone (median and worst of ROUNDS), and two requests at once (each pair's slower one)."""
    fetch(url)  # the first request warms the server's caches and connection pool
    alone = [fetch(url) for _ in range(ROUNDS)]
    pairs = []
    for _ in range(ROUNDS):
        results: list[float] = []
        barrier = threading.Barrier(2)

        def one() -> None:
            barrier.wait()
            results.append(fetch(url))

        threads = [threading.Thread(target=one) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pairs.append(max(results))
    return {"median": statistics.median(alone), "worst": max(alone),
            "pair_median": statistics.median(pairs), "pair_worst": max(pairs)}


def next_key(url: str, pattern: str) -> str:
    """The key of the page after the first, read from the first page's Next link."""
    import re

    text = requests.get(url, timeout=600).text
    found = re.search(pattern, text)
    if found is None:
        raise SystemExit(f"{url}: no Next link")
    return found.group(1)


def run_backend(name: str, db_url: str, batches: int, report: Callable[[str], None]) -> None:
    with server_process(db_url, workers=1) as base_url:
        store = open_store(db_url, migrate=False)
        try:
            store.import_items([{"code": f"EDL{n:04d}", "name": f"Essential medicine {n:04d}",
                                 "generic_name": "Generic", "strength": "10 mg",
                                 "dosage_form": "tablet", "unit_of_issue": "tablet",
                                 "category": "drug", "min_stock": 100, "active": True}
                                for n in range(300)])
        finally:
            store.close()
        one_item, many_items, baseline = enrol_desks(db_url, base_url, 3)
        planted = [
            ("one item", one_item, [make_movement("EDL0001", 5, batch_no=f"B{n:07d}",
                                                  expiry_month=months(n)) for n in range(batches)]),
            ("many items", many_items, [make_movement(f"X{n:07d}", 5, batch_no="B1",
                                                      expiry_month=months(n)) for n in range(batches)]),
            ("baseline", baseline, [make_movement(f"EDL{n % 300:04d}", 100, batch_no=f"B{n // 300}",
                                                  expiry_month=months(n)) for n in range(900)]),
        ]
        for label, desk, movements in planted:
            requests_made, seconds = plant(desk, movements)
            report(f"{name:<11} planted {label}: {len(movements):,} batches in {requests_made} "
                   f"pushes, {seconds:.1f} s")
        base = {label: f"{base_url}/facility/{desk.facility_code}" for label, desk, _ in planted}
        one = base["one item"]
        after = next_key(f"{one}/batches?item=EDL0001", r'href="[^"]*after=([^"&]+)" rel="next"')
        pages = [
            ("baseline", "facility page", base["baseline"]),
            ("one item", "facility page", one),
            ("one item", "its batches, page 1", f"{one}/batches?item=EDL0001"),
            ("one item", "its batches, page 2", f"{one}/batches?item=EDL0001&after={after}"),
            ("one item", "its batches, last page", f"{one}/batches?item=EDL0001&at=end"),
            ("one item", "near-expiry batches", f"{one}/near-expiry"),
            ("many items", "facility page", base["many items"]),
            ("many items", "facility page, last", f"{base['many items']}?at=end"),
        ]
        reference: float | None = None
        for label, page, url in pages:
            figures = timed(url)
            if reference is None:
                reference = figures["median"]
            report(f"{name:<11} {label:<11} {page:<24} {figures['median'] * 1000:>7.0f} "
                   f"{figures['worst'] * 1000:>7.0f} {figures['pair_median'] * 1000:>9.0f} "
                   f"{figures['pair_worst'] * 1000:>9.0f} {figures['median'] / reference:>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200_000)
    add_backend_arguments(parser)
    args = parser.parse_args()

    def report(line: str) -> None:
        print(line, flush=True)

    report(f"{args.batches:,} batches per large facility, {os.cpu_count()} CPU cores, loopback, "
           f"one server worker; times in ms, {ROUNDS} rounds each")
    report(f"{'backend':<11} {'facility':<11} {'page':<24} {'median':>7} {'worst':>7} "
           f"{'2 at once':>9} {'worst':>9} {'ratio':>7}")
    for name, url in each_backend(args):
        run_backend(name, url, args.batches, report)


if __name__ == "__main__":
    main()
