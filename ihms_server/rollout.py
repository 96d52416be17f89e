"""A district's rollout on the server: facilities imported in bulk, enrolment codes issued for
every facility not yet enrolled (each in a signed facility package), the admin's list of codes
with re-issue and revoke, the server's settings, and the per-facility progress the rollout view
shows (enrolled, first sync, first dispense, last sync).

Functions over an open :class:`~ihms_server.store.Store`, written with its SQL primitives, so
the two backends share every statement here.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from ihms_desk import fields
from ihms_desk.sync import protocol as wire
from ihms_desk.sync.protocol import ProtocolError
from ihms_server import privacy
from ihms_server.store import FacilityListing, Store, utc_now

#: How long a code issued in a facility package stays valid unless the admin set otherwise
#: (``ihms-server setting set rollout_code_days N``): a package travels by post or by hand to a
#: CHC, and the PC may be installed weeks later.
ROLLOUT_CODE_DAYS = 60

#: Settings the admin may change, with their defaults and what a value must be.
SETTINGS: dict[str, tuple[str, str]] = {
    "rollout_code_days": (str(ROLLOUT_CODE_DAYS), "a whole number of days from 1 to 365"),
    "server_url": ("", "the address desks reach this server at, https://... (http:// only to this machine)"),
    "helpline": ("", "the number a facility calls for help, printed on its slip"),
    privacy.SETTING: (privacy.OFF, "on or off: keep patients' names, ABHA and OPD numbers in stored "
                      "dispense events (docs/privacy.md); turning it off removes those already stored"),
}

FACILITY_COLUMNS = ("code", "name", "district", "block", "type")


def _valid_setting(key: str, value: str) -> bool:
    if key == "rollout_code_days":
        return value.isdecimal() and 1 <= int(value) <= 365
    if key == "server_url":
        # Desks refuse plain http to another machine; a package naming it would be useless.
        return value == "" or value.startswith("https://") or (
            value.startswith("http://") and not fields.plain_http_refused(value))
    if key == privacy.SETTING:
        return value in (privacy.ON, privacy.OFF)
    return len(value) <= 60


def setting(store: Store, key: str) -> str:
    """A server setting's value, or its default."""
    default = SETTINGS[key][0]
    with store._read() as cur:
        cur.execute("SELECT value FROM server_setting WHERE key = %s", (key,))
        row = cur.fetchone()
    return default if row is None else str(row[0])


