"""Build the demo CHC: five months of a small CHC's store and counter, as a medical officer
would recognise them in the registers and reports.

- A consumption pattern: a few dozen fast movers (paracetamol, iron and folic acid, ORS,
  antacids, antibiotics) take most prescription lines, and some 360 other items make a long
  tail; OPD runs six days a week, busiest on Mondays.
- Receipts from the district drug warehouse every three to five weeks, indented up to a few
  months of each item's use; the warehouse sometimes sends less or nothing, so a few items run
  out and some run low, and the counter records what it could not give.
- Batches with their own expiry: some close to expiry, and one that expired on the shelf.
- Ward and sub-centre issues, a damaged strip, a condemned expired batch, a return to the
  warehouse, monthly shelf counts and a reversed slip.

Everything goes through the real store operations (so the demo obeys every rule), each
document on its own day: the store's clock is one the builder moves day by day through the
past months, which is also why no document is "entered late" (the store refuses documents
dated more than ``backdate_days`` before its clock). The demo facility's minimum stock of each
item is one month of what the demo CHC uses of it (the state's starter catalogue suggests
minimums for a large hospital), so stock alerts are a realistic handful.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ihms_desk.paths import resource_path
from ihms_desk.store import Store
from ihms_desk.store.errors import Refusal
from ihms_desk.store.model import (
    AdjustmentLine,
    DispenseLine,
    Item,
    Patient,
    ReceiptLine,
    StocktakeCount,
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
WARDS = ("Labour room", "Emergency", "Female ward", "Male ward")
SUB_CENTRES = ("SC Kotkhawda", "SC Nimodiya", "SC Barkheda")

#: Days of history the demo is built with: four and a half months, so the consumption report
#: always has three complete months for its AMC and the month before them. Kept to what builds
#: in a few seconds (``ihms-desk demo`` builds it on first start): a busy CHC's 300 patients a
#: day would take minutes, and the registers look the same at 40.
DEMO_DAYS = 135
DEMO_PATIENTS_PER_DAY = 40
#: The fast movers of a CHC's OPD, most prescribed first: paracetamol, iron and folic acid,
#: calcium, metformin, cetirizine, amoxicillin, pantoprazole, amlodipine, painkillers, ORS ...
FAST_MOVER_CODES = (
    "D0037", "D0367", "D0745", "D0574", "D0075", "D0156", "D0532", "D0400", "D0054", "D0049",
    "D0146", "D0754", "D0559", "D0231", "D0208", "D0199", "D0531", "D0368", "D0560", "D0077",
    "D0422", "D0579", "D0534", "D0536", "D0546", "D0403", "D0420", "D0458", "D0046", "D0180",
    "D0224", "D0088", "D0704", "D0527", "D0155", "D0723", "D0415", "D0580", "D0053", "D0230",
)
FAST_MOVERS = len(FAST_MOVER_CODES)
TAIL_ITEMS = 360
#: Share of prescription lines that go to the fast movers.
FAST_SHARE = 0.72
LINES_PER_PATIENT = (1, 2, 2, 3, 3, 3, 4, 4)
TABLET_QUANTITIES = (6, 10, 10, 15, 15, 20, 30)
TABLET_UNITS = ("tablet", "capsule", "foil")
#: A receipt comes every this many days (the DDW's supply cycle, with its delays).
SUPPLY_EVERY = (21, 35)


@dataclass(frozen=True)
class _Stocked:
    """An item the demo CHC holds, with how often and how much it is prescribed."""

    item: Item
    weight: float  # share of prescription lines
    per_line: float  # average units per line
    pack: int  # the warehouse sends multiples of this

    def monthly_use(self, lines_per_month: float) -> float:
        return lines_per_month * self.weight * self.per_line


def starter_catalogue_path() -> Path:
    return resource_path("catalogue", "starter_catalogue.csv")


def build_demo(
    data_dir: Path,
    *,
    days: int = DEMO_DAYS,
    patients_per_day: int = DEMO_PATIENTS_PER_DAY,
    seed: int = 2026,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Create the demo database in ``data_dir`` (which must not hold one yet); returns its path.

    ``days`` of history end ``today`` (default: the PC's date); the same ``seed`` and ``today``
    build the same demo, document for document.
    """
    if days < 0:
        raise ValueError("days of history cannot be negative: the documents would be dated in the future")
    rng = random.Random(seed)
    end = today or dt.date.today()
    start = end - dt.timedelta(days=days)
    current = {"day": start}
    zone = dt.datetime.now().astimezone().tzinfo  # looked up once: it costs per call

    def clock() -> dt.datetime:
        hour = 9 + rng.random() * 5  # the OPD runs in the morning and early afternoon
        return dt.datetime.combine(current["day"], dt.time(int(hour), int(hour % 1 * 60)), zone)

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
        lines_per_month = patients_per_day * 26 * sum(LINES_PER_PATIENT) / len(LINES_PER_PATIENT)
        stocked = _choose_items(store, rng, lines_per_month)
        builder = _Builder(store, rng, current, stocked, lines_per_month, start, end, report)
        builder.run(patients_per_day)
        store.logout()
    finally:
        store.conn.execute("PRAGMA synchronous = FULL")
        store.close()
    return store.path


