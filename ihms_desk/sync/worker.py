"""The sync loop: push every waiting event to the state server, then pull the catalogue.

No Qt here. The loop reports through plain callbacks and stops when its ``threading.Event`` is
set; ``ihms_desk.ui.sync_adapter`` turns the callbacks into Qt signals, ``ihms-desk sync`` runs
it headless. Order on the wire is the outbox's per-device sequence, never the PC clock.

Each pass first settles where the desk stands (docs/sync.md, "Restored and copied desks"): a
database put back from an older copy, or carried to another PC, starts a fresh epoch before
anything else, offline too; the server then grants the epoch and the desk offers under it
everything the server has not acknowledged. A flaky line costs a retry, not the pass: a
request that fails on the way is tried again at once (a few times), and the loop backs off
only after a pass that delivered nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout

from ihms_desk.paths import DataFolder
from ihms_desk.store import Store
from ihms_desk.store.base import Clock, system_clock
from ihms_desk.store.errors import StoreError
from ihms_desk.store.model import OutboxEvent
from ihms_desk.store.outbox import EpochClaim
from ihms_desk.store.sync_state import CursorMoved, WireEvent
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.client import READ_TIMEOUT, Answer, SyncClient, encode_push_raw
from ihms_desk.sync.device import (
    advance_marker,
    default_device_name,
    enrol,
    fork_reason,
    machine_dir,
    machine_id,
    read_token,
    require_enrolment,
    write_home_marker,
)
from ihms_desk.sync.errors import (
    MESSAGES,
    CursorUnknown,
    LocalProblem,
    NotAnIhmsServer,
    ServerTrouble,
    Superseded,
    SyncBusy,
    SyncError,
    VersionMismatch,
    identify,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Seconds between restore-marker writes during a long push (and once at its end).
MARKER_EVERY = 5.0


@dataclass(frozen=True)
class SyncConfig:
    """Knobs of the loop; tests shrink the times, the defaults suit a CHC's line."""

    #: Events per push: start here, halve on a timeout, grow back by an eighth per good batch.
    batch_size: int = 200
    max_batch_size: int = wire.MAX_EVENTS_PER_BATCH
    #: Full-jitter exponential backoff after a failed attempt: uniform(0, min(cap, base * 2**n)).
    backoff_base: float = 5.0
    backoff_cap: float = 15 * 60.0
    #: A burst of saves at the counter becomes one sync this long after the last of them.
    debounce: float = 5.0
    #: Try this often even when nothing else asks (a line that came back, catalogue changes).
    interval: float = 15 * 60.0
    #: The nightly sync; None takes the store's ``nightly_sync_time`` setting (default 21:00).
    nightly_at: dt.time | None = None
    #: How often an idle loop looks at the wall clock for the nightly sync.
    wall_clock_poll: float = 60.0
    #: A PC clock further than this from the server's is flagged for the in-charge.
    clock_skew_limit: float = 5 * 60.0
    catalogue_page_size: int = wire.CATALOG_DEFAULT_LIMIT
    connect_timeout: float = 10.0
    read_timeout: float = READ_TIMEOUT
    #: True, or the path of a CA bundle (a state CA); never False.
    verify: bool | str = True
    protocol_version: int = wire.PROTOCOL_VERSION
    #: Seconds to wait for another sync of the same data folder to finish.
    lock_timeout: float = 0.0
    #: The PC clock (tests move it); only timestamps shown to people and the skew use it.
    clock: Clock = field(default=system_clock)
    #: A request that fails on a flaky line (no answer, a 5xx, a garbled answer) is tried
    #: again this many times in the same pass (at once, then after 0.2 s, 0.4 s), before the
    #: pass gives up.
    retries_in_pass: int = 3
    retry_pause: float = 0.1
    #: This PC's own folder (its id and home markers); None: ``device.machine_dir()``.
    machine_dir: Path | None = None
    #: How this PC is named to the district when it claims an epoch; None: the computer's name.
    device_name: str | None = None


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and the Sync screen show.

    ``last_error`` is the English the CLI prints; ``last_error_kind`` and ``last_error_values``
    say which of :data:`ihms_desk.sync.errors.MESSAGES` it is, so that a screen can word it in
    the user's language (None and empty for a message no kind knows). They come last, with
    defaults, so a status built without them still is one.
    """

    enrolled: bool
    server_url: str | None
    online: bool | None  # None: not tried yet
    waiting: int
    set_aside: int
    last_success: str | None
    last_error: str | None
    clock_skew_seconds: float | None
    clock_flagged: bool
    syncing: bool = False
    last_error_kind: str | None = None
    last_error_values: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: When the server last acknowledged events (a pass that failed half-way counts too), how
    #: many it acknowledged in the last hour, and when the loop tries next after a failure.
    last_delivery: str | None = None
    delivered_last_hour: int = 0
    next_try_at: str | None = None

    @property
    def last_contact(self) -> str | None:
        """The later of the last complete sync and the last delivery: when records last got
        through, which is what "last sync" means to the counter."""
        return max((t for t in (self.last_success, self.last_delivery) if t), default=None)


@dataclass(frozen=True)
class SyncOutcome:
    """What one pass did, kept when it fails half-way. ``complete`` means nothing is left
    waiting and nothing failed; ``progress`` that the server took (or refused) something."""

    sent: int = 0
    duplicates: int = 0
    set_aside: int = 0
    waiting: int = 0
    catalogue_changes: int = 0
    error: SyncError | None = None
    #: Events moved to a fresh epoch in this pass (a restore, a copy, a clash).
    resent: int = 0
    #: Issue vouchers (and transfers from other facilities) pulled in this pass.
    vouchers: int = 0

    @property
    def complete(self) -> bool:
        return self.error is None and self.waiting == 0

    @property
    def progress(self) -> bool:
        return self.sent + self.duplicates + self.set_aside > 0


StatusCallback = Callable[[SyncStatus], None]
ProgressCallback = Callable[[int, int], None]


def _ignore_status(status: SyncStatus) -> None:
    pass


def _ignore_progress(sent: int, waiting: int) -> None:
    pass


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: a uniform wait up to the exponential ceiling, so a district's desks that
    lost the line together do not all come back in the same second."""
    ceiling = min(cap, base * 2 ** min(failures - 1, 30))
    return (rng or random).uniform(0, ceiling)