def set_setting(store: Store, key: str, value: str) -> None:
    if key not in SETTINGS:
        raise ValueError(f"there is no setting {key!r}; settings: {', '.join(SETTINGS)}")
    value = value.strip()
    if not _valid_setting(key, value):
        raise ValueError(f"{key} must be {SETTINGS[key][1]}")
    was = setting(store, key)
    with store._write() as cur:
        cur.execute("INSERT INTO server_setting (key, value, updated_at) VALUES (%s, %s, %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    (key, value, store._ts(utc_now())))
    if key == privacy.SETTING and value == privacy.OFF and was == privacy.ON:
        # Turned off: what was stored whole meanwhile loses its patients' identifiers now.
        privacy.start_again(store)


# --- facilities in bulk -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FacilityImport:
    """What an import did (nothing at all when ``problems`` is not empty)."""

    read: int
    added: int
    changed: int
    unchanged: int
    problems: list[tuple[int, str]]


def read_facility_csv(path: Path) -> tuple[list[wire.FacilityData], list[tuple[int, str]]]:
    """Facilities from a CSV file with a header row (code, name, district, block, type and an
    optional ``active``), each row checked by the wire rules; problems come with the row's
    number as a spreadsheet shows it (the header is row 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, "the file is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'")]
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in FACILITY_COLUMNS if column not in header]
    if missing:
        return [], [(1, f"the header lacks {', '.join(missing)} (needed: {', '.join(FACILITY_COLUMNS)})")]
    reader.fieldnames = header
    facilities: list[wire.FacilityData] = []
    problems: list[tuple[int, str]] = []
    first_row: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if None in row:
            problems.append((row_number, "the row has more fields than the header"))
            continue
        values = {key: (row.get(key) or "").strip() for key in FACILITY_COLUMNS}
        if not any(values.values()):
            continue  # a blank line
        values["code"] = values["code"].upper()
        values["type"] = values["type"].upper()
        active_text = (row.get("active") or "").strip().lower()
        active = {"": True, "1": True, "yes": True, "y": True, "true": True,
                  "0": False, "no": False, "n": False, "false": False}.get(active_text)
        if active is None:
            problems.append((row_number, f"active is {active_text!r}: write yes or no"))
            continue
        try:
            data = wire.validate_facility_data({**values, "active": active})
        except ProtocolError as error:
            problems.append((row_number, f"{error.field or 'row'}: {error.reason}" if error.field else error.reason))
            continue
        earlier = first_row.setdefault(data["code"], row_number)
        if earlier != row_number:
            problems.append((row_number, f"facility {data['code']} is already on row {earlier}"))
            continue
        facilities.append(data)
    return facilities, problems


def import_facilities(store: Store, facilities: Sequence[wire.FacilityData]) -> FacilityImport:
    """Add or change facilities in one transaction; a facility as it already is stays
    untouched (no catalogue change is logged for it), so importing a file twice changes
    nothing the second time."""
    added = changed = 0
    with store._write() as cur:
        for data in facilities:
            cur.execute("SELECT 1 FROM facility WHERE code = %s", (data["code"],))
            existed = cur.fetchone() is not None
            if store._upsert_facility(cur, data):
                if existed:
                    changed += 1
                else:
                    added += 1
    return FacilityImport(len(facilities), added, changed, len(facilities) - added - changed, [])


# --- rollout codes ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IssuedCode:
    """A code issued for one facility's package (the code itself is never stored)."""

    facility: wire.FacilityData
    enrolment_code: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    package_id: str
    #: Unused rollout codes of the facility this one replaced (their packages no longer work).
    replaced: int


def districts(store: Store) -> list[str]:
    with store._read() as cur:
        cur.execute("SELECT DISTINCT district FROM facility ORDER BY district")
        return [str(row[0]) for row in cur.fetchall()]


#: SQL: the facility ``f`` has a desk whose token still works.
_ENROLLED = "EXISTS (SELECT 1 FROM device d WHERE d.facility_code = f.code AND d.revoked_at IS NULL)"


def issue_rollout(store: Store, district: str, *, valid_for: dt.timedelta | None = None,
                  facility_codes: Sequence[str] | None = None) -> list[IssuedCode]:
    """A fresh rollout code for every active facility of ``district`` with no enrolled desk
    (or only for ``facility_codes``, enrolled or not: a re-issue), in one transaction. Earlier
    unused rollout codes of those facilities are revoked, so only the newest package works."""
    import secrets

    days = int(setting(store, "rollout_code_days"))
    valid = valid_for or dt.timedelta(days=days)
    now = utc_now()
    issued: list[IssuedCode] = []
    with store._write() as cur:
        if facility_codes is None:
            cur.execute("SELECT f.code, f.name, f.district, f.block, f.type, f.active FROM facility f"
                        f" WHERE f.district = %s AND f.active AND NOT {_ENROLLED} ORDER BY f.block, f.name, f.code",
                        (district,))
            rows = cur.fetchall()
        else:
            rows = []
            for code in facility_codes:
                cur.execute("SELECT code, name, district, block, type, active FROM facility WHERE code = %s",
                            (code,))
                row = cur.fetchone()
                if row is None:
                    raise ProtocolError(wire.NOT_FOUND, f"there is no facility {code!r}")
                rows.append(row)
        for row in rows:
            facility = store._facility_data(row)
            cur.execute("UPDATE enrolment_code SET revoked_at = %s WHERE facility_code = %s AND kind = 'rollout'"
                        " AND used_at IS NULL AND revoked_at IS NULL RETURNING code_hash",
                        (store._ts(now), facility["code"]))
            replaced = len(cur.fetchall())
            package_id = secrets.token_hex(8)
            code = store._new_enrolment_code(cur, facility["code"], valid, now, kind="rollout", package_id=package_id)
            issued.append(IssuedCode(facility, code, now, now + valid, package_id, replaced))
    return issued


@dataclasses.dataclass(frozen=True)
class CodeRow:
    """One enrolment code as the admin's list shows it."""

    code_id: str  # the first characters of the code's hash: enough to name it, useless to enrol
    facility_code: str
    facility_name: str
    district: str
    kind: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    package_id: str | None

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        return "expired" if self.expires_at <= now else "valid"


CODE_ID_LENGTH = 10


def codes(store: Store, *, district: str | None = None, facility_code: str | None = None) -> list[CodeRow]:
    """Enrolment codes, newest first, of a district or a facility (or all)."""
    params: tuple[str, ...] = ()
    where = ""
    if facility_code is not None:
        where, params = "WHERE c.facility_code = %s", (facility_code,)
    elif district is not None:
        where, params = "WHERE f.district = %s", (district,)
    with store._read() as cur:
        cur.execute("SELECT c.code_hash, c.facility_code, f.name, f.district, c.kind, c.created_at, c.expires_at,"
                    " c.used_at, c.revoked_at, c.package_id FROM enrolment_code c"
                    f" JOIN facility f ON f.code = c.facility_code {where}"
                    " ORDER BY c.created_at DESC, c.facility_code", params)
        rows = cur.fetchall()
    return [CodeRow(r[0][:CODE_ID_LENGTH], r[1], r[2], r[3], r[4], store._ts_out(r[5]) or utc_now(),
                    store._ts_out(r[6]) or utc_now(), store._ts_out(r[7]), store._ts_out(r[8]), r[9])
            for r in rows]


def revoke_codes(store: Store, *, facility_code: str | None = None, code_id: str | None = None) -> int:
    """Withdraw unused codes: every one of a facility, or the one ``code_id`` names. Returns
    how many; a used code is left alone (revoke its device instead)."""
    if (facility_code is None) == (code_id is None):
        raise ValueError("name a facility or a code id")
    now = store._ts(utc_now())
    with store._write() as cur:
        if facility_code is not None:
            cur.execute("UPDATE enrolment_code SET revoked_at = %s WHERE facility_code = %s AND used_at IS NULL"
                        " AND revoked_at IS NULL RETURNING code_hash", (now, facility_code))
        else:
            assert code_id is not None
            if len(code_id) < 6 or not all(ch in "0123456789abcdef" for ch in code_id.lower()):
                raise ValueError("a code id is at least 6 of the characters 0-9 a-f, as 'code list' shows it")
            cur.execute("UPDATE enrolment_code SET revoked_at = %s WHERE code_hash LIKE %s AND used_at IS NULL"
                        " AND revoked_at IS NULL RETURNING code_hash", (now, code_id.lower() + "%"))
        return len(cur.fetchall())


# --- the rollout view -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FacilityProgress(FacilityListing):
    """How far one facility has got: package issued, enrolled, first sync, first dispense, last sync."""

    code_issued_at: dt.datetime | None  # the newest code still valid or used
    code_expires_at: dt.datetime | None
    desks: int
    enrolled_at: dt.datetime | None
    first_sync_at: dt.datetime | None
    first_dispense_at: dt.datetime | None
    first_dispense_saved_at: dt.datetime | None
    first_dispense_number: str | None
    last_sync_at: dt.datetime | None

    def stage(self, now: dt.datetime) -> str:
        """``live`` (a dispense arrived), ``syncing``, ``enrolled``, ``issued`` (a valid code
        waits), ``expired`` (the code lapsed unused) or ``not_issued``."""
        if self.first_dispense_at is not None:
            return "live"
        if self.first_sync_at is not None and self.desks:
            return "syncing"
        if self.desks:
            return "enrolled"
        if self.code_expires_at is not None:
            return "issued" if self.code_expires_at > now else "expired"
        return "not_issued"


def progress(store: Store, district: str) -> list[FacilityProgress]:
    """Every facility of a district with its rollout progress, in block and name order; a few
    statements whatever the district's size (one per kind of fact, grouped by facility)."""
    with store._read() as cur:
        cur.execute("SELECT f.code, f.name, f.district, f.block, f.type, f.active, r.first_sync_at,"
                    " r.first_dispense_at, r.first_dispense_saved_at, r.first_dispense_number"
                    " FROM facility f LEFT JOIN facility_rollout r ON r.facility_code = f.code"
                    " WHERE f.district = %s ORDER BY f.block, f.name, f.code", (district,))
        facilities = cur.fetchall()
        cur.execute("SELECT d.facility_code, count(*), min(d.enrolled_at), max(coalesce(d.last_seen_at, d.last_push_at))"
                    " FROM device d JOIN facility f ON f.code = d.facility_code"
                    " WHERE f.district = %s AND d.revoked_at IS NULL GROUP BY d.facility_code", (district,))
        devices = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("SELECT c.facility_code, max(c.created_at), max(c.expires_at) FROM enrolment_code c"
                    " JOIN facility f ON f.code = c.facility_code"
                    " WHERE f.district = %s AND c.revoked_at IS NULL GROUP BY c.facility_code", (district,))
        issued = {r[0]: r[1:] for r in cur.fetchall()}
    rows = []
    for r in facilities:
        desks, enrolled_at, last_sync = devices.get(r[0], (0, None, None))
        created, expires = issued.get(r[0], (None, None))
        rows.append(FacilityProgress(
            code=r[0], name=r[1], district=r[2], block=r[3], type=r[4], active=bool(r[5]),
            code_issued_at=store._ts_out(created), code_expires_at=store._ts_out(expires), desks=int(desks),
            enrolled_at=store._ts_out(enrolled_at), first_sync_at=store._ts_out(r[6]),
            first_dispense_at=store._ts_out(r[7]), first_dispense_saved_at=store._ts_out(r[8]),
            first_dispense_number=r[9], last_sync_at=store._ts_out(last_sync)))
    return rows
