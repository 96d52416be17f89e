"""The counter's memory and cheap corrections (issue 12), checked against the ledger."""

from __future__ import annotations

import pytest
from ledger_checks import at, batch_qty, check_invariants, count, receive, snapshot

from ihms_desk.store import Store
from ihms_desk.store.counter import read_age_sex
from ihms_desk.store.errors import AlreadyReversed, InvalidInput, Refusal, StockTooLow
from ihms_desk.store.model import DispenseLine, Patient


@pytest.fixture
def counter(make_store) -> Store:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2026, 12, 2, 9))
    receive(store, ("D0001", "PCM-A", "2027-06", 200), ("D0001", "PCM-B", "2028-01", 200), ("D0002", "AMX", "2027-09", 100))
    store.act_as("pharma")
    return store


def slip(store: Store, opd: str = "261202/0001", *lines: DispenseLine, name: str = "Sita Devi", sex: str = "F") -> str:
    lines = lines or (DispenseLine("D0001", 10, dose="1-0-1 x5"),)
    return store.dispense(patient=Patient(opd, name, 34, sex), prescriber="Dr. Meena", lines=list(lines)).number


@pytest.mark.parametrize(("text", "years", "months", "sex"), [
    ("35M", 35, None, "M"), ("6F", 6, None, "F"), ("6 f", 6, None, "F"), ("8m", 0, 8, None), ("8mF", 0, 8, "F"),
    ("18 m M", 1, 18, "M"), ("70o", 70, None, "O"), ("2y M", 2, None, "M"), ("40", 40, None, None)])
def test_age_and_sex_in_one_field(text: str, years: int, months: int | None, sex: str | None) -> None:
    age = read_age_sex(text)
    assert (age.years, age.months, age.sex) == (years, months, sex)


