"""How a desk tells, before any network, that its database came back from an older copy or its
data folder moved to another PC (ihms_desk/sync/device.py): real files, no server."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from ihms_desk.store import Store
from ihms_desk.sync.device import (
    advance_marker,
    fork_reason,
    machine_id,
    read_marker,
    write_home_marker,
)

DEVICE = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


def test_this_pc_has_one_id_and_none_when_its_folder_cannot_be_written(tmp_path: Path) -> None:
    first = machine_id(tmp_path / "pc")
    assert first and machine_id(tmp_path / "pc") == first
    assert machine_id(tmp_path / "other-pc") != first
    if os.name == "posix" and os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        assert machine_id(locked) is None


def test_a_database_behind_its_folder_marker_is_restored(store: Store, tmp_path: Path) -> None:
    data_dir = store.path.parent
    assert fork_reason(store, DEVICE, tmp_path / "pc", "PC-1") is None
    advance_marker(data_dir, DEVICE, 1, 1, "PC-1")  # the server acknowledged sequence 1
    assert fork_reason(store, DEVICE, tmp_path / "pc", "PC-1") == "restored"  # next sequence is still 1
    assert fork_reason(store, "another-device", tmp_path / "pc", "PC-1") is None


def test_a_whole_folder_put_back_is_seen_by_this_pcs_own_marker(store: Store, tmp_path: Path) -> None:
    pc = tmp_path / "pc"
    copy = tmp_path / "copy"
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(store.path.parent, copy)
    store.conn.execute("UPDATE device SET next_sequence = 40")  # as 39 saves would
    store.conn.commit()
    write_home_marker(pc, store, DEVICE, "PC-1")
    assert fork_reason(store, DEVICE, pc, "PC-1") is None
    with Store.open(copy) as put_back:
        assert fork_reason(put_back, DEVICE, pc, "PC-1") == "restored"
        put_back.start_new_epoch(reason="restored")  # a fresh epoch is ahead of the marker
        assert fork_reason(put_back, DEVICE, pc, "PC-1") is None


def test_a_folder_last_used_on_another_pc_has_moved(store: Store, tmp_path: Path) -> None:
    data_dir = store.path.parent
    advance_marker(data_dir, DEVICE, 0, 0, "PC-1")
    assert fork_reason(store, DEVICE, tmp_path / "pc2", "PC-2") == "moved"
    assert fork_reason(store, DEVICE, tmp_path / "pc2", None) is None  # no id of its own: no claim either way
    advance_marker(data_dir, DEVICE, 0, 0, "PC-2")  # the second PC took note; the mark stays
    assert read_marker(data_dir).machine == "PC-2"
    assert fork_reason(store, DEVICE, tmp_path / "pc2", "PC-2") is None
    # A marker an earlier version wrote names no PC: trusted, and taken over.
    (data_dir / "sync-marker.json").write_text('{"device_id": "%s", "epoch": 1, "sequence": 0}' % DEVICE)
    assert fork_reason(store, DEVICE, tmp_path / "pc2", "PC-2") is None
