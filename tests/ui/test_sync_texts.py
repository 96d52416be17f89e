"""Sync's failures and enrolment messages in the user's language: the status bar's tooltip, the
Sync screen's "Last error" and its enrolment message, fed by real failures (a refused
connection, a silent server, a web page where the server should be)."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ihms_desk.store import Store
from ihms_desk.sync.client import SyncClient, normalise_server_url
from ihms_desk.sync.device import write_token
from ihms_desk.sync.errors import MESSAGES, SyncError, identify
from ihms_desk.sync.worker import SyncConfig, read_status
from ihms_desk.ui import i18n
from ihms_desk.ui.app import create_application
from ihms_desk.ui.sync_adapter import SyncAdapter
from ihms_desk.ui.sync_screen import SyncScreen
from ihms_desk.ui.sync_status import SyncStatus

DEVICE = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
QUICK = SyncConfig(connect_timeout=2.0, read_timeout=2.0)
DEVANAGARI = re.compile("[\u0900-\u097f]")


def unreachable_hindi(url: str) -> str:
    return (f"सर्वर {url} से संपर्क नहीं हो पा रहा: नेटवर्क बंद हो सकता है या पता गलत है। "
            "रिकॉर्ड इस कंप्यूटर पर सुरक्षित हैं और बाद में भेज दिए जाएँगे।")


def unreachable_english(url: str) -> str:
    return (f"Cannot reach the server {url}: the line may be down or the address wrong. "
            "Records stay safe on this PC and will be sent later.")


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    create_application()
    yield
    i18n.set_language("en")


@pytest.fixture()
def closed_url() -> str:
    """A local address nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


class _PortalHandler(BaseHTTPRequestHandler):
    """Answers enrolment like the state server; anything else with a web page, as a Wi-Fi
    login portal does."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"device_id": DEVICE, "token": "ihms_test-token", "facility": None}).encode()
        self._answer(200, "application/json", body)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(200, "text/html", b"<html><body>Log in to the Wi-Fi</body></html>")

    def _answer(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output clean
        pass


@pytest.fixture()
def portal_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PortalHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def enrolled_with(store: Store, url: str) -> None:
    """This desk as enrolment leaves it: the server and device id recorded, the token on file."""
    store.record_enrolment(url, DEVICE)
    write_token(store.path.parent, "ihms_test-token")


def sync_screen(qtbot, chc_dir: Path, store: Store) -> tuple[SyncAdapter, SyncScreen]:
    """The Sync screen, shown, with a sync loop of its own on the test CHC's folder."""
    adapter = SyncAdapter(chc_dir, QUICK)
    screen = SyncScreen(store)
    qtbot.addWidget(screen)
    screen.set_adapter(adapter)
    return adapter, screen


@pytest.mark.parametrize(("language", "expected"), [("hi", unreachable_hindi), ("en", unreachable_english)])
def test_unreachable_server_on_the_status_bar_and_the_sync_screen(qtbot, chc_dir: Path, check_store: Store,
                                                                  closed_url: str, language: str,
                                                                  expected) -> None:
    assert i18n.set_language(language)
    enrolled_with(check_store, closed_url)
    adapter = SyncAdapter(chc_dir, QUICK)
    status_bar = SyncStatus()
    qtbot.addWidget(status_bar)
    screen = SyncScreen(check_store)
    qtbot.addWidget(screen)
    # Wired as the program wires them (ui/app.py, SyncScreen.set_adapter).
    adapter.stateChanged.connect(status_bar.set_state)
    screen.set_adapter(adapter)

    outcome = adapter.worker.sync_once()  # one real pass: the connection is refused

    assert outcome.error is not None and outcome.error.kind == "server_unreachable"
    assert status_bar.state_label.text() == ("सिंक: ऑफ़लाइन" if language == "hi" else "Sync: offline")
    assert status_bar.toolTip() == expected(closed_url)
    assert screen.last_error_label.text() == expected(closed_url)
    # The status keeps the English for the CLI and the next start; what is shown is worded from it.
    assert status_bar.last_error == unreachable_english(closed_url)
    assert read_status(check_store).last_error == unreachable_english(closed_url)
    # As when the screen is opened again, or the program restarted: read back from the database.
    screen.last_error_label.clear()
    screen.refresh()
    assert screen.last_error_label.text() == expected(closed_url)
    # The main window's recount passes the stored text back in: still worded.
    status_bar.set_waiting(5)
    assert status_bar.toolTip() == expected(closed_url)


