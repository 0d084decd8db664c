"""Distribution (收益分配): the reserve fund is set aside first, the rest is paid per share.

A distribution cites the adopted resolution of the congress or representatives. Each member's
dividends from it never exceed shares x rate; all dividends together never exceed what was
declared for members.
"""
from __future__ import annotations

from typing import Any, cast

from eventsourcing.domain import event

from ledger.contracts.distribution import DistributionDeclared, DividendPaid
from ledger.domain.catalog import Context, EventType, register
from ledger.domain.entity import Entity
from ledger.domain.errors import RuleViolation
from ledger.domain.governance import resolution_problem
from ledger.domain.members import shares_held
from ledger.domain.money import format_fen


class Distribution(Entity):
    """A declared distribution of one fiscal year's result."""

    KIND = "distribution"

    @event("DistributionDeclared")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.resolution_id = data["resolution_id"]
        self.fiscal_year = data["fiscal_year"]
        self.distributable = data["distributable"]
        self.reserve_fund = data["reserve_fund"]
        self.member_distribution = data["member_distribution"]
        self.other = data.get("other", 0)
        self.rate_per_share = data["rate_per_share"]
        self.declared_on = envelope["effective_date"]


class Dividend(Entity):
    """One payment of a dividend to one member."""

    KIND = "dividend"

    @event("DividendPaid")
    def __init__(self, envelope: dict[str, Any], data: dict[str, Any]) -> None:
        self._identify(envelope)
        self.distribution_id = data["distribution_id"]
        self.member_id = data["member_id"]
        self.amount = data["amount"]
        self.method = data.get("method")
        self.paid_on = envelope["effective_date"]


def _declare(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: DistributionDeclared) -> Entity:
    dist_id = envelope["entity_id"]
    problem = resolution_problem(ctx, p.resolution_id, on=envelope["effective_date"])
    if problem:
        raise RuleViolation("distribution-resolution", f"distribution {dist_id} needs an adopted resolution of the "
                            f"congress or representatives: {problem}", resolution_id=p.resolution_id)
    values = {"distributable": format_fen(p.distributable), "reserve_fund": format_fen(p.reserve_fund),
              "member_distribution": format_fen(p.member_distribution), "other": format_fen(p.other or 0)}
    if p.reserve_fund > p.distributable:
        raise RuleViolation("reserve-exceeds-distributable", f"distribution {dist_id}: reserve fund "
                            f"{values['reserve_fund']} exceeds the distributable {values['distributable']} yuan",
                            **values)
    left = p.distributable - p.reserve_fund - (p.other or 0)
    if p.member_distribution > left:
        raise RuleViolation("distribution-exceeds-distributable", f"distribution {dist_id}: {values['distributable']} "
                            f"distributable less the reserve fund {values['reserve_fund']} (set aside first) and other "
                            f"{values['other']} leaves {format_fen(left)} yuan, less than the "
                            f"{values['member_distribution']} declared for members", **values)
    return Distribution(envelope=envelope, data=p.stored())


def _pay(ctx: Context, entity: Entity | None, envelope: dict[str, Any], p: DividendPaid) -> Entity:
    dist = cast(Distribution, ctx.entity(p.distribution_id))
    on = envelope["effective_date"]
    if on < dist.declared_on:
        raise RuleViolation("dividend-before-declaration", f"dividend paid on {on}, before distribution "
                            f"{dist.entity_id} was declared on {dist.declared_on}", distribution_id=dist.entity_id)
    total, per_member = ctx.citing_totals(dist.entity_id, "dividend", "amount", by="member_id")
    to_member = per_member.get(p.member_id, 0)
    shares = shares_held(ctx, p.member_id)
    entitled = shares * dist.rate_per_share
    if to_member + p.amount > entitled:
        raise RuleViolation("dividend-exceeds-entitlement", f"member {p.member_id} holds {shares} shares x "
                            f"{format_fen(dist.rate_per_share)} = {format_fen(entitled)} yuan; already paid "
                            f"{format_fen(to_member)}, cannot pay {format_fen(p.amount)} more",
                            member_id=p.member_id, shares=shares, entitled=format_fen(entitled),
                            paid=format_fen(to_member), amount=format_fen(p.amount))
    if total + p.amount > dist.member_distribution:
        raise RuleViolation("dividends-exceed-declared", f"distribution {dist.entity_id} declared "
                            f"{format_fen(dist.member_distribution)} yuan for members; {format_fen(total)} paid, "
                            f"cannot pay {format_fen(p.amount)} more", distribution_id=dist.entity_id,
                            declared=format_fen(dist.member_distribution), paid=format_fen(total),
                            amount=format_fen(p.amount))
    return Dividend(envelope=envelope, data=p.stored())


register(EventType("DistributionDeclared", Distribution, DistributionDeclared, _declare, creates=True,
                   references={"resolution_id": "resolution"},
                   description="A distribution plan: reserve fund set aside first, the rest per share."))
register(EventType("DividendPaid", Dividend, DividendPaid, _pay, creates=True,
                   references={"distribution_id": "distribution", "member_id": "member"},
                   description="A dividend paid to a member: at most shares x rate, in all at most the declared."))
