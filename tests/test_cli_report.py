"""``ihms-desk report`` and ``ihms-desk report --list``: a real file written and read back
against ``build_report``'s rows, and every refusal worded in the user's language with the exit
status the other commands use (2 refused, 3 a problem of the machine), no traceback, no file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from ihms_desk.cli import EXIT_ENVIRONMENT, EXIT_OK, EXIT_REFUSED
from ihms_desk.exports import cells, labels
from ihms_desk.store import Store
from ihms_desk.store.model import DispenseLine, Patient, ReceiptLine
from ihms_desk.store.reports import REPORT_NAMES, build_report
from tests.test_cli import run

PASSWORD = "cli-report-1"
CATALOGUE = (
    "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"
    "D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,100,1\n"
    "D0002,=HYPERLINK(\"http://x\") Amoxicillin,Amoxicillin,250 mg,capsule,capsule,drug,0,1\n"
    "S0001,Gauze Roll,Gauze,10 cm,roll,roll,surgical,0,1\n"
)
TODAY = dt.date.today()
START = TODAY.replace(day=1).strftime("%d-%m-%Y")
END = TODAY.strftime("%d-%m-%Y")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A facility set up by ``ihms-desk init``, with a receipt and a dispense this month."""
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    monkeypatch.delenv("IHMS_DATA_DIR", raising=False)
    monkeypatch.delenv("IHMS_LANG", raising=False)
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    folder = tmp_path / "data"
    code, _out, err = run(capsys, "--data-dir", str(folder), "init", "--code", "RJ-JPR-CHC-014", "--name", "CHC Chaksu",
                          "--district", "Jaipur", "--block", "Chaksu", "--type", "CHC", "--admin-user", "admin",
                          "--admin-name", "Dr. A. Sharma", "--catalog", str(catalogue))
    assert code == EXIT_OK, err
    expiry = (TODAY + dt.timedelta(days=400)).strftime("%Y-%m")
    with Store.open(folder) as store:
        store.act_as("admin")
        store.receive(source="ddw", voucher_no="DDW/JPR/77", voucher_date=TODAY, lines=[
            ReceiptLine("D0001", "PCM-1", expiry, 500), ReceiptLine("D0002", "AMX-1", expiry, 200),
            ReceiptLine("S0001", "GZ-1", expiry, 40)])
        store.dispense(patient=Patient(opd_no="OPD/1", name="Sunita", age=40, sex="F"), prescriber="Dr. Gupta",
                       lines=[DispenseLine("D0001", 30), DispenseLine("D0002", 15)])
    return folder


def report_args(data_dir: Path, name: str, out: Path, *extra: str) -> list[str]:
    return ["--data-dir", str(data_dir), "report", name, "--from", START, "--to", END, "--out", str(out),
            "--user", "admin", *extra]


def built(data_dir: Path, name: str, **filters: object) -> object:
    with Store.open(data_dir) as store:
        store.act_as("admin")
        return build_report(store, name, START, END, **filters)  # type: ignore[arg-type]


def test_list_names_every_report_in_english_and_hindi(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "report", "--list")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(REPORT_NAMES)
    assert "Consumption and months of stock: Monthly consumption" in out
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "report", "--list", "--lang", "hi")
    assert code == EXIT_OK and "खपत एवं कितने महीने का स्टॉक" in out and "Monthly" not in out


