"""Smoke: enrol a desk, save documents, sync through the proxy, converge."""

from __future__ import annotations

from e2e_desk import assert_converged


def test_enrol_sync_and_converge(make_desk, server, proxy):
    desk = make_desk()
    desk.enrol(proxy.url, server.enrolment_code())
    desk.receive()
    desk.dispense(30)
    outcome = desk.sync_until_done()
    assert outcome.sent == 31
    assert_converged(desk, server.store)
