"""The ``ihms-desk`` command, run in-process through ``main([...])`` (and once as ``python -m``):
every bad file or argument ends with a plain message and a non-zero exit, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ihms_desk.cli import EXIT_ENVIRONMENT, EXIT_FAULT, EXIT_OK, EXIT_REFUSED, main
from ihms_desk.store import Store

PASSWORD = "cli-secret-1"
INIT = ["init", "--code", "RJ-JPR-CHC-014", "--name", "CHC Chaksu", "--district", "Jaipur", "--block", "Chaksu",
        "--type", "CHC", "--admin-user", "admin", "--admin-name", "Dr. A. Sharma"]
CATALOGUE = (
    "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"
    "D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,100,1\n"
    "D0002,Amoxicillin 250 mg Capsule,Amoxicillin,250 mg,capsule,capsule,drug,0,1\n"
    "S0001,Gauze Roll,Gauze,10 cm,roll,roll,surgical,0,1\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own refusals
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A facility set up through ``ihms-desk init`` with a small catalogue."""
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    monkeypatch.delenv("IHMS_DATA_DIR", raising=False)
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    folder = tmp_path / "data"
    code, out, err = run(capsys, "--data-dir", str(folder), *INIT, "--catalog", str(catalogue))
    assert code == EXIT_OK, err
    assert "Catalogue: 3 items added." in out and "Set up CHC Chaksu (RJ-JPR-CHC-014)" in out
    with Store.open(folder) as store:
        store.act_as("admin")
        store.create_user("clerk", "Clerk", "store_clerk", PASSWORD)
    return folder


def test_init_with_flags_and_password_from_the_environment(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        facility = store.require_facility()
        assert (facility.code, facility.name, facility.district, facility.block, facility.type) == (
            "RJ-JPR-CHC-014", "CHC Chaksu", "Jaipur", "Chaksu", "CHC")
        assert store.login("admin", PASSWORD).role.value == "admin"
        assert store.item_count() == 3


def test_init_honours_ihms_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    monkeypatch.setenv("IHMS_DATA_DIR", str(tmp_path / "env-dir"))
    code, out, err = run(capsys, *INIT, "--catalog", "none")
    assert code == EXIT_OK, err
    assert (tmp_path / "env-dir" / "ihms-desk.sqlite3").is_file()
    # --data-dir wins over the environment.
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "flag-dir"), *INIT, "--catalog", "none")
    assert code == EXIT_OK, err
    assert (tmp_path / "flag-dir" / "ihms-desk.sqlite3").is_file()
    code, out, _ = run(capsys, "stock", "--all", "--format", "json")
    assert code == EXIT_OK and json.loads(out) == []  # the env folder's (empty) catalogue


def test_init_with_the_starter_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    code, out, err = run(capsys, "--data-dir", str(tmp_path), *INIT)
    assert code == EXIT_OK, err
    with Store.open(tmp_path) as store:
        assert store.item_count() >= 400
        assert "Catalogue: %d items added." % store.item_count() in out


def test_init_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(data_dir), *INIT, "--catalog", "none")
    assert code == EXIT_REFUSED and "already set up" in err
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "t"), *INIT[:-6], "--type", "clinic", "--admin-user", "a",
                       "--admin-name", "A", "--catalog", "none")
    assert code == EXIT_REFUSED and "Facility type" in err
    monkeypatch.setenv("IHMS_PASSWORD", "123")
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "p"), *INIT, "--catalog", "none")
    assert code == EXIT_REFUSED and "at least 6 characters" in err
    monkeypatch.delenv("IHMS_PASSWORD")
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "q"), *INIT, "--catalog", "none")
    assert code == EXIT_REFUSED and "IHMS_PASSWORD" in err


def test_init_with_a_missing_catalogue_sets_up_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), *INIT, "--catalog", str(tmp_path / "nope.csv"))
    assert code == EXIT_REFUSED and "nope.csv" in err
    # The message says nothing was saved: then the facility must not be half set up either.
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), *INIT, "--catalog", "none")
    assert code == EXIT_OK, err


