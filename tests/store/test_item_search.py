"""The item search's index in memory (``store/item_search.py``) ranks exactly as the SQL it
replaced, and follows the catalogue however it changes: through this store, another
connection, or another process."""

from __future__ import annotations

import datetime as dt
import io
import random
import sqlite3

import pytest
from ledger_checks import at, receive

from ihms_desk.paths import resource_path
from ihms_desk.store import Store
from ihms_desk.store.catalogue import PARENTERAL_FORMS, SYNONYMS_MARK, _names_parenteral, search_words
from ihms_desk.store.model import DispenseLine, Patient

HEADER = "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active,synonyms\n"
#: Stems of the generated part of the catalogue: Latin, Devanagari, and words with the
#: characters LIKE treats specially (``%``, ``_``, ``\\``) or the search text joins on.
STEMS = ("Paracetamol", "Amoxicillin", "Metformin", "Diclofenac", "Cetirizine", "Ondansetron", "Ferrous sulphate",
         "Vitamin B complex (NFI)", "Calcium + Vitamin D3", "ORS", "पैरासिटामोल", "मेटफॉर्मिन", "आयरन फोलिक",
         "Povidone 5% solution", "Zinc_acetate", "Glucose 1/2 strength", "B-complex", "Étoposide", "Insulin")
FORMS = (("Tablet", "tablet", "tablet"), ("Capsule", "capsule", "capsule"), ("Injection", "injection", "vial"),
         ("Infusion", "infusion", "bottle"), ("Syrup", "syrup", "bottle"), ("Vaccine", "vaccine", "vial"))
SYNONYMS = ("", "", "pcm; para", "dolo 650", "बुखार की गोली", "50% w/v", "a_b; c\\d", "Inj. DIC", "vit-b; b12")


def reference_search(conn: sqlite3.Connection, text: str, today: dt.date, *, limit: int = 20,
                     include_inactive: bool = False) -> list[tuple[str, int, int, str | None]]:
    """The search as it was written in SQL until the index replaced it (one query of LIKEs),
    kept here as the definition the index must meet: (code, rank, usable, nearest) per hit."""
    words = search_words(text).split()
    if not words:
        return []

    def escape(word: str) -> str:
        return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    first = words[0]
    like = [f"%{escape(word)}%" for word in words]
    starts = [f"% {escape(word)}%" for word in words]
    where = " AND ".join("i.search_text LIKE ? ESCAPE '\\'" for _ in like)
    if not include_inactive:
        where += " AND i.active = 1"
    all_start = " AND ".join("(' ' || i.search_text) LIKE ? ESCAPE '\\'" for _ in starts)
    prefix = escape(first) + "%"
    month = today.strftime("%Y-%m")
    since = (today.replace(day=1) - dt.timedelta(days=80)).strftime("%Y-%m")
    parenteral_last = 0 if any(_names_parenteral(word) for word in words) else 1
    rows = conn.execute(
        f"""
        WITH hit AS (
            SELECT i.id, i.code, i.name,
                CASE
                    WHEN i.code = ? COLLATE NOCASE THEN 0
                    WHEN NOT ({all_start}) THEN 3
                    WHEN i.name LIKE ? ESCAPE '\\' OR i.generic_name LIKE ? ESCAPE '\\'
                        OR i.code LIKE ? ESCAPE '\\' OR i.search_text LIKE ? ESCAPE '\\' THEN 1
                    ELSE 2
                END AS tier,
                CASE WHEN i.dosage_form IN ({", ".join("?" for _ in PARENTERAL_FORMS)}) THEN ? ELSE 1 - ? END AS form_order,
                (SELECT coalesce(sum(c.qty), 0) FROM consumption_month c
                  WHERE c.item_id = i.id AND c.month >= ?) AS used,
                CASE
                    WHEN i.code = ? COLLATE NOCASE THEN 0
                    WHEN i.code LIKE ? ESCAPE '\\' THEN 1
                    WHEN i.name LIKE ? ESCAPE '\\' THEN 2
                    WHEN i.generic_name LIKE ? ESCAPE '\\' THEN 3
                    WHEN i.search_text LIKE ? ESCAPE '\\' THEN 4
                    ELSE 5
                END AS rank
            FROM item i
            WHERE {where}
            ORDER BY tier, form_order, used DESC, rank, i.name
            LIMIT ?
        )
        SELECT hit.code, hit.rank,
            (SELECT coalesce(sum(s.qty), 0) FROM stock s JOIN batch b ON b.id = s.batch_id
              WHERE s.item_id = hit.id AND s.qty > 0 AND b.expiry_month >= ?) AS usable,
            (SELECT min(b.expiry_month) FROM stock s JOIN batch b ON b.id = s.batch_id
              WHERE s.item_id = hit.id AND s.qty > 0 AND b.expiry_month >= ?) AS nearest
        FROM hit ORDER BY tier, form_order, used DESC, rank, name
        """,
        (first, *starts, prefix, prefix, prefix, f"%{SYNONYMS_MARK}{prefix}", *PARENTERAL_FORMS, parenteral_last,
         parenteral_last, since, first, prefix, prefix, prefix, f"% {prefix}", *like, limit, month, month),
    ).fetchall()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def found(store: Store, text: str, **options: object) -> list[tuple[str, int, int, str | None]]:
    return [(hit.item.code, hit.rank, hit.usable_qty, hit.nearest_expiry)
            for hit in store.search_items(text, **options)]  # type: ignore[arg-type]


