"""``ihms-desk sync`` and ``ihms-desk enrol``: sync without the program, e.g. from a nightly
scheduled task when the counter is closed.

Exit status of ``sync --once``: 0 when everything waiting was sent, 4 when something is still
waiting (no line, server trouble), 5 when another sync of the folder is running; enrolment
refused or mistyped: 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from collections.abc import Mapping
from types import FrameType

from ihms_desk.cli.common import EXIT_ENVIRONMENT, EXIT_OK, EXIT_REFUSED, open_existing, say, words, words_of
from ihms_desk.logging_setup import setup_logging
from ihms_desk.store import Store
from ihms_desk.sync.device import default_device_name, enrol
from ihms_desk.sync.errors import SyncBusy, SyncError
from ihms_desk.sync.worker import SyncConfig, SyncOutcome, SyncStatus, SyncWorker, read_status
from ihms_desk.wording import Label

EXIT_NOT_SENT = 4
EXIT_BUSY = 5


def _config(args: argparse.Namespace) -> SyncConfig:
    return SyncConfig(lock_timeout=args.wait_for_lock, verify=args.ca_bundle or True)


def describe(status: SyncStatus) -> list[str]:
    """The status in plain lines, as ``--status`` prints it."""
    if not status.enrolled:
        lines = [words_of("cli_sync_not_enrolled")]
    else:
        state = {None: "not_tried", True: "online", False: "offline"}[status.online]
        lines = [words_of("cli_sync_server", server=status.server_url, state=Label(f"sync_state.{state}"))]
    lines.append(words_of("cli_sync_waiting", waiting=status.waiting, set_aside=status.set_aside))
    lines.append(words_of("cli_sync_last_success", when=when(status.last_success)))
    # A pass that failed half-way still delivered: say so, or "last success" would look stale.
    lines.append(words_of("cli_sync_last_delivery", when=when(status.last_delivery), n=status.delivered_last_hour))
    if status.last_error:
        lines.append(words_of("cli_sync_last_error", error=_last_error(status)))
        if status.next_try_at:
            lines.append(words_of("cli_sync_next_try", when=when(status.next_try_at)))
    if status.clock_skew_seconds is not None:
        lines.append(words_of("cli_sync_clock_wrong" if status.clock_flagged else "cli_sync_clock",
                              skew=f"{-status.clock_skew_seconds:+.0f}"))
    return lines


def _last_error(status: SyncStatus) -> str:
    """The last failure in the user's language (its kind and values, as the database keeps them)."""
    assert status.last_error is not None
    return words(_Failure(status.last_error_kind, status.last_error_values), status.last_error)


class _Failure:
    """A recorded failure's kind and values, as :func:`ihms_desk.wording.text_of` reads them."""

    def __init__(self, kind: str | None, values: Mapping[str, str] | None) -> None:
        self.kind = kind
        self.values = values or {}


def when(iso: str | None) -> str | Label:
    if iso is None:
        return Label("sync_state.never")
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%d-%m-%Y %H:%M")


def _print_outcome(outcome: SyncOutcome) -> None:
    """What the pass did, even when it stopped half-way (the tally survives the error)."""
    say("cli_sync_outcome", sent=outcome.sent, duplicates=outcome.duplicates, set_aside=outcome.set_aside,
        waiting=outcome.waiting, catalogue=outcome.catalogue_changes)
    if outcome.resent:
        say("cli_sync_resent", n=outcome.resent)
    if outcome.error is not None:
        say("cli_sync_not_finished", to=sys.stderr, error=words(outcome.error, outcome.error.message))


def cmd_sync(args: argparse.Namespace) -> int:
    # The same rotating log file as the program's: a nightly scheduled task leaves its trail
    # where support looks for it.
    setup_logging()
    if args.enrol:
        return _enrol(args, *args.enrol)
    with open_existing(args) as store:
        data_dir = store.folder.root
        if args.take_over:
            epoch = store.start_new_epoch(reason="restored", take_over=True)
            say("cli_take_over", epoch=epoch)
            args.once = True
        if args.status:
            for line in describe(read_status(store)):
                print(line)
            for event in store.rejected_events():
                say("cli_sync_set_aside", number=event["number"], type=event["type"], sequence=event["sequence"],
                    reason=event["reject_reason"])
            return EXIT_OK
    worker = SyncWorker(data_dir, _config(args))
    if args.once:
        outcome = worker.sync_once()
        _print_outcome(outcome)
        if isinstance(outcome.error, SyncBusy):
            return EXIT_BUSY
        return EXIT_OK if outcome.complete else EXIT_NOT_SENT
    return _daemon(worker)


def _daemon(worker: SyncWorker) -> int:
    def stop(signum: int, frame: FrameType | None) -> None:
        worker.shutdown()

    def report(status: SyncStatus) -> None:
        if not status.syncing:
            print(" | ".join(describe(status)), flush=True)

    worker.on_status = report
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    say("cli_syncing", flush=True, folder=worker.data_dir)
    worker.run()
    return EXIT_OK


def _enrol(args: argparse.Namespace, url: str, code: str) -> int:
    with open_existing(args) as store:
        return enrol_and_report(store, url, code, args)


def enrol_and_report(store: Store, url: str, code: str, args: argparse.Namespace) -> int:
    try:
        enrolment = enrol(store, url, code, device_name=getattr(args, "device_name", None) or default_device_name(),
                          verify=args.ca_bundle or True)
    except SyncError as error:
        say("cli_not_enrolled", to=sys.stderr, error=words(error, error.message))
        say("cli_nothing_touched", to=sys.stderr)
        return EXIT_REFUSED if error.online else EXIT_ENVIRONMENT
    say("cli_enrolled", name=enrolment.facility_name, code=enrolment.facility_code, server=enrolment.server_url,
        device=enrolment.device_id)
    return EXIT_OK


def cmd_enrol(args: argparse.Namespace) -> int:
    return _enrol(args, args.url, args.code)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ca-bundle", help="CA certificates to trust for the server (default: the system's)")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser("sync", help="send waiting records to the state server and fetch the catalogue")
    what = sync.add_mutually_exclusive_group(required=True)
    what.add_argument("--once", action="store_true", help="one sync; exit 0 only if everything was sent")
    what.add_argument("--daemon", action="store_true", help="keep syncing (retrying, nightly) until stopped")
    what.add_argument("--status", action="store_true", help="print what is waiting, the last success and error")
    what.add_argument("--enrol", nargs=2, metavar=("URL", "CODE"), help="enrol this desk with a one-time code")
    what.add_argument("--take-over", action="store_true",
                      help="make this PC the desk's only copy (after a restore the server refused as "
                           "older), then sync once")
    sync.add_argument("--wait-for-lock", type=float, default=0.0, metavar="SECONDS",
                      help="wait this long if another sync of this data folder is running")
    sync.add_argument("--device-name", help="how the district sees this PC (default: its computer name)")
    _common(sync)
    sync.set_defaults(handler=cmd_sync)

    enrol_parser = commands.add_parser("enrol", help="enrol this desk with the state server (one-time code)")
    enrol_parser.add_argument("url", help="the server address, e.g. https://ihms.rajasthan.gov.in")
    enrol_parser.add_argument("code", help="the enrolment code from the district, e.g. ABCD-EFGH-JKMN")
    enrol_parser.add_argument("--device-name", help="how the district sees this PC (default: its computer name)")
    _common(enrol_parser)
    enrol_parser.set_defaults(handler=cmd_enrol)

