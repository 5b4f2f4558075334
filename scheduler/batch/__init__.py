"""Batch planning: many scenarios and what-if variations over a range of months, on one machine or a cluster.

Each month starts from the previous month's roster (`carry`), is solved and checked, and is written
atomically; finished months are skipped when a run is resumed. See `run_batch` and `scheduler batch`.
"""

from scheduler.batch.carry import carry
from scheduler.batch.chain import ChainJob, MonthOutcome, run_chain
from scheduler.batch.months import month_scenario, parse_months
from scheduler.batch.runner import BatchOutcome, ClusterError, Settings, run_batch
from scheduler.batch.spec import BatchSpec, Variation, load_spec, spec_from_data
from scheduler.batch.variations import apply_variation

__all__ = [
    "BatchOutcome", "BatchSpec", "ChainJob", "ClusterError", "MonthOutcome", "Settings", "Variation",
    "apply_variation", "carry", "load_spec", "month_scenario", "parse_months", "run_batch", "run_chain",
    "spec_from_data",
]