def test_a_stock_register_as_csv_holds_the_reports_rows(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "register.csv"
    code, out, err = run(capsys, *report_args(data_dir, "stock-register", out_file))
    assert code == EXIT_OK, err
    assert f"Written: {out_file} (Stock register, {START} to {END})." in out
    report = built(data_dir, "stock-register")
    table = report.tables[0]  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    headings = [labels.heading(column, "en") for column in table.columns]
    start = rows.index(headings)
    written = rows[start + 1:start + 1 + len(table.rows)]
    expected = [[cells.plain(column, value, "en") for column, value in zip(table.columns, row.values)] for row in table.rows]
    # The item name that looks like a formula is written as text, as the guard writes it.
    expected = [["'" + text if text.startswith("=") else text for text in row] for row in expected]
    assert written == expected
    assert any(row[:2] == ["D0001", "Paracetamol 500 mg Tablet"] and row[-2] == "470" for row in written)


def test_consumption_as_xlsx_in_hindi_read_back(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "amc.xlsx"
    code, _out, err = run(capsys, *report_args(data_dir, "consumption", out_file, "--lang", "hi", "--category", "drug"))
    assert code == EXIT_OK, err
    report = built(data_dir, "consumption", category="drug")
    table = report.tables[0]  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(out_file, read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    headings = [labels.heading(column, "hi") for column in table.columns]
    start = values.index(headings)
    codes = [row[0] for row in values[start + 1:start + 1 + len(table.rows)]]
    assert codes == table.values("item_code") and sorted(codes) == ["D0001", "D0002"]  # the gauze is surgical
    status = table.column("status")
    assert [row[status] for row in values[start + 1:start + 3]] == [labels.label(s, "hi") for s in table.values("status")]


def test_a_hindi_pdf_carries_facility_period_and_pages(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "expiry.pdf"
    code, _out, err = run(capsys, *report_args(data_dir, "expiry", out_file, "--format", "pdf", "--lang", "hi"))
    assert code == EXIT_OK, err
    text = "\n".join(page.extract_text() for page in PdfReader(out_file).pages)
    assert "CHC Chaksu (RJ-JPR-CHC-014)" in text and START in text and END in text
    assert "Dr. A. Sharma (admin)" in text


@pytest.mark.parametrize(("argv", "status", "english"), [
    (["stock-regster"], EXIT_REFUSED, "There is no report 'stock-regster'"),
    (["expiry", "--from", "31-11-2026"], EXIT_REFUSED, "The start date '31-11-2026' is not a date"),
    (["expiry", "--to", "2026/11/30"], EXIT_REFUSED, "The end date '2026/11/30' is not a date"),
    (["expiry", "--from", END, "--to", START], None, None),  # reversed unless today is the 1st
    (["expiry", "--to", (TODAY + dt.timedelta(days=1)).strftime("%d-%m-%Y")], EXIT_REFUSED, "after today"),
    (["expiry", "--format", "docx"], EXIT_REFUSED, "'docx' is not a file format for reports"),
    (["expiry", "--lang", "fr"], EXIT_REFUSED, "fr"),
    (["expiry", "--category", "vaccine"], EXIT_REFUSED, "vaccine"),
    (["expiry", "--item", "ZZ999"], EXIT_REFUSED, "ZZ999"),
])
def test_refusals(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                  status: int | None, english: str | None) -> None:
    out_file = tmp_path / "x.pdf"
    args = report_args(data_dir, "expiry", out_file)
    name_at = args.index("expiry")
    args[name_at] = argv[0]
    options = argv[1:]
    for flag, value in zip(options[::2], options[1::2]):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    code, _out, err = run(capsys, *args)
    if status is None:
        if START == END:
            return
        status, english = EXIT_REFUSED, "swap the two dates"
    assert code == status, err
    assert err.startswith("Refused, nothing was saved: ") and english in err
    # No file, and no half-written one beside where it would be.
    assert sorted(os.listdir(tmp_path)) == ["catalogue.csv", "data"]


def test_an_unwritable_path_is_a_problem_of_the_machine(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, *report_args(data_dir, "expiry", tmp_path / "no-such-folder" / "x.pdf"))
    assert code == EXIT_ENVIRONMENT
    assert err.startswith("Problem: The report cannot be written to") and "no-such-folder" in err
    code, _out, err = run(capsys, *report_args(data_dir, "expiry", tmp_path, "--format", "pdf"))
    assert code == EXIT_REFUSED and "is a folder: give a file name" in err


def test_missing_name_period_or_file_say_what_to_type(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "report")
    assert code == EXIT_REFUSED and "Say which report" in err and "stock-register" in err
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "report", "expiry", "--to", END, "--out", "x.pdf")
    assert code == EXIT_REFUSED and "--from is missing" in err
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "report", "expiry", "--from", START, "--to", END)
    assert code == EXIT_REFUSED and "--out is missing" in err
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "report", "expiry", "--from", START, "--to", END, "--out", "x.pdf")
    assert code == EXIT_REFUSED and "--user" in err


def test_refusals_in_hindi(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IHMS_LANG", "hi")
    code, _out, err = run(capsys, *report_args(data_dir, "stock-regster", tmp_path / "x.pdf"))
    assert code == EXIT_REFUSED
    assert err.startswith("स्वीकार नहीं हुआ") and "'stock-regster' नाम की कोई रिपोर्ट नहीं है" in err
    code, _out, err = run(capsys, *report_args(data_dir, "expiry", tmp_path / "nowhere" / "x.pdf"))
    assert code == EXIT_ENVIRONMENT and err.startswith("समस्या:")
    code, out, err = run(capsys, *report_args(data_dir, "expiry", tmp_path / "x.csv"))
    assert code == EXIT_OK, err
    assert out.startswith("लिखी गई:") and "कालातीत एवं शीघ्र कालातीत होने वाला स्टॉक" in out
