"""What makes the dispensing counter faster than paper (issue 12), without a widget in sight:
the OPD number offered, a repeated one found, the prescriber and each item's dose remembered,
age and sex read from one field, the patient's last prescription, drafts of half-typed forms,
and cheap corrections (the last slip corrected, a line taken back).

Drafts and doses live in this file beside the ledger, never in it: nothing here is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ihms_desk.store.catalogue import ITEM_COLUMNS, item_from_row
from ihms_desk.store.errors import DocumentNotFound, InvalidInput, Refusal, StockTooLow
from ihms_desk.store.ledger import LedgerMixin, _Movement
from ihms_desk.store.model import DispenseLine, Item, Patient, SavedDocument
from ihms_desk.store.rules import check_quantity, check_text
from ihms_desk.store.users import Action

#: Minutes after saving a slip in which its pharmacist may still correct it (the in-charge
#: changes it in Settings: ``correction_minutes``; 0 turns corrections off).
DEFAULT_CORRECTION_MINUTES = 10
#: How far back the patient's last prescription is looked for (a follow-up visit).
REPEAT_LOOKBACK_DAYS = 90
#: The adjustment reason of a patient's return of unused medicine.
PATIENT_RETURN = "patient_return"

_AGE_SEX = re.compile(
    # "35M", "6 F", "8m" (months: a small m), "8mF", "2y M"; the sex letter in any case.
    r"^(?P<n>\d{1,3})\s*(?:(?P<months>m(?:o|th|ths|onths?)?)|y(?:rs?|ears?)?)?\s*(?P<sex>[MFOmfo])?$"
)


@dataclass(frozen=True)
class AgeSex:
    """Age and sex as typed in one field: whole years, the months of an infant, the sex."""

    years: int
    months: int | None
    sex: str | None


@dataclass(frozen=True)
class RepeatLine:
    """A line of the patient's last prescription, to be given again."""

    item: Item
    qty_prescribed: int
    dose: str | None


@dataclass(frozen=True)
class LastPrescription:
    number: str
    doc_date: str
    lines: list[RepeatLine]


@dataclass(frozen=True)
class Draft:
    """A half-typed form kept by :meth:`CounterMixin.save_draft`."""

    screen: str
    saved_at: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Correction:
    """A slip corrected: the reversal of the old one and the new slip, saved together."""

    reversal: SavedDocument
    dispense: SavedDocument


