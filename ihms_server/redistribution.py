"""Redistribution within a district: who lacks an item, who holds too much of it or holds
stock that will expire before it is used, and how much to move (issue 14).

Computed when asked from the stock projection, each facility's monthly consumption and the
vouchers on their way (not withdrawn); nothing is stored but the suggestions already acted
on. The formula is in docs/indents.md ("Redistribution").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ihms_server.store import Store

#: The levels the desks use by default (the in-charge's min and max months of AMC).
MIN_MONTHS = 2
MAX_MONTHS = 4
#: AMC is the consumption of the last complete months, this many.
AMC_MONTHS = 3
#: A batch expiring within this many months whose stock the sender cannot use in time is
#: offered as near-expiry surplus.
NEAR_EXPIRY_MONTHS = 6


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclasses.dataclass
class Holding:
    """One item at one facility: usable stock by batch, AMC, levels, what is on its way."""

    facility_code: str
    facility_name: str
    item_code: str
    batches: list[tuple[str, int]]  # (expiry month, qty) of usable batches, earliest first
    stocked: bool  # the facility has ever held the item (a stock row)
    amc: float
    min_stock: int
    in_transit: int

    # Worked out once each: a district holds tens of thousands of holdings.
    @functools.cached_property
    def usable(self) -> int:
        return sum(qty for _, qty in self.batches)

    @functools.cached_property
    def minimum(self) -> float:
        return max(float(self.min_stock), MIN_MONTHS * self.amc)

    @functools.cached_property
    def maximum(self) -> float:
        return max(float(self.min_stock), MAX_MONTHS * self.amc)

    @property
    def stocked_out(self) -> bool:
        return self.usable <= 0

    @functools.cached_property
    def need(self) -> int:
        """Units to bring it up to its maximum, if it is stocked out or below its minimum
        (counting what is already on its way)."""
        have = self.usable + self.in_transit
        if have >= self.minimum and not (self.stocked_out and self.in_transit == 0):
            return 0
        return max(0, math.floor(self.maximum) - have)

    def near_expiry_excess(self, this_month: int) -> tuple[int, str | None]:
        """Units of batches expiring within NEAR_EXPIRY_MONTHS that it cannot use before they
        expire (using earliest expiry first at its AMC), and the earliest such month."""
        used = 0.0
        excess, first = 0, None
        for expiry, qty in self.batches:
            months_left = _month_index(expiry) - this_month + 1
            can_use = max(0.0, self.amc * months_left - used)
            use = min(float(qty), can_use)
            used += use
            left = qty - math.ceil(use)
            if left > 0 and months_left <= NEAR_EXPIRY_MONTHS:
                excess += left
                first = first or expiry
        return excess, first

    def offer(self, this_month: int) -> tuple[int, str, str | None]:
        """(units it can give, reason, expiry month for near-expiry stock)."""
        above_max = max(0, self.usable - math.ceil(self.maximum))
        near, expires = self.near_expiry_excess(this_month)
        if near > 0 and near >= above_max:
            return near, "near_expiry", expires
        return above_max, "surplus", None


@dataclasses.dataclass(frozen=True)
class Suggestion:
    id: str
    item_code: str
    item_name: str | None
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    qty: int
    reason: str
    expires: str | None
    #: The receiver's usable stock, minimum and maximum, and the sender's stock and maximum.
    to_stock: int
    to_minimum: int
    to_maximum: int
    from_stock: int
    from_maximum: int

    def as_wire(self) -> dict[str, Any]:
        return {"id": self.id, "item_code": self.item_code, "to_code": self.to_code,
                "to_name": self.to_name, "qty": self.qty, "reason": self.reason,
                "expires": self.expires}


#: Batches expiring after the near-expiry horizon are summed into one (they are used after
#: the nearer ones and are never near-expiry surplus), so a district is read in fewer rows.
_LATER = "9999-12"


def _holdings(store: Store, district: str, today: dt.date, *, facility: str | None = None,
              items: Sequence[str] | None = None) -> list[Holding]:
    """Every (facility, item) of the district held or used (of one facility, or of some items,
    if given), with its usable batches, AMC, minimum stock and what is on its way."""
    this_month = today.strftime("%Y-%m")
    first = _month(_month_index(this_month) - AMC_MONTHS)
    horizon = _month(_month_index(this_month) + NEAR_EXPIRY_MONTHS - 1)
    where, facility_params = "f.district = %s", [district]
    if facility is not None:
        where, facility_params = where + " AND f.code = %s", [district, facility]
    item_filter, params = "", list(facility_params)
    if items is not None:
        if not items:
            return []
        item_filter = f" AND {{item}} IN ({', '.join(['%s'] * len(items))})"
        params.extend(items)
    with store._read() as cur:
        cur.execute(f"SELECT f.code, f.name FROM facility f WHERE {where} AND f.active = %s",
                    (*facility_params, True))
        names = dict(cur.fetchall())
        batches: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        cur.execute(
            "SELECT s.facility_code, s.item_code,"
            " CASE WHEN s.expiry_month <= %s THEN s.expiry_month ELSE %s END AS bucket,"
            " sum(CASE WHEN s.qty > 0 AND s.expiry_month >= %s THEN s.qty ELSE 0 END)"
            f" FROM stock s JOIN facility f ON f.code = s.facility_code WHERE {where}"
            f"{item_filter.format(item='s.item_code')}"
            " GROUP BY s.facility_code, s.item_code, bucket ORDER BY s.facility_code, s.item_code, bucket",
            (horizon, _LATER, this_month, *params))
        stocked: set[tuple[str, str]] = set()
        for code, item, expiry, qty in cur.fetchall():
            stocked.add((code, item))
            if qty > 0:
                batches[(code, item)].append((expiry, int(qty)))
        cur.execute("SELECT c.facility_code, c.item_code, sum(c.qty) FROM consumption_month c"
                    f" JOIN facility f ON f.code = c.facility_code WHERE {where}"
                    f" AND c.month >= %s AND c.month < %s{item_filter.format(item='c.item_code')}"
                    " GROUP BY c.facility_code, c.item_code",
                    (*facility_params, first, this_month, *params[len(facility_params):]))
        used = {(r[0], r[1]): max(0, int(r[2])) for r in cur.fetchall()}
        cur.execute("SELECT v.to_facility, l.item_code, sum(l.qty) FROM voucher v"
                    " JOIN voucher_line l ON l.voucher_id = v.id"
                    f" JOIN facility f ON f.code = v.to_facility WHERE {where} AND v.received_at IS NULL"
                    " AND v.withdrawn_at IS NULL"
                    f"{item_filter.format(item='l.item_code')} GROUP BY v.to_facility, l.item_code",
                    tuple(params))
        coming = {(r[0], r[1]): int(r[2]) for r in cur.fetchall()}
        cur.execute("SELECT code, min_stock FROM item")
        minimum = {r[0]: int(r[1]) for r in cur.fetchall()}
    keys = sorted(key for key in stocked | set(used) if key[0] in names)
    return [Holding(code, names[code], item, batches.get((code, item), []),
                    (code, item) in stocked, used.get((code, item), 0) / AMC_MONTHS,
                    minimum.get(item, 0), coming.get((code, item), 0)) for code, item in keys]


def suggestions(store: Store, district: str, today: dt.date,
                sender: str | None = None) -> list[Suggestion]:
    """Every transfer worth making in the district now, per item: facilities in need (stock-outs
    first, then fewest months of stock) filled in turn from those with the most to give.
    With ``sender``, only the items that facility can give are worked out (the others cannot
    change what it is suggested)."""
    this_month = _month_index(today.strftime("%Y-%m"))
    items = None
    if sender is not None:
        items = sorted(h.item_code for h in _holdings(store, district, today, facility=sender)
                       if h.need == 0 and h.offer(this_month)[0] > 0)
    by_item: dict[str, list[Holding]] = defaultdict(list)
    for holding in _holdings(store, district, today, items=items):
        by_item[holding.item_code].append(holding)
    with store._read() as cur:
        cur.execute("SELECT from_code, to_code, item_code, count(*) FROM suggestion_done"
                    " GROUP BY from_code, to_code, item_code")
        done = {(r[0], r[1], r[2]): int(r[3]) for r in cur.fetchall()}
        cur.execute("SELECT code, name FROM item")
        item_names = dict(cur.fetchall())
    found: list[Suggestion] = []
    for item_code in sorted(by_item):
        holdings = by_item[item_code]
        needy = sorted(((h, h.need) for h in holdings if h.need > 0),
                       key=lambda pair: (not pair[0].stocked_out,
                                         pair[0].usable / pair[0].amc if pair[0].amc else 0.0,
                                         pair[0].facility_code))
        givers = sorted(((h, *h.offer(this_month)) for h in holdings if h.need == 0),
                        key=lambda g: (-g[1], g[0].facility_code))
        left = {g[0].facility_code: g[1] for g in givers}
        for receiver, need in needy:
            for giver, _, reason, expires in givers:
                qty = min(need, left[giver.facility_code])
                if qty <= 0:
                    continue
                left[giver.facility_code] -= qty
                need -= qty
                generation = done.get((giver.facility_code, receiver.facility_code, item_code), 0)
                key = f"{giver.facility_code}|{receiver.facility_code}|{item_code}|{generation}"
                found.append(Suggestion(
                    id="S-" + hashlib.sha256(key.encode()).hexdigest()[:12].upper(),
                    item_code=item_code, item_name=item_names.get(item_code),
                    from_code=giver.facility_code, from_name=giver.facility_name,
                    to_code=receiver.facility_code, to_name=receiver.facility_name, qty=qty,
                    reason=reason, expires=expires, to_stock=receiver.usable,
                    to_minimum=math.ceil(receiver.minimum), to_maximum=math.floor(receiver.maximum),
                    from_stock=giver.usable, from_maximum=math.ceil(giver.maximum)))
                if need == 0:
                    break
    return found


def suggestions_from(store: Store, facility_code: str, today: dt.date) -> list[Suggestion]:
    """The suggestions in which ``facility_code`` is the sender."""
    facility = store.facility(facility_code)
    if facility is None:
        return []
    return [s for s in suggestions(store, facility["district"], today, facility_code)
            if s.from_code == facility_code]
