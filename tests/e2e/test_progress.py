"""A flaky line (issue 10, items 5 and 6): a batch accepted is progress, so the program's own
loop drains a backlog through a line that fails 30 % of requests; and every place that says
how sync went tells the truth when a pass delivered part of the queue and then failed."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import threading
import time
from dataclasses import replace
from functools import partial

import e2e_desk
from e2e_desk import FAST, assert_converged

from ihms_desk.cli.sync import describe
from ihms_desk.sync.errors import ServerTrouble, ServerUnreachable
from ihms_desk.sync.worker import SyncWorker, read_status


#: A line failing one request in three is slow to drain: this file waits longer.
wait_for = partial(e2e_desk.wait_for, timeout=60.0, pause=0.05)


def run_loop_until_drained(desk, config, timeout: float) -> list:
    statuses: list = []
    worker = desk.worker(config)
    worker.on_status = statuses.append
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        wait_for(lambda: desk.counts()["pending"] == 0, timeout=timeout, what="the backlog to drain")
    finally:
        worker.shutdown()
        thread.join(30)
    return statuses


def test_a_batch_accepted_is_progress_so_the_loop_goes_on_at_once(enrolled_desk, server, proxy):
    desk = enrolled_desk(1500)
    proxy.fail_pushes(lambda number: number % 2 == 0)  # every other push fails
    # Each fault ends its pass (no retries), and a backoff would last a minute: the queue
    # drains in seconds only if a pass that delivered a batch is followed at once.
    config = replace(FAST, backoff_base=60.0, backoff_cap=60.0, retries_in_pass=0)
    started = time.monotonic()
    statuses = run_loop_until_drained(desk, config, timeout=45)
    assert time.monotonic() - started < 45
    failed = [s for s in statuses if not s.syncing and s.last_error]
    assert len(failed) >= 3, "passes failed half-way"
    assert all(s.next_try_at is None for s in failed), "a pass that delivered was followed by a backoff"
    desk.sync_until_done()
    assert_converged(desk, server.store)


def test_the_loop_drains_through_a_line_failing_30_percent_of_requests(enrolled_desk, server, proxy):
    desk = enrolled_desk(2500)
    proxy.random_faults(0.3)  # refused, cut, answer lost, 503, delivered twice
    run_loop_until_drained(desk, replace(FAST, backoff_base=60.0, backoff_cap=60.0), timeout=90)
    assert len(proxy.random_hits) >= 3
    proxy.clear()
    desk.sync_until_done()
    assert_converged(desk, server.store)


def test_a_pass_that_fails_half_way_reports_what_it_delivered(enrolled_desk, server, proxy):
    desk = enrolled_desk(449)
    proxy.fail_pushes(lambda number: number > 1)  # the first push goes through, no other
    result = subprocess.run(desk.command("sync", "--once"), capture_output=True, text=True, timeout=120,
                            env={**os.environ, "IHMS_MACHINE_DIR": str(desk.pc)})
    assert result.returncode == 4
    # The tally survives the error: it says what was sent before the line failed.
    assert "Sent 200 (already on the server: 0), set aside 0, still waiting 250" in result.stdout, result.stdout
    assert "Not finished: The server" in result.stderr and "HTTP 503" in result.stderr
    status = read_status(desk.store)
    assert status.online is True, "a pass that delivered reached the server"
    assert status.last_success is None and status.last_delivery is not None
    assert status.last_contact == status.last_delivery and status.delivered_last_hour == 200
    assert "delivered in the last hour: 200" in " ".join(describe(status))
    outcome = desk.worker().sync_once()  # in process too: the outcome keeps the count
    assert isinstance(outcome.error, ServerTrouble) and outcome.sent == 0 and outcome.waiting == 250
    proxy.clear()  # the line is mended
    desk.sync_until_done()
    assert_converged(desk, server.store)


def test_offline_shows_when_the_next_try_is(enrolled_desk, server, proxy):
    desk = enrolled_desk()
    proxy.refuse_connections()
    worker = desk.worker(replace(FAST, backoff_base=30.0, backoff_cap=30.0))
    thread = threading.Thread(target=worker.run)
    started = dt.datetime.now(dt.timezone.utc)
    thread.start()
    try:
        wait_for(lambda: desk.store.sync_state().next_try_at is not None, what="the next try to be recorded")
        status = read_status(desk.store)
        assert status.online is False and status.delivered_last_hour == 0
        # Within the backoff (up to 30 s, full jitter) of the failed pass.
        next_try = dt.datetime.fromisoformat(status.next_try_at)
        assert started - dt.timedelta(seconds=1) <= next_try <= dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=31)
        assert any(line.startswith("Next try: ") for line in describe(status))
        proxy.accept_connections()
        worker.notify_network_up()
        wait_for(lambda: desk.counts()["pending"] == 0, what="the sync after the line came back")
        wait_for(lambda: desk.store.sync_state().next_try_at is None, what="the next try to be cleared")
    finally:
        worker.shutdown()
        thread.join(30)
    assert_converged(desk, server.store)


def test_the_server_logs_a_dropped_connection_in_one_line(enrolled_desk, server, proxy, caplog):
    desk = enrolled_desk(30)
    proxy.add("cut_body", times=2)
    with caplog.at_level(logging.WARNING):
        outcome = desk.worker(retries_in_pass=0).sync_once()
        assert isinstance(outcome.error, ServerUnreachable)
        wait_for(lambda: any("dropped before the body arrived" in r.getMessage() for r in caplog.records),
                 timeout=10, what="the server's log line")
    dropped = [r for r in caplog.records if "dropped before the body arrived" in r.getMessage()]
    assert dropped[0].name == "ihms_server.app" and dropped[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    desk.sync_until_done()
    assert_converged(desk, server.store)
