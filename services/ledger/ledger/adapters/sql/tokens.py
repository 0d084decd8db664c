"""The bearer-token table: issue, revoke, authenticate, list. Only a SHA-256 of each token is stored.

The ledger names every token's subject (``<role>:<scope>:<token id>``), and that subject is the
actor recorded on the events the token appends: a caller never chooses it. The environment's
admin token (``LEDGER_ADMIN_TOKEN``) is ``admin:env:<token id>``; starting with another value
revokes the previous one (``adopt_env_admin``).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine

from ledger.adapters.sql.tables import tokens
from ledger.application.access import ROLES, TOKEN_PREFIX, Caller, Role
from ledger.domain.errors import NotFound, RuleViolation

ENV_ADMIN = "admin:env"
"""The subject prefix of the token LEDGER_ADMIN_TOKEN names."""

Refusal = Literal["unknown", "revoked", "expired"]


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
    expires_at: datetime | None = None


class TokenRefused(Exception):
    """The bearer token is unknown, revoked or expired (``reason``)."""

    def __init__(self, reason: Refusal, token_id: str | None = None, at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.token_id = token_id
        self.at = at


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time as aware UTC (SQLite gives it back naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def issue_token(engine: Engine, role: str, *, org_id: str | None = None, street: str | None = None,
                expires_at: datetime | None = None, token: str | None = None, now: datetime | None = None,
                _subject_scope: str | None = None) -> IssuedToken:
    """Create a token; the secret is returned once and only its hash is kept; the ledger names its subject."""
    now = now or datetime.now(timezone.utc)
    if role not in ROLES:
        raise RuleViolation("token-role", f"role must be one of {', '.join(ROLES)}; got {role!r}", role=role)
    if role == "cooperative" and not org_id:
        raise RuleViolation("token-scope", "a cooperative token needs --org (the CO it appends for)", role=role)
    if role == "auditor" and not street:
        raise RuleViolation("token-scope", "an auditor token needs --street (its jurisdiction, or * for all)",
                            role=role)
    if role != "cooperative" and org_id or role != "auditor" and street:
        raise RuleViolation("token-scope", "only a cooperative token has an org and only an auditor token a street",
                            role=role, org_id=org_id, street=street)
    expires_at = _utc(expires_at)
    if expires_at is not None and expires_at <= now:
        raise RuleViolation("token-expiry", f"the expiry {expires_at.isoformat()} is not in the future",
                            expires_at=expires_at.isoformat())
    secret = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = hash_token(secret)[:12]
    subject = f"{_subject_scope or role + ':' + (org_id or street or 'ledger')}:{token_id}"
    with engine.begin() as conn:
        exists = conn.execute(select(tokens.c.token_id).where(tokens.c.token_hash == hash_token(secret))).first()
        if exists is None:
            conn.execute(insert(tokens).values(
                token_id=token_id, token_hash=hash_token(secret), subject=subject, role=role, org_id=org_id,
                street=street, created_at=now, expires_at=expires_at))
    return IssuedToken(token_id, secret, subject, role, org_id, street, expires_at)  # type: ignore[arg-type]


def adopt_env_admin(engine: Engine, token: str, now: datetime | None = None) -> IssuedToken:
    """The admin token of LEDGER_ADMIN_TOKEN: issued if new; every earlier env admin token is revoked.

    A value revoked before (through the API or the CLI) stays revoked: restarting does not revive it.
    """
    now = now or datetime.now(timezone.utc)
    issued = issue_token(engine, "admin", token=token, now=now, _subject_scope=ENV_ADMIN)
    with engine.begin() as conn:
        conn.execute(update(tokens).where(tokens.c.subject.like(ENV_ADMIN + ":%"),
                                          tokens.c.token_id != issued.token_id, tokens.c.revoked_at.is_(None))
                     .values(revoked_at=now))
    return issued


def revoke_token(engine: Engine, token_id: str, now: datetime | None = None) -> None:
    with engine.begin() as conn:
        result = conn.execute(update(tokens).where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
                              .values(revoked_at=now or datetime.now(timezone.utc)))
        if result.rowcount == 0:
            raise NotFound("token-exists", f"no active token {token_id}", token_id=token_id)


_BY_HASH = select(tokens).where(tokens.c.token_hash == bindparam("token_hash"))
"""The token row of a bearer token's hash (made once: every request asks it)."""


def authenticate(engine: Engine, token: str, now: datetime | None = None) -> Caller:
    """The caller a bearer token stands for; ``TokenRefused`` if it is unknown, revoked or expired."""
    with engine.connect() as conn:
        row = conn.execute(_BY_HASH, {"token_hash": hash_token(token)}).first()
    if row is None:
        raise TokenRefused("unknown")
    if row.revoked_at is not None:
        raise TokenRefused("revoked", row.token_id, _utc(row.revoked_at))
    expires_at = _utc(row.expires_at)
    if expires_at is not None and expires_at <= (now or datetime.now(timezone.utc)):
        raise TokenRefused("expired", row.token_id, expires_at)
    return Caller(row.token_id, row.subject, row.role, row.org_id, row.street)


def caller_or_none(engine: Engine, token: str) -> Caller | None:
    """The caller of a working token, or None (the workbench's sign-in and sessions)."""
    try:
        return authenticate(engine, token)
    except TokenRefused:
        return None


def token_state(engine: Engine, token: str, now: datetime | None = None) -> Literal["active"] | Refusal:
    """Whether ``token`` works now (``ledger hello`` asks before advertising the env token)."""
    try:
        authenticate(engine, token, now)
    except TokenRefused as refused:
        return refused.reason
    return "active"


def list_tokens(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(tokens.c.token_id, tokens.c.subject, tokens.c.role, tokens.c.org_id,
                                   tokens.c.street, tokens.c.created_at, tokens.c.expires_at, tokens.c.revoked_at)
                            .order_by(tokens.c.created_at)).all()
    return [{**row._mapping, **{k: _utc(row._mapping[k]) for k in ("created_at", "expires_at", "revoked_at")}}
            for row in rows]
