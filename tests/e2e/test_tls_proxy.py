"""TLS in front of ihms-server, as docs/server.md tells the state to run it: Debian's nginx with
the documented site file (docs/examples/nginx-ihms-server.conf), a certificate made here, and a
desk that enrols and syncs through it with certificate checks on."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from e2e_desk import assert_converged

from ihms_desk.sync.device import enrol
from ihms_server import accounts, security
from ihms_server.login_pages import SESSION_COOKIE
from ihms_server.testing_supply import PASSWORD, csrf_of, web_login

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "nginx-ihms-server.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost: the desk is given it as its CA bundle."""
    key, cert = folder / "privkey.pem", folder / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return key, cert


def site_config(upstream: str, https_port: int, http_port: int, key: Path, cert: Path) -> str:
    """The documented site with this run's ports, name and certificate; nothing else changed."""
    text = EXAMPLE.read_text(encoding="utf-8")
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "ihms.rajasthan.example": "localhost",
        "/etc/ssl/ihms/fullchain.pem": str(cert),
        "/etc/ssl/ihms/privkey.pem": str(key),
        "http://127.0.0.1:8470": upstream,
    }
    for documented, here in replacements.items():
        assert documented in text, f"the example no longer says {documented!r}"
        text = text.replace(documented, here)
    return text


@pytest.fixture
def nginx(server, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """nginx in front of the test server: (https URL, the certificate, plain-http URL)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is missing: .ci/run installs Debian's nginx-light"
    folder = tmp_path / "nginx"
    folder.mkdir()
    key, cert = make_certificate(folder)
    https_port, http_port = free_port(), free_port()
    (folder / "site.conf").write_text(site_config(server.url, https_port, http_port, key, cert))
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx would hand its workers to 'nobody', who cannot read pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log {folder / 'access.log'};\n{temp}\n"
        f"    include {folder / 'site.conf'};\n}}\n")
    test = subprocess.run([binary, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf"), "-p", str(folder),
                                "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        url = f"https://localhost:{https_port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                requests.get(f"{url}/v1/health", verify=str(cert), timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield url, cert, f"http://127.0.0.1:{http_port}"
    finally:
        process.terminate()
        process.wait(15)


def test_a_desk_enrols_and_syncs_through_tls(make_desk, server, nginx) -> None:
    url, cert, plain = nginx
    desk = make_desk()
    desk.receive()
    desk.dispense(5)
    enrol(desk.store, url, server.enrolment_code(), device_name="DDC 1", verify=str(cert))
    outcome = desk.sync_until_done(desk.worker(verify=str(cert)))
    assert outcome.complete
    assert_converged(desk, server.store)
    # The server saw the desk's own address (X-Forwarded-For) and knew the line was HTTPS.
    (attempt,) = security.enrolment_attempts(server.store)
    assert attempt["client"] == "127.0.0.1" and attempt["outcome"] == "enrolled"
    answer = requests.get(f"{url}/v1/health", verify=str(cert), timeout=10)
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    # A desk cannot name another address for itself: the proxy replaces the header.
    spoofed = requests.post(f"{url}/v1/enrol", verify=str(cert), timeout=10,
                            headers={"X-IHMS-Protocol": "1", "X-Forwarded-For": "203.0.113.99"},
                            json={"facility_code": "CHC-TEST-001", "enrolment_code": "AAAA-BBBB-CCCC",
                                  "device_name": "x"})
    assert spoofed.status_code == 403
    assert security.enrolment_attempts(server.store)[0]["client"] == "127.0.0.1"
    # Plain HTTP only redirects a browser to HTTPS; it never reaches the server.
    redirected = requests.get(f"{plain}/v1/health", allow_redirects=False, timeout=10)
    assert redirected.status_code == 301 and redirected.headers["Location"].startswith("https://")


def test_a_certificate_the_desk_does_not_trust_is_refused(make_desk, server, nginx) -> None:
    from ihms_desk.sync.errors import CertificateNotTrusted

    url, _, _ = nginx
    desk = make_desk()
    desk.receive()
    with pytest.raises(CertificateNotTrusted):
        enrol(desk.store, url, server.enrolment_code(), device_name="DDC 1")
    assert not desk.store.sync_state().enrolled


def test_the_web_login_through_the_proxy_gives_a_secure_cookie(server, nginx) -> None:
    """uvicorn believes the proxy's X-Forwarded-Proto (from 127.0.0.1), so the session cookie
    set through nginx is Secure; a browser's form post (its Origin names the address it
    used, port included) is taken as this site's; straight to the server over loopback http
    the cookie cannot be Secure."""
    url, cert, _ = nginx
    accounts.add_account(server.store, "officer", PASSWORD, "district_officer", district="Jaipur")
    browser = requests.Session()
    form = browser.get(f"{url}/login", verify=str(cert), timeout=30)
    answer = browser.post(f"{url}/login", verify=str(cert), timeout=30, allow_redirects=False,
                          headers={"Origin": url, "Sec-Fetch-Site": "same-origin"},
                          data={"username": "officer", "password": PASSWORD, "csrf": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text[:300]
    (cookie,) = [c for c in browser.cookies if c.name == SESSION_COOKIE]
    assert cookie.secure
    assert browser.get(f"{url}/facility/CHC-TEST-001", verify=str(cert), timeout=30).status_code == 200
    direct = web_login(server.url, "officer")
    (plain,) = [c for c in direct.cookies if c.name == SESSION_COOKIE]
    assert not plain.secure
