"""A small threaded HTTP proxy on loopback that breaks the line between a desk and the server
on purpose: it can drop the answer after forwarding, cut the request body, answer 5xx or a web
page, refuse connections, delay, duplicate, or hold a request back and deliver it late.

Faults are queued per request with :meth:`FaultProxy.add`; a request no fault matches is
forwarded untouched, or, after :meth:`FaultProxy.random_faults`, meets a fault drawn at random
(a flaky line: "30 % mixed faults"). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import http.client
import json
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}


@dataclass
class Fault:
    """What to do to the next ``times`` requests whose method and path match."""

    action: str  # drop_response, cut_body, status, html, garbage, delay, duplicate, hold, repeat_cursor, redirect
    path: str = "/v1/events"
    method: str | None = "POST"
    times: int = 1
    status: int = 503
    seconds: float = 0.0
    copies: int = 2

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and path.startswith(self.path) and self.method in (None, method)


@dataclass
class Captured:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes


class FaultProxy:
    def __init__(self, upstream: str, *, count_batches: bool = True) -> None:
        """``count_batches``: read each push to note its size (``batch_sizes``); the benchmark
        turns it off, the proxy's own parsing would slow the line it measures."""
        parts = urlsplit(upstream)
        assert parts.hostname in ("127.0.0.1", "localhost"), "the proxy only talks to loopback"
        self.upstream = (parts.hostname, parts.port or 80)
        self.count_batches = count_batches
        self.faults: list[Fault] = []
        self.held: list[Captured] = []
        self.log: list[tuple[str, str, str]] = []  # (method, path, what happened)
        self.batch_sizes: list[int] = []  # events in each push that reached the proxy
        self.forwarded_results: list[int] = []
        self.random_hits: list[str] = []  # the faults random_faults() drew
        self._lock = threading.Lock()
        self._refusing = False
        self._random: tuple[float, tuple[str, ...], random.Random] | None = None
        self._failing_pushes: tuple[Callable[[int], bool], int, list[int]] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._listen()

    # -- life --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        ThreadingHTTPServer.allow_reuse_address = True
        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()

    def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(5)
            self._server = None

    def refuse_connections(self) -> None:
        """Close the listening socket: new connections are refused, open ones are cut."""
        with self._lock:
            self._refusing = True
        self._stop_listening()

    def accept_connections(self) -> None:
        with self._lock:
            self._refusing = False
        if self._server is None:
            self._listen()

    def close(self) -> None:
        self._stop_listening()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- faults --------------------------------------------------------------------------------

    def add(self, action: str, **options: object) -> Fault:
        fault = Fault(action, **options)  # type: ignore[arg-type]
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self._random = None
            self._failing_pushes = None

    def fail_pushes(self, should_fail: Callable[[int], bool], status: int = 503) -> None:
        """From now on answer ``status`` to the pushes (``POST /v1/events``, counted from 1)
        that ``should_fail(number)`` picks, until :meth:`clear`."""
        with self._lock:
            self._failing_pushes = (should_fail, status, [0])

    #: The line of issue 10: refused, cut, answer dropped after the server committed, a 5xx,
    #: or delivered twice at once.
    MIXED = ("drop_request", "cut_body", "drop_response", "status", "duplicate")

    def random_faults(self, rate: float, actions: tuple[str, ...] = MIXED, seed: int = 10) -> None:
        """From now on, each /v1/ request no queued fault matches meets one of ``actions``
        with probability ``rate`` (reproducible: a seeded generator)."""
        with self._lock:
            self._random = (rate, actions, random.Random(seed))

    def _take_fault(self, method: str, path: str, has_body: bool = True) -> Fault | None:
        with self._lock:
            if self._refusing:
                return Fault("drop_request", method=None, path="")
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
            if self._failing_pushes is not None and method == "POST" and path == "/v1/events":
                should_fail, status, count = self._failing_pushes
                count[0] += 1
                if should_fail(count[0]):
                    return Fault("status", status=status)
            if self._random is not None and path.startswith("/v1/"):
                rate, actions, rng = self._random
                if rng.random() < rate:
                    action = rng.choice(actions)
                    if action == "cut_body" and not has_body:
                        action = "drop_request"  # nothing to cut: the line drops instead
                    self.random_hits.append(action)
                    return Fault(action, method=None, path="")
        return None

    def deliver_held(self) -> list[int]:
        """Send the held-back requests to the server now (late, after the ones sent since)."""
        with self._lock:
            held, self.held = self.held, []
        return [self.forward(request)[0] for request in held]

    def forward(self, request: Captured) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            conn.connect()
            # A line that is slow only when it is told to be: no Nagle wait on small writes.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.request(request.method, request.path, body=request.body,
                         headers=dict(request.headers))
            response = conn.getresponse()
            body = response.read()
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            with self._lock:
                self.forwarded_results.append(response.status)
            return response.status, headers, body
        finally:
            conn.close()

    def cut_body(self, request: Captured) -> None:
        """Send the headers (with the full Content-Length) and half the body, then hang up."""
        with socket.create_connection(self.upstream, timeout=10) as sock:
            head = f"{request.method} {request.path} HTTP/1.1\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in request.headers) + "\r\n"
            sock.sendall(head.encode("latin-1") + request.body[: len(request.body) // 2])
            time.sleep(0.05)


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this each answer would wait for the
        # desk's delayed ACK (Nagle), a delay no real line adds.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass

    def _handle(self) -> None:
        proxy = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        request = Captured(self.command, self.path, headers, body)
        if self.path == "/v1/events" and body and proxy.count_batches:
            events = json.loads(gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body)
            proxy.batch_sizes.append(len(events["events"]))
        fault = proxy._take_fault(self.command, self.path, bool(body))
        action = fault.action if fault else "forward"
        proxy.log.append((self.command, self.path, action))
        if fault is None:
            self._relay(*proxy.forward(request))
        elif action == "drop_request":
            self.close_connection = True
        elif action == "drop_response":
            proxy.forward(request)  # the server commits; the desk never hears of it
            self.close_connection = True
        elif action == "cut_body":
            proxy.cut_body(request)
            self.close_connection = True
        elif action == "status":
            self._answer(fault.status, b'{"detail": "injected"}' if fault.status < 500 else b"Bad Gateway",
                         "text/plain")
        elif action == "redirect":  # e.g. a server that moved to https
            self._relay(301, [("Location", "https://ihms.example.in" + self.path)], b"")
        elif action == "html":
            self._answer(200, b"<html><body><h1>Welcome to CHC Wi-Fi</h1>Please log in.</body></html>",
                         "text/html; charset=utf-8")
        elif action == "garbage":
            self._answer(200, b"\x00\xffnot json at all\x13", "application/json")
        elif action == "delay":
            time.sleep(fault.seconds)
            self._relay(*proxy.forward(request))
        elif action == "duplicate":
            answers: list[tuple[int, list[tuple[str, str]], bytes]] = []
            threads = [threading.Thread(target=lambda: answers.append(proxy.forward(request)))
                       for _ in range(fault.copies)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            self._relay(*answers[0])
        elif action == "repeat_cursor":  # a buggy server: changes, but the same cursor back
            status, headers, answer = proxy.forward(request)
            page = json.loads(answer)
            page["next_cursor"] = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
            self._relay(status, headers, json.dumps(page).encode())
        elif action == "hold":
            with proxy._lock:
                proxy.held.append(request)
            self.close_connection = True
        else:
            raise AssertionError(f"unknown fault {action}")

    def _relay(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the desk gave up waiting (its timeout): expected

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self._relay(status, [("Content-Type", content_type)], body)

    do_GET = do_POST = do_PUT = do_DELETE = _handle
