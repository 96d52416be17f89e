"""A restored data folder loses nothing, and document numbers are never reused (issue 10,
items 1 and 2): every way a desk's data comes back from an older copy, through a real server
behind the fault proxy, each case ending with the convergence check (every desk document on
the server exactly once, stock equal, no two documents of the facility sharing a number,
``ihms-desk doctor`` clean)."""

from __future__ import annotations

import shutil
import threading

import pytest
from e2e_desk import FACILITY_CODE, assert_converged, server_documents, wait_for

from ihms_desk.backup import restore_backup
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.errors import ServerUnreachable, Superseded


def offline_pass(desk, proxy) -> None:
    """The program starting with no line: its first pass runs, and fails to reach the server."""
    proxy.refuse_connections()
    try:
        outcome = desk.worker().sync_once()
        assert isinstance(outcome.error, ServerUnreachable)
    finally:
        proxy.accept_connections()


def put_back_a_disk_image(desk, tmp_path, documents_lost: int) -> None:
    """Image the disk (the data folder and this PC's own folder alike), save and sync more,
    then put the image back: no marker anywhere can tell."""
    copy, pc_copy = tmp_path / "folder-copy", tmp_path / "pc-copy"
    desk.copy_folder_to(copy)
    desk.worker().sync_once()  # writes this PC's marker
    shutil.copytree(desk.pc, pc_copy)
    desk.dispense(documents_lost)
    desk.sync_until_done()
    desk.put_folder_back(copy)
    shutil.rmtree(desk.pc)
    shutil.copytree(pc_copy, desk.pc)


def set_up_and_sync(desk, server, proxy, documents: int = 5) -> None:
    desk.enrol(proxy.url, server.enrolment_code())
    desk.receive()
    desk.dispense(documents - 1)
    desk.sync_until_done()


def assert_numbers_continue_in_a_series_of_their_own(numbers: list[str]) -> None:
    """Documents saved after a restore carry the fresh epoch's series (A2, A3, ...)."""
    assert numbers and all("/A" in number and "-" in number.rsplit("/", 1)[1] for number in numbers), numbers


@pytest.mark.parametrize("save_first", [False, True], ids=["synced-before-first-save", "saved-offline-first"])
def test_whole_folder_restored_on_the_same_pc(make_desk, server, proxy, tmp_path, save_first):
    desk = make_desk()
    set_up_and_sync(desk, server, proxy)
    desk.dispense(10)  # ten more, five of them waiting when the copy is taken
    desk.sync_until_done()
    desk.dispense(5)
    copy = tmp_path / "copy-of-the-folder"
    desk.copy_folder_to(copy)  # database, token and marker together, as a backup tool copies
    desk.dispense(300)
    desk.sync_until_done()  # 300 documents the copy does not have reach the server
    desk.put_folder_back(copy)
    before = len(desk.numbers())
    if save_first:
        offline_pass(desk, proxy)  # the program starts offline: the restore is seen before any save
        desk.dispense(300)
    outcome = desk.sync_until_done()
    assert outcome.set_aside == 0
    # The five the copy still had waiting are on the server already: duplicates, under the new epoch.
    assert desk.store.device_state()["epoch"] == 2
    assert desk.store.pending_epoch_claim() is None
    desk.dispense(3)
    desk.sync_until_done()
    new_numbers = desk.numbers()[before:]
    assert len(new_numbers) == (303 if save_first else 3)
    assert_numbers_continue_in_a_series_of_their_own(new_numbers)
    assert_converged(desk, server.store, lost_on_desk=300)