def test_a_wi_fi_login_page_in_hindi(qtbot, chc_dir: Path, check_store: Store, portal_url: str) -> None:
    assert i18n.set_language("hi")
    enrolled_with(check_store, portal_url)
    adapter, screen = sync_screen(qtbot, chc_dir, check_store)
    outcome = adapter.worker.sync_once()
    assert outcome.error is not None and outcome.error.kind == "not_ihms_server"
    assert screen.last_error_label.text() == (
        f"पता {portal_url} IHMS राज्य सर्वर की तरह जवाब नहीं देता (उसने एक वेब पेज से जवाब दिया (HTTP 200))। "
        "पता जाँचें; Wi-Fi का लॉग इन पेज भी इसकी वजह हो सकता है।")


def test_an_unknown_error_text_stays_as_it_is(qtbot) -> None:
    assert i18n.set_language("hi")
    widget = SyncStatus()
    qtbot.addWidget(widget)
    widget.set_state(False, 3, None, "server unreachable")
    assert widget.toolTip() == "server unreachable"
    assert i18n.sync_error_text("The server said something new.") == "The server said something new."


def enrol_on_the_screen(qtbot, screen: SyncScreen, adapter: SyncAdapter, url: str, code: str) -> tuple[bool, str]:
    qtbot.keyClicks(screen.url_edit, url)
    qtbot.keyClicks(screen.code_edit, code)
    with qtbot.waitSignal(adapter.enrolFinished, timeout=10_000) as finished:
        qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    return finished.args[0], finished.args[1]


def test_enrolment_refused_because_the_server_cannot_be_reached_in_hindi(qtbot, chc_dir: Path,
                                                                         check_store: Store,
                                                                         closed_url: str) -> None:
    assert i18n.set_language("hi")
    adapter, screen = sync_screen(qtbot, chc_dir, check_store)
    ok, message = enrol_on_the_screen(qtbot, screen, adapter, closed_url, "ABCD-EFGH-JKMN")
    assert ok is False
    assert message == screen.enrol_message.text() == unreachable_hindi(closed_url)
    assert not check_store.sync_state().enrolled


def test_enrolment_with_a_wrong_address_in_hindi_and_english(qtbot, chc_dir: Path, check_store: Store) -> None:
    adapter, screen = sync_screen(qtbot, chc_dir, check_store)
    assert i18n.set_language("hi")
    enrol_on_the_screen(qtbot, screen, adapter, "ftp://ihms", "ABCD-EFGH-JKMN")
    assert screen.enrol_message.text() == (
        "'ftp://ihms' सर्वर का पता नहीं है। पता ठीक वैसा ही लिखें जैसा ज़िले ने दिया है, "
        "जैसे https://ihms.rajasthan.gov.in")
    assert i18n.set_language("en")
    screen.url_edit.clear()
    screen.code_edit.clear()
    enrol_on_the_screen(qtbot, screen, adapter, "ftp://ihms", "ABCD-EFGH-JKMN")
    assert screen.enrol_message.text() == (
        "'ftp://ihms' is not a server address. Type it as the district gave it, for example "
        "https://ihms.rajasthan.gov.in")


