"""The member register (股东资格认定): households qualified before the cut-off, shares allotted on it.

Special cases (空挂户 nominal registrations, 外迁人员 people who moved away) are voted on by the
representative meeting shortly before the cut-off and cite its resolution. After the cut-off the
register is static (两不增两不减): shares only pass by inheritance inside the household, and
names are corrected now and then.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from ledger.seed.approvals import convene
from ledger.seed.chronicle import Chronicle, days, person
from ledger.seed.names import GIVEN, RELATIONS, SURNAMES
from ledger.seed.plan import CoPlan

SPECIAL_SHARE = 0.015
"""About one member in seventy is a special case decided by the representatives."""
DEATHS_A_YEAR = 0.005
CORRECTIONS_A_YEAR = 0.001


@dataclass
class Member:
    member_id: str
    name: str
    household_id: str
    shares: int = 0


def qualify(chronicle: Chronicle, co: CoPlan) -> list[Member]:
    """Qualify ``co.members`` members in households, then allot their shares on the cut-off date."""
    rng = chronicle.rng
    special = max(1, round(co.members * SPECIAL_SHARE)) if co.members >= 20 else 0
    surnames = rng.sample(SURNAMES, 3)
    register: list[Member] = []
    while len(register) < co.members - special:
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)), co.members - special - len(register))
        register += _household(chronicle, co, rng.choice(surnames), size, len(register))
    if special:
        register += _special_cases(chronicle, co, special, len(register))
    for member in register:
        member.shares = 1 + rng.choice((0, 0, 1, 1, 2)) if member.shares == 0 else member.shares
        share_class = "人口股" if member.shares == 1 else "人口股+劳龄股"
        chronicle.add("SharesAllotted", member.member_id, co.cutoff, shares=member.shares, share_class=share_class)
    return register


def _household(chronicle: Chronicle, co: CoPlan, surname: str, size: int, done: int) -> list[Member]:
    rng = chronicle.rng
    household_id = chronicle.serial("HH", 4)
    relations = ["户主", *rng.sample(RELATIONS, size - 1)]
    members = []
    for relation in relations:
        kin = relation in ("户主", "子", "女", "父亲", "孙子", "孙女")
        name = person(rng, surname if kin else None)
        basis = {"配偶": "marriage", "儿媳": "marriage", "女婿": "marriage", "孙子": "birth", "孙女": "birth"}.get(
            relation, "birth" if relation in ("子", "女") and rng.random() < 0.5 else "household_registration")
        member = Member(f"GD-{done + len(members) + 1:05d}", name, household_id)
        on = _between(rng, co.founded + days(30), co.cutoff - days(25))
        chronicle.add("MemberQualified", member.member_id, on, name=name, household_id=household_id, basis=basis,
                      relation=relation)
        members.append(member)
    return members


def _special_cases(chronicle: Chronicle, co: CoPlan, count: int, done: int) -> list[Member]:
    """The representatives vote on the special cases; each then qualifies citing the resolution."""
    rng = chronicle.rng
    meeting = convene(chronicle, "representatives", co.cutoff - days(20), f"{co.village}社区会议室")
    resolution_id = meeting.vote("空挂户、外迁人员等特殊群体股东资格认定")
    members = []
    for i in range(count):
        basis = rng.choice(("nominal_registration", "moved_away"))
        note = "户籍挂靠本村，经村民代表会议表决认定" if basis == "nominal_registration" else "因工作外迁，经村民代表会议表决保留资格"
        member = Member(f"GD-{done + i + 1:05d}", person(rng), chronicle.serial("HH", 4), shares=1)
        chronicle.add("MemberQualified", member.member_id, co.cutoff - days(rng.randint(1, 15)), name=member.name,
                      household_id=member.household_id, basis=basis, relation="户主", resolution_id=resolution_id,
                      note=note)
        members.append(member)
    return members


def pass_on_shares(chronicle: Chronicle, register: list[Member], year: int) -> None:
    """Deaths of the year, in date order: the shares pass by inheritance to a member of the household (继承)."""
    rng = chronicle.rng
    households: dict[str, list[Member]] = {}
    for member in register:
        households.setdefault(member.household_id, []).append(member)
    candidates = [m for m in register if m.shares and len(households[m.household_id]) > 1]
    deaths = rng.sample(candidates, min(len(candidates), _occurrences(rng, len(register), DEATHS_A_YEAR)))
    dated = sorted(((_between(rng, date(year, 1, 10), date(year, 11, 30)), i) for i in range(len(deaths))))
    for on, i in dated:
        deceased = deaths[i]
        heirs = [m for m in households[deceased.household_id] if m is not deceased and m.shares]
        if not deceased.shares or not heirs:
            continue
        heir = rng.choice(heirs)
        chronicle.add("SharesTransferred", deceased.member_id, on, to_member_id=heir.member_id,
                      shares=deceased.shares, reason="inheritance",
                      note=f"{deceased.name}于{on.year}年{on.month}月病故，股份由{heir.name}继承")
        heir.shares += deceased.shares
        deceased.shares = 0


def correct_names(chronicle: Chronicle, register: list[Member], year: int) -> None:
    """A few names in the register are corrected to match identity cards."""
    rng = chronicle.rng
    for member in rng.sample(register, min(len(register), _occurrences(rng, len(register), CORRECTIONS_A_YEAR))):
        fixed = member.name[:-1] + rng.choice([c for c in GIVEN if c != member.name[-1]])
        on = _between(rng, date(year, 2, 1), date(year, 11, 30))
        chronicle.add("MemberRecordCorrected", member.member_id, on, name=fixed,
                      reason=f"身份证姓名为{fixed}，与股东名册“{member.name}”不一致，予以更正")
        member.name = fixed


def _occurrences(rng: random.Random, population: int, rate: float) -> int:
    """How many of ``population`` it happens to this year: the expected count, rounded at random."""
    expected = population * rate
    return int(expected) + (1 if rng.random() < expected - int(expected) else 0)


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + days(rng.randint(0, max(0, (last - first).days)))
