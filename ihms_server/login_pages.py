"""The login of the server's web pages: the login form, sessions in a cookie, CSRF-checked
forms, and the guard that keeps the dashboard's facility and refused-event pages behind it.

A session cookie is HttpOnly and SameSite=Lax (Secure over https); the server keeps only its
hash. Every form posted by a logged-in browser carries the session's CSRF token, and the login
form a token of its own (a cookie and a hidden field that must match); a post whose Origin
is another site is refused as well.
"""


import re
import secrets
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ihms_desk.sync import protocol as wire
from ihms_server import accounts
from ihms_server.accounts import Account, LoginRefused, Session
from ihms_server.dashboard import ist, render
from ihms_server.store import Store

SESSION_COOKIE = "ihms_session"
LOGIN_CSRF_COOKIE = "ihms_login_csrf"
#: The dashboard's pages that show a facility's stock by batch or refused events' contents.
PROTECTED_DASHBOARD = re.compile(r"^/(facility/|refused)")


class LoginNeeded(Exception):
    """Raised by a page that needs a login; answered with a redirect to the login form."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class NotAllowed(Exception):
    """The logged-in account may not see or do this; answered 403 with what it may do."""

    def __init__(self, account: Account, what: str) -> None:
        super().__init__(what)
        self.account = account
        self.what = what


def _back_to(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_redirect(back_to: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(back_to, safe='')}", status_code=303)


def forbidden(account: Account, what: str) -> HTMLResponse:
    response = render("forbidden.html", account=account, what=what)
    response.status_code = 403
    return response


def safe_next(value: str | None) -> str | None:
    """A place on this site to go back to after login; never another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    return None if parts.scheme or parts.netloc else value


def home_of(account: Account) -> str:
    if account.role == "warehouse":
        return "/warehouse"
    if account.role == "district_officer":
        return f"/supply?district={quote(account.district or '')}"
    return "/"


def same_origin(request: Request) -> bool:
    """Not a post from another site, as far as the browser says: ``Sec-Fetch-Site`` (sent by
    every current browser) is not ``cross-site``, and an ``Origin`` names this host. A page
    served with ``Referrer-Policy: no-referrer`` posts ``Origin: null``; the form's CSRF token
    is then the check."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def login_dependencies(store: Store) -> tuple[Any, Any]:
    """(``logged_in``, ``form_checked``): FastAPI dependencies for pages behind the login.
    ``form_checked`` also requires the session's CSRF token in the posted form."""

    def logged_in(request: Request) -> Session:
        found = accounts.session(store, request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise LoginNeeded(_back_to(request))
        return found

    def form_checked(request: Request, session: Annotated[Session, Depends(logged_in)],
                     csrf: Annotated[str, Form(max_length=100)] = "") -> Session:
        if not same_origin(request) or not secrets.compare_digest(csrf, session.csrf_token):
            raise NotAllowed(session.account, "a form from an out-of-date page or from another "
                             "site (open the page again and repeat)")
        return session

    return logged_in, form_checked


class DashboardLogin:
    """ASGI middleware: the dashboard's facility pages and refused-event lists need a login
    whose scope covers the facility's district (a state admin's covers all)."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not PROTECTED_DASHBOARD.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        refusal = await run_in_threadpool(self._refusal, Request(scope))
        if refusal is None:
            await self.app(scope, receive, send)
        else:
            await refusal(scope, receive, send)

    def _refusal(self, request: Request) -> Response | None:
        found = accounts.session(self.store, request.cookies.get(SESSION_COOKIE))
        if found is None:
            return login_redirect(_back_to(request))
        account = found.account
        if account.role == "state_admin":
            return None
        path = request.url.path
        if path.startswith("/facility/"):
            code = path.split("/")[2]
            facility = self.store.facility(code) if wire.is_facility_code(code) else None
            if facility is None:
                return None  # the page says there is no such facility
            district: str | None = facility["district"]
            what = f"facility {code}"
        else:
            district = request.query_params.get("district")
            what = f"refused events of {district or 'every district'}"
        return None if account.may_see(district) else forbidden(account, what)


def login_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    logged_in, form_checked = login_dependencies(store)

    def login_page(request: Request, csrf: str, back_to: str | None, message: str | None = None,
                   status: int = 200, username: str = "") -> HTMLResponse:
        response = render("login.html", csrf=csrf, next=back_to or "", message=message,
                          username=username, account=None)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/login", max_age=3600)
        return response

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str | None = None) -> HTMLResponse:
        csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        return login_page(request, csrf[:100], safe_next(next))

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: Annotated[str, Form(max_length=40)] = "",
              password: Annotated[str, Form(max_length=200)] = "",
              csrf: Annotated[str, Form(max_length=100)] = "",
              next: Annotated[str, Form(max_length=500)] = "") -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        fresh = secrets.token_urlsafe(32)
        if not expected or not same_origin(request) or not secrets.compare_digest(csrf, expected):
            return login_page(request, fresh, safe_next(next), "This form had expired. Enter your "
                              "username and password again.", 400, username)
        try:
            token, session = accounts.login(store, username, password)
        except LoginRefused as refused:
            message = ("Wrong username or password." if refused.kind == "wrong" else
                       f"Too many wrong passwords: this account is locked until "
                       f"{ist(refused.until)}. The state admin can unlock it sooner.")
            return login_page(request, fresh, safe_next(next), message, 401, username)
        response = RedirectResponse(safe_next(next) or home_of(session.account), status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/",
                            max_age=int(accounts.SESSION_LIFETIME.total_seconds()))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @router.post("/logout")
    def logout(request: Request, session: Annotated[Session, Depends(form_checked)]) -> Response:
        accounts.logout(store, request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router


def install_login(app: FastAPI, store: Store) -> None:
    """The login pages, the guard of the dashboard's facility pages, and the answers to a page
    that needs a login (a redirect to the form) or is outside the account's scope (403)."""
    app.add_middleware(DashboardLogin, store=store)
    app.include_router(login_router(store))

    @app.exception_handler(LoginNeeded)
    async def needs_login(request: Request, error: LoginNeeded) -> Response:
        return login_redirect(error.back_to)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, error: NotAllowed) -> Response:
        return forbidden(error.account, error.what)
