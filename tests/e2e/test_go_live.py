"""Going live end to end, through a real server and the real windows: 50 facilities imported
from a CSV, a rollout for their district, one package opened by the setup wizard on a fresh
data folder, a first dispense saved offline; then the server starts, the desk enrols by itself
and syncs, and the rollout view (in Chromium) shows the facility live with its first
dispense. And a facility code mistyped at set-up: refused at enrolment naming both codes,
corrected before the first sync, and no longer correctable after it."""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright

from ihms_desk import wording
from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput
from ihms_desk.sync import package
from ihms_desk.sync.errors import EnrolmentRefused
from ihms_desk.sync.worker import SyncWorker
from ihms_desk.ui import i18n
from ihms_server.app import create_app
from ihms_server.cli import main as server_cli
from ihms_server.store import open_store
from e2e_desk import FAST

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from first_run_bench import Stick, drive_first_run, make_stick  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BLOCKS = ("Amber", "Bassi", "Chaksu", "Dudu", "Phagi", "Sambhar", "Sanganer")


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    yield
    i18n.set_language("en")


@contextmanager
def server_on(sock: socket.socket, db_url: str) -> Iterator[None]:
    """The state server on a socket reserved before: until now its address refused every
    connection, as a line that is down does."""
    store = open_store(db_url)
    server = uvicorn.Server(uvicorn.Config(create_app(store), log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        thread.join(15)
        store.close()


def district_csv(path: Path) -> Path:
    rows = [f"RJ-JPR-CHC-{n:03d},CHC {BLOCKS[n % 7]} {n},Jaipur,{BLOCKS[n % 7]},CHC" for n in range(1, 51)]
    path.write_text("code,name,district,block,type\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_district_goes_live_from_packages(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IHMS_LOG_DIR", str(tmp_path / "logs"))
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # reserved, not listening yet: the line is down
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    # The state admin: the district's 50 facilities, a signing key, the rollout.
    assert server_cli(["facility", "import", str(district_csv(tmp_path / "jaipur.csv")), "--db", db_url]) == 0
    assert server_cli(["rollout-key", "new", "--out", str(tmp_path / "keys"), "--key-id", "rj-test-2026"]) == 0
    out = tmp_path / "rollout"
    assert server_cli(["rollout", "--district", "Jaipur", "--out", str(out), "--key",
                       str(tmp_path / "keys" / "rj-test-2026.key"), "--server-url", url, "--db", db_url]) == 0
    assert len(list(out.glob(f"*{package.SUFFIX}"))) == 50

    # The CHC's USB stick: its package, a users file, the challan.
    stick_root = tmp_path / "usb"
    make_stick(stick_root, with_package=False)
    shutil.copy(out / f"RJ-JPR-CHC-003{package.SUFFIX}", stick_root)
    public = (tmp_path / "keys" / "rj-test-2026.pub").read_text().strip()
    stick = Stick(stick_root, stick_root / f"RJ-JPR-CHC-003{package.SUFFIX}", ("rj-test-2026", public))

    # A fresh data folder; the wizard opens the package; a first dispense, offline.
    data_dir = tmp_path / "desk"
    drive = drive_first_run(data_dir, stick, "hi")
    assert drive.total_keys <= 60 and drive.typed_codes == 0
    with Store.open(data_dir) as desk:
        assert desk.require_facility().code == "RJ-JPR-CHC-003"
        assert not desk.sync_state().enrolled and desk.unsent_counts()[0] == 2
        (first,) = desk.recent_dispenses(1)
    offline = SyncWorker(data_dir, FAST).sync_once()
    assert offline.error is not None and "Cannot reach the server" in offline.error.message

    # The line comes up: the desk enrols by itself and sends what it saved.
    with server_on(sock, db_url):
        outcome = SyncWorker(data_dir, FAST).sync_once()
        assert outcome.error is None and outcome.sent == 2, outcome
        with Store.open(data_dir) as desk:
            state = desk.sync_state()
            assert state.enrolled and state.server_url == url and desk.pending_package() is None
            assert desk.unsent_counts() == (0, 0)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/rollout")
            page.get_by_role("link", name="Jaipur", exact=True).click()
            expect(page.locator("h1")).to_have_text("Rollout: Jaipur")
            expect(page.locator("tr[data-facility]")).to_have_count(50)
            row = page.locator("tr[data-facility='RJ-JPR-CHC-003']")
            expect(row).to_have_attribute("data-stage", "live")
            expect(row.locator(".badge")).to_have_text("Live")
            expect(row.locator("td.first-dispense")).to_contain_text(first.number)
            expect(row.locator("td.last-sync")).to_contain_text("just now")
            expect(page.locator("[data-stage='live'] b").first).to_have_text("1")
            expect(page.locator("tr[data-stage='issued']")).to_have_count(49)
            page.screenshot(path=str(tmp_path / "rollout.png"), full_page=True)
            # The district page shows it live with no further step.
            page.goto(f"{url}/?district=Jaipur")
            expect(page.locator("tr[data-facility='RJ-JPR-CHC-003']")).to_have_attribute("data-state", "live")
            browser.close()


def test_a_mistyped_facility_code_is_named_corrected_and_then_fixed(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    assert server_cli(["facility", "import", str(district_csv(tmp_path / "jaipur.csv")), "--db", db_url]) == 0
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = open_store(db_url)
    code = server.create_enrolment_code("RJ-JPR-CHC-016")
    server.close()
    data_dir = tmp_path / "desk"
    with Store.open(data_dir) as desk:
        # Typed by hand at set-up, a zero short: RJ-JPR-CHC-16 for RJ-JPR-CHC-016.
        desk.set_up(code="RJ-JPR-CHC-16", name="CHC Sanganer 16", district="Jaipur", block="Sanganer", type="CHC",
                    admin_username="admin", admin_full_name="Admin", admin_password="long-secret")
        desk.remember_package(url, code)
    with server_on(sock, db_url):
        refused = SyncWorker(data_dir, FAST).sync_once()
        assert isinstance(refused.error, EnrolmentRefused)
        assert refused.error.kind == "enrolment_code_other_facility"
        assert "issued for facility RJ-JPR-CHC-016" in refused.error.message
        assert "set up as facility RJ-JPR-CHC-16" in refused.error.message
        hindi = wording.text_of(refused.error, "hi")
        assert "RJ-JPR-CHC-016" in hindi and "RJ-JPR-CHC-16" in hindi and "संस्था" in hindi
        with Store.open(data_dir) as desk:
            assert desk.sync_state().last_error == refused.error.message
            desk.login("admin", "long-secret")
            desk.correct_facility(code="RJ-JPR-CHC-016", name="CHC Sanganer 16", district="Jaipur",
                                  block="Sanganer", type="CHC")
            assert "RJ-JPR-CHC-16 (CHC Sanganer 16) -> RJ-JPR-CHC-016" in desk.audit_trail(1)[0]["detail"]
        # The next pass (the loop tries again by itself) enrols with the same package.
        outcome = SyncWorker(data_dir, FAST).sync_once()
        assert outcome.error is None, outcome
        with Store.open(data_dir) as desk:
            assert desk.sync_state().enrolled
            desk.login("admin", "long-secret")
            with pytest.raises(InvalidInput) as fixed:
                desk.correct_facility(code="RJ-JPR-CHC-017", name="CHC Amber 17", district="Jaipur",
                                      block="Amber", type="CHC")
            assert fixed.value.kind == "facility_fixed_after_sync"
            assert "can no longer be changed" in fixed.value.message and "RJ-JPR-CHC-016" in fixed.value.message
            assert desk.require_facility().code == "RJ-JPR-CHC-016"