def test_database_file_alone_restored(enrolled_desk, server, proxy, tmp_path):
    desk = enrolled_desk(4)
    backup = desk.store.backup_to(tmp_path / "backup.sqlite3")  # five documents, none sent yet
    desk.dispense(5)
    desk.sync_until_done()
    desk.put_database_back(backup)
    # The program starts with no line; its first pass sees, from the marker left in the
    # folder, that the server acknowledged more than this file holds: a fresh series at once.
    offline_pass(desk, proxy)
    desk.dispense(4)
    outcome = desk.sync_until_done()
    # The backup's five unsent documents were on the server: duplicates, under the new epoch.
    assert (outcome.sent, outcome.duplicates, outcome.set_aside) == (4, 5, 0)
    assert desk.store.rejected_events() == []
    assert_numbers_continue_in_a_series_of_their_own(desk.numbers()[-4:])
    assert_converged(desk, server.store, lost_on_desk=5)


def test_events_refused_for_a_reused_sequence_are_resent_not_dropped(make_desk, server, proxy, tmp_path):
    """Two copies of one desk on one PC that nothing local can tell apart, pushing at the same
    moment: the server takes the first push and refuses the other's events for reusing its
    sequences (sequence_reused). The desk claims a fresh epoch and sends them again in the
    same pass: nothing is set aside. (One copy saves a receipt, the other dispenses: two
    copies numbering the same kind of document would also share numbers, see the last case.)"""
    first = make_desk("first")
    set_up_and_sync(first, server, proxy)
    first.copy_folder_to(tmp_path / "second")
    second = make_desk("second", existing=True, pc=first.pc)
    second._receipts = 100
    second.receive(item="D0002")
    first.dispense(1)
    proxy.add("delay", seconds=1.5)  # the second copy's push waits on the line...
    racing = threading.Thread(target=lambda: outcomes.append(second.worker().sync_once()))
    outcomes: list = []
    racing.start()
    wait_for(lambda: ("POST", "/v1/events", "delay") in proxy.log)
    first.sync_until_done()  # ...while the first copy's push of the same sequence goes in
    racing.join(30)
    (outcome,) = outcomes
    assert outcome.complete and outcome.set_aside == 0 and outcome.sent == 1 and outcome.resent == 1
    assert second.store.rejected_events() == []
    assert second.store.device_state()["epoch"] == 2
    assert "sent again under epoch 2" in second.store.sync_state().last_error
    reused = [r for r in server.store.rejected_events() if r.code == wire.SEQUENCE_REUSED]
    assert len(reused) == 1 and reused[0].arrived_later, "the district sees the clash, and that it was mended"
    assert_converged([first, second], server.store)


def test_ihms_desk_restore_of_a_backup(make_desk, server, proxy, tmp_path):
    desk = make_desk()
    set_up_and_sync(desk, server, proxy)
    desk.dispense(20)
    backup = desk.store.backup_to(tmp_path / "backups" / "ihms-desk-backup.sqlite3")
    desk.dispense(40)
    desk.sync_until_done()
    desk.store.close()
    report = restore_backup(desk.data_dir, backup)
    desk.reopen()
    assert report.epoch == 2 and desk.store.pending_epoch_claim().take_over
    desk.dispense(30)  # offline or not, numbered in the restored desk's own series
    outcome = desk.sync_until_done()
    assert outcome.set_aside == 0 and outcome.duplicates == 20
    assert_numbers_continue_in_a_series_of_their_own(desk.numbers()[-30:])
    assert_converged(desk, server.store, lost_on_desk=40)


