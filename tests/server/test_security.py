"""ihms_server/security.py: the security headers on every answer, and the limit on enrolment
attempts (per facility, per client address, kept in the database), on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from ihms_desk.sync import protocol as wire
from ihms_server import security
from ihms_server.store import Store
from ihms_server.testing import add_facility, run_server

PROTOCOL = {wire.PROTOCOL_HEADER: "1"}


def enrol(server: str, facility_code: str, code: str, client: str = "203.0.113.7") -> requests.Response:
    # The test server trusts X-Forwarded-For from loopback, as uvicorn trusts a reverse proxy on
    # the same host: each "client" here is a different address to the server.
    return requests.post(f"{server}/v1/enrol", timeout=30,
                         headers={**PROTOCOL, "X-Forwarded-For": client},
                         json={"facility_code": facility_code, "enrolment_code": code,
                               "device_name": "Counter 1"})


@pytest.mark.parametrize("path", ["/", "/v1/health", "/facility/NOPE", "/openapi.json", "/rollout"])
def test_every_answer_carries_the_security_headers(server: str, path: str) -> None:
    response = requests.get(f"{server}{path}", timeout=30)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no script may run on a page of ours
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    # Plain HTTP on loopback: no HSTS (a browser would pin a scheme the server does not serve).
    assert "Strict-Transport-Security" not in response.headers


def test_https_from_the_proxy_gets_hsts(server: str) -> None:
    response = requests.get(f"{server}/v1/health", timeout=30, headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_method_not_allowed_names_the_allowed_ones(server: str) -> None:
    response = requests.request("TRACE", f"{server}/v1/health", timeout=30)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"


def test_wrong_codes_for_one_facility_are_limited(server: str, store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    good = store.create_enrolment_code("CHC-AJM-004")
    for attempt in range(security.FACILITY_LIMIT):
        # From ever-new addresses: the facility's own limit is what stops them.
        refused = enrol(server, "CHC-AJM-004", "AAAA-BBBB-CCCC", client=f"198.51.100.{attempt}")
        assert refused.status_code == 403, refused.text
    limited = enrol(server, "CHC-AJM-004", good, client="198.51.100.200")
    assert limited.status_code == 429, limited.text
    body = limited.json()
    assert body["code"] == wire.TOO_MANY_ATTEMPTS and body["scope"] == "facility"
    assert 0 < int(limited.headers["Retry-After"]) <= security.WINDOW.total_seconds()
    assert body["minutes"] == -(-int(limited.headers["Retry-After"]) // 60)
    assert "Wait" in body["reason"] and "CHC-AJM-004" in body["reason"]
    # The code was not even looked at: it still works once the window has passed.
    assert store.devices() == []
    # Another facility is not held up.
    add_facility(store, "CHC-AJM-005")
    assert enrol(server, "CHC-AJM-005", store.create_enrolment_code("CHC-AJM-005")).status_code == 200
    # Attempts the limit refused are logged, not kept: a guessing run cannot fill the table.
    attempts = security.enrolment_attempts(store, facility_code="CHC-AJM-004")
    assert [a["outcome"] for a in attempts] == ["unknown"] * security.FACILITY_LIMIT
    assert attempts[0]["client"] == f"198.51.100.{security.FACILITY_LIMIT - 1}"


def test_wrong_codes_from_one_address_are_limited(server: str, store: Store) -> None:
    codes = [f"CHC-T-{n:02d}" for n in range(security.CLIENT_LIMIT + 1)]
    for code in codes:
        add_facility(store, code)
    for code in codes[:-1]:
        assert enrol(server, code, "AAAA-BBBB-CCCC", client="192.0.2.9").status_code == 403
    limited = enrol(server, codes[-1], store.create_enrolment_code(codes[-1]), client="192.0.2.9")
    assert limited.status_code == 429 and limited.json()["scope"] == "client"
    # Another address may still enrol that facility.
    assert enrol(server, codes[-1], store.create_enrolment_code(codes[-1]), client="192.0.2.10").status_code == 200


def test_the_limit_is_kept_in_the_database(db_url: str, store: Store) -> None:
    """A restarted server (or another worker process) sees the same attempts."""
    add_facility(store, "CHC-AJM-004")
    with run_server(db_url) as first:
        for _ in range(security.FACILITY_LIMIT):
            enrol(first, "CHC-AJM-004", "AAAA-BBBB-CCCC")
    with run_server(db_url) as second:
        assert enrol(second, "CHC-AJM-004", "AAAA-BBBB-CCCC").status_code == 429


def test_the_window_passes(store: Store) -> None:
    add_facility(store, "CHC-AJM-004")
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    for minute in range(security.FACILITY_LIMIT):
        security.record_enrolment_attempt(store, "CHC-AJM-004", f"10.0.0.{minute}", "unknown",
                                          now=start + dt.timedelta(minutes=minute))
    at_limit = start + dt.timedelta(minutes=security.FACILITY_LIMIT)
    limited = security.check_enrolment_allowed(store, "CHC-AJM-004", "10.1.1.1", now=at_limit)
    assert limited is not None and limited.scope == "facility"
    # Free again when the first refusal leaves the window, not a second later.
    assert limited.retry_after == (start + security.WINDOW - at_limit).total_seconds()
    assert security.check_enrolment_allowed(store, "CHC-AJM-004", "10.1.1.1",
                                            now=start + security.WINDOW + dt.timedelta(seconds=1)) is None
    # A successful enrolment does not count against anybody.
    for _ in range(security.CLIENT_LIMIT):
        security.record_enrolment_attempt(store, "CHC-AJM-009", "10.9.9.9", "enrolled", now=at_limit)
    assert security.check_enrolment_allowed(store, "CHC-AJM-009", "10.9.9.9", now=at_limit) is None


def test_attempts_are_pruned_after_a_month(store: Store) -> None:
    old = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    security.record_enrolment_attempt(store, "CHC-AJM-004", "10.0.0.1", "unknown", now=old)
    security.record_enrolment_attempt(store, "CHC-AJM-004", "10.0.0.1", "unknown",
                                      now=old + security.KEEP_FOR + dt.timedelta(days=1))
    assert len(security.enrolment_attempts(store)) == 1


def test_attempts_are_logged(server: str, store: Store, caplog: pytest.LogCaptureFixture,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_last_logged", {})  # the other backend's run was this process too
    add_facility(store, "CHC-AJM-004")
    with caplog.at_level("WARNING", logger="ihms_server.security"):
        for _ in range(security.FACILITY_LIMIT + 5):
            enrol(server, "CHC-AJM-004", "AAAA-BBBB-CCCC", client="192.0.2.44")
    said = [r.getMessage() for r in caplog.records if r.name == "ihms_server.security"]
    assert sum("CHC-AJM-004" in m and "192.0.2.44" in m and "unknown" in m for m in said) == security.FACILITY_LIMIT
    # The limited ones: one line, not one per attempt.
    assert sum("too many wrong codes" in m for m in said) == 1


@pytest.mark.parametrize(("address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # the same household's other address
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("unknown", "unknown"),
])
def test_the_client_an_ipv6_address_counts_as_is_its_64(address: str, key: str) -> None:
    assert security.client_key(address) == key


def test_the_server_address_for_packages_is_https(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Desks refuse plain http to another machine, so a package naming one would be useless."""
    from ihms_server import rollout

    monkeypatch.delenv("IHMS_ALLOW_PLAIN_HTTP", raising=False)
    with pytest.raises(ValueError, match="server_url must be"):
        rollout.set_setting(store, "server_url", "http://10.0.0.5:8470")
    rollout.set_setting(store, "server_url", "http://127.0.0.1:8470")  # a one-PC training setup
    rollout.set_setting(store, "server_url", "https://ihms.rajasthan.example")
    assert rollout.setting(store, "server_url") == "https://ihms.rajasthan.example"
