"""``ihms-desk --self-test`` (ihms_desk/cli/selftest.py): passes on a complete install, names what
is missing otherwise, logs its results, and leaves nothing behind. The frozen build's run is
in .ci/build-selftest."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ihms_desk.cli import selftest
from ihms_desk.logging_setup import LOG_DIR_ENV, LOG_FILE
from ihms_desk.cli.selftest import CheckResult


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", LOG_DIR_ENV: str(tmp_path / "logs"), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "ihms_desk", *args], capture_output=True, text=True, env=env, timeout=120)


def test_self_test_of_the_installed_program_passes_and_logs_each_check(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--self-test")
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok   sqlite", "ok   resources", "ok   window", "ok   commands", "ok   translations", "ok   fonts",
        "ok   database", "ok   reports"]
    assert lines[-1].startswith("Self-test passed in")
    log_text = (tmp_path / "logs" / LOG_FILE).read_text(encoding="utf-8")
    assert "self-test ok   database" in log_text  # the windowed build prints nowhere: the log has it
    assert list((tmp_path / "tmp").iterdir()) == [], "the temporary database folder is removed"


def test_self_test_of_a_broken_install_fails_and_names_the_problem(tmp_path: Path) -> None:
    # A half-copied install: the resources package is not where the program looks.
    script = ("import sys, ihms_desk.paths as p, ihms_desk.cli.selftest as s; "
              "p.RESOURCES_PACKAGE = 'ihms_desk_missing_resources'; sys.exit(s.main())")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", LOG_DIR_ENV: str(tmp_path / "logs")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "FAIL resources: ModuleNotFoundError" in result.stdout
    assert "FAIL fonts" in result.stdout and "ok   sqlite" in result.stdout
    assert "Self-test FAILED" in result.stdout.splitlines()[-1]


def test_a_crashing_check_is_a_failed_check_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> CheckResult:
        raise OSError("disk went away")

    monkeypatch.setattr(selftest, "CHECKS", (selftest.check_sqlite, broken))
    lines: list[str] = []
    assert selftest.run_self_test(lines.append) is False
    assert lines[0].startswith("ok   sqlite") and lines[1] == "FAIL broken: OSError: disk went away"


def test_each_check_passes_in_process(qapp: object) -> None:
    before = set(Path(tempfile.gettempdir()).glob("ihms-selftest-*"))
    for check in (selftest.check_sqlite, selftest.check_resources, selftest.check_fonts, selftest.check_database):
        result = check()
        assert result.ok, result
    assert set(Path(tempfile.gettempdir()).glob("ihms-selftest-*")) == before
