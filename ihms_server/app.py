"""The HTTP API desks sync with (``/v1/...``) and the district dashboard, as one FastAPI app.

Every error leaves as JSON ``{"code", "reason"}`` with a 4xx status; a 5xx means a bug or a
database that is down, never bad input.
"""

import json
import logging
import os
import zlib
from collections import Counter
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

import ihms_server
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.protocol import EventResult, ProtocolError
from ihms_server import indents, models, privacy, redistribution, security
from ihms_server.dashboard import IST
from ihms_server.store import Device, Rejection, Store, utc_now

log = logging.getLogger(__name__)

#: HTTP status for each machine code a whole request can be refused with.
STATUS_OF_CODE: dict[str, int] = {
    wire.UPGRADE_REQUIRED: 426,
    wire.INVALID_REQUEST: 422,
    "invalid_json": 400,
    "unsupported_encoding": 415,
    wire.TOKEN_INVALID: 401,
    wire.TOKEN_REVOKED: 401,
    wire.WRONG_DEVICE: 403,
    wire.ENROLMENT_REFUSED: 403,
    wire.NOT_FOUND: 404,
    wire.CURSOR_UNKNOWN: 410,
    wire.PAYLOAD_TOO_LARGE: 413,
    wire.SUPERSEDED: 409,
    "storage_unavailable": 503,
    security.TOO_MANY_ATTEMPTS: 429,
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": models.ErrorModel}
    for status in (400, 401, 403, 409, 410, 413, 415, 422, 426)
}
#: POST /v1/enrol may also answer 429 (too many wrong codes: ihms_server/security.py).
ENROL_RESPONSES: dict[int | str, dict[str, Any]] = {**ERROR_RESPONSES, 429: {"model": models.ErrorModel}}
#: A refused event is kept for the dashboard with at most this much of its JSON.
MAX_REJECTED_BODY = 64 * 1024


class ClientGone(Exception):
    """The desk hung up before its request body arrived (a cut line): nothing to answer."""


