"""Why a sync did not get through, in words the in-charge can act on.

Every failure of the network, the server or the enrolment becomes one of these; ``message``
is the English the CLI prints and the database keeps. Each message also has a stable ``kind``
and its ``values`` (server address, HTTP status, ...), from which the screens word it in the
user's language (``ihms_desk.wording``); a message no kind knows stays English.
Nothing waiting in the outbox is ever dropped because of one of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any, Self

from ihms_desk.wording.en import MESSAGES as ENGLISH
from ihms_desk.wording.en import SYNC_KINDS

#: The English of every failure this package reports, by a stable kind: each ``{name}`` is a
#: value. The words live in the program's wording tables (``ihms_desk/wording/en.py`` and
#: ``hi.py``, one entry per language), where the screens and the command line look them up.
#: ``client.py`` and ``device.py`` write these sentences out in full, so a kind is also
#: recognised from the text alone (:func:`identify`); that is how a failure recorded in the
#: database, by this version or an earlier one, gets its kind back. The first template that
#: matches wins: a particular one comes before a general one. Change a sentence in the table
#: and where it is written together (tests/ui/test_sync_texts.py raises the real ones).
MESSAGES: dict[str, str] = {kind: ENGLISH[kind] for kind in SYNC_KINDS}

_VALUE = re.compile(r"\{(\w+)\}")


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: its text literally, each ``{name}`` a group."""
    pieces = _VALUE.split(template)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.*?)"
                              for index, piece in enumerate(pieces)), re.DOTALL)


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    # Compiled on first use, not at import: the desktop's first window imports this module,
    # and 25 patterns cost it about 10 ms.
    return {kind: _pattern(template) for kind, template in MESSAGES.items()}


def identify(message: str | None) -> tuple[str | None, dict[str, str]]:
    """The kind and values of a message written from :data:`MESSAGES`; ``(None, {})`` for any
    other text (a server's own words, a wording of another version)."""
    if message:
        for kind, pattern in _patterns().items():
            match = pattern.fullmatch(message)
            if match:
                return kind, match.groupdict()
    return None, {}


class SyncError(Exception):
    """A sync attempt that did not get through. ``online`` says whether a server answered.

    ``code`` is the server's error code when it gave one; ``kind`` and ``values`` say which of
    :data:`MESSAGES` the message is (``kind`` is None for a message none of them writes).
    """

    online: bool = False
    #: The batch of events was too big or too slow: send fewer at a time.
    shrink_batch: bool = False
    #: A flaky line or a passing server fault: worth trying again within the same pass.
    transient: bool = False

    def __init__(self, message: str, *, code: str | None = None, kind: str | None = None,
                 values: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if kind is None:
            # Most are raised with their sentence written out (client.py, device.py).
            kind, found = identify(message)
            values = found if values is None else values
        self.kind = kind
        self.values: dict[str, str] = dict(values or {})

    @classmethod
    def of(cls, kind: str, **values: Any) -> Self:
        """The error of ``kind`` with its English message, ``values`` filled in."""
        text = {name: str(value) for name, value in values.items()}
        return cls(MESSAGES[kind].format(**text), kind=kind, values=text)


class NotEnrolled(SyncError):
    """This desk has no server address or device token yet."""


class ServerUnreachable(SyncError):
    """No answer: the line is down, the address is wrong, or the server is not running."""

    transient = True


class PlainHttpRefused(SyncError):
    """A server address in plain ``http://`` to another machine: the device token and the
    patients' records would cross the line unencrypted. Never sent; the address must change."""


class RequestTimedOut(ServerUnreachable):
    """The server took too long; a big batch on a slow line is the usual cause."""

    shrink_batch = True


class CertificateNotTrusted(SyncError):
    """The server's TLS certificate did not verify (or the PC's date is far off)."""


class ServerAnswered(SyncError):
    """A server answered (the desk is online), but what it said ends the attempt."""

    online = True


class ServerTrouble(ServerAnswered):
    """The server answered with an error of its own (5xx); it will be tried again."""

    transient = True


class NotAnIhmsServer(SyncError):
    """Something answered, but not like an IHMS server: a web page, a login portal, garbage.
    Counted as offline: for the counter, the state server was not reached."""

    transient = True


class VersionMismatch(ServerAnswered):
    """The desk and the server speak different sync protocol versions."""


class TokenRejected(ServerAnswered):
    """The device token is unknown or was withdrawn: the desk must be enrolled again."""


class EnrolmentRefused(ServerAnswered):
    """The enrolment code is wrong, already used or expired."""


class RequestRefused(ServerAnswered):
    """The server refused the request as malformed (4xx); a bug to report, retried later."""


class BatchTooLarge(RequestRefused):
    shrink_batch = True


class CursorUnknown(ServerAnswered):
    """The server does not know our catalogue cursor (it was reset): pull from the start."""


class Superseded(ServerAnswered):
    """Another copy of this desk (restored or copied onto another PC) claimed a newer epoch:
    the server takes nothing more from this one until it is enrolled again or takes over."""

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> Superseded:
        """From the server's 409 answer (or a standing answer) with the claim's details."""
        claimed_at = answer.get("claimed_at", answer.get("epoch_claimed_at"))
        when = "an earlier date"
        if isinstance(claimed_at, str):
            try:
                moment = dt.datetime.fromisoformat(claimed_at.replace("Z", "+00:00"))
                when = moment.astimezone().strftime("%d-%m-%Y %H:%M")
            except ValueError:
                pass
        who = answer.get("claimed_by", answer.get("epoch_claimed_by")) or "another PC"
        epoch = answer.get("current_epoch", "?")
        return cls.of("superseded", claimed_by=str(who)[:120], when=when, epoch=epoch)


class LocalProblem(SyncError):
    """This PC's side failed: the database is locked, read-only or the disk is full."""


class SyncBusy(SyncError):
    """Another sync (the program, or a scheduled task) is running on this data folder."""
