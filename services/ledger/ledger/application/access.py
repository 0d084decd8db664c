"""Who may do what: a caller's role and scope, and the checks every route applies."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ledger.domain.errors import Forbidden

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

    def require_read(self, org_id: str, org_street: str) -> None:
        if not self.may_read(org_id, org_street):
            raise Forbidden("org-scope", f"{self.role} token {self.token_id} may not read {org_id}",
                            org_id=org_id, role=self.role)

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
