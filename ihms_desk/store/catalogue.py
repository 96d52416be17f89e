"""The item catalogue: CSV import with a report of refused rows, export, search, GTIN mapping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ihms_desk.fields import ITEM_CODE_PATTERN, SPREADSHEET_SPACE, FieldProblem
from ihms_desk.fields import text as text_rule
from ihms_desk.store.base import StoreBase
from ihms_desk.store.errors import InvalidInput, UnknownItem
from ihms_desk.store.model import CATEGORIES, ImportReport, Item, ItemHit
from ihms_desk.store.spreadsheet import csv_row, from_csv_text
from ihms_desk.store.users import Action
from ihms_desk.wording import Said

CATALOGUE_COLUMNS = (
    "code",
    "name",
    "generic_name",
    "strength",
    "dosage_form",
    "unit_of_issue",
    "category",
    "min_stock",
    "active",
    "synonyms",
)
_REQUIRED = ("code", "name", "generic_name", "strength", "dosage_form", "unit_of_issue", "category")
_CODE = re.compile(ITEM_CODE_PATTERN)
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}

ITEM_COLUMNS = "i.id, i.code, i.name, i.generic_name, i.strength, i.dosage_form, i.unit_of_issue, i.category, i.min_stock, i.active"
ITEM_COLUMN_COUNT = ITEM_COLUMNS.count(",") + 1


def item_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Item:
    return Item(
        id=row[0],
        code=row[1],
        name=row[2],
        generic_name=row[3],
        strength=row[4],
        dosage_form=row[5],
        unit_of_issue=row[6],
        category=row[7],
        min_stock=row[8],
        active=bool(row[9]),
    )


class ActiveItems:
    """The active items by code, as a save looks up the items its lines name. Kept between
    saves while the catalogue's count of changes stands (``search_stamp``, m012, counted by
    triggers whichever connection changed an item): a slip's items then cost one read of
    that count instead of two index look-ups each, in a file whose pages another connection's
    commit has just made this one read again. Per store, so per connection."""

    def __init__(self) -> None:
        self._stamp: int | None = None
        self._by_code: dict[str, Item] = {}
        #: Whether the database counts its catalogue's changes (not before m012: the schema
        #: tests save through this code at every earlier version).
        self._counted: bool | None = None

    def read(self, conn: sqlite3.Connection, codes: Collection[str]) -> dict[str, Item]:
        """The active items with these codes (as stored, upper case), read inside the
        caller's transaction; an unknown or withdrawn code is left out."""
        if self._counted is None:
            self._counted = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_stamp'").fetchone() is not None
        stamp = conn.execute("SELECT catalogue_changes FROM search_stamp WHERE id = 1").fetchone()[0] \
            if self._counted else None
        if stamp is None or stamp != self._stamp:
            self._by_code = {}
            self._stamp = stamp
        known = self._by_code
        missing = [code for code in codes if code not in known]
        if missing:
            for row in conn.execute(
                    f"SELECT {ITEM_COLUMNS} FROM item i WHERE i.code IN ({', '.join('?' for _ in missing)}) AND i.active = 1",
                    missing):
                known[row[1]] = item_from_row(row)
        return {code: known[code] for code in codes if code in known}


#: Characters that join words in names ("Vitamin B Complex (NFI)", "A + B", "250, 500") but
#: that nobody types to start a word: the search text has spaces there, so every word can be
#: found by its beginning. ``-`` and ``/`` stay (``b-complex``, ``1/2``).
_WORD_JOINERS = re.compile(r"[()\[\]{},;:+&|]+")
#: The search text's make-up; a change of it (or of the starter synonyms) rebuilds it at open.
SEARCH_TEXT_FORMAT = "3"
STARTER_SYNONYMS_FILE = ("catalogue", "starter_synonyms.csv")


def search_words(text: str) -> str:
    """``text`` as the search compares it: lower case, word joiners made spaces, one space."""
    return " ".join(_WORD_JOINERS.sub(" ", text.lower()).split())


