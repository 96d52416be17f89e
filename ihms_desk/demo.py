"""Build the demo CHC: starter catalogue, warehouse receipts and weeks of OPD dispensing history.

Everything goes through the real store API (so the demo obeys every rule), with a simulated
clock that walks day by day through the past weeks.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from ihms_desk.paths import resource_path
from ihms_desk.store import Store
from ihms_desk.store.model import (
    AdjustmentLine,
    DispenseLine,
    Item,
    Patient,
    ReceiptLine,
    TransferLine,
)
from ihms_desk.store.users import Role

DEMO_FACILITY = {
    "code": "RJ-JPR-CHC-DEMO",
    "name": "CHC Chaksu (demo)",
    "district": "Jaipur",
    "block": "Chaksu",
    "type": "CHC",
}
DEMO_PASSWORD = "demo1234"
#: user name, full name, role; every demo account has the password above.
DEMO_USERS = (
    ("admin", "Demo Administrator", Role.ADMIN),
    ("incharge", "Dr. Anjali Meena", Role.IN_CHARGE),
    ("pharmacist", "Kavita Sharma", Role.PHARMACIST),
    ("clerk", "Ramesh Saini", Role.STORE_CLERK),
)
PRESCRIBERS = ("Dr. R. K. Gupta", "Dr. Anjali Meena", "Dr. S. Choudhary", "Dr. P. Jain")
FIRST_NAMES = (
    "Sita", "Geeta", "Ramesh", "Suresh", "Kamla", "Mohan", "Pooja", "Rakesh", "Sunita", "Manoj",
    "Radha", "Bhanwar", "Laxmi", "Gopal", "Santosh", "Meena", "Kailash", "Pushpa", "Hemraj", "Anita",
)
LAST_NAMES = ("Devi", "Sharma", "Meena", "Gurjar", "Saini", "Jat", "Bairwa", "Kumawat", "Yadav", "Choudhary")
MANUFACTURERS = ("RMSCL supply", "Alkem", "Cipla", "Zydus", "Mankind", "Lupin", "Sun Pharma", "Hindustan Antibiotics")


def starter_catalogue_path() -> Path:
    return resource_path("catalogue", "starter_catalogue.csv")


def build_demo(
    data_dir: Path,
    *,
    days: int = 56,
    patients_per_day: int = 60,
    seed: int = 2026,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Create the demo database in ``data_dir`` (which must not hold one yet); returns its path."""
    if days < 0:
        raise ValueError("days of history cannot be negative: the documents would be dated in the future")
    rng = random.Random(seed)
    end = today or dt.date.today()
    start = end - dt.timedelta(days=days)
    current = {"day": start}

    def clock() -> dt.datetime:
        hour = 9 + rng.random() * 5  # the OPD runs in the morning and early afternoon
        return dt.datetime.combine(current["day"], dt.time(int(hour), int(hour % 1 * 60))).astimezone()

    report = progress or (lambda message: None)
    # Rebuilt on request, so even beside backups of an earlier demo (which are left alone).
    store = Store.open(data_dir, clock=clock, start_over=True)
    # A demo file is rebuilt rather than recovered, so skip the per-commit fsync while building.
    store.conn.execute("PRAGMA synchronous = OFF")
    try:
        store.set_up(**DEMO_FACILITY, admin_username="admin", admin_full_name="Demo Administrator", admin_password=DEMO_PASSWORD)
        store.act_as("admin")
        for username, full_name, role in DEMO_USERS[1:]:
            store.create_user(username, full_name, role, DEMO_PASSWORD)
        report("catalogue")
        store.import_catalogue_csv(starter_catalogue_path())
        items = [row.item for row in store.stock_on_hand()]
        # A CHC stocks most of the drug list and the everyday surgical items; some lines stay empty.
        # Items the CHC should hold (a minimum is set) are nearly all in stock, with a few
        # stock-outs to show; items without a minimum are held now and then.
        stocked = [item for item in items if rng.random() < (0.97 if item.min_stock else 0.3)]
        popular = rng.sample(stocked, k=min(60, len(stocked)))
        _receive_opening_stock(store, rng, stocked, popular, start, report)
        store.act_as("pharmacist")
        for offset in range(days + 1):
            current["day"] = start + dt.timedelta(days=offset)
            if current["day"].weekday() == 6:  # Sunday: OPD closed
                continue
            report(f"OPD {current['day'].isoformat()}")
            for patient_no in range(rng.randint(patients_per_day * 3 // 4, patients_per_day * 5 // 4)):
                _one_patient(store, rng, current["day"], patient_no, popular, stocked)
            if offset % 14 == 7:
                store.act_as("clerk")
                ward_item = rng.choice(popular)
                if store.plan_dispense([DispenseLine(ward_item.code, 20)])[0].shortfall == 0:
                    store.transfer_out(destination_type="ward", destination_name="Labour room", lines=[TransferLine(ward_item.code, 20)])
                store.act_as("pharmacist")
        store.act_as("incharge")
        damaged = store.item_batches(popular[0].code)
        if damaged:
            store.adjust(reason="damaged", lines=[AdjustmentLine(popular[0].code, damaged[0].batch_no, 5)], note="strips crushed in transit")
        store.logout()
    finally:
        store.conn.execute("PRAGMA synchronous = FULL")
        store.close()
    return store.path


def _receive_opening_stock(
    store: Store, rng: random.Random, stocked: list[Item], popular: list[Item], day: dt.date, report: Callable[[str], None]
) -> None:
    store.act_as("clerk")
    report("receipts")
    popular_codes = {item.code for item in popular}
    for chunk_no in range(0, len(stocked), 40):
        lines = []
        for item in stocked[chunk_no: chunk_no + 40]:
            busy = item.code in popular_codes
            batches = 2 if busy else 1
            for batch_index in range(batches):
                # Expiry spread: about one batch in thirty runs out within weeks of today,
                # so the demo shows near-expiry and expired-on-shelf alerts.
                months_ahead = rng.choice((1, 2)) if rng.random() < 0.03 else rng.randint(6, 30)
                expiry_year = day.year + (day.month - 1 + months_ahead) // 12
                expiry_month = (day.month - 1 + months_ahead) % 12 + 1
                unit = item.unit_of_issue
                qty = rng.choice((2000, 3000, 5000)) if busy and unit in ("tablet", "capsule") else rng.choice((50, 100, 200, 500))
                # A warehouse indent tops an item up to a few times its minimum; most items
                # then sit above it, so the demo's alerts are a realistic handful, not hundreds.
                qty = max(qty, item.min_stock * rng.choice((2, 3, 4)) // batches)
                lines.append(
                    ReceiptLine(
                        item.code,
                        f"{item.code[:1]}{rng.randint(10000, 99999)}{chr(65 + batch_index)}",
                        f"{expiry_year:04d}-{expiry_month:02d}",
                        qty,
                        manufacturer=rng.choice(MANUFACTURERS),
                        unit_cost=f"{rng.uniform(0.1, 40):.2f}",
                    )
                )
        store.receive(
            source="ddw",
            voucher_no=f"DDW/JPR/{day.year}/{4400 + chunk_no // 40}",
            voucher_date=day,
            lines=lines,
        )


def _one_patient(store: Store, rng: random.Random, day: dt.date, patient_no: int, popular: list[Item], stocked: list[Item]) -> None:
    count = rng.choice((1, 2, 3, 3, 3, 4))
    chosen = {item.code: item for item in rng.sample(popular, k=count - 1)}
    extra = rng.choice(stocked)
    chosen.setdefault(extra.code, extra)
    lines = []
    for item in chosen.values():
        if item.unit_of_issue in ("tablet", "capsule"):
            qty = rng.choice((6, 10, 10, 15, 15, 20, 30))
        else:
            qty = rng.choice((1, 1, 2))
        lines.append(DispenseLine(item.code, qty))
    sex = rng.choice("MF")
    store.dispense(
        patient=Patient(
            opd_no=f"{day.strftime('%y%m%d')}/{patient_no + 1:04d}",
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            age=rng.randint(1, 85),
            sex=sex,
            abha=None,
        ),
        prescriber=rng.choice(PRESCRIBERS),
        lines=lines,
    )
