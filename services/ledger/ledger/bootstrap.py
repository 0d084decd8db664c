"""The one place that builds and wires the services: settings in, a running ledger out.

The HTTP and CLI entrypoints and the tests get their services here (entrypoints import this
module, never the reverse); nothing is built at import time. What is wired:

    settings -> event store (adapters/sql/event_store) -> append store (adapters/sql/append_store)
             -> Appender (application/append) with the log's signer (log/keys)
             -> Reader, LogProofs (adapters/sql) -> AuditViews, Projector (projections)
             -> the same reads over a standby when LEDGER_READ_DATABASE_URL is set (``Services.replica``)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ledger.adapters.sql import tokens
from ledger.adapters.sql.append_store import SqlAppendStore
from ledger.adapters.sql.event_store import EventStore, engine_of, open_event_store
from ledger.adapters.sql.proofs import LogProofs
from ledger.adapters.sql.reads import Reader
from ledger.application.append import Appender
from ledger.application.group_commit import GroupCommitter
from ledger.domain.catalog import load_catalog
from ledger.log.keys import load_or_create_signer
from ledger.log.notes import Signer
from ledger.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ledger.seed import Tally
    from projections.audit_views import AuditViews
    from projections.projector import Projector


@dataclass
class Services:
    """What one running ledger process holds."""

    settings: Settings
    store: EventStore
    engine: Engine
    appender: Appender
    reader: Reader
    signer: Signer
    proofs: LogProofs
    _views: Any = field(default=None, repr=False)
    projector: Projector | None = None
    """The in-process projector (``ledger run --with-projector``), whose state /readyz reports."""
    replica: Services | None = field(default=None, repr=False)
    """The same services reading from a standby (``LEDGER_READ_DATABASE_URL``); tokens and appends stay here."""

    @property
    def views(self) -> AuditViews:
        """The audit views (built on first use)."""
        if self._views is None:
            from projections.audit_views import AuditViews

            self._views = AuditViews(self.reader)
        return self._views  # type: ignore[no-any-return]


def migrate(settings: Settings) -> tuple[str | None, str]:
    """Create or upgrade the database's schema (``ledger migrate``): (revision before, after)."""
    from ledger.adapters.sql.event_store import normalize_url
    from ledger.adapters.sql.migrations import migrate as upgrade

    return upgrade(normalize_url(settings.database_url))


def open_store(settings: Settings) -> EventStore:
    """The event store alone (for commands that only read or manage tokens); refuses a schema not at head."""
    load_catalog()
    return open_event_store(settings.database_url, settings.statement_timeout_ms, settings.lock_timeout_ms)


def build_services(settings: Settings) -> Services:
    """Open the store, load the signing key, and honour LEDGER_ADMIN_TOKEN."""
    store = open_store(settings)
    engine = engine_of(store)
    signer = load_or_create_signer(settings.key_file, settings.log_origin)
    if settings.admin_token:
        tokens.adopt_env_admin(engine, settings.admin_token)
    reader = Reader(store)
    append_store = SqlAppendStore(store, require_standby=settings.require_standby, inline=_inline(settings))
    group = GroupCommitter(append_store, settings.group_commit_ms / 1000) if settings.group_commit_ms > 0 else None
    services = Services(settings, store, engine, Appender(append_store, signer, settings.log_origin, group), reader,
                        signer, LogProofs(reader))
    if settings.read_database_url:
        replica_store = open_event_store(settings.read_database_url, settings.statement_timeout_ms,
                                         settings.lock_timeout_ms, check_schema=False)
        replica_reader = Reader(replica_store)
        services.replica = Services(settings, replica_store, engine, services.appender, replica_reader, signer,
                                    LogProofs(replica_reader))
    return services


def _inline(settings: Settings) -> Any:
    """The inline projection when LEDGER_INLINE_PROJECTION is on (else None)."""
    if not settings.inline_projection:
        return None
    from projections.inline import InlineProjection

    return InlineProjection()


def open_readers(settings: Settings) -> Services:
    """The read side alone, with no signing key loaded or created (``ledger check``, the restore check).

    ``appender`` and ``signer`` are None: these services only read.
    """
    store = open_store(settings)
    reader = Reader(store)
    return Services(settings, store, engine_of(store), None, reader, None, LogProofs(reader))  # type: ignore[arg-type]


def build_projector(store: EventStore, **options: Any) -> Projector:
    """The projection worker over this store's feed (``page``, ``rebuild_page``: see Projector)."""
    from projections.projector import Projector

    return Projector(store, **options)


def write_demo(services: Services, scale: float, seed: int,
               progress: Callable[..., None] | None = None, profile: str = "2023") -> Tally:
    """Write the demo county through the append path (``ledger seed-demo``), in the books' ``profile``."""
    from ledger.seed import plan_county, write_county

    return write_county(services.appender, plan_county(scale, seed), progress=progress, profile=profile,
                        books=services.views)
