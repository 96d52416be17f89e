"""Tests for ``forms.run_store_job``: a store job on the worker thread answers its screen, and a
screen closed (deleted) while its job runs is neither crashed into nor called back."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput
from ihms_desk.ui import forms
from ihms_desk.ui.alerts import AlertsScreen
from ihms_desk.ui.forms import run_store_job


class Gate:
    """Holds a job on the worker thread until the test lets it go."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def hold(self) -> None:
        self.started.set()
        assert self.release.wait(20), "the test never let the job go"


@pytest.fixture()
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.release.set()  # never leave the shared worker thread stuck


def delete_now(widget: QWidget) -> None:
    """Delete ``widget`` as Qt does a closed screen: deleteLater, then the deferred delete."""
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(widget)


def test_a_job_answers_its_screen_with_its_tag(qtbot, clerk_store: Store) -> None:
    screen = QWidget()
    qtbot.addWidget(screen)
    got: list[tuple[str, object, int]] = []
    with qtbot.waitCallback() as finished:
        run_store_job(clerk_store, lambda store: store.facility().name, 3, finished, got.append, screen)
    assert finished.args == ["CHC Testpur", 3]

    def refused(store: Store) -> None:
        raise InvalidInput("choose_source", field="source")

    with qtbot.waitCallback() as failed:
        run_store_job(clerk_store, refused, 4, lambda result, tag: got.append(("finished", result, tag)), failed, screen)
    assert isinstance(failed.args[0], InvalidInput) and failed.args[1] == 4
    assert got == []
    qtbot.waitUntil(lambda: not forms._replies)  # each reply goes once it has answered


def test_a_screen_deleted_while_its_job_runs_is_not_called_back(qtbot, clerk_store: Store, gate: Gate) -> None:
    screen = QWidget()
    screen.setObjectName("closing")
    calls: list[str] = []
    ran: list[int] = []

    def slow(store: Store) -> int:
        gate.hold()
        ran.append(len(store.alerts()))
        return ran[-1]

    # Each callback reads the screen, as a screen's own slot would: on a deleted one it raises.
    future = run_store_job(clerk_store, slow, 1, lambda result, tag: calls.append(f"finished {screen.objectName()}"),
                           lambda error, tag: calls.append(f"failed {screen.objectName()}"), screen)
    assert gate.started.wait(20)
    delete_now(screen)
    gate.release.set()
    # The worker's emit must not meet a deleted reply (it did: the reply was the screen's child).
    assert future.result(timeout=20) is None
    assert ran and ran[0] > 0, "the job itself ran to its end"
    qtbot.wait(50)  # the queued answer, had there been one
    assert calls == []
    qtbot.waitUntil(lambda: not forms._replies)


def test_a_real_screen_closed_while_it_loads(qtbot, clerk_store: Store, gate: Gate) -> None:
    # The alerts screen loads in the worker; it is closed and deleted before its load runs.
    holder = QWidget()
    qtbot.addWidget(holder)
    blocker = run_store_job(clerk_store, lambda store: gate.hold(), 0, lambda *_: None, lambda *_: None, holder)
    assert gate.started.wait(20)
    screen = AlertsScreen(clerk_store)
    screen.refresh()
    assert forms._replies, "the screen's load waits behind the held job"
    screen.close()
    delete_now(screen)
    gate.release.set()
    blocker.result(timeout=20)
    # Behind it on the one worker thread, the screen's load has run and answered nobody.
    forms.executor().submit(lambda: None).result(timeout=20)
    qtbot.waitUntil(lambda: not forms._replies)
