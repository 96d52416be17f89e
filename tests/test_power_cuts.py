"""Power cuts, not only kills: the desk works on a filesystem that forgets whatever was not
fsynced (``tests/powerfs.py``), and the power goes at a random moment, 200 times.

The crash suite (``tests/test_crash_suite.py``) kills the process, which leaves the operating
system's cache intact. Here the cut drops the cache too, in two ways a real disk can be left
(see ``powerfs``): *strict* (only what was fsynced) and *ordered* (some of the rest as well).
The counter saves dispenses and receipts, enrols (the token file), records acknowledged events
and advances the sync marker, takes backups and restores them (``tests/powercut_workload.py``).
After every cut:

- ``ihms-desk doctor`` finds nothing wrong, and no document is torn;
- every save reported before the cut is there (after a restore: every save the restored
  backup held, and the replaced database's copy holds every save reported before it);
- the sync marker and the token file are as they were before their last reported write, or
  after the one in flight; never missing, empty or half-written; the database's device id and
  the token belong together; the marker is never ahead of the database;
- the newest backup reported is there and sound.
"""

from __future__ import annotations

import json
import math
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ihms_desk import backup, cli
from ihms_desk.paths import DataFolder, fsync_folder, make_folder
from ihms_desk.store import Store, database, schema
from ihms_desk.sync import device
from ihms_desk.sync.worker import SyncConfig, SyncWorker
from ihms_server.store import Store as ServerStore
from ihms_server.store import open_store
from ihms_server.testing import add_facility, run_server
from tests.powerfs import PowerFS
from tests.test_crash_suite import torn_documents

CUTS = 200
#: The most changes (writes, fsyncs, renames...) a counter makes before its power cut.
MOST_CHANGES = 3000
#: What aimed cuts aim at (in the name of a change): the marker's and the token's files, the
#: backups folder (a backup, the replaced copy of a restore), the restored file.
AIMS = ["sync-marker", "device-token", "/backups/", ".restoring"]
HERE = Path(__file__).parent

# -- the filesystem's own model ---------------------------------------------------------------


@pytest.fixture
def disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "old.txt").write_text("old")
    fs = PowerFS(seed, tmp_path / "mnt", tmp_path / "powerfs.log")
    yield fs
    fs.close()


#: fsync of a file or a folder (os.open + os.fsync serves both).
_fsync = fsync_folder