def envelope(event: OutboxEvent | WireEvent, device_id: str, facility_code: str) -> dict[str, Any]:
    """The wire form of an outbox event. Built only from what the outbox stored, so a resend
    is the same event (the server's content hash matches: a duplicate)."""
    head = envelope_head(event, device_id, facility_code)
    head["payload"] = json.loads(event.payload_json) if isinstance(event, WireEvent) else event.payload
    return head


def envelope_head(event: OutboxEvent | WireEvent, device_id: str, facility_code: str) -> dict[str, Any]:
    """Every envelope field but the payload."""
    return {
        "event_id": event.event_id,
        "device_id": device_id,
        "facility_code": facility_code,
        "epoch": event.epoch,
        "sequence": event.sequence,
        "type": event.type,
        "schema_version": wire.EVENT_SCHEMA_VERSION,
        "hlc": event.hlc,
        "wall_time": event.created_at,
    }


def read_status(store: Store, *, syncing: bool = False, now: dt.datetime | None = None) -> SyncStatus:
    """The sync state as the database holds it, with the kind of its last error."""
    state = store.sync_state()
    waiting, set_aside = store.unsent_counts()
    moment = now or dt.datetime.now(dt.timezone.utc)
    # The database keeps only the English (an earlier version's file has nothing else): the
    # kind is recognised from it, so a failure recorded before an upgrade is worded too.
    kind, values = identify(state.last_error)
    return SyncStatus(
        enrolled=state.enrolled,
        server_url=state.server_url,
        online=state.online,
        waiting=waiting,
        set_aside=set_aside,
        last_success=state.last_success_at,
        last_error=state.last_error,
        clock_skew_seconds=state.clock_skew_seconds,
        clock_flagged=state.clock_skew_flagged,
        syncing=syncing,
        last_error_kind=kind,
        last_error_values=values,
        last_delivery=state.last_delivery_at,
        delivered_last_hour=store.delivered_since(moment - dt.timedelta(hours=1)),
        next_try_at=state.next_try_at,
    )


