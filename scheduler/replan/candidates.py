"""Candidates for an open shift: every reader ranked for one site's shift, with the cost and the reasons.

For a site's shift instance that is uncovered, or that a reader is about to release, each reader
who does not already cover it is tried: taking it gives them an assignment at the site (or adds
the site to the assignment they already have on that shift: remote reading, capacity permitting).
A candidate is `ok` when taking the shift breaks no hard rule the roster did not already break;
the others carry every reason, in words. `ok` readers come first, by the change in the objective
(cheapest first, then by name); then the others, fewest reasons first, then by name.

The verdict and the cost are the independent checker's (scheduler.check), computed locally so
that all readers of a month are ranked in milliseconds: every hard rule but the staffing cap
depends only on one reader's shifts, so it is run on a roster holding that reader alone (and
eligibility and capacity, which judge each assignment on its own, on the changed assignment); the
staffing cap, the uncovered, continuity and over-staffing terms depend only on who covers the
site on this shift and its neighbouring nights, so they are run on those covers alone; the
reader-shifts and requests terms are per-reader sums, and the fairness and workload terms are
recomputed from every reader's running total with the same share arithmetic. The property test in
tests/test_candidates.py holds this equal to re-checking the whole roster.

"Breaks a rule" compares the checker's violations of each rule for the reader (or, for the
staffing cap, the site's shift) before and after (scheduler.check.added_violations): a reader
below a minimum who takes the shift moves towards it, which is not a new break.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.check import added_violations
from scheduler.errors import InputError, Issue
from scheduler.instance import Demand, Instance, ShiftInstance, build_instance, fmt_date, reader_instance
from scheduler.result import Assignment, Roster, Violation
from scheduler.rules import (
    PER_READER_RULES,
    SOFT,
    capacity,
    continuity,
    coverage,
    eligibility,
    fairness,
    overstaffing,
    requests,
    rest,
    workload,
)
from scheduler.rules import reader_shifts as reader_shifts_rule
from scheduler.rules.base import RosterView
from scheduler.rules.share import evaluate_shares
from scheduler.scenario import Radiologist, Scenario

# rules whose every violation is about one assignment alone: checked on the changed assignment only
PER_ASSIGNMENT_RULES = (eligibility, capacity)
READER_TERMS = ("reader_shifts", "requests")  # objective terms that are sums over readers
SITE_TERMS = {"uncovered": coverage, "continuity": continuity, "overstaffing": overstaffing}

# short headings of the reasons, by the checker's rule name
HEADINGS = {
    "eligibility": "not eligible",
    "one_shift_per_day": "one shift a day",
    coverage.CAP: "staffing cap",
    "capacity": "capacity",
    rest.NAME: "rest",
    "max_consecutive_days": "consecutive days",
    "max_consecutive_nights": "consecutive nights",
    "days_off_after_nights": "days off after nights",
    "max_hours_rolling_7_days": "hours in 7 days",
    "total_hours": "total hours",
    "max_weekends": "weekends",
    "complete_weekends": "complete weekends",
    "forbidden_succession": "succession",
    "shift_limits": "per-type limit",
    "min_consecutive_days": "shortest working run",
    "min_consecutive_days_off": "shortest run of days off",
}


@dataclass(frozen=True)
class Candidate:
    """One reader tried on the open shift: may they take it, at what change in the objective, and why not.

    `cost` is the change in the weighted objective (negative: taking it improves the roster, as
    covering a missing reader does); `terms` the raw change of each objective term and `weighted`
    the same times its weight. `violations` are the checker's violations taking the shift adds,
    and `reasons` says each in words. `sites` is the reader's assignment on that shift once they
    take it; `joins` is True when they already work the shift at other sites.
    """

    reader: str
    name: str
    ok: bool
    cost: int
    terms: dict[str, int]
    weighted: dict[str, int]
    reasons: list[str]
    violations: list[Violation] = field(default_factory=list)
    sites: tuple[str, ...] = ()
    joins: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "reader": self.reader, "name": self.name, "ok": self.ok, "cost": self.cost, "terms": self.terms,
            "weighted": self.weighted, "reasons": self.reasons, "sites": list(self.sites), "joins": self.joins,
            "violations": [v.to_dict() for v in self.violations],
        }


@dataclass(frozen=True)
class OpenShift:
    """The shift asked about, resolved: its instance and need, and the roster once `releasing` gave it up."""

    inst: Instance
    site: str
    shift: ShiftInstance
    demand: Demand
    base: Roster  # the roster with the released cover removed (the roster itself when nothing is released)
    releasing: str | None
    covering: tuple[str, ...]  # readers covering the site on the shift in `base`

    def describe(self) -> str:
        """'CH Verdun, night of 13 Oct 2026 (18:30 to 08:30, Europe/Paris): 1 reader needed; covered by nobody'."""
        inst, s, d = self.inst, self.shift, self.demand
        tz = inst.scenario.planning_tz(inst.scenario.shift_type_by_id[s.type_id])
        subs = ", ".join(f"{n} {sub}" for sub, n in sorted(d.required_by_subspecialty.items()))
        need = f"{d.required} reader{'s' if d.required != 1 else ''} needed" + (f" ({subs})" if subs else "")
        who = ", ".join(inst.reader_name(r) for r in self.covering) or "nobody"
        text = f"{inst.site_name(self.site)}, {inst.describe_shift(s)} ({_span(s, tz)}): {need}; covered by {who}"
        if self.releasing:
            text += f" once {inst.reader_name(self.releasing)} releases it"
        return text


# ---- resolving the request -------------------------------------------------------------------------
def open_shift(
    scenario: Scenario | Instance, roster: Roster, site: str, shift_type: str, date: dt.date,
    *, releasing: str | None = None,
) -> OpenShift:
    """The open shift, or an InputError naming the argument (site, shift_type, date, releasing) that is wrong."""
    inst = scenario if isinstance(scenario, Instance) else build_instance(scenario)
    scen = inst.scenario
    issues: list[Issue] = []
    if site not in scen.site_by_id:
        issues.append(Issue("site", f"unknown site {site!r}; valid sites: {', '.join(s.id for s in scen.sites)}"))
    if shift_type not in scen.shift_type_by_id:
        issues.append(Issue("shift_type", f"unknown shift type {shift_type!r}; valid types: "
                                          f"{', '.join(t.id for t in scen.shift_types)}"))
    if not inst.days[0] <= date <= inst.days[-1]:
        issues.append(Issue("date", f"{date.isoformat()} is outside the horizon "
                                    f"({inst.days[0].isoformat()} to {inst.days[-1].isoformat()})"))
    if issues:
        raise InputError(issues)
    shift = inst.shift_by_key.get((shift_type, date))
    demand = inst.demands.get((site, shift.index)) if shift else None
    if shift is None or demand is None:
        dates = sorted(inst.shifts[i].date for (s, i) in inst.demands if s == site
                       and inst.shifts[i].type_id == shift_type)
        types = sorted({inst.shifts[i].type_id for (s, i) in inst.demands if s == site
                        and inst.shifts[i].date == date})
        hint = (f"it needs {inst.shifts_noun(shift_type)} on {_dates_text(dates)}" if dates
                else f"it needs no {inst.shifts_noun(shift_type)} in the horizon")
        if types:
            hint += f"; on {fmt_date(date)} it needs: {', '.join(types)}"
        raise InputError([Issue("site", f"{inst.site_name(site)} has no need on the "
                                        f"{inst.shift_label(shift_type)} of {fmt_date(date)}; {hint}")])
    base = roster
    if releasing is not None:
        base = _release(inst, roster, releasing, site, shift)
    covering = tuple(sorted({a.reader for a in base.assignments
                             if (a.shift_type, a.date) == (shift_type, date) and site in a.sites}))
    return OpenShift(inst, site, shift, demand, base, releasing, covering)


def _release(inst: Instance, roster: Roster, reader: str, site: str, shift: ShiftInstance) -> Roster:
    """`roster` without `reader` covering `site` on `shift` (their assignment dropped when no site is left)."""
    out, found = [], False
    for a in roster.assignments:
        if (a.reader, a.shift_type, a.date) == (reader, shift.type_id, shift.date) and site in a.sites:
            found = True
            a = a.model_copy(update={"sites": tuple(s for s in a.sites if s != site)})
            if not a.sites:
                continue
        out.append(a)
    if not found:
        who = sorted({a.reader for a in roster.assignments
                      if (a.shift_type, a.date) == (shift.type_id, shift.date) and site in a.sites})
        if reader in inst.scenario.radiologist_by_id:
            what = f"{inst.reader_name(reader)} does not cover"
        else:
            what = f"unknown reader {reader!r}; nobody by that id covers"
        now = ", ".join(who) if who else "nobody"
        raise InputError([Issue("releasing", f"{what} {inst.site_name(site)} on the {inst.describe_shift(shift)}; "
                                             f"covering it: {now}")])
    return Roster(assignments=tuple(out))


# ---- ranking -----------------------------------------------------------------------------------------
def rank_candidates(
    scenario: Scenario | Instance, roster: Roster, site: str, shift_type: str, date: dt.date,
    *, releasing: str | None = None,
) -> list[Candidate]:
    """Every reader who does not already cover `site` on the shift, ranked (see the module docstring).

    `releasing` names a reader giving the shift up: their cover of the site on it is removed
    first, and costs are counted from that roster. Readers already covering the site on the
    shift, and the releasing reader, are left out. Bad arguments raise an InputError.
    """
    return rank(open_shift(scenario, roster, site, shift_type, date, releasing=releasing))


def rank(shift: OpenShift, only: set[str] | None = None) -> list[Candidate]:
    """The candidates for a resolved open shift, ranked (among the readers in `only`, when given)."""
    inst = shift.inst
    weights = inst.scenario.objective
    base_view = RosterView(inst, shift.base)
    shares = _Shares(inst, base_view)
    site_terms = _SiteTerms(inst, shift)
    mine: dict[str, list[Assignment]] = {}
    for a in shift.base.assignments:
        mine.setdefault(a.reader, []).append(a)
    out = []
    for r in inst.readers:
        if r.id in shift.covering or r.id == shift.releasing or (only is not None and r.id not in only):
            continue
        before = mine.get(r.id, [])
        key = (r.id, shift.shift.type_id, shift.shift.date)
        current = next((a for a in before if (a.reader, a.shift_type, a.date) == key), None)
        sites = (*current.sites, shift.site) if current else (shift.site,)
        taken = Assignment(reader=r.id, shift_type=shift.shift.type_id, date=shift.shift.date, sites=sites)
        after = [a for a in before if a is not current] + [taken]
        local = reader_instance(inst, r)
        v0 = RosterView(local, Roster(assignments=tuple(before)))
        v1 = RosterView(local, Roster(assignments=tuple(after)))
        one0 = RosterView(local, Roster(assignments=(current,) if current else ()))
        one1 = RosterView(local, Roster(assignments=(taken,)))
        was, now = [], []
        for m in PER_READER_RULES:  # in the checker's order
            b, a = (one0, one1) if m in PER_ASSIGNMENT_RULES else (v0, v1)
            was += m.check(b)
            now += m.check(a)
        added = added_violations(was, now)
        cap = site_terms.cap_added(r.id)
        terms = {name: 0 for name, _ in SOFT}
        terms["reader_shifts"] = reader_shifts_rule.evaluate(v1) - reader_shifts_rule.evaluate(v0)
        terms["requests"] = requests.evaluate(v1) - requests.evaluate(v0)
        terms.update(shares.delta(r.id, v1))
        terms.update(site_terms.delta(r.id))
        weighted = {name: value * getattr(weights, name) for name, value in terms.items()}
        violations = added + cap
        out.append(Candidate(
            reader=r.id, name=r.display, ok=not violations, cost=sum(weighted.values()), terms=terms,
            weighted=weighted, reasons=_reasons(shift, r, v0, added, cap), violations=violations,
            sites=sites, joins=current is not None,
        ))
    return sorted(out, key=lambda c: (0, c.cost, c.name, c.reader) if c.ok else (1, len(c.reasons), c.name, c.reader))


class _Shares:
    """Fairness and workload: per-reader totals of the roster, re-shared with one reader's total changed."""

    def __init__(self, inst: Instance, view: RosterView) -> None:
        self.inst = inst
        past_b, past_m = fairness.base(inst), workload.base(inst)
        self.burden = {rid: b + sum(s.burden for s in view.shifts(rid)) for rid, b in past_b.items()}
        self.minutes = {rid: m + sum(s.work_minutes for s in view.shifts(rid)) for rid, m in past_m.items()}
        self.past_b, self.past_m = past_b, past_m
        self.fair0 = self._fair(self.burden)
        self.work0 = self._work(self.minutes)

    def _fair(self, totals: dict[str, int]) -> int:
        return sum(dev for _, dev in evaluate_shares(self.inst, totals, fairness.SCALE, 1).values())

    def _work(self, totals: dict[str, int]) -> int:
        return sum(dev for _, dev in evaluate_shares(self.inst, totals, 1, workload.UNIT_MINUTES).values())

    def delta(self, rid: str, view: RosterView) -> dict[str, int]:
        burden = {**self.burden, rid: self.past_b[rid] + sum(s.burden for s in view.shifts(rid))}
        minutes = {**self.minutes, rid: self.past_m[rid] + sum(s.work_minutes for s in view.shifts(rid))}
        return {"fairness": self._fair(burden) - self.fair0, "workload": self._work(minutes) - self.work0}


