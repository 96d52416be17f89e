"""The first run's keyboard drive of benchmarks/first_run_bench.py, with its bound: from an
empty data folder and the district's USB stick to a saved dispense in at most 60 keys, in
English and in Hindi, typing no code and no address."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ihms_desk.store import Store
from ihms_desk.ui import i18n

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from first_run_bench import FACILITY, TARGET_KEYS, drive_first_run, make_stick  # noqa: E402


@pytest.fixture(autouse=True)
def back_to_english():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("language", ["en", "hi"])
def test_a_package_on_the_stick_to_a_saved_dispense_within_60_keys(qtbot, tmp_path: Path, monkeypatch,
                                                                   language: str) -> None:
    monkeypatch.setenv("IHMS_MACHINE_DIR", str(tmp_path / "pc"))
    monkeypatch.setenv("IHMS_LOG_DIR", str(tmp_path / "logs"))
    stick = make_stick(tmp_path / "usb")
    drive = drive_first_run(tmp_path / "data", stick, language)
    assert drive.total_keys <= TARGET_KEYS, drive.keys
    assert drive.typed_codes == 0
    # Each step's keys, so that a slower step shows by name when the bound is broken.
    assert drive.keys["facility"] <= 2 and drive.keys["users"] == 1 and drive.keys["stock"] == 1
    assert drive.window_names[-1] == "MainWindow"
    with Store.open(tmp_path / "data") as check:
        facility = check.facility()
        assert facility is not None and facility.code == FACILITY["code"]
        assert check.setting("language", "en") == language
        (dispense,) = check.recent_dispenses(5)
        saved = check.document(dispense.number)
        assert saved.header["opd_no"] == "101" and saved.header["prescriber"] == "Dr R"
        assert [(line["item_code"], line["qty_dispensed"]) for line in saved.lines] == [("D0037", 10)]
        assert {u.username for u in check.users()} == {"admin", "kavita", "ramesh"}
        pending = check.pending_package()
        assert pending is not None and pending.server_url == "https://ihms.example.in"
        assert check.unsent_counts()[0] == 2  # the challan and the dispense wait for the line
