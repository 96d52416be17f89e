"""The item catalogue: CSV import with a report of refused rows, export (round trip), the
starter catalogue, and search."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from ledger_checks import at, count, receive

from ihms_desk.demo import starter_catalogue_path
from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput, PermissionDenied, UnknownItem

HEADER = "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"


def test_import_reports_each_refused_row_with_its_number_and_reason(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    text = HEADER + (
        "X001,Good Tablet,Good,1 mg,Tablet,TABLET,Drug,5,1\n"      # row 2: good (case cleaned)
        ",No Code,G,1 mg,tablet,tablet,drug,0,1\n"                 # row 3: empty code
        "X002,Bad Category,G,1 mg,tablet,tablet,medicine,0,1\n"    # row 4
        "X003,Bad Min,G,1 mg,tablet,tablet,drug,-4,1\n"            # row 5
        "X004,Bad Active,G,1 mg,tablet,tablet,drug,0,maybe\n"      # row 6
        "x001,Repeat,G,1 mg,tablet,tablet,drug,0,1\n"              # row 7: repeats row 2
        "X005,Too,Many,Fields,tablet,tablet,drug,0,1,extra\n"      # row 8
        "BAD CODE!,Spaces,G,1 mg,tablet,tablet,drug,0,1\n"         # row 9
        "X006,Short Row,G\n"                                       # row 10: missing fields
        "X007,Inactive,G,1 mg,tablet,tablet,surgical,,0\n"         # row 11: good, inactive
        "X008,Odd Min,G,1 mg,tablet,tablet,drug,²,1\n"             # row 12: a digit int() cannot read
        f"X009,Huge Min,G,1 mg,tablet,tablet,drug,{'9' * 5000},1\n"  # row 13
    )
    report = store.import_catalogue_csv(io.StringIO(text))
    assert (report.added, report.updated) == (2, 0)
    assert [number for number, _ in report.rejected] == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13]
    reasons = dict(report.rejected)
    assert "code is empty" in reasons[3]
    assert "category 'medicine'" in reasons[4]
    assert "min_stock '-4'" in reasons[5]
    assert "active 'maybe'" in reasons[6]
    assert "repeats row 2" in reasons[7]
    assert "more fields" in reasons[8]
    assert "code 'BAD CODE!'" in reasons[9]
    assert "strength is empty" in reasons[10]
    assert "min_stock '²'" in reasons[12] and "min_stock" in reasons[13]
    item = store.item("x001")
    assert (item.code, item.dosage_form, item.unit_of_issue, item.category, item.min_stock, item.active) == (
        "X001", "tablet", "tablet", "drug", 5, True)
    with pytest.raises(UnknownItem):
        store.item("X007")  # inactive items cannot be used
    assert count(store, "item") == 2


def test_row_numbers_are_spreadsheet_rows_even_with_line_breaks_in_a_field(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    text = HEADER + (
        'X001,"Gauze Swab\n(sterile)",Gauze,1,roll,roll,surgical,0,1\n'   # row 2 spans two lines of the file
        "X002,Bad,G,1,tablet,tablet,food,0,1\n"                           # row 3
        "\n"                                                             # row 4: empty
        "X003,Bad,G,1,tablet,tablet,food,0,1\n"                           # row 5
    )
    report = store.import_catalogue_csv(io.StringIO(text))
    assert report.added == 1
    assert [number for number, _ in report.rejected] == [3, 5]
    assert store.item("X001").name == "Gauze Swab (sterile)"  # a line break in a cell is a space in a name
    report = store.import_catalogue_csv(io.StringIO(HEADER + 'X009,"Unclosed quote,G,1,t,t,drug,0,1\n'))
    assert [number for number, _ in report.rejected] == [2]


def test_control_characters_and_oversized_fields(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    report = store.import_catalogue_csv(io.StringIO(HEADER + "X001,Na\x00me,G,1,t,t,drug,0,1\nX002,Tab\tName,G,1,t,t,drug,0,1\n"))
    assert [number for number, _ in report.rejected] == [2] and "control characters" in report.rejected[0][1]
    assert store.item("X002").name == "Tab Name"
    with pytest.raises(InvalidInput, match="Row 2 cannot be read as CSV"):
        store.import_catalogue_csv(io.StringIO(HEADER + 'X003,"' + "x" * 200_000 + '",G,1,t,t,drug,0,1\n'))
    assert count(store, "item") == 1


def test_import_updates_existing_items(store: Store) -> None:
    report = store.import_catalogue_csv(io.StringIO(HEADER + "D0001,Paracetamol 650 mg Tablet,Paracetamol,650 mg,tablet,tablet,drug,50,1\n"))
    assert (report.added, report.updated, report.rejected) == (0, 1, [])
    assert store.item("D0001").name == "Paracetamol 650 mg Tablet" and store.item("D0001").min_stock == 50
    assert store.search_items("650")[0].item.code == "D0001"  # the search text follows the new name


def test_file_without_a_required_column_is_refused_whole(make_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    with pytest.raises(InvalidInput, match="no column category"):
        store.import_catalogue_csv(io.StringIO("code,name,generic_name,strength,dosage_form,unit_of_issue\nX,X,X,X,X,X\n"))
    bad = tmp_path / "latin1.csv"
    bad.write_bytes((HEADER + "X1,Caf\xe9 Tablet,G,1,tablet,tablet,drug,0,1\n").encode("latin-1"))
    with pytest.raises(InvalidInput, match="UTF-8"):
        store.import_catalogue_csv(bad)
    with pytest.raises(InvalidInput, match="Cannot read"):
        store.import_catalogue_csv(tmp_path / "missing.csv")
    assert count(store, "item") == 0


def test_header_may_be_in_any_case_and_carry_a_bom(make_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + (HEADER.upper().replace(",", " ,") + "X1,Hindi नाम,G,1,tablet,tablet,drug,0,1\n").encode())
    report = store.import_catalogue_csv(path)
    assert report.ok and store.item("X1").name == "Hindi नाम"


def test_only_catalogue_managers_import(store: Store) -> None:
    store.act_as("pharma")
    with pytest.raises(PermissionDenied):
        store.import_catalogue_csv(io.StringIO(HEADER))


def test_export_then_import_round_trips(store: Store, tmp_path: Path) -> None:
    store.import_catalogue_csv(io.StringIO(HEADER + 'X9,"Gauze, ""sterile""",Gauze,1,roll,roll,surgical,3,0\n'))
    target = tmp_path / "out.csv"
    assert store.export_catalogue_csv(target) == 7
    exported = target.read_text(encoding="utf-8")
    # The synonyms column (issue 12) comes last, so a file without it still imports.
    assert exported.splitlines()[0] + "\n" == HEADER.rstrip("\n") + ",synonyms\n"
    before = store.conn.execute("SELECT code, name, generic_name, strength, dosage_form, unit_of_issue, category, min_stock, active, synonyms FROM item ORDER BY code").fetchall()
    other = tmp_path / "other"
    fresh = Store.open(other)
    fresh.conn.execute("INSERT INTO app_user (username, full_name, role, password_hash, created_at) VALUES ('a', 'A', 'admin', 'x', 'now')")
    fresh.conn.commit()
    fresh.act_as("a")
    report = fresh.import_catalogue_csv(target)
    assert report.ok and report.added == 7
    after = fresh.conn.execute("SELECT code, name, generic_name, strength, dosage_form, unit_of_issue, category, min_stock, active, synonyms FROM item ORDER BY code").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    buffer = io.StringIO()
    fresh.export_catalogue_csv(buffer)
    assert buffer.getvalue() == exported
    fresh.close()


