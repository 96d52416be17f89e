"""A FUSE filesystem that forgets, at a simulated power cut, every write that was not made
durable: the disk of a PC whose power goes while the counter saves.

Killing a process (``tests/test_crash_suite.py``) leaves the operating system's file cache
intact, so it never shows what a power cut loses. Here every write is kept in memory, and
only ``fsync`` makes it durable:

- **file data** (write, truncate) is durable once the file itself is fsynced (``fsync`` or
  ``fdatasync`` of any descriptor of it);
- **directory entries** (create, mkdir, unlink, rmdir, rename) are durable once the directory
  is fsynced: a new file fsynced but its folder not is gone after the cut, and so is a rename
  into place. That is what POSIX promises and what ext4 (``data=writeback``, or a rename that
  ``auto_da_alloc`` does not catch), XFS and NTFS can do;
- a **cut** unmounts the filesystem (the kernel's cache goes with it) and puts back the durable
  state. In the *strict* cut nothing that was not fsynced survives. In the *ordered* cut some
  of it does, as a disk that had written part of its cache back: for each folder, the first
  few of its changes since its last fsync, in the order they were made (a journal replays a
  prefix), and for each file, any subset of its writes since its last fsync (dirty pages go
  back in any order). Either kind of cut is a state a real disk can be left in.

The program must come back from either to a sound database with every save it reported, and
to each small file (sync marker, token) as it was before its last write or after it, never
empty or half-written.

The filesystem runs in a process of its own (``python tests/powerfs.py SEED MOUNTPOINT``), as
one libfuse loop (through mfusepy), and is driven by lines on its standard input:

``arm N PID MODE SEED [MATCH]``
    at the N-th changing operation from now (write, truncate, create, mkdir, unlink, rmdir,
    rename, fsync, chmod; with MATCH, the N-th whose description, such as
    ``rename_/data/a.tmp_/data/a``, contains MATCH), kill PID before the operation takes
    effect, and make the next cut a MODE cut drawn with SEED; answers ``armed``. MODE is
    ``strict``, ``ordered``, or ``kill``: everything done before the kill is kept, as after a
    plain kill (the cache survives), for tests that aim at one moment.
``sync``
    make everything durable, as ``sync(1)`` would; answers ``synced``.
``quit``
    end after the next unmount.

Each mount prints ``mounted``; each unmount (``fusermount3 -u``, done by :class:`PowerFS`)
applies the cut and prints ``cut`` with what it did, then mounts again unless told to quit.
The first mount starts from the files of the SEED folder, all of them durable.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mfusepy


@dataclass(eq=False)
class Node:
    """A file or a folder: what the running system sees, and what survives a cut."""

    ino: int
    mode: int
    #: A file's contents as read and written, and as of its last fsync.
    data: bytearray = field(default_factory=bytearray)
    durable: bytes = b""
    #: A folder's entries as seen, and as of its last fsync.
    entries: dict[str, Node] = field(default_factory=dict)
    durable_entries: dict[str, Node] = field(default_factory=dict)
    #: What changed since the last fsync, in order: ("w", offset, bytes) / ("t", size) for a
    #: file, (name, node or None) for a folder. An ordered cut keeps part of it.
    pending: list[tuple[Any, ...]] = field(default_factory=list)
    mtime_ns: int = field(default_factory=time.time_ns)

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)


def _apply_file(data: bytearray, change: tuple[Any, ...]) -> None:
    if change[0] == "w":
        _, offset, chunk = change
        if len(data) < offset:
            data.extend(bytes(offset - len(data)))
        data[offset:offset + len(chunk)] = chunk
    else:
        del data[change[1]:]
        data.extend(bytes(change[1] - len(data)))


class PowerCutFS(mfusepy.Operations):
    """The filesystem: every operation is served from memory under one lock."""

    use_ns = True

    def __init__(self, seed: Path) -> None:
        self._mutex = threading.Lock()
        self._next_ino = 1
        self.root = self._new(stat.S_IFDIR | 0o755)
        self._load(seed, self.root)
        self.handles: dict[int, Node] = {}
        self._next_fh = 1
        #: Changing operations since the last ``arm``, and the kill it armed.
        self.changes = 0
        self.kill_at: int | None = None
        self.kill_pid = 0
        self.kill_match = ""
        self.killed_at = ""
        self.cut_mode = "strict"
        self.cut_seed = 0
        self.quitting = False

    # -- the model ------------------------------------------------------------------------

    def _new(self, mode: int) -> Node:
        node = Node(self._next_ino, mode)
        self._next_ino += 1
        return node

    def _load(self, folder: Path, into: Node) -> None:
        for path in sorted(folder.iterdir()):
            if path.is_dir():
                child = self._new(stat.S_IFDIR | 0o755)
                self._load(path, child)
            else:
                child = self._new(stat.S_IFREG | (path.stat().st_mode & 0o777))
                child.data = bytearray(path.read_bytes())
                child.durable = bytes(child.data)
            into.entries[path.name] = into.durable_entries[path.name] = child

    def cut(self) -> str:
        """Put back what a disk holds after the power went: the durable state, plus (ordered
        cut) part of what was still in the cache. Returns a summary for the log."""
        rng = random.Random(self.cut_seed) if self.cut_mode == "ordered" else None
        keep_all = self.cut_mode == "kill"
        lost_files = lost_entries = kept = 0
        seen: set[int] = set()
        todo = [self.root]
        while todo:
            node = todo.pop()
            if node.ino in seen:
                continue
            seen.add(node.ino)
            if node.is_dir:
                entries = dict(node.durable_entries)
                take = len(node.pending) if keep_all else rng.randint(0, len(node.pending)) if rng else 0
                for name, child in node.pending[:take]:
                    if child is None:
                        entries.pop(name, None)
                    else:
                        entries[name] = child
                kept += take
                lost_entries += len(node.pending) - take
                node.entries, node.durable_entries = entries, dict(entries)
                todo.extend(entries.values())
            else:
                data = bytearray(node.durable)
                for change in node.pending:
                    if keep_all or (rng is not None and rng.random() < 0.5):
                        _apply_file(data, change)
                        kept += 1
                lost_files += bool(node.pending) and data != node.data
                node.data, node.durable = data, bytes(data)
            node.pending = []
        self.handles.clear()
        summary = (f"cut {self.cut_mode} killed_at={self.killed_at or '-'} changes={self.changes} "
                   f"files_changed={lost_files} entries_lost={lost_entries} kept={kept}")
        self.changes, self.kill_at, self.killed_at, self.cut_mode, self.kill_match = 0, None, "", "strict", ""
        return summary

    def sync(self) -> None:
        """Everything written so far becomes durable (a test's starting point)."""
        with self._mutex:
            todo = [self.root]
            while todo:
                node = todo.pop()
                node.durable, node.durable_entries, node.pending = bytes(node.data), dict(node.entries), []
                todo.extend(node.entries.values())

    def arm(self, at: int, pid: int, mode: str, seed: int, match: str = "") -> None:
        with self._mutex:
            self.changes, self.kill_at, self.kill_pid, self.kill_match = 0, at, pid, match
            self.cut_mode, self.cut_seed = mode, seed

    def _changing(self, what: str) -> None:
        """Count a changing operation; at the armed one, the power goes before it is done."""
        what = what.replace(" ", "_")
        if self.kill_match not in what:
            return
        self.changes += 1
        if self.kill_at is not None and self.changes >= self.kill_at:
            self.kill_at = None
            self.killed_at = what
            try:
                os.kill(self.kill_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            raise mfusepy.FuseOSError(errno.EIO)

    def _lookup(self, path: str) -> Node:
        node = self.root
        for part in path.strip("/").split("/"):
            if part:
                if not node.is_dir:
                    raise mfusepy.FuseOSError(errno.ENOTDIR)
                found = node.entries.get(part)
                if found is None:
                    raise mfusepy.FuseOSError(errno.ENOENT)
                node = found
        return node

    def _parent(self, path: str) -> tuple[Node, str]:
        head, _, name = path.rstrip("/").rpartition("/")
        parent = self._lookup(head or "/")
        if not parent.is_dir:
            raise mfusepy.FuseOSError(errno.ENOTDIR)
        return parent, name

    @staticmethod
    def _set_entry(folder: Node, name: str, child: Node | None) -> None:
        if child is None:
            del folder.entries[name]
        else:
            folder.entries[name] = child
        folder.pending.append((name, child))
        folder.mtime_ns = time.time_ns()

    def _node(self, path: str | None, fh: int | None) -> Node:
        if fh:
            found = self.handles.get(fh)
            if found is not None:
                return found
        if path is None:
            raise mfusepy.FuseOSError(errno.EBADF)
        return self._lookup(path)

    def _handle(self, node: Node) -> int:
        fh = self._next_fh
        self._next_fh += 1
        self.handles[fh] = node
        return fh

    # -- the operations ---------------------------------------------------------------------

    def init(self, path: str) -> None:
        print("mounted", flush=True)

    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        with self._mutex:
            node = self._node(path, fh)
            return {
                "st_mode": node.mode, "st_ino": node.ino, "st_nlink": 2 if node.is_dir else 1,
                "st_size": len(node.data), "st_uid": os.getuid(), "st_gid": os.getgid(),
                "st_atime": node.mtime_ns, "st_mtime": node.mtime_ns, "st_ctime": node.mtime_ns,
            }

    def readdir(self, path: str, fh: int) -> list[tuple[str, dict[str, int], int]]:
        # With use_ino an entry needs its inode number (0 would hide it from readdir(3)).
        with self._mutex:
            folder = self._lookup(path)
            return [(".", {"st_mode": folder.mode, "st_ino": folder.ino}, 0), ("..", {"st_mode": stat.S_IFDIR}, 0)] + [
                (name, {"st_mode": node.mode, "st_ino": node.ino}, 0) for name, node in folder.entries.items()]

    def statfs(self, path: str) -> dict[str, int]:
        return {"f_bsize": 4096, "f_frsize": 4096, "f_blocks": 1 << 20, "f_bfree": 1 << 19,
                "f_bavail": 1 << 19, "f_files": 1 << 16, "f_ffree": 1 << 15, "f_namemax": 255}

    def create(self, path: str, mode: int, fi: Any = None) -> int:
        with self._mutex:
            parent, name = self._parent(path)
            self._changing(f"create {path}")
            node = parent.entries.get(name)
            if node is None:
                node = self._new(stat.S_IFREG | (mode & 0o7777))
                self._set_entry(parent, name, node)
            return self._handle(node)

    def open(self, path: str, flags: int) -> int:
        with self._mutex:
            return self._handle(self._lookup(path))

    def opendir(self, path: str) -> int:
        with self._mutex:
            return self._handle(self._lookup(path))

    def release(self, path: str, fh: int) -> int:
        with self._mutex:
            self.handles.pop(fh, None)
        return 0

    releasedir = release

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        with self._mutex:
            return bytes(self._node(path, fh).data[offset:offset + size])

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        with self._mutex:
            node = self._node(path, fh)
            self._changing(f"write {path} @{offset}+{len(data)}")
            change = ("w", offset, bytes(data))
            _apply_file(node.data, change)
            node.pending.append(change)
            node.mtime_ns = time.time_ns()
            return len(data)

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        with self._mutex:
            node = self._node(path, fh)
            self._changing(f"truncate {path} {length}")
            change = ("t", length)
            _apply_file(node.data, change)
            node.pending.append(change)
            node.mtime_ns = time.time_ns()
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        with self._mutex:
            node = self._node(path, fh)
            self._changing(f"fsync {path}")
            node.durable, node.pending = bytes(node.data), []
        return 0

    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        with self._mutex:
            node = self._node(path, fh)
            self._changing(f"fsyncdir {path}")
            node.durable_entries, node.pending = dict(node.entries), []
        return 0

    def flush(self, path: str, fh: int) -> int:
        return 0

    def mkdir(self, path: str, mode: int) -> int:
        with self._mutex:
            parent, name = self._parent(path)
            if name in parent.entries:
                raise mfusepy.FuseOSError(errno.EEXIST)
            self._changing(f"mkdir {path}")
            self._set_entry(parent, name, self._new(stat.S_IFDIR | (mode & 0o7777)))
        return 0

    def unlink(self, path: str) -> int:
        with self._mutex:
            parent, name = self._parent(path)
            if name not in parent.entries:
                raise mfusepy.FuseOSError(errno.ENOENT)
            self._changing(f"unlink {path}")
            self._set_entry(parent, name, None)
        return 0

    def rmdir(self, path: str) -> int:
        with self._mutex:
            parent, name = self._parent(path)
            node = parent.entries.get(name)
            if node is None:
                raise mfusepy.FuseOSError(errno.ENOENT)
            if node.entries:
                raise mfusepy.FuseOSError(errno.ENOTEMPTY)
            self._changing(f"rmdir {path}")
            self._set_entry(parent, name, None)
        return 0

    def rename(self, old: str, new: str) -> int:
        with self._mutex:
            old_parent, old_name = self._parent(old)
            new_parent, new_name = self._parent(new)
            node = old_parent.entries.get(old_name)
            if node is None:
                raise mfusepy.FuseOSError(errno.ENOENT)
            self._changing(f"rename {old} {new}")
            self._set_entry(old_parent, old_name, None)
            self._set_entry(new_parent, new_name, node)
        return 0

    def chmod(self, path: str, mode: int) -> int:
        with self._mutex:
            node = self._lookup(path)
            self._changing(f"chmod {path}")
            node.mode = (node.mode & ~0o7777) | (mode & 0o7777)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        with self._mutex:
            self._lookup(path).mtime_ns = times[1] if times else time.time_ns()
        return 0


def serve(seed: Path, mountpoint: Path) -> None:
    """Mount, and after each unmount apply the cut and mount again, until told to quit."""
    fs = PowerCutFS(seed)

    def control() -> None:
        for line in sys.stdin:
            words = line.split()
            if words[:1] == ["arm"]:
                fs.arm(int(words[1]), int(words[2]), words[3], int(words[4]), " ".join(words[5:]))
                print("armed", flush=True)
            elif words[:1] == ["sync"]:
                fs.sync()
                print("synced", flush=True)
            elif words[:1] == ["quit"]:
                fs.quitting = True
                print("quitting", flush=True)
        fs.quitting = True

    threading.Thread(target=control, daemon=True).start()
    while True:
        # One thread: operations run one at a time, in the order the kernel sends them, so a
        # kill at the N-th operation stops the counter exactly there. hard_remove: a file
        # unlinked while open simply goes (no .fuse_hidden files to account for); use_ino:
        # SQLite tells files apart by their inode numbers.
        mfusepy.FUSE(fs, str(mountpoint), foreground=True, nothreads=True, hard_remove=True, use_ino=True,
                     fsname="powercut", default_permissions=True)
        with fs._mutex:
            print(fs.cut(), flush=True)
        if fs.quitting:
            return


class PowerFS:
    """The test's handle on a running :func:`serve`: arm a cut, cut, close."""

    def __init__(self, seed: Path, mountpoint: Path, log: Path) -> None:
        self.mountpoint = mountpoint
        mountpoint.mkdir(parents=True, exist_ok=True)
        self._log = log.open("w")
        self.process = subprocess.Popen([sys.executable, __file__, str(seed), str(mountpoint)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True)
        self._expect("mounted")

    def _expect(self, word: str) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith(word):
            self._log.flush()
            raise RuntimeError(f"powerfs said {line!r}, not {word!r}: "
                               f"{Path(self._log.name).read_text()[-3000:]}")
        return line.strip()

    def _say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def arm(self, at: int, pid: int, mode: str, seed: int = 0, match: str = "") -> None:
        """Kill ``pid`` at the ``at``-th changing operation from now (whose description contains
        ``match``); the next cut is ``mode``."""
        self._say(f"arm {at} {pid} {mode} {seed} {match}".rstrip())
        self._expect("armed")

    def sync(self) -> None:
        """Make everything written so far durable."""
        self._say("sync")
        self._expect("synced")

    def _unmount(self) -> None:
        for attempt in range(50):
            done = subprocess.run(["fusermount3", "-u", str(self.mountpoint)], capture_output=True, text=True)
            if done.returncode == 0:
                return
            # A process that just died may still hold a file for a moment.
            time.sleep(0.05)
        raise RuntimeError(f"cannot unmount {self.mountpoint}: {done.stderr}")

    def cut(self) -> str:
        """The power goes: whatever was not durable is gone, and the disk is mounted again.
        Every process using the mount must have ended (or it keeps the mount busy)."""
        self._unmount()
        summary = self._expect("cut")
        self._expect("mounted")
        return summary

    def close(self) -> None:
        if self.process.poll() is None:
            self._say("quit")
            self._expect("quitting")
            self._unmount()
            self.process.wait(timeout=30)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self._log.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))
