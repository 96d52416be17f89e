"""Fixtures every suite may use: a fresh, set-up store in the test's own folder, with a clock
the test moves by hand, and the answers to the start-up questions. Nothing here touches the
real user data folder; Qt is imported only by a test that asks for ``answers``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ihms_desk.store import Store
from ihms_desk.store.users import Role

if TYPE_CHECKING:
    from ihms_desk.ui.startup_checks import StartupProblem

# Nothing a test runs (in this process or a child) writes to this user's own folders: the log
# file and sync's per-PC folder (its id and home markers) go to a temporary folder.
_SCRATCH = tempfile.mkdtemp(prefix="ihms-tests-")
os.environ.setdefault("IHMS_LOG_DIR", os.path.join(_SCRATCH, "logs"))
os.environ.setdefault("IHMS_MACHINE_DIR", os.path.join(_SCRATCH, "this-pc"))

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
PASSWORD = "test-pass-1"
#: user name, full name, role: one account of every role, all with PASSWORD.
USERS = (
    ("admin", "Test Admin", Role.ADMIN),
    ("incharge", "Dr. In Charge", Role.IN_CHARGE),
    ("pharma", "Test Pharmacist", Role.PHARMACIST),
    ("clerk", "Test Clerk", Role.STORE_CLERK),
)
#: A small catalogue: code, name, generic name, strength, form, unit, category, min_stock.
ITEMS = (
    ("D0001", "Paracetamol 500 mg Tablet", "Paracetamol", "500 mg", "tablet", "tablet", "drug", "100"),
    ("D0002", "Amoxicillin 250 mg Capsule", "Amoxicillin", "250 mg", "capsule", "capsule", "drug", "0"),
    ("D0003", "ORS Powder", "Oral Rehydration Salts", "20.5 g", "powder", "sachet", "drug", "0"),
    ("D0010", "Metformin 500 mg Tablet", "Metformin Hydrochloride", "500 mg", "tablet", "tablet", "drug", "0"),
    ("S0001", "Gauze Roll 10 cm", "Absorbent Gauze", "10 cm x 3 m", "roll", "roll", "surgical", "0"),
    ("T0001", "Catgut Chromic 1-0", "Chromic Catgut Suture", "1-0", "suture", "pack", "suture", "0"),
)


def catalogue_csv(rows: tuple[tuple[str, ...], ...] = ITEMS) -> str:
    header = "code,name,generic_name,strength,dosage_form,unit_of_issue,category,min_stock,active\n"
    return header + "".join(",".join(row) + ",1\n" for row in rows)


class FakeClock:
    """A clock a test sets and moves; ``Store.open(dir, clock=clock)`` reads it."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.current = dt.datetime(year, month, day, hour, tzinfo=IST)

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Set up once (scrypt is slow on purpose), copied for every test."""
    folder = tmp_path_factory.mktemp("template")
    clock = FakeClock(dt.datetime(2026, 11, 20, 10, tzinfo=IST))
    store = Store.open(folder, clock=clock)
    store.set_up(code="RJ-TST-CHC-001", name="CHC Test", district="Jaipur", block="Chaksu", type="CHC",
                 admin_username="admin", admin_full_name="Test Admin", admin_password=PASSWORD)
    store.act_as("admin")
    for username, full_name, role in USERS[1:]:
        store.create_user(username, full_name, role, PASSWORD)
    store.logout()
    store.close()
    return folder


StoreFactory = Callable[..., Store]


@pytest.fixture
def make_store(_template_db: Path, tmp_path: Path) -> Iterator[StoreFactory]:
    """``make_store(user="clerk", start=datetime, catalogue=True)``: a set-up store (facility,
    one user of each role, the small catalogue) in its own folder under ``tmp_path``, acting as
    ``user``, with ``store.clock`` a :class:`FakeClock`."""
    opened: list[Store] = []

    def factory(*, user: str | None = "admin", start: dt.datetime | None = None, catalogue: bool = True,
                folder: str = "data") -> Store:
        data_dir = tmp_path / folder
        data_dir.mkdir(parents=True, exist_ok=False)
        shutil.copy(_template_db / "ihms-desk.sqlite3", data_dir / "ihms-desk.sqlite3")
        clock = FakeClock(start or dt.datetime(2026, 11, 20, 10, tzinfo=IST))
        store = Store.open(data_dir, clock=clock)
        opened.append(store)
        if catalogue:
            store.act_as("admin")
            report = store.import_catalogue_csv(_as_file(tmp_path / f"{folder}-items.csv", catalogue_csv()))
            assert report.ok, report.rejected
        if user:
            store.act_as(user)
        else:
            store.user = None
        return store

    yield factory
    for store in opened:
        try:
            store.close()
        except Exception:  # already closed by the test
            pass


@pytest.fixture
def catalogue_file(tmp_path: Path) -> Path:
    """The small catalogue (:data:`ITEMS`) as a CSV file."""
    return _as_file(tmp_path / "catalogue.csv", catalogue_csv())


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    """A set-up store with the small catalogue, acting as the administrator."""
    return make_store()


def _as_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[StartupProblem]:
    """Each problem the program shows at start, answered "restore" when a backup is offered,
    else "quit" (the real question is a modal box a test could not answer)."""
    from ihms_desk.ui import startup_checks  # here: only the tests that ask for it load Qt

    shown: list[StartupProblem] = []

    def answer(problem: StartupProblem, parent: object) -> str:
        shown.append(problem)
        return startup_checks.RESTORE if startup_checks.RESTORE in problem.choices else startup_checks.QUIT

    monkeypatch.setattr(startup_checks, "ask_choice", answer)
    return shown


@pytest.fixture(autouse=True)
def _english_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks what IHMS_LANG says; a tester's own setting must not leak in."""
    monkeypatch.delenv("IHMS_LANG", raising=False)