def read_age_sex(text: str) -> AgeSex:
    """``35M`` -> 35 years, male; ``6f`` -> 6, female; ``8m`` -> 8 months (a small m), no sex
    yet; ``8mF`` -> 8 months, female. :class:`InvalidInput` says how to type it."""
    match = _AGE_SEX.match(" ".join((text or "").split()))
    if not match:
        raise InvalidInput("bad_age_sex", field="age", text=(text or "").strip()[:20])
    number = int(match["n"])
    sex = match["sex"].upper() if match["sex"] else None
    if match["months"]:
        if number > 36:
            raise InvalidInput("bad_age_months", field="age")
        return AgeSex(number // 12, number, sex)
    if number > 130:
        raise InvalidInput("bad_age", field="age")
    return AgeSex(number, None, sex)


def opd_prefix(day: dt.date) -> str:
    """The day's prefix of OPD numbers, as the registration counter prints it: ``251202/``."""
    return day.strftime("%y%m%d") + "/"


class CounterMixin(LedgerMixin):
    """The counter's memory and its cheap corrections (see the module docstring)."""

    # -- the header -------------------------------------------------------------------------

    def _todays_opd_numbers(self) -> list[tuple[str, str]]:
        """(OPD number, document number) of today's dispenses not reversed, newest first."""
        rows = self._rows(
            "SELECT json_extract(d.header, '$.opd_no') AS opd_no, d.number FROM document d "
            "WHERE d.doc_date = ? AND d.kind = 'dispense' "
            "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id) ORDER BY d.id DESC",
            (self.today().isoformat(),),
        )
        return [(str(row["opd_no"] or ""), row["number"]) for row in rows]

    def next_opd_no(self) -> str:
        """Today's prefix and the number after the highest one dispensed today (``251202/0043``)."""
        prefix = opd_prefix(self.today())
        serials = [opd[len(prefix):] for opd, _ in self._todays_opd_numbers()
                   if opd.startswith(prefix) and opd[len(prefix):].isdecimal() and len(opd) - len(prefix) <= 6]
        if not serials:
            return f"{prefix}0001"
        last = max(serials, key=int)
        # As wide as the registration counter writes them (0042, or 04895 on a busy day).
        return f"{prefix}{int(last) + 1:0{max(4, len(last))}d}"

    def opd_dispensed_today(self, opd_no: str) -> str | None:
        """The number of today's slip already given to this OPD number, if there is one."""
        wanted = " ".join(opd_no.split()).upper()
        return next((number for opd, number in self._todays_opd_numbers() if " ".join(opd.split()).upper() == wanted),
                    None)

    def last_prescriber(self) -> str:
        """The prescriber of this user's last slip: a run of slips comes from one doctor."""
        if self.user is None:
            return ""
        row = self._row("SELECT json_extract(header, '$.prescriber') FROM document "
                        "WHERE kind = 'dispense' AND created_by = ? ORDER BY id DESC LIMIT 1", (self.user.id,))
        return str(row[0] or "") if row else ""

    def remembered_doses(self, codes: Sequence[str]) -> dict[str, str]:
        """The dose last typed at this counter for each of ``codes`` that has one."""
        if not codes:
            return {}
        rows = self._rows(
            f"SELECT i.code, m.dose FROM dose_memory m JOIN item i ON i.id = m.item_id "
            f"WHERE i.code IN ({', '.join('?' for _ in codes)})", tuple(code.strip().upper() for code in codes))
        return {row[0]: row[1] for row in rows}

    def last_prescription(self, *, name: str = "", sex: str = "", abha: str | None = None) -> LastPrescription | None:
        """The patient's last slip (not reversed) in the last :data:`REPEAT_LOOKBACK_DAYS`:
        by ABHA number when given, else by name and sex; None if there is none."""
        since = (self.today() - dt.timedelta(days=REPEAT_LOOKBACK_DAYS)).isoformat()
        params: tuple[str, ...]
        if abha and abha.strip():
            digits = "".join(ch for ch in abha if ch.isdigit())
            condition, params = "replace(json_extract(d.header, '$.abha'), '-', '') = ?", (digits,)
        else:
            wanted = " ".join(name.split()).lower()
            if not wanted:
                return None
            condition = "lower(json_extract(d.header, '$.patient_name')) = ? AND json_extract(d.header, '$.sex') = ?"
            params = (wanted, sex.strip().upper()[:1])
        row = self._row(
            f"SELECT d.id, d.number, d.doc_date FROM document d WHERE d.doc_date >= ? AND d.kind = 'dispense' "
            f"AND {condition} AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id) "
            "ORDER BY d.id DESC LIMIT 1", (since, *params))
        if row is None:
            return None
        items = self._rows(f"SELECT {ITEM_COLUMNS}, l.qty_prescribed, m.dose FROM document_line l "
                           "JOIN item i ON i.id = l.item_id LEFT JOIN dose_memory m ON m.item_id = i.id "
                           "WHERE l.document_id = ? AND i.active = 1 ORDER BY l.line_no", (row["id"],))
        width = len(items[0]) - 2 if items else 0
        return LastPrescription(row["number"], row["doc_date"], [
            RepeatLine(item_from_row(tuple(line)[:width]), line["qty_prescribed"], line["dose"]) for line in items])

    # -- drafts -----------------------------------------------------------------------------

    def save_draft(self, screen: str, content: dict[str, Any]) -> None:
        """Keep a half-typed form of ``screen`` for this user (one per screen), replacing the last."""
        if self.user is None:
            return
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO draft (screen, username, saved_at, content) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (screen, username) DO UPDATE SET saved_at = excluded.saved_at, content = excluded.content",
                (screen, self.user.username, self.now_utc_iso(), json.dumps(content, ensure_ascii=False)))

    def draft(self, screen: str) -> Draft | None:
        """This user's draft of ``screen``, if one was left (a power cut, a closed window)."""
        if self.user is None:
            return None
        row = self._row("SELECT saved_at, content FROM draft WHERE screen = ? AND username = ?",
                        (screen, self.user.username))
        return None if row is None else Draft(screen, row["saved_at"], json.loads(row["content"]))

    def discard_draft(self, screen: str) -> None:
        """The form was saved or emptied on purpose: no draft to offer."""
        if self.user is None:
            return
        with self._transaction() as conn:
            conn.execute("DELETE FROM draft WHERE screen = ? AND username = ?", (screen, self.user.username))

    # -- corrections ------------------------------------------------------------------------

    def correction_minutes(self) -> int:
        return int(self.setting("correction_minutes", str(DEFAULT_CORRECTION_MINUTES)))

    def correctable_slip(self) -> str | None:
        """The number of this user's last slip if it may still be corrected, else None."""
        try:
            return str(self.check_correctable(None)["number"])
        except Refusal:
            return None

    def check_correctable(self, number: str | None) -> Any:
        """This user's last slip (its row: number, created_at) if it may be corrected, and is
        ``number`` when one is given; else the :class:`Refusal` saying why not."""
        user = self.user
        if user is None or not user.may(Action.DISPENSE):
            raise Refusal("correct_only_your_last_slip", field="number", number=number or "")
        last = self._row(
            "SELECT d.id, d.number, d.created_at, "
            "(SELECT r.number FROM document r WHERE r.reverses_id = d.id) AS reversed_by "
            "FROM document d WHERE d.kind = 'dispense' AND d.created_by = ? ORDER BY d.id DESC LIMIT 1", (user.id,))
        if last is None or (number is not None and last["number"] != number.strip().upper()):
            raise Refusal("correct_only_your_last_slip", field="number", number=number or "")
        if last["reversed_by"]:
            raise Refusal("already_reversed", field="number", number=last["number"], by=last["reversed_by"])
        minutes = self.correction_minutes()
        saved = dt.datetime.fromisoformat(last["created_at"])
        if minutes <= 0 or self.now() - saved > dt.timedelta(minutes=minutes):
            raise Refusal("correction_window_over", field="number", number=last["number"], minutes=minutes)
        return last

    def correct_dispense(self, number: str, *, patient: Patient, prescriber: str, lines: Sequence[DispenseLine],
                         reason: str) -> Correction:
        """Correct this user's last slip within the in-charge's window: a reversal of it and
        the slip as it should have been, in one transaction, with one audit row::

            store.correct_dispense("DSP/2026-27/000123", patient=..., prescriber=..., lines=[...],
                                   reason="wrong strength")
        """
        self._require(Action.DISPENSE, "dispense")
        reason = check_text(reason, "reason", "Reason for the reversal", max_length=300)
        header, checked = self._checked_dispense(patient, prescriber, lines)
        day = self._document_day(None)
        with self._transaction() as conn:
            last = self.check_correctable(number)
            reversal = self._reverse_in(conn, last["number"], reason, day)
            dispense = self._dispense_in(conn, day, header, checked)
            assert self.user is not None
            conn.execute("INSERT INTO audit (at, username, action, outcome, detail) VALUES (?, ?, 'correct_dispense', 'ok', ?)",
                         (self.now_utc_iso(), self.user.username,
                          f"{last['number']} reversed by {reversal.number}, saved again as {dispense.number}: {reason}"[:500]))
        return Correction(reversal, dispense)

    def return_line(self, number: str, line_no: int, qty: int, *, note: str = "") -> SavedDocument:
        """A patient brings back ``qty`` of slip ``number``'s line ``line_no`` unused: the units go
        back to the batches they came from (latest expiry first) and count as not consumed.
        The slip itself stays; the return is an adjustment that names it and its line."""
        self._require(Action.DISPENSE, "dispense")
        qty = check_quantity(qty)
        note = check_text(note, "note", "Note", max_length=300, required=False)
        day = self._document_day(None)
        with self._transaction() as conn:
            original = conn.execute(
                "SELECT d.id, d.number, (SELECT r.number FROM document r WHERE r.reverses_id = d.id) AS reversed_by "
                "FROM document d WHERE d.number = ? AND d.kind = 'dispense'", (number.strip().upper(),)).fetchone()
            if original is None:
                raise DocumentNotFound("document_not_found", field="number", number=number)
            if original["reversed_by"]:
                raise Refusal("already_reversed", field="number", number=original["number"], by=original["reversed_by"])
            given = conn.execute(
                "SELECT m.batch_id, m.item_id, -m.qty AS qty, b.batch_no, b.expiry_month, i.code FROM movement m "
                "JOIN batch b ON b.id = m.batch_id JOIN item i ON i.id = m.item_id "
                "WHERE m.document_id = ? AND m.line_no = ? ORDER BY b.expiry_month DESC, m.id DESC",
                (original["id"], line_no)).fetchall()
            if not given:
                raise InvalidInput("no_such_line_to_return", field="line", number=original["number"], line=line_no)
            back = returned_by_batch(conn, original["number"], line_no)
            # What each batch gave and has not had back yet, latest expiry first.
            given = [{**dict(row), "qty": row["qty"] - back.get(row["batch_id"], 0)} for row in given]
            left = sum(row["qty"] for row in given)
            if qty > left:
                raise StockTooLow(given[0]["code"], qty, left)
            movements, doc_lines = _return_movements(given, qty)
            header = {"reason_code": PATIENT_RETURN, "note": note, "returns_number": original["number"],
                      "returns_line_no": line_no}
            return self._save(conn, "adjustment", day, header, doc_lines, movements)


