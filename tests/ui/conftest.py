"""UI test fixtures: offscreen Qt, and a small real CHC database in each test's tmp_path.

The test CHC has ten items: some in stock over two batches, one short, one never received
(out of stock) and one with an expired batch still on the shelf (received months ago).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

# Before any Qt import: tests never open a real window.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ihms_desk.store import Store
from ihms_desk.store.model import ReceiptLine
from ihms_desk.store.users import Role

W = TypeVar("W", bound=QWidget)

PASSWORD = "test1234"
USERS = (
    ("incharge", "Dr. Anjali Meena", Role.IN_CHARGE),
    ("pharmacist", "Kavita Sharma", Role.PHARMACIST),
    ("clerk", "Ramesh Saini", Role.STORE_CLERK),
)
CATALOGUE_CSV = """code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active
D0001,Paracetamol 500 mg Tablet,Paracetamol,500 mg,tablet,tablet,drug,500,1
D0002,Amoxicillin 500 mg Capsule,Amoxicillin,500 mg,capsule,capsule,drug,200,1
D0003,Metformin 500 mg Tablet,Metformin hydrochloride,500 mg,tablet,tablet,drug,200,1
D0004,Cetirizine 10 mg Tablet,Cetirizine,10 mg,tablet,tablet,drug,100,1
D0005,ORS Powder,Oral rehydration salts,20.5 g,powder,sachet,drug,50,1
D0006,Ferrous Sulphate with Folic Acid Tablet,Iron and folic acid,100 mg + 0.5 mg,tablet,tablet,drug,500,1
D0007,Ibuprofen 400 mg Tablet,Ibuprofen,400 mg,tablet,tablet,drug,200,1
D0008,Pantoprazole 40 mg Tablet,Pantoprazole,40 mg,tablet,tablet,drug,100,1
D0009,Azithromycin 500 mg Tablet,Azithromycin,500 mg,tablet,tablet,drug,50,1
S0001,Gauze Swab 10 cm x 10 cm,Gauze,10 cm,swab,piece,surgical,100,1
"""


def month_from(day: dt.date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def build_test_chc(data_dir: Path) -> Path:
    """Set up a CHC with users, the small catalogue and stock; returns the data folder."""
    today = dt.date.today()
    past = dt.datetime.combine(today - dt.timedelta(days=120), dt.time(10, 0)).astimezone()
    # Received four months ago, so an already-expired batch could still come in then.
    with Store.open(data_dir, clock=lambda: past) as store:
        store.set_up(code="RJ-TST-CHC-001", name="CHC Testpur", district="Jaipur", block="Testpur", type="CHC",
                     admin_username="admin", admin_full_name="Test Admin", admin_password=PASSWORD)
        store.act_as("admin")
        for username, full_name, role in USERS:
            store.create_user(username, full_name, role, PASSWORD)
        report = store.import_catalogue_csv(io.StringIO(CATALOGUE_CSV))
        assert report.ok, report.rejected
        store.act_as("clerk")
        store.receive(source="ddw", voucher_no="DDW/TST/1", voucher_date=past.date(), lines=[
            ReceiptLine("D0009", "AZ-OLD", month_from(today, -2), 50),
        ])
    with Store.open(data_dir) as store:
        store.act_as("clerk")
        store.receive(source="ddw", voucher_no="DDW/TST/2", voucher_date=today, lines=[
            ReceiptLine("D0001", "PCM-A", month_from(today, 2), 100),
            ReceiptLine("D0001", "PCM-B", month_from(today, 14), 1000),
            ReceiptLine("D0002", "AMX-1", month_from(today, 10), 500),
            ReceiptLine("D0003", "MET-1", month_from(today, 18), 300),
            ReceiptLine("D0004", "CET-1", month_from(today, 12), 200),
            ReceiptLine("D0005", "ORS-1", month_from(today, 20), 4),
            ReceiptLine("D0006", "IFA-1", month_from(today, 9), 2000),
            ReceiptLine("D0007", "IBU-1", month_from(today, 15), 400),
            ReceiptLine("D0009", "AZ-NEW", month_from(today, 16), 100),
            ReceiptLine("S0001", "GZ-1", month_from(today, 30), 250),
        ])
        store.logout()
    return data_dir


@pytest.fixture(scope="session")
def _template_chc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Building costs a few scrypt hashes; copy one template into each test's folder instead.
    return build_test_chc(tmp_path_factory.mktemp("template_chc"))


@pytest.fixture()
def chc_dir(tmp_path: Path, _template_chc: Path) -> Path:
    """A fresh copy of the test CHC's data folder for this test."""
    target = tmp_path / "chc"
    target.mkdir()
    with Store.open(_template_chc) as source:
        source.backup_to(target / source.path.name)
    return target


def open_as(data_dir: Path, username: str) -> Store:
    store = Store.open(data_dir)
    store.login(username, PASSWORD)
    return store


def _logged_in_store(username: str) -> Callable[[Path], Iterator[Store]]:
    """The fixture ``<username>_store``: the test CHC opened as ``username``, closed after the test."""

    @pytest.fixture(name=f"{username}_store")
    def logged_in(chc_dir: Path) -> Iterator[Store]:
        with open_as(chc_dir, username) as store:
            yield store

    return logged_in


pharmacist_store = _logged_in_store("pharmacist")
incharge_store = _logged_in_store("incharge")
clerk_store = _logged_in_store("clerk")


@pytest.fixture()
def check_store(chc_dir: Path) -> Iterator[Store]:
    """A second connection for assertions: what is really in the file, not in a widget."""
    store = Store.open(chc_dir)
    yield store
    store.close()


def shown_active(qtbot: QtBot, widget: W, size: tuple[int, int]) -> W:
    """``widget`` at ``size``, shown and made the active window, as on a real desktop
    (shortcuts fire only in the active window)."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def show_screen(qtbot, screen_class: type, store: Store, size: tuple[int, int] = (1000, 700)):  # type: ignore[no-untyped-def]
    """A screen as the main window would show it: built, shown, active and refreshed."""
    widget = shown_active(qtbot, screen_class(store), size)
    widget.refresh()
    return widget
