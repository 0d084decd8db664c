"""The domain: every entity kind of a CO and the rules of its events.

Importing this package imports every domain module, so the catalogue
(``catalog.CATALOG``, ``catalog.DERIVED``) is complete.
"""
from ledger.domain import (  # noqa: F401  (imported for their registrations)
    assets,
    audit,
    books,
    closing,
    depreciation,
    distribution,
    governance,
    leases,
    major_matters,
    members,
    organization,
    rents,
    tenders,
)
