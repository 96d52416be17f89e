"""The state's facility list on the desk, the facility package waiting to be enrolled with,
and the correction of this desk's own facility before its first sync.

A facility is chosen, never typed: from the list the catalogue pull brings (``state_facility``),
or, before the first pull, from the list shipped with the program (``resources/facilities/``).
A facility code mistyped at set-up can be corrected (audited) until the desk has synced; after
that the server knows the desk by it, and the correction is refused with what to do.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ihms_desk.store.base import StoreBase
from ihms_desk.store.errors import InvalidInput, NotSetUp
from ihms_desk.store.model import Facility
from ihms_desk.store.rules import FACILITY_TYPES, check_facility_code, check_text
from ihms_desk.store.users import Action

#: The shipped list, in the program's resources.
SHIPPED_LIST = ("facilities", "rajasthan.csv")


@dataclass(frozen=True)
class PendingPackage:
    """The facility package's enrolment, waiting for the line (cleared once enrolled)."""

    server_url: str
    enrolment_code: str
    expires_at: str | None
    package_id: str | None


def shipped_list_path() -> Path:
    from ihms_desk.paths import resource_path

    return resource_path(*SHIPPED_LIST)


def read_facility_list(source: Path | str | TextIO) -> list[Facility]:
    """Facilities of a list file (code, name, district, block, type; more columns are
    ignored); a row that breaks the rules is skipped: a list is a help, not a ledger."""
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return read_facility_list(io.StringIO(handle.read()))
    rows: list[Facility] = []
    for row in csv.DictReader(source):
        try:
            rows.append(_facility_of(row))
        except (InvalidInput, AttributeError):
            continue
    return rows


def _facility_of(data: Mapping[str, Any]) -> Facility:
    facility_type = str(data.get("type") or "").strip().upper()
    if facility_type not in FACILITY_TYPES:
        raise InvalidInput("bad_facility_type", field="type", types=", ".join(FACILITY_TYPES))
    return Facility(
        check_facility_code(data.get("code")),
        check_text(data.get("name"), "name", "Facility name"),
        check_text(data.get("district"), "district", "District", max_length=60),
        check_text(data.get("block"), "block", "Block", max_length=60),
        facility_type,
    )


def store_state_facility(conn: sqlite3.Connection, data: Mapping[str, Any], now: str) -> bool:
    """Keep one facility change of the catalogue pull in the state's list; a record the
    desk's rules refuse is left out (the caller reports it)."""
    facility = _facility_of(data)
    active = 0 if data.get("active") is False else 1
    conn.execute(
        "INSERT INTO state_facility (code, name, district, block, type, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, district = excluded.district, block = excluded.block, "
        "type = excluded.type, active = excluded.active, updated_at = excluded.updated_at",
        (facility.code, facility.name, facility.district, facility.block, facility.type, active, now),
    )
    return True


class FacilitiesMixin(StoreBase):
    """The state's list, the pending package and the facility correction."""

    def state_facilities(self, shipped: Path | None = None) -> list[Facility]:
        """The state's active facilities by district, block and name: the list shipped with the
        program (``shipped``, default the bundled one), overlaid by what the catalogue pull
        brought (a facility the state closed drops out, a new one comes in)."""
        path = shipped or shipped_list_path()
        by_code = {f.code: f for f in read_facility_list(path)} if path.exists() else {}
        for row in self._rows("SELECT code, name, district, block, type, active FROM state_facility"):
            if row["active"]:
                by_code[row["code"]] = Facility(row["code"], row["name"], row["district"], row["block"], row["type"])
            else:
                by_code.pop(row["code"], None)
        return sorted(by_code.values(), key=lambda f: (f.district.lower(), f.block.lower(), f.name.lower(), f.code))

    # -- the package's enrolment ---------------------------------------------------------------

    def remember_package(self, server_url: str, enrolment_code: str, *, expires_at: str | None = None,
                         package_id: str | None = None, helpline: str = "") -> None:
        """Keep a facility package's server and code until the sync loop has enrolled this desk
        with them (it tries whenever the line is up). An enrolled desk keeps its enrolment."""
        if self.sync_state_enrolled():
            return
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sync_state SET package_server_url = ?, package_code = ?, package_expires_at = ?, package_id = ?, "
                "helpline = ? WHERE id = 1",
                (server_url.strip(), enrolment_code.strip(), expires_at, package_id, helpline.strip() or None),
            )

    def pending_package(self) -> PendingPackage | None:
        """The package's enrolment still to be done, or None (none opened, or enrolled)."""
        row = self._row("SELECT package_server_url, package_code, package_expires_at, package_id, device_id "
                        "FROM sync_state WHERE id = 1")
        if row is None or not row["package_server_url"] or not row["package_code"] or row["device_id"]:
            return None
        return PendingPackage(row["package_server_url"], row["package_code"], row["package_expires_at"],
                              row["package_id"])

    def helpline(self) -> str:
        """The district's number for help, from the facility package ("" when none came)."""
        return str(self._scalar("SELECT coalesce(helpline, '') FROM sync_state WHERE id = 1") or "")

    def sync_state_enrolled(self) -> bool:
        return bool(self._scalar("SELECT device_id IS NOT NULL AND server_url IS NOT NULL FROM sync_state WHERE id = 1"))

    # -- correcting this desk's facility -------------------------------------------------------

    def has_synced(self) -> bool:
        """Has the state server ever known this desk (enrolled, or anything delivered)? From
        then on it knows the desk by its facility code."""
        row = self._row("SELECT device_id, last_success_at, last_delivery_at FROM sync_state WHERE id = 1")
        return row is not None and any(row[key] for key in ("device_id", "last_success_at", "last_delivery_at"))

    def correct_facility(self, *, code: str, name: str, district: str, block: str, type: str) -> Facility:
        """Put right this desk's facility (a code mistyped at set-up, the wrong CHC chosen),
        before its first sync only; audited with the old and the new code::

            store.correct_facility(code="RJ-JPR-CHC-016", name="CHC Bassi", district="Jaipur",
                                   block="Bassi", type="CHC")
        """
        user = self._require(Action.CHANGE_SETTINGS, "correct_facility")
        row = self._row("SELECT code, name, district, block, type FROM facility WHERE id = 1")
        if row is None:
            raise NotSetUp("not_set_up")
        old = Facility(*row)
        if self.has_synced():
            since = self._scalar("SELECT coalesce(enrolled_at, last_success_at, last_delivery_at) FROM sync_state WHERE id = 1")
            self.audit(user.username, "correct_facility", "refused", f"{old.code} -> {code}: already synced")
            raise InvalidInput("facility_fixed_after_sync", field="code", code=old.code, since=str(since or "")[:10])
        new = _facility_of({"code": code, "name": name, "district": district, "block": block, "type": type})
        if new == old:
            raise InvalidInput("facility_unchanged", field="code", code=old.code)
        with self._transaction() as conn:
            conn.execute("UPDATE facility SET code = ?, name = ?, district = ?, block = ?, type = ? WHERE id = 1",
                         (new.code, new.name, new.district, new.block, new.type))
            conn.execute(
                "INSERT INTO audit (at, username, action, outcome, detail) VALUES (?, ?, 'correct_facility', 'ok', ?)",
                (self.now_utc_iso(), user.username, f"{old.code} ({old.name}) -> {new.code} ({new.name})"),
            )
        return new