def starter_synonyms() -> tuple[tuple[str, str], ...]:
    """The shipped starter list: (generic name, its synonyms), lower case (read once)."""
    global _starter_cache
    if _starter_cache is None:
        from ihms_desk.paths import resource_path

        with open(resource_path(*STARTER_SYNONYMS_FILE), encoding="utf-8", newline="") as handle:
            _starter_cache = tuple(
                (row["generic_name"].strip().lower(), row["synonyms"].strip()) for row in csv.DictReader(handle))
    return _starter_cache


_starter_cache: tuple[tuple[str, str], ...] | None = None


def starter_synonyms_for(generic_name: str) -> str:
    """The starter list's synonyms of an item by its generic name: a key names the item when
    the generic name is the key or starts with it and a word ("amoxicillin" names
    "Amoxicillin + Clavulanic acid" too, "ofloxacin" does not name "Ciprofloxacin")."""
    generic = generic_name.strip().lower()
    found = [words for key, words in starter_synonyms()
             if generic == key or (generic.startswith(key) and not generic[len(key)].isalnum())]
    return ";".join(found)


#: Between the item's own names and its synonyms in the search text: a synonym's first word
#: is as good a start as the name's ("pcm"), and the search tells the two parts apart by it.
SYNONYMS_MARK = " | "


def search_text(record: dict[str, Any]) -> str:
    """What the item search matches against: code, name and generic name, then
    :data:`SYNONYMS_MARK` and each synonym (the state's, then the starter list's) as
    :func:`search_words` makes them, a ``|`` before each::

        "d0037 paracetamol 500 mg tablet paracetamol | pcm | para | crocin ..."
    """
    own = search_words(" ".join(str(record.get(key) or "") for key in ("code", "name", "generic_name")))
    given = f"{record.get('synonyms') or ''};{starter_synonyms_for(str(record.get('generic_name') or ''))}"
    synonyms = [search_words(word) for word in re.split(r"[;,]", given)]
    return own + "".join(SYNONYMS_MARK + word for word in synonyms if word)


def search_text_version() -> str:
    """Changes when the search text would be built differently: the format or the starter list."""
    import hashlib

    from ihms_desk.paths import resource_path

    digest = hashlib.sha256(resource_path(*STARTER_SYNONYMS_FILE).read_bytes()).hexdigest()[:16]
    return f"{SEARCH_TEXT_FORMAT}:{digest}"


def validate_item(raw: dict[str, Any]) -> dict[str, Any]:
    """Check one catalogue record; return it cleaned, or raise :class:`InvalidInput`."""
    record: dict[str, Any] = {}
    for key in _REQUIRED:
        # A line break or tab inside a spreadsheet cell is a space in a name; other control
        # characters (NUL, say) have no place in the catalogue and would break screens and sync.
        value = _cell(raw.get(key), key, 200)
        if not value:
            raise InvalidInput("column_empty", field=key, column=key)
        record[key] = value
    record["code"] = record["code"].upper()
    if not _CODE.match(record["code"]):
        raise InvalidInput("bad_item_code", field="code", code=record["code"])
    record["synonyms"] = _synonyms(raw.get("synonyms"))
    record["category"] = record["category"].lower()
    if record["category"] not in CATEGORIES:
        raise InvalidInput("bad_category", field="category", category=record["category"], categories=", ".join(CATEGORIES))
    record["dosage_form"] = record["dosage_form"].lower()
    record["unit_of_issue"] = record["unit_of_issue"].lower()
    min_stock = str(raw.get("min_stock") or "0").strip()
    # isdecimal, not isdigit ("²" is a digit int() cannot read); the length keeps int() cheap.
    if not min_stock.isdecimal() or len(min_stock) > 9 or int(min_stock) > 10_000_000:
        raise InvalidInput("bad_min_stock", field="min_stock", text=min_stock)
    record["min_stock"] = int(min_stock)
    active = str(raw.get("active", "1") if raw.get("active") is not None else "1").strip().lower() or "1"
    if active not in _TRUE | _FALSE:
        raise InvalidInput("bad_active", field="active", text=active)
    record["active"] = 1 if active in _TRUE else 0
    return record


