"""This desk's identity with the state server: the device token file, enrolment, and the
markers that tell a database put back from an older copy, or carried to another PC, from the
one that was synced.

The token is a secret, so it lives in a file of its own in the data folder, readable by the
owner only, never in the database (which is copied into backups).

Two markers say where the desk stood. ``sync-marker.json`` in the data folder (the highest
(epoch, sequence) the server acknowledged, and which PC wrote it) catches a database restored
on its own; it travels with the folder. The *home marker*, in a folder of this PC's own outside
the data folder (:func:`machine_dir`), catches a whole data folder put back from an older copy
on the same PC. A folder last used on another PC is recognised by the PC id in its marker.
Either way the desk starts a fresh epoch before anything else (``Store.start_new_epoch``), so
the documents it saves meanwhile, offline too, are numbered in a series of their own.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ihms_desk.paths import DataFolder, fsync_folder, make_folder
from ihms_desk.store import Store
from ihms_desk.sync.client import SyncClient, normalise_server_url
from ihms_desk.sync.errors import EnrolmentRefused, NotEnrolled

#: This PC's own folder for sync (its id and the home markers); overridable for tests.
MACHINE_DIR_ENV = "IHMS_MACHINE_DIR"
MACHINE_ID_FILE = "machine-id"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` so that a power cut leaves the old file or the new one, owner-only (0600):
    a temporary file, fsynced, renamed over the old one, and the folder fsynced (without that
    last step the rename itself may be lost, and the old file, or none, comes back while the
    database already relies on the new one; tests/test_power_cuts.py)."""
    make_folder(path.parent)
    handle, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temp, 0o600)  # mkstemp already makes it 0600; say so for umask-surprised readers
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        fsync_folder(path.parent)
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
    failure nothing else changes, and nothing waiting in the outbox is ever touched.

    The request carries the desk's enrolment nonce (kept in the database until an enrolment
    succeeds): if the answer is lost on the line, trying again with the same code gets the
    same device from the server instead of using up the code for nothing."""
    facility = store.require_facility()
    code = (enrolment_code or "").strip()
    if not code:
        raise EnrolmentRefused("Type the enrolment code the district gave you.")
    url = normalise_server_url(server_url)
    nonce = store.enrolment_nonce()
    client = SyncClient(url, verify=verify, connect_timeout=connect_timeout, read_timeout=read_timeout)
    try:
        answer = client.enrol(facility.code, code, (device_name or default_device_name())[:120], nonce)
    finally:
        client.close()
    data_dir = store.folder.root
    # Token first: if the database write then fails, the old enrolment's device id no longer
    # matches the token, the server says so plainly, and enrolling again mends it.
    write_token(data_dir, str(answer["token"]))
    facility_data = answer.get("facility") if isinstance(answer.get("facility"), dict) else None
    desk_number = answer.get("desk_number")
    store.record_enrolment(url, str(answer["device_id"]), facility_data,
                           desk_number=desk_number if isinstance(desk_number, int) and desk_number >= 1 else None)
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


# -- this PC and the markers ----------------------------------------------------------------


def machine_dir(explicit: Path | None = None) -> Path:
    """This PC's own folder for sync: ``explicit``, else ``IHMS_MACHINE_DIR``, else a folder
    beside (never inside) the default data folder, so a data folder put back from a copy
    leaves it as it was."""
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(MACHINE_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    from ihms_desk.paths import APP_AUTHOR

    return Path(platformdirs.user_state_dir("IHMS Desk PC", APP_AUTHOR))


def machine_id(folder: Path) -> str | None:
    """A random id of this PC, made on first use; None when its folder cannot be written (then
    no check relies on it: a new id at every start would look like a move every time)."""
    path = folder / MACHINE_ID_FILE
    try:
        found = path.read_text(encoding="utf-8").strip()
        if found:
            return found
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        _write_private(path, str(uuid.uuid4()) + "\n")
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


@dataclass(frozen=True)
class Marker:
    """Where the desk stood: the highest (epoch, sequence) the server acknowledged (the data
    folder's marker) or the database's own (epoch, next sequence) (the home marker), and
    which PC wrote it."""

    device_id: str
    epoch: int
    sequence: int
    machine: str | None = None

    def covers(self, epoch: int, sequence: int) -> bool:
        return (epoch, sequence) <= (self.epoch, self.sequence)


def _read(path: Path) -> Marker | None:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        machine = raw.get("machine")
        return Marker(str(raw["device_id"]), int(raw["epoch"]), int(raw["sequence"]),
                      machine if isinstance(machine, str) else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write(path: Path, marker: Marker) -> None:
    _write_private(path, json.dumps({"device_id": marker.device_id, "epoch": marker.epoch,
                                     "sequence": marker.sequence, "machine": marker.machine}))


def read_marker(data_dir: Path) -> Marker | None:
    return _read(DataFolder(data_dir).sync_marker)


def advance_marker(data_dir: Path, device_id: str, epoch: int, sequence: int,
                   machine: str | None = None) -> None:
    marker = read_marker(data_dir)
    if marker is not None and marker.device_id == device_id and marker.covers(epoch, sequence) \
            and marker.machine == machine:
        return
    if marker is not None and marker.device_id == device_id and marker.covers(epoch, sequence):
        epoch, sequence = marker.epoch, marker.sequence  # only the PC changes
    _write(DataFolder(data_dir).sync_marker, Marker(device_id, epoch, sequence, machine))


def clear_marker(data_dir: Path) -> None:
    DataFolder(data_dir).sync_marker.unlink(missing_ok=True)


def _home_marker_path(folder: Path, device_id: str) -> Path:
    return folder / "desks" / f"{device_id}.json"


def write_home_marker(folder: Path, store: Store, device_id: str, machine: str | None) -> None:
    """Remember on this PC how far this desk's database has got (best effort)."""
    device = store.device_state()
    try:
        _write(_home_marker_path(folder, device_id),
               Marker(device_id, device["epoch"], device["next_sequence"], machine))
    except OSError:
        pass


def restored_from_backup(store: Store, device_id: str) -> bool:
    """True when the server has acknowledged a sequence this database has not reached yet in
    its current epoch: the file was put back from an older copy. Its next events would reuse
    (epoch, sequence) pairs the server holds with other content."""
    marker = read_marker(store.folder.root)
    if marker is None or marker.device_id != device_id:
        return False
    device = store.device_state()
    return marker.covers(device["epoch"], device["next_sequence"])


def fork_reason(store: Store, device_id: str, folder: Path, machine: str | None) -> str | None:
    """Why this database cannot be the one the server last heard from, if it cannot:
    ``restored`` (it is behind a marker) or ``moved`` (its data folder was last used on
    another PC). Local checks only, made before the network, so they work offline."""
    device = store.device_state()
    here = (device["epoch"], device["next_sequence"])
    if restored_from_backup(store, device_id):
        return "restored"
    home = _read(_home_marker_path(folder, device_id))
    if home is not None and home.device_id == device_id and here < (home.epoch, home.sequence):
        return "restored"
    marker = read_marker(store.folder.root)
    if machine is not None and marker is not None and marker.device_id == device_id \
            and marker.machine is not None and marker.machine != machine:
        return "moved"
    return None
