"""The nightly sync as a Windows scheduled task: its definition (Task Scheduler's XML, schema
1.2, Windows 7 and later) and how it is registered and removed with ``schtasks``.

The installer runs ``ihms-desk-cli.exe nightly-task --install`` once; the task then runs
``ihms-desk-cli.exe sync --once --wait-for-lock 600`` every evening. It needs no
``--data-dir``: the program reads its data folder from the settings file the installer wrote
(:func:`ihms_desk.paths.installed_data_dir`). It runs as whoever is logged on (the group
*Users*), never as SYSTEM: the desk recognises its PC by a folder in the user's profile, and a
pass run from another profile would look like the data folder had moved to another PC.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TASK_NAME = r"IHMS Desk\Nightly sync"
NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
#: The well-known SID of the local group Users: the task runs in the session of whoever is
#: logged on, with that user's rights.
USERS_GROUP = "S-1-5-32-545"
ARGUMENTS = "sync --once --wait-for-lock 600"


def task_xml(program: Path, *, at: dt.time = dt.time(21, 0), start: dt.date | None = None) -> str:
    """The task's definition. Daily at ``at``; a run missed while the PC was off starts as soon
    as it is on again; a failed run (no line, exit 4) is tried again every 30 minutes, three
    times; at most two hours; on battery too (a laptop at a sub-centre)."""
    ET.register_namespace("", NAMESPACE)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    task = ET.Element(f"{{{NAMESPACE}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Author", "IHMS Desk")
    sub(info, "Description", "Sends the day's records to the state server and fetches catalogue changes "
                             "(ihms-desk sync --once). Records stay safe on this PC when the line is down.")
    sub(info, "URI", "\\" + TASK_NAME)
    trigger = sub(sub(task, "Triggers"), "CalendarTrigger")
    first = start or dt.date.today()
    sub(trigger, "StartBoundary", dt.datetime.combine(first, at).isoformat(timespec="seconds"))
    sub(trigger, "Enabled", "true")
    sub(sub(trigger, "ScheduleByDay"), "DaysInterval", "1")
    principal = sub(sub(task, "Principals"), "Principal", id="Author")
    sub(principal, "GroupId", USERS_GROUP)
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    for tag, text in (("MultipleInstancesPolicy", "IgnoreNew"), ("DisallowStartIfOnBatteries", "false"),
                      ("StopIfGoingOnBatteries", "false"), ("AllowHardTerminate", "true"),
                      ("StartWhenAvailable", "true"), ("RunOnlyIfNetworkAvailable", "false")):
        sub(settings, tag, text)
    idle = sub(settings, "IdleSettings")
    sub(idle, "StopOnIdleEnd", "false")
    sub(idle, "RestartOnIdle", "false")
    for tag, text in (("AllowStartOnDemand", "true"), ("Enabled", "true"), ("Hidden", "false"),
                      ("RunOnlyIfIdle", "false"), ("WakeToRun", "false"), ("ExecutionTimeLimit", "PT2H"),
                      ("Priority", "7")):
        sub(settings, tag, text)
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT30M")
    sub(restart, "Count", "3")
    action = sub(sub(task, "Actions", Context="Author"), "Exec")
    sub(action, "Command", str(program))
    sub(action, "Arguments", ARGUMENTS)
    sub(action, "WorkingDirectory", str(program.parent))
    ET.indent(task)
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + ET.tostring(task, encoding="unicode") + "\n"


def write_task_xml(path: Path, program: Path, *, at: dt.time = dt.time(21, 0)) -> Path:
    """The definition as ``schtasks /XML`` reads it: UTF-16 with its byte order mark."""
    path.write_text(task_xml(program, at=at), encoding="utf-16")
    return path


def console_program() -> Path:
    """The console twin of the program (``ihms-desk-cli.exe``) beside the running one."""
    here = Path(sys.executable).resolve()
    return here.with_name("ihms-desk-cli.exe") if getattr(sys, "frozen", False) else here


def install(definition: Path) -> subprocess.CompletedProcess[str]:
    """Register (or replace) the task from its definition (needs an administrator: the installer)."""
    return subprocess.run(["schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(definition), "/F"],
                          capture_output=True, text=True, check=False)


def remove() -> subprocess.CompletedProcess[str]:
    return subprocess.run(["schtasks", "/Delete", "/TN", TASK_NAME, "/F"], capture_output=True, text=True,
                          check=False)