def server_time() -> str:
    return utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_response(code: str, reason: str, status: int | None = None,
                   headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "reason": reason, **extra}
    status = status or STATUS_OF_CODE.get(code, 400)
    headers = dict(headers or {})
    if code == wire.UPGRADE_REQUIRED:
        body["supported"] = sorted(wire.SUPPORTED_PROTOCOL_VERSIONS)
        # RFC 9110 asks a 426 to name what to upgrade to.
        headers["Upgrade"] = ", ".join(f"IHMS-Protocol/{v}"
                                       for v in sorted(wire.SUPPORTED_PROTOCOL_VERSIONS))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 429 and isinstance(extra.get("retry_after"), int):
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, headers=headers)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _gunzip_bounded(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise ProtocolError("invalid_json", "the body is not valid gzip") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ProtocolError(wire.PAYLOAD_TOO_LARGE,
                            f"the body inflates to more than {limit} bytes; send smaller batches")
    if not inflater.eof:
        raise ProtocolError("invalid_json", "the gzip body is cut short")
    return out


async def read_json_body(request: Request, limit: int = wire.MAX_BODY_BYTES) -> Any:
    """The request body as JSON: size-bounded before and after gzip, NaN/Infinity refused."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(wire.PAYLOAD_TOO_LARGE, f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ProtocolError(wire.PAYLOAD_TOO_LARGE, f"the body is larger than {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientGone(f"{size} of {declared or 'unknown'} bytes") from None
    raw = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = _gunzip_bounded(raw, limit)
    elif encoding not in ("", "identity"):
        raise ProtocolError("unsupported_encoding", "the body may be sent plain or with gzip only")
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise ProtocolError("invalid_json", f"the body is not valid JSON: {error}"[:300]) from None


def require_protocol(
    x_ihms_protocol: Annotated[str | None, Header(
        alias=wire.PROTOCOL_HEADER, description="Sync protocol version the client speaks.",
        examples=["1"])] = None,
) -> int:
    return wire.parse_protocol_version(x_ihms_protocol)


_bearer = HTTPBearer(auto_error=False, description="The device token from POST /v1/enrol.")


def current_device(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    """The device whose token the request carries (FastAPI runs this in its thread pool)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProtocolError(wire.TOKEN_INVALID,
                            "send the device token as 'Authorization: Bearer <token>'")
    store: Store = request.app.state.store
    return store.authenticate(credentials.credentials)


def push_batch(store: Store, device: Device, body: Any) -> dict[str, Any]:
    """Validate each event on its own, store the valid ones, answer one result per event."""
    device_id, raw_events = wire.validate_push_request(body)
    if device_id != device.device_id:
        raise ProtocolError(wire.WRONG_DEVICE, "device_id in the body is not the device this "
                            "token was issued to")
    results: list[EventResult | None] = [None] * len(raw_events)
    valid: list[tuple[int, wire.Event]] = []
    for index, raw in enumerate(raw_events):
        try:
            event = wire.validate_event(raw)
            indents.check_event(event)
        except ProtocolError as error:
            results[index] = EventResult(wire.event_id_of(raw), wire.REJECTED, error.code,
                                         error.reason)
            continue
        if event.device_id != device.device_id or event.facility_code != device.facility_code:
            results[index] = EventResult(
                event.event_id, wire.REJECTED, wire.WRONG_FACILITY,
                f"This device is enrolled for facility {device.facility_code}; it cannot send "
                f"events of device {event.device_id} at facility {event.facility_code}.")
            continue
        valid.append((index, event))
    gaps: list[wire.Gap] = []
    try:
        stored, gaps = store.push(device, [event for _, event in valid])
        for (index, _), result in zip(valid, stored):
            results[index] = result
    except store.data_errors:
        # Something passed validation yet the database refused it. Store event by event so
        # that the one poison event is rejected and the rest still go in.
        log.exception("batch of device %s refused by the database; storing event by event",
                      device.device_id)
        for index, event in valid:
            try:
                (results[index],), gaps = store.push(device, [event])
            except store.data_errors as error:
                results[index] = EventResult(
                    event.event_id, wire.REJECTED, wire.INVALID_EVENT,
                    f"the database could not store this event: {type(error).__name__}")
    refused = Counter(r.code for r in results if r is not None and r.status == wire.REJECTED)
    if refused:
        # The desk sets rejected events aside for its in-charge; the district sees them on the
        # dashboard's list of refused events.
        log.warning("facility %s device %s: %d of %d events rejected %s", device.facility_code,
                    device.device_id, refused.total(), len(results), dict(refused))
        store.record_rejections(device, [
            rejection(raw, result) for raw, result in zip(raw_events, results)
            if result is not None and result.status == wire.REJECTED])
    return {"results": [r.as_dict() for r in results if r is not None],
            "gaps": [g.as_dict() for g in gaps], "server_time": server_time()}


def rejection(raw: Any, result: EventResult) -> Rejection:
    """A refused event as the dashboard keeps it: what could be read of it, and why."""
    obj = raw if isinstance(raw, dict) else {}
    payload = obj.get("payload")
    document = payload.get("document") if isinstance(payload, dict) else None
    number = document.get("number") if isinstance(document, dict) else None

    def whole(value: Any) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) \
            and abs(value) < 2**62 else None

    def short(value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        if value.isascii() and value.isprintable():
            return value[:64]
        # ASCII-escaped: a refused event may carry what the database cannot store as text.
        return json.dumps(value)[1:-1][:64]

    return Rejection(
        event_id=short(result.event_id) or "", epoch=whole(obj.get("epoch")), sequence=whole(obj.get("sequence")),
        type=short(obj.get("type")), doc_number=short(number), code=result.code or "rejected",
        reason=result.reason or "",
        # Kept for troubleshooting, which never needs the patient (docs/privacy.md).
        body=json.dumps(privacy.redact(raw) if isinstance(raw, dict) else raw,
                        sort_keys=True)[:MAX_REJECTED_BODY])


def create_app(store: Store) -> FastAPI:
    """The app over one opened, migrated store."""
    app = FastAPI(
        title="IHMS state server",
        version=ihms_server.__version__,
        summary="Receives stock events from IHMS Desk counters and serves the item catalogue.",
        description="Every /v1 request except /v1/health carries the header "
                    f"`{wire.PROTOCOL_HEADER}: {wire.PROTOCOL_VERSION}`. Errors are JSON "
                    "`{code, reason}` with a 4xx status.",
    )
    app.state.store = store
    security.install(app)

    @app.exception_handler(ProtocolError)
    async def protocol_error(request: Request, error: ProtocolError) -> JSONResponse:
        if error.code == wire.SUPERSEDED:
            log.warning("%s %s refused: %s", request.method, request.url.path, error.reason)
        extra = dict(error.details)
        if error.field:
            extra["field"] = error.field
        return error_response(error.code, error.reason, **extra)

    @app.exception_handler(ClientGone)
    async def client_gone(request: Request, error: ClientGone) -> Response:
        # A line that drops mid-request is everyday life for a desk: one line, no traceback.
        client = request.client.host if request.client else "unknown"
        log.warning("%s %s from %s: the connection dropped before the body arrived (%s); "
                    "nothing was stored", request.method, request.url.path, client, error)
        return Response(status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [{"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                  for e in error.errors()]
        reason = "; ".join(f"{f['field']}: {f['problem']}" for f in fields) or "invalid request"
        return error_response(wire.INVALID_REQUEST, reason, 422, fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: wire.NOT_FOUND, 405: "method_not_allowed"}
        # A 405 keeps Starlette's Allow header (RFC 9110 asks for it).
        return error_response(codes.get(error.status_code, f"http_{error.status_code}"),
                              str(error.detail), error.status_code, headers=error.headers)

    async def storage_down(request: Request, error: Exception) -> JSONResponse:
        log.error("database unavailable: %s", error)
        return error_response("storage_unavailable",
                              "the database is not reachable just now; try again later", 503)

    for error_class in store.unavailable_errors:
        app.add_exception_handler(error_class, storage_down)

    @app.get("/v1/health", response_model=models.HealthModel, tags=["sync"])
    def health() -> dict[str, Any]:
        """Liveness for monitoring; the only /v1 route that needs no protocol header."""
        return {"status": "ok", "protocol_versions": sorted(wire.SUPPORTED_PROTOCOL_VERSIONS),
                "server_time": server_time()}

    @app.post(
        "/v1/events", response_model=models.PushResponse, tags=["sync"],
        responses=ERROR_RESPONSES,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/PushRequest"}}}}},
    )
    async def push_events(
        request: Request,
        protocol: Annotated[int, Depends(require_protocol)],
        device: Annotated[Device, Depends(current_device)],
    ) -> JSONResponse:
        """Store a batch of up to 500 events of one device; one result per event, in order,
        sent only after the batch is committed. Bodies may be gzip-compressed."""
        body = await read_json_body(request)
        return JSONResponse(await run_in_threadpool(push_batch, store, device, body))

    @app.get("/v1/catalog", response_model=models.CatalogPage, tags=["sync"],
             responses=ERROR_RESPONSES)
    def catalog(
        protocol: Annotated[int, Depends(require_protocol)],
        device: Annotated[Device, Depends(current_device)],
        since: Annotated[str, Query(max_length=200, description="Cursor from the last page; "
                                    "empty or 0 for the start.")] = "",
        limit: Annotated[int, Query(ge=1, le=wire.CATALOG_MAX_LIMIT)] = wire.CATALOG_DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        """Item and facility changes after a cursor, oldest first, never skipping a change."""
        return dict(store.catalog_page(since, limit))

    @app.post(
        "/v1/enrol", response_model=models.EnrolResponse, tags=["sync"], responses=ENROL_RESPONSES,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/EnrolRequest"}}}}},
    )
    async def enrol(request: Request,
                    protocol: Annotated[int, Depends(require_protocol)]) -> JSONResponse:
        """Trade a one-time enrolment code for a device token. Wrong codes are limited per
        facility and per client address (429 with Retry-After)."""
        body = wire.validate_enrol_request(await read_json_body(request, 64 * 1024))
        client = request.client.host if request.client else "unknown"
        answer = await run_in_threadpool(security.guarded_enrol, store, body, client)
        return JSONResponse(dict(answer))

    @app.get("/v1/standing", response_model=models.StandingModel, tags=["sync"],
             responses=ERROR_RESPONSES)
    def standing(
        protocol: Annotated[int, Depends(require_protocol)],
        device: Annotated[Device, Depends(current_device)],
        epoch: Annotated[int, Query(ge=1, le=wire.MAX_EPOCH, description="The epoch the desk "
                                    "numbers its events in.")],
    ) -> dict[str, Any]:
        """Where this device stands: its current epoch (and which PC claimed it), and how far
        the given epoch has got on the server. A desk restored from a backup learns here that
        the server holds events it does not have."""
        return dict(store.standing(device, epoch))

    @app.post(
        "/v1/epochs", response_model=models.EpochGrant, tags=["sync"], responses=ERROR_RESPONSES,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/EpochClaim"}}}}},
    )
    async def claim_epoch(
        request: Request,
        protocol: Annotated[int, Depends(require_protocol)],
        device: Annotated[Device, Depends(current_device)],
    ) -> JSONResponse:
        """Claim a fresh epoch for this device (after a restore, a copy, or a clash). The same
        claim id again gets the same epoch; a claim from an older copy of the desk is refused
        (409 superseded) unless it takes over."""
        claim = wire.validate_epoch_claim(await read_json_body(request, 64 * 1024))
        if claim["device_id"] != device.device_id:
            raise ProtocolError(wire.WRONG_DEVICE, "device_id in the body is not the device this "
                                "token was issued to")
        return JSONResponse(dict(await run_in_threadpool(store.claim_epoch, device, claim)))

    @app.get("/v1/vouchers", response_model=models.VoucherPage, tags=["sync"],
             responses=ERROR_RESPONSES)
    def vouchers(
        protocol: Annotated[int, Depends(require_protocol)],
        device: Annotated[Device, Depends(current_device)],
        after: Annotated[str, Query(max_length=200, description="Cursor from the last page; "
                                    "empty for the start.")] = "",
        limit: Annotated[int, Query(ge=1, le=indents.VOUCHER_MAX_LIMIT)] = indents.VOUCHER_DEFAULT_LIMIT,
    ) -> wire.VoucherPageDict:
        """The device's facility's issued vouchers (the warehouse's, and transfers from other
        facilities) after a cursor, oldest first, each once; a voucher withdrawn since a desk
        pulled it comes again after its cursor, marked ``withdrawn`` (docs/indents.md)."""
        return indents.voucher_page(store, device.facility_code, after, limit)

    @app.get("/v1/suggestions", response_model=models.SuggestionList, tags=["sync"],
             responses=ERROR_RESPONSES)
    def suggestions(
        protocol: Annotated[int, Depends(require_protocol)],
        device: Annotated[Device, Depends(current_device)],
    ) -> dict[str, Any]:
        """Redistribution suggestions in which the device's facility is the sender."""
        today = utc_now().astimezone(IST).date()
        return {"suggestions": [s.as_wire() for s in
                                redistribution.suggestions_from(store, device.facility_code, today)]}

    from ihms_server.dashboard import PageMissing, dashboard_router, not_found

    @app.exception_handler(PageMissing)
    async def page_missing(request: Request, error: PageMissing) -> HTMLResponse:
        return not_found(error.what)

    app.include_router(dashboard_router(store))

    from ihms_server.rollout_pages import rollout_router

    app.include_router(rollout_router(store))

    # Issue 14: the login of the web pages (it guards the dashboard's facility pages) and the
    # warehouse's and district's supply pages.
    from ihms_server.login_pages import install_login
    from ihms_server.warehouse_pages import warehouse_router

    install_login(app, store)
    app.include_router(warehouse_router(store))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                 description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, model in models.REQUEST_BODY_MODELS.items():
                body_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body_schema.pop("$defs", {}))
                components[name] = body_schema
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: the URL comes from the environment."""
    from ihms_server.store import open_store

    logging.basicConfig(level=logging.INFO)
    return create_app(open_store(os.environ["IHMS_SERVER_DB"]))