def _choose_items(store: Store, rng: random.Random, lines_per_month: float) -> list[_Stocked]:
    """Import the starter catalogue with the demo CHC's own minimums, and pick what it holds."""
    with open(starter_catalogue_path(), encoding="utf-8", newline="") as file:
        records = list(csv.DictReader(file))
    # The tail: the rest of what a CHC is meant to hold (the state suggests a minimum for it).
    by_code = {r["code"]: r for r in records}
    fast = [by_code[code] for code in FAST_MOVER_CODES if code in by_code]
    fast_codes = {r["code"] for r in fast}
    others = [r for r in records if int(r["min_stock"] or 0) > 0 and r["code"] not in fast_codes]
    tail = rng.sample(others, k=min(TAIL_ITEMS, len(others)))
    # Zipf-like shares: the first fast mover is prescribed about 40 times as often as the last.
    fast_weights = [1 / (rank + 1) ** 1.0 for rank in range(len(fast))]
    tail_weights = [1 / (rank + 1) ** 0.6 for rank in range(len(tail))]
    shares: dict[str, float] = {}
    for group, weights, total_share in ((fast, fast_weights, FAST_SHARE), (tail, tail_weights, 1 - FAST_SHARE)):
        total = sum(weights)
        for record, weight in zip(group, weights):
            shares[record["code"]] = total_share * weight / total
    plans: dict[str, tuple[float, float, int]] = {}
    for record in (*fast, *tail):
        tablets = record["unit_of_issue"] in TABLET_UNITS
        per_line = sum(TABLET_QUANTITIES) / len(TABLET_QUANTITIES) if tablets else 1.33
        plans[record["code"]] = (shares[record["code"]], per_line, 10 if tablets else 1)
    # The demo's minimum stock: one month of its own use; items it does not hold have none.
    for record in records:
        plan = plans.get(record["code"])
        record["min_stock"] = str(round(plan[0] * lines_per_month * plan[1])) if plan else "0"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    store.import_catalogue_csv(io.StringIO(text.getvalue()))
    return [_Stocked(store.item(code), *plan) for code, plan in plans.items()]


