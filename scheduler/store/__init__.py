"""The publishing store: versions, audit log, fairness ledger and feed tokens in one SQLite file."""

from scheduler.store.db import SchemaTooNewError, StoreError
from scheduler.store.store import ConcurrencyError, PublishOutcome, PublishRefused, Store, period_of

__all__ = [
    "ConcurrencyError",
    "PublishOutcome",
    "PublishRefused",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "period_of",
]
