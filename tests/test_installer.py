"""The Windows installer's parts that can run here: the NSIS script compiles with Debian's
makensis, the nightly task's definition is a Task Scheduler XML that runs the console program
with no data folder named, and the program finds its data folder in the settings file the
installer writes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ihms_desk import nightly_task, paths
from ihms_desk.paths import DataFolder

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "installer" / "ihms-desk.nsi"
NS = {"t": nightly_task.NAMESPACE}


def test_the_installer_script_compiles(tmp_path: Path) -> None:
    makensis = shutil.which("makensis")
    assert makensis, "makensis is missing: .ci/run installs Debian's nsis package"
    dist = tmp_path / "dist" / "ihms-desk"
    (dist / "_internal").mkdir(parents=True)
    for name in ("ihms-desk.exe", "ihms-desk-cli.exe", "_internal/python311.dll"):
        (dist / name).write_bytes(b"MZ stand-in for the frozen build")
    out = tmp_path / "ihms-desk-installer.exe"
    done = subprocess.run([makensis, "-V2", f"-DDIST={dist}", "-DVERSION=9.9.9",
                           f"-DOUTFILE={out}", str(SCRIPT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.stat().st_size > 50_000 and out.read_bytes()[:2] == b"MZ"


def test_the_script_writes_the_settings_the_program_reads() -> None:
    text = SCRIPT.read_text(encoding="utf-8-sig")
    assert f'!define SETTINGS "{paths.SETTINGS_FILE}"' in text
    assert 'WriteINIStr "$INSTDIR\\${SETTINGS}" "paths" "data_dir" "$DataDir"' in text
    # The shortcut names the program and nothing else; the uninstaller never deletes the data.
    assert 'CreateShortcut "$DESKTOP\\${APP}.lnk" "$INSTDIR\\ihms-desk.exe" ""' in text
    uninstall = text[text.index('Section "Uninstall"'):]
    assert not [line for line in uninstall.splitlines() if "$DataDir" in line and line.strip().startswith(("RMDir", "Delete"))]
    assert "nightly-task --install" in text
    assert f'schtasks /Delete /TN "{nightly_task.TASK_NAME}" /F' in uninstall


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "cp1252"])
def test_the_program_finds_its_data_folder_in_the_settings_file(tmp_path: Path, monkeypatch, encoding: str) -> None:
    ini = tmp_path / "ihms-desk.ini"
    # As Windows' WritePrivateProfileString (NSIS's WriteINIStr) writes it.
    ini.write_bytes("[paths]\r\ndata_dir=D:\\IHMS\\data\r\n".encode(encoding))
    monkeypatch.setenv(paths.SETTINGS_FILE_ENV, str(ini))
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    assert paths.installed_data_dir() == Path("D:\\IHMS\\data")
    monkeypatch.setattr(paths, "installed_data_dir", lambda path=None: tmp_path / "from-ini")
    assert DataFolder.resolve().root == tmp_path / "from-ini"
    # --data-dir and IHMS_DATA_DIR still win over it.
    assert DataFolder.resolve(tmp_path / "explicit").root == tmp_path / "explicit"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "env"))
    assert DataFolder.resolve().root == tmp_path / "env"


def test_no_settings_file_or_no_data_dir_in_it_falls_back(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(paths.SETTINGS_FILE_ENV, str(tmp_path / "missing.ini"))
    assert paths.installed_data_dir() is None
    (tmp_path / "other.ini").write_text("[paths]\nlog=C:\\x\n", encoding="utf-8")
    assert paths.installed_data_dir(tmp_path / "other.ini") is None
    (tmp_path / "broken.ini").write_text("data_dir = no section\n", encoding="utf-8")
    assert paths.installed_data_dir(tmp_path / "broken.ini") is None


def test_the_frozen_program_reads_the_file_beside_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(paths.SETTINGS_FILE_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "ihms-desk.exe"))
    assert paths.settings_file() == tmp_path / "ihms-desk.ini"


def test_the_nightly_task_definition(tmp_path: Path) -> None:
    program = Path("C:/Program Files/IHMS Desk/ihms-desk-cli.exe")
    path = nightly_task.write_task_xml(tmp_path / "task.xml", program)
    raw = path.read_bytes()
    assert raw[:2] == b"\xff\xfe"  # UTF-16 with its byte order mark, as schtasks /XML wants
    task = ET.fromstring(raw.decode("utf-16").split("\n", 1)[1])
    assert task.tag == f"{{{nightly_task.NAMESPACE}}}Task" and task.get("version") == "1.2"
    trigger = task.find("t:Triggers/t:CalendarTrigger", NS)
    assert dt.datetime.fromisoformat(trigger.findtext("t:StartBoundary", namespaces=NS)).time() == dt.time(21, 0)
    assert trigger.findtext("t:ScheduleByDay/t:DaysInterval", namespaces=NS) == "1"
    # As whoever is logged on, never SYSTEM (the desk knows its PC by the user's profile).
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal.findtext("t:GroupId", namespaces=NS) == "S-1-5-32-545"
    assert principal.find("t:UserId", NS) is None
    settings = task.find("t:Settings", NS)
    assert settings.findtext("t:StartWhenAvailable", namespaces=NS) == "true"
    assert settings.findtext("t:RestartOnFailure/t:Count", namespaces=NS) == "3"
    assert settings.findtext("t:ExecutionTimeLimit", namespaces=NS) == "PT2H"
    assert settings.findtext("t:DisallowStartIfOnBatteries", namespaces=NS) == "false"
    action = task.find("t:Actions/t:Exec", NS)
    assert action.findtext("t:Command", namespaces=NS) == str(program)
    # No data folder on the command line: the program reads it from ihms-desk.ini.
    assert action.findtext("t:Arguments", namespaces=NS) == "sync --once --wait-for-lock 600"
    assert "--data-dir" not in raw.decode("utf-16")


def test_the_command_writes_the_definition(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "ihms_desk", "nightly-task", "--xml", str(tmp_path / "t.xml"),
                           "--program", "C:\\IHMS\\ihms-desk-cli.exe"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "IHMS_LOG_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "C:\\IHMS\\ihms-desk-cli.exe" in (tmp_path / "t.xml").read_text(encoding="utf-16")
