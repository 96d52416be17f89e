"""Why a sync did not get through, in words the in-charge can act on.

Every failure of the network, the server or the enrolment becomes one of these; ``message``
is shown as it is in the status bar, the Sync screen and the CLI. Nothing waiting in the
outbox is ever dropped because of one of them.
"""

from __future__ import annotations


class SyncError(Exception):
    """A sync attempt that did not get through. ``online`` says whether a server answered."""

    online: bool = False
    #: The batch of events was too big or too slow: send fewer at a time.
    shrink_batch: bool = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotEnrolled(SyncError):
    """This desk has no server address or device token yet."""


class ServerUnreachable(SyncError):
    """No answer: the line is down, the address is wrong, or the server is not running."""


class RequestTimedOut(ServerUnreachable):
    """The server took too long; a big batch on a slow line is the usual cause."""

    shrink_batch = True


class CertificateNotTrusted(SyncError):
    """The server's TLS certificate did not verify (or the PC's date is far off)."""


class ServerTrouble(SyncError):
    """The server answered with an error of its own (5xx); it will be tried again."""

    online = True


class NotAnIhmsServer(SyncError):
    """Something answered, but not like an IHMS server: a web page, a login portal, garbage.
    Counted as offline: for the counter, the state server was not reached."""


class VersionMismatch(SyncError):
    """The desk and the server speak different sync protocol versions."""

    online = True


class TokenRejected(SyncError):
    """The device token is unknown or was withdrawn: the desk must be enrolled again."""

    online = True


class EnrolmentRefused(SyncError):
    """The enrolment code is wrong, already used or expired."""

    online = True


class RequestRefused(SyncError):
    """The server refused the request as malformed (4xx); a bug to report, retried later."""

    online = True


class BatchTooLarge(RequestRefused):
    shrink_batch = True


class CursorUnknown(SyncError):
    """The server does not know our catalogue cursor (it was reset): pull from the start."""

    online = True


class LocalProblem(SyncError):
    """This PC's side failed: the database is locked, read-only or the disk is full."""


class SyncBusy(SyncError):
    """Another sync (the program, or a scheduled task) is running on this data folder."""
