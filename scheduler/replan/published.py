"""What every change to a published roster starts from: the period's latest published version."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.result import Roster
from scheduler.scenario import Scenario
from scheduler.store import Store, StoreError
from scheduler.store.records import Period, PublishedVersion


@dataclass(frozen=True)
class PublishedState:
    """A period's latest published version, its roster, and its scenario (history refreshed from the store,
    so rest and run rules at the period's start are checked against what is published before it)."""

    version: PublishedVersion
    scenario: Scenario
    roster: Roster


def latest_published(store: Store, period: Period, *, purpose: str = "re-plan",
                     error: type[StoreError] = StoreError) -> PublishedState:
    """The period's latest version; `error` in words when nothing is published for `period`."""
    version = store.latest_version(period)
    if version is None:
        known = ", ".join(p.key for p in store.periods()) or "none"
        raise error(f"{period}: nothing is published for this period, so there is nothing to {purpose}; "
                    f"published periods: {known}")
    scenario = store.with_history(store.scenario(version.scenario_version))
    return PublishedState(version, scenario, store.roster(version.id))
