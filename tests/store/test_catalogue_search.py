"""The counter's search (issue 12): synonyms (the state's and the starter list), Devanagari
names, injections after tablets unless asked for, this facility's consumption first."""

from __future__ import annotations

import io

from ledger_checks import at, receive

from ihms_desk.store import Store
from ihms_desk.store.catalogue import search_text, search_text_version
from ihms_desk.store.model import DispenseLine, Patient

HEADER = "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active,synonyms\n"


def codes(store: Store, text: str) -> list[str]:
    return [hit.item.code for hit in store.search_items(text)]


def test_starter_synonyms_find_items_by_the_words_counters_use(store: Store) -> None:
    assert codes(store, "pcm")[0] == "D0001"           # Paracetamol
    assert codes(store, "amoxycillin") == ["D0002"]     # the Indian spelling
    assert codes(store, "ors")[0] == "D0003"
    assert codes(store, "crocin") == ["D0001"]          # a brand word
    assert codes(store, "पैरासिटामोल") == ["D0001"]       # the starter list's Devanagari name


def test_the_state_synonyms_column_is_imported_searched_and_exported(store: Store) -> None:
    report = store.import_catalogue_csv(io.StringIO(
        HEADER + "X1,Cotrimoxazole 480 mg Tablet,Co-trimoxazole,480 mg,tablet,tablet,drug,0,1,septra; bactrim DS\n"
        + "X2,निमेसुलाइड टैबलेट,Nimesulide,100 mg,tablet,tablet,drug,0,1,\n"))
    assert report.ok, report.rejected
    assert codes(store, "bactrim") == ["X1"] and codes(store, "septra") == ["X1"]
    assert codes(store, "cotrimox") == ["X1"]           # the starter list's word for co-trimoxazole
    assert codes(store, "निमे") == ["X2"]                # a Devanagari name the catalogue carries
    out = io.StringIO()
    store.export_catalogue_csv(out)
    assert "septra; bactrim DS" in out.getvalue()


def test_an_overlong_synonyms_cell_is_refused_with_its_row(store: Store) -> None:
    report = store.import_catalogue_csv(io.StringIO(HEADER + "X1,A Tablet,A,1,tablet,tablet,drug,0,1," + "x" * 501 + "\n"))
    assert report.added == 0 and report.rejected[0][0] == 2


def test_injections_come_after_tablets_unless_the_query_names_them(store: Store) -> None:
    store.import_catalogue_csv(io.StringIO(
        HEADER + "X1,Diclofenac 75 mg Injection,Diclofenac sodium,75 mg/3 ml,injection,ampoule,drug,0,1,\n"
        + "X2,Diclofenac 50 mg Tablet,Diclofenac sodium,50 mg,tablet,tablet,drug,0,1,\n"))
    assert codes(store, "dic") == ["X2", "X1"]
    assert codes(store, "dic inj") == ["X1"]
    assert codes(store, "inj dic") == ["X1"]


def test_what_this_counter_dispenses_most_comes_first(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="admin", start=at(2026, 11, 2))
    store.import_catalogue_csv(io.StringIO(
        HEADER + "X1,Metformin 1000 mg Tablet,Metformin,1000 mg,tablet,tablet,drug,0,1,\n"
        + "X2,Metronidazole 400 mg Tablet,Metronidazole,400 mg,tablet,tablet,drug,0,1,\n"))
    assert codes(store, "met")[:3] == ["X1", "D0010", "X2"]  # nothing dispensed yet: by name
    receive(store, ("X2", "M1", "2028-01", 500), ("X1", "F1", "2028-01", 500))
    store.act_as("pharma")
    for number in range(3):
        store.dispense(patient=Patient(f"OPD/{number}", "Sita Devi", 30, "F"), prescriber="Dr. A",
                       lines=[DispenseLine("X2", 15)])
    store.dispense(patient=Patient("OPD/9", "Sita Devi", 30, "F"), prescriber="Dr. A", lines=[DispenseLine("X1", 10)])
    assert codes(store, "met")[:3] == ["X2", "X1", "D0010"]
    # Months ago is forgotten: what the counter gives now decides.
    store.clock.current = at(2027, 6, 1)
    assert codes(store, "met")[:3] == ["X1", "D0010", "X2"]


def test_a_changed_starter_list_rebuilds_the_search_text_at_open(store: Store) -> None:
    store.conn.execute("UPDATE item SET search_text = 'stale' WHERE code = 'D0001'")
    store.conn.execute("UPDATE setting SET value = 'old' WHERE key = 'search_text_version'")
    store.conn.commit()
    assert codes(store, "pcm") == []
    reopened = Store.open(store.folder.root, clock=store.clock)
    try:
        reopened.act_as("admin")
        assert codes(reopened, "pcm")[0] == "D0001"
        assert reopened.setting("search_text_version", "") == search_text_version()
        # Opening again changes nothing.
        assert reopened.refresh_search_text() is False
    finally:
        reopened.close()


def test_search_text_marks_synonyms_and_joins_words() -> None:
    text = search_text({"code": "D9", "name": "Vitamin B Complex (NFI)", "generic_name": "Vitamin B complex (NFI formula)",
                        "synonyms": "Becosules, Neuro+B"})
    assert text.startswith("d9 vitamin b complex nfi vitamin b complex nfi formula | becosules | neuro b")
    assert "| b-complex" in text  # from the starter list
