"""One CO's whole history as event requests: founding, register, leases, books and distributions.

Each CO draws from its own ``random.Random(co.seed)`` (the seed comes from the county plan), so a
CO's events depend only on (scale, seed) and never on the order the COs are written in.
"""
from __future__ import annotations

import random

from ledger.seed.approvals import Approvals
from ledger.seed.books import award_tenders, distribute, post_expenses
from ledger.seed.books2023 import DEFAULT_PROFILE, LEGACY_PROFILE, borrow_when_short, depreciate, overdraw
from ledger.seed.chronicle import YEARS, Chronicle
from ledger.seed.founding import elect_bodies, found, open_books
from ledger.seed.leasing import Leasing
from ledger.seed.members import correct_names, pass_on_shares, qualify
from ledger.seed.plan import KIND, CoPlan


def chronicle_of(co: CoPlan, profile: str = LEGACY_PROFILE, plant: str | None = None) -> Chronicle:
    """Generate every event of ``co`` (not its registration: see ``founding.registration``).

    ``profile`` "2023-legacy" gives the events the pinned demo hashes were made from; "2023" the books
    of ``books2023``, where ``plant`` names the exception planted in this CO (a check of the views).
    """
    chronicle = Chronicle(co.org_id, random.Random(co.seed), books_2023=profile == DEFAULT_PROFILE)
    if chronicle.books_2023 and plant == "fixed-assets-vs-151":
        chronicle.unbooked.add(next(a.asset_id for a in co.assets if KIND[a.kind].category == "fixed_asset"))
    assets = found(chronicle, co)
    register = qualify(chronicle, co)
    elect_bodies(chronicle, co, [m.name for m in register])
    open_books(chronicle, assets)
    approvals = Approvals(chronicle, co.street, f"{co.village}社区会议室")
    leasing = Leasing(chronicle, approvals)
    shop_fronts = [a.asset_id for a in assets if a.kind == "MF"]
    plants = dict(zip(shop_fronts, ("major-matter", "below-value"))) if co.mode == "flag" else {}
    for asset in assets:
        if asset.annual_rent_fen:
            leasing.lease_out(asset, plants.get(asset.asset_id))
    award_tenders(chronicle, co, approvals, assets)
    if chronicle.books_2023:  # before the distributions, which share out the result net of depreciation
        depreciate(chronicle, assets)
    for year in YEARS:
        pass_on_shares(chronicle, register, year)
        correct_names(chronicle, register, year)
        post_expenses(chronicle, co, year)
        distribute(chronicle, co, register, year)
    if chronicle.books_2023:
        borrow_when_short(chronicle)
        if plant == "bank-negative":
            overdraw(chronicle)
    return chronicle
