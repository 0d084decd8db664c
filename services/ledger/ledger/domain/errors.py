"""Refusals: each names the rule that refused and the values that broke it."""
from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of every refusal the ledger explains to its caller."""

    status = 422
    title = "Rule violated"

    def __init__(self, rule: str, detail: str, **values: Any) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.values = values

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


class RuleViolation(LedgerError):
    """A business rule of the domain refuses the event."""


class Conflict(LedgerError):
    """The event conflicts with what the ledger already holds (version, idempotency, closed period)."""

    status = 409
    title = "Conflict"


class NotFound(LedgerError):
    """What was asked for does not exist (in this CO)."""

    status = 404
    title = "Not found"


class Forbidden(LedgerError):
    """The caller's role or CO does not allow this."""

    status = 403
    title = "Forbidden"


class Unavailable(LedgerError):
    """The database cannot answer now (outage, failover, no standby to confirm a commit): retry later."""

    status = 503
    title = "Service unavailable"

    def __init__(self, rule: str, detail: str, retry_after: int = 1, **values: Any) -> None:
        super().__init__(rule, detail, **values)
        self.retry_after = retry_after
