"""Settings, read from the environment when the service starts (never at import)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set; every field has an environment variable."""

    database_url: str = "sqlite:///var/ledger.db"
    host: str = "127.0.0.1"
    port: int = 8000
    admin_token: str | None = None
    key_file: Path = Path("var/ledger-log.key")
    log_origin: str = "audit-ledger.local"
    max_body_bytes: int = 4 * 1024 * 1024
    max_json_depth: int = 32
    body_timeout_s: float = 10.0
    auth_failures_per_minute: int = 20
    workers: int = 1
    statement_timeout_ms: int = 30_000
    lock_timeout_ms: int = 5_000
    read_database_url: str | None = None
    """A standby (or the same hosts with ``target_session_attrs=prefer-standby``) for views and proofs."""
    replica_wait_ms: int = 2000
    """How long a read asking for a position the replica has not replayed waits before going to the primary."""
    require_standby: bool = False
    """Acknowledge an append only once a standby has flushed its commit (HA clusters; else 503)."""
    group_commit_ms: float = 0
    """Appends arriving within this many ms share one transaction and commit (0: each its own)."""
    inline_projection: bool = True
    """Each append writes its read-model facts in its own transaction (``projections.inline``)."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("LEDGER_DATABASE_URL", cls.database_url),
            host=env.get("LEDGER_HOST", cls.host),
            port=int(env.get("LEDGER_PORT", cls.port)),
            admin_token=env.get("LEDGER_ADMIN_TOKEN") or None,
            key_file=Path(env.get("LEDGER_KEY_FILE", str(cls.key_file))),
            log_origin=env.get("LEDGER_LOG_ORIGIN", cls.log_origin),
            max_body_bytes=int(env.get("LEDGER_MAX_BODY_BYTES", cls.max_body_bytes)),
            max_json_depth=int(env.get("LEDGER_MAX_JSON_DEPTH", cls.max_json_depth)),
            body_timeout_s=float(env.get("LEDGER_BODY_TIMEOUT_S", cls.body_timeout_s)),
            auth_failures_per_minute=int(env.get("LEDGER_AUTH_FAILURES_PER_MINUTE", cls.auth_failures_per_minute)),
            workers=int(env.get("LEDGER_WORKERS", cls.workers)),
            statement_timeout_ms=int(env.get("LEDGER_STATEMENT_TIMEOUT_MS", cls.statement_timeout_ms)),
            lock_timeout_ms=int(env.get("LEDGER_LOCK_TIMEOUT_MS", cls.lock_timeout_ms)),
            read_database_url=env.get("LEDGER_READ_DATABASE_URL") or None,
            replica_wait_ms=int(env.get("LEDGER_REPLICA_WAIT_MS", cls.replica_wait_ms)),
            require_standby=env.get("LEDGER_REQUIRE_STANDBY", "").lower() in ("1", "true", "yes", "on"),
            group_commit_ms=float(env.get("LEDGER_GROUP_COMMIT_MS", cls.group_commit_ms)),
            inline_projection=env.get("LEDGER_INLINE_PROJECTION", "true").lower() in ("1", "true", "yes", "on"),
        )


ENVIRONMENT_VARIABLES = (
    "LEDGER_DATABASE_URL",
    "LEDGER_HOST",
    "LEDGER_PORT",
    "LEDGER_ADMIN_TOKEN",
    "LEDGER_KEY_FILE",
    "LEDGER_WORKERS",
    "LEDGER_LOG_ORIGIN",
    "LEDGER_MAX_BODY_BYTES",
    "LEDGER_STATEMENT_TIMEOUT_MS",
    "LEDGER_LOCK_TIMEOUT_MS",
    "LEDGER_READ_DATABASE_URL",
    "LEDGER_REPLICA_WAIT_MS",
    "LEDGER_REQUIRE_STANDBY",
    "LEDGER_GROUP_COMMIT_MS",
    "LEDGER_INLINE_PROJECTION",
    "LEDGER_MAX_JSON_DEPTH",
    "LEDGER_BODY_TIMEOUT_S",
    "LEDGER_AUTH_FAILURES_PER_MINUTE",
)
"""Documented in the README and used by docker-compose.yml (a test checks both)."""
