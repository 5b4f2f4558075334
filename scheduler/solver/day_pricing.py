"""Pricing one reader's schedule by dynamic programming over days, for the column generation of
scheduler.solver.pattern_bound.

CP-SAT priced a reader in 30 ms on 28 days but took 0.3 s or more on 182 days without proving its
answer, so a round over 50 readers took 12 s on Instance20 and the root never converged in its
time. Most rules of a day-based roster are about sequences of days, which a shortest path over
days handles exactly: one shift a day, forbidden successions, maximum and minimum run lengths of
working days and of days off (runs touching either end of the horizon exempt), complete weekends.
Counting rules are resources of the path, exact too: total working minutes (in units of the
greatest common divisor of the shifts' minutes), worked weekends and per-type counts, as long as
the grid of resources stays within MAX_CELLS; the counts beyond it (and then weekends) are priced
by Lagrangian multipliers that persist from call to call.

The value of the path is therefore a valid lower bound of the reader's best reduced cost, and the
path is a valid schedule (and then optimal) when it keeps the priced limits with complementary
slackness. When a few multiplier updates do not give a valid schedule, the caller prices the
reader with CP-SAT instead. Each call offers the PATHS best paths ending in different states or
resource cells (Instance8's root: 36 rounds at 2 instead of 52 at 1). `unsupported` says which readers the
path cannot represent exactly (history before the horizon, night or rolling-hours rules, rest that
spans more than one day, capacity that binds); those are priced by CP-SAT as before. Instance12:
5 ms a reader and round; Instance20: 70 ms, proven.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scheduler.instance import Instance
from scheduler.rules import rest
from scheduler.rules.weekends import weekends
from scheduler.scenario import Radiologist

# the resource grid of one path state (work units x worked weekends x counts of limited shift
# types) may hold at most this many cells; the counts that do not fit are priced by multipliers
# instead, and then weekends. Smaller grids are faster and the multipliers mostly prove the path
# anyway: Instance18's root converged in 18.6 s with its late shifts priced (at 5,000 cells), where
# counting them (17,000 cells) took 180 ms a person and the dive ran out of its 180 s; Instance8's
# in 5.5 s (at 2,000) against 8.8 s (at 5,000). Below 2,000, Instance20's weekends are priced,
# and the multipliers so often fail to give a valid schedule that CP-SAT takes over (60 s of its
# root: the master at 91,800 against 7,070)
MAX_CELLS = 2_000
LAGRANGE_ITERATIONS = 4  # multiplier updates per call before the caller falls back to CP-SAT
# the best paths ending in different states or resources, offered as columns each call. With the
# smoothed master (scheduler.solver.pattern_bound), 2 beat 5: roots Instance8 4.0 s (4.3 s), Instance12
# 8.6 s (9.3 s), Instance18 16.8 s (17.6 s), and Instance20's at 154 s master 4,769 and bound 4,727
# (at 174 s, 4,789 and 4,608): the master re-solves after fewer new columns a round
PATHS = 2
INF = math.inf


def unsupported(inst: Instance, reader: Radiologist) -> str | None:
    """Why the day-by-day path cannot price `reader` exactly, or None when it can."""
    rules = inst.scenario.rules_for(reader)
    if inst.history.get(reader.id):
        return "shifts before the horizon"
    if rules.max_consecutive_nights is not None or rules.min_days_off_after_nights:
        return "night rules"
    if rules.max_hours_rolling_7_days is not None:
        return "rolling weekly hours"
    mine = _shifts_of(inst, reader)
    if any(a.day != b.day for a, b in rest.conflicts(rules, mine)):
        return "rest spanning days"
    for s in mine:
        demands = [inst.demands[(site, s.index)] for site in inst.eligible[(reader.id, s.index)]]
        if sum(d.load_per_reader for d in demands) > inst.capacity(reader, s):
            return "reading capacity"
        if any(d.max_readers == 0 for d in demands):
            return "a site capped at no reader"
    if _minutes(inst, reader, mine)[0] + 1 > MAX_CELLS:
        return "too many units of working minutes"
    return None


def _shifts_of(inst: Instance, reader: Radiologist) -> list:
    """The shift instances `reader` is eligible for, in time order."""
    return [s for s in inst.shifts if (reader.id, s.index) in inst.eligible]


def _minutes(inst: Instance, reader: Radiologist, mine: list) -> tuple[int, int, int, bool]:
    """(top, bottom, unit, tracked): total working time in units of `unit` minutes may reach `top`
    and must reach `bottom`; not tracked when no minutes rule can bind (or no shift has minutes:
    bottom 1 then means that a positive minimum cannot be met)."""
    rules = inst.scenario.rules_for(reader)
    lo = round(rules.min_total_hours * 60) if rules.min_total_hours else 0
    hi = None if rules.max_total_hours is None else round(rules.max_total_hours * 60)
    unit = 0
    by_day: dict[int, int] = {}
    for s in mine:
        unit = math.gcd(unit, s.work_minutes)
        by_day[s.day] = max(by_day.get(s.day, 0), s.work_minutes)
    most = sum(by_day.values())
    if lo <= 0 and (hi is None or hi >= most):
        return 0, 0, 1, False
    if unit == 0:  # no shift has working minutes: only a positive minimum binds, and none meets it
        return 0, 1, 1, False
    return (most if hi is None else min(hi, most)) // unit, -(-lo // unit), unit, True


@dataclass(frozen=True)
class _Plan:
    """One kind of day's moves (source, target, slot, weekend, resource step), sorted by target
    state: `blocks` (target -> first, end) index them by target, `classes` (resource step, moves,
    their sources) group them by how they move the resources."""

    moves: list[tuple]
    blocks: dict[int, tuple[int, int]]
    classes: list[tuple[tuple[int, ...], np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Axis:
    """One resource of the path: what it counts ("units", "weekends" or a shift type index), how far
    it may go (size - 1) and where it must end at least."""

    what: str | int
    size: int
    bottom: int = 0


class DayPricing:
    """One reader's pricing by the path over days (see the module's doc)."""

    def __init__(self, inst: Instance, reader: Radiologist) -> None:
        rules = inst.scenario.rules_for(reader)
        weights = inst.scenario.objective
        self.n = n = len(inst.days)
        mine = _shifts_of(inst, reader)
        self.types = sorted({s.type_id for s in mine})
        tix = {t: k for k, t in enumerate(self.types)}
        followers = {t: frozenset() for t in self.types}
        for a, b in rules.forbidden_successions:
            if a in followers and b in tix:
                followers[a] = followers[a] | {b}
        groups = sorted(set(followers.values()), key=sorted)
        self.group_of = [groups.index(followers[t]) for t in self.types]
        self.forbidden = [frozenset(tix[b] for b in g) for g in groups]  # group -> type indices it forbids next
        # the own cost: a constant (every `want` request unmet) plus a coefficient per worked shift
        self.own = {s.index: weights.reader_shifts for s in mine}
        self.constant = 0
        by_day_type = {(s.day, s.type_id): s for s in mine}
        for req in reader.requests:
            for day in req.dates:
                if not inst.days[0] <= day <= inst.days[-1]:
                    continue
                d = inst.day_index(day)
                hits = [s for (dd, t), s in by_day_type.items() if dd == d and req.shift_type in (None, t)]
                if req.kind == "want":
                    self.constant += weights.requests * req.weight
                for s in hits:
                    self.own[s.index] += weights.requests * req.weight * (-1 if req.kind == "want" else 1)
        # the resources: working minutes, then weekends and per-type counts while the grid is small
        top, bottom, unit, tracked = _minutes(inst, reader, mine)
        axes = [_Axis("units", top + 1, bottom)]
        weekend_days = weekends(inst)
        n_weekends = len(weekend_days)
        cap = rules.max_weekends if rules.max_weekends is not None and rules.max_weekends < n_weekends else None
        counts = {t: sum(1 for s in mine if s.type_id == t) for t in self.types}
        # a per-type minimum above the shifts of that type the reader may work: no valid schedule
        self.impossible = any(
            (limit := inst.type_limit(reader, st.id)) is not None and (limit.min or 0) > counts.get(st.id, 0)
            for st in inst.scenario.shift_types)
        limits = {}  # type index -> (lower, upper or None) that can bind
        for t in self.types:
            limit = inst.type_limit(reader, t)
            if limit is not None:
                low = limit.min or 0
                high = limit.max if limit.max is not None and limit.max < counts[t] else None
                if low or high is not None:
                    limits[tix[t]] = (low, high)
        # relaxed resources, priced by multipliers kept from call to call: key -> (lower, upper)
        self.relaxed: dict[str | int, tuple[int, int | None]] = {}
        if cap is not None:
            if (top + 1) * (cap + 1) <= MAX_CELLS:
                axes.append(_Axis("weekends", cap + 1))
            else:
                self.relaxed["weekends"] = (0, cap)
        for t, (low, high) in sorted(limits.items(), key=lambda kv: (kv[1][1] is None, kv[1][1] or 0)):
            if high is not None and math.prod(a.size for a in axes) * (high + 1) <= MAX_CELLS:
                axes.append(_Axis(t, high + 1, low))
            else:
                self.relaxed[t] = (low, high)
        self.axes = axes
        self.shape = tuple(a.size for a in axes)
        self.weekend_axis = next((k for k, a in enumerate(axes) if a.what == "weekends"), None)
        self.type_axis = {a.what: k for k, a in enumerate(axes) if isinstance(a.what, int)}
        self.lam = {key: 0.0 for key in self.relaxed}  # multipliers of the upper limits
        self.mu = {key: 0.0 for key in self.relaxed}  # and of the lower ones
        self.last_bound = -INF  # the best bound of the last call to price
        # per day: (type index, shift index, resource step without weekends, sites)
        self.days: list[list[tuple[int, int, tuple[int, ...], tuple[str, ...]]]] = [[] for _ in range(n)]
        for s in mine:
            if 0 <= s.day < n:
                step = [0] * len(axes)
                if tracked:
                    step[0] = s.work_minutes // unit
                if tix[s.type_id] in self.type_axis:
                    step[self.type_axis[tix[s.type_id]]] = 1
                self.days[s.day].append((tix[s.type_id], s.index, tuple(step), inst.eligible[(reader.id, s.index)]))
        self.saturday, self.sunday_alone, self.sunday_after = set(), set(), set()
        for sat, sun in weekend_days:
            if sat is not None:
                self.saturday.add(sat)
            if sun is not None:
                (self.sunday_after if sat is not None else self.sunday_alone).add(sun)
        self.complete = rules.complete_weekends
        self.max_run = rules.max_consecutive_days
        self.min_run = rules.min_consecutive_days or 1
        self.min_off = rules.min_consecutive_days_off or 1
        self._states()

    # ---- the path's states -------------------------------------------------------------------
    def _states(self) -> None:
        """Work states (group of the last shift, run length, run began on day 0) and off states
        (run length, began on day 0); the day-0 flag only while the run is short of its minimum."""
        self.work_cap = self.max_run if self.max_run is not None else max(self.min_run, 1)
        self.off_cap = max(self.min_off, 1)
        self.states: list[tuple] = []
        for g in range(len(self.forbidden)):
            for w in range(1, self.work_cap + 1):
                for first in ((False, True) if w < self.min_run else (False,)):
                    self.states.append(("w", g, w, first))
        for o in range(1, self.off_cap + 1):
            for first in ((False, True) if o < self.min_off else (False,)):
                self.states.append(("o", o, first))
        self.index = {s: k for k, s in enumerate(self.states)}
        self._plans: dict[tuple, _Plan] = {}

    def _may_end_run(self, state: tuple) -> bool:
        if state[0] == "w":
            return state[2] >= self.min_run or state[3]
        return state[1] >= self.min_off or state[2]

    def _off_after(self, state: tuple | None) -> tuple | None:
        """The state after a day off from `state` (None: the start), None when a rule forbids it."""
        if state is None:
            return ("o", 1, 1 < self.min_off)
        if state[0] == "w":
            return ("o", 1, False) if self._may_end_run(state) else None
        o = min(state[1] + 1, self.off_cap)
        return ("o", o, state[2] and o < self.min_off)

    def _work_after(self, state: tuple | None, group: int) -> tuple | None:
        """The state after a shift of `group` from `state` (None: the start), None when a rule forbids it."""
        if state is None:
            return ("w", group, 1, 1 < self.min_run)
        if state[0] == "o":
            return ("w", group, 1, False) if self._may_end_run(state) else None
        _w, _g, w, first = state
        if self.max_run is not None and w + 1 > self.max_run:
            return None
        w = min(w + 1, self.work_cap)
        return ("w", group, w, first and w < self.min_run)

    def _weekend(self, kind: int, source: tuple | None) -> int:
        """1 when a shift on a day of this `kind` (see _kind) after `source` makes a weekend worked
        that was not yet."""
        return int(kind == 1 or (kind >= 2 and (source is None or source[0] == "o")))

    # ---- pricing -----------------------------------------------------------------------------
    def _kind(self, d: int) -> int:
        """How day `d` counts for weekends: 0 not at all, 1 Saturday or a Sunday alone, 2 a Sunday
        after a Saturday (3 when weekends must be complete)."""
        if d in self.saturday or d in self.sunday_alone:
            return 1
        if d in self.sunday_after:
            return 3 if self.complete else 2
        return 0

    def _step(self, slot: tuple | None, weekend: int) -> tuple[int, ...]:
        """How a move (its slot, None for a day off, and whether it makes a weekend worked) moves the resources."""
        if slot is None:
            return (0,) * len(self.shape)
        step = slot[1][1]
        if weekend and self.weekend_axis is not None:
            step = tuple(st + (j == self.weekend_axis) for j, st in enumerate(step))
        return step

    def _plan(self, d: int, cheapest: dict) -> _Plan:
        """The day's moves between states, from the shifts on offer (`cheapest`: after each group,
        and after no shift, the keys (group, step) of the shifts allowed)."""
        n_states = len(self.states)
        kind = self._kind(d)
        moves = []  # (source, target, slot: (after-group, key) or None for a day off, weekend step)
        for k, src in ([(n_states, None)] if d == 0 else list(enumerate(self.states))):
            if not (kind == 3 and src[0] == "w"):
                target = self._off_after(src)
                if target is not None:
                    moves.append((k, self.index[target], None, 0, self._step(None, 0)))
            if kind == 3 and src[0] == "o":
                continue
            after = src[1] if src is not None and src[0] == "w" else None
            weekend = self._weekend(kind, src)
            for key in cheapest[after]:
                target = self._work_after(src, key[0])
                if target is None:
                    continue
                step = self._step((after, key), weekend)
                if all(st < size for st, size in zip(step, self.shape, strict=True)):
                    moves.append((k, self.index[target], (after, key), weekend, step))
        moves.sort(key=lambda m: m[1])
        blocks, classes = {}, {}
        for m, (k, target, _slot, _weekend, step) in enumerate(moves):
            blocks[target] = (blocks.get(target, (m, m))[0], m + 1)
            classes.setdefault(step, ([], []))
            classes[step][0].append(m)
            classes[step][1].append(k)
        return _Plan(moves, blocks, [(step, np.array(j), np.array(k)) for step, (j, k) in classes.items()])

    def solve(self, multipliers: dict, paths: int = 1) -> tuple[float, list[tuple[float, list, dict]]] | None:
        """Minimise own cost - multipliers covered + the relaxed resources' prices over the paths:
        (the least value, with the relaxed resources' Lagrangian terms; the `paths` best paths
        ending in different states or resource cells, as (value, shifts as (shift index, sites
        covered), the relaxed resources' use)), best first; None when no path exists. All states
        of a day move at once: numpy arrays (state, resources...)."""
        shape, n_states = self.shape, len(self.states)
        lam, mu = self.lam, self.mu
        weekend_price = lam.get("weekends", 0.0) - mu.get("weekends", 0.0)
        values = np.full((n_states + 1, *shape), INF)  # the last state is the start, before day 0
        values[(n_states,) + (0,) * len(shape)] = 0.0
        ones = (1,) * len(shape)
        history = []  # per day: (plan, the shifts on offer, the moves' costs, the values before the day)
        for d in range(self.n):
            options = []  # the best cover of each shift today: (cost, type, shift, step, sites)
            for t, i, step, sites in self.days[d]:
                gains = [(multipliers.get((site, i), 0.0), site) for site in sites]
                covered = tuple(site for m, site in gains if m > 0)
                gain = sum(m for m, _site in gains if m > 0)
                if not covered:
                    gain, best = max(gains)
                    covered = (best,)
                options.append((self.own[i] - gain + lam.get(t, 0.0) - mu.get(t, 0.0), t, i, step, covered))
            # after each group (and after no shift), the cheapest allowed shift of each group and step
            cheapest: dict[int | None, dict[tuple, tuple]] = {}
            for g in (None, *range(len(self.forbidden))):
                banned = self.forbidden[g] if g is not None else frozenset()
                best_of: dict[tuple, tuple] = {}
                for option in options:
                    if option[1] not in banned:
                        key = (self.group_of[option[1]], option[3])
                        if key not in best_of or option[0] < best_of[key][0]:
                            best_of[key] = option
                cheapest[g] = best_of
            signature = (d == 0, self._kind(d), tuple(tuple(cheapest[g]) for g in cheapest))
            plan = self._plans.get(signature)
            if plan is None:
                plan = self._plans[signature] = self._plan(d, cheapest)
            cost = np.array([0.0 if slot is None else cheapest[slot[0]][slot[1]][0] + weekend_price * weekend
                             for _k, _t, slot, weekend, _step in plan.moves])
            candidates = np.full((len(plan.moves), *shape), INF)
            for step, moved, sources in plan.classes:
                into = (moved, *(slice(st, None) for st in step))
                frm = (sources, *(slice(0, size - st) for st, size in zip(step, shape, strict=True)))
                candidates[into] = values[frm] + cost[moved].reshape(-1, *ones)
            previous = values
            values = np.full((n_states + 1, *shape), INF)
            for target, (lo, hi) in plan.blocks.items():
                values[target] = candidates[lo] if hi - lo == 1 else candidates[lo:hi].min(axis=0)
            history.append((plan, cheapest, cost, previous))
        tail = values[(slice(0, n_states), *(slice(a.bottom, None) for a in self.axes))]
        if not tail.size or not np.isfinite(tail).any():
            return None
        constant = self.constant + sum(mu[key] * low - lam[key] * (high or 0)
                                       for key, (low, high) in self.relaxed.items())
        flat = tail.ravel()
        ends = np.argsort(flat)[:paths] if paths > 1 else [int(flat.argmin())]
        out = []
        for end in ends:
            if not np.isfinite(flat[end]):
                break
            at = np.unravel_index(int(end), tail.shape)
            cell = [int(c) + a.bottom for c, a in zip(at[1:], self.axes, strict=True)]
            value = float(flat[end])
            out.append((value + constant, *self._back(history, int(at[0]), cell, value)))
        return out[0][0], out

    def _back(self, history: list, k: int, cell: list[int], reached: float) -> tuple[list, dict]:
        """The path that ends in state `k` at resource `cell` with value `reached`: its shifts
        (shift index, sites covered) and its use of the relaxed resources."""
        shifts, used = [], dict.fromkeys(self.relaxed, 0)
        for d in range(self.n - 1, -1, -1):
            # the move that reached (k, cell) at `reached`: recomputed from the day before's values
            plan, cheapest, cost, previous = history[d]
            lo, hi = plan.blocks[k]
            for m in range(lo, hi):
                source, _target, slot, weekend, step = plan.moves[m]
                before = [c - st for c, st in zip(cell, step, strict=True)]
                if min(before) >= 0 and previous[(source, *before)] + cost[m] == reached:
                    break
            else:
                raise AssertionError("no move reaches the path's state")
            if slot is not None:
                _cost, t, i, _step, covered = cheapest[slot[0]][slot[1]]
                shifts.append((i, covered))
                if t in used:
                    used[t] += 1
                if weekend and "weekends" in used:
                    used["weekends"] += 1
            k, cell, reached = source, before, previous[(source, *before)]
        return shifts[::-1], used

    def price(self, multipliers: dict, dual: float = INF) -> tuple[list[tuple[frozenset, int]], float, bool] | None:
        """(schedules as (needs covered, own cost), lower bound of the reduced cost without the
        convexity `dual`, proven optimal). The relaxed resources' multipliers move by a subgradient
        step up to LAGRANGE_ITERATIONS times until the path keeps those limits with complementary
        slackness (then it is optimal; with nothing relaxed, at once); short of that, a valid
        schedule whose reduced cost beats `dual` is returned unproven, and None when there is
        none (price the reader otherwise). A reader without any valid path gets +inf."""
        if self.impossible:
            self.last_bound = INF
            return [], INF, True
        bound = self.last_bound = -INF
        best = None  # (reduced cost, column) of the best valid schedule seen
        for _ in range(LAGRANGE_ITERATIONS):
            solved = self.solve(multipliers, PATHS)
            if solved is None:
                return [], INF, True
            value, paths = solved
            bound = self.last_bound = max(bound, value)
            _value, shifts, used = paths[0]
            over = {key: used[key] - high for key, (_low, high) in self.relaxed.items() if high is not None}
            under = {key: low - used[key] for key, (low, _high) in self.relaxed.items() if low}
            if self._keeps(used):
                column, own, reduced = self._column(shifts, multipliers)
                if (all(self.lam[key] == 0 or v == 0 for key, v in over.items())
                        and all(self.mu[key] == 0 or v == 0 for key, v in under.items())):
                    # the next best paths too, where they keep the relaxed limits and improve
                    more = [self._column(other, multipliers) for _v, other, use in paths[1:] if self._keeps(use)]
                    return [(column, own), *((c, o) for c, o, r in more if r < dual - 1e-6)], bound, True
                if best is None or reduced < best[0]:
                    best = (reduced, (column, own))
            step = max(1.0, abs(value)) / max(1, self.n)
            for key, v in over.items():
                self.lam[key] = max(0.0, self.lam[key] + step * v)
            for key, v in under.items():
                self.mu[key] = max(0.0, self.mu[key] + step * v)
        if best is not None and best[0] < dual - 1e-6:
            return [best[1]], bound, False
        return None

    def _keeps(self, used: dict) -> bool:
        """True when a path's use of the relaxed resources keeps their limits."""
        return all(low <= used[key] and (high is None or used[key] <= high)
                   for key, (low, high) in self.relaxed.items())

    def _column(self, shifts: list, multipliers: dict) -> tuple[frozenset, int, float]:
        """A path as a column: (needs covered, own cost, reduced cost without the convexity dual)."""
        own = self.constant + sum(self.own[i] for i, _c in shifts)
        column = frozenset((site, i) for i, covered in shifts for site in covered)
        return column, own, own - sum(multipliers.get(key, 0.0) for key in column)