class _Builder:
    """Walks the store's clock day by day and saves what the CHC did each day."""

    def __init__(self, store: Store, rng: random.Random, current: dict[str, dt.date], stocked: list[_Stocked],
                 lines_per_month: float, start: dt.date, end: dt.date, report: Callable[[str], None]) -> None:
        self.store = store
        self.rng = rng
        self.current = current
        self.stocked = stocked
        self.by_code = {entry.item.code: entry for entry in stocked}
        self.lines_per_month = lines_per_month
        self.start = start
        self.end = end
        self.report = report
        self.cumulative = list(itertools.accumulate(entry.weight for entry in stocked))
        self.vouchers = itertools.count(4400)
        self.patients = 0
        self.slips: list[str] = []
        self.acting = ""
        # The district is short of a few items: some it rations (enough for two to four weeks
        # at a time, so they run out before the next supply), some it stopped sending.
        self.rationed = {entry.item.code for entry in rng.sample(stocked[10:FAST_MOVERS], k=6)}
        self.withheld = {entry.item.code for entry in rng.sample(stocked[FAST_MOVERS + 5: FAST_MOVERS + 100], k=3)}

    def act_as(self, username: str) -> None:
        """Switch user only when it changes (each switch is an audited transaction)."""
        if username != self.acting:
            self.store.act_as(username)
            self.acting = username

    @property
    def day(self) -> dt.date:
        return self.current["day"]

    def run(self, patients_per_day: int) -> None:
        self.receive(first=True)
        next_supply = self.start + dt.timedelta(days=self.rng.randint(*SUPPLY_EVERY))
        days = (self.end - self.start).days
        for offset in range(days + 1):
            self.current["day"] = self.start + dt.timedelta(days=offset)
            if self.day == next_supply:
                self.receive(first=False)
                next_supply = self.day + dt.timedelta(days=self.rng.randint(*SUPPLY_EVERY))
            if self.day.weekday() == 6:  # Sunday: OPD closed
                continue
            self.report(f"OPD {self.day.isoformat()}")
            busy = 1.3 if self.day.weekday() == 0 else 1.0  # Monday
            for _ in range(round(patients_per_day * busy * self.rng.uniform(0.8, 1.2))):
                self.one_patient()
            self.store_work(offset)

    # -- the store room ---------------------------------------------------------------------------

    def receive(self, *, first: bool) -> None:
        """A DDW supply: each item indented up to 2.5 to 4.5 months of use; the warehouse sends
        all of it for most lines, part or none for some, and now and then too much."""
        store = self.store
        self.act_as("clerk")
        self.report("receipt")
        usable = {row.item.code: row.usable_qty for row in store.stock_on_hand(include_zero=False)}
        lines: list[ReceiptLine] = []
        for entry in self.stocked:
            code = entry.item.code
            monthly = entry.monthly_use(self.lines_per_month)
            if code in self.withheld and not first:
                continue
            if code in self.rationed or code in self.withheld:
                want = monthly * self.rng.uniform(0.4, 1.0) - usable.get(code, 0)
                if want <= 0:
                    continue
            else:
                want = monthly * self.rng.uniform(3.5, 5.5) - usable.get(code, 0)
                if want < monthly * 0.75:
                    continue  # enough on the shelf until the next supply
                luck = self.rng.random()
                if luck < 0.05 and not first:
                    continue  # the warehouse had none this time
                if luck < 0.13:
                    want *= self.rng.uniform(0.3, 0.6)
                elif luck > 0.97:
                    want *= self.rng.uniform(2.0, 3.0)
            qty = max(entry.pack, round(want / entry.pack) * entry.pack)
            lines.append(self.batch_line(entry, qty))
        if first:
            lines += self.expiring_batches()
        for chunk in range(0, len(lines), 40):
            store.receive(source="ddw", voucher_no=f"DDW/JPR/{self.day.year}/{next(self.vouchers)}", voucher_date=self.day,
                          lines=lines[chunk: chunk + 40])

    def batch_line(self, entry: _Stocked, qty: int, months: int | None = None) -> ReceiptLine:
        """A new batch, usable ``months`` more months (default: one to two and a half years,
        or for about one in twenty-five, a short life that ends within six months of today)."""
        received = self.day.year * 12 + self.day.month - 1
        if months is None:
            ends_soon = self.end.year * 12 + self.end.month - 1 + self.rng.randint(0, 5)
            months = ends_soon - received if self.rng.random() < 0.04 and ends_soon > received + 1 else self.rng.randint(12, 30)
        index = received + months
        item = entry.item
        return ReceiptLine(
            item.code, f"{item.code[0]}{self.rng.randint(10000, 99999)}{chr(65 + self.rng.randint(0, 5))}",
            f"{index // 12:04d}-{index % 12 + 1:02d}", qty, manufacturer=self.rng.choice(MANUFACTURERS),
            unit_cost=f"{self.rng.uniform(0.1, 40):.2f}",
        )

    def expiring_batches(self) -> list[ReceiptLine]:
        """Two slow movers' batches with more than they will use before expiry: one expires two
        months in and is condemned; the other expired at the end of last month and is still on
        the shelf, for the expiry report."""
        received = self.day.year * 12 + self.day.month - 1
        last_month = self.end.year * 12 + self.end.month - 1 - 1
        lines = []
        for entry, months in ((self.stocked[-2], 2), (self.stocked[-1], max(last_month - received, 0))):
            qty = max(entry.pack * 5, round(entry.monthly_use(self.lines_per_month) * 8 / entry.pack) * entry.pack)
            lines.append(self.batch_line(entry, qty, months=months))
        return lines

    def store_work(self, offset: int) -> None:
        """Besides the counter: weekly ward issues, monthly sub-centre supplies and shelf counts,
        and the odd write-off, return and reversal."""
        store = self.store
        rng = self.rng
        try:
            if offset % 7 == 3:
                self.act_as("clerk")
                entry = rng.choice(self.stocked[:FAST_MOVERS])
                store.transfer_out(destination_type="ward", destination_name=rng.choice(WARDS),
                                   lines=[TransferLine(entry.item.code, entry.pack * rng.randint(5, 20))])
            if offset % 30 == 12:
                self.act_as("clerk")
                entries = rng.sample(self.stocked[:FAST_MOVERS], k=3)
                store.transfer_out(destination_type="sub_centre", destination_name=rng.choice(SUB_CENTRES),
                                   lines=[TransferLine(e.item.code, e.pack * rng.randint(10, 30)) for e in entries])
            if offset % 30 == 20:
                self.shelf_count()
            if offset == 40:
                self.adjust("incharge", "damaged", self.stocked[1], 10, "strips crushed in transit")
            if offset == 75:
                self.adjust("clerk", "return_to_warehouse", self.stocked[FAST_MOVERS + 5], None, "recalled by RMSCL")
            if offset == 100 and self.slips:
                self.act_as("incharge")
                store.reverse(self.slips[-1], reason="entered against the wrong patient")
            if offset == 110:
                self.condemn_expired()
        except Refusal:
            pass  # not enough on the shelf that day: the clerk issues it another day

    def adjust(self, user: str, reason: str, entry: _Stocked, qty: int | None, note: str) -> None:
        batches = self.store.item_batches(entry.item.code)
        if batches:
            self.act_as(user)
            self.store.adjust(reason=reason, note=note,
                              lines=[AdjustmentLine(entry.item.code, batches[0].batch_no, qty or batches[0].qty)])

    def shelf_count(self) -> None:
        """A monthly count of a few shelves: now and then a strip is missing or found."""
        store = self.store
        counts = []
        for entry in self.rng.sample(self.stocked, k=6):
            for batch in store.item_batches(entry.item.code)[:1]:
                difference = self.rng.choice((0, 0, 0, -entry.pack, entry.pack))
                counts.append(StocktakeCount(entry.item.code, batch.batch_no, max(batch.qty + difference, 0)))
        if counts:
            self.act_as("clerk")
            store.stocktake(counts, note="monthly shelf count")

    def condemn_expired(self) -> None:
        """The in-charge writes off the batch that expired in the store room (the other stays)."""
        expired = [batch for batch in self.store.expired_on_shelf() if batch.item_code == self.stocked[-2].item.code]
        if expired:
            batch = expired[0]
            self.act_as("incharge")
            self.store.adjust(reason="expired_write_off", note="condemnation committee",
                              lines=[AdjustmentLine(batch.item_code, batch.batch_no, batch.qty)])

    # -- the counter ------------------------------------------------------------------------------

    def one_patient(self) -> None:
        rng = self.rng
        count = rng.choice(LINES_PER_PATIENT)
        chosen: dict[str, _Stocked] = {}
        total = self.cumulative[-1]
        while len(chosen) < count:
            entry = self.stocked[min(bisect.bisect(self.cumulative, rng.random() * total), len(self.stocked) - 1)]
            chosen[entry.item.code] = entry
        lines = []
        for entry in chosen.values():
            qty = rng.choice(TABLET_QUANTITIES) if entry.item.unit_of_issue in TABLET_UNITS else rng.choice((1, 1, 2))
            lines.append(DispenseLine(entry.item.code, qty))  # what there is; the rest is not available
        self.patients += 1
        self.act_as("pharmacist")
        document = self.store.dispense(
            patient=Patient(
                opd_no=f"{self.day.strftime('%y%m%d')}/{self.patients:05d}",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                age=rng.randint(1, 85),
                sex=rng.choice("MF"),
                abha=None,
            ),
            prescriber=rng.choice(PRESCRIBERS),
            lines=lines,
        )
        self.slips.append(document.number)
