"""Re-plan a published roster after a change, with the fewest changed assignments (issue #6).

`replan(changed_scenario, published, now=...)` returns a new roster for the changed scenario (a
reader absent, a need added or removed, a credential ended: see scheduler/replan/changes.py) that
keeps the past and the locked assignments and changes as little of the rest as it can.

What counts as a change. One *reader-shift* (a reader on one shift instance) whose assignment
differs from the published one counts once: added (they now work it), removed (they no longer
do), or kept with another set of sites. These are RosterDiff's added, removed and resited; a
site's shift passing from one reader to another is two changes (one removed, one added). A change
to a shift starting within `near_hours` of `now` weighs `near_weight` (it upsets plans already
made: childcare, travel), a later one weighs 1; the *weighted changes* are what is minimised.

What never moves. Every assignment of a shift that starts before `now` stays exactly as
published (sites included), and so does every shift nobody worked then: the past happened, even
when the changed scenario would no longer allow it (a reader declared absent from a date they
worked; the result says so in words). Every assignment marked `locked` in the published roster
stays exactly as published too; a lock the change makes impossible (its reader now absent) is
refused with a LockError in words before any search.

Priorities, lexicographic:
1. coverage: the priority-weighted shortfall (the `uncovered` term) as small as it can be. A change
   is never preferred to a need left uncovered: leaving a stroke centre without a neuro reader to
   save one change would be wrong;
2. the weighted changes, as few as possible, proven minimal when the status is OPTIMAL (else the
   result carries the best proven lower bound, honestly, and the gap);
3. the usual objective (the model's own terms: reader shifts, fairness, requests, ...), with the
   weighted changes and the shortfall held at what steps 1-2 found, for the rest of the time.
Steps 1 and 2 share one objective that weighs the shortfall above any possible sum of changes
(exactly lexicographic). They are searched on windows of the month around the shifts the change
disturbs, each proven against a relaxation of the whole month (scheduler/replan/windows.py), and
last on the whole model; step 3 searches the window of the best roster, hinted with it (so the
usual objective's bound is reported only when that window is the whole month).

Before any model, a quick re-plan (scheduler/replan/quick.py: what cannot stay taken off, each
disturbed shift's missing readers given to the fewest readers who may take them) gives a roster
in seconds, and a floor under the changes of every fully covered roster. The searches must beat
it (lower shortfall, then fewer weighted changes) to replace it, and it is the answer when the
model would not be built and searched in the time given (BUILD_S_PER_TRIPLE: national scale);
a fully covered quick roster meeting the floor is proven minimal without the model.

The roster returned is judged by the independent checker (scheduler.check) on the changed
scenario; the per-reader diff says in words who takes, drops or changes which shift.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import Instance, build_instance, fmt_date
from scheduler.replan.quick import QuickReplan, quick_replan
from scheduler.replan.windows import (
    RADII,
    STEP_SHARE,
    Plan,
    Step,
    Stops,
    WindowSearch,
    aware_utc,
    changed_shifts,
    count_changes,
    disturbed,
    fix_past_and_locked,
    make_plan,
    reader_rules,
    region,
    weighted_changes,
)
from scheduler.result import CheckReport, Progress, Roster, relative_gap
from scheduler.scenario import Scenario
from scheduler.solver.decompose import triples
from scheduler.solver.locks import mark_locked
from scheduler.solver.model import build_model
from scheduler.solver.solve import extract_roster
from scheduler.store import PublishOutcome, PublishRefused, Store
from scheduler.store.diff import RosterDiff, diff_rosters

NEAR_HOURS = 72
NEAR_WEIGHT = 3
MIN_STEP_S = 0.3  # no search starts with less time left (its presolve would overrun the limit)
WHOLE_MIN_BUILDS = 3  # the whole model is searched only with at least this many model-build times left
CHECK_RESERVE_S = 0.5  # kept from the time limit for the checker and the diff at the end
# building the model takes about this long per reader x site x shift (tier M: 14 s for 417,078), and it is
# skipped when the time left is under MODEL_TIME_FACTOR times that (a build, then searches as long)
BUILD_S_PER_TRIPLE, MODEL_TIME_FACTOR = 35e-6, 2.0


# ---- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One changed reader-shift: the sites before (empty: not working it) and after (empty: dropped)."""

    reader: str
    shift_type: str
    date: dt.date
    start: dt.datetime  # UTC
    before: tuple[str, ...]
    after: tuple[str, ...]
    weight: int
    near: bool

    @property
    def kind(self) -> str:
        return "added" if not self.before else "removed" if not self.after else "resited"

    def to_dict(self) -> dict[str, Any]:
        return {"reader": self.reader, "shift_type": self.shift_type, "date": self.date.isoformat(),
                "start_utc": self.start.isoformat(), "kind": self.kind, "before": list(self.before),
                "after": list(self.after), "weight": self.weight, "near": self.near}


