"""CP-SAT solver settings shared by every search the project runs."""

from __future__ import annotations

from ortools.sat.python import cp_model

# CP-SAT's full-search workers, in the order they are given threads, when the LP bound leads: with
# 2 threads only the first runs beside the interleaved LNS workers (by default it is default_lp)
LP_FIRST_SUBSOLVERS = ("max_lp", "default_lp", "core", "no_lp", "quick_restart", "reduced_costs",
                       "pseudo_costs", "lb_tree_search")


def new_solver(time_limit: float, workers: int, seed: int, log: bool = False,
               lp_first: bool = False) -> cp_model.CpSolver:
    """A solver with a time limit, `workers` threads and a seed; Ctrl-C belongs to the caller
    (CLI, app), not to CP-SAT.

    `lp_first` gives the first full-search thread CP-SAT's strongest linear relaxation (max_lp:
    linearization level 2, with cuts). It pays where the objective is a sum of linear penalties
    (staff-rostering benchmarks: Curtois Instance7's bound goes from 27 to 1044, best known 1056)
    and costs where it is not: fairness deviations have a zero LP relaxation, and on the French
    example the plain search finds better rosters in the same time.
    """
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, float(time_limit))
    p.num_workers = int(workers)
    p.random_seed = int(seed)
    p.log_search_progress = log
    p.catch_sigint_signal = False
    if lp_first:
        if workers > 1:
            p.subsolvers.extend(LP_FIRST_SUBSOLVERS)
        else:
            p.linearization_level = 2
    return solver
