"""What the state server keeps of a patient (docs/privacy.md; India's DPDP Act 2023).

A dispense event arrives with the slip's patient: OPD number, name, age, sex and maybe an ABHA
number. The state needs quantities by facility, item, day, age band and sex, so unless the
state turns patient-level reporting on (``ihms-server setting set patient_level_reporting on``)
the server stores the event without the name, the ABHA number and the OPD number, and with an
age band in place of the age. The desk keeps the whole slip.

An event is still recognised when it is sent again: the stored hash is the identity hash of the
stored (redacted) copy, and an event that arrives is compared by both its whole hash and the hash
of its redacted copy (:func:`hashes_of`). The hash of the whole event is never stored for a
redacted one: names are few and ABHA numbers only 14 digits, so whoever can read the database
could confirm a guessed patient against it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ihms_desk.sync import protocol as wire

if TYPE_CHECKING:
    from ihms_server.store import Store

log = logging.getLogger(__name__)

#: The server setting (``server_setting`` table) and its values.
SETTING = "patient_level_reporting"
ON, OFF = "on", "off"
#: A patient's identifiers in a document's header, dropped unless patient-level reporting is on.
#: The prescriber stays: a doctor's name on a prescription is how the state audits prescribing.
PATIENT_IDENTIFIERS: tuple[str, ...] = ("patient_name", "abha", "opd_no")
#: Age bands (years, inclusive) of the state's OPD reports; the last is open-ended.
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 4), (5, 14), (15, 29), (30, 44), (45, 59), (60, None))
#: server_meta key: how far the redaction of events stored before it has got ('done' at the end).
PROGRESS_KEY = "redacted_through"
DONE = "done"
#: Below every event id: where the redaction starts (a UUID, so PostgreSQL's uuid column and
#: SQLite's text column compare it alike).
START = "00000000-0000-0000-0000-000000000000"
BATCH = 500


def age_band(age: Any) -> str | None:
    """``"30-44"`` for 34; ``"60+"`` for 71; None for what is not an age."""
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        return None
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    return None  # pragma: no cover - the last band is open-ended


def redact(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event without its patient's identifiers and exact age: a new dict, ``event`` untouched.
    Anything not shaped like an event (a refused one) is returned as it is, less what can be
    found of a header."""
    # Copied along the path to the header only: the movements and lines, most of an event, are
    # shared with the original (nothing here changes them).
    copy = dict(event)
    payload = copy.get("payload")
    if isinstance(payload, dict):
        payload = copy["payload"] = dict(payload)
        document = payload.get("document")
        if isinstance(document, dict):
            document = payload["document"] = dict(document)
            header = document.get("header")
            if isinstance(header, dict):
                header = document["header"] = {k: v for k, v in header.items() if k not in PATIENT_IDENTIFIERS}
                if "age" in header:
                    header["age_band"] = age_band(header.pop("age"))
    return copy


def is_redacted(event: Mapping[str, Any]) -> bool:
    payload = event.get("payload")
    document = payload.get("document") if isinstance(payload, dict) else None
    header = document.get("header") if isinstance(document, dict) else None
    return not isinstance(header, dict) or not any(k in header for k in (*PATIENT_IDENTIFIERS, "age"))


def stored_body(event: wire.Event, patient_level: bool) -> str:
    """The text stored for ``event``: as it came with patient-level reporting on, else redacted."""
    if patient_level or is_redacted(event.raw):
        return event.canonical
    return wire.canonical_json(wire.identity_of(redact(event.raw)))


def hash_of(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def as_stored(event: wire.Event, patient_level: bool) -> wire.Event:
    """``event`` with the body and identity hash the server stores for it."""
    body = stored_body(event, patient_level)
    if body == event.canonical:
        return event
    return dataclasses.replace(event, canonical=body, content_hash=hash_of(body))


def hashes_of(event: wire.Event) -> tuple[str, str]:
    """The identity hashes a stored copy of ``event`` may carry: whole (stored while
    patient-level reporting was on) or redacted."""
    body = stored_body(event, False)
    return event.content_hash, event.content_hash if body == event.canonical else hash_of(body)


def patient_level(cur: Any) -> bool:
    """Whether the state has turned patient-level reporting on (read in the caller's transaction)."""
    cur.execute("SELECT value FROM server_setting WHERE key = %s", (SETTING,))
    row = cur.fetchone()
    return row is not None and row[0] == ON


def redact_stored(store: Store, *, batch: int = BATCH) -> int:
    """Redact the events stored with their patients' identifiers (before 0007_privacy, or while
    patient-level reporting was on), unless it is on now; return how many were changed.

    Resumable: the last event id done is kept in ``server_meta`` after each batch. Each event's
    identity hash becomes the hash of its redacted copy (:func:`hashes_of` recognises a resend
    by it)."""
    changed = 0
    while True:
        with store._write() as cur:
            if patient_level(cur):
                return changed
            cur.execute("SELECT value FROM server_meta WHERE key = %s", (PROGRESS_KEY,))
            row = cur.fetchone()
            after = str(row[0]) if row is not None and row[0] else START
            if after == DONE:
                return changed
            cur.execute("SELECT event_id, body FROM event WHERE type = 'dispense' AND event_id > %s"
                        " ORDER BY event_id LIMIT %s", (after, batch))
            rows = cur.fetchall()
            for event_id, body in rows:
                whole = store._json_out(body)
                if is_redacted(whole):
                    continue
                body_text = wire.canonical_json(wire.identity_of(redact(whole)))
                cur.execute(f"UPDATE event SET body = {store._json_param}, content_hash = %s"
                            " WHERE event_id = %s", (body_text, hash_of(body_text), event_id))
                changed += 1
            progress = store._uuid_out(rows[-1][0]) if len(rows) == batch else DONE
            cur.execute("INSERT INTO server_meta (key, value) VALUES (%s, %s) ON CONFLICT (key)"
                        " DO UPDATE SET value = excluded.value", (PROGRESS_KEY, progress))
        if progress == DONE:
            if changed:
                log.warning("removed patients' names, ABHA and OPD numbers from %d stored dispense "
                            "events (patient-level reporting is off)", changed)
            return changed


def start_again(store: Store) -> None:
    """Patient-level reporting was turned off: redact what was stored while it was on."""
    with store._write() as cur:
        cur.execute("INSERT INTO server_meta (key, value) VALUES (%s, %s) ON CONFLICT (key)"
                    " DO UPDATE SET value = excluded.value", (PROGRESS_KEY, START))
    redact_stored(store)
