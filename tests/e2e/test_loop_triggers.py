"""When the loop syncs: at start, shortly after saves (debounced), on its timer, nightly, when
the network comes back; and that it stops when told, even in the middle of a backoff."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from dataclasses import replace
from functools import partial

import e2e_desk
from e2e_desk import FAST, assert_converged

from ihms_desk.sync.worker import SyncWorker, backoff_delay
from tests.conftest import FakeClock


def pushes(proxy) -> int:
    return sum(1 for _, path, _ in proxy.log if path == "/v1/events")


def passes(proxy) -> int:
    return sum(1 for _, path, _ in proxy.log if path == "/v1/health")


def first_pass_done(desk) -> bool:
    return desk.store.sync_state().last_success_at is not None


#: The loop's triggers are quick (debounce and timer under a second): ten seconds is plenty.
wait_for = partial(e2e_desk.wait_for, timeout=10.0)


class Running:
    def __init__(self, worker: SyncWorker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=worker.run)

    def __enter__(self) -> SyncWorker:
        self.thread.start()
        return self.worker

    def __exit__(self, *exc: object) -> None:
        self.worker.shutdown()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the loop did not stop"


def test_start_then_debounced_saves(enrolled_desk, server, proxy):
    desk = enrolled_desk()
    worker = SyncWorker(desk.data_dir, replace(FAST, debounce=0.5))
    with Running(worker):
        wait_for(lambda: first_pass_done(desk))  # tried at start, nobody asked
        assert passes(proxy) == 1 and desk.counts()["pending"] == 0
        for _ in range(5):  # a burst at the counter
            desk.dispense(1)
            worker.notify_local_save()
            time.sleep(0.05)
        time.sleep(0.2)
        assert desk.counts()["pending"] == 5, "nothing is sent during the burst"
        wait_for(lambda: desk.counts()["pending"] == 0)
        time.sleep(0.3)
        assert passes(proxy) == 2, "one pass for the whole burst"
    assert_converged(desk, server.store)


def test_timer_sends_what_nobody_announced(make_desk, server, proxy):
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    with Running(SyncWorker(desk.data_dir, replace(FAST, interval=0.5))):
        wait_for(lambda: first_pass_done(desk))
        desk.receive()  # saved by another process, say: no notification
        wait_for(lambda: desk.counts()["pending"] == 0, timeout=5)
    assert_converged(desk, server.store)


def test_nightly_sync_at_the_set_time(make_desk, server, proxy):
    clock = FakeClock(dt.datetime(2026, 11, 25, 20, 58).astimezone())
    desk = make_desk(clock=clock)
    desk.enrol(proxy.url, server.enrolment_code())
    desk.store.set_setting("nightly_sync_time", "21:00")
    config = replace(FAST, nightly_at=None, interval=3600.0, wall_clock_poll=0.05, clock=clock)
    with Running(SyncWorker(desk.data_dir, config)):
        wait_for(lambda: first_pass_done(desk))
        desk.receive()
        time.sleep(0.3)
        assert desk.counts()["pending"] == 1, "before 21:00 nothing asks for a sync"
        clock.current = clock.current.replace(hour=21, minute=0, second=5)
        wait_for(lambda: desk.counts()["pending"] == 0)
        time.sleep(0.3)
        assert passes(proxy) == 2, "one nightly sync per night"
        # The PC clock is set back an hour: tonight's sync already ran, one more is harmless.
        clock.current = clock.current.replace(hour=20)
        time.sleep(0.2)
        assert passes(proxy) == 2
    assert_converged(desk, server.store)


def test_network_back_skips_the_backoff_and_stop_ends_a_backoff(enrolled_desk, server, proxy):
    desk = enrolled_desk()
    proxy.refuse_connections()
    # A long backoff: without the network-back signal the desk would wait up to a minute. The
    # jitter is fixed: full jitter may draw a wait under the 0.3 s below (about one run in 100).
    worker = SyncWorker(desk.data_dir, replace(FAST, backoff_base=30.0, backoff_cap=60.0),
                        jitter=random.Random(1))  # first wait 4.0 s, then 25 s
    with Running(worker):
        wait_for(lambda: desk.store.sync_state().online is False)
        proxy.accept_connections()
        time.sleep(0.3)
        assert desk.counts()["pending"] == 1, "still backing off"
        worker.notify_network_up()
        wait_for(lambda: desk.counts()["pending"] == 0, timeout=5)
        proxy.refuse_connections()
        desk.dispense(1)
        worker.request_sync()
        wait_for(lambda: desk.store.sync_state().online is False)
        started = time.monotonic()
    assert time.monotonic() - started < 5, "stopping waited for the backoff"
    proxy.accept_connections()
    desk.sync_until_done()
    assert_converged(desk, server.store)


def test_backoff_is_full_jitter_under_the_cap():
    rng = random.Random(5)
    for failures in range(1, 40):
        ceiling = min(900.0, 5.0 * 2 ** (failures - 1))
        delays = [backoff_delay(failures, 5.0, 900.0, rng) for _ in range(200)]
        assert all(0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling * 0.8 and min(delays) < ceiling * 0.2  # spread over the range