def test_import_catalog_reports_refused_rows(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "more.csv"
    path.write_text(CATALOGUE.splitlines()[0] + "\nD0009,New Item,G,1,tablet,tablet,drug,0,1\nD0010,Bad,G,1,tablet,tablet,food,0,1\n"
                    "D0001,Paracetamol 650 mg Tablet,Paracetamol,650 mg,tablet,tablet,drug,0,1\n", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "import-catalog", str(path), "--user", "admin")
    assert code == EXIT_REFUSED
    assert "1 items added, 1 updated, 1 rows refused." in out
    assert "row 3: category 'food'" in err
    with Store.open(data_dir) as store:
        assert store.item("D0009").name == "New Item" and store.item("D0001").strength == "650 mg"
    good = tmp_path / "good.csv"
    good.write_text(CATALOGUE, encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "import-catalog", str(good), "--user", "admin")
    assert code == EXIT_OK and "0 items added, 3 updated, 0 rows refused." in out


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"name,code\nx,y\n", "no column"), (b"\xff\xfe\x00\x01garbage", "not UTF-8"), (None, "Cannot read")],
)
def test_import_catalog_bad_files(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str) -> None:
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-catalog", str(path), "--user", "admin")
    assert code == EXIT_REFUSED and message in err


def test_import_catalog_needs_a_user_and_the_right_password(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CATALOGUE, encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-catalog", str(path))
    assert code == EXIT_REFUSED and "--user" in err
    monkeypatch.setenv("IHMS_PASSWORD", "wrong-password")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-catalog", str(path), "--user", "admin")
    assert code == EXIT_REFUSED and "Wrong user name or password" in err


CHALLAN = ("item_code,batch_no,expiry,qty,manufacturer,unit_cost,voucher_no,voucher_date\n"
           "D0001,PCM2411,03/2099,5000,RMSCL,0.18,DDW/JPR/4411,{day}\n"
           "D0002,AMX77,2099-06,300,,,DDW/JPR/4411,{day}\n")


def test_import_receipt_and_stock_in_every_format(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    path = tmp_path / "challan.csv"
    path.write_text(CHALLAN.format(day=dt.date.today().isoformat()), encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(path), "--user", "clerk")
    assert code == EXIT_OK, err
    fy = out.split()[1]
    assert out.startswith("Saved RCV/") and fy.endswith("/000001:") and "2 lines, 5300 units" in out
    with Store.open(data_dir) as store:
        assert store.doctor() == []
        assert [(b.batch_no, b.qty, b.unit_cost) for b in store.item_batches("D0001")] == [("PCM2411", 5000, "0.18")]

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "stock", "--format", "json")
    assert code == EXIT_OK
    records = {r["code"]: r for r in json.loads(out)}
    assert set(records) == {"D0001", "D0002"}
    assert records["D0001"] == {"code": "D0001", "name": "Paracetamol 500 mg Tablet", "unit": "tablet", "on_hand": 5000,
                                "usable": 5000, "expired": 0, "nearest_expiry": "2099-03", "amc": 0.0, "months_of_stock": None}
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "stock", "--format", "csv", "--all")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["code"]: r["on_hand"] for r in rows} == {"D0001": "5000", "D0002": "300", "S0001": "0"}
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "stock", "--category", "surgical", "--all")
    assert code == EXIT_OK and out.splitlines()[0].startswith("Code") and out.splitlines()[1].split()[:2] == ["S0001", "Gauze"]
    assert len(out.splitlines()) == 2
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "stock", "--format", "csv", "--category", "surgical")
    assert code == EXIT_OK  # nothing on hand, but the same columns: a script reading it must not break
    assert out == "code,name,unit,on_hand,usable,expired,nearest_expiry,amc,months_of_stock\n"


