"""Power-cut safety: a process saving documents is killed (SIGKILL) at random moments, again and
again; after each kill nothing is half there and everything it reported as saved is there."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from ledger_checks import check_invariants

from ihms_desk.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 50


def test_sigkill_at_random_moments_loses_nothing_reported_and_leaves_nothing_half_saved(make_store) -> None:  # type: ignore[no-untyped-def]
    # The writer runs on the real clock (it is another process), so the store it opens is set up
    # here with a catalogue and no stock; its own receipts supply what it dispenses.
    store = make_store(user=None)
    data_dir = store.path.parent
    store.close()
    rng = random.Random(20261125)
    reported: list[str] = []
    killed_mid_run = 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path.cwd()), os.environ.get("PYTHONPATH")]))}
    for attempt in range(KILLS):
        writer = subprocess.Popen([sys.executable, str(WRITER), str(data_dir), str(attempt)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert writer.stdout is not None
        if attempt % 5 == 4:
            # Now and then kill it at any moment from its start: while it imports, opens the
            # file, recovers the previous kill's WAL, or saves its first documents.
            first = b""
            time.sleep(rng.uniform(0, 1.5))
        else:
            first = writer.stdout.readline()  # the writer is up and has saved one document
            assert first.endswith(b"\n"), writer.stderr.read().decode() if writer.stderr else ""
            time.sleep(rng.uniform(0, 0.25))
        writer.send_signal(signal.SIGKILL)
        out, err = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL, err.decode()
        text = (first + out).decode()
        # Only whole lines were reported; a cut-off last line was not yet reported as saved.
        lines = text.split("\n")[:-1]
        assert all(line.count("/") == 2 for line in lines), text[-200:]
        reported += lines
        killed_mid_run += len(lines) > 1

        with Store.open(data_dir) as after:
            check_invariants(after)  # doctor() empty, lines + movements + one event per document
            # The writer's stock only grows (receipts of 40 a line, dispenses of at most 9), so
            # every one of its documents has three lines, three or more movements and an event.
            half = after.conn.execute(
                "SELECT d.number FROM document d "
                "WHERE (SELECT count(*) FROM document_line l WHERE l.document_id = d.id) <> 3 "
                "OR (SELECT count(*) FROM movement m WHERE m.document_id = d.id) < 3 "
                "OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.document_id = d.id)"
            ).fetchall()
            assert half == []
            saved = {row[0] for row in after.conn.execute("SELECT number FROM document")}
            missing = [number for number in reported if number not in saved]
            assert missing == [], f"kill {attempt}: reported as saved but not in the database: {missing[:5]}"
            assert len(saved) >= len(set(reported))
            events = after.conn.execute("SELECT count(*), count(DISTINCT document_id) FROM outbox").fetchone()
            assert tuple(events) == (len(saved), len(saved))
    assert len(reported) > KILLS  # the writer got well into its loop before most kills
    assert killed_mid_run > KILLS // 2