class _SiteTerms:
    """The staffing cap and the site-level terms, on the covers of the site on this shift and its neighbours.

    Each of these depends only on who covers (site, shift) for the shifts involved, so the checker's
    own functions run on an instance holding just those needs, and a roster holding just those covers.
    """

    def __init__(self, inst: Instance, shift: OpenShift) -> None:
        s = shift.shift
        keys = [(shift.site, s.index)]
        for step in (-1, 1):  # continuity pairs this shift with the same type's nights either side
            other = inst.shift_by_key.get((s.type_id, s.date + dt.timedelta(days=step)))
            if other is not None and (shift.site, other.index) in inst.demands:
                keys.append((shift.site, other.index))
        self.inst = Instance(
            scenario=inst.scenario, days=inst.days, shifts=inst.shifts, demands={k: inst.demands[k] for k in keys},
            planning_holidays=inst.planning_holidays, site_holidays=inst.site_holidays, history=inst.history,
        )
        self.inst.__dict__["shift_by_key"] = inst.shift_by_key
        self.shift = shift
        wanted = {(inst.shifts[i].type_id, inst.shifts[i].date) for _, i in keys}
        self.covers = tuple(
            Assignment(reader=a.reader, shift_type=a.shift_type, date=a.date, sites=(shift.site,))
            for a in shift.base.assignments if shift.site in a.sites and (a.shift_type, a.date) in wanted
        )
        self.view0 = RosterView(self.inst, Roster(assignments=self.covers))
        self.terms0 = {name: m.evaluate(self.view0) for name, m in SITE_TERMS.items()}
        self.cap0 = coverage.check(self.view0)
        self._after: dict[str, RosterView] = {}

    def _view(self, rid: str) -> RosterView:
        if rid not in self._after:
            s = self.shift.shift
            taken = Assignment(reader=rid, shift_type=s.type_id, date=s.date, sites=(self.shift.site,))
            self._after[rid] = RosterView(self.inst, Roster(assignments=(*self.covers, taken)))
        return self._after[rid]

    def delta(self, rid: str) -> dict[str, int]:
        view = self._view(rid)
        return {name: m.evaluate(view) - self.terms0[name] for name, m in SITE_TERMS.items()}

    def cap_added(self, rid: str) -> list[Violation]:
        return added_violations(self.cap0, coverage.check(self._view(rid)))