def generated_items(count: int) -> str:
    """``count`` more items in the shape of the state's list (one stem in many forms and
    strengths, names told apart by a version), some withdrawn, some with synonyms."""
    rng = random.Random(12)
    rows = []
    for number in range(count):
        stem = STEMS[number % len(STEMS)]
        form, dosage_form, unit = FORMS[(number // len(STEMS)) % len(FORMS)]
        strength = f"{rng.choice((5, 10, 50, 250, 500, 650))} mg"
        name = f"{stem} {strength} {form} v{number // (len(STEMS) * len(FORMS))}"
        active = "0" if number % 23 == 0 else "1"
        synonyms = SYNONYMS[number % len(SYNONYMS)]
        rows.append(f'X{number:05d},"{name}","{stem}",{strength},{dosage_form},{unit},drug,0,{active},"{synonyms}"\n')
    return HEADER + "".join(rows)


@pytest.fixture
def catalogue_store(make_store) -> Store:  # type: ignore[no-untyped-def]
    """The shipped starter catalogue (953 items, the starter synonyms in Devanagari too) and
    1,500 generated items, with what this counter issued in the last months."""
    store = make_store(user="admin", start=at(2026, 7, 10))
    assert store.import_catalogue_csv(resource_path("catalogue", "starter_catalogue.csv")).ok
    report = store.import_catalogue_csv(io.StringIO(generated_items(1_500)))
    assert report.ok, report.rejected[:3]
    codes = [row[0] for row in store.conn.execute(
        "SELECT code FROM item WHERE active = 1 AND (code LIKE 'X%' OR name LIKE 'P%' OR name LIKE 'A%') ORDER BY code")]
    rng = random.Random(4)
    stocked = rng.sample(codes, 40)
    receive(store, *((code, f"B{code}", "2028-12", 5_000) for code in stocked))
    # Issued in July (forgotten by November), September and November; equal totals on purpose,
    # so the finer rank and the name decide between them.
    for month, day in ((7, 12), (9, 15), (11, 18)):
        store.clock.current = at(2026, month, day)
        for number, code in enumerate(rng.sample(stocked, 20)):
            store.dispense(patient=Patient(f"OPD/{month}/{number}", "Sita Devi", 30, "F"), prescriber="Dr. A",
                           lines=[DispenseLine(code, rng.choice((10, 10, 15)))])
    store.clock.current = at(2026, 11, 20)
    return store


def queries(store: Store) -> list[str]:
    """What a pharmacist types, keystroke by keystroke, and then some: every letter the
    catalogue holds, words of items cut at random, codes, Devanagari, several words."""
    typed = ["paracetamol", "amox", "metformin 500", "x0012", "ors", "cetiri", "pantop", "azith", "ferrous",
             "vitamin b", "salbu", "dicl", "cipro", "omep", "albend", "pcm", "dic inj", "inj dic", "amo 250 cap",
             "पैरासिटामोल", "बुखार की", "आयरन", "D0001", "x00100", "50%", "a_b", "c\\d", "1/2", "b-complex", "o.r.s",
             "vit-b", "étop", "ÉTOP", "INFUSION", "vacc", "zzz"]
    everything = [prefix for query in typed for prefix in (query[:end] for end in range(1, len(query) + 1))]
    texts = [row[0] for row in store.conn.execute("SELECT search_text FROM item")]
    everything += sorted({letter for text in texts for letter in text} - {" "})
    rng = random.Random(9)
    for text in rng.sample(texts, 150):
        word = rng.choice(text.split())
        start = rng.randrange(len(word))
        everything.append(word[start:start + rng.randint(1, 4)])
    return everything


def test_the_index_ranks_as_the_sql_did(catalogue_store: Store) -> None:
    store = catalogue_store
    today = store.today()
    checked = 0
    for text in queries(store):
        for options in ({}, {"limit": 5}, {"limit": 1}, {"limit": 200, "include_inactive": True}):
            expected = reference_search(store.conn, text, today, **options)  # type: ignore[arg-type]
            assert found(store, text, **options) == expected, (text, options)
            checked += bool(expected)
    assert checked > 1_000  # most queries find something: the comparison is not of empty lists


def test_consumption_of_any_sign_ranks_as_the_sql_did(catalogue_store: Store) -> None:
    """Whatever ``consumption_month`` holds (a sum below zero cannot come from the ledger, but
    the SQL ordered it, so the index does too)."""
    store = catalogue_store
    items = [row[0] for row in store.conn.execute("SELECT id FROM item WHERE name LIKE 'Para%' OR name LIKE 'Met%'")]
    with store._transaction() as conn:
        conn.executemany("INSERT INTO consumption_month (item_id, month, qty) VALUES (?, '2026-10', ?) "
                         "ON CONFLICT (item_id, month) DO UPDATE SET qty = excluded.qty",
                         [(item_id, (-5, 0, 7, 7, 30)[number % 5]) for number, item_id in enumerate(items)])
    for text in ("p", "para", "m", "met", "a", "t", "tab"):
        for limit in (20, 500):
            assert found(store, text, limit=limit) == reference_search(store.conn, text, store.today(), limit=limit), text


def test_an_item_changed_through_another_connection_is_found_by_the_next_search(catalogue_store: Store) -> None:
    store = catalogue_store
    assert [hit.item.code for hit in store.search_items("D0001")][:1] == ["D0001"]
    before = store.search_items("halothane")
    assert before and before[0].item.code == "D0001"
    other = sqlite3.connect(store.path)
    try:
        other.execute("UPDATE item SET name = 'Halothane Liquid 250 ml', search_text = 'd0001 halothane liquid' "
                      "WHERE code = 'D0001'")
        other.execute("INSERT INTO item (code, name, generic_name, strength, dosage_form, unit_of_issue, category, "
                      "search_text, updated_at) VALUES ('Z0001', 'Zolpidem 5 mg Tablet', 'Zolpidem', '5 mg', 'tablet', "
                      "'tablet', 'drug', 'z0001 zolpidem 5 mg tablet zolpidem', '2026-11-20')")
        other.commit()
    finally:
        other.close()
    hit = store.search_items("halothane")[0]
    assert (hit.item.code, hit.item.name) == ("D0001", "Halothane Liquid 250 ml")
    assert [hit.item.code for hit in store.search_items("zolp")] == ["Z0001"]
    assert found(store, "hal") == reference_search(store.conn, "hal", store.today())


def test_an_item_deleted_elsewhere_is_no_longer_found(catalogue_store: Store) -> None:
    store = catalogue_store
    # An item no document, batch or draft names may be deleted by hand.
    code = store.conn.execute(
        "SELECT code FROM item i WHERE code LIKE 'X%' AND active = 1 AND NOT EXISTS "
        "(SELECT 1 FROM batch b WHERE b.item_id = i.id) ORDER BY code LIMIT 1").fetchone()[0]
    assert [hit.item.code for hit in store.search_items(code)][:1] == [code]
    other = Store.open(store.folder.root, clock=store.clock)
    try:
        other.conn.execute("DELETE FROM item WHERE code = ?", (code,))
        other.conn.commit()
    finally:
        other.close()
    assert code not in [hit.item.code for hit in store.search_items(code, limit=-1)]
    assert found(store, code[:4]) == reference_search(store.conn, code[:4], store.today())


def test_what_another_counter_dispenses_moves_up_at_the_next_search(catalogue_store: Store) -> None:
    """What other connections issue changes the ranking too (no catalogue change, so the
    index stays as built: only its figures of recent use are read again)."""
    store = catalogue_store
    store.search_items("met")
    index = store._item_search._index
    stamp = store.conn.execute("SELECT catalogue_changes FROM search_stamp").fetchone()[0]
    code = store.search_items("met", limit=50)[-1].item.code
    other = Store.open(store.folder.root, clock=store.clock)
    try:
        other.act_as("clerk")
        receive(other, (code, "NEW1", "2028-06", 10_000))
        other.act_as("pharma")
        other.dispense(patient=Patient("OPD/X", "Sita Devi", 30, "F"), prescriber="Dr. A",
                       lines=[DispenseLine(code, 5_000)])
    finally:
        other.close()
    assert store.search_items("met")[0].item.code == code
    assert found(store, "met") == reference_search(store.conn, "met", store.today())
    assert store._item_search._index is index
    assert store.conn.execute("SELECT catalogue_changes FROM search_stamp").fetchone()[0] == stamp


def test_an_import_counts_each_item_it_changes_and_the_search_follows(catalogue_store: Store) -> None:
    store = catalogue_store

    def stamp() -> int:
        return int(store.conn.execute("SELECT catalogue_changes FROM search_stamp").fetchone()[0])

    before = stamp()
    assert store.search_items("yeast") == []
    store.import_catalogue_csv(io.StringIO(HEADER + "D0001,Halothane 250 ml,Halothane,250 ml,other,bottle,drug,5,1,\n"
                                           + "Y0001,Yeast Tablet,Yeast,1 g,tablet,tablet,drug,0,1,\n"))
    assert stamp() == before + 2
    assert [hit.item.code for hit in store.search_items("yeast")] == ["Y0001"]
    assert store.search_items("halothane 250")[0].item.min_stock == 5
