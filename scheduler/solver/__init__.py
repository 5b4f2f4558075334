"""The CP-SAT side: model assembly, the solve facade, progress, and infeasibility explanations."""

from scheduler.solver.solve import solve

__all__ = ["solve"]