def test_starter_catalogue_imports_without_refusals(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    report = store.import_catalogue_csv(starter_catalogue_path())
    assert report.rejected == []
    assert report.added >= 400
    categories = {row[0]: row[1] for row in store.conn.execute("SELECT category, count(*) FROM item WHERE active = 1 GROUP BY category")}
    assert set(categories) == {"drug", "surgical", "suture"}
    assert all(n >= 10 for n in categories.values()), categories
    assert store.item_count() == report.added
    assert store.search_items("paracetamol"), "the starter catalogue has paracetamol"


# -- search -------------------------------------------------------------------------------------


def codes(store: Store, text: str) -> list[str]:
    return [hit.item.code for hit in store.search_items(text)]


def test_search_by_code_name_generic_prefix_and_substring(store: Store) -> None:
    assert codes(store, "D0001")[0] == "D0001"
    assert codes(store, "d0001")[0] == "D0001"
    assert codes(store, "PARA") == ["D0001"]
    assert codes(store, "rehydration") == ["D0003"]         # generic name
    assert codes(store, "ydrati") == ["D0003"]              # substring
    assert codes(store, "metformin hydro") == ["D0010"]     # every word must appear
    assert codes(store, "metformin gauze") == []
    assert codes(store, "   ") == []
    assert codes(store, "%") == [] and codes(store, "_") == []  # LIKE wildcards are plain text


def test_search_ranking(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(catalogue=False)
    store.import_catalogue_csv(io.StringIO(HEADER + (
        "ZZ1,Antacid Gel,Magnesium Hydroxide,1,gel,bottle,drug,0,1\n"          # substring "cid" inside a word
        "ZZ2,Cidofovir Injection,Cidofovir,1,injection,vial,drug,0,1\n"       # name prefix
        "ZZ3,Folic Acid Tablet,Cidbrand,1,tablet,tablet,drug,0,1\n"          # generic prefix; "acid" word
        "CID,Zinc Tablet,Zinc,1,tablet,tablet,drug,0,1\n"                    # exact code
        "CID9,Other Tablet,Other,1,tablet,tablet,drug,0,1\n"                 # code prefix
        "ZZ4,Tablet Cidex,Glutaral,1,liquid,bottle,drug,0,1\n"              # a word starting with it
    )))
    for typed in ("cid", "CID", "cId"):  # any case ranks alike
        hits = store.search_items(typed)
        # Issue 12: a name, generic name or code that starts with the text comes before a later
        # word that does, and among them the injection after every other form.
        assert [(h.item.code, h.rank) for h in hits] == [
            ("CID", 0), ("CID9", 1), ("ZZ3", 3), ("ZZ2", 2), ("ZZ4", 4), ("ZZ1", 5)], typed


def test_search_shows_usable_stock_and_nearest_expiry(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(user="clerk", start=at(2027, 1, 10))
    receive(store, ("D0001", "A", "2027-01", 10), ("D0001", "B", "2027-05", 20), ("D0001", "C", "2027-03", 5))
    store.clock.current = at(2027, 2, 1)
    hit = store.search_items("paracetamol")[0]
    assert (hit.usable_qty, hit.nearest_expiry) == (25, "2027-03")  # batch A expired with 10 on the shelf
    assert store.search_items("ors")[0].usable_qty == 0 and store.search_items("ors")[0].nearest_expiry is None


def test_search_hides_inactive_items_unless_asked(store: Store) -> None:
    store.import_catalogue_csv(io.StringIO(HEADER + "D0003,ORS Powder,Oral Rehydration Salts,20.5 g,powder,sachet,drug,0,0\n"))
    assert codes(store, "ORS") == []
    assert [h.item.code for h in store.search_items("ORS", include_inactive=True)] == ["D0003"]


def test_search_limit(store: Store) -> None:
    assert len(store.search_items("0", limit=2)) == 2


def test_gtin_mapping(store: Store) -> None:
    store.act_as("clerk")
    assert store.item_for_gtin("08901234567890") is None
    store.map_gtin("08901234567890", "D0002")
    store.map_gtin("08901234567890", "D0001")
    item = store.item_for_gtin("08901234567890")
    assert item is not None and item.code == "D0001"
    for bad in ("123", "0890123456789²", "०८९०१२३४५६७८९०"):
        with pytest.raises(InvalidInput):
            store.map_gtin(bad, "D0001")
    store.act_as("pharma")
    with pytest.raises(PermissionDenied):
        store.map_gtin("08901234567891", "D0001")
