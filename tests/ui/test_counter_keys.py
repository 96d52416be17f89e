"""The counter's keyboard drive of benchmarks/counter_keys.py (issue 12), with its targets as
bounds: a 4-line prescription for the next patient in at most 40 keys, the patient's last
prescription repeated in at most 30, each slip checked in the store by the drive, and the most
dispensed items each found first with three letters; in English and in Hindi."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ihms_desk.demo import build_demo
from ihms_desk.ui import i18n

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from counter_keys import TARGET_NEXT, TARGET_REPEAT, copy_of_demo, drive_counter  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo CHC the benchmark uses (built once for both languages, about 15 s)."""
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder)
    return folder


@pytest.mark.parametrize("language", ["en", "hi"])
def test_a_prescription_in_few_keys(qtbot, demo: Path, tmp_path: Path, language: str) -> None:
    try:
        drive = drive_counter(copy_of_demo(demo, tmp_path / "drive"), language)
    finally:
        i18n.set_language("en")
    assert drive.keys["next patient"] <= TARGET_NEXT, drive.keys
    assert drive.keys["repeat"] <= TARGET_REPEAT, drive.keys
    # From the login screen, every dose typed: more keys, but the same flow.
    assert drive.keys["new patient"] > drive.keys["next patient"]
    assert len(drive.slips) == 3 and drive.out_of_stock
    assert len(drive.top_items) == 30
    missed = [(code, name) for code, name, query, _ in drive.top_items if query is None]
    assert not missed, missed
