"""Smoke: enrol a desk, save documents, sync through the proxy, converge."""

from __future__ import annotations

from e2e_desk import assert_converged


def test_enrol_sync_and_converge(enrolled_desk, server, proxy):
    desk = enrolled_desk(30)
    outcome = desk.sync_until_done()
    assert outcome.sent == 31
    assert_converged(desk, server.store)
