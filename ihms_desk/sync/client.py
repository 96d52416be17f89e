"""The HTTP side of sync: one ``requests`` session per worker, speaking protocol v1.

Every request carries the protocol version and (after enrolment) the device token; request
bodies are gzipped; TLS certificates are always verified; every call has a timeout. Whatever
goes wrong comes back as a :class:`~ihms_desk.sync.errors.SyncError` with a plain message.
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from typing import Any, Literal, overload
from urllib.parse import urlsplit

import requests

from ihms_desk import __version__, fields
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.errors import (
    BatchTooLarge,
    CertificateNotTrusted,
    CursorUnknown,
    EnrolmentRefused,
    NotAnIhmsServer,
    PlainHttpRefused,
    RequestRefused,
    RequestTimedOut,
    ServerTrouble,
    ServerUnreachable,
    Superseded,
    TokenRejected,
    VersionMismatch,
)

#: Seconds to open a connection, and to wait for an answer once the request is sent. A batch
#: of 200 events is stored by the server in well under a second; 60 s allows for a 2G line.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
#: What the state server (and a plain web server) says of a route it does not have.
ROUTE_NOT_FOUND = "not_found"
#: Vouchers asked for per page (a voucher has at most 200 lines).
VOUCHER_PAGE_LIMIT = 50


def normalise_server_url(url: str) -> str:
    """``https://ihms.example`` from what a person typed; refuse what cannot be a server, and
    plain ``http://`` to another machine (:func:`ihms_desk.fields.plain_http_refused`)."""
    text = (url or "").strip()
    if text and "://" not in text:
        text = "https://" + text
    text = text.rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ServerUnreachable(
            f"'{url}' is not a server address. Type it as the district gave it, for example "
            "https://ihms.rajasthan.gov.in"
        )
    if fields.plain_http_refused(text):
        raise PlainHttpRefused.of("plain_http_refused", address=text)
    return text


def gzip_text(text: str) -> bytes:
    # Level 5: nearly all of level 9's gain on JSON at a fraction of the CPU of an old PC.
    return gzip.compress(text.encode(), 5)


def gzip_json(body: Any) -> bytes:
    return gzip_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def encode_push(device_id: str, events: list[dict[str, Any]]) -> bytes:
    """The gzipped body of ``POST /v1/events``."""
    return gzip_json({"device_id": device_id, "events": events})


def encode_push_raw(device_id: str, events: list[tuple[dict[str, Any], str]]) -> bytes:
    """The same body from (envelope without payload, payload as JSON text) pairs: each stored
    payload is spliced in as it is instead of being parsed and encoded again."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts = [encode(head)[:-1] + ',"payload":' + payload + "}" for head, payload in events]
    return gzip_text('{"device_id":' + encode(device_id) + ',"events":[' + ",".join(parts) + "]}")


@dataclass(frozen=True)
class Answer:
    """A parsed JSON answer and what the round trip tells about the server's clock."""

    body: dict[str, Any]
    sent_at: float
    received_at: float


