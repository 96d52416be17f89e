"""How many events per second one state server stores: 20 desks pushing at once over loopback.

Starts ``ihms-server serve`` as its own process on PostgreSQL (a throwaway database) and on
SQLite, enrols one desk per facility, then lets every desk push its share of the events in
batches of 500 at the same time. Prints events per second and batch latency (p50, p95, max)
per backend, and checks that the database holds every event exactly once.

    python benchmarks/server_bench.py                      # 200,000 events, 20 clients, both backends
    python benchmarks/server_bench.py --events 20000 --backends sqlite
    python benchmarks/server_bench.py --events 20000 --patient-level both   # the cost of redaction

``--patient-level both`` runs each backend with patient-level reporting off (dispenses stored
without the patient, the default) and on (stored whole) and prints their ratio (docs/privacy.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from ihms_desk.sync import protocol as wire
from ihms_server import privacy, rollout
from ihms_server.store import open_store
from ihms_server.testing import (
    DEFAULT_POSTGRES_ADMIN_URL,
    EnrolledDevice,
    add_facility,
    make_event,
    make_movement,
    temporary_database,
)

ITEMS = [f"EDL{n:04d}" for n in range(1, 301)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(db_url: str, workers: int) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ihms_server.cli", "serve", "--db", db_url, "--port", str(port),
         "--workers", str(workers), "--no-access-log"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base_url}/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def enrol_desks(db_url: str, base_url: str, clients: int) -> list[EnrolledDevice]:
    store = open_store(db_url, migrate=False)
    desks = []
    try:
        for n in range(clients):
            code = f"CHC-BEN-{n:03d}"
            add_facility(store, code, district=f"District {n % 7}", block=f"Block {n}")
            enrolment_code = store.create_enrolment_code(code)
            answer = requests.post(f"{base_url}/v1/enrol", timeout=30,
                                   headers={wire.PROTOCOL_HEADER: "1"},
                                   json={"facility_code": code, "enrolment_code": enrolment_code,
                                         "device_name": "bench"}).json()
            desks.append(EnrolledDevice(base_url, code, answer["device_id"], answer["token"]))
    finally:
        store.close()
    return desks


def prepare_bodies(desk: EnrolledDevice, events: int, batch: int, seed: int) -> list[bytes]:
    """Realistic OPD dispenses (1-3 medicines each), serialised before the clock starts."""
    rng = random.Random(seed)
    made = []
    for sequence in range(1, events + 1):
        movements = [make_movement(rng.choice(ITEMS), -rng.randint(1, 30), line_no=line,
                                   batch_no=f"B{rng.randint(1, 4)}")
                     for line in range(1, rng.randint(1, 3) + 1)]
        made.append(make_event(desk, sequence, movements=movements))
    return [json.dumps({"device_id": desk.device_id, "events": made[i:i + batch]}).encode()
            for i in range(0, len(made), batch)]


def run_backend(name: str, db_url: str, args: argparse.Namespace, patient_level: str = "off") -> dict[str, float]:
    per_client = args.events // args.clients
    store = open_store(db_url)
    try:
        rollout.set_setting(store, privacy.SETTING, patient_level)
    finally:
        store.close()
    with server_process(db_url, args.workers) as base_url:
        desks = enrol_desks(db_url, base_url, args.clients)
        bodies = [prepare_bodies(desk, per_client, args.batch, n) for n, desk in enumerate(desks)]
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.clients + 1)

        def client(desk: EnrolledDevice, batches: list[bytes]) -> None:
            session = requests.Session()
            headers = {**desk.headers(), "Content-Type": "application/json"}
            barrier.wait()
            for body in batches:
                started = time.perf_counter()
                response = session.post(f"{base_url}/v1/events", data=body, headers=headers,
                                        timeout=300)
                elapsed = time.perf_counter() - started
                statuses = {r["status"] for r in response.json()["results"]} if response.ok else set()
                with lock:
                    latencies.append(elapsed)
                    if statuses != {"applied"}:
                        failures.append(f"{response.status_code} {response.text[:200]}")

        threads = [threading.Thread(target=client, args=(d, b)) for d, b in zip(desks, bodies)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    store = open_store(db_url, migrate=False)
    try:
        stored = store.event_count()
    finally:
        store.close()
    total = per_client * args.clients
    if failures or stored != total:
        raise SystemExit(f"{name}: {len(failures)} failed batches, {stored} of {total} stored: "
                         f"{failures[:3]}")
    latencies.sort()
    return {"events": total, "seconds": wall, "events_per_second": total / wall,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
            "max_ms": latencies[-1] * 1000, "batches": len(latencies)}


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """``--backends`` and ``--postgres``: which server backends a benchmark runs on."""
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--postgres", default=os.environ.get("IHMS_TEST_POSTGRES",
                                                             DEFAULT_POSTGRES_ADMIN_URL),
                        help="admin database to create the throwaway database from")


def each_backend(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(backend, database URL) for each backend asked for: a throwaway database, dropped
    when the loop moves on."""
    for name in args.backends.split(","):
        with tempfile.TemporaryDirectory() as folder, temporary_database(name, Path(folder), args.postgres) as url:
            yield name, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--batch", type=int, default=wire.MAX_EVENTS_PER_BATCH)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    add_backend_arguments(parser)
    parser.add_argument("--patient-level", choices=("off", "on", "both"), default="off",
                        help="patient-level reporting while pushing (both: each, and their ratio)")
    args = parser.parse_args()
    print(f"{args.events:,} events, {args.clients} concurrent clients, batches of {args.batch}, "
          f"{args.workers} server worker(s), {os.cpu_count()} CPU cores, loopback")
    print(f"{'backend':<15} {'events/s':>9} {'seconds':>8} {'p50 batch':>10} {'p95 batch':>10} "
          f"{'max batch':>10}")
    levels = ["off", "on"] if args.patient_level == "both" else [args.patient_level]
    rates: dict[tuple[str, str], float] = {}
    for level in levels:
        for name, url in each_backend(args):
            result = run_backend(name, url, args, level)
            rates[(name, level)] = result["events_per_second"]
            label = name if len(levels) == 1 else f"{name}/{level}"
            print(f"{label:<15} {result['events_per_second']:>9,.0f} {result['seconds']:>8.1f} "
                  f"{result['p50_ms']:>8.0f}ms {result['p95_ms']:>8.0f}ms {result['max_ms']:>8.0f}ms",
                  flush=True)
    if len(levels) == 2:
        for name in args.backends.split(","):
            print(f"{name}: redacted (off) stores at {rates[(name, 'off')] / rates[(name, 'on')]:.2f}x "
                  "the rate of whole (on)")


if __name__ == "__main__":
    main()