def returned_by_batch(conn: Any, number: str, line_no: int | None = None) -> dict[int, int]:
    """Units of slip ``number`` (of its line ``line_no``, or of any line) brought back by
    patients and not reversed, by batch id."""
    rows = conn.execute(
        "SELECT m.batch_id, sum(m.qty) FROM document d JOIN movement m ON m.document_id = d.id "
        "WHERE d.kind = 'adjustment' AND json_extract(d.header, '$.returns_number') = ? "
        "AND (? IS NULL OR json_extract(d.header, '$.returns_line_no') = ?) "
        "AND NOT EXISTS (SELECT 1 FROM document r WHERE r.reverses_id = d.id) GROUP BY m.batch_id",
        (number, line_no, line_no)).fetchall()
    return {row[0]: row[1] for row in rows}


def _return_movements(given: list[dict[str, Any]], qty: int) -> tuple[list[_Movement], list[dict[str, Any]]]:
    """The return's movements and lines: ``qty`` back into the batches in ``given``'s order."""
    movements: list[_Movement] = []
    doc_lines: list[dict[str, Any]] = []
    remaining = qty
    for row in given:
        take = min(remaining, row["qty"])
        if take <= 0:
            continue
        remaining -= take
        number = len(movements) + 1
        # A negative dispense: the units count as not consumed in this month's figures.
        movements.append(_Movement(number, row["batch_id"], row["item_id"], take, "dispense"))
        doc_lines.append({"line_no": number, "item_code": row["code"], "batch_no": row["batch_no"],
                          "expiry_month": row["expiry_month"], "qty": take})
    return movements, doc_lines