@dataclass
class _Tally:
    """What a pass has done so far; it survives an error (the outcome reports it)."""

    waiting: int = 0
    sent: int = 0
    duplicates: int = 0
    set_aside: int = 0
    resent: int = 0
    catalogue_changes: int = 0
    vouchers: int = 0
    #: The highest (epoch, sequence) the server acknowledged, for the restore marker.
    acknowledged: tuple[int, int] | None = None
    #: The server refused events for reusing (epoch, sequence): this desk must move on.
    clash: bool = False
    clash_message: str | None = None
    error: SyncError | None = None

    @property
    def delivered(self) -> int:
        return self.sent + self.duplicates + self.set_aside

    def outcome(self, waiting: int) -> SyncOutcome:
        return SyncOutcome(self.sent, self.duplicates, self.set_aside, waiting,
                           self.catalogue_changes, self.error, self.resent, self.vouchers)


@dataclass
class _Batch:
    """Waiting events read for one push, and their encoded request body."""

    events: list[WireEvent]
    body: bytes


class SyncWorker:
    """Syncs one data folder. ``sync_once()`` for a single pass (CLI, tests); ``run()`` for
    the loop (the program's thread, ``--daemon``). Each pass opens its own store connection in
    the calling thread and holds the data folder's lock file while it runs."""

    def __init__(
        self,
        data_dir: Path | str,
        config: SyncConfig | None = None,
        *,
        on_status: StatusCallback | None = None,
        on_progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        jitter: random.Random | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        #: The backoff's random source (the module's own unless a test fixes one).
        self.jitter = jitter
        self.config = config or SyncConfig()
        self.on_status = on_status or _ignore_status
        self.on_progress = on_progress or _ignore_progress
        self.stop = stop or threading.Event()
        self.batch_size = self.config.batch_size
        self._lock = FileLock(str(DataFolder(self.data_dir).sync_lock))
        self._wake = threading.Event()
        self._guard = threading.Lock()
        self._requested = False
        self._network_back = False
        self._save_due: float | None = None
        self._client: SyncClient | None = None
        self._client_key: tuple[str, str] | None = None
        self._nightly_setting = dt.time(21, 0)

    # -- asking for a sync (any thread) ---------------------------------------------------------

    def request_sync(self) -> None:
        """"Sync now": run a pass as soon as the loop is free, whatever the backoff says."""
        with self._guard:
            self._requested = True
        self._wake.set()

    def notify_local_save(self) -> None:
        """A document was saved: sync a little later, once the burst of saves is over."""
        with self._guard:
            self._save_due = time.monotonic() + self.config.debounce
        self._wake.set()

    def notify_network_up(self) -> None:
        """The PC's network came back: forget the backoff and try now."""
        with self._guard:
            self._requested = True
            self._network_back = True
        self._wake.set()

    def shutdown(self) -> None:
        self.stop.set()
        self._wake.set()

    # -- the loop --------------------------------------------------------------------------------

    def run(self) -> None:
        """Try at start, then on request, after saves, on the timer and nightly, retrying
        failures forever, until ``stop`` is set.

        A pass that delivered something made progress, even if the line then failed: the next
        pass follows at once. Only a pass that delivered nothing backs off (exponentially,
        with jitter), so a line that fails 30 % of requests still drains the queue."""
        failures = 0
        retry_at: float | None = None
        timer_at = time.monotonic() + self.config.interval
        try:
            with Store.open(self.data_dir, clock=self.config.clock) as store:
                self._read_nightly_setting(store)
        except StoreError:  # the first pass reports it; until then 21:00 will do
            log.exception("cannot read the nightly sync time")
        nightly_done = self._nightly_done_today()
        self.request_sync()
        try:
            while not self.stop.is_set():
                now = time.monotonic()
                with self._guard:
                    requested, network_back, save_due = self._requested, self._network_back, self._save_due
                if network_back:
                    failures, retry_at = 0, None
                nightly_due = self._nightly_due(nightly_done)
                due = requested or nightly_due or (retry_at is not None and now >= retry_at)
                if not failures:
                    due = due or now >= timer_at or (save_due is not None and now >= save_due)
                if not due:
                    deadlines = [retry_at] if failures else [retry_at, timer_at, save_due]
                    poll = self.config.wall_clock_poll
                    wait = min((d - now for d in deadlines if d is not None), default=poll)
                    # Wake now and then to look at the wall clock for the nightly sync.
                    self._wake.wait(max(0.01, min(wait, poll)))
                    self._wake.clear()
                    continue
                with self._guard:
                    self._requested = self._network_back = False
                    self._save_due = None
                if nightly_due:
                    nightly_done = self.config.clock().date()
                try:
                    outcome = self.sync_once()
                except Exception as error:  # a bug: logged with its traceback; the loop outlives it
                    log.exception("sync pass failed unexpectedly")
                    outcome = SyncOutcome(error=SyncError.of("unexpected", error=type(error).__name__))
                delay: float | None = None
                if isinstance(outcome.error, SyncBusy):
                    delay = self.config.backoff_base  # the other sync will finish
                    failures = max(failures, 1)
                elif outcome.error is not None and outcome.progress:
                    # Records got through before the line failed: go on at once.
                    failures, delay = 0, 0.0
                    log.info("sync delivered %d events, then: %s; going on at once",
                             outcome.sent + outcome.duplicates + outcome.set_aside, outcome.error.message)
                elif outcome.error is not None:
                    failures += 1
                    delay = backoff_delay(failures, self.config.backoff_base, self.config.backoff_cap, self.jitter)
                    log.info("sync failed (%s); next try in %.0f s", outcome.error.message, delay)
                else:
                    failures = 0
                    timer_at = time.monotonic() + self.config.interval
                retry_at = None if delay is None else time.monotonic() + delay
                if delay is not None or outcome.error is None:
                    self._record_next_try(delay)
        finally:
            if self._client is not None:
                self._client.close()

    def _record_next_try(self, delay: float | None) -> None:
        """Say when the loop tries again (for the Sync screen and ``sync --status``)."""
        when = None
        if delay:  # an immediate retry is not worth a line on the screen
            moment = self.config.clock() + dt.timedelta(seconds=delay)
            when = moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        try:
            with Store.open(self.data_dir, clock=self.config.clock) as store:
                if store.sync_state().next_try_at != when:
                    store.record_next_try(when)
                    self.on_status(read_status(store))
        except StoreError:
            log.exception("cannot record the next sync time")

    def _nightly_time(self) -> dt.time:
        return self.config.nightly_at or self._nightly_setting

    def _read_nightly_setting(self, store: Store) -> None:
        """The in-charge may change the nightly time in Settings; each pass picks it up."""
        try:
            self._nightly_setting = dt.time.fromisoformat(store.setting("nightly_sync_time", "21:00"))
        except ValueError:  # a bad setting must not stop sync: keep the last good one
            log.warning("nightly_sync_time setting is not a time; keeping %s", self._nightly_setting)

    def _nightly_done_today(self) -> dt.date | None:
        """At start-up a nightly time already past today counts as done: the start-up sync covers it."""
        now = self.config.clock()
        return now.date() if now.time() >= self._nightly_time() else None

    def _nightly_due(self, done: dt.date | None) -> bool:
        now = self.config.clock()
        # A date other than the one done (even an earlier one, if the PC clock was set back)
        # means tonight's sync has not run; one extra sync is harmless, a missed one is not.
        return now.date() != done and now.time() >= self._nightly_time()

    # -- one pass --------------------------------------------------------------------------------

    def sync_once(self) -> SyncOutcome:
        """Settle where the desk stands, push everything waiting, then pull the catalogue.
        Never raises a SyncError: the outcome carries it, with what the pass did before it
        (and the database records it for the status bar)."""
        try:
            self._lock.acquire(timeout=self.config.lock_timeout)
        except Timeout:
            return SyncOutcome(error=SyncBusy.of("sync_busy"))
        try:
            with Store.open(self.data_dir, clock=self.config.clock) as store:
                self.on_status(read_status(store, syncing=True))
                outcome = self._pass(store)
                self.on_status(read_status(store))
                return outcome
        except StoreError as error:
            # The PC's side: disk full, database locked or read-only, not set up. Nothing was
            # lost; the pass is retried like any other failure.
            return SyncOutcome(error=LocalProblem.of("local_problem", reason=error.message))
        finally:
            self._lock.release()

    def _pass(self, store: Store) -> SyncOutcome:
        self._read_nightly_setting(store)
        store.record_sync_attempt()
        store.forget_deliveries_before(self.config.clock() - dt.timedelta(days=1))
        tally = _Tally()
        try:
            self._check_local_standing(store)
            self._enrol_from_package(store)
            server_url, device_id, token = require_enrolment(store)
            facility_code = store.require_facility().code
            client = self._client_for(server_url, token)
            self._retrying(lambda: self._check_server(store, client))
            self._settle_epoch(store, client, device_id, tally)
            self._push_all(store, client, device_id, facility_code, tally)
            if tally.error is not None:
                raise tally.error
            tally.catalogue_changes = self._pull_catalogue(store, client)
            tally.vouchers = self._pull_vouchers(store, client)
            self._pull_suggestions(store, client)
        except SyncError as error:
            tally.error = error
            # A pass that delivered records reached the server, whatever failed after.
            store.record_sync_error(error.message, online=error.online or tally.delivered > 0)
            return tally.outcome(store.unsent_counts()[0])
        waiting = store.unsent_counts()[0]
        if self.stop.is_set() and waiting:
            return tally.outcome(waiting)
        store.record_sync_success()
        if tally.clash_message is not None:  # kept in view until a later pass goes through cleanly
            store.record_sync_error(tally.clash_message, online=True)
        return tally.outcome(waiting)

    def _enrol_from_package(self, store: Store) -> None:
        """A desk set up from a facility package enrols itself with the package's server and
        code the first time the line is up: nobody types a code or an address. The enrolment
        nonce makes a retry after a lost answer get the same device; a refusal (a code for
        another facility, say) is recorded like any failure and tried again later, so a facility
        code corrected meanwhile goes through."""
        pending = store.pending_package()
        if pending is None or store.sync_state().enrolled:
            return
        config = self.config
        enrolment = self._retrying(lambda: enrol(
            store, pending.server_url, pending.enrolment_code, device_name=config.device_name,
            verify=config.verify, connect_timeout=config.connect_timeout, read_timeout=config.read_timeout))
        log.info("enrolled %s (%s) with %s from its facility package", enrolment.facility_name,
                 enrolment.facility_code, enrolment.server_url)

    def _retrying(self, call: Callable[[], T]) -> T:
        """``call()``, tried again after short pauses when the line fails on the way."""
        attempt = 0
        while True:
            try:
                return call()
            except SyncError as error:
                attempt += 1
                if not error.transient or attempt > self.config.retries_in_pass or self.stop.is_set():
                    raise
                log.info("retrying at once (%d of %d): %s", attempt, self.config.retries_in_pass, error.message)
                self.stop.wait(self._pause(attempt))

    def _pause(self, attempt: int) -> float:
        """At once the first time (a dropped connection is usually just that), then 0.2 s,
        0.4 s, ...: a server in trouble gets a moment."""
        return 0.0 if attempt == 1 else min(2.0, self.config.retry_pause * float(2 ** (attempt - 1)))

    def _client_for(self, server_url: str, token: str) -> SyncClient:
        if self._client is None or self._client_key != (server_url, token):
            if self._client is not None:
                self._client.close()
            config = self.config
            self._client = SyncClient(server_url, token, connect_timeout=config.connect_timeout,
                                      read_timeout=config.read_timeout, verify=config.verify,
                                      protocol_version=config.protocol_version)
            self._client_key = (server_url, token)
        return self._client

    def _check_server(self, store: Store, client: SyncClient) -> None:
        """Is it an IHMS server, does it speak our version, and how far off is our clock?"""
        answer = client.health()
        versions = answer.body.get("protocol_versions")
        if not isinstance(versions, list):
            raise NotAnIhmsServer(client.not_ihms_message("its health answer lists no protocol versions"))
        if self.config.protocol_version not in versions:
            raise VersionMismatch.of("version_mismatch", ours=self.config.protocol_version,
                                     theirs=", ".join(str(v) for v in versions))
        self._record_skew(store, answer)

    def _record_skew(self, store: Store, answer: Answer) -> None:
        try:
            server_now = wire.parse_utc_timestamp(answer.body.get("server_time"), "server_time")
        except wire.ProtocolError:
            return
        # The server read its clock about halfway through the round trip.
        round_trip = answer.received_at - answer.sent_at
        pc_now = self.config.clock() - dt.timedelta(seconds=round_trip / 2)
        skew = (server_now - pc_now).total_seconds()
        store.record_clock_skew(round(skew, 1), flagged=abs(skew) > self.config.clock_skew_limit)

    # -- where the desk stands -------------------------------------------------------------------

    def _check_local_standing(self, store: Store) -> None:
        """Before any network, so that it also happens offline as soon as the program starts:
        is this database behind what this PC or its data folder last knew, or was its folder
        last used on another PC? Then documents saved from now on must not take numbers or
        sequences the server may hold: a fresh epoch starts here, to be granted later."""
        device_id = store.sync_state().device_id
        if device_id is None:
            return  # never enrolled: nothing of it is on any server
        home = machine_dir(self.config.machine_dir)
        machine = machine_id(home)
        reason = fork_reason(store, device_id, home, machine)
        if reason is None and read_token(store.folder.root) is None and store.pending_epoch_claim() is None:
            # Enrolled, but the token did not come along: the database was copied or put back
            # on its own. Enrolling again makes a new device; until then, a series of its own.
            reason = "moved"
        if reason is not None:
            epoch = store.start_new_epoch(reason=reason)
            log.warning("this database was %s; documents from now on are numbered under epoch %d",
                        "restored from an older copy" if reason == "restored" else "moved from another PC",
                        epoch)
        write_home_marker(home, store, device_id, machine)
        advance_marker(store.folder.root, device_id, 0, 0, machine)

    def _settle_epoch(self, store: Store, client: SyncClient, device_id: str, tally: _Tally) -> None:
        """Ask the server where this device stands and move to a fresh epoch when this
        database is not where the server is. Events the server has not acknowledged are then
        offered under the fresh epoch; an older copy of the desk is refused clearly."""
        claim = store.pending_epoch_claim()
        if claim is None:
            epoch = store.device_state()["epoch"]
            standing = self._retrying(lambda: client.standing(epoch))
            store.set_desk_number(standing["desk_number"])
            if standing["current_epoch"] > epoch:
                raise Superseded.from_answer(dict(standing))
            if not self._holds(store, standing):
                log.warning("the server holds events of epoch %d this database does not have "
                            "(restored from an older copy, or a copy of another desk)", epoch)
                store.start_new_epoch(reason="diverged")
                claim = store.pending_epoch_claim()
        if claim is not None:
            self._claim(store, client, device_id, claim, tally)
        tally.resent += store.requeue_under_current_epoch()

    @staticmethod
    def _holds(store: Store, standing: wire.StandingDict) -> bool:
        """Does this database hold the last event the server has of its epoch, under the same
        sequence? Sequences are given out in order, so if it does, it holds every earlier one."""
        if not standing["max_sequence"]:
            return True
        return store.outbox_event_id_at(standing["max_sequence"]) == standing["event_id_at_max"]

    def _claim(self, store: Store, client: SyncClient, device_id: str, claim: EpochClaim,
               tally: _Tally) -> None:
        grant = self._retrying(lambda: client.claim_epoch({
            "device_id": device_id, "claim": claim.claim, "from_epoch": claim.from_epoch,
            "proposed_epoch": claim.proposed_epoch, "reason": claim.reason,
            "take_over": claim.take_over, "claimed_by": (self.config.device_name or default_device_name())[:120],
        }))
        moved = store.adopt_epoch(grant["epoch"], grant["desk_number"])
        tally.resent += moved
        log.warning("the server granted epoch %d (%s); %d waiting events go under it",
                    grant["epoch"], claim.reason, moved)

    # -- push ------------------------------------------------------------------------------------

    def _push_all(self, store: Store, client: SyncClient, device_id: str, facility_code: str,
                  tally: _Tally | None = None) -> _Tally:
        """Send every waiting event in sequence order. When the server refuses events for
        reusing an (epoch, sequence) another copy of this desk used, the desk claims a fresh
        epoch and sends them again in another round: they are never dropped. A failure ends
        up in ``tally.error``; what was delivered before it stays counted."""
        tally = tally or _Tally()
        tally.waiting = store.unsent_counts()[0]
        try:
            for _ in range(3):  # a clash again right after a fresh epoch would be a server bug
                tally.clash = False
                self._push_round(store, client, device_id, facility_code, tally)
                if not tally.clash:
                    break
                store.start_new_epoch(reason="clash")
                claim = store.pending_epoch_claim()
                assert claim is not None
                self._claim(store, client, device_id, claim, tally)
                tally.clash_message = MESSAGES["records_clash"].format(epoch=store.device_state()["epoch"])
                log.error(tally.clash_message)
                tally.waiting = store.unsent_counts()[0]
        except SyncError as error:
            tally.error = error
        return tally

    def _encode(self, events: list[WireEvent], device_id: str, facility_code: str) -> _Batch:
        return _Batch(events, encode_push_raw(
            device_id, [(envelope_head(e, device_id, facility_code), e.payload_json) for e in events]))

    def _push_round(self, store: Store, client: SyncClient, device_id: str, facility_code: str,
                    tally: _Tally) -> None:
        """One pass over the waiting events.

        One batch is on the wire at a time, but while the server stores it this thread reads
        the next batch and records the answer to the previous one: on a PC that does both
        sides' work (the benchmark) or a slow server, that overlap is most of the speed. A
        batch that fails on the way is sent again after a short pause, a few times; an event
        the server neither took nor refused waits for the next pass."""
        marker_written = time.monotonic()
        retries = self.config.retries_in_pass

        def read(after: int) -> _Batch:
            events = [] if self.stop.is_set() else store.pending_wire_events(self.batch_size, after_sequence=after)
            return self._encode(events, device_id, facility_code)

        def send(batch: _Batch) -> Future[Answer]:
            return sender.submit(client.send_push, batch.body, len(batch.events))

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ihms-push") as sender:
            try:
                batch = read(0)
                in_flight = send(batch) if batch.events else None
                following: _Batch | None = None
                failures = 0
                while in_flight is not None:
                    if following is None:
                        following = read(batch.events[-1].sequence)
                    try:
                        answer = in_flight.result()
                    except SyncError as error:
                        store.record_sync_failure([e.event_id for e in batch.events], error.message)
                        failures += 1
                        if error.shrink_batch:
                            self.batch_size = max(1, self.batch_size // 2)
                            if len(batch.events) > self.batch_size:
                                batch, following = self._encode(batch.events[:self.batch_size], device_id,
                                                                facility_code), None
                        if not error.transient or failures > retries or self.stop.is_set():
                            raise
                        log.info("batch failed (%s); sending it again (%d of %d)", error.message, failures, retries)
                        self.stop.wait(self._pause(failures))
                        in_flight = send(batch)
                        continue
                    failures = 0
                    results = answer.body["results"]
                    if [r["event_id"] for r in results] != [e.event_id for e in batch.events]:
                        raise NotAnIhmsServer(client.not_ihms_message("its results do not match the events sent"))
                    clash = any(r.get("code") == wire.SEQUENCE_REUSED for r in results)
                    # Not a batch more under an epoch another copy of the desk uses.
                    in_flight = send(following) if following.events and not clash else None
                    self._record_batch(store, batch.events, results, tally)
                    if tally.acknowledged is not None and time.monotonic() - marker_written > MARKER_EVERY:
                        advance_marker(store.folder.root, device_id, *tally.acknowledged, self._machine())
                        marker_written = time.monotonic()
                    self.batch_size = min(self.config.max_batch_size, self.batch_size + max(1, self.batch_size // 8))
                    self.on_progress(tally.sent + tally.duplicates, tally.waiting)
                    batch, following = following, None
            finally:
                if tally.acknowledged is not None:
                    advance_marker(store.folder.root, device_id, *tally.acknowledged, self._machine())

    def _machine(self) -> str | None:
        return machine_id(machine_dir(self.config.machine_dir))

    def _record_batch(self, store: Store, batch: list[WireEvent], results: list[dict[str, Any]],
                      tally: _Tally) -> None:
        """Each event's result in one local transaction; a refused event is set aside (one
        refused for a reused sequence only until the fresh epoch, see ``_push_all``)."""
        store.record_sync_results((r["event_id"], r["status"], r.get("code"), r.get("reason")) for r in results)
        for event, result in zip(batch, results):
            status = result["status"]
            if status in (wire.APPLIED, wire.DUPLICATE):
                if status == wire.APPLIED:
                    tally.sent += 1
                else:
                    tally.duplicates += 1
                tally.waiting -= 1
                key = (event.epoch, event.sequence)
                if tally.acknowledged is None or key > tally.acknowledged:
                    tally.acknowledged = key
            elif status == wire.REJECTED:
                tally.waiting -= 1
                if result.get("code") == wire.SEQUENCE_REUSED:
                    tally.clash = True
                    log.warning("event %s (sequence %d) clashes with another copy of this desk; it is "
                                "sent again under a fresh epoch", event.event_id, event.sequence)
                else:
                    tally.set_aside += 1
                    log.warning("event %s (sequence %d) set aside: %s", event.event_id, event.sequence,
                                result.get("reason"))

    # -- pull ------------------------------------------------------------------------------------

    def _pull_catalogue(self, store: Store, client: SyncClient) -> int:
        """Catalogue pages by cursor, each page with its cursor in one local transaction."""
        cursor = store.sync_state().catalogue_cursor
        applied = 0
        restarted = False
        while not self.stop.is_set():
            try:
                asked = cursor
                page = self._retrying(lambda: client.catalogue_page(asked, self.config.catalogue_page_size)).body
            except CursorUnknown:
                if restarted:
                    raise
                log.warning("the server does not know catalogue cursor %r; pulling from the start", cursor)
                store.reset_catalogue_cursor()
                cursor, restarted = "", True
                continue
            changes, next_cursor = page["changes"], page["next_cursor"]
            if next_cursor == cursor:
                if changes:  # a server bug; looping on it would pull the same page forever
                    raise ServerTrouble.of("catalogue_stuck")
                break
            try:
                report = store.apply_catalogue_page(changes, cursor_before=cursor, next_cursor=next_cursor)
            except CursorMoved:
                break  # another pass moved it; the next pass goes on from there
            for key, reason in report.refused:
                log.warning("catalogue change %s not applied: %s", key, reason)
            applied += report.added + report.updated + int(report.facility_updated)
            cursor = next_cursor
            remaining = page.get("remaining")
            if not changes or (isinstance(remaining, int) and remaining <= 0):
                break
        return applied

    def _pull_vouchers(self, store: Store, client: SyncClient) -> int:
        """This facility's issued vouchers by cursor (docs/indents.md), each page with its
        cursor in one local transaction, like the catalogue; a voucher held already may come
        again, withdrawn. Returns how many were stored or withdrawn. A server that does not
        serve vouchers yet is no failure: there is nothing to pull."""
        cursor = store.voucher_cursor()
        stored = 0
        while not self.stop.is_set():
            asked = cursor
            page = self._retrying(lambda: client.vouchers_page(asked))
            if page is None:
                break
            next_cursor = page["cursor"]
            if next_cursor == cursor and page["vouchers"]:
                raise ServerTrouble.of("vouchers_stuck")  # the same page again would loop forever
            try:
                report = store.apply_voucher_page(page["vouchers"], cursor_before=cursor, next_cursor=next_cursor)
            except CursorMoved:
                break  # another pass moved it; the next pass goes on from there
            for number, reason in report.refused:
                log.warning("voucher %s not stored: %s", number, reason)
            stored += report.stored + report.withdrawn
            cursor = next_cursor
            if page.get("more") is not True:
                break
        return stored

    def _pull_suggestions(self, store: Store, client: SyncClient) -> None:
        """The district's redistribution suggestions in which this facility sends; the
        server's list replaces the one held."""
        found = self._retrying(client.suggestions)
        if found is None:
            return
        report = store.replace_suggestions(found)
        for key, reason in report.refused:
            log.warning("suggestion %s not stored: %s", key, reason)