@pytest.mark.parametrize(
    ("challan", "args", "message"),
    [
        ("item_code,batch_no,qty\nD0001,B,5\n", [], "no column expiry"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-03,five\n", ["--voucher-no", "V", "--voucher-date", "today"], "row 2: quantity 'five'"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-03,5²\n", [], "row 2: quantity '5²'"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-03,5,extra\n", [], "row 2: row has more fields"),
        ('item_code,batch_no,expiry,qty,manufacturer\nD0001,B,2099-03,5,"Alkem\nLtd"\nD0002,B,2099-03,x\n', [], "row 3: quantity 'x'"),
        ("item_code,batch_no,expiry,qty\n", ["--voucher-no", "V", "--voucher-date", "2026-11-01"], "no lines"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-03,5\n", [], "--voucher-no"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-03,5\n", ["--voucher-no", "V", "--voucher-date", "32-13-2026"], "is not a date"),
        ("item_code,batch_no,expiry,qty\nZZZ,B,2099-03,5\n", ["--voucher-no", "V", "--voucher-date", "{today}"], "not in the catalogue"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2020-03,5\n", ["--voucher-no", "V", "--voucher-date", "{today}"], "cannot be received"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-03,0\n", ["--voucher-no", "V", "--voucher-date", "{today}"], "at least 1"),
        ("item_code,batch_no,expiry,qty\nD0001,B,2099-99,5\n", ["--voucher-no", "V", "--voucher-date", "{today}"], "is not a month"),
        pytest.param('item_code,batch_no,expiry,qty\nD0001,"' + "B" * 200_000 + '",2099-01,5\n', [], "Row 2 cannot be read as CSV",
                     id="oversized-field"),
    ],
)
def test_import_receipt_bad_challans(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     challan: str, args: list[str], message: str) -> None:
    import datetime as dt

    path = tmp_path / "challan.csv"
    path.write_text(challan, encoding="utf-8")
    args = [a.replace("{today}", dt.date.today().isoformat()) for a in args]
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(path), "--user", "clerk", *args)
    assert code == EXIT_REFUSED and message in err, err
    with Store.open(data_dir) as store:
        assert store.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 0


def test_import_receipt_by_a_pharmacist_is_refused(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    with Store.open(data_dir) as store:
        store.act_as("admin")
        store.create_user("pharma", "P", "pharmacist", PASSWORD)
    path = tmp_path / "challan.csv"
    path.write_text(CHALLAN.format(day=dt.date.today().isoformat()), encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(path), "--user", "pharma")
    assert code == EXIT_REFUSED and "may not record a receipt" in err


def test_doctor_passes_on_a_sound_database(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "doctor")
    assert code == EXIT_OK and out.startswith("OK: ") and "is sound" in out


def test_doctor_finds_a_balance_edited_behind_the_ledger(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    path = tmp_path / "challan.csv"
    path.write_text(CHALLAN.format(day=dt.date.today().isoformat()), encoding="utf-8")
    assert run(capsys, "--data-dir", str(data_dir), "import-receipt", str(path), "--user", "clerk")[0] == EXIT_OK
    conn = sqlite3.connect(data_dir / "ihms-desk.sqlite3")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE stock SET qty = qty + 7 WHERE batch_id = (SELECT id FROM batch WHERE batch_no = 'PCM2411')")
    conn.execute("DELETE FROM outbox WHERE sequence = 1")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "doctor")
    assert code == EXIT_FAULT
    assert "Batch PCM2411 of D0001: balance 5007 but ledger sums to 5000" in out
    assert "1 documents but 0 outbox events" in out


def test_doctor_on_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ihms-desk.sqlite3").write_bytes(b"this is not SQLite" * 100)
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "doctor")
    assert code == EXIT_FAULT and out.startswith("DAMAGED: ") and "not an SQLite database" in out
    assert "What to do: " in out


@pytest.mark.parametrize(
    "argv",
    [["stock"], ["doctor"], ["import-catalog", "x.csv", "--user", "admin"], ["stock", "--format", "xml"], ["nonsense"],
     ["demo", "--days", "many"]],
)
def test_bad_arguments_and_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "empty"), *argv)
    assert code == EXIT_REFUSED and err.strip()
    assert ("ihms-desk init" in err) or ("usage:" in err)


def test_data_dir_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--data-dir", str(blocker), *INIT, "--catalog", "none")
    assert code == EXIT_ENVIRONMENT and "a-file" in err


def test_a_database_set_up_but_without_facility(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(tmp_path).close()
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "stock")
    assert code == EXIT_REFUSED and "ihms-desk init" in err