# ---- words -------------------------------------------------------------------------------------------
def _reasons(shift: OpenShift, r: Radiologist, before: RosterView, added: list[Violation],
             cap: list[Violation]) -> list[str]:
    """Every added violation in words, `heading: what` (rest and overlaps seen from this shift)."""
    inst = shift.inst
    out = []
    rest_words = _rest_words(shift, r, before) if any(v.rule == rest.NAME for v in added) else []
    if len(rest_words) != sum(v.rule == rest.NAME for v in added):
        rest_words = []  # cannot happen (see _rest_words); fall back to the checker's words
    for v in added:
        if v.rule == rest.NAME and rest_words:
            out.append(rest_words.pop(0))
        elif v.rule == "one_shift_per_day":
            others = [s for s in before.shifts(r.id) if s.date == shift.shift.date]
            what = " and the ".join(f"{inst.describe_shift(s)} ({_span(s, ZoneInfo(r.timezone))})" for s in others)
            out.append(f"{HEADINGS[v.rule]}: already works the {what}")
        else:
            text = _without_name(v.message, r.display)
            if v.rule == "eligibility" and v.site == shift.site:  # 'covers X on the night of ... but <reason>'
                text = text.split(" but ", 1)[-1]
            out.append(f"{HEADINGS.get(v.rule, v.rule)}: {text}")
    demand = shift.demand
    for _v in cap:  # at most one: the site's cap on this shift
        n = len(shift.covering)
        out.append(f"{HEADINGS[coverage.CAP]}: {inst.site_name(shift.site)} already has {n} reader{'s' * (n != 1)} "
                   f"on this shift; at most {demand.max_readers} allowed")
    return out


