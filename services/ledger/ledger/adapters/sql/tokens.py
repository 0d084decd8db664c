"""The bearer-token table: issue, revoke, authenticate, list. Only a SHA-256 of each token is stored."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from ledger.adapters.sql.tables import tokens
from ledger.application.access import ROLES, TOKEN_PREFIX, Caller, Role
from ledger.domain.errors import NotFound, RuleViolation


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str
    subject: str
    role: Role
    org_id: str | None
    street: str | None


def issue_token(engine: Engine, role: str, *, org_id: str | None = None, street: str | None = None,
                subject: str | None = None, token: str | None = None, now: datetime | None = None) -> IssuedToken:
    """Create a token; the secret is returned once and only its hash is kept."""
    if role not in ROLES:
        raise RuleViolation("token-role", f"role must be one of {', '.join(ROLES)}; got {role!r}", role=role)
    if role == "cooperative" and not org_id:
        raise RuleViolation("token-scope", "a cooperative token needs --org (the CO it appends for)", role=role)
    if role == "auditor" and not street:
        raise RuleViolation("token-scope", "an auditor token needs --street (its jurisdiction, or * for all)",
                            role=role)
    secret = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = hash_token(secret)[:12]
    subject = subject or f"{role}:{org_id or street or 'ledger'}:{token_id[:6]}"
    with engine.begin() as conn:
        exists = conn.execute(select(tokens.c.token_id).where(tokens.c.token_hash == hash_token(secret))).first()
        if exists is None:
            conn.execute(insert(tokens).values(
                token_id=token_id, token_hash=hash_token(secret), subject=subject, role=role, org_id=org_id,
                street=street, created_at=now or datetime.now(timezone.utc)))
    return IssuedToken(token_id, secret, subject, role, org_id, street)  # type: ignore[arg-type]


def revoke_token(engine: Engine, token_id: str, now: datetime | None = None) -> None:
    with engine.begin() as conn:
        result = conn.execute(update(tokens).where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
                              .values(revoked_at=now or datetime.now(timezone.utc)))
        if result.rowcount == 0:
            raise NotFound("token-exists", f"no active token {token_id}", token_id=token_id)


def authenticate(engine: Engine, token: str) -> Caller | None:
    """The caller a bearer token stands for, or None if unknown or revoked."""
    with engine.connect() as conn:
        row = conn.execute(select(tokens).where(tokens.c.token_hash == hash_token(token),
                                                tokens.c.revoked_at.is_(None))).first()
    if row is None:
        return None
    return Caller(row.token_id, row.subject, row.role, row.org_id, row.street)


def list_tokens(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(tokens.c.token_id, tokens.c.subject, tokens.c.role, tokens.c.org_id,
                                   tokens.c.street, tokens.c.created_at, tokens.c.revoked_at)
                            .order_by(tokens.c.created_at)).all()
    return [dict(r._mapping) for r in rows]