def test_python_dash_m_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "IHMS_DATA_DIR": str(data_dir), "IHMS_PASSWORD": PASSWORD}
    result = subprocess.run([sys.executable, "-m", "ihms_desk", "stock", "--all", "--format", "json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert {r["code"] for r in json.loads(result.stdout)} == {"D0001", "D0002", "S0001"}
    result = subprocess.run([sys.executable, "-m", "ihms_desk", "import-catalog", str(tmp_path / "missing.csv"), "--user", "admin"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == EXIT_REFUSED
    assert "Traceback" not in result.stderr and "Cannot read" in result.stderr
    result = subprocess.run([sys.executable, "-m", "ihms_desk", "doctor"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and "is sound" in result.stdout


def test_stock_into_a_closed_pipe_is_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``ihms-desk stock | head``: the reader goes away early; the command must not crash."""
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    assert run(capsys, "--data-dir", str(tmp_path), *INIT)[0] == EXIT_OK  # the starter catalogue: far more than a pipe holds
    env = {**os.environ, "IHMS_DATA_DIR": str(tmp_path)}
    result = subprocess.run(f"'{sys.executable}' -m ihms_desk stock --all | head -c 10 > /dev/null",
                            shell=True, capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_init_without_a_field_and_no_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: nobody can answer a prompt
    without_name = [a for a in INIT if a not in ("--name", "CHC Chaksu")]
    code, _, err = run(capsys, "--data-dir", str(tmp_path), *without_name, "--catalog", "none")
    assert code == EXIT_REFUSED and "Facility name is missing" in err


def test_init_lists_refused_catalogue_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_PASSWORD", PASSWORD)
    catalogue = tmp_path / "c.csv"
    catalogue.write_text(CATALOGUE + "X1,Bad,G,1,t,t,toy,0,1\n", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "d"), *INIT, "--catalog", str(catalogue))
    assert code == EXIT_OK and "Catalogue: 3 items added." in out
    assert "catalogue row 5 refused: category 'toy'" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"item_code,batch_no,expiry,qty\nD0001,B,2099-01,5\n\xff\xfe", "not UTF-8"), (None, "Cannot read"),
     (b"item_code,batch_no,expiry,qty,voucher_no\nD0001,B,2099-01,5,V1\nD0002,B,2099-01,5,V2\n", "row 3: voucher_no differs")],
)
def test_import_receipt_unreadable_challans(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            content: bytes | None, message: str) -> None:
    path = tmp_path / "challan.csv"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(path), "--user", "clerk")
    assert code == EXIT_REFUSED and message in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from ihms_desk import __version__

    code, out, _ = run(capsys, "--version")
    assert code == EXIT_OK and out.strip() == f"ihms-desk {__version__}"


def test_the_command_line_speaks_hindi_with_ihms_lang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_LANG", "hi")
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "nowhere"), "stock")
    assert code == EXIT_REFUSED
    assert err.strip() == (f"स्वीकार नहीं हुआ, कुछ भी सेव नहीं हुआ: {tmp_path / 'nowhere'} में कोई IHMS Desk डेटाबेस नहीं है। "
                           "पहले 'ihms-desk init' (या 'ihms-desk demo') चलाएँ।")
    challan = tmp_path / "challan.csv"
    # A file wrong as a whole is said before the database is opened (its rows are checked
    # against the store, all at once: tests below).
    challan.write_text("item_code\tbatch_no\texpiry\tqty\nD0001\tB\t2099-03\tfive\n", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "nowhere"), "import-receipt", str(challan), "--user", "clerk")
    assert code == EXIT_REFUSED and "चालान के कॉलम टैब से अलग किए गए हैं" in err


def test_the_command_line_follows_the_facility_language(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("IHMS_LANG", raising=False)
    with Store.open(data_dir) as store:
        store.act_as("admin")
        store.set_setting("language", "hi")
    catalogue = tmp_path / "bad.csv"
    catalogue.write_text(CATALOGUE.splitlines()[0] + "\nX1,Bad,G,1,tablet,tablet,food,0,1\n", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "import-catalog", str(catalogue), "--user", "clerk")
    assert code == EXIT_REFUSED
    assert "0 दवाएँ जोड़ी गईं, 0 बदली गईं, 1 पंक्तियाँ स्वीकार नहीं हुईं।" in out
    assert "पंक्ति 2: श्रेणी 'food' इनमें से एक होनी चाहिए: drug, surgical, suture" in err
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(catalogue), "--user", "clerk")
    assert code == EXIT_REFUSED and "चालान में कॉलम" in err
    monkeypatch.setenv("IHMS_LANG", "en")  # the environment wins over the setting
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(catalogue), "--user", "clerk")
    assert "The challan has no column" in err


def test_sync_status_doctor_and_backup_speak_hindi(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IHMS_LANG", "hi")
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "sync", "--status")
    assert code == EXIT_OK
    assert out.splitlines()[:3] == ["अभी राज्य सर्वर के साथ पंजीकरण नहीं हुआ (ihms-desk sync --enrol URL CODE)।",
                                    "भेजने बाकी: 0; सर्वर द्वारा अलग रखी गईं: 0", "पिछला पूरा सिंक: कभी नहीं"]
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "doctor")
    assert code == EXIT_OK and out.startswith("ठीक है: ") and "सही है" in out
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "backup")
    assert code == EXIT_OK and out.startswith("बैकअप लिखा गया: ")


def test_import_receipt_reads_excel_semicolons_and_says_what_a_clerk_would_miss(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12 item 7 on the command line: Excel's ``;`` and ``20,000`` read; every bad row at
    once; stock expiring next month taken with --short-expiry-reason; the same challan again
    under another number refused until --same-lines-ok."""
    import datetime as dt

    today = dt.date.today()
    index = today.year * 12 + today.month  # next month, 0-based month index + 1
    soon = f"{index % 12 + 1:02d}/{index // 12}"
    header = "item_code;batch_no;expiry;qty\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "D0001;P-1;03/2099;five\nZZZ;X;03/2099;5\nD0002;A-1;13/2099;5\n", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(bad), "--user", "clerk",
                       "--voucher-no", "V-0", "--voucher-date", today.isoformat())
    assert code == EXIT_REFUSED
    assert "3 row(s)" in err and "row 2:" in err and "row 3:" in err and "row 4:" in err, err
    tabbed = tmp_path / "tabbed.csv"
    tabbed.write_text("item_code\tbatch_no\texpiry\tqty\nD0001\tP-1\t03/2099\t5\n", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(data_dir), "import-receipt", str(tabbed), "--user", "clerk")
    assert code == EXIT_REFUSED and "separated by tabs" in err

    challan = tmp_path / "challan.csv"
    challan.write_text(header + f"D0001;P-1;03/2099;20,000\nD0002;A-1;{soon};300\n", encoding="utf-8")
    args = ["--data-dir", str(data_dir), "import-receipt", str(challan), "--user", "clerk", "--voucher-date", today.isoformat()]
    code, _, err = run(capsys, *args, "--voucher-no", "V-1")
    assert code == EXIT_REFUSED and "A-1" in err and soon in err and "reason" in err
    code, out, err = run(capsys, *args, "--voucher-no", "V-1", "--short-expiry-reason", "camp stock")
    assert code == EXIT_OK and "20300 units" in out, err
    # The same file again under another number: said, nothing saved; then confirmed.
    code, _, err = run(capsys, *args, "--voucher-no", "V-2", "--short-expiry-reason", "camp stock")
    assert code == EXIT_REFUSED and "V-1" in err and "--same-lines-ok" in err
    code, out, err = run(capsys, *args, "--voucher-no", "V-2", "--short-expiry-reason", "camp stock", "--same-lines-ok")
    assert code == EXIT_OK, err
    with Store.open(data_dir) as store:
        numbers = [summary.number for summary in store.documents_on(kind="receipt")]
        assert len(numbers) == 2
        documents = sorted((store.document(number) for number in numbers), key=lambda d: d.number)
        assert documents[1].header["same_lines_as"] == documents[0].number
        assert documents[0].lines[1]["short_expiry_reason"] == "camp stock"
        assert store.doctor() == []
