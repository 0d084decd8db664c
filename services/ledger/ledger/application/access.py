"""Who may do what: a caller's role and scope, and the checks every route applies."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from ledger.domain.errors import Forbidden, NotFound

Role = Literal["cooperative", "auditor", "admin"]
ROLES: tuple[Role, ...] = ("cooperative", "auditor", "admin")
TOKEN_PREFIX = "lgr_"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's subject (recorded as the actor), role and scope."""

    token_id: str
    subject: str
    role: Role
    org_id: str | None = None
    street: str | None = None

    def may_read(self, org_id: str, org_street: str) -> bool:
        """Cooperatives read their own CO, auditors the COs of their street, admins all."""
        if self.role == "admin":
            return True
        if self.role == "cooperative":
            return self.org_id == org_id
        return self.street in ("*", org_street)

    @property
    def scope(self) -> str:
        """What the token may read, in words (named in every 403 it gets)."""
        if self.role == "cooperative":
            return f"CO {self.org_id}"
        if self.role == "auditor":
            return "every street (全部街道)" if self.street == "*" else f"the COs of street {self.street}"
        return "every CO"

    def out_of_scope(self, org_id: str) -> Forbidden:
        """The one 403 for a CO outside the token's scope, whether that CO exists or not."""
        return Forbidden("org-scope", f"this {self.role} token ({self.token_id}) reads {self.scope}; it may not "
                         f"read CO {org_id}", org_id=org_id, role=self.role, token_scope=self.scope)

    def require_read(self, org_id: str, org_street: str) -> None:
        if not self.may_read(org_id, org_street):
            raise self.out_of_scope(org_id)

    def readable_org(self, org_id: str, lookup: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """The CO ``lookup`` finds, if in scope; out of scope answers the same whether the CO exists or not.

        A cooperative's scope is checked before the lookup; an auditor of one street gets the same
        403 for an unknown CO as for another street's; only admins and all-street auditors learn 404.
        """
        if self.role == "cooperative" and self.org_id != org_id:
            raise self.out_of_scope(org_id)
        try:
            org = lookup(org_id)
        except NotFound:
            if self.role == "auditor" and self.street != "*":
                raise self.out_of_scope(org_id) from None
            raise
        self.require_read(org_id, org["street"])
        return org

    def require_append(self, org_id: str) -> None:
        """Only the CO's own cooperative token appends its events."""
        if self.role != "cooperative" or self.org_id != org_id:
            raise Forbidden("append-scope", f"only a cooperative token of {org_id} may append its events; "
                            f"this is a {self.role} token" + (f" of {self.org_id}" if self.org_id else ""),
                            org_id=org_id, role=self.role)

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden("role", f"this needs a {' or '.join(roles)} token; this is a {self.role} token",
                            role=self.role, allowed=list(roles))
