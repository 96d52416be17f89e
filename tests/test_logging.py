"""The log file (ihms_desk/logging_setup.py): where it goes, that it rotates, and that an
uncaught exception lands in it with its traceback even when there is no console at all."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from ihms_desk import logging_setup, paths
from ihms_desk.logging_setup import BACKUP_COUNT, LOG_FILE, setup_logging


@pytest.fixture
def our_handlers() -> Iterator[None]:
    """Take our handlers off the root logger after the test (pytest has its own there)."""
    level = logging.getLogger().level
    yield
    logging_setup.remove_handlers()
    logging.getLogger().setLevel(level)


def test_log_folder_is_the_platformdirs_log_folder_unless_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(logging_setup.LOG_DIR_ENV, raising=False)
    assert logging_setup.resolve_log_dir() == paths.log_dir() == Path(platformdirs.user_log_dir("IHMS Desk", "IHMS"))
    monkeypatch.setenv(logging_setup.LOG_DIR_ENV, str(tmp_path / "support"))
    assert logging_setup.resolve_log_dir() == tmp_path / "support"
    assert logging_setup.resolve_log_dir(tmp_path / "explicit") == tmp_path / "explicit"


def test_records_go_to_a_file_that_rotates(tmp_path: Path, our_handlers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 20_000)
    path = setup_logging(tmp_path / "logs")
    assert path == tmp_path / "logs" / LOG_FILE and logging_setup.current_log_file() == path
    log = logging.getLogger("ihms_desk.test")
    for n in range(2_000):
        log.info("dispensed OPD/%05d %s", n, "x" * 40)
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files[0] == LOG_FILE and f"{LOG_FILE}.1" in files
    assert len(files) == BACKUP_COUNT + 1, "older files beyond the rotation count are removed"
    assert all((tmp_path / "logs" / name).stat().st_size <= 20_000 + 200 for name in files)
    assert "OPD/01999" in path.read_text(encoding="utf-8")
    # Calling it again (the app restarting its window) does not double every line.
    setup_logging(tmp_path / "logs")
    log.warning("once only")
    assert path.read_text(encoding="utf-8").count("once only") == 1


WINDOWED = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    sys.stdout = None   # what the windowed (no console) Windows build gives the program
    sys.stderr = None
    from ihms_desk.logging_setup import install_excepthook, setup_logging
    setup_logging(Path(sys.argv[1]))
    install_excepthook()
    print("printing to nowhere must not fail")
    worker = threading.Thread(target=lambda: 1 / 0, name="sync-worker")
    worker.start()
    worker.join()
    raise RuntimeError("stock screen crashed: boom-4711")
    """
)


def test_windowed_build_without_stdout_still_logs_uncaught_exceptions(tmp_path: Path) -> None:
    script = tmp_path / "windowed_counter.py"  # a file, so the traceback can quote its lines
    script.write_text(WINDOWED, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1  # the exception was not swallowed: the program ended as it should
    assert result.stdout == "" and result.stderr == ""
    text = (tmp_path / LOG_FILE).read_text(encoding="utf-8")
    assert "Uncaught RuntimeError: stock screen crashed: boom-4711" in text
    assert "Uncaught ZeroDivisionError in thread sync-worker" in text
    assert text.count("Traceback (most recent call last)") == 2
    assert 'raise RuntimeError("stock screen crashed: boom-4711")' in text


def test_an_unwritable_log_folder_falls_back_to_the_temporary_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the log folder should be")
    script = "import sys; from pathlib import Path; from ihms_desk.logging_setup import setup_logging; " \
             "print(setup_logging(Path(sys.argv[1]) / 'logs'))"
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    result = subprocess.run([sys.executable, "-c", script, str(blocked)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    used = Path(result.stdout.strip())
    assert used == tmp_path / "tmp" / "IHMS Desk logs" / LOG_FILE
    assert "logging to" in used.read_text(encoding="utf-8")