def _cell(raw: Any, key: str, limit: int) -> str:
    """A catalogue cell as text: a line break or tab inside a spreadsheet cell is a space in a
    name; other control characters (NUL, say) have no place in the catalogue and would break
    screens and sync. The rule is the one the state server checks its catalogue with."""
    value = SPREADSHEET_SPACE.sub(" ", str(raw or "")).strip()
    if value:
        try:
            text_rule(value, limit)
        except FieldProblem as problem:
            kind = {"too_long": "column_too_long", "invisible_character": "column_invisible_character"}.get(
                problem.kind or "", "column_control_characters")
            raise InvalidInput(kind, field=key, column=key, n=limit) from None
    return value


def _synonyms(raw: Any) -> str:
    """The optional synonyms cell: words separated by ``;`` or ``,``, at most 500 characters."""
    return _cell(raw, "synonyms", 500)


def check_item_rows(rows: Iterable[tuple[int, dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Validate catalogue records ``(row number, record)``: the clean ones, and the refused
    ones with their row number and reason. Shared by CSV import and the sync worker's
    catalogue pages, so both obey the same rules."""
    rejected: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    good: list[dict[str, Any]] = []
    for row_number, raw in rows:
        if None in raw:
            rejected.append((row_number, Said("row_has_more_fields")))
            continue
        try:
            record = validate_item(raw)
        except InvalidInput as error:
            rejected.append((row_number, Said(error.kind, error.values)))
            continue
        if record["code"] in seen:
            rejected.append((row_number, Said("row_code_repeats", {"code": record["code"], "row": seen[record["code"]]})))
            continue
        seen[record["code"]] = row_number
        good.append(record)
    return good, rejected


def apply_items(conn: sqlite3.Connection, records: Iterable[dict[str, Any]], now: str) -> tuple[int, int]:
    """Insert or update validated items inside the caller's transaction; returns (added, updated)."""
    added = updated = 0
    # A database before m007_counter has no synonyms column (the schema tests fill one through
    # this code); it still gets the starter synonyms in its search text.
    synonyms = any(row[1] == "synonyms" for row in conn.execute("PRAGMA table_info(item)"))
    columns = ("name", "generic_name", "strength", "dosage_form", "unit_of_issue", "category", "min_stock", "active",
               *(("synonyms",) if synonyms else ()), "search_text", "updated_at")
    update = f"UPDATE item SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE code = :code"
    insert = f"INSERT INTO item (code, {', '.join(columns)}) VALUES (:code, {', '.join(f':{c}' for c in columns)})"
    for record in records:
        existing = conn.execute("SELECT id FROM item WHERE code = ?", (record["code"],)).fetchone()
        values = {**record, "search_text": search_text(record), "updated_at": now}
        conn.execute(update if existing else insert, values)
        if existing:
            updated += 1
        else:
            added += 1
    return added, updated


class CatalogueMixin(StoreBase):
    """Items: import, export, look-up and search."""

    # -- import / export --------------------------------------------------------------------

    def import_catalogue_csv(self, source: Path | str | TextIO) -> ImportReport:
        """Add or update items from a CSV with the columns of :data:`CATALOGUE_COLUMNS`.

        Good rows are applied together in one transaction; bad rows are reported with their
        row number (the header is row 1) and the reason, and do not stop the rest. A file
        whose header lacks a required column is refused whole::

            report = store.import_catalogue_csv("items.csv")
            for row_number, reason in report.rejected:
                print(row_number, reason)
        """
        self._require(Action.MANAGE_CATALOGUE, "change_catalogue")
        if isinstance(source, (str, Path)):
            try:
                with open(source, encoding="utf-8-sig", newline="") as handle:
                    text = handle.read()
            except UnicodeDecodeError:
                raise InvalidInput("file_not_utf8") from None
            except OSError as error:
                raise InvalidInput("cannot_read_file", path=source, reason=error.strerror) from None
            handle_io: TextIO = io.StringIO(text)
        else:
            handle_io = source
        reader = csv.DictReader(handle_io)
        if missing := missing_columns(reader, _REQUIRED):
            raise InvalidInput("catalogue_columns_missing", missing=", ".join(missing), expected=", ".join(CATALOGUE_COLUMNS))
        # Number the records, not the file's lines: a quoted field may hold a line break, and
        # the row number must match the row a spreadsheet shows. Empty lines are skipped by
        # the reader, as a spreadsheet would show them as empty rows, so count them in.
        return self.upsert_items(numbered_rows(reader))

    def upsert_items(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> ImportReport:
        """Validate and apply catalogue records (row number, record) in one transaction."""
        good, rejected = check_item_rows(rows)
        with self._transaction() as conn:
            added, updated = apply_items(conn, good, self.now_utc_iso())
        return ImportReport(added=added, updated=updated, rejected=rejected)

    def export_catalogue_csv(self, target: Path | str | TextIO) -> int:
        """Write every item as CSV (the same columns import reads); returns the row count."""
        rows = self._rows(f"SELECT {', '.join(CATALOGUE_COLUMNS)} FROM item ORDER BY code")

        def write(handle: TextIO) -> None:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CATALOGUE_COLUMNS)
            # Names pulled from the state may begin with = + - @: written as text, not formulas
            # (import_catalogue_csv reads the mark back off, so the file round-trips).
            writer.writerows(csv_row(row) for row in rows)

        if isinstance(target, (str, Path)):
            with open(target, "w", encoding="utf-8", newline="") as handle:
                write(handle)
        else:
            write(target)
        return len(rows)

    # -- look-up ----------------------------------------------------------------------------

    def item(self, code: str, *, field: str = "item") -> Item:
        """The active item with this code, or :class:`UnknownItem`."""
        row = self._row(f"SELECT {ITEM_COLUMNS} FROM item i WHERE i.code = ? AND i.active = 1", (code.strip().upper(),))
        if row is None:
            raise UnknownItem(code, field=field)
        return item_from_row(row)

    def item_count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM item WHERE active = 1"))

    def refresh_search_text(self) -> bool:
        """Build every item's search text again if the starter synonyms or the way it is built
        changed since (a program update); the store does it at open. Returns whether it did."""
        version = search_text_version()
        if self.setting("search_text_version", "") == version:
            return False
        with self._transaction() as conn:
            rows = conn.execute("SELECT id, code, name, generic_name, synonyms FROM item").fetchall()
            conn.executemany("UPDATE item SET search_text = ? WHERE id = ?", [
                (search_text({"code": row[1], "name": row[2], "generic_name": row[3], "synonyms": row[4]}), row[0])
                for row in rows])
            conn.execute("INSERT INTO setting (key, value) VALUES ('search_text_version', ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (version,))
        return True

    def search_items(self, text: str, *, limit: int = 20, include_inactive: bool = False) -> list[ItemHit]:
        """Items whose code, name, generic name or synonyms match ``text``, best first.

        Case-insensitive; every word typed must appear. Ranked, in this order:

        1. how the words match: the exact code; then every word the beginning of a word of
           the item, the first word beginning its name, generic name, code or a synonym
           (``pcm``, ``amo 250``); then every word the beginning of some word (``vit`` for
           "Calcium + Vitamin D3"); then words found inside other words;
        2. injections, infusions and vaccines after every other form, unless a word of the
           query names such a form (``inj``, ``iv``, ``infusion``): at the counter the tablet
           is meant, and a ward's injection must not be one Enter away;
        3. how much of it this facility issued in the current and the last three months
           (``consumption_month``, kept by every save): what this counter gives most comes first;
        4. the finer match (code prefix, name prefix, generic-name prefix, a word), then name::

            hits = store.search_items("pcm")   # Paracetamol 500 mg Tablet, ...
            hits[0].item.code, hits[0].usable_qty, hits[0].nearest_expiry
        """
        words = search_words(text).split()
        if not words:
            return []
        today = self.today()
        since = (today.replace(day=1) - dt.timedelta(days=80)).isoformat()[:7]  # three months back
        # Matched and ranked in memory (store/item_search.py: the same ranking the SQL LIKEs
        # made, in about a tenth of the time); SQL gives the stock of the items shown.
        with self._sqlite_errors():
            ranked = self._item_search.rank(
                self.conn, words, since=since, limit=limit, include_inactive=include_inactive,
                parenteral_last=not any(_names_parenteral(word) for word in words))
            if not ranked:
                return []
            month = today.isoformat()[:7]
            stock = {row[0]: (row[1], row[2]) for row in self.conn.execute(
                "SELECT s.item_id, sum(s.qty), min(b.expiry_month) FROM stock s JOIN batch b ON b.id = s.batch_id "
                f"WHERE s.item_id IN ({', '.join('?' for _ in ranked)}) AND s.qty > 0 AND b.expiry_month >= ? "
                "GROUP BY s.item_id", (*(item.id for item, _ in ranked), month))}
        hits = []
        for item, rank in ranked:
            usable, nearest = stock.get(item.id, (0, None))
            hits.append(ItemHit(item=item, usable_qty=usable, nearest_expiry=nearest, rank=rank))
        return hits

    # -- barcodes ---------------------------------------------------------------------------

    def item_for_gtin(self, gtin: str) -> Item | None:
        """The item a scanned GTIN was mapped to, or ``None`` if it was never mapped."""
        row = self._row(
            f"SELECT {ITEM_COLUMNS} FROM item_gtin g JOIN item i ON i.id = g.item_id WHERE g.gtin = ?",
            (gtin,),
        )
        return None if row is None else item_from_row(row)

    def map_gtin(self, gtin: str, item_code: str) -> None:
        """Remember that packs with this GTIN are this item, so the next scan fills it in."""
        user = self._require(Action.RECEIVE, "map_barcode")
        if not (gtin.isascii() and gtin.isdigit() and len(gtin) == 14):
            raise InvalidInput("gtin_needs_14_digits", field="gtin")
        item = self.item(item_code)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO item_gtin (gtin, item_id, mapped_at, mapped_by) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (gtin) DO UPDATE SET item_id = excluded.item_id, "
                "mapped_at = excluded.mapped_at, mapped_by = excluded.mapped_by",
                (gtin, item.id, self.now_utc_iso(), user.username),
            )


def read_header(reader: csv.DictReader[str]) -> list[str]:
    """The header's column names, lower case; an unreadable header is refused plainly."""
    try:
        names = reader.fieldnames or []
    except csv.Error as error:
        raise InvalidInput("row_unreadable", row=1, error=error) from None
    return [name.strip().lower() for name in names]


def missing_columns(reader: csv.DictReader[str], required: Sequence[str]) -> list[str]:
    """Read the header (:func:`read_header`): the required columns it lacks, for the caller
    to refuse the file with. The reader then keys its records by the lower-case names, so a
    column typed "Item_Code" is found."""
    header = read_header(reader)
    reader.fieldnames = header
    return [column for column in required if column not in header]


def numbered_rows(reader: csv.DictReader[str]) -> Iterable[tuple[int, dict[str, Any]]]:
    """Each record with its spreadsheet row number (the header is row 1); a row the CSV reader
    cannot read (a field over its size limit, say) is refused with its number."""
    read_header(reader)
    row_number = 1
    last_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InvalidInput("row_unreadable", row=row_number + 1, error=error) from None
        # The lines this record took, less the line breaks inside its quoted fields, are the
        # empty lines the reader skipped before it, plus the record's own row.
        inside = sum(str(value).count("\n") for value in row.values() if value is not None)
        # At least one row: a quote left open swallows the record's own line break.
        row_number += max(1, reader.line_num - last_line - inside)
        last_line = reader.line_num
        # A cell our own export marked as text ('=...) reads back as it was stored.
        yield row_number, {key: from_csv_text(value) if isinstance(value, str) else value for key, value in row.items()}


#: Forms given by a nurse or a doctor, not handed over the counter.
PARENTERAL_FORMS = ("injection", "infusion", "vaccine")
_PARENTERAL_WORDS = ("inj", "injection", "iv", "infusion", "drip", "vial", "amp", "ampoule", "vaccine")


def _names_parenteral(word: str) -> bool:
    """Whether a word of a query asks for an injection, infusion or vaccine (``inj``, ``infu``)."""
    return word in _PARENTERAL_WORDS or (len(word) >= 3 and any(
        form.startswith(word) or word.startswith(form) for form in ("injection", "infusion", "vaccine")))

