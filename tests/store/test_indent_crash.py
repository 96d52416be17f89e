"""A power cut at any moment while indents are approved and vouchers received (some received
wrongly, reversed and received again): a SIGKILLed writer leaves every reported document whole,
never an indent beside the draft it came from, never a receipt without its voucher marked
received (or the reverse), never a reversed receipt still holding its voucher."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ihms_desk.store import Store
from tests.conftest import StoreFactory

WRITER = textwrap.dedent("""
    import sys
    from itertools import count
    from ihms_desk.store import Store

    store = Store.open(sys.argv[1])
    store.act_as("incharge")
    for n in count(int(sys.argv[2]) * 100_000):
        number = f"DDW-X/2026-27/{n:06d}"
        store.apply_voucher_page([{
            "number": number, "kind": "voucher", "from_code": "DDW-X", "from_name": "DDW X", "indent_number": None,
            "issued_on": store.today().isoformat(),
            "lines": [{"line_no": 1, "item_code": "D0001", "batch_no": f"X{n}", "expiry_month": "2099-12", "qty": 10,
                       "manufacturer": None, "unit_cost": None}]}],
            cursor_before=store.voucher_cursor(), next_cursor=number)
        receipt = store.receive_voucher(number)
        done = [receipt.number]
        if n % 2 == 0:  # received wrongly (the first of each run too): reversed, received again
            done.append(store.reverse(receipt.number, reason="wrong counts").number)
            done.append(store.receive_voucher(number).number)
        store.set_indent_line("D0001", 5 + n % 7)
        store.set_indent_line("D0002", 3)
        indent = store.approve_indent()
        sys.stdout.write(" ".join(done) + " " + indent.number + "\\n")
        sys.stdout.flush()
""")


def test_sigkill_while_approving_and_receiving_leaves_nothing_half_done(make_store: StoreFactory) -> None:
    store = make_store(user="incharge")
    data_dir = store.folder.root
    store.close()
    rng = random.Random(14)
    reported: list[str] = []
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for run in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(run)], stdout=subprocess.PIPE,
                                  text=True, env=env)
        assert writer.stdout is not None
        first = writer.stdout.readline()  # started and saving (however loaded the machine is)
        time.sleep(rng.random() * 0.5)  # then the power goes at any moment
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        reported += (first + out).split()
    assert reported, "the writer saved nothing before being killed"
    with Store.open(data_dir) as after:
        after.act_as("incharge")
        assert after.doctor() == []
        for number in reported:
            assert after.document(number).number == number  # every reported document is there, whole
        conn = after.conn
        # Each receipt against a voucher marks that voucher received, in the same transaction,
        # and its reversal lets the voucher go, in the reversal's: every voucher is held by its
        # one receipt not reversed, or by none.
        receipts = {row[0]: json.loads(row[1])["against_voucher"] for row in conn.execute(
            "SELECT id, header FROM document d WHERE kind = 'receipt' AND header LIKE '%against_voucher%' "
            "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id)")}
        marked = dict(conn.execute("SELECT receipt_id, number FROM voucher WHERE receipt_id IS NOT NULL").fetchall())
        assert marked == receipts
        assert conn.execute("SELECT count(*) FROM document WHERE kind = 'reversal'").fetchone()[0] > 0
        # An approved indent took its draft with it: a draft left over holds only lines set after
        # the last approval (the writer sets two lines, then approves).
        draft = after.indent_draft()
        assert draft is None or len(draft.lines) <= 2
        lines = conn.execute("SELECT count(*) FROM document_line l JOIN document d ON d.id = l.document_id "
                             "WHERE d.kind = 'indent'").fetchone()[0]
        indents = conn.execute("SELECT count(*) FROM document WHERE kind = 'indent'").fetchone()[0]
        assert lines == 2 * indents
