"""The Sync screen and the adapter, driven as the in-charge would, against the real server:
enrol with the form, save documents, "Sync now", read the set-aside list."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from e2e_desk import FAST, assert_converged  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from ihms_desk.ui.sync_adapter import SyncAdapter  # noqa: E402
from ihms_desk.ui.sync_screen import SyncScreen  # noqa: E402


def test_enrol_sync_now_and_set_aside_list(qtbot, make_desk, server, proxy):
    desk = make_desk()
    desk.receive()
    desk.dispense(3)
    # One event the server will refuse (see test_6 for why this stands for a buggy old desk).
    conn = desk.store.conn
    payload = json.loads(conn.execute("SELECT payload FROM outbox WHERE sequence = 2").fetchone()[0])
    payload["document"]["kind"] = "receipt"
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'outbox_payload_fixed'").fetchone()[0]
    conn.execute("DROP TRIGGER outbox_payload_fixed")
    conn.execute("UPDATE outbox SET payload = ? WHERE sequence = 2", (json.dumps(payload),))
    conn.execute(trigger)
    conn.commit()

    adapter = SyncAdapter(desk.data_dir, FAST)
    screen = SyncScreen(desk.store)
    qtbot.addWidget(screen)
    screen.set_adapter(adapter)
    states: list[tuple] = []
    adapter.stateChanged.connect(lambda *state: states.append(state))
    assert "Not enrolled" in screen.server_label.text()
    assert "4 waiting" in screen.waiting_label.text()

    qtbot.keyClicks(screen.url_edit, proxy.url)
    qtbot.keyClicks(screen.code_edit, "WRONG-CODE")
    with qtbot.waitSignal(adapter.enrolFinished, timeout=10_000) as refused:
        qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    assert refused.args[0] is False
    assert "wrong, already used or expired" in screen.enrol_message.text()
    assert not desk.store.sync_state().enrolled

    screen.code_edit.clear()
    qtbot.keyClicks(screen.code_edit, server.enrolment_code())
    with qtbot.waitSignal(adapter.enrolFinished, timeout=10_000) as enrolled:
        qtbot.keyClick(screen.code_edit, Qt.Key.Key_Return)
    assert enrolled.args[0] is True, enrolled.args[1]
    assert desk.store.sync_state().server_url == proxy.url
    assert screen.server_label.text() == proxy.url

    adapter.start()
    try:
        qtbot.waitUntil(lambda: desk.counts()["pending"] == 0, timeout=15_000)
        qtbot.waitUntil(lambda: states and states[-1][1] == 0 and states[-1][0] is True, timeout=10_000)
        # A document saved at the counter is sent shortly after, with no button pressed.
        desk.dispense(1)
        adapter.localSaved()
        qtbot.waitUntil(lambda: desk.counts()["pending"] == 0, timeout=10_000)
        proxy.refuse_connections()
        desk.dispense(1)
        qtbot.mouseClick(screen.sync_now_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: states[-1][0] is False, timeout=10_000)
        assert states[-1][1] == 1 and "Cannot reach the server" in states[-1][3]
        qtbot.waitUntil(lambda: screen.online_label.text() == "Offline", timeout=5_000)
        proxy.accept_connections()
        adapter.networkUp()
        qtbot.waitUntil(lambda: desk.counts()["pending"] == 0, timeout=10_000)
    finally:
        adapter.stop()
    screen.refresh()
    assert screen.set_aside_table.rowCount() == 1
    assert screen.set_aside_table.item(0, 2).text() == "2"
    assert "kind" in screen.set_aside_table.item(0, 3).text()
    assert "0 waiting, 1 set aside" in screen.waiting_label.text()
    assert_converged(desk, server.store)
