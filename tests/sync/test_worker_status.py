"""The worker's status (ihms_desk/sync/worker.py): the last error keeps its English for the CLI
and gains a kind and values for the screens, also for a failure an earlier version recorded."""

from __future__ import annotations

import socket

from ihms_desk.store import Store
from ihms_desk.cli.sync import describe
from ihms_desk.sync.device import write_token
from ihms_desk.sync.errors import MESSAGES
from ihms_desk.sync.worker import SyncConfig, SyncStatus, SyncWorker, read_status

DEVICE = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
UNREACHABLE_TEXT = ("Cannot reach the server https://ihms.example.in: the line may be down or the address "
                    "wrong. Records stay safe on this PC and will be sent later.")


def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_failure_recorded_by_an_earlier_version_still_loads_with_its_kind(store: Store) -> None:
    # An earlier version kept only the English sentence in the sync_state row.
    store.record_sync_error(UNREACHABLE_TEXT, online=False)
    status = read_status(store)
    assert status.last_error == UNREACHABLE_TEXT
    assert status.last_error_kind == "server_unreachable"
    assert status.last_error_values == {"server": "https://ihms.example.in"}
    assert f"Last error: {UNREACHABLE_TEXT}" in describe(status)


def test_a_wording_no_kind_knows_loads_without_one(store: Store) -> None:
    older = "server unreachable (an older wording)"
    store.record_sync_error(older, online=False)
    status = read_status(store)
    assert (status.last_error, status.last_error_kind, status.last_error_values) == (older, None, {})
    assert f"Last error: {older}" in describe(status)


def test_a_status_built_without_the_new_fields_still_is_one() -> None:
    status = SyncStatus(enrolled=True, server_url="https://ihms.example.in", online=False, waiting=3,
                        set_aside=0, last_success=None, last_error=UNREACHABLE_TEXT,
                        clock_skew_seconds=None, clock_flagged=False)
    assert status.last_error_kind is None and status.last_error_values == {}
    assert status.syncing is False
    assert f"Last error: {UNREACHABLE_TEXT}" in describe(status)


def test_a_real_pass_against_an_unreachable_server_records_kind_and_english(store: Store) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    store.record_enrolment(url, DEVICE)
    write_token(store.path.parent, "ihms_test-token")
    outcome = SyncWorker(store.path.parent, SyncConfig(connect_timeout=2.0, read_timeout=2.0)).sync_once()
    assert outcome.error is not None and outcome.error.kind == "server_unreachable"
    status = read_status(store)
    assert status.online is False
    assert status.last_error == MESSAGES["server_unreachable"].format(server=url) == outcome.error.message
    assert (status.last_error_kind, status.last_error_values) == ("server_unreachable", {"server": url})