@pytest.mark.parametrize("text", ["", "M35", "35X", "200M", "40mF", "thirty"])
def test_what_is_not_an_age_and_sex(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_age_sex(text)
    assert refused.value.field == "age" and refused.value.message


def test_next_opd_number_and_a_repeat_today(counter: Store) -> None:
    assert counter.next_opd_no() == "261202/0001"
    first = slip(counter, "261202/0041")
    assert counter.next_opd_no() == "261202/0042"
    assert counter.opd_dispensed_today(" 261202/0041 ") == first
    assert counter.opd_dispensed_today("261202/0042") is None
    counter.clock.current = at(2026, 12, 3, 9)   # a new day starts again at 1
    assert counter.next_opd_no() == "261203/0001"
    assert counter.opd_dispensed_today("261202/0041") is None


def test_prescriber_doses_and_the_last_prescription_are_remembered(counter: Store) -> None:
    assert counter.last_prescriber() == "" and counter.remembered_doses(["D0001"]) == {}
    number = slip(counter, "261202/0001", DispenseLine("D0001", 10, dose="1-0-1 x5"), DispenseLine("D0002", 15, dose="TDS x5"))
    assert counter.last_prescriber() == "Dr. Meena"
    assert counter.remembered_doses(["D0001", "D0002", "D0003"]) == {"D0001": "1-0-1 x5", "D0002": "TDS x5"}
    last = counter.last_prescription(name="  sita   DEVI ", sex="F")
    assert last is not None and last.number == number
    assert [(line.item.code, line.qty_prescribed, line.dose) for line in last.lines] == [
        ("D0001", 10, "1-0-1 x5"), ("D0002", 15, "TDS x5")]
    assert counter.last_prescription(name="Sita Devi", sex="M") is None
    assert counter.last_prescription(name="Gita Devi", sex="F") is None
    # An infant's age in months is kept beside the whole years.
    baby = counter.dispense(patient=Patient("261202/0002", "Baby of Sita", 0, "F", age_months=8), prescriber="Dr. Meena",
                            lines=[DispenseLine("D0001", 2)])
    assert (baby.header["age"], baby.header["age_months"]) == (0, 8)


def test_drafts_are_kept_per_screen_and_user_and_discarded(counter: Store) -> None:
    assert counter.draft("dispense") is None
    counter.save_draft("dispense", {"opd_no": "261202/0007", "lines": [["D0001", "1-0-1 x5"]]})
    counter.save_draft("dispense", {"opd_no": "261202/0008", "lines": []})
    before = snapshot(counter)
    other = Store.open(counter.folder.root)       # what the next start finds
    try:
        other.act_as("pharma")
        draft = other.draft("dispense")
        assert draft is not None and draft.content["opd_no"] == "261202/0008"
        other.act_as("incharge")
        assert other.draft("dispense") is None    # another user's draft is theirs
    finally:
        other.close()
    counter.discard_draft("dispense")
    assert counter.draft("dispense") is None
    assert snapshot(counter) == before            # drafts never touch the ledger


def test_correcting_the_last_slip_reverses_and_saves_again_in_one_action(counter: Store) -> None:
    number = slip(counter, "261202/0001", DispenseLine("D0001", 10))
    assert counter.correctable_slip() == number
    counter.clock.advance(minutes=4)
    fixed = counter.correct_dispense(number, patient=Patient("261202/0001", "Sita Devi", 34, "F"), prescriber="Dr. Meena",
                                     lines=[DispenseLine("D0002", 15)], reason="amoxicillin, not paracetamol")
    assert fixed.reversal.reverses_number == number and fixed.dispense.lines[0]["item_code"] == "D0002"
    assert counter.document(number).reversed_by == fixed.reversal.number
    assert batch_qty(counter, "D0001", "PCM-A") == 200 and batch_qty(counter, "D0002", "AMX") == 85
    trail = [row for row in counter.audit_trail() if row["action"] == "correct_dispense"]
    assert len(trail) == 1 and number in trail[0]["detail"] and fixed.dispense.number in trail[0]["detail"]
    assert count(counter, "outbox") == 4  # receipt, slip, reversal, new slip
    check_invariants(counter)
    assert counter.doctor() == []


def test_a_correction_after_the_window_or_of_another_slip_is_refused_and_writes_nothing(counter: Store) -> None:
    first = slip(counter, "261202/0001")
    second = slip(counter, "261202/0002")
    patient = Patient("261202/0001", "Sita Devi", 34, "F")
    before = snapshot(counter)
    with pytest.raises(Refusal) as refused:   # not the last slip
        counter.correct_dispense(first, patient=patient, prescriber="Dr. M", lines=[DispenseLine("D0001", 5)], reason="x")
    assert refused.value.kind == "correct_only_your_last_slip"
    counter.clock.advance(minutes=11)
    with pytest.raises(Refusal) as refused:
        counter.correct_dispense(second, patient=patient, prescriber="Dr. M", lines=[DispenseLine("D0001", 5)], reason="x")
    assert refused.value.kind == "correction_window_over" and refused.value.values["minutes"] == 10
    assert counter.correctable_slip() is None
    assert snapshot(counter) == before
    counter.act_as("incharge")
    counter.set_setting("correction_minutes", "30")  # the in-charge widens the window
    counter.act_as("pharma")
    assert counter.correctable_slip() == second
    before = snapshot(counter)
    with pytest.raises(InvalidInput):                # a bad new slip: nothing reversed either
        counter.correct_dispense(second, patient=patient, prescriber="", lines=[DispenseLine("D0001", 5)], reason="x")
    assert snapshot(counter) == before


def test_a_patient_returns_one_line_without_reversing_the_slip(counter: Store) -> None:
    number = counter.dispense(patient=Patient("261202/0001", "Sita Devi", 34, "F"), prescriber="Dr. Meena",
                              lines=[DispenseLine("D0002", 15), DispenseLine("D0001", 250)]).number
    # Line 2 took 200 of PCM-A (earlier expiry) and 50 of PCM-B: what comes back goes to PCM-B first.
    back = counter.return_line(number, 2, 60, note="stopped after two days")
    assert back.kind == "adjustment" and back.header["returns_number"] == number
    assert (batch_qty(counter, "D0001", "PCM-B"), batch_qty(counter, "D0001", "PCM-A")) == (200, 10)
    assert counter.document(number).reversed_by is None
    with pytest.raises(StockTooLow):   # 190 left to bring back, not 191
        counter.return_line(number, 2, 191)
    counter.return_line(number, 2, 190)
    assert (batch_qty(counter, "D0001", "PCM-B"), batch_qty(counter, "D0001", "PCM-A")) == (200, 200)
    with pytest.raises(InvalidInput):
        counter.return_line(number, 3, 1)
    # The consumption the AMC reads falls with the return.
    used = counter.conn.execute("SELECT qty FROM consumption_month c JOIN item i ON i.id = c.item_id "
                                "WHERE i.code = 'D0001'").fetchone()[0]
    assert used == 0
    counter.act_as("incharge")
    with pytest.raises(AlreadyReversed) as refused:   # the slip's returns come first
        counter.reverse(number, reason="wrong patient")
    assert refused.value.kind == "reverse_returns_first"
    check_invariants(counter)
    assert counter.doctor() == []
