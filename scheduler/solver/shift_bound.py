"""A lower bound of the objective from each shift on its own, in plain arithmetic (no search).

On national-scale scenarios CP-SAT's bound stays near zero within the time limit (the decomposed
master hands over to its LNS before its LP has run), so the gap said nothing. Yet every roster
calls readers in for each shift, and how many it needs at the least follows from that shift's
needs alone:

- a need asking for R readers (R_s of subspecialty s) is read by at least R (R_s with s) of them;
- the studies to place on the shift, L = sum of load x R over its needs, are read by readers who
  take at most C each (the largest capacity among the shift's eligible readers); so at least
  ceil(L / C) readers.

A roster leaving U readers missing on the shift may call in up to U fewer (a missing reader
lowers each count above by at most one, since no need's load exceeds C in the sums), but pays
each at `uncovered` x priority. So the shift costs at least floor x min(reader_shifts weight,
uncovered weight x least priority), and the sum over shifts bounds the whole objective, every
other term being non-negative. It holds for any roster the checker accepts, whatever the rules
of the readers (they only add constraints).
"""

from __future__ import annotations

import math

from scheduler.instance import Demand, Instance


def _capacity_floor(inst: Instance, i: int, needs: list[Demand]) -> int:
    """ceil(studies to place / largest capacity of a reader eligible for one of the shift's `needs`)."""
    by_id = inst.scenario.radiologist_by_id
    shift = inst.shifts[i]
    readers = {rid for d in needs for rid in inst.eligible_readers.get((d.site, i), ())}
    most = max((inst.capacity(by_id[rid], shift) for rid in readers), default=0)
    if most <= 0:
        return 0
    studies = sum(d.load_per_reader * d.required for d in needs if d.load_per_reader <= most)
    return math.ceil(studies / most)


def readers_floor(inst: Instance, i: int) -> int:
    """The fewest readers any roster that leaves no reader missing calls in for shift `i`."""
    needs = inst.demands_by_shift.get(i, [])
    if not needs:
        return 0
    return max(max(d.required for d in needs),
               max((n for d in needs for n in d.required_by_subspecialty.values()), default=0),
               _capacity_floor(inst, i, needs))


def shift_bound(inst: Instance) -> int:
    """A lower bound of the objective of every roster the checker accepts (see the module docstring)."""
    weights = inst.scenario.objective
    total = 0
    for i, needs in inst.demands_by_shift.items():
        if not needs:
            continue
        per_reader = min(weights.reader_shifts, weights.uncovered * min(d.priority for d in needs))
        total += per_reader * readers_floor(inst, i)
    return total
