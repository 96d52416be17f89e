"""``ihms-desk sync`` and ``ihms-desk enrol``: sync without the program, e.g. from a nightly
scheduled task when the counter is closed.

Exit status of ``sync --once``: 0 when everything waiting was sent, 4 when something is still
waiting (no line, server trouble), 5 when another sync of the folder is running; enrolment
refused or mistyped: 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import signal
import sys
import threading
from types import FrameType
from typing import Any

from ihms_desk.logging_setup import setup_logging
from ihms_desk.store import Store
from ihms_desk.sync.device import default_device_name, enrol
from ihms_desk.sync.errors import SyncBusy, SyncError
from ihms_desk.sync.worker import SyncConfig, SyncOutcome, SyncStatus, SyncWorker, read_status

# The CLI module is loaded by name, not imported: a static import would make `mypy
# ihms_desk/sync` type-check the whole program (the GUI included) through ihms_desk.cli.
_cli: Any = importlib.import_module("ihms_desk.cli")
EXIT_OK: int = _cli.EXIT_OK
EXIT_REFUSED: int = _cli.EXIT_REFUSED
EXIT_ENVIRONMENT: int = _cli.EXIT_ENVIRONMENT
EXIT_NOT_SENT = 4
EXIT_BUSY = 5


def _open_existing(args: argparse.Namespace) -> Store:
    store: Store = _cli._open_existing(args)
    return store


def _config(args: argparse.Namespace) -> SyncConfig:
    return SyncConfig(lock_timeout=args.wait_for_lock, verify=args.ca_bundle or True)


def describe(status: SyncStatus) -> list[str]:
    """The status in plain lines, as ``--status`` prints it."""
    if not status.enrolled:
        lines = ["Not enrolled with a state server yet (ihms-desk sync --enrol URL CODE)."]
    else:
        online = {None: "not tried yet", True: "online", False: "offline"}[status.online]
        lines = [f"Server: {status.server_url} ({online})"]
    lines.append(f"Waiting to be sent: {status.waiting}; set aside by the server: {status.set_aside}")
    lines.append(f"Last complete sync: {when(status.last_success)}")
    # A pass that failed half-way still delivered: say so, or "last success" would look stale.
    lines.append(f"Last delivery: {when(status.last_delivery)}; delivered in the last hour: "
                 f"{status.delivered_last_hour}")
    if status.last_error:
        lines.append(f"Last error: {status.last_error}")
        if status.next_try_at:
            lines.append(f"Next try: {when(status.next_try_at)}")
    if status.clock_skew_seconds is not None:
        flag = "  <- this PC's clock is wrong; please correct it" if status.clock_flagged else ""
        lines.append(f"PC clock vs server: {-status.clock_skew_seconds:+.0f} s{flag}")
    return lines


def when(iso: str | None) -> str:
    if iso is None:
        return "never"
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%d-%m-%Y %H:%M")


def _print_outcome(outcome: SyncOutcome) -> None:
    """What the pass did, even when it stopped half-way (the tally survives the error)."""
    print(f"Sent {outcome.sent} (already on the server: {outcome.duplicates}), set aside "
          f"{outcome.set_aside}, still waiting {outcome.waiting}; catalogue changes {outcome.catalogue_changes}.")
    if outcome.resent:
        print(f"{outcome.resent} records are offered again under a fresh epoch (this desk was restored, "
              "copied, or clashed with another copy of itself).")
    if outcome.error is not None:
        print(f"Not finished: {outcome.error.message}", file=sys.stderr)


def cmd_sync(args: argparse.Namespace) -> int:
    # The same rotating log file as the program's: a nightly scheduled task leaves its trail
    # where support looks for it.
    setup_logging()
    if args.enrol:
        return _enrol(args, *args.enrol)
    with _open_existing(args) as store:
        data_dir = store.path.parent
        if args.take_over:
            epoch = store.start_new_epoch(reason="restored", take_over=True)
            print(f"This PC takes the desk over under epoch {epoch} at the next sync; another copy "
                  "of it still in use is refused from then on.")
            args.once = True
        if args.status:
            for line in describe(read_status(store)):
                print(line)
            for event in store.rejected_events():
                print(f"  set aside: {event['number']} ({event['type']}, sequence {event['sequence']}): "
                      f"{event['reject_reason']}")
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
    print(f"Syncing {worker.data_dir} until stopped (Ctrl+C).", flush=True)
    worker.run()
    return EXIT_OK


def _enrol(args: argparse.Namespace, url: str, code: str) -> int:
    with _open_existing(args) as store:
        return enrol_and_report(store, url, code, args)


def enrol_and_report(store: Store, url: str, code: str, args: argparse.Namespace) -> int:
    try:
        enrolment = enrol(store, url, code, device_name=getattr(args, "device_name", None) or default_device_name(),
                          verify=args.ca_bundle or True)
    except SyncError as error:
        print(f"Not enrolled: {error.message}", file=sys.stderr)
        print("Nothing waiting on this PC was touched.", file=sys.stderr)
        return EXIT_REFUSED if error.online else EXIT_ENVIRONMENT
    print(f"Enrolled {enrolment.facility_name} ({enrolment.facility_code}) with {enrolment.server_url}; "
          f"device {enrolment.device_id}.")
    return EXIT_OK


def cmd_enrol(args: argparse.Namespace) -> int:
    return _enrol(args, args.url, args.code)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ca-bundle", help="CA certificates to trust for the server (default: the system's)")


def register_cli(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``sync`` and ``enrol`` to the ``ihms-desk`` command (see ``cli.EXTRA_COMMANDS``)."""
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