@pytest.mark.parametrize("first_pushes_after_the_copy", [False, True])
def test_restored_onto_a_second_pc_while_the_first_still_runs(make_desk, server, proxy, tmp_path,
                                                              first_pushes_after_the_copy):
    first = make_desk("first")
    set_up_and_sync(first, server, proxy)
    first.dispense(5)  # waiting when the folder is copied
    first.copy_folder_to(tmp_path / "second")
    second = make_desk("second", existing=True)  # another PC: its own folder of this PC
    first.dispense(4)
    if first_pushes_after_the_copy:
        first.sync_until_done()
    # The second PC starts with no line. Its first pass sees that its folder was last used on
    # another PC: what it saves is numbered in a fresh epoch's series from then on, and once
    # the line is up it takes the device over under that epoch.
    offline_pass(second, proxy)
    second.dispense(6)
    second.sync_until_done()
    assert second.store.device_state()["epoch"] == 2
    assert_numbers_continue_in_a_series_of_their_own(second.numbers()[-6:])
    # The first PC is now the older copy: the server refuses it, saying what to do.
    refused = first.worker().sync_once()
    assert isinstance(refused.error, Superseded)
    assert "PC second" in refused.error.message and "took it over" in refused.error.message
    assert "enrol it again" in refused.error.message and "--take-over" in refused.error.message
    assert first.store.sync_state().last_error == refused.error.message
    assert first.counts()["pending"] == (0 if first_pushes_after_the_copy else 9), "nothing is dropped"
    device = next(d for d in server.store.devices() if d["device_id"] == first.store.sync_state().device_id)
    assert device["superseded_refusals"] >= 1 and device["current_epoch"] == 2
    # The district gives the first PC a code of its own: it becomes the facility's second desk
    # and sends what it held, in a series of its own from then on.
    first.enrol(proxy.url, server.enrolment_code())
    first.dispense(2)
    first.sync_until_done()
    assert all("/B-" in number for number in first.numbers()[-2:])
    second.sync_until_done()
    assert_converged([first, second], server.store)


def test_the_older_copy_can_take_over_when_it_is_the_one_to_keep(make_desk, server, proxy, tmp_path):
    first = make_desk("first")
    set_up_and_sync(first, server, proxy)
    first.copy_folder_to(tmp_path / "second")
    second = make_desk("second", existing=True)
    second.sync_until_done()
    second.dispense(2)
    second.sync_until_done()
    first.dispense(3)
    assert isinstance(first.worker().sync_once().error, Superseded)
    first.store.start_new_epoch(reason="restored", take_over=True)  # `ihms-desk sync --take-over`
    first.sync_until_done()
    assert first.store.device_state()["epoch"] == 3
    assert isinstance(second.worker().sync_once().error, Superseded)
    assert_converged([first, second], server.store)


def test_a_restore_no_marker_could_see_is_found_by_asking_the_server(make_desk, server, proxy, tmp_path):
    """The whole folder and this PC's own markers put back (a disk image): only the server can
    tell. Synced before any save, the desk learns it from the server's high-water mark and
    moves to a fresh epoch; nothing is lost or renumbered."""
    desk = make_desk()
    set_up_and_sync(desk, server, proxy)
    put_back_a_disk_image(desk, tmp_path, documents_lost=7)
    outcome = desk.sync_until_done()
    assert outcome.error is None and desk.store.device_state()["epoch"] == 2
    desk.dispense(2)
    desk.sync_until_done()
    assert_numbers_continue_in_a_series_of_their_own(desk.numbers()[-2:])
    assert_converged(desk, server.store, lost_on_desk=7)


def test_the_limit_documents_numbered_before_anything_could_tell_are_refused_clearly(
        make_desk, server, proxy, tmp_path):
    """The one case no desk can number right: a disk image put back (folder and this PC's
    markers alike) and documents saved before the server was reached. Their numbers are the
    lost documents' numbers; the server refuses a second document under a number (its unique
    key), says why, and keeps the refusal for the district. The rest converges."""
    desk = make_desk()
    set_up_and_sync(desk, server, proxy)
    put_back_a_disk_image(desk, tmp_path, documents_lost=4)
    offline_pass(desk, proxy)
    desk.dispense(6)  # four of them take numbers the lost documents hold on the server
    outcome = desk.sync_until_done()
    assert (outcome.sent, outcome.set_aside) == (2, 4)
    refused = desk.store.rejected_events()
    assert {row["reject_code"] for row in refused} == {wire.NUMBER_TAKEN}
    assert "is already held by another document" in refused[0]["reject_reason"]
    on_dashboard = server.store.rejected_events(facility_code=FACILITY_CODE)
    assert {r.code for r in on_dashboard} == {wire.NUMBER_TAKEN} and len(on_dashboard) == 4
    assert_converged(desk, server.store, lost_on_desk=4)
    assert len(server_documents(server.store)) == 5 + 4 + 2
