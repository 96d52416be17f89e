"""The desk pulls its issue vouchers by cursor and its redistribution suggestions (docs/indents.md)
over real HTTP on loopback: the real state server behind a small front that serves the two
routes as the contract words them, so the pull is tested before and apart from the server's
own pages; and against the plain server, which a desk meets before the server has them."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from e2e_desk import FACILITY_CODE, assert_converged


def voucher(n: int, indent: str | None = None) -> dict[str, Any]:
    return {"number": f"DDW-JAI/2026-27/{n:06d}", "kind": "voucher", "from_code": "DDW-JAI", "from_name": "DDW Jaipur",
            "indent_number": indent, "issued_on": "2026-11-19",
            "lines": [{"line_no": 1, "item_code": "D0001", "batch_no": f"V{n}", "expiry_month": "2028-03", "qty": 100 + n,
                       "manufacturer": None, "unit_cost": None},
                      {"line_no": 2, "item_code": "D0002", "batch_no": f"W{n}", "expiry_month": "2028-04", "qty": 50,
                       "manufacturer": "RMSCL", "unit_cost": "1.25"}]}


class ContractFront:
    """Serves ``GET /v1/vouchers`` (``page`` vouchers at a time, the cursor the index of the
    next) and ``GET /v1/suggestions`` from lists the test sets; forwards every other request to
    the real server. Records what the desk asked."""

    def __init__(self, upstream: str, page: int = 2) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.page = page
        self.vouchers: list[dict[str, Any]] = []
        self.suggestions: list[dict[str, Any]] = []
        self.asked: list[str] = []
        #: Answer the two routes as a server before issue 14 did: 404, the route unknown.
        self.absent = False
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802 - the base class's name
                front.handle(self)

            def do_POST(self) -> None:  # noqa: N802
                front.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        if parts.path in ("/v1/vouchers", "/v1/suggestions"):
            assert request.headers.get("Authorization", "").startswith("Bearer "), "pulled without the device token"
            self.asked.append(request.path)
            if self.absent:
                self._answer(request, 404, {"code": "not_found", "reason": "Not Found"})
                return
            if parts.path == "/v1/suggestions":
                answer: dict[str, Any] = {"suggestions": self.suggestions}
            else:
                query = parse_qs(parts.query)
                start = int(query.get("after", [""])[0] or 0)
                size = min(self.page, int(query["limit"][0]))
                taken = self.vouchers[start:start + size]
                answer = {"vouchers": taken, "cursor": str(start + len(taken)), "more": start + size < len(self.vouchers)}
            self._answer(request, 200, answer)
            return
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length) if length else None
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        headers = {key: value for key, value in request.headers.items() if key.lower() not in ("host", "connection")}
        connection.request(request.command, request.path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        request.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                request.send_header(key, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
        connection.close()

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, answer: dict[str, Any]) -> None:
        body = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def front(server: Any) -> Iterator[ContractFront]:
    made = ContractFront(server.url)
    yield made
    made.close()


def test_vouchers_pulled_by_cursor_and_suggestions_replaced(server: Any, front: ContractFront, make_desk: Any) -> None:
    desk = make_desk()
    desk.enrol(front.url, server.enrolment_code())
    desk.store.start_indent_draft()
    desk.store.set_indent_line("D0001", 500)
    indent = desk.store.approve_indent().number
    front.vouchers = [voucher(1, indent), voucher(2), voucher(3), {"number": "bad one", "lines": []}, voucher(4)]
    front.suggestions = [{"id": "S-1", "item_code": "D0001", "to_code": "CHC-B", "to_name": "CHC B", "qty": 30,
                          "reason": "near_expiry", "expires": "2027-01"}]
    outcome = desk.sync_until_done()
    assert outcome.complete and outcome.vouchers == 4
    # Three pages of two, each asked after the cursor the page before gave.
    pulls = [path for path in front.asked if path.startswith("/v1/vouchers")]
    assert [parse_qs(urlsplit(p).query).get("after", [""])[0] for p in pulls] == ["", "2", "4"]
    held = desk.store.vouchers()
    assert [v.number for v in held] == [f"DDW-JAI/2026-27/{n:06d}" for n in (1, 2, 3, 4)]
    assert held[0].indent_number == indent and held[0].lines[1].unit_cost == "1.25"
    assert desk.store.voucher_cursor() == "5"
    assert desk.store.indent_status(indent).status == "partly_issued"  # 101 of 500 issued
    assert [(s.id, s.reason, s.expires) for s in desk.store.transfer_suggestions()] == [("S-1", "near_expiry", "2027-01")]
    # The next pass asks after the cursor it kept and stores nothing twice; a withdrawn
    # suggestion disappears.
    front.asked.clear()
    front.vouchers.append(voucher(5))
    front.suggestions = []
    outcome = desk.sync_until_done()
    assert outcome.vouchers == 1 and len(desk.store.vouchers()) == 5
    assert [parse_qs(urlsplit(p).query).get("after", [""])[0] for p in front.asked if "vouchers" in p] == ["5"]
    assert desk.store.transfer_suggestions() == []
    # Received as sent, the receipt goes up like any document.
    desk.store.receive_voucher("DDW-JAI/2026-27/000001")
    desk.sync_until_done()
    assert_converged(desk, server.store)


def test_a_server_without_vouchers_is_no_failure(server: Any, front: ContractFront, make_desk: Any) -> None:
    """A desk updated before its server: the pull finds no such route (404, as the state server
    answers a route it does not have) and the pass succeeds."""
    front.absent = True
    desk = make_desk()
    desk.enrol(front.url, server.enrolment_code())
    desk.receive(qty=100)
    outcome = desk.sync_until_done()
    assert outcome.complete and outcome.error is None and outcome.vouchers == 0
    assert {urlsplit(path).path for path in front.asked} == {"/v1/vouchers", "/v1/suggestions"}
    assert desk.store.voucher_cursor() == ""
    assert_converged(desk, server.store)
    assert FACILITY_CODE == desk.store.require_facility().code
