"""Enrolment from the desk, and what each way of getting it wrong tells the person (issue 5,
point 4): a clear message, nothing waiting lost, and nothing half-enrolled."""

from __future__ import annotations

import os
import socket
import ssl
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from e2e_desk import FAST, assert_converged

from ihms_desk.sync.client import normalise_server_url
from ihms_desk.sync.device import read_token, token_path, write_token
from ihms_desk.sync.errors import (
    CertificateNotTrusted,
    EnrolmentRefused,
    NotAnIhmsServer,
    PlainHttpRefused,
    ServerUnreachable,
    SyncError,
    TokenRejected,
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_nothing_changed(desk, waiting: int) -> None:
    assert desk.counts()["pending"] == waiting
    assert not desk.store.sync_state().enrolled
    assert read_token(desk.data_dir) is None


def test_token_is_kept_owner_only_and_documents_flow(make_desk, server, proxy):
    desk = make_desk()
    desk.receive()
    desk.enrol(proxy.url, server.enrolment_code())
    mode = stat.S_IMODE(os.stat(token_path(desk.data_dir)).st_mode)
    if os.name == "posix":
        assert mode == 0o600
    assert read_token(desk.data_dir).startswith("ihms_")
    assert desk.store.sync_state().server_url == proxy.url
    # The token is not in the database, which goes into backups.
    dump = "\n".join(desk.store.conn.iterdump())
    assert read_token(desk.data_dir) not in dump
    desk.sync_until_done()
    assert_converged(desk, server.store)


@pytest.mark.parametrize("kind", ["closed port", "not a URL"])
def test_wrong_url(make_desk, kind):
    desk = make_desk()
    desk.receive()
    url = f"http://127.0.0.1:{closed_port()}" if kind == "closed port" else "ftp://ihms"
    with pytest.raises(ServerUnreachable) as refused:
        desk.enrol(url, "ABCD-EFGH-JKMN")
    assert ("Cannot reach the server" if kind == "closed port" else "is not a server address") in refused.value.message
    assert_nothing_changed(desk, 1)


def test_plain_http_to_another_machine_is_refused(make_desk, monkeypatch):
    """Everywhere a server address is accepted: the store's enrolment, the command line (and
    the Sync screen and the wizard's package: tests/ui/test_sync_texts.py, tests/sync/test_package.py)."""
    monkeypatch.delenv("IHMS_ALLOW_PLAIN_HTTP", raising=False)
    desk = make_desk()
    desk.receive()
    with pytest.raises(PlainHttpRefused) as refused:
        desk.enrol("http://10.0.0.5:8470", "ABCD-EFGH-JKMN")
    assert refused.value.kind == "plain_http_refused"
    assert refused.value.values == {"address": "http://10.0.0.5:8470"}
    assert_nothing_changed(desk, 1)
    cli = run_cli(desk, "enrol", "http://ihms.rajasthan.example", "ABCD-EFGH-JKMN")
    assert cli.returncode == 3 and "Traceback" not in cli.stderr
    assert "starts with http://" in cli.stderr and "https://" in cli.stderr
    hindi = run_cli(desk, "sync", "--enrol", "http://ihms.rajasthan.example", "ABCD", env={"IHMS_LANG": "hi"})
    assert "सादा" in hindi.stderr or "बिना एन्क्रिप्शन" in hindi.stderr
    assert_nothing_changed(desk, 1)
    # A desk enrolled over plain http before this version stops sending, and says why.
    desk.store.record_enrolment("http://10.0.0.5:8470", "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
    write_token(desk.data_dir, "ihms_old-token")
    outcome = desk.worker().sync_once()
    assert isinstance(outcome.error, PlainHttpRefused) and not outcome.complete
    assert desk.counts()["pending"] == 1
    assert desk.store.sync_state().last_error.startswith("The address http://10.0.0.5:8470 starts with http://")
    # To this machine itself plain http is allowed (a training PC with its own server), and to
    # another machine in a lab that sets the override.
    assert normalise_server_url(f"http://127.0.0.2:{closed_port()}").startswith("http://127.0.0.2:")
    assert normalise_server_url("http://[::1]:8470") == "http://[::1]:8470"
    assert normalise_server_url("http://localhost:8470") == "http://localhost:8470"
    monkeypatch.setenv("IHMS_ALLOW_PLAIN_HTTP", "1")
    assert normalise_server_url("http://10.0.0.5:8470") == "http://10.0.0.5:8470"


def test_too_many_wrong_codes_are_answered_with_a_wait_in_both_languages(make_desk, server):
    from ihms_desk import wording
    from ihms_server import security

    desk = make_desk()
    desk.receive()
    for _ in range(security.FACILITY_LIMIT):
        with pytest.raises(EnrolmentRefused, match="does not know this enrolment code"):
            desk.enrol(server.url, "WRNG-CODE-0000")
    with pytest.raises(EnrolmentRefused) as limited:
        desk.enrol(server.url, server.enrolment_code())  # even the right code waits
    assert limited.value.kind == "enrolment_too_many_attempts" and limited.value.code == "too_many_attempts"
    assert limited.value.values == {"minutes": "15"}
    assert "Wait 15 minutes" in limited.value.message
    assert "15 मिनट रुकें" in wording.text_of(limited.value, "hi")
    assert_nothing_changed(desk, 1)


def test_wrong_and_already_used_codes(make_desk, server, proxy):
    desk = make_desk("first")
    desk.receive()
    with pytest.raises(EnrolmentRefused, match="does not know this enrolment code"):
        desk.enrol(proxy.url, "WRNG-CODE-0000")
    assert_nothing_changed(desk, 1)
    code = server.enrolment_code()
    desk.enrol(proxy.url, code)
    second = make_desk("second")
    with pytest.raises(EnrolmentRefused, match="already used"):
        second.enrol(proxy.url, code)
    assert not second.store.sync_state().enrolled


@pytest.mark.parametrize("answer", ["html", "garbage"])
def test_server_answering_html_or_garbage(make_desk, server, proxy, answer):
    desk = make_desk()
    desk.receive()
    proxy.add(answer, path="/v1/", method=None, times=10)
    with pytest.raises(NotAnIhmsServer, match="does not answer like an IHMS state server"):
        desk.enrol(proxy.url, server.enrolment_code())
    assert_nothing_changed(desk, 1)
    # The same answer in the middle of syncing (a Wi-Fi login page) once is tried again at
    # once; for longer it is a failed pass, no more.
    proxy.clear()
    desk.enrol(proxy.url, server.enrolment_code())
    proxy.add(answer, path="/v1/", method=None, times=1)
    assert desk.worker().sync_once().complete
    desk.receive()
    proxy.add(answer, path="/v1/", method=None, times=FAST.retries_in_pass + 1)
    outcome = desk.worker().sync_once()
    assert isinstance(outcome.error, NotAnIhmsServer)
    assert desk.counts()["pending"] == 1
    desk.sync_until_done()
    assert_converged(desk, server.store)


def test_redirect_is_not_followed(make_desk, server, proxy):
    desk = make_desk()
    desk.receive()
    proxy.add("redirect", path="/v1/enrol")
    with pytest.raises(NotAnIhmsServer, match="sends this desk on to https://ihms.example.in/v1/enrol"):
        desk.enrol(proxy.url, server.enrolment_code())
    assert_nothing_changed(desk, 1)


def test_revoked_token_then_enrolled_again(enrolled_desk, server, proxy):
    desk = enrolled_desk()
    desk.sync_until_done()
    server.store.revoke_device(desk.store.sync_state().device_id)
    desk.dispense(4)
    outcome = desk.worker().sync_once()
    assert isinstance(outcome.error, TokenRejected)
    assert "withdrawn by the district" in outcome.error.message
    assert desk.store.sync_state().last_error == outcome.error.message
    assert desk.counts()["pending"] == 4
    desk.enrol(proxy.url, server.enrolment_code())
    assert desk.sync_until_done().sent == 4
    assert_converged(desk, server.store)


@pytest.fixture
def untrusted_https_server(tmp_path):
    """An HTTPS server whose self-signed certificate no CA vouches for."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_tls_certificate_that_does_not_verify(make_desk, untrusted_https_server):
    desk = make_desk()
    desk.receive()
    with pytest.raises(CertificateNotTrusted, match="did not prove who it is"):
        desk.enrol(untrusted_https_server, "ABCD-EFGH-JKMN")
    assert_nothing_changed(desk, 1)


def run_cli(desk, *args: str, log_dir=None, env=None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "IHMS_MACHINE_DIR": str(desk.pc), **(env or {})}
    if log_dir is not None:
        environment["IHMS_LOG_DIR"] = str(log_dir)
    return subprocess.run([sys.executable, "-m", "ihms_desk", "--data-dir", str(desk.data_dir), *args],
                          capture_output=True, text=True, timeout=120, env=environment)


def test_cli_enrol_sync_and_status(make_desk, server, proxy, tmp_path):
    desk = make_desk()
    desk.receive()
    desk.dispense(3)
    refused = run_cli(desk, "sync", "--enrol", proxy.url, "NOPE-NOPE-NOPE")
    assert refused.returncode == 2
    assert "Not enrolled: The server does not know this enrolment code" in refused.stderr
    assert "Nothing waiting on this PC was touched" in refused.stderr
    unreachable = run_cli(desk, "enrol", f"http://127.0.0.1:{closed_port()}", "ABCD")
    assert unreachable.returncode == 3 and "Cannot reach the server" in unreachable.stderr
    not_enrolled = run_cli(desk, "sync", "--once")
    assert not_enrolled.returncode == 4 and "not enrolled" in not_enrolled.stderr
    enrolled = run_cli(desk, "enrol", proxy.url, server.enrolment_code(), "--device-name", "DDC 1")
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Enrolled CHC Test (CHC-TEST-001)" in enrolled.stdout
    # One 503 is tried again within the pass; one more than it tries again fails the pass.
    proxy.add("status", status=503, path="/v1/", method=None, times=4)
    failed = run_cli(desk, "sync", "--once", log_dir=tmp_path / "logs")
    assert failed.returncode == 4, failed.stdout
    # The headless sync (a nightly scheduled task) writes the program's own log file.
    log = (tmp_path / "logs" / "ihms-desk.log").read_text(encoding="utf-8")
    assert "retrying at once (3 of 3)" in log and "has a problem (HTTP 503)" in log
    status = run_cli(desk, "sync", "--status")
    assert status.returncode == 0
    assert "Waiting to be sent: 4" in status.stdout and "has a problem (HTTP 503)" in status.stdout
    done = run_cli(desk, "sync", "--once")
    assert done.returncode == 0, done.stderr
    assert "Sent 4" in done.stdout
    status = run_cli(desk, "sync", "--status")
    assert "Waiting to be sent: 0" in status.stdout and "(online)" in status.stdout
    assert "Last error" not in status.stdout
    assert_converged(desk, server.store)


def test_sync_error_messages_are_plain_words():
    # Every failure class carries its message as given; a person reads it as it is.
    error = SyncError("The line is down.")
    assert error.message == str(error) == "The line is down."


def test_cli_daemon_syncs_until_stopped(enrolled_desk, server, proxy):
    import signal
    import time

    desk = enrolled_desk()
    process = subprocess.Popen(desk.command("sync", "--daemon"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 30
        while desk.counts()["pending"] or desk.store.sync_state().last_success_at is None:
            assert time.monotonic() < deadline and process.poll() is None, "the daemon did not sync"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Waiting to be sent: 0" in out
    assert_converged(desk, server.store)


def test_an_enrolment_whose_answer_was_lost_is_retried_and_gets_the_same_device(make_desk, server, proxy, capsys):
    from ihms_server.cli import main as server_cli

    desk = make_desk()
    desk.receive()
    code = server.enrolment_code()
    proxy.add("drop_response", path="/v1/enrol")  # the server enrols; the answer never arrives
    with pytest.raises(ServerUnreachable):
        desk.enrol(proxy.url, code)
    assert_nothing_changed(desk, 1)
    (orphan,) = [d for d in server.store.devices() if d["facility_code"] == "CHC-TEST-001"]
    assert orphan["orphan"]
    # The same desk asks again with the same one-time code: the same device, a new token.
    desk.enrol(proxy.url, code)
    assert desk.store.sync_state().device_id == orphan["device_id"]
    assert [d["device_id"] for d in server.store.devices()] == [orphan["device_id"]]
    desk.sync_until_done()
    assert_converged(desk, server.store)
    # Another desk's code used by someone else, or a desk that never tried again, leaves an
    # orphan: the admin lists orphans and withdraws them.
    other = make_desk("other")
    proxy.add("drop_response", path="/v1/enrol")
    with pytest.raises(ServerUnreachable):
        other.enrol(proxy.url, server.enrolment_code())
    with pytest.raises(EnrolmentRefused):  # a used code stays used for any other nonce
        other.enrol(proxy.url, code)
    assert server_cli(["device", "list", "--orphans", "--db", server.db_url]) == 0
    listed = capsys.readouterr().out
    (line,) = listed.splitlines()
    assert "ORPHAN: never sent anything" in line and orphan["device_id"] not in line
    assert server_cli(["device", "revoke", "--orphans", "--older-than", "0", "--db", server.db_url]) == 0
    assert "revoked" in capsys.readouterr().out
    assert server_cli(["device", "list", "--orphans", "--db", server.db_url]) == 0
    assert capsys.readouterr().out == ""


def test_re_enrolment_does_not_flag_delivered_events(enrolled_desk, server, proxy):
    """An event is its id and content, not the token that carried it: events the server took
    under the old device come back as duplicates when the re-enrolled desk sends them."""
    desk = enrolled_desk(149)
    proxy.add("drop_response")  # the server stores the batch; the desk never hears of it
    outcome = desk.worker(retries_in_pass=0).sync_once()
    assert isinstance(outcome.error, ServerUnreachable) and desk.counts()["pending"] == 150
    server.store.revoke_device(desk.store.sync_state().device_id)
    desk.enrol(proxy.url, server.enrolment_code())
    outcome = desk.sync_until_done()
    assert (outcome.duplicates, outcome.sent, outcome.set_aside) == (150, 0, 0)
    assert desk.store.rejected_events() == []
    assert_converged(desk, server.store)