def _child(code: str) -> subprocess.Popen[str]:
    """A process that runs ``code`` once told to go, says ``done``, and waits to be cut off."""
    process = subprocess.Popen([sys.executable, "-c", "import sys, time\nsys.stdin.readline()\n" + code
                                + "\nprint('done', flush=True)\ntime.sleep(60)\n"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return process


def _go(process: subprocess.Popen[str]) -> str:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    said = process.stdout.readline()
    process.kill()
    process.wait()
    process.stdin.close()
    process.stdout.close()
    return said


def test_a_cut_keeps_only_what_was_fsynced(disk: PowerFS) -> None:
    root = disk.mountpoint
    (root / "unsynced.txt").write_text("lost")
    (root / "synced.txt").write_text("kept")
    _fsync(root / "synced.txt")
    (root / "old.txt").write_text("new, not synced")
    (root / "folder").mkdir()
    (root / "folder" / "inside.txt").write_text("entry never synced")
    _fsync(root / "folder" / "inside.txt")
    _fsync(root)  # the root's entries (unsynced.txt, synced.txt, folder), not folder's own

    disk.cut()

    assert sorted(os.listdir(root)) == ["folder", "old.txt", "synced.txt", "unsynced.txt"]
    assert (root / "unsynced.txt").read_bytes() == b""  # its entry was synced, its data not
    assert (root / "synced.txt").read_text() == "kept"
    assert (root / "old.txt").read_text() == "old"
    assert os.listdir(root / "folder") == []


def test_a_rename_into_place_is_lost_without_the_folders_fsync(disk: PowerFS) -> None:
    root = disk.mountpoint
    (root / "old.txt.tmp").write_text("new")
    _fsync(root / "old.txt.tmp")
    os.replace(root / "old.txt.tmp", root / "old.txt")
    assert (root / "old.txt").read_text() == "new"

    disk.cut()
    assert os.listdir(root) == ["old.txt"] and (root / "old.txt").read_text() == "old"

    (root / "old.txt.tmp").write_text("new")
    _fsync(root / "old.txt.tmp")
    os.replace(root / "old.txt.tmp", root / "old.txt")
    _fsync(root)
    disk.cut()
    assert os.listdir(root) == ["old.txt"] and (root / "old.txt").read_text() == "new"


def test_make_folder_makes_each_new_folder_durable(disk: PowerFS) -> None:
    make_folder(disk.mountpoint / "made" / "by" / "make_folder")
    (disk.mountpoint / "plain" / "mkdir").mkdir(parents=True)  # (after: make_folder fsyncs the root)
    disk.cut()
    assert sorted(os.listdir(disk.mountpoint)) == ["made", "old.txt"]
    assert (disk.mountpoint / "made" / "by" / "make_folder").is_dir()


def test_the_armed_cut_kills_the_writer_before_its_nth_change(disk: PowerFS) -> None:
    # The writer creates, writes and fsyncs a file, then fsyncs the folder, ten times over;
    # the kill at the 3rd change (create, write, *fsync*) leaves the file unsynced.
    writer = _child(
        "import os\n"
        "for n in range(10):\n"
        f"    path = {str(disk.mountpoint)!r} + f'/f{{n}}'\n"
        "    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644); os.write(fd, b'data'); os.fsync(fd); os.close(fd)\n"
        f"    d = os.open({str(disk.mountpoint)!r}, os.O_RDONLY); os.fsync(d); os.close(d)\n")
    disk.arm(3, writer.pid, "strict", 0)
    assert _go(writer) == ""  # killed before it was done
    summary = disk.cut()
    assert "killed_at=fsync_/f0" in summary, summary
    assert sorted(os.listdir(disk.mountpoint)) == ["old.txt"]


def _commit(path: Path, synchronous: str, value: int) -> None:
    """Commit ``value`` with ``synchronous`` in a process that the power cut then stops, its
    connection still open (closing would checkpoint, and sync, the WAL)."""
    assert _go(_child("import sqlite3\n"
                      f"conn = sqlite3.connect({str(path)!r})\n"
                      f"conn.execute('PRAGMA synchronous = {synchronous}')\n"
                      f"with conn: conn.execute('INSERT INTO t VALUES ({value})')\n")) == "done\n"


def test_wal_commits_survive_a_cut_with_synchronous_full_and_not_with_normal(disk: PowerFS) -> None:
    path = disk.mountpoint / "t.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    _commit(path, "FULL", 1)
    disk.cut()
    _commit(path, "NORMAL", 2)  # NORMAL syncs the WAL only at checkpoints
    disk.cut()
    conn = sqlite3.connect(path)
    try:
        assert [x for (x,) in conn.execute("SELECT x FROM t ORDER BY x")] == [1]
    finally:
        conn.close()


# -- each write the desk makes durable, cut right after it ----------------------------------------


def desk_on_power_cut_disk(make_store, tmp_path: Path,  # type: ignore[no-untyped-def]
                           prepare: Callable[[Store], object] | None = None) -> PowerFS:
    """A set-up data folder (``data/``: facility, users, the small catalogue; then
    ``prepare(store)``) on the power-cut filesystem, every file of it durable."""
    setup = make_store(user=None, folder="seed/data")
    if prepare is not None:
        prepare(setup)
    setup.close()
    for extra in (tmp_path / "seed").iterdir():
        if extra.name != "data":
            extra.unlink()  # the catalogue's CSV
    return PowerFS(tmp_path / "seed", tmp_path / "disk", tmp_path / "powerfs.log")


@pytest.fixture
def desk_disk(make_store, tmp_path: Path):  # type: ignore[no-untyped-def]
    fs = desk_on_power_cut_disk(make_store, tmp_path)
    yield fs
    fs.close()


def test_the_token_and_the_marker_survive_a_cut_right_after_they_are_written(desk_disk: PowerFS) -> None:
    data_dir = desk_disk.mountpoint / "data"
    device.write_token(data_dir, "tok-1")
    device.advance_marker(data_dir, "dev-1", 1, 5)
    desk_disk.cut()
    assert device.read_token(data_dir) == "tok-1"
    assert device.read_marker(data_dir) == device.Marker("dev-1", 1, 5)
    assert sorted(path.name for path in data_dir.iterdir()) == ["device-token", "ihms-desk.sqlite3", "sync-marker.json"]


def test_a_backup_into_a_new_folder_survives_a_cut(desk_disk: PowerFS) -> None:
    data_dir = desk_disk.mountpoint / "data"
    copy = backup.take_backup(data_dir).copies[0]
    desk_disk.cut()
    assert backup.inspect_backup(copy).facility_code == "RJ-TST-CHC-001"


SAVE_A_RECEIPT = """
from ihms_desk.store import Store
from ihms_desk.store.model import ReceiptLine
store = Store.open({data_dir!r})
store.act_as("incharge")
doc = store.receive(source="ddw", voucher_no="CUT/1", voucher_date=store.today(),
                    lines=[ReceiptLine("D0001", "B1", "2029-06", 100)])
print(doc.number, flush=True)
"""


def test_a_restore_cut_short_before_its_rename_keeps_the_saves_of_the_wal(desk_disk: PowerFS) -> None:
    # A save left in the WAL by a counter that was killed (the power cut of a moment ago),
    # then a restore of an older backup, killed between removing that WAL and renaming the
    # restored file into place: the database that stays must still hold the save.
    data_dir = desk_disk.mountpoint / "data"
    older = backup.take_backup(data_dir).copies[0]
    number = _go(_child(SAVE_A_RECEIPT.format(data_dir=str(data_dir)))).strip()
    assert Path(str(data_dir / "ihms-desk.sqlite3") + "-wal").stat().st_size > 0
    restore = _child(f"from ihms_desk import backup\nbackup.restore_backup({str(data_dir)!r}, {str(older)!r})")
    desk_disk.arm(1, restore.pid, "kill", match="rename_/data/ihms-desk.sqlite3.restoring_")
    assert _go(restore) == ""  # killed before it was done
    desk_disk.cut()
    assert cli.main(["--data-dir", str(data_dir), "doctor"]) == cli.EXIT_OK
    assert _documents_numbered(sqlite3.connect(data_dir / "ihms-desk.sqlite3"), number) == 1


def _documents_numbered(conn: sqlite3.Connection, number: str) -> int:
    """How many documents in ``conn``'s database carry ``number``; the connection is closed after."""
    with closing(conn):
        return int(conn.execute("SELECT count(*) FROM document WHERE number = ?", (number,)).fetchone()[0])


def test_the_replaced_database_is_kept_through_a_cut_after_a_restore(desk_disk: PowerFS) -> None:
    data_dir = desk_disk.mountpoint / "data"
    older = backup.take_backup(data_dir).copies[0]
    number = _go(_child(SAVE_A_RECEIPT.format(data_dir=str(data_dir)))).strip()
    report = backup.restore_backup(data_dir, older)
    desk_disk.cut()
    assert report.replaced_copy is not None
    conn = _open_copy(report.replaced_copy, desk_disk.mountpoint.parent / "replaced")
    assert _documents_numbered(conn, number) == 1


def test_the_copy_before_a_migration_survives_a_cut(disk: PowerFS) -> None:
    # A database one migration behind, in a data folder without backups/ yet: opening it takes
    # a copy into backups/ before migrating, and the migrated file is durable at once; the copy
    # must be too, or a cut leaves the migrated file with no way back.
    data_dir = disk.mountpoint / "data"
    path = DataFolder(data_dir).database
    conn = database.connect(path)
    database.migrate(conn, path, stop_before=schema.migration_names()[-1])
    conn.close()
    disk.sync()
    Store.open(data_dir).close()
    disk.cut()
    copies = list((data_dir / "backups").glob(f"before-{schema.migration_names()[-1]}-*.sqlite3"))
    assert len(copies) == 1


OPEN_THE_STORE = """
from ihms_desk.store import Store
Store.open({data_dir!r}).close()
"""


@pytest.mark.parametrize("first_look", ["doctor", "open"])
def test_a_cut_in_the_first_open_after_a_restore_leaves_a_sound_database(desk_disk: PowerFS, first_look: str) -> None:
    # A restored database is in rollback-journal mode; the first open switches it to WAL in a
    # journal transaction. Cut before its journal is removed, the file is half-written beside
    # a "hot" journal: sound once rolled back, as any writable open does, but a read-only look
    # (doctor, the check at open) took it for damaged and wrote the damage note.
    data_dir = desk_disk.mountpoint / "data"
    older = backup.take_backup(data_dir).copies[0]
    backup.restore_backup(data_dir, older)
    first_open = _child(OPEN_THE_STORE.format(data_dir=str(data_dir)))
    desk_disk.arm(1, first_open.pid, "strict", match="unlink_/data/ihms-desk.sqlite3-journal")
    assert _go(first_open) == ""
    desk_disk.cut()
    assert (data_dir / "ihms-desk.sqlite3-journal").stat().st_size > 0
    if first_look == "open":
        assert _go(_child(OPEN_THE_STORE.format(data_dir=str(data_dir)))) == "done\n"
    assert cli.main(["--data-dir", str(data_dir), "doctor"]) == cli.EXIT_OK
    assert not (data_dir / "ihms-desk.sqlite3.damaged").exists()
    assert _go(_child(OPEN_THE_STORE.format(data_dir=str(data_dir)))) == "done\n"


SERVE_AND_TAKE_A_PUSH = """
import json
from ihms_server.testing import make_event, make_facility_and_enrol, run_server
url = {url!r}
with run_server(url) as base_url:
    desk = make_facility_and_enrol(url, base_url, "CHC-CUT-001")
    events = [make_event(desk, sequence) for sequence in range(1, 6)]
    answer = desk.push(events)
    answer.raise_for_status()
    print(json.dumps({{e["event_id"]: r["status"] for e, r in zip(events, answer.json()["results"])}}), flush=True)
    import time
    time.sleep(60)
"""


def test_the_server_keeps_every_event_it_acknowledged_through_a_power_cut(disk: PowerFS) -> None:
    # The desk marks an acknowledged event sent and never sends it again: the server's
    # acknowledgement must be durable (SQLite's WAL with synchronous=FULL, not NORMAL).
    url = f"sqlite:///{disk.mountpoint / 'server.sqlite3'}"
    acknowledged = json.loads(_go(_child(SERVE_AND_TAKE_A_PUSH.format(url=url))))
    assert set(acknowledged.values()) == {"applied"} and len(acknowledged) == 5
    disk.cut()
    store = open_store(url, migrate=False)
    try:
        with store._read() as cur:  # noqa: SLF001 - what the database really holds
            cur.execute("SELECT event_id FROM event")
            held = {row[0] for row in cur.fetchall()}
    finally:
        store.close()
    assert held == set(acknowledged)


# -- the desk under power cuts ----------------------------------------------------------------


@dataclass
class Expected:
    """What the reports say must have survived, kept across runs."""

    saves: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # key -> (kind, lines, total)
    #: name -> (the keys it holds at least, its device id): the token file is not in a backup,
    #: so a restore brings back the database's device id of its day, not the token.
    backups: dict[str, tuple[set[str], str | None]] = field(default_factory=dict)
    newest_backup: str | None = None
    #: The token file's bytes, and the database's device id (they go together but for a cut
    #: between the two writes of an enrolment).
    token: bytes | None = None
    token_device: str | None = None
    marker: tuple[str, int, int] | None = None


def _keys(conn: sqlite3.Connection) -> dict[str, tuple[str, int, int]]:
    """Every document of the workload by its key: (kind, lines, total)."""
    found = {}
    for kind, header_text, lines, total in conn.execute(
            "SELECT d.kind, d.header, count(*), sum(l.qty) FROM document d "
            "JOIN document_line l ON l.document_id = d.id GROUP BY d.id"):
        header = json.loads(header_text)
        reference = header.get("opd_no", header.get("voucher_no", ""))
        if reference.startswith(("OPD/", "CUT/")):
            found[reference.split("/", 1)[1]] = (kind, int(lines), int(total))
    return found


def _open_copy(database: Path, into: Path) -> sqlite3.Connection:
    """A database copied (with its WAL) to the real disk, so reading it changes nothing on the
    cut filesystem."""
    into.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(str(database) + suffix)
        if source.exists():
            shutil.copyfile(source, into / (database.name + suffix))
    return sqlite3.connect(into / database.name)


def _read_reports(report: Path) -> list[list[str]]:
    text = report.read_text() if report.exists() else ""
    return [line.split() for line in text.split("\n")[:-1] if line != "READY"]


class Checker:
    """Reads a run's report into :class:`Expected` and checks the data folder after its cut."""

    def __init__(self, data_dir: Path, scratch: Path, server: ServerStore | None = None,
                 machine_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self.scratch = scratch
        #: The state server's database (not on the cut disk), when the counter syncs, and this
        #: PC's own folder (the home markers; on the cut disk).
        self.server = server
        self.machine_dir = machine_dir
        self.counts: dict[str, int] = {}
        # Where the data folder starts (every file of it durable).
        token, marker = data_dir / "device-token", device.read_marker(data_dir)
        self.expected = Expected(token=token.read_bytes() if token.exists() else None,
                                 token_device=self._database()[1],
                                 marker=(marker.device_id, marker.epoch, marker.sequence) if marker else None)

    def _database(self) -> tuple[dict[str, tuple[str, int, int]], str | None, int, int, set[str]]:
        """The workload's documents by key, the device id, epoch and next sequence, and the
        ids of the events marked sent."""
        conn = sqlite3.connect(self.data_dir / "ihms-desk.sqlite3")
        try:
            assert torn_documents(conn) == []
            device_id = conn.execute("SELECT device_id FROM sync_state WHERE id = 1").fetchone()[0]
            epoch, next_sequence = conn.execute("SELECT epoch, next_sequence FROM device WHERE id = 1").fetchone()
            sent = {event_id for (event_id,) in conn.execute("SELECT event_id FROM outbox WHERE status = 'sent'")}
            return _keys(conn), device_id, epoch, next_sequence, sent
        finally:
            conn.close()

    def after_cut(self, cut: int, report: list[list[str]]) -> None:
        ex = self.expected
        token_begun = marker_begun = restore_begun = None
        syncing = False
        replaced: tuple[Path, dict[str, tuple[str, int, int]]] | None = None
        for words in report:
            what = words[0]
            self.counts[what] = self.counts.get(what, 0) + 1
            if what == "SAVE":
                kind, number, key, lines, total = words[1:]
                assert key not in ex.saves, f"{key} reported twice"
                ex.saves[key] = (kind, int(lines), int(total))
            elif what == "TOKEN-BEGIN":
                token_begun = words[1]
            elif what == "TOKEN":
                ex.token, ex.token_device = f"tok-{words[1]}\n".encode(), f"dev-{words[1]}"
                token_begun = None
            elif what == "MARKER-BEGIN":
                marker_begun = (words[1], int(words[2]), int(words[3]))
            elif what == "MARKER":
                ex.marker, marker_begun = (words[1], int(words[2]), int(words[3])), None
            elif what == "SYNC-BEGIN":
                syncing = True
            elif what == "SYNC":
                assert words[4:] == ["-"], f"cut {cut}: a sync pass failed: {' '.join(words[4:])}"
                ex.marker = (words[1], int(words[2]), int(words[3])) if words[1] != "-" else ex.marker
                syncing = False
            elif what == "BACKUP":
                ex.backups[words[1]] = (set(ex.saves), ex.token_device)
                ex.newest_backup = words[1]
            elif what == "RESTORE-BEGIN":
                restore_begun = words[1]
            elif what == "RESTORE":
                name, copy = words[1], Path(words[2])
                replaced = (copy, dict(ex.saves))
                held, ex.token_device = ex.backups[name]
                ex.saves = {key: value for key, value in ex.saves.items() if key in held}
                restore_begun = None

        assert cli.main(["--data-dir", str(self.data_dir), "doctor"]) == cli.EXIT_OK, f"doctor failed after cut {cut}"
        found, device_id, epoch, next_sequence, sent = self._database()

        missing = [key for key in ex.saves if key not in found]
        if missing and restore_begun is not None:
            # The cut came during a restore, which may have gone through: then the database
            # is the backup's, with every save the backup held.
            held, _ = ex.backups[restore_begun]
            assert all(key in found for key in held), f"cut {cut}: neither the database nor the backup restored"
            ex.saves = {key: value for key, value in ex.saves.items() if key in held}
            missing = []
            self.counts["restore cut and done"] = self.counts.get("restore cut and done", 0) + 1
        assert missing == [], f"cut {cut}: reported as saved but not in the database: {missing[:5]}"
        wrong = [(key, found[key], value) for key, value in ex.saves.items() if found[key] != value]
        assert wrong == [], f"cut {cut}: saved otherwise than reported: {wrong[:3]}"

        # The token file: the last one reported, or the one being written, whole; the
        # database's device id is the last reported or the new one, and the new one only
        # with its token (enrolment writes the token first).
        path = self.data_dir / "device-token"
        raw = path.read_bytes() if path.exists() else None
        tokens = {ex.token, f"tok-{token_begun}\n".encode() if token_begun else ex.token}
        devices = {ex.token_device, f"dev-{token_begun}" if token_begun else ex.token_device,
                   ex.backups[restore_begun][1] if restore_begun else ex.token_device}
        assert raw in tokens, f"cut {cut}: token file {raw!r}, expected one of {tokens}"
        assert device_id in devices, f"cut {cut}: device id {device_id}, expected one of {devices}"
        if token_begun is not None and device_id == f"dev-{token_begun}":
            assert raw == f"tok-{token_begun}\n".encode(), f"cut {cut}: the device id was saved, its token lost"
        ex.token, ex.token_device = raw, device_id

        # The marker: parsable, the last one reported or the one being written; never ahead
        # of the database (that would make it look restored from a backup).
        marker = device.read_marker(self.data_dir)
        if ex.marker is None and marker_begun is None and not syncing:
            assert not (self.data_dir / "sync-marker.json").exists(), f"cut {cut}: a marker nobody wrote"
        else:
            assert marker is not None, (
                f"cut {cut}: the marker is unreadable: {(self.data_dir / 'sync-marker.json').read_bytes()[:200]!r}"
                if (self.data_dir / "sync-marker.json").exists() else f"cut {cut}: the marker is gone")
            seen = (marker.device_id, marker.epoch, marker.sequence)
            # A sync pass cut in the middle may have moved it on by any number of batches.
            assert syncing or seen in {ex.marker, marker_begun}, (
                f"cut {cut}: marker {seen}, expected {ex.marker} or {marker_begun}")
            ex.marker = seen
            if marker.device_id == device_id:
                assert not marker.covers(epoch, next_sequence), f"cut {cut}: the marker is ahead of the database"

        # The server holds every event the desk marked sent (it marks one only once the
        # server has acknowledged it).
        if self.server is not None:
            with self.server._read() as cur:  # noqa: SLF001 - what the database really holds
                cur.execute("SELECT event_id FROM event")
                held = {row[0] for row in cur.fetchall()}
            assert sent <= held, f"cut {cut}: marked sent but not on the server: {sorted(sent - held)[:3]}"
        if self.machine_dir is not None:
            for home in (self.machine_dir / "desks").glob("*.json"):
                assert json.loads(home.read_text())["epoch"] >= 1, f"cut {cut}: home marker {home.read_bytes()!r}"
            machine = self.machine_dir / device.MACHINE_ID_FILE
            assert not machine.exists() or machine.read_text().strip(), f"cut {cut}: the PC's id is empty"

        # Backups: the newest reported is there and sound; a restore's replaced copy holds
        # every save reported before the restore.
        if ex.newest_backup is not None:
            newest = backup.backup_dir(self.data_dir) / ex.newest_backup
            backup.inspect_backup(newest)
        if replaced is not None:
            copy, before = replaced
            assert copy.exists(), f"cut {cut}: the replaced database's copy {copy.name} is gone"
            conn = _open_copy(copy, self.scratch / f"replaced-{cut}")
            try:
                kept = _keys(conn)
            finally:
                conn.close()
            lost = [key for key in before if key not in kept]
            assert lost == [], f"cut {cut}: the replaced database's copy lacks {lost[:5]}"


@dataclass
class CutRuns:
    """What a series of cuts did, for its figures."""

    modes: dict[str, int] = field(default_factory=dict)
    killed_by_timer: int = 0
    summaries: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_cuts(disk: PowerFS, checker: Checker, tmp_path: Path, cuts: int, *, seed: int,
             workload: list[str], aims: list[str], env: dict[str, str] | None = None) -> CutRuns:
    """Fork a counter of ``tests/powercut_workload.py`` (``workload``: its arguments after
    the data folder and the reports folder), cut its power at a random moment, check the
    folder with ``checker``, ``cuts`` times over."""
    data_dir = checker.data_dir
    reports = tmp_path / "reports"
    reports.mkdir()
    rng = random.Random(seed)
    runs = CutRuns()
    started = time.monotonic()
    errors = tmp_path / "zygote-stderr.txt"
    with errors.open("w") as stderr:
        zygote = subprocess.Popen(
            [sys.executable, str(HERE / "powercut_workload.py"), str(data_dir), str(reports), *workload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, env={**os.environ, **(env or {})})
    assert zygote.stdin is not None and zygote.stdout is not None
    try:
        for cut in range(cuts):
            zygote.stdin.write(f"{cut}\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            mode = rng.choice(["strict", "ordered"])
            # A cut may land while the counter starts (opening the file, recovering the WAL
            # of the last cut) or anywhere in its work: a save is about ten changes, a restore
            # a few hundred. Log-uniform, so short runs and long ones both come. A quarter of
            # the cuts aim at the few changes of one kind of step (writing the marker takes
            # six of some hundreds), so each is cut in the middle too.
            aim = rng.choice(aims) if rng.random() < 0.25 else ""
            at = rng.randint(1, 8) if aim else int(math.exp(rng.uniform(0, math.log(MOST_CHANGES))))
            disk.arm(at, pid, mode, rng.randrange(1 << 30), aim)
            ready, _, _ = select.select([zygote.stdout], [], [], 10 if aim else 30)
            if not ready:  # no such step came (or the counter is stuck): cut by the clock
                runs.killed_by_timer += 1
                os.kill(pid, signal.SIGKILL)
            status = int(zygote.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"run {cut} ended by itself: {errors.read_text()[-3000:]}")
            runs.summaries.append(disk.cut())
            runs.modes[mode] = runs.modes.get(mode, 0) + 1
            report = _read_reports(reports / f"run-{cut}.txt")
            try:
                checker.after_cut(cut, report)
            except Exception:
                print("\n".join(runs.summaries[-3:]), report[-5:])
                raise
            if cut % 50 == 49:
                doctor = subprocess.run([sys.executable, "-m", "ihms_desk", "--data-dir", str(data_dir), "doctor"],
                                        capture_output=True, text=True, timeout=120)
                assert doctor.returncode == 0 and doctor.stdout.startswith("OK:"), doctor.stdout + doctor.stderr
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
        zygote.stdout.close()
    runs.seconds = time.monotonic() - started
    print(f"{cuts} cuts {runs.modes}, {runs.killed_by_timer} by the clock; reported: {checker.counts}; "
          f"{runs.seconds:.0f} s")
    print("\n".join(runs.summaries[-20:]))
    assert runs.killed_by_timer < cuts // 10
    return runs


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_200_power_cuts_lose_nothing_that_was_reported(make_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    disk = desk_on_power_cut_disk(make_store, tmp_path)
    try:
        checker = Checker(disk.mountpoint / "data", tmp_path / "scratch")
        run_cuts(disk, checker, tmp_path, CUTS, seed=11, workload=[], aims=AIMS)
    finally:
        disk.close()
    counts = checker.counts
    assert counts.get("SAVE", 0) > CUTS and counts.get("TOKEN", 0) >= 5 and counts.get("MARKER", 0) >= 10
    assert counts.get("BACKUP", 0) >= 5 and counts.get("RESTORE", 0) >= 2
    # Cuts in the middle of each kind of step, not only between them.
    for step in ("TOKEN", "MARKER", "BACKUP", "RESTORE"):
        assert counts.get(f"{step}-BEGIN", 0) > counts.get(step, 0), f"no cut came during a {step.lower()}"


SYNC_CUTS = 60
#: Aimed cuts of the syncing counter: the markers the sync worker writes, backups, restores.
SYNC_AIMS = ["sync-marker", "/pc/desks/", "/backups/", ".restoring"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_60_power_cuts_while_syncing_lose_nothing(make_store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # The counter syncs for real with a state server (on the real disk: its own power is not
    # cut): the sync worker writes the marker and this PC's home marker, marks acknowledged
    # events sent, and after a restore starts a fresh epoch and sends the restored events again.
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    with run_server(url) as base_url:
        server = open_store(url, migrate=False)
        try:
            add_facility(server, "RJ-TST-CHC-001")
            code = server.create_enrolment_code("RJ-TST-CHC-001")
            disk = desk_on_power_cut_disk(make_store, tmp_path, lambda store: device.enrol(store, base_url, code))
            machine_dir = disk.mountpoint / "pc"
            monkeypatch.setenv(device.MACHINE_DIR_ENV, str(machine_dir))
            try:
                data_dir = disk.mountpoint / "data"
                checker = Checker(data_dir, tmp_path / "scratch", server, machine_dir)
                run_cuts(disk, checker, tmp_path, SYNC_CUTS, seed=12, workload=["sync"], aims=SYNC_AIMS)
                # Once the power stays on, one pass delivers everything the database holds.
                outcome = SyncWorker(data_dir, SyncConfig(connect_timeout=5.0)).sync_once()
                assert outcome.complete, outcome.error
                assert len(list((machine_dir / "desks").glob("*.json"))) == 1  # the home marker was written
                conn = sqlite3.connect(data_dir / "ihms-desk.sqlite3")
                try:
                    numbers = {number for (number,) in conn.execute("SELECT number FROM document")}
                finally:
                    conn.close()
            finally:
                disk.close()
            with server._read() as cur:  # noqa: SLF001 - what the database really holds
                cur.execute("SELECT doc_number FROM event")
                on_server = {row[0] for row in cur.fetchall()}
        finally:
            server.close()
    assert numbers <= on_server, sorted(numbers - on_server)[:5]
    counts = checker.counts
    assert counts.get("SYNC", 0) >= 20 and counts.get("SYNC-BEGIN", 0) > counts.get("SYNC", 0)
    assert counts.get("RESTORE", 0) >= 1