def test_plain_http_to_another_machine_is_refused_in_hindi_and_english(
        qtbot, chc_dir: Path, check_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    from ihms_desk.ui.screenshots import save

    monkeypatch.delenv("IHMS_ALLOW_PLAIN_HTTP", raising=False)
    adapter, screen = sync_screen(qtbot, chc_dir, check_store)
    screen.resize(1366, 698)
    screen.show()
    assert i18n.set_language("hi")
    ok, message = enrol_on_the_screen(qtbot, screen, adapter, "http://10.20.30.40:8470", "ABCD-EFGH-JKMN")
    assert ok is False
    assert message == screen.enrol_message.text() == (
        "पता http://10.20.30.40:8470 http:// से शुरू होता है: इससे इस कंप्यूटर के रिकॉर्ड और उसकी चाबी "
        "सर्वर तक बिना एन्क्रिप्शन के जाएँगे, जिन्हें रास्ते में कोई भी पढ़ सकता है। ज़िले से मिला पता लिखें, "
        "जो https:// से शुरू होता है।")
    # The whole message is on the screen at 1366x698 (wrapped, not cut off).
    save(screen, Path(os.environ.get("IHMS_SCREENSHOT_DIR", tmp_path)) / "sync-plain-http-hi.png")
    assert screen.enrol_message.wordWrap() and screen.enrol_message.isVisible()
    assert screen.enrol_message.mapTo(screen, screen.enrol_message.rect().bottomRight()).y() < 698
    assert i18n.set_language("en")
    screen.url_edit.clear()
    screen.code_edit.clear()
    enrol_on_the_screen(qtbot, screen, adapter, "http://ihms.rajasthan.example", "ABCD-EFGH-JKMN")
    assert screen.enrol_message.text().startswith(
        "The address http://ihms.rajasthan.example starts with http://, which would send")
    assert not check_store.sync_state().enrolled


def test_enrolment_done_in_hindi(qtbot, chc_dir: Path, check_store: Store, portal_url: str) -> None:
    assert i18n.set_language("hi")
    adapter, screen = sync_screen(qtbot, chc_dir, check_store)
    ok, message = enrol_on_the_screen(qtbot, screen, adapter, portal_url, "ABCD-EFGH-JKMN")
    assert ok is True
    assert screen.enrol_message.text() == f"CHC Testpur (RJ-TST-CHC-001) {portal_url} के साथ पंजीकृत हो गया।"
    assert check_store.sync_state().server_url == portal_url


def real_client_failures(silent_url: str) -> list[SyncError]:
    """Failures raised by the real client (ihms_desk/sync/client.py), each caught as it comes."""
    failures: list[SyncError] = []
    calls = [
        lambda: normalise_server_url("ftp://ihms"),
        lambda: SyncClient("https://ihms.example.in").catalogue_page(""),  # no token yet
        lambda: SyncClient(silent_url, "token", connect_timeout=2.0, read_timeout=0.3).health(),
    ]
    for call in calls:
        with pytest.raises(SyncError) as caught:
            call()
        failures.append(caught.value)
    return failures


def test_the_real_clients_failures_are_recognised_and_worded() -> None:
    with socket.socket() as silent:  # accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        failures = real_client_failures(f"http://127.0.0.1:{silent.getsockname()[1]}")
    assert [error.kind for error in failures] == ["not_a_server_address", "token_missing", "timed_out"]
    assert i18n.set_language("hi")
    for error in failures:
        text = i18n.sync_error_text(error.message, error.kind, error.values)
        assert DEVANAGARI.search(text), text
        # A status that lost its kind (an earlier version's) is recognised from the English.
        assert i18n.sync_error_text(error.message) == text


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_every_kind_has_hindi_words(kind: str) -> None:
    values = {name: f"V{index}" for index, name in enumerate(re.findall(r"\{(\w+)\}", MESSAGES[kind]))}
    english = MESSAGES[kind].format(**values)
    assert identify(english) == (kind, values)
    assert i18n.sync_error_text(english, kind, values) == english
    assert i18n.set_language("hi")
    hindi = i18n.sync_error_text(english, kind, values)
    assert hindi != english and DEVANAGARI.search(hindi)
    assert all(value in hindi for value in values.values())
