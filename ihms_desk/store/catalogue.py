"""The item catalogue: CSV import with a report of refused rows, export, search, GTIN mapping."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterable
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


def search_text(record: dict[str, Any]) -> str:
    """What the item picker matches against: code, name and generic name, lower case."""
    return " ".join(str(record[key]).lower() for key in ("code", "name", "generic_name"))


def validate_item(raw: dict[str, Any]) -> dict[str, Any]:
    """Check one catalogue record; return it cleaned, or raise :class:`InvalidInput`."""
    record: dict[str, Any] = {}
    for key in _REQUIRED:
        # A line break or tab inside a spreadsheet cell is a space in a name; other control
        # characters (NUL, say) have no place in the catalogue and would break screens and sync.
        value = SPREADSHEET_SPACE.sub(" ", str(raw.get(key) or "")).strip()
        if not value:
            raise InvalidInput("column_empty", field=key, column=key)
        try:
            text_rule(value, 200)  # the rule the state server checks its catalogue with
        except FieldProblem as problem:
            kind = {"too_long": "column_too_long", "invisible_character": "column_invisible_character"}.get(
                problem.kind or "", "column_control_characters")
            raise InvalidInput(kind, field=key, column=key, n=200) from None
        record[key] = value
    record["code"] = record["code"].upper()
    if not _CODE.match(record["code"]):
        raise InvalidInput("bad_item_code", field="code", code=record["code"])
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
    for record in records:
        existing = conn.execute("SELECT id FROM item WHERE code = ?", (record["code"],)).fetchone()
        values = {**record, "search_text": search_text(record), "updated_at": now}
        if existing:
            conn.execute(
                "UPDATE item SET name = :name, generic_name = :generic_name, strength = :strength, "
                "dosage_form = :dosage_form, unit_of_issue = :unit_of_issue, category = :category, "
                "min_stock = :min_stock, active = :active, search_text = :search_text, "
                "updated_at = :updated_at WHERE code = :code",
                values,
            )
            updated += 1
        else:
            conn.execute(
                "INSERT INTO item (code, name, generic_name, strength, dosage_form, unit_of_issue, "
                "category, min_stock, active, search_text, updated_at) VALUES (:code, :name, "
                ":generic_name, :strength, :dosage_form, :unit_of_issue, :category, :min_stock, "
                ":active, :search_text, :updated_at)",
                values,
            )
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
        header = read_header(reader)
        missing = [column for column in _REQUIRED if column not in header]
        if missing:
            raise InvalidInput("catalogue_columns_missing", missing=", ".join(missing), expected=", ".join(CATALOGUE_COLUMNS))
        reader.fieldnames = header
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

    def search_items(self, text: str, *, limit: int = 20, include_inactive: bool = False) -> list[ItemHit]:
        """Items whose code, name or generic name match ``text``, best first.

        Case-insensitive. Every word typed must appear. Ranked: exact code, code prefix,
        name prefix, generic-name prefix, a word starting with the text, then anywhere::

            hits = store.search_items("para")   # Paracetamol 500 mg Tablet, ...
            hits[0].item.code, hits[0].usable_qty, hits[0].nearest_expiry
        """
        words = [word for word in text.lower().split() if word]
        if not words:
            return []
        first = words[0]
        like = [f"%{_escape_like(word)}%" for word in words]
        where = " AND ".join("i.search_text LIKE ? ESCAPE '\\'" for _ in like)
        if not include_inactive:
            where += " AND i.active = 1"
        prefix = _escape_like(first) + "%"
        month = self.today().strftime("%Y-%m")
        rows = self._rows(
            f"""
            WITH hit AS (
                SELECT {ITEM_COLUMNS},
                    -- LIKE and NOCASE fold ASCII case as lower() does (SQLite's lower() folds
                    -- nothing else either), without three function calls per row: a one-letter
                    -- search ranks nearly every item, and this halved its time.
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
                ORDER BY rank, i.name
                LIMIT ?
            )
            SELECT hit.*,
                (SELECT coalesce(sum(s.qty), 0) FROM stock s JOIN batch b ON b.id = s.batch_id
                  WHERE s.item_id = hit.id AND s.qty > 0 AND b.expiry_month >= ?) AS usable,
                (SELECT min(b.expiry_month) FROM stock s JOIN batch b ON b.id = s.batch_id
                  WHERE s.item_id = hit.id AND s.qty > 0 AND b.expiry_month >= ?) AS nearest
            FROM hit ORDER BY rank, name
            """,
            (text.strip().lower(), prefix, prefix, prefix, f"% {prefix}", *like, limit, month, month),
        )
        return [ItemHit(item=item_from_row(row), usable_qty=row["usable"], nearest_expiry=row["nearest"], rank=row["rank"]) for row in rows]

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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
