"""The CO's other business: expenses paid from the bank, engineering tenders, the yearly distribution.

Expenses of a year come to a quarter to two fifths of its rent income, on the accounts of the 2023
chart (管理费用 513, 经营支出 511, 税金及附加 512, 公益支出 514, 其他支出 515). Tenders of
30,000 yuan or more are decided and filed first (planted in flag-mode COs: one without a filing).
Each December the congress adopts the distribution: the reserve fund (公积公益金) set aside first,
the rest paid per share to every member holding shares.
"""
from __future__ import annotations

from datetime import date

from ledger.seed.approvals import Approvals, convene
from ledger.seed.chronicle import (
    HISTORY_END,
    THRESHOLD_FEN,
    YEARS,
    Chronicle,
    days,
    month_label,
    yuan,
)
from ledger.seed.books2023 import register_works
from ledger.seed.founding import Asset
from ledger.seed.members import Member
from ledger.seed.names import CONTRACTOR_TRADES, EXPENSES, FIRM_WORDS, TENDER_PROJECTS
from ledger.seed.plan import CoPlan, apportion


def post_expenses(chronicle: Chronicle, co: CoPlan, year: int) -> None:
    """The year's expense vouchers, spread over the months, each paid from the bank (102)."""
    rng = chronicle.rng
    budget = chronicle.income[year] * rng.randint(25, 40) // 100 // 100
    count = min(co.expense_vouchers, budget)
    if count == 0:
        return
    amounts = apportion(budget, [rng.randint(50, 150) for _ in range(count)], 1)
    for i, amount in enumerate(amounts):
        on = date(year, 1 + i * 12 // count, rng.randint(5, 25))
        account, description = rng.choice(EXPENSES)
        chronicle.voucher(on, description.format(month=month_label(on)),
                          [(account, "debit", amount * 100), ("102", "credit", amount * 100)])
        chronicle.expenses[year] += amount * 100


def award_tenders(chronicle: Chronicle, co: CoPlan, approvals: Approvals, assets: list[Asset]) -> None:
    """The planned tenders; in a flag-mode CO also one major tender with a resolution but no filing."""
    rng = chronicle.rng
    for _ in range(co.tenders):
        _award(chronicle, approvals, assets, rng.choice(YEARS), rng.randint(20, 150) * 100_000)
    if co.mode == "flag":
        _award(chronicle, approvals, assets, 2024, rng.randint(36, 80) * 100_000, filed=False)


def _award(chronicle: Chronicle, approvals: Approvals, assets: list[Asset], year: int, amount: int,
           filed: bool = True) -> None:
    rng = chronicle.rng
    on = date(year, rng.randint(3, 10), rng.randint(1, 28))
    tender_id = chronicle.serial(f"ZB-{year}")
    project = rng.choice(TENDER_PROJECTS)
    buildings = [a for a in assets if a.kind in ("MF", "SC", "CK")]
    extra = {"asset_id": rng.choice(buildings).asset_id} if buildings else {}
    if amount >= THRESHOLD_FEN:
        extra.update(approvals.approve(tender_id, f"{project}招标（中标金额{yuan(amount)}元）", amount, on, "工程招标",
                                       filed=filed))
    if not filed:
        chronicle.plant(tender_id, "major-matter-filing")
    contractor = f"郯城县{rng.choice(FIRM_WORDS)}{rng.choice(CONTRACTOR_TRADES)}有限公司"
    chronicle.add("TenderAwarded", tender_id, on, project=project, contractor=contractor, amount=yuan(amount),
                  bidders=rng.randint(3, 7), **extra)
    paid = min(on + days(rng.randint(30, 90)), HISTORY_END)
    chronicle.voucher(paid, f"支付{contractor}{project}工程款", [("153", "debit", amount), ("102", "credit", amount)],
                      attachments=4)
    if chronicle.books_2023:
        register_works(chronicle, tender_id, project, extra.get("asset_id"), paid, amount)


def distribute(chronicle: Chronicle, co: CoPlan, register: list[Member], year: int) -> None:
    """The congress adopts the year's distribution; the reserve fund first, then dividends per share."""
    rng = chronicle.rng
    distributable = chronicle.income[year] - chronicle.expenses[year]
    shares = sum(m.shares for m in register)
    reserve = distributable * rng.randint(10, 20) // 100 // 100 * 100
    rate = (distributable - reserve) // shares // 10 * 10
    if rate <= 0:
        return
    meeting = convene(chronicle, "congress", date(year, 12, rng.randint(12, 18)), f"{co.village}社区党群服务中心")
    resolution_id = meeting.vote(f"{year}年度收益分配方案", major=True, code="收益分配")
    declared = meeting.on + days(2)
    distribution_id = f"FP-{year}"
    chronicle.add("DistributionDeclared", distribution_id, declared, resolution_id=resolution_id, fiscal_year=year,
                  distributable=yuan(distributable), reserve_fund=yuan(reserve),
                  member_distribution=yuan(rate * shares), rate_per_share=yuan(rate),
                  note=f"先提取公积公益金{yuan(reserve)}元，余额按{shares}股每股{yuan(rate)}元分配")
    lines = [("322", "debit", reserve + rate * shares), ("311", "credit", reserve), ("211", "credit", rate * shares)]
    chronicle.voucher(declared, f"提取{year}年度公积公益金并计提股东分红", [line for line in lines if line[2]])
    paid = declared + days(rng.randint(3, 6))
    for number, member in enumerate((m for m in register if m.shares), start=1):
        chronicle.add("DividendPaid", f"FH-{year}-{number:05d}", paid, distribution_id=distribution_id,
                      member_id=member.member_id, amount=yuan(member.shares * rate),
                      method="cash" if rng.random() < 0.1 else "bank_transfer")
    chronicle.voucher(paid, f"支付{year}年度股东分红", [("211", "debit", rate * shares), ("102", "credit", rate * shares)],
                      attachments=2)
