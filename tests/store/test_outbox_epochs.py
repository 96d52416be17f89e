"""The outbox after a restore: an event keeps its id, content and sequence for ever, only the
epoch it is offered under moves forward; a fresh epoch starts a fresh number series at once."""

from __future__ import annotations

import sqlite3

import pytest

from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine


def save(store: Store, count: int = 1) -> list[str]:
    numbers = []
    for n in range(count):
        numbers.append(store.dispense(patient=Patient(f"OPD-{n}", "Sita Devi", 40, "F"), prescriber="Dr. Gupta",
                                      lines=[DispenseLine("D0001", 2)]).number)
    return numbers


@pytest.fixture
def stocked(store: Store) -> Store:
    store.receive(source="ddw", voucher_no="V1", voucher_date=store.today(),
                  lines=[ReceiptLine("D0001", "PCM1", "2040-03", 1000)])
    return store


def test_a_fresh_epoch_numbers_in_a_series_of_its_own_and_waits_for_the_server(stocked: Store) -> None:
    assert save(stocked) == ["DSP/2026-27/000001"]
    epoch = stocked.start_new_epoch(reason="restored")
    assert epoch == 2
    assert save(stocked, 2) == ["DSP/2026-27/A2-000002", "DSP/2026-27/A2-000003"]
    claim = stocked.pending_epoch_claim()
    assert claim is not None and (claim.from_epoch, claim.proposed_epoch, claim.reason, claim.take_over) == (
        1, 2, "restored", False)
    # A second fork before the server answered keeps the claim's id and the epoch it left.
    assert stocked.start_new_epoch(reason="moved", take_over=True, above=4) == 5
    again = stocked.pending_epoch_claim()
    assert again is not None and (again.claim, again.from_epoch, again.proposed_epoch, again.take_over) == (
        claim.claim, 1, 5, True)
    # The server grants 6: everything unacknowledged goes under it, the claim is settled.
    assert stocked.adopt_epoch(6, desk_number=2) == 4
    assert stocked.pending_epoch_claim() is None
    assert {row[0] for row in stocked.conn.execute("SELECT epoch FROM outbox")} == {6}
    assert save(stocked) == ["DSP/2026-27/B6-000004"]
    assert stocked.doctor() == []


def test_events_set_aside_for_a_reused_sequence_are_offered_again(stocked: Store) -> None:
    save(stocked, 3)
    events = stocked.pending_events(10)
    stocked.record_sync_results([
        (events[0].event_id, "applied", None, None),
        (events[1].event_id, "rejected", "sequence_reused", "Sequence 2 of epoch 1 is already used"),
        (events[2].event_id, "rejected", "invalid_event", "payload: broken"),
    ])
    # As a desk of the earlier version left it: the clash set aside, then a new epoch.
    stocked.conn.execute("UPDATE device SET epoch = 2")
    stocked.conn.commit()
    assert stocked.requeue_under_current_epoch() == 2  # the clash and the one still waiting
    rows = {row["sequence"]: (row["status"], row["epoch"], row["reject_code"])
            for row in stocked.conn.execute("SELECT sequence, status, epoch, reject_code FROM outbox")}
    assert rows == {1: ("sent", 1, None), 2: ("pending", 2, None), 3: ("rejected", 1, "invalid_event"),
                    4: ("pending", 2, None)}
    assert stocked.outbox_counts() == {"pending": 2, "sent": 1, "rejected": 1}


def test_an_event_never_changes_and_never_goes_back_an_epoch(stocked: Store) -> None:
    stocked.start_new_epoch()
    stocked.adopt_epoch(2)
    conn = stocked.conn
    for statement in ("UPDATE outbox SET epoch = 1", "UPDATE outbox SET sequence = 99",
                      "UPDATE outbox SET payload = '{}'", "UPDATE outbox SET event_id = 'x'",
                      "DELETE FROM outbox"):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(statement)
        conn.rollback()
    conn.execute("UPDATE outbox SET epoch = 3")  # forward is how a restored desk re-sends
    conn.rollback()


def test_deliveries_are_counted_for_the_last_hour(stocked: Store) -> None:
    import datetime as dt

    save(stocked, 2)
    events = stocked.pending_events(10)
    stocked.record_sync_results([(e.event_id, "applied", None, None) for e in events[:2]])
    now = stocked.now()
    assert stocked.delivered_since(now - dt.timedelta(hours=1)) == 2
    assert stocked.sync_state().last_delivery_at is not None and stocked.sync_state().online is True
    stocked.forget_deliveries_before(now + dt.timedelta(seconds=1))
    assert stocked.delivered_since(now - dt.timedelta(hours=1)) == 0
