"""The domain: every entity kind of a CO and the rules of its events.

Importing this package imports every domain module, so the catalogue
(``catalog.CATALOG``, ``catalog.DERIVED``) is complete.
"""
from . import (  # noqa: F401  (imported for their registrations)
    organization,
    governance,
    major_matters,
    assets,
    leases,
    rents,
    tenders,
    members,
    books,
    distribution,
    audit,
)
