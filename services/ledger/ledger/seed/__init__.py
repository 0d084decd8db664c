"""The demo county (``ledger seed-demo``): 56 COs of a Tancheng-like county, three years of history.

plan.py decides the counts and values (computable without a database); generate.py turns one CO of
the plan into its events (founding.py, members.py, leasing.py, rents.py, approvals.py, books.py);
writer.py appends them through ``Appender.append``. Deterministic for a (scale, seed): the entity
ids, effective dates and data repeat exactly; recorded times and log positions are the ledger's own.

Entity ids (pinyin initials): ZC asset (资产), QC inventory batch (清产), GD member (股东), HH household,
HY meeting (会议), JY resolution (决议), BB major-matter report (报备), HT lease (合同), ZB tender (招标),
PZ voucher (凭证), FP distribution (分配), FH dividend (分红).
"""
from ledger.seed.plan import CountyPlan, plan_county
from ledger.seed.writer import Tally, write_county

__all__ = ["CountyPlan", "Tally", "plan_county", "write_county"]
