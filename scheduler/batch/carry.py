"""Carrying the border from one month to the next, without a store.

The store carries published periods into a new horizon (`Store.with_history`): the shifts of the
last 14 days (so rest, run and rolling-hours limits hold across the border) and the fairness
ledger's totals of the last 12 months (burden points, hours, nights, weekends, holidays). A batch
does the same from the rosters of its earlier months, with the store's own pure functions
(`scheduler.store.ledger`). The totals a scenario states are an opening balance from before the
batch: the months of the batch are added to them, not put in their place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from scheduler.instance import Instance, build_instance
from scheduler.result import Roster
from scheduler.scenario import Scenario
from scheduler.store import ledger

LOOKBACK_MONTHS = 12  # as the store (scheduler.store.store.DEFAULT_LOOKBACK_MONTHS)
RECENT_DAYS = 14  # as the store (DEFAULT_RECENT_DAYS)


def month_facts(planned: Scenario | Instance, roster: Roster) -> list[tuple]:
    """The ledger's facts (night, weekend, holiday, minutes, burden per reader-shift) of one month's roster."""
    inst = planned if isinstance(planned, Instance) else build_instance(planned)
    return ledger.shift_facts(inst, roster)


def carry_facts(scenario: Scenario, facts: Iterable[tuple], *, lookback_months: int = LOOKBACK_MONTHS,
                recent_days: int = RECENT_DAYS) -> Scenario:
    """`scenario` with each reader's history taken from earlier months' ledger `facts` (opening balance kept)."""
    facts = list(facts)
    start = scenario.horizon.start
    first, last = ledger.history_window(start, lookback_months)
    totals = ledger.totals_of_facts(facts, first, last)
    recent = ledger.recent_of_facts(facts, start - dt.timedelta(days=recent_days), last)
    return ledger.apply_history(scenario, totals, recent, add_to_stated=True)


def carry(scenario_next_month: Scenario, previous_months: Sequence[tuple[Scenario | Instance, Roster]]) -> Scenario:
    """The next month's scenario with the history its previous months' rosters give it.

    `previous_months` are (the scenario each roster was planned on, its roster), in any order.
    Shifts of the last 14 days before the next month become history shifts; the totals of the
    last 12 months are added to the totals the scenario states.
    """
    facts = [f for planned, roster in previous_months for f in month_facts(planned, roster)]
    return carry_facts(scenario_next_month, facts)
