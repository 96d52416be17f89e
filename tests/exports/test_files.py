"""Every report written as CSV, XLSX and PDF in English and Hindi, then read back (csv, openpyxl,
pypdf) and compared with the report's own rows; formula injection; the errors of the one
call ``ihms-desk report`` will make."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import FORMULA_NAMES
from pypdf import PdfReader

from ihms_desk.exports import ExportError, export_report, write_report
from ihms_desk.exports import cells, labels, page
from ihms_desk.store import Store
from ihms_desk.store.errors import NotLoggedIn
from ihms_desk.store.reports import REPORT_NAMES, ReportCancelled, ReportRefused, build_report
from ihms_desk.store.reports.result import ColumnKind, Report
from ihms_desk.store.spreadsheet import csv_text

PERIOD = ("01-11-2026", "30-11-2026")


@pytest.fixture
def reports(ledger: Store) -> dict[str, Report]:
    ledger.act_as("incharge")
    return {name: build_report(ledger, name, *PERIOD) for name in REPORT_NAMES}


def test_the_ledger_fills_every_report(reports: dict[str, Report]) -> None:
    """So that the read-backs below compare something in every table."""
    for name, report in reports.items():
        for table in report.tables:
            if table.key != "expired_on_shelf":
                assert table.rows, f"{name}: {table.key} is empty"


# -- CSV -------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("name", REPORT_NAMES)
def test_csv_reads_back_as_the_report(reports: dict[str, Report], tmp_path: Path, name: str, lang: str) -> None:
    report = reports[name]
    path = write_report(report, tmp_path / f"{name}.csv", lang=lang)
    lines = read_csv(path)
    top = page.heading(report, lang)
    assert lines[0] == [top.title] and [top.period] in lines and [top.printed] in lines
    position = 0
    for table in report.tables:
        title, headings = [csv_text(page.table_title(table, lang))], [csv_text(labels.heading(c, lang)) for c in table.columns]
        position = next(i for i in range(position, len(lines) - 1) if lines[i] == title and lines[i + 1] == headings)
        body = lines[position + 2: position + 2 + len(table.rows)]
        expected = [
            [csv_text(text) if c.kind in (ColumnKind.TEXT, ColumnKind.LABEL) else text
             for c, text in zip(table.columns, (cells.plain(c, v, lang) for c, v in zip(table.columns, row.values)))]
            for row in table.rows
        ]
        assert body == expected
        if table.totals is not None:
            totals = lines[position + 2 + len(table.rows)]
            assert labels.text("page.total", lang) in totals
            for column, value, text in zip(table.columns, table.totals, totals):
                if value is not None:
                    assert text == cells.plain(column, value, lang)
    # Numbers are plain numbers: a spreadsheet must be able to add them up.
    register = reports["stock-register"].table("stock_register") if name == "stock-register" else None
    if register is not None:
        closing = register.column("closing")
        start = lines.index([csv_text(labels.heading(c, lang)) for c in register.columns]) + 1
        assert [int(line[closing]) for line in lines[start: start + len(register.rows)]] == register.values("closing")


def test_csv_guards_formula_like_text(reports: dict[str, Report], tmp_path: Path) -> None:
    text = (write_report(reports["dispensing-register"], tmp_path / "d.csv")).read_text(encoding="utf-8-sig")
    for name in FORMULA_NAMES.values():
        assert "'" + name.replace('"', '""') in text or f'"\'{name.replace(chr(34), chr(34) * 2)}"' in text
    rows = read_csv(tmp_path / "d.csv")
    item_cells = [cell for row in rows for cell in row if any(name in cell for name in FORMULA_NAMES.values())]
    assert item_cells and all(cell.startswith("'") for cell in item_cells)
    # Negative numbers stay numbers (they are not text to guard).
    issues = read_csv(write_report(reports["issues-register"], tmp_path / "i.csv"))
    assert ["-200"] == [cell for row in issues for cell in row if cell == "-200"]


# -- XLSX -------------------------------------------------------------------------------------


def xlsx_value(column: Any, value: Any, lang: str) -> Any:
    """What openpyxl reads back for a report value."""
    if value is None:
        return None
    kind = column.kind
    if kind is ColumnKind.INT:
        return value
    if kind in (ColumnKind.MONEY, ColumnKind.DECIMAL):
        return pytest.approx(float(value))
    if kind is ColumnKind.DATE:
        return dt.datetime.combine(value, dt.time())
    if kind is ColumnKind.MONTH:
        return dt.datetime.strptime(value, "%Y-%m")
    if kind is ColumnKind.LABEL:
        return labels.label(value, lang)
    return value


@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("name", REPORT_NAMES)
def test_xlsx_reads_back_as_the_report(reports: dict[str, Report], tmp_path: Path, name: str, lang: str) -> None:
    report = reports[name]
    book = openpyxl.load_workbook(write_report(report, tmp_path / f"{name}.xlsx", lang=lang))
    assert len(book.worksheets) == len(report.tables)
    for sheet, table in zip(book.worksheets, report.tables):
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        headings = [labels.heading(c, lang) for c in table.columns]
        header = next(number for number, row in enumerate(values) if row[: len(headings)] == headings)
        assert values[0][0] == page.heading(report, lang).title
        # The heading row is frozen: it stays on screen while the rows scroll.
        assert sheet.freeze_panes == f"A{header + 2}"
        for row, line in zip(table.rows, values[header + 1:]):
            assert line[: len(table.columns)] == [xlsx_value(c, v, lang) for c, v in zip(table.columns, row.values)]
        if table.rows:
            first = sheet.cell(row=header + 2, column=1 + next(i for i, c in enumerate(table.columns) if c.kind is ColumnKind.INT))
            assert first.number_format.startswith("[>=10000000]##\\,##\\,##\\,##0") and first.data_type == "n"
        if table.totals is not None:
            totals = values[header + 1 + max(len(table.rows), 1)]  # an empty table says so on one line
            assert labels.text("page.total", lang) in totals


def test_xlsx_cells_are_typed_and_grouped_the_indian_way(reports: dict[str, Report], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_report(reports["expiry"], tmp_path / "e.xlsx"))
    sheet = book["Expiring within 3 months"]
    cells_by_type = {type(cell.value) for row in sheet.iter_rows(min_row=10) for cell in row if cell.value is not None}
    assert {str, int, float, dt.datetime} <= cells_by_type
    money = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, float)]
    assert money and all(cell.number_format.endswith("##,##0.00") for cell in money)


def test_xlsx_writes_formula_like_text_as_text(reports: dict[str, Report], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_report(reports["dispensing-register"], tmp_path / "d.xlsx"))
    found = {cell.value: cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value in FORMULA_NAMES.values()}
    assert set(found) == set(FORMULA_NAMES.values())
    for cell in found.values():
        assert cell.data_type == "s"          # a string, not a formula ("f")
        assert cell.quotePrefix                # and Excel keeps it text when the cell is edited


# -- PDF -----------------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("name", REPORT_NAMES)
def test_pdf_holds_every_row(reports: dict[str, Report], tmp_path: Path, name: str, lang: str) -> None:
    """Each row's cells that need no shaping (codes, batch numbers, numbers, dates) are found in
    the PDF's text in the row's order; every page says its number of the whole."""
    report = reports[name]
    path = write_report(report, tmp_path / f"{name}.pdf", lang=lang)
    reader = PdfReader(path)
    text = pdf_text(path)
    words = text.split()
    position = 0
    for table in report.tables:
        shown = page.outlined(table)
        shared = page.shared_columns(shown)
        previous = None
        for row in shown.rows:
            # A slip's own columns are printed on its first line only.
            repeated = shared[1] if shared and row.values[shared[0]] == previous else ()
            previous = row.values[shared[0]] if shared else None
            for index, (column, value) in enumerate(zip(shown.columns, row.values)):
                if index in repeated:
                    continue
                cell = cells.shown(column, value, lang)
                if not cell or any(ord(ch) >= 0x900 for ch in cell) or column.kind is ColumnKind.TEXT and " " in cell:
                    continue
                position = _find(words, cell.split(), position, f"{name}/{table.key}: {cell!r}")
    pages = len(reader.pages)
    footer = labels.text("page.page", lang, page=pages, pages=pages)
    assert footer.replace(" ", "") in text.replace(" ", "")
    if lang == "en":
        assert f"Printed by {report.generated_by}" in text and "Period: 01-11-2026 to 30-11-2026" in text
    assert "RJ-TST-CHC-001" in text


def _find(words: list[str], wanted: list[str], start: int, what: str) -> int:
    for index in range(start, len(words) - len(wanted) + 1):
        if words[index: index + len(wanted)] == wanted:
            return index
    raise AssertionError(f"{what} not found after word {start}")


def test_pdf_prints_latin_inside_hindi(ledger: Store, tmp_path: Path) -> None:
    """Noto Sans Devanagari has no Latin letters: the fallback font prints batch numbers and
    codes on a Hindi page (the glyphs are in the file and extract as text)."""
    report = build_report(ledger, "stock-register", "30-10-2026", "30-11-2026")   # with the receipt
    text = pdf_text(write_report(report, tmp_path / "s.pdf", lang="hi"))
    for expected in ("PCM2411A", "AMX-09", "D0001"):
        assert expected in text
    # A challan number too wide for its column is broken after a "/", not cut short.
    assert "DDW/JPR/4411" in text.replace("\n", "")
    fonts = {font.split("+")[-1] for page_ in PdfReader(tmp_path / "s.pdf").pages for font in _fonts(page_)}
    assert {"NotoSansDevanagariBold", "NotoSans"} <= fonts


def _fonts(pdf_page: Any) -> set[str]:
    resources = pdf_page["/Resources"]
    return {str(font.get_object()["/BaseFont"]) for font in resources["/Font"].values()}


# -- the call the CLI makes, and its errors ------------------------------------------------------------


def test_export_report_writes_each_format(ledger: Store, tmp_path: Path) -> None:
    ledger.act_as("clerk")
    for fmt in ("csv", "xlsx", "pdf"):
        path = export_report(ledger, "stock-register", *PERIOD, fmt, tmp_path / f"s.{fmt}", lang="hi", category="drug")
        assert path.stat().st_size > 500
    assert read_csv(tmp_path / "s.csv")[3] == [labels.text("page.category", "hi", category=labels.label("drug", "hi"))]
    # The format may come from the file name alone.
    assert export_report(ledger, "expiry", *PERIOD, None, tmp_path / "e.XLSX").exists()
    assert list(tmp_path.glob(".*.part")) == []


@pytest.mark.parametrize(("fmt", "out", "lang", "kind"), [
    ("docx", "r.docx", "en", "unknown_format"),
    (None, "r.txt", "en", "unknown_format"),
    ("csv", "r.csv", "fr", "unknown_language"),
    ("pdf", "no/such/folder/r.pdf", "en", "cannot_write"),
    ("pdf", ".", "en", "is_a_folder"),
])
def test_export_errors_carry_a_kind_and_values(ledger: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               fmt: str | None, out: str, lang: str, kind: str) -> None:
    monkeypatch.chdir(tmp_path)
    built: list[str] = []
    monkeypatch.setattr("ihms_desk.store.reports.build_report", lambda *a, **k: built.append("x"))
    with pytest.raises(ExportError) as refused:
        export_report(ledger, "stock-register", *PERIOD, fmt, out, lang=lang)
    assert refused.value.kind == kind and not built          # checked before anything was read
    assert refused.value.message == labels.error(kind, refused.value.values, "en")
    assert refused.value.text("hi") != refused.value.message
    assert list(tmp_path.rglob("*.part")) == [] and list(tmp_path.rglob("r.*")) == []


def test_a_path_through_a_file_is_refused(ledger: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError) as refused:
        export_report(ledger, "expiry", *PERIOD, "pdf", blocker / "r.pdf")
    assert refused.value.kind == "cannot_write" and refused.value.values["path"] == str(blocker / "r.pdf")
    assert refused.value.values["reason"]          # the system's own words: "Not a directory"


def test_report_refusals_pass_through_with_their_kind(ledger: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ReportRefused) as refused:
        export_report(ledger, "stock", "01-11-2026", "30-11-2026", "csv", tmp_path / "r.csv")
    assert refused.value.kind == "unknown_report" and "stock-register" in refused.value.values["known"]
    assert labels.error(refused.value.kind, refused.value.values, "hi").startswith("'stock'")
    with pytest.raises(ReportRefused) as refused:
        export_report(ledger, "expiry", "1-13-2026", "30-11-2026", "csv", tmp_path / "r.csv")
    assert refused.value.kind == "bad_start_date"
    ledger.user = None
    with pytest.raises(NotLoggedIn):
        export_report(ledger, "expiry", *PERIOD, "csv", tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_stopped_file_leaves_nothing_behind(reports: dict[str, Report], tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "r.pdf"
    target.write_bytes(b"the report printed yesterday")
    for fmt in ("csv", "xlsx", "pdf"):
        with pytest.raises(ReportCancelled):
            write_report(reports["dispensing-register"], target, fmt, should_stop=lambda: True)
    assert target.read_bytes() == b"the report printed yesterday"
    assert [path.name for path in tmp_path.iterdir()] == ["r.pdf"]


def test_money_and_quantities_are_exact(reports: dict[str, Report]) -> None:
    """Values are Decimal rupees and int quantities: 5,000 x 0.18 is exactly 900.00, less what left."""
    rows = {row.values[3]: row.values for row in reports["stock-register"].table("stock_register").rows if row.level}
    assert rows["PCM2411A"][-2:] == (5000 - 15 - 200, Decimal("861.30"))


def test_every_page_repeats_the_headings(ledger: Store, tmp_path: Path) -> None:
    """Headings are drawn on the first continued page and repeated from there; each page of a
    long register carries them, with the fonts they need."""
    from ihms_desk.store.reports.result import Row, Table

    report = build_report(ledger, "stock-register", *PERIOD)
    table = report.table("stock_register")
    many = [Row((f"X{n:04d}", f"Item {n}", "tablet", None, None, None, n, *([None] * 12), n, Decimal(n)), 0)
            for n in range(400)]
    long_report = Report(**{**report.__dict__, "tables": (Table(table.key, table.columns, many, table.totals),)})
    for lang in ("en", "hi"):
        reader = PdfReader(write_report(long_report, tmp_path / f"long-{lang}.pdf", lang=lang))
        assert len(reader.pages) >= 8
        for number, pdf_page in enumerate(reader.pages, start=1):
            text = pdf_page.extract_text()
            assert labels.text("page.page", lang, page=number, pages=len(reader.pages)).replace(" ", "") in text.replace(" ", "")
            if lang == "en":
                assert all(word in text for word in ("Code", "Opening", "Dispensed", "Closing")), number
            assert {"NotoSansDevanagariBold" if lang == "hi" else "NotoSansBold"} <= {f.split("+")[-1] for f in _fonts(pdf_page)}