class SyncClient:
    """Talks to one state server. Not thread-safe: each worker thread makes its own."""

    def __init__(
        self,
        server_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        verify: bool | str = True,
        protocol_version: int = wire.PROTOCOL_VERSION,
    ) -> None:
        self.server_url = normalise_server_url(server_url)
        self.token = token
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        # verify=True (or a CA bundle path for a state CA) - never False: a desk that trusts any
        # certificate would hand its token to whoever sits on the line.
        self.session.verify = verify
        self.session.headers.update({
            wire.PROTOCOL_HEADER: str(protocol_version),
            "User-Agent": f"ihms-desk/{__version__}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
        })

    def close(self) -> None:
        self.session.close()

    # -- calls -------------------------------------------------------------------------------

    def health(self) -> Answer:
        """Liveness, protocol versions and the server's clock; needs no token."""
        return self._call("GET", "/v1/health", authorised=False)

    def enrol(self, facility_code: str, enrolment_code: str, device_name: str,
              enrol_nonce: str | None = None) -> dict[str, Any]:
        """Trade a one-time code for ``{device_id, token, facility, desk_number}``; the same
        code with the same nonce again gets the same device."""
        answer = self._call("POST", "/v1/enrol", body={
            "facility_code": facility_code, "enrolment_code": enrolment_code,
            "device_name": device_name, "enrol_nonce": enrol_nonce,
        }, authorised=False).body
        if not isinstance(answer.get("device_id"), str) or not isinstance(answer.get("token"), str):
            raise NotAnIhmsServer(self.not_ihms_message("it answered the enrolment without a device token"))
        return answer

    def push(self, device_id: str, events: list[dict[str, Any]]) -> Answer:
        """Send one batch; the answer has one result per event, in order."""
        return self.send_push(encode_push(device_id, events), len(events))

    def send_push(self, body: bytes, count: int) -> Answer:
        """Send a batch encoded by :func:`encode_push` (the worker encodes the next batch
        while the server is still storing this one)."""
        answer = self._call("POST", "/v1/events", encoded=body)
        results = answer.body.get("results")
        if not isinstance(results, list) or len(results) != count or not all(
            isinstance(r, dict) and isinstance(r.get("event_id"), str) and isinstance(r.get("status"), str)
            for r in results
        ):
            raise NotAnIhmsServer(self.not_ihms_message("its answer to a batch does not list one result per event"))
        return answer

    def standing(self, epoch: int) -> wire.StandingDict:
        """Where this device stands on the server, and the high-water mark of ``epoch``."""
        body = self._call("GET", "/v1/standing", params={"epoch": str(epoch)}).body
        if not all(isinstance(body.get(key), int) for key in ("current_epoch", "max_sequence", "desk_number")):
            raise NotAnIhmsServer(self.not_ihms_message("its standing answer has no epochs"))
        return body  # type: ignore[return-value]

    def claim_epoch(self, claim: wire.EpochClaimDict) -> wire.EpochGrantDict:
        """Ask for a fresh epoch; the same claim id again gets the same epoch."""
        body = self._call("POST", "/v1/epochs", body=dict(claim)).body
        if not isinstance(body.get("epoch"), int) or not isinstance(body.get("desk_number"), int):
            raise NotAnIhmsServer(self.not_ihms_message("its answer to an epoch claim has no epoch"))
        return body  # type: ignore[return-value]

    def catalogue_page(self, cursor: str, limit: int = wire.CATALOG_DEFAULT_LIMIT) -> Answer:
        answer = self._call("GET", "/v1/catalog", params={"since": cursor, "limit": str(limit)})
        body = answer.body
        if not isinstance(body.get("changes"), list) or not isinstance(body.get("next_cursor"), str):
            raise NotAnIhmsServer(self.not_ihms_message("its catalogue page has no changes or cursor"))
        return answer

    def vouchers_page(self, after: str, limit: int = VOUCHER_PAGE_LIMIT) -> dict[str, Any] | None:
        """This facility's issued vouchers after ``after`` (docs/indents.md): ``{vouchers,
        cursor, more}``; None from a server that does not serve vouchers yet (before issue 14)."""
        answer = self._call("GET", "/v1/vouchers", params={"after": after, "limit": str(limit)}, optional=True)
        if answer is None:
            return None
        body = answer.body
        if not isinstance(body.get("vouchers"), list) or not isinstance(body.get("cursor"), str):
            raise NotAnIhmsServer(self.not_ihms_message("its voucher page has no vouchers or cursor"))
        return body

    def suggestions(self) -> list[Any] | None:
        """Redistribution suggestions in which this facility sends; None from a server that
        does not make them yet."""
        answer = self._call("GET", "/v1/suggestions", optional=True)
        if answer is None:
            return None
        found = answer.body.get("suggestions")
        if not isinstance(found, list):
            raise NotAnIhmsServer(self.not_ihms_message("its suggestions answer has no list"))
        return found

    # -- plumbing ----------------------------------------------------------------------------

    @overload
    def _call(self, method: str, path: str, *, body: Any = None, encoded: bytes | None = None,
              params: dict[str, str] | None = None, authorised: bool = True, optional: Literal[False] = False) -> Answer: ...

    @overload
    def _call(self, method: str, path: str, *, body: Any = None, encoded: bytes | None = None,
              params: dict[str, str] | None = None, authorised: bool = True, optional: bool) -> Answer | None: ...

    def _call(self, method: str, path: str, *, body: Any = None, encoded: bytes | None = None,
              params: dict[str, str] | None = None, authorised: bool = True, optional: bool = False) -> Answer | None:
        """One request; ``optional``: a 404 for the route itself (an older server without it)
        answers None instead of failing the pass."""
        headers: dict[str, str] = {}
        data = encoded if encoded is not None else None if body is None else gzip_json(body)
        if authorised:
            if not self.token:
                raise TokenRejected("This desk has no device token. Enrol it with the code from the district.")
            headers["Authorization"] = f"Bearer {self.token}"
        if data is not None:
            headers["Content-Type"] = "application/json"
            headers["Content-Encoding"] = "gzip"
        url = self.server_url + path
        sent_at = time.time()
        try:
            # verify given on each request: requests lets $REQUESTS_CA_BUNDLE override the
            # session's own, which would drop a CA bundle the desk was given (--ca-bundle).
            response = self.session.request(method, url, data=data, params=params, headers=headers,
                                            timeout=self.timeout, allow_redirects=False,
                                            verify=self.session.verify)
        except requests.exceptions.SSLError as error:
            raise CertificateNotTrusted(
                f"The server {self.server_url} did not prove who it is (its TLS certificate did not "
                "verify). Check the address, and that this PC's date and time are right. "
                f"Details: {_short(error)}"
            ) from error
        except requests.exceptions.Timeout as error:
            raise RequestTimedOut(f"The server {self.server_url} did not answer in time.") from error
        except requests.exceptions.RequestException as error:
            raise ServerUnreachable(
                f"Cannot reach the server {self.server_url}: the line may be down or the address "
                "wrong. Records stay safe on this PC and will be sent later."
            ) from error
        received_at = time.time()
        if optional and response.status_code == 404 and _ihms_code(response) in (None, ROUTE_NOT_FOUND):
            return None
        return Answer(self._check(response), sent_at, received_at)

    def _check(self, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            if 300 <= status < 400 and response.headers.get("Location"):
                # Redirects are not followed: a token must never be sent on to another address.
                raise NotAnIhmsServer(
                    f"The address {self.server_url} sends this desk on to "
                    f"{response.headers['Location'][:200]} (HTTP {status}). Enrol again with the "
                    "address the district gave, exactly as given (https://...).")
            if status >= 500:
                raise ServerTrouble(f"The server {self.server_url} has a problem (HTTP {status}); "
                                    "sync will try again.")
            kind = "a web page" if "html" in response.headers.get("Content-Type", "").lower() else "something else"
            raise NotAnIhmsServer(self.not_ihms_message(f"it answered with {kind} (HTTP {status})"))
        if 200 <= status < 300:
            return parsed
        code = parsed.get("code") if isinstance(parsed.get("code"), str) else None
        reason = str(parsed.get("reason") or "")[:400]
        if status >= 500:
            raise ServerTrouble(f"The server has a problem (HTTP {status}): {reason or 'no reason given'}. "
                                "Sync will try again.", code=code)
        if code == wire.UPGRADE_REQUIRED or status == 426:
            raise VersionMismatch(
                f"This desk and the server speak different sync versions. {reason}", code=code)
        if code in (wire.TOKEN_INVALID, wire.TOKEN_REVOKED, wire.WRONG_DEVICE):
            raise TokenRejected(f"The server no longer accepts this desk: {reason} Records stay "
                                "safe on this PC; enrol again to send them.", code=code)
        if code == wire.ENROLMENT_REFUSED:
            raise _enrolment_refusal(parsed, reason)
        if code == wire.TOO_MANY_ATTEMPTS:
            minutes = parsed.get("minutes")
            error = EnrolmentRefused.of(
                "enrolment_too_many_attempts",
                minutes=minutes if isinstance(minutes, int) and 0 < minutes < 10_000 else 15)
            error.code = code
            raise error
        if code == wire.CURSOR_UNKNOWN:
            raise CursorUnknown(reason or "The catalogue cursor is unknown.", code=code)
        if code == wire.SUPERSEDED:
            raise Superseded.from_answer(parsed)
        if code == wire.PAYLOAD_TOO_LARGE or status == 413:
            raise BatchTooLarge(f"The server found a batch too large: {reason}", code=code)
        if code is None or not reason:
            raise NotAnIhmsServer(self.not_ihms_message(f"its error answer (HTTP {status}) is not an IHMS one"))
        raise RequestRefused(f"The server refused the request ({code}): {reason}", code=code)

    def not_ihms_message(self, detail: str) -> str:
        return (f"The address {self.server_url} does not answer like an IHMS state server ({detail}). "
                "Check the address; a Wi-Fi login page can also cause this.")


#: The server's exact reason for refusing an enrolment code (``refusal`` beside the code), and
#: the values each kind's words name.
ENROLMENT_REFUSALS: dict[str, tuple[str, tuple[str, ...]]] = {
    "other_facility": ("enrolment_code_other_facility", ("code_facility", "desk_facility")),
    "unknown": ("enrolment_code_unknown", ()),
    "revoked": ("enrolment_code_revoked", ("on",)),
    "used": ("enrolment_code_used", ("on",)),
    "expired": ("enrolment_code_expired", ("on",)),
}


def _enrolment_refusal(answer: dict[str, Any], reason: str) -> EnrolmentRefused:
    """The refusal in the desk's own words when the server says why (a server before issue 16
    gives only its sentence, which is kept)."""
    known = ENROLMENT_REFUSALS.get(str(answer.get("refusal")))
    if known is None:
        return EnrolmentRefused(reason or "The enrolment code was refused.", code=wire.ENROLMENT_REFUSED)
    kind, names = known
    error = EnrolmentRefused.of(kind, **{name: str(answer.get(name) or "?")[:60] for name in names})
    error.code = wire.ENROLMENT_REFUSED
    return error


def _ihms_code(response: requests.Response) -> str | None:
    """The IHMS error code of an answer, if it is an IHMS error at all."""
    try:
        parsed = response.json()
    except ValueError:
        return None
    code = parsed.get("code") if isinstance(parsed, dict) else None
    return code if isinstance(code, str) else None


def _short(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 200 else text[:197] + "..."
