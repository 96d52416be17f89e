"""The Sync screen and the adapter, driven as the in-charge would, against the real server:
enrol with the form, save documents, "Sync now", read the set-aside list."""

from __future__ import annotations

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
    desk.poison_payload(2)  # one event the server will refuse

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
    assert "does not know this enrolment code" in screen.enrol_message.text()
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
        # Offline, and (once the loop has scheduled it) when it tries next.
        qtbot.waitUntil(lambda: screen.online_label.text().startswith("Offline (next try at "), timeout=5_000)
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


def test_a_half_way_pass_is_told_truthfully_on_the_screen_and_the_status_bar(qtbot, enrolled_desk, server, proxy):
    import datetime as dt
    from dataclasses import replace

    from ihms_desk.sync.worker import read_status
    from ihms_desk.ui import i18n
    from ihms_desk.ui.sync_status import SyncStatus as StatusBar

    desk = enrolled_desk(299)
    proxy.fail_pushes(lambda number: number > 1)  # the first push goes through, no other
    adapter = SyncAdapter(desk.data_dir, FAST)
    screen, bar = SyncScreen(desk.store), StatusBar()
    qtbot.addWidget(screen)
    qtbot.addWidget(bar)
    screen.set_adapter(adapter)
    adapter.stateChanged.connect(bar.set_state)
    outcome = adapter.worker.sync_once()
    assert outcome.sent == 200 and outcome.error is not None
    qtbot.waitUntil(lambda: "200 in the last hour" in screen.delivered_label.text())
    assert screen.online_label.text() == "Online", "a pass that delivered reached the server"
    assert screen.last_success_label.text() == "Never"
    qtbot.waitUntil(lambda: bar.last_success is not None)
    assert bar.last_success == read_status(desk.store).last_delivery, "the bar's last sync is the last delivery"
    assert "Last sync: never" not in bar.last_label.text() and "online" in bar.state_label.text()
    status = replace(read_status(desk.store), next_try_at=(dt.datetime.now(dt.timezone.utc)
                                                           + dt.timedelta(minutes=3)).isoformat())
    try:
        assert i18n.set_language("hi")
        screen.show_status(status)
        assert "पिछले एक घंटे में 200" in screen.delivered_label.text()
        assert "अगली कोशिश" in screen.online_label.text()
    finally:
        i18n.set_language("en")
    proxy.clear()
    desk.sync_until_done()
    assert_converged(desk, server.store)