@dataclass
class ReplanResult:
    """The re-planned roster, its changes against the published one with the proof, and the usual figures.

    `status`: OPTIMAL when the weighted changes are proven minimal (`bound` equals them), FEASIBLE
    when a roster was found but the proof is incomplete (`bound` is what is proven), INFEASIBLE
    when no roster keeps the past and locked assignments with the hard rules, UNKNOWN when no
    roster was found in time. Without a roster, `roster` is the published one, unchanged.
    """

    status: str
    roster: Roster
    published: Roster
    scenario: Scenario  # the changed scenario the roster is for
    inst: Instance  # its instance (for words)
    changes: list[Change]
    weighted_changes: int
    bound: int  # proven lower bound on the weighted changes of any roster as good on coverage
    coverage_proven: bool  # the shortfall is proven as small as it can be
    check: CheckReport
    diff: RosterDiff
    objective: int  # the usual objective of `roster`, from the checker
    terms: dict[str, int]
    objective_bound: float | None  # the usual objective's bound, at the changes found (step 3)
    now: dt.datetime
    near_hours: float
    near_weight: int
    fixed_past: int  # assignments kept because their shift started before `now`
    locked: int  # future assignments kept because they are locked
    notes: list[str] = field(default_factory=list)  # what the caller should know, in words
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    progress: list[Progress] = field(default_factory=list)

    @property
    def has_solution(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def number_of_changes(self) -> int:
        return len(self.changes)

    @property
    def near_changes(self) -> int:
        return sum(1 for c in self.changes if c.near)

    @property
    def proven(self) -> bool:
        return self.has_solution and self.bound == self.weighted_changes and self.coverage_proven

    @property
    def gap(self) -> float | None:
        return relative_gap(self.weighted_changes, self.bound) if self.has_solution else None

    @property
    def changes_by_reader(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for c in sorted(self.changes, key=lambda c: (c.reader, c.start)):
            out.setdefault(c.reader, []).append(c)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "proven": self.proven,
            "changes": self.number_of_changes,
            "weighted_changes": self.weighted_changes,
            "bound": self.bound,
            "near_changes": self.near_changes,
            "coverage_proven": self.coverage_proven,
            "now": self.now.isoformat(),
            "near_hours": self.near_hours,
            "near_weight": self.near_weight,
            "fixed_past": self.fixed_past,
            "locked": self.locked,
            "hard_violations": len(self.check.violations),
            "uncovered": [u.to_dict() for u in self.check.uncovered],
            "objective": self.objective,
            "objective_bound": self.objective_bound,
            "terms": self.terms,
            "changed": [c.to_dict() for c in sorted(self.changes, key=lambda c: (c.start, c.reader))],
            "diff": self.diff.to_dict(),
            "notes": self.notes,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# ---- the facade ----------------------------------------------------------------------------------
def replan(
    scenario: Scenario,
    published: Roster,
    *,
    now: dt.datetime,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    near_hours: float = NEAR_HOURS,
    near_weight: int = NEAR_WEIGHT,
    stop: threading.Event | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    log: bool = False,
) -> ReplanResult:
    """Re-plan `published` for the changed `scenario` (the change already applied) from `now` on.

    See the module docstring for what counts as a change, what stays fixed, the priorities and
    how minimality is proven. `time_limit` (seconds) covers every search; setting `stop` from
    another thread ends the search with the best roster so far; `on_progress` gets (elapsed,
    weighted changes found, their proven lower bound) after each search.
    Raises InputError when the published roster names readers or shift types the scenario lacks,
    LockError when a locked future assignment cannot hold in the changed scenario.
    """
    t0 = time.perf_counter()
    now = aware_utc(now)
    if near_weight < 1 or int(near_weight) != near_weight:
        raise ValueError(f"near_weight must be a whole number of at least 1 (got {near_weight})")
    if near_hours < 0:
        raise ValueError(f"near_hours must be 0 or more (got {near_hours})")
    inst = build_instance(scenario)
    plan = make_plan(inst, published, now, near_hours, int(near_weight))
    deadline = t0 + float(time_limit) - min(CHECK_RESERVE_S, 0.05 * float(time_limit))
    # a first answer without a model (scheduler/replan/quick.py): the fallback, and the roster to beat
    quick = quick_replan(plan, published, deadline=deadline, stop=stop)
    forced = sum(plan.forced.values())
    t_plan = time.perf_counter()
    build_estimate = BUILD_S_PER_TRIPLE * triples(plan.model_inst)
    if quick is not None and deadline - t_plan < MODEL_TIME_FACTOR * build_estimate:
        # the model would not be built, let alone searched, in the time given (national scale)
        notes = [*plan.notes, f"this roster comes from the open-shift ranking alone: building the re-plan's model "
                              f"(about {build_estimate:.0f} s here) and searching it does not fit in "
                              f"{float(time_limit):g} s, so the bound is only what the forced changes and the "
                              f"needs left short imply; give more time for the fewest changes"]
        covered = not quick.report.uncovered  # then every roster as well covered makes the floor's changes
        bound = forced + (quick.floor if covered else 0)
        weighted = weighted_changes(plan, published, quick.roster)
        status = "OPTIMAL" if covered and weighted <= bound else "FEASIBLE"
        return _result(scenario, inst, published, plan, quick.roster, status, bound, covered, None, notes,
                       {"plan_s": t_plan - t0, "build_s": 0.0, "first_s": 0.0, "second_s": 0.0},
                       {"variables": 0, "workers": workers, "seed": seed, "forced": forced, "steps": [],
                        "quick": _quick_stats(quick), "model_skipped": True}, [], t0, quick.report)

    built = build_model(plan.model_inst, soft_needs=None, guarded=reader_rules())
    fix_past_and_locked(built, plan)
    changes = count_changes(built, plan)
    # one missing reader (x priority) outweighs every possible change (and repair): exactly lexicographic
    big = changes.span + int(near_weight) * (len(inst.shifts) + len(inst.readers)) + 1
    built.model.minimize(big * built.terms["uncovered"] + changes.expr)
    usual = sum(getattr(scenario.objective, name) * expr for name, expr in built.terms.items())
    disturbance = disturbed(built, plan)
    windows: list[frozenset[int] | None] = []
    for radius in RADII:
        window = region(inst, disturbance.shifts, radius)
        if len(window) < len(inst.shifts) and window not in windows:
            windows.append(window)
    windows.append(None)
    t_build = time.perf_counter()

    stops = Stops(stop)
    search = WindowSearch(built, plan, changes, disturbance, big, {"workers": workers, "seed": seed, "log": log},
                          stops, deadline)
    steps: list[Step] = []
    points: list[Progress] = []
    best: Step | None = None
    lower = 0  # proven: every roster has big x shortfall + changes (beyond the forced ones) >= lower
    infeasible = False

    def score(step: Step) -> int:
        return big * step.short + step.moved

    def proven() -> bool:
        return best is not None and score(best) <= lower

    def consider(step: Step) -> None:
        nonlocal best, lower, infeasible
        steps.append(step)
        if step.relaxed or step.free is None:
            lower = max(lower, step.bound)
            infeasible = infeasible or step.status == cp_model.INFEASIBLE  # a relaxation: none at all
        if step.moved is not None and (best is None or score(step) < score(best)):
            best = step
        if best is not None:
            moved_bound = lower - big * best.short if lower >= big * best.short else 0
            points.append(Progress(time.perf_counter() - t0, changes.forced + best.moved,
                                   changes.forced + moved_bound))
            if on_progress is not None:
                on_progress(points[-1])

    polished = None
    try:
        # steps 1-2: each window restricted (a roster) and relaxed (a bound), until they meet
        whole_min = WHOLE_MIN_BUILDS * (t_build - t_plan)  # its presolve alone outlasts a shorter limit
        for window in windows:
            if search.left() <= MIN_STEP_S or stops.stopped or proven() or infeasible:
                break
            if window is None:
                if search.left() >= whole_min:
                    consider(search.run(None, 0, best.values if best else None, 1.0))
                break
            for step in search.pair(window, best.values if best else None, STEP_SHARE):
                consider(step)
            if not proven() and not infeasible and search.left() > MIN_STEP_S and not stops.stopped:
                consider(search.run(window, 2, best.values if best else None, STEP_SHARE))
        t_first = time.perf_counter()
        # step 3: the usual objective in the window of the best roster, at no more changes or shortfall
        if best is not None and search.left() > MIN_STEP_S and not stops.stopped:
            polished = search.polish(best.free, best, usual)
            steps.append(polished)
        t_second = time.perf_counter()
    finally:
        stops.close()

    notes = list(plan.notes)
    objective_bound = None
    quick_score = None
    known = None  # the checker's report on the roster returned, when it is at hand already
    model_count = None  # the weighted changes the model counted for the roster returned
    if quick is not None:
        quick_moved = weighted_changes(plan, published, quick.roster) - changes.forced
        quick_score = big * quick.report.terms.get("uncovered", 0) + quick_moved
    if quick_score is not None and (best is None or quick_score < score(best)):
        # the ranking's roster beats whatever the model search found in time
        roster = mark_locked(quick.roster, [a for a in published.assignments if a.locked])
        known = quick.report
        short = quick.report.terms.get("uncovered", 0)
        coverage_proven = lower >= big * short
        moved_bound = lower - big * short if coverage_proven else 0
        result_status = "OPTIMAL" if quick_score <= lower else "FEASIBLE"
        notes.append("this roster comes from the open-shift ranking: the model search found none as good in the "
                     "time given")
    elif best is not None:
        final = polished if polished is not None and polished.solver is not None else best
        roster = Roster(assignments=extract_roster(built, final.solver).assignments + tuple(plan.constants))
        roster = mark_locked(roster.sorted(), [a for a in published.assignments if a.locked])
        coverage_proven = lower >= big * best.short
        moved_bound = lower - big * best.short if coverage_proven else 0
        result_status = "OPTIMAL" if proven() else "FEASIBLE"
        if final is polished and polished.free is None:
            objective_bound = float(polished.bound)
        model_count = changes.forced + best.moved
    else:
        roster, coverage_proven, moved_bound = published, False, 0
        if infeasible:
            result_status = "INFEASIBLE"
            notes.append("no roster keeps the past and locked assignments with the hard rules of the changed "
                         "scenario; the published roster is returned unchanged")
        else:
            result_status = "UNKNOWN"
            notes.append("no roster was found in the time given; the published roster is returned unchanged "
                         "(give more time)")
    weighted_now = weighted_changes(plan, published, roster)
    if model_count is not None and weighted_now != model_count:
        notes.append(f"the model counted {model_count} weighted changes but the roster has {weighted_now}")
    solved = result_status in ("OPTIMAL", "FEASIBLE")
    if solved and known is None:
        known = check(inst, roster)
    if quick is not None and known is not None and not known.uncovered:
        # the roster covers every need: so must any as good, and each makes the quick floor's changes
        coverage_proven = True
        moved_bound = max(moved_bound, quick.floor)
        result_status = "OPTIMAL" if weighted_now <= changes.forced + moved_bound else result_status
    if solved and not coverage_proven:
        notes.append("the search ended before proving that no roster covers more; the bound on changes is only "
                     "what no roster can avoid")
    stats = {"variables": search.size, "workers": workers, "seed": seed, "disturbed_shifts": len(disturbance.shifts),
             "forced": changes.forced, "steps": [s.to_dict(changes.forced) for s in steps],
             "quick": _quick_stats(quick), "model_skipped": False}
    timings = {"plan_s": t_plan - t0, "build_s": t_build - t_plan, "first_s": t_first - t_build,
               "second_s": t_second - t_first}
    return _result(scenario, inst, published, plan, roster, result_status, changes.forced + moved_bound,
                   coverage_proven, objective_bound, notes, timings, stats, points, t0, known)


def _quick_stats(quick: QuickReplan | None) -> dict[str, Any] | None:
    if quick is None:
        return None
    return {"filled": quick.filled, "seconds": round(quick.seconds, 3), "uncovered": len(quick.report.uncovered)}


def _result(scenario: Scenario, inst: Instance, published: Roster, plan: Plan, roster: Roster, status: str,
            bound: int, coverage_proven: bool, objective_bound: float | None, notes: list[str],
            timings: dict[str, float], stats: dict[str, Any], points: list[Progress], t0: float,
            report: CheckReport | None = None) -> ReplanResult:
    """The result for `roster`: checked on the changed scenario (unless its `report` is given), its
    changes counted and said."""
    t_check = time.perf_counter()
    report = report if report is not None else check(inst, roster)
    changed = _changed(inst, published, roster, plan)
    t_end = time.perf_counter()
    return ReplanResult(
        status=status,
        roster=roster,
        published=published,
        scenario=scenario,
        inst=inst,
        changes=changed,
        weighted_changes=sum(c.weight for c in changed),
        bound=bound,
        coverage_proven=coverage_proven,
        check=report,
        diff=diff_rosters(published, roster),
        objective=report.objective,
        terms=dict(report.terms),
        objective_bound=objective_bound,
        now=plan.now,
        near_hours=(plan.near_end - plan.now).total_seconds() / 3600,
        near_weight=plan.near_weight,
        fixed_past=len(plan.past) + len(plan.constants),
        locked=len(plan.locked),
        notes=notes,
        timings={**timings, "check_s": t_end - t_check, "wall_s": t_end - t0},
        stats=stats,
        progress=points,
    )


def _changed(inst: Instance, old: Roster, new: Roster, plan: Plan) -> list[Change]:
    """Every reader-shift that differs between the two rosters, with its weight (the unit of the count)."""
    out = [Change(reader, shift_type, day, start, b, a, plan.weight_of(start), plan.is_near(start))
           for reader, shift_type, day, b, a, start in changed_shifts(plan, old, new)]
    return sorted(out, key=lambda c: (c.start, c.reader))


# ---- words ---------------------------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def change_words(inst: Instance, c: Change, near_hours: float = NEAR_HOURS) -> str:
    """'takes the night of 5 Mar 2026 (Site A)', 'no longer works ...', '... now at B instead of A'."""
    def sites(ids: tuple[str, ...]) -> str:
        return ", ".join(inst.site_name(x) if x in inst.scenario.site_by_id else x for x in ids)

    label = inst.shift_label(c.shift_type) if c.shift_type in inst.scenario.shift_type_by_id else c.shift_type
    what = f"{label} of {fmt_date(c.date)}"
    if c.kind == "added":
        text = f"takes the {what} ({sites(c.after)})"
    elif c.kind == "removed":
        text = f"no longer works the {what} ({sites(c.before)})"
    else:
        text = f"{what}: now reads for {sites(c.after)} instead of {sites(c.before)}"
    return text + (f" (starts within {near_hours:g} h)" if c.near else "")


def reader_lines(result: ReplanResult) -> list[str]:
    """The changes per reader, in words: one heading per reader, one line per changed shift."""
    inst = result.inst
    out = []
    for reader, changes in sorted(result.changes_by_reader.items(), key=lambda kv: inst.reader_name(kv[0])):
        name = inst.reader_name(reader)
        out.append(f"{name} ({_plural(len(changes), 'change')}):")
        signs = {"added": "+", "removed": "-", "resited": "~"}
        out += [f"  {signs[c.kind]} {change_words(inst, c, result.near_hours)}" for c in changes]
    return out or ["No assignment changes."]


def summary_lines(result: ReplanResult) -> list[str]:
    """What the re-plan found and what is proven, in words (status, changes, bound, coverage, rules)."""
    r = result
    when = f"{r.now:%Y-%m-%d %H:%M} UTC"
    soon = f"{r.near_changes} within {r.near_hours:g} h of {when}, counting {r.near_weight} each"
    out = []
    if r.has_solution:
        count = f"{_plural(r.number_of_changes, 'changed assignment')} ({soon}): weighted {r.weighted_changes}"
        if r.proven:
            out.append(f"{count}, the fewest possible (proven: no roster as well covered changes less; "
                       f"bound {r.bound}, status {r.status}).")
        else:
            gap = "-" if r.gap is None else f"{r.gap:.0%}"
            out.append(f"{count}; NOT proven the fewest: the proven bound is {r.bound} (gap {gap}, status "
                       f"{r.status}). A longer time limit may close it.")
    else:
        out.append(f"No re-planned roster ({r.status}).")
    missing = sum(u.missing for u in r.check.uncovered)
    if not missing:
        out.append("Every need is covered.")
    else:
        proof = " (no roster covers more)" if r.coverage_proven else ""
        out.append(f"{_plural(missing, 'reader slot')} stay uncovered{proof}:")
        out += [f"  - {u.message}" for u in r.check.uncovered]
    if r.check.violations:
        out.append(f"{_plural(len(r.check.violations), 'hard rule')} broken:")
        out += [f"  - [{v.rule}] {v.message}" for v in r.check.violations]
    else:
        out.append("No hard rule is broken (independent checker).")
    out.append(f"Kept as published: {_plural(r.fixed_past, 'assignment')} of shifts that started before {when}, "
               f"{_plural(r.locked, 'locked assignment')}.")
    out += [f"Note: {n}" for n in r.notes]
    return out


# ---- the store side ------------------------------------------------------------------------------
def publish_replan(store: Store, result: ReplanResult, *, base_number: int, by: str, note: str = "",
                   now: dt.datetime | None = None) -> PublishOutcome:
    """Publish the re-planned roster as the version after `base_number`, the one it was re-planned from
    (refused if another was published since: ConcurrencyError; or if it breaks a hard rule:
    PublishRefused). The store writes the calendar events: changed shifts get a higher SEQUENCE,
    removed near-term ones stay as cancelled."""
    if not result.has_solution:
        raise PublishRefused(f"the re-plan found no roster ({result.status}); nothing to publish")
    text = note or f"re-plan: {_plural(result.number_of_changes, 'change')} from version {base_number}"
    return store.publish(result.scenario, result.roster, by=by, base_number=base_number, note=text, now=now)
