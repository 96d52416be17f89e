"""This desk's identity with the state server: the device token file, enrolment, and the
marker that tells a database restored from an old backup from the one that was synced.

The token is a secret, so it lives in a file of its own in the data folder, readable by the
owner only, never in the database (which is copied into backups).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ihms_desk.paths import DataFolder
from ihms_desk.store import Store
from ihms_desk.sync.client import SyncClient, normalise_server_url
from ihms_desk.sync.errors import EnrolmentRefused, NotEnrolled



def _write_private(path: Path, text: str) -> None:
    """Write ``text`` so that a power cut leaves the old file or the new one, owner-only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temp, 0o600)  # mkstemp already makes it 0600; say so for umask-surprised readers
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def token_path(data_dir: Path) -> Path:
    return DataFolder(data_dir).device_token


def read_token(data_dir: Path) -> str | None:
    try:
        token = token_path(data_dir).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return token or None


def write_token(data_dir: Path, token: str) -> Path:
    path = token_path(data_dir)
    _write_private(path, token + "\n")
    return path


def default_device_name() -> str:
    return (platform.node() or "IHMS Desk")[:120]


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    device_id: str
    facility_code: str
    facility_name: str


def enrol(store: Store, server_url: str, enrolment_code: str, *, device_name: str | None = None,
          verify: bool | str = True, connect_timeout: float = 10.0, read_timeout: float = 30.0) -> Enrolment:
    """Trade the one-time code for a device token; keep the token in the data folder and the
    server and device id in the database. Raises a SyncError with a plain message; on any
    failure nothing changes, and nothing waiting in the outbox is ever touched."""
    facility = store.require_facility()
    code = (enrolment_code or "").strip()
    if not code:
        raise EnrolmentRefused("Type the enrolment code the district gave you.")
    url = normalise_server_url(server_url)
    client = SyncClient(url, verify=verify, connect_timeout=connect_timeout, read_timeout=read_timeout)
    try:
        answer = client.enrol(facility.code, code, device_name or default_device_name())
    finally:
        client.close()
    data_dir = store.folder.root
    # Token first: if the database write then fails, the old enrolment's device id no longer
    # matches the token, the server says so plainly, and enrolling again mends it.
    write_token(data_dir, str(answer["token"]))
    facility_data = answer.get("facility") if isinstance(answer.get("facility"), dict) else None
    store.record_enrolment(url, str(answer["device_id"]), facility_data)
    clear_marker(data_dir)
    updated = store.require_facility()
    return Enrolment(url, str(answer["device_id"]), updated.code, updated.name)


def require_enrolment(store: Store) -> tuple[str, str, str]:
    """(server URL, device id, token) or :class:`NotEnrolled` with what to do."""
    state = store.sync_state()
    token = read_token(store.folder.root)
    if state.server_url is None or state.device_id is None or token is None:
        raise NotEnrolled("This desk is not enrolled with the state server yet. On the Sync screen "
                          "(or with 'ihms-desk sync --enrol URL CODE') enter the server address and "
                          "the enrolment code from the district.")
    return state.server_url, state.device_id, token


# -- the restore marker -------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """The highest (epoch, sequence) the server has acknowledged from this device."""

    device_id: str
    epoch: int
    sequence: int

    def covers(self, epoch: int, sequence: int) -> bool:
        return (epoch, sequence) <= (self.epoch, self.sequence)


def read_marker(data_dir: Path) -> Marker | None:
    try:
        raw: Any = json.loads(DataFolder(data_dir).sync_marker.read_text(encoding="utf-8"))
        return Marker(str(raw["device_id"]), int(raw["epoch"]), int(raw["sequence"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def advance_marker(data_dir: Path, device_id: str, epoch: int, sequence: int) -> None:
    marker = read_marker(data_dir)
    if marker is not None and marker.device_id == device_id and marker.covers(epoch, sequence):
        return
    _write_private(DataFolder(data_dir).sync_marker, json.dumps(
        {"device_id": device_id, "epoch": epoch, "sequence": sequence}))


def clear_marker(data_dir: Path) -> None:
    DataFolder(data_dir).sync_marker.unlink(missing_ok=True)


def restored_from_backup(store: Store, device_id: str) -> bool:
    """True when the server has acknowledged a sequence this database has not reached yet in
    its current epoch: the file was put back from an older copy. Its next events would reuse
    (epoch, sequence) pairs the server holds with other content."""
    marker = read_marker(store.folder.root)
    if marker is None or marker.device_id != device_id:
        return False
    device = store.device_state()
    return marker.covers(device["epoch"], device["next_sequence"])
