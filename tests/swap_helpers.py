"""A published week for the swap tests (in 2037, so its shifts are still to come when the tests
run without a `now`): four readers on Site A's nights, one reader with no privileges there.

Nights (18:30-08:30, 11 h rest after each, so no reader may work two nights in a row) of
Mon 2 - Sun 8 March 2037: r1 on the 2nd and 5th, r2 on the 3rd and 6th, r3 on the 4th and 7th,
r4 on the 8th. r3 asked not to work the night of the 8th; r4 wanted the night of the 6th.
"""

from __future__ import annotations

import datetime as dt

from scheduler.result import Assignment, Roster
from scheduler.scenario import Scenario
from scheduler.store import Store
from scheduler.store.records import Period
from tests import factory

UTC = dt.UTC
WEEK = tuple(dt.date(2037, 3, 2) + dt.timedelta(days=k) for k in range(7))
PERIOD = Period(WEEK[0], WEEK[-1])
T0 = dt.datetime(2037, 2, 1, 9, 0, tzinfo=UTC)  # well before the week
HORIZON = {"start": "2037-03-02", "end": "2037-03-08", "timezone": "Europe/Paris", "holidays": {"country": "FR"}}
NIGHTS = {"r1": (2, 5), "r2": (3, 6), "r3": (4, 7), "r4": (8,)}


def day(n: int) -> dt.date:
    return dt.date(2037, 3, n)


def base_week() -> Scenario:
    """The factory's base scenario (three readers, Site A's nights) moved to the 2037 week."""
    return factory.build(horizon=HORIZON)


def scenario() -> Scenario:
    readers = [factory.reader(f"r{k}", email=f"r{k}@example.org") for k in range(1, 5)]
    readers[2]["requests"] = [{"kind": "avoid", "shift_type": "night", "dates": ["2037-03-08"], "weight": 2}]
    readers[3]["requests"] = [{"kind": "want", "shift_type": "night", "dates": ["2037-03-06"]}]
    readers.append(factory.reader("r5", sites=()))  # licensed, but no privileges at Site A
    return factory.build(radiologists=readers, horizon=HORIZON)


def roster(nights: dict[str, tuple[int, ...]] = NIGHTS) -> Roster:
    return Roster(assignments=tuple(
        Assignment(reader=r, shift_type="night", date=day(n), sites=("A",)) for r, days in nights.items() for n in days
    )).sorted()


def published(path, nights: dict[str, tuple[int, ...]] = NIGHTS) -> Store:
    """A store at `path` with the week published as version 1 (by alice, at T0)."""
    store = Store(path)
    store.publish(scenario(), roster(nights), by="alice", base_number=None, now=T0)
    return store
