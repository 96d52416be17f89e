"""The server's guards that are not about the data itself: security headers on every answer,
and a limit on enrolment attempts so that enrolment codes cannot be guessed.

Kept apart from ``app.py`` so that the API and the pages stay about what they serve; the app
installs both with :func:`install`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ihms_desk.sync import protocol as wire
from ihms_desk.sync.protocol import ProtocolError
from ihms_server.store import Store, utc_now

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# --- security headers ------------------------------------------------------------------------

#: The pages are server-rendered HTML with their CSS inline and no script at all, so a policy
#: that allows nothing else costs nothing: an injected <script>, a form posting elsewhere or a
#: page framing ours (clickjacking) is refused by the browser. Inline CSS stays allowed: it is
#: one <style> block in base.html, and CSS alone cannot run code or send a form.
PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: FastAPI's /docs and /redoc pages load their script and CSS from jsDelivr and run an inline
#: script to start; everything else stays refused.
DOCS_POLICY = ("default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
               "style-src 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
               "https://fastapi.tiangolo.com; connect-src 'self'; base-uri 'none'; "
               "frame-ancestors 'none'")
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
#: Every answer, JSON or HTML.
COMMON_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers before CSP level 2
    (b"cross-origin-opener-policy", b"same-origin"),
)
#: Sent only on an answer that came over HTTPS (the reverse proxy says so with
#: X-Forwarded-Proto, which uvicorn reads from a trusted proxy): a browser that once reached the
#: dashboard over HTTPS never falls back to plain HTTP for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering, unlike Starlette's BaseHTTPMiddleware)
    adding the headers above to every HTTP answer, unless the route set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (DOCS_POLICY if scope.get("path") in DOCS_PATHS else PAGE_POLICY).encode()
        extra = [*COMMON_HEADERS, (b"content-security-policy", policy)]
        if scope.get("scheme") == "https":
            extra.append(HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- enrolment attempts ----------------------------------------------------------------------

#: An enrolment code is 12 letters of a 30-letter alphabet (about 59 bits) and the attempts of
#: one facility are limited to a few an hour, so guessing one is hopeless. A desk typing its
#: code wrong a few times is the ordinary case, and stays well inside these limits.
WINDOW = dt.timedelta(minutes=15)
#: Refused attempts (a wrong, used, revoked or expired code) of one facility in WINDOW, from any
#: client. One attacker can hold a facility's enrolment up for WINDOW at most: the district
#: then sees the attempts in the log, and the facility enrols a quarter of an hour later.
FACILITY_LIMIT = 10
#: Refused attempts from one client address in WINDOW, whatever the facility. A CHC's PCs
#: behind one NAT share an address; they enrol once each, so 20 refusals is already odd.
CLIENT_LIMIT = 20
#: Attempts are kept this long for the log's sake, then pruned.
KEEP_FOR = dt.timedelta(days=30)
TOO_MANY_ATTEMPTS = wire.TOO_MANY_ATTEMPTS
#: A limited attempt is logged at most this often (seconds) per facility and address.
LOG_LIMITED_EVERY = 60.0


@dataclasses.dataclass(frozen=True)
class Limited:
    """Which limit was reached, and when the next attempt will be heard."""

    scope: str  # "facility" or "client"
    retry_after: int  # whole seconds

    def error(self, facility_code: str) -> ProtocolError:
        minutes = max(1, math.ceil(self.retry_after / 60))
        who = (f"facility {facility_code}" if self.scope == "facility" else "this address")
        return ProtocolError(
            TOO_MANY_ATTEMPTS,
            f"Too many wrong enrolment codes were tried for {who} in the last "
            f"{int(WINDOW.total_seconds() // 60)} minutes. Wait {minutes} minutes, then type the "
            "code again carefully, letter by letter.",
            details={"scope": self.scope, "retry_after": self.retry_after, "minutes": minutes})


def _refusals_since(store: Store, column: str, value: str, since: dt.datetime) -> list[dt.datetime]:
    with store._read() as cur:
        cur.execute(f"SELECT attempted_at FROM enrolment_attempt WHERE {column} = %s"
                    " AND attempted_at > %s AND outcome <> 'enrolled'"
                    " ORDER BY attempted_at", (value, store._ts(since)))
        return [moment for (row,) in cur.fetchall() if (moment := store._ts_out(row)) is not None]


def check_enrolment_allowed(store: Store, facility_code: str, client: str,
                            now: dt.datetime | None = None) -> Limited | None:
    """None if this attempt may go ahead; else which limit it hit. Counted from the attempts
    table, so every worker process and a restarted server see the same count."""
    now = now or utc_now()
    since = now - WINDOW
    for scope, column, value, limit in (("facility", "facility_code", facility_code, FACILITY_LIMIT),
                                        ("client", "client", client, CLIENT_LIMIT)):
        refused = _refusals_since(store, column, value, since)
        if len(refused) >= limit:
            # Heard again when the oldest refusal that counts leaves the window.
            frees_at = refused[len(refused) - limit] + WINDOW
            return Limited(scope, max(1, math.ceil((frees_at - now).total_seconds())))
    return None


def record_enrolment_attempt(store: Store, facility_code: str, client: str, outcome: str,
                             now: dt.datetime | None = None) -> None:
    """Keep the attempt (and log it: a refusal at WARNING, so the district's log shows a
    guessing run as it happens); prune attempts older than KEEP_FOR."""
    now = now or utc_now()
    level = logging.INFO if outcome == "enrolled" else logging.WARNING
    log.log(level, "enrolment attempt for facility %r from %s: %s", facility_code[:40], client, outcome)
    with store._write() as cur:
        cur.execute("INSERT INTO enrolment_attempt (attempted_at, facility_code, client, outcome)"
                    " VALUES (%s, %s, %s, %s)", (store._ts(now), facility_code[:40], client[:64], outcome))
        cur.execute("DELETE FROM enrolment_attempt WHERE attempted_at < %s", (store._ts(now - KEEP_FOR),))


def enrolment_attempts(store: Store, *, facility_code: str | None = None) -> list[dict[str, Any]]:
    """The attempts kept, newest first (for the admin and the tests)."""
    where, params = ("WHERE facility_code = %s", (facility_code,)) if facility_code else ("", ())
    with store._read() as cur:
        cur.execute("SELECT attempted_at, facility_code, client, outcome FROM enrolment_attempt "
                    f"{where} ORDER BY id DESC", params)
        return [{"attempted_at": store._ts_out(r[0]), "facility_code": r[1], "client": r[2],
                 "outcome": r[3]} for r in cur.fetchall()]


def client_key(address: str) -> str:
    """Whom the per-client limit counts: the IPv4 address, or the IPv6 /64 (one household or
    office gets a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


_last_logged: dict[tuple[str, str], float] = {}
_log_lock = threading.Lock()


def _log_limited(facility_code: str, client: str, limited: Limited) -> None:
    now = time.monotonic()
    key = (facility_code[:40], client)
    with _log_lock:
        if now - _last_logged.get(key, -LOG_LIMITED_EVERY) < LOG_LIMITED_EVERY:
            return
        if len(_last_logged) > 10_000:
            _last_logged.clear()
        _last_logged[key] = now
    log.warning("enrolment attempts for facility %r from %s refused for %d s: too many wrong codes (%s "
                "limit)", facility_code[:40], client, limited.retry_after, limited.scope)


def guarded_enrol(store: Store, body: wire.EnrolRequestDict, client: str) -> wire.EnrolResponseDict:
    """``store.enrol`` behind the attempt limits: a limited attempt is refused (429) before the
    code is even looked at; every attempt is recorded with its outcome."""
    facility_code = body["facility_code"]
    client = client_key(client)
    limited = check_enrolment_allowed(store, facility_code, client)
    if limited is not None:
        # Not kept in the table (a guessing run would fill it at its own pace), logged once a
        # minute per facility and address.
        _log_limited(facility_code, client, limited)
        raise limited.error(facility_code)
    try:
        answer = store.enrol(facility_code, body["enrolment_code"], body["device_name"],
                             body["enrol_nonce"])
    except ProtocolError as error:
        if error.code == wire.ENROLMENT_REFUSED:
            record_enrolment_attempt(store, facility_code, client,
                                     str(error.details.get("refusal") or "refused"))
        raise
    record_enrolment_attempt(store, facility_code, client, "enrolled")
    return answer


def install(app: Any) -> None:
    """Add the security headers to every answer of ``app``."""
    app.add_middleware(SecurityHeaders)
