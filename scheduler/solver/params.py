"""CP-SAT solver settings shared by every search the project runs."""

from __future__ import annotations

from ortools.sat.python import cp_model


def new_solver(time_limit: float, workers: int, seed: int, log: bool = False) -> cp_model.CpSolver:
    """A solver with a time limit, `workers` threads and a seed; Ctrl-C belongs to the caller
    (CLI, app), not to CP-SAT."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, float(time_limit))
    p.num_workers = int(workers)
    p.random_seed = int(seed)
    p.log_search_progress = log
    p.catch_sigint_signal = False
    return solver