def _rest_words(shift: OpenShift, r: Radiologist, before: RosterView) -> list[str]:
    """The rest conflicts this shift brings, in the checker's order, in words and the reader's own zone.

    The checker flags each pair of shifts too close together; the pairs that are new are exactly
    those involving this shift, since the pairs among the reader's other shifts do not change.
    """
    inst, this = shift.inst, shift.shift
    if any(s.index == this.index for s in before.shifts(r.id)):
        return []
    rules = inst.scenario.rules_for(r)
    tz = ZoneInfo(r.timezone)
    out = []
    for a, b in rest.conflicts(rules, [*before.with_history(r.id), this]):
        if (a is not this and b is not this) or (a.day < 0 and b.day < 0):
            continue
        other = b if a is this else a
        need = rest.required_rest(rules, a).total_seconds() / 3600
        gap = (b.start - a.end).total_seconds() / 3600
        if gap < 0:
            out.append(f"overlap: already works the {inst.describe_shift(other)} ({_span(other, tz)}), "
                       "which overlaps this shift")
        elif a is this:
            out.append(f"rest: this shift ends at {_clock(this.end, tz, this.date)}, {gap:.1f} h before the "
                       f"{inst.describe_shift(b)} starts; {need:g} h required")
        else:
            out.append(f"rest: the {inst.describe_shift(a)} ends at {_clock(a.end, tz, a.date)}, {gap:.1f} h "
                       f"before this shift starts; {need:g} h required")
    return out


def _clock(moment: dt.datetime, tz: ZoneInfo, day: dt.date) -> str:
    """'08:30 (Europe/Paris)'; with the date when it is not the shift's date or the next one."""
    local = moment.astimezone(tz)
    when = f"{local:%H:%M}"
    if local.date() not in (day, day + dt.timedelta(days=1)):
        when += f" on {fmt_date(local.date())}"
    return f"{when} ({tz.key})"


def _span(s: ShiftInstance, tz: ZoneInfo) -> str:
    """'18:30 to 08:30, Europe/Paris': a shift's local start and end."""
    return f"{s.start.astimezone(tz):%H:%M} to {s.end.astimezone(tz):%H:%M}, {tz.key}"


def _without_name(message: str, name: str) -> str:
    for head in (f"{name}: ", f"{name} "):
        if message.startswith(head):
            return message[len(head):]
    return message


def _dates_text(dates: list[dt.date]) -> str:
    shown = ", ".join(d.isoformat() for d in dates[:10])
    return shown + (f" and {len(dates) - 10} more" if len(dates) > 10 else "")
