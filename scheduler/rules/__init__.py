"""The rule catalogue: one module per rule, each with its encode, its check and its doc.

HARD rules must never be broken; SOFT terms make up the objective, in priority order, each
weighted by the scenario's `objective` setting of the same name.
"""

from __future__ import annotations

from scheduler.rules import (
    capacity,
    consecutive,
    continuity,
    coverage,
    eligibility,
    fairness,
    hours,
    nights,
    one_shift_per_day,
    overstaffing,
    reader_shifts,
    requests,
    rest,
    runs,
    shift_limits,
    successions,
    weekends,
    workload,
)

HARD = [
    eligibility,
    one_shift_per_day,
    coverage,  # staffing cap (its soft side is the `uncovered` term)
    capacity,
    rest,
    consecutive,
    nights,
    hours,
    weekends,
    successions,
    shift_limits,
    runs,
]

# the hard rules whose every violation is about one reader's own shifts (coverage's hard side is the
# site's staffing cap): checked on a roster holding one reader alone, they judge that reader
PER_READER_RULES = [m for m in HARD if m is not coverage]

# (objective weight name, module) in priority order
SOFT = [
    ("uncovered", coverage),
    ("reader_shifts", reader_shifts),
    ("fairness", fairness),
    ("requests", requests),
    ("workload", workload),
    ("continuity", continuity),
    ("overstaffing", overstaffing),
]
