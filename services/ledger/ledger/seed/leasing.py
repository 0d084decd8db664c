"""Leases of the CO's assets (发包租赁), 2023-2025: one lease after another on each asset.

A lease's term and rent period depend on the asset (shop fronts by the month or year, land for
five to ten years by the year); its rent is at least the asset's appraised rent. A lease worth the
threshold or more over its term (or a renewal, or an amendment) is decided by the representatives
and filed first. Some are renewed, some amended, a few ended for breach with rent owing; some are
still owed rent at the end of 2025 and some expire early in 2026.
Planted in flag-mode COs: a major lease with no resolution or filing, and a lease below value.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from ledger.domain.leases import amended_schedule
from ledger.domain.rent_schedule import (
    PERIOD_MONTHS,
    add_months,
    periods_in,
    schedule_value,
)
from ledger.seed.approvals import Approvals
from ledger.seed.chronicle import (
    HISTORY_END,
    HISTORY_START,
    THRESHOLD_FEN,
    Chronicle,
    days,
    person,
    yuan,
)
from ledger.seed.founding import Asset
from ledger.seed.names import FIRM_TRADES, FIRM_WORDS, SHOP_USES
from ledger.seed.rents import Lease, collect

TERMS = {
    "MF": ((1, 2, 3), ("monthly", "monthly", "quarterly", "yearly")),
    "SC": ((3, 5), ("yearly", "quarterly")),
    "CK": ((2, 3), ("monthly", "quarterly")),
    "TD": ((5, 8, 10), ("yearly",)),
    "YT": ((3, 5), ("yearly",)),
}
"""Term in years and rent period, by asset kind."""
RENEWED, AMENDED, BREACHED, ARREARS = 0.35, 0.08, 0.04, 0.08


@dataclass
class Leasing:
    """Leases out the assets of one CO."""

    chronicle: Chronicle
    approvals: Approvals

    @property
    def rng(self) -> random.Random:
        return self.chronicle.rng

    def lease_out(self, asset: Asset, plant: str | None = None) -> None:
        """Lease ``asset`` from early 2023 on, lease after lease; ``plant`` the first one's violation."""
        start = add_months(HISTORY_START, self.rng.choice((0, 0, 0, 1, 2, 3)))
        while start <= HISTORY_END:
            lease = self.sign(asset, start, plant)
            if plant is None:
                self._vicissitudes(asset, lease)
            collect(self.chronicle, lease)
            plant = None
            if lease.last_day is not None:
                start = add_months(_month_start(lease.last_day), self.rng.randint(3, 5))
            else:
                start = add_months(lease.end + days(1), self.rng.choice((0, 0, 0, 1, 2)))

    def sign(self, asset: Asset, start: date, plant: str | None) -> Lease:
        """Sign a lease from ``start``: decided and filed first when it is a major matter (unless planted)."""
        years, period, amount = self._terms(asset, plant)
        end = add_months(start, 12 * years) - days(1)
        lease_id = self.chronicle.serial(f"HT-{start.year}")
        lessee, lessee_id = self._lessee(asset)
        signed = start - days(self.rng.randint(7, 28))
        value = amount * periods_in(start, end, period)
        citations = {}
        if value >= THRESHOLD_FEN and plant != "major-matter":
            citations = self.approvals.approve(lease_id, f"出租{asset.name}（{years}年，合同总价{yuan(value)}元）",
                                               value, signed, "资产租赁")
        if plant:
            self.chronicle.plant(lease_id, *(("major-matter-resolution", "major-matter-filing")
                                             if plant == "major-matter" else ("below-value-lease",)))
        deposit = amount * (2 if period == "monthly" else 1) // (5 if period == "yearly" else 1)
        self.chronicle.add("LeaseSigned", lease_id, signed, asset_id=asset.asset_id, lessee=lessee,
                           start=start.isoformat(), end=end.isoformat(),
                           rent={"amount": yuan(amount), "period": period}, deposit=yuan(deposit),
                           purpose=_purpose(self.rng, asset), **lessee_id, **citations)
        return Lease(lease_id, asset.name, lessee, start, end, period, [(start, amount)])

    def _terms(self, asset: Asset, plant: str | None) -> tuple[int, str, int]:
        """(years, rent period, rent per period); a planted major lease runs five years and reaches the threshold."""
        years_choice, periods = TERMS[asset.kind]
        years, period = self.rng.choice(years_choice), self.rng.choice(periods)
        if plant:
            years, period = (5 if plant == "major-matter" else years), "yearly"
        amount = self._rent(asset, period, below=plant == "below-value")
        if plant == "major-matter":
            per_year = -(-THRESHOLD_FEN // years)
            amount = max(amount, (per_year // 10_000 + 1) * 10_000)
        return years, period, amount

    def _vicissitudes(self, asset: Asset, lease: Lease) -> None:
        """What may happen to a lease: amended, renewed, ended for breach, or owing at the end of 2025."""
        rng = self.rng
        if lease.end - lease.start > days(400) and rng.random() < AMENDED:
            self._amend(asset, lease, add_months(lease.start, 12))
        elif rng.random() < BREACHED and self._breach(lease):
            return
        if lease.end < HISTORY_END and rng.random() < RENEWED:
            self._renew(asset, lease)
        if lease.end >= HISTORY_END and rng.random() < ARREARS:
            owing = {"monthly": rng.randint(1, 3), "quarterly": rng.randint(3, 6), "yearly": 12}[lease.period]
            lease.unpaid_from = add_months(_month_start(HISTORY_END), 1 - owing)

    def _amend(self, asset: Asset, lease: Lease, applies_from: date) -> None:
        """The rent goes up by 3 to 10 percent from the second year (租金上调)."""
        old = lease.rent_on(applies_from)
        rent = {"amount": old * self.rng.randint(103, 110) // 100 // 100 * 100, "period": lease.period}
        schedule = [{"from": f.isoformat(), "amount": a, "period": lease.period} for f, a in lease.segments]
        value = schedule_value(amended_schedule(schedule, applies_from.isoformat(), rent), lease.end)
        on = applies_from - days(10)
        citations = self._approved(lease, asset, value, on, f"上调{asset.name}租金")
        self.chronicle.add("LeaseAmended", lease.lease_id, on, applies_from=applies_from.isoformat(),
                           rent={"amount": yuan(rent["amount"]), "period": lease.period},
                           reason="经双方协商，自第二年起租金上调", **citations)
        lease.segments = [*[(f, a) for f, a in lease.segments if f < applies_from], (applies_from, rent["amount"])]

    def _renew(self, asset: Asset, lease: Lease) -> None:
        """Renewed for the same term at a rent 0 to 8 percent higher (续租)."""
        first = lease.end + days(1)
        end = add_months(first, 12 * round((lease.end - lease.start).days / 365)) - days(1)
        amount = max(lease.segments[-1][1] * self.rng.randint(100, 108) // 100 // 100 * 100,
                     self._rent(asset, lease.period, below=False))
        value = amount * periods_in(first, end, lease.period)
        on = lease.end - days(20)
        citations = self._approved(lease, asset, value, on, f"续租{asset.name}（{first.year}年起）")
        self.chronicle.add("LeaseRenewed", lease.lease_id, on, end=end.isoformat(),
                           rent={"amount": yuan(amount), "period": lease.period}, **citations)
        lease.segments.append((first, amount))
        lease.end = end

    def _breach(self, lease: Lease) -> bool:
        """The lessee stops paying; after one to three unpaid periods the lease is ended (违约解除)."""
        periods = lease.periods()
        if len(periods) < 4:
            return False
        stop = self.rng.randint(2, len(periods) - 2)
        unpaid = min(len(periods) - 1, stop + self.rng.randint(0, 2))
        lease.unpaid_from, lease.last_day = periods[stop][0], periods[unpaid][1]
        on = lease.last_day + days(self.rng.randint(5, 20))
        if on > HISTORY_END:
            lease.last_day = None
            return True
        self.chronicle.add("LeaseTerminated", lease.lease_id, on, reason="lessee_breach",
                           last_day=lease.last_day.isoformat(), note="承租方拖欠租金，经催缴无效，依约解除合同")
        return True

    def _approved(self, lease: Lease, asset: Asset, value: int, on: date, subject: str) -> dict[str, str]:
        if value < THRESHOLD_FEN:
            return {}
        return self.approvals.approve(lease.lease_id, f"{subject}（合同总价{yuan(value)}元）", value, on, "资产租赁")

    def _rent(self, asset: Asset, period: str, below: bool) -> int:
        """Rent per period: at least the appraised rent, rounded up to ten yuan (below it when planted)."""
        annual = asset.annual_rent_fen or 0
        factor = self.rng.randint(75, 90) if below else self.rng.randint(100, 120)
        exact = annual * factor * PERIOD_MONTHS[period]
        rent = (exact // (100 * 12 * 1000) if below else -(-exact // (100 * 12 * 1000))) * 1000
        return max(rent, 1000)

    def _lessee(self, asset: Asset) -> tuple[str, dict[str, str]]:
        rng = self.rng
        if asset.kind in ("SC", "CK") or rng.random() < 0.3:
            code = "91371322" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
            return f"郯城县{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_TRADES)}有限公司", {"lessee_id": code}
        return person(rng), {}


def _purpose(rng: random.Random, asset: Asset) -> str:
    return {"MF": rng.choice(SHOP_USES), "SC": "农贸市场经营管理", "CK": "仓储物流",
            "TD": rng.choice(("苗木种植", "蔬菜种植", "停车场经营")), "YT": "水产养殖"}[asset.kind]


def _month_start(day: date) -> date:
    return date(day.year, day.month, 1)
