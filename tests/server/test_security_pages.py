"""The security headers as a real browser obeys them (Debian's Chromium): the dashboard still
looks as designed under its Content-Security-Policy, a script slipped into it does not run, and
another site cannot frame it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page
from test_dashboard import browser  # noqa: F401 - the module's Chromium, shared

from ihms_server.store import Store
from ihms_server.testing import add_facility


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811 - uses the imported fixture
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


@pytest.fixture
def other_site(server: str) -> Iterator[str]:
    """A page on another origin that tries to show the dashboard in a frame (clickjacking)."""

    class Framer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = f'<!doctype html><p>evil</p><iframe id="f" src="{server}/"></iframe>'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Framer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    # localhost, not 127.0.0.1: another origin than the server's.
    yield f"http://localhost:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_the_dashboard_keeps_its_look_and_runs_no_injected_script(page: Page, server: str, store: Store) -> None:
    add_facility(store, "CHC-JPR-001", name="CHC Chaksu", district="Jaipur", block="Chaksu")
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    page.goto(f"{server}/?district=Jaipur")
    # The inline stylesheet is allowed: the header band keeps its colour.
    assert page.eval_on_selector("header.top", "e => getComputedStyle(e).backgroundColor") == "rgb(24, 69, 122)"
    assert violations == []
    # A script that got into the page (as an injected comment or name would) is refused.
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.injected = true';
        document.body.appendChild(s);
    }""")
    assert page.evaluate("() => window.injected === true") is False
    assert any("script-src" in v or "default-src" in v for v in violations)


def test_another_site_cannot_frame_the_dashboard(page: Page, server: str, other_site: str) -> None:
    page.goto(other_site)
    page.wait_for_load_state("load")
    frame = page.frame_locator("#f")
    # Chromium refuses the frame (frame-ancestors 'none', X-Frame-Options DENY): nothing of the
    # dashboard is inside it.
    assert frame.locator("header.top").count() == 0
    assert page.locator("p").inner_text() == "evil"
