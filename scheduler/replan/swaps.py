"""Shift swaps and give-aways between readers, on a published roster, approved by a coordinator.

Reader A proposes to swap a shift with reader B (A's shift goes to B, B's to A, each keeping its
sites) or to give one away (to B, or to whoever volunteers). The roster that would result is
built on the period's latest published version and judged by the independent checker: the hard
rules broken, for A and for B separately, and the change of every objective term for the whole
roster and for A and B (fairness, hours, requests met). A coordinator approves (which publishes a
new version, checked again on the then latest version) or rejects with a reason. Every step is a
store write with its audit entry; the functions here only decide what to write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduler.check import check
from scheduler.instance import Instance, build_instance, fmt_date, make_shift
from scheduler.replan.published import latest_published
from scheduler.result import Assignment, CheckReport, Roster
from scheduler.rules import SOFT, fairness, requests, workload
from scheduler.rules.base import RosterView
from scheduler.scenario import Request, Scenario
from scheduler.store import ConcurrencyError, PublishOutcome, Store, StoreError
from scheduler.store.db import now_utc
from scheduler.store.records import Period, PublishedVersion
from scheduler.store.swaps import ShiftRequestRef, SwapKind, SwapRequest, SwapStatus, held, mismatches

APPROVE_ATTEMPTS = 3  # re-validations when other versions are published during an approval

TERM_UNITS = {
    "uncovered": "missing readers x site priority",
    "reader_shifts": "reader shifts",
    "fairness": "tenths of a burden point away from FTE shares",
    "requests": "weight of requests not honoured",
    "workload": "tenths of an hour away from FTE shares",
    "continuity": "reader changes on consecutive nights",
    "overstaffing": "readers beyond the need",
}


class SwapError(StoreError):
    """A swap request was refused in words (what is wrong, what would do)."""


class SwapRefused(SwapError):
    """The swap would break hard rules, so it cannot be approved as it stands."""


class SwapSuperseded(SwapError):
    """The period moved on and the shifts are no longer as proposed; the request is closed."""


# ---- the period as published ---------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodState:
    """A period's latest published version, with its scenario (history refreshed from the store)."""

    version: PublishedVersion
    scenario: Scenario
    inst: Instance
    roster: Roster


def period_state(store: Store, period: Period) -> PeriodState:
    """The latest published version of `period`; each reader's history is re-read from the store,
    so rest and run rules at the period's start are checked against what is published before it."""
    base = latest_published(store, period, purpose="swap", error=SwapError)
    return PeriodState(base.version, base.scenario, build_instance(base.scenario), base.roster)


def period_containing(store: Store, day: dt.date) -> Period:
    """The published period whose dates include `day`."""
    periods = store.periods()
    for p in periods:
        if p.start <= day <= p.end:
            return p
    known = ", ".join(p.key for p in periods) or "none"
    raise SwapError(f"no published period includes {day.isoformat()}; published periods: {known}")


def shifts_of(roster: Roster, reader: str) -> list[Assignment]:
    """The reader's assignments in time order (what they may offer)."""
    return sorted((a for a in roster.assignments if a.reader == reader), key=lambda a: (a.date, a.shift_type))


# ---- words ---------------------------------------------------------------------------------------
def reader_name(inst: Instance, reader: str | None) -> str:
    return "anyone who volunteers" if reader is None else inst.reader_name(reader)


def _ref_words(inst: Instance, ref: ShiftRequestRef) -> str:
    return inst.shift_words(ref.shift_type, ref.date, ref.sites)


def describe(inst: Instance, request: SwapRequest) -> str:
    """The request in one sentence."""
    a = reader_name(inst, request.reader_a)
    if request.kind is SwapKind.swap:
        return (f"{a} swaps the {_ref_words(inst, request.shift_a)} with {reader_name(inst, request.reader_b)}'s "
                f"{_ref_words(inst, request.shift_b)}")
    return f"{a} gives the {_ref_words(inst, request.shift_a)} to {reader_name(inst, request.reader_b)}"


def _request_words(inst: Instance, reader: str, req: Request, day: dt.date) -> str:
    shift = f"the {inst.shift_label(req.shift_type)} shift" if req.shift_type else "a shift"
    if req.kind == "want":
        return f"{reader_name(inst, reader)} wanted {shift} on {fmt_date(day)} (weight {req.weight})"
    off = f"the {inst.shift_label(req.shift_type)} shift" if req.shift_type else "any shift"
    return f"{reader_name(inst, reader)} asked not to work {off} on {fmt_date(day)} (weight {req.weight})"


# ---- the roster a request produces ---------------------------------------------------------------
def _moves(request: SwapRequest) -> list[tuple[str, ShiftRequestRef, str]]:
    """(from reader, shift, to reader) for each shift the request moves."""
    if request.reader_b is None:
        raise SwapError(f"{request.subject} is an open give-away: nobody has volunteered for it yet")
    moves = [(request.reader_a, request.shift_a, request.reader_b)]
    if request.kind is SwapKind.swap:
        moves.append((request.reader_b, request.shift_b, request.reader_a))
    return moves


def apply(roster: Roster, request: SwapRequest) -> Roster:
    """The roster with the request's shifts moved (sites kept). A reader who already works the shift
    instance they receive covers both sets of sites in it (remote reading; capacity is checked)."""
    moves = _moves(request)
    taken = {(frm, ref.shift_type, ref.date) for frm, ref, _to in moves}
    originals = {(a.reader, a.shift_type, a.date): a for a in roster.assignments}
    for key in taken:
        if key not in originals:
            raise SwapError(f"{key[0]} does not work the {key[1]} shift of {key[2].isoformat()} in this roster")
    kept = {k: a for k, a in originals.items() if k not in taken}
    for frm, ref, to in moves:
        key = (to, ref.shift_type, ref.date)
        locked = originals[(frm, ref.shift_type, ref.date)].locked
        if key in kept:
            old = kept[key]
            sites = old.sites + tuple(s for s in ref.sites if s not in old.sites)
            kept[key] = old.model_copy(update={"sites": sites, "locked": old.locked or locked})
        else:
            kept[key] = Assignment(reader=to, shift_type=ref.shift_type, date=ref.date, sites=ref.sites,
                                   locked=locked)
    return Roster(assignments=tuple(kept.values())).sorted()


# ---- judging it ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermChange:
    """One objective term before and after, raw (in its unit) and weighted."""

    name: str
    before: int
    after: int
    weight: int

    @property
    def delta(self) -> int:
        return self.after - self.before

    def words(self) -> str:
        trend = "better" if self.delta < 0 else "worse"
        return (f"{self.name}: {self.before:,} -> {self.after:,} {TERM_UNITS.get(self.name, '')} "
                f"({self.delta:+,}, {trend}; weighted {self.delta * self.weight:+,})")


@dataclass(frozen=True)
class ReaderImpact:
    """What the request changes for one reader (A or B)."""

    reader: str
    name: str
    shifts: tuple[int, int]  # shifts this period, before and after
    burden: tuple[int, int]  # burden points this period
    burden_share: tuple[float, float]  # their FTE share of the group's burden (history included)
    fairness_gap: tuple[int, int]  # distance from that share, tenths of a point (the fairness term's part)
    hours: tuple[float, float]  # working hours this period
    workload_gap: tuple[int, int]  # distance from their share of hours, tenths of an hour
    requests_met: tuple[str, ...]  # requests that become honoured, in words
    requests_unmet: tuple[str, ...]  # requests that stop being honoured

    def lines(self) -> list[str]:
        out = [
            f"{self.name}: {self.shifts[0]} -> {self.shifts[1]} shifts; burden {self.burden[0]} -> {self.burden[1]} "
            f"points (fair share {self.burden_share[1]:.1f} with history; gap {self.fairness_gap[0] / 10:.1f} -> "
            f"{self.fairness_gap[1] / 10:.1f} points); hours {self.hours[0]:.1f} -> {self.hours[1]:.1f} "
            f"(gap to share {self.workload_gap[0] / 10:.1f} -> {self.workload_gap[1] / 10:.1f} h)"
        ]
        out += [f"  request now met: {t}" for t in self.requests_met]
        out += [f"  request no longer met: {t}" for t in self.requests_unmet]
        return out


@dataclass
class SwapAssessment:
    """The checker's verdict on the roster a request produces, and its impact, in words."""

    request: SwapRequest
    version: PublishedVersion  # the version it was judged on (the period's latest)
    description: str
    mismatches: list[str]  # non-empty: the shifts are no longer as proposed; nothing else was judged
    roster: Roster | None = None
    violations_a: list[str] = field(default_factory=list)
    violations_b: list[str] = field(default_factory=list)
    violations_other: list[str] = field(default_factory=list)
    eligibility: list[str] = field(default_factory=list)
    terms: list[TermChange] = field(default_factory=list)
    objective: tuple[int, int] = (0, 0)
    uncovered: tuple[int, int] = (0, 0)  # reader slots missing, before and after
    readers: list[ReaderImpact] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        """The period moved on since the proposal (it was judged on a later version)."""
        return self.version.number != self.request.base_number

    @property
    def violations(self) -> list[str]:
        return self.violations_a + self.violations_b + self.violations_other

    @property
    def approvable(self) -> bool:
        return not self.mismatches and not self.request.is_open and not self.violations

    def blocking(self) -> list[str]:
        """Why it cannot be approved now, in words (empty: it can)."""
        if self.mismatches:
            return [f"the shifts are no longer as proposed in version {self.version.number}: "
                    + "; ".join(self.mismatches)]
        if self.request.is_open:
            return ["nobody has volunteered for this give-away yet"]
        if self.violations:
            return [f"it breaks {len(self.violations)} hard rule(s): " + "; ".join(self.violations)]
        return []

    def lines(self) -> list[str]:
        """The whole verdict in words, for the CLI and the app."""
        r, v = self.request, self.version
        out = [self.description + "."]
        against = f"checked on version {v.number} of {r.period}"
        if self.stale:
            against += f" (proposed against version {r.base_number}; the period has moved on since)"
        out.append(against + ".")
        if self.mismatches:
            out.append("The shifts are no longer as proposed:")
            out += [f"  - {m}" for m in self.mismatches]
            return out
        if r.is_open:
            out.append("Open give-away: nobody has volunteered yet; it is judged once a reader takes it.")
            return out
        out.append("Eligibility:")
        out += [f"  - {e}" for e in self.eligibility]
        names = {impact.reader: impact.name for impact in self.readers}
        for who, found in ((r.reader_a, self.violations_a), (r.reader_b, self.violations_b)):
            name = names.get(who, who)
            if found:
                out.append(f"Hard rules broken for {name} ({len(found)}):")
                out += [f"  - {m}" for m in found]
            else:
                out.append(f"No hard rule broken for {name}.")
        if self.violations_other:
            out.append(f"Other hard rules broken ({len(self.violations_other)}):")
            out += [f"  - {m}" for m in self.violations_other]
        out.append("Verdict: " + ("can be approved." if self.approvable else "cannot be approved: "
                                  + "; ".join(self.blocking())))
        changed = [t for t in self.terms if t.delta]
        delta = self.objective[1] - self.objective[0]
        out.append(f"Impact on the whole roster: objective {self.objective[0]:,} -> {self.objective[1]:,} "
                   f"({delta:+,}); uncovered reader slots {self.uncovered[0]} -> {self.uncovered[1]}.")
        out += [f"  - {t.words()}" for t in changed]
        same = [t.name for t in self.terms if not t.delta]
        if same:
            out.append(f"  - unchanged: {', '.join(same)}")
        out.append("Impact on the readers:")
        out += [f"  {line}" for impact in self.readers for line in impact.lines()]
        return out


def _reader_impact(inst: Instance, reader: str, before: RosterView, after: RosterView) -> ReaderImpact:
    fb, fa = fairness.per_reader(before)[reader], fairness.per_reader(after)[reader]
    wb, wa = workload.per_reader(before)[reader], workload.per_reader(after)[reader]
    r = inst.scenario.radiologist_by_id[reader]
    pairs = list(zip(requests.outcomes(before, r), requests.outcomes(after, r), strict=True))  # same order
    met = tuple(_request_words(inst, reader, req, day) for (_, _, was), (req, day, ok) in pairs if ok and not was)
    unmet = tuple(_request_words(inst, reader, req, day) for (_, _, was), (req, day, ok) in pairs if was and not ok)
    return ReaderImpact(
        reader=reader,
        name=r.display,
        shifts=(len(before.shifts(reader)), len(after.shifts(reader))),
        burden=(int(fb["this_horizon"]), int(fa["this_horizon"])),
        burden_share=(fb["share"], fa["share"]),
        fairness_gap=(int(fb["deviation_tenths"]), int(fa["deviation_tenths"])),
        hours=(wb["this_horizon_hours"], wa["this_horizon_hours"]),
        workload_gap=(int(wb["deviation_tenths"]), int(wa["deviation_tenths"])),
        requests_met=met,
        requests_unmet=unmet,
    )


def _eligibility(inst: Instance, request: SwapRequest) -> list[str]:
    """For each site of each moved shift: may the receiving reader cover it (licence, privileges, subspecialty)?"""
    out = []
    for _frm, ref, to in _moves(request):
        reader = inst.scenario.radiologist_by_id[to]
        shift = inst.shift_by_key.get((ref.shift_type, ref.date))
        for site in ref.sites:
            demand = inst.demands.get((site, shift.index)) if shift else None
            where = f"{inst.site_name(site) if site in inst.scenario.site_by_id else site} on the " \
                    f"{inst.shift_words(ref.shift_type, ref.date)}"
            if demand is None:
                out.append(f"{reader.display} may not cover {where}: the site has no need then")
                continue
            reasons = inst.ineligibility_reasons(reader, shift, demand)
            out.append(f"{reader.display} may cover {where}" if not reasons
                       else f"{reader.display} may not cover {where}: {'; '.join(reasons)}")
    return out


def _violation_lists(before: CheckReport, after: CheckReport, a: str, b: str) -> tuple[list[str], ...]:
    existing = {v.message for v in before.violations}
    lists: dict[str, list[str]] = {a: [], b: [], "": []}
    for v in after.violations:
        text = v.message + (" (already so before the swap)" if v.message in existing else "")
        lists[v.reader if v.reader in (a, b) else ""].append(text)
    return lists[a], lists[b], lists[""]


def assess(state: PeriodState, request: SwapRequest) -> SwapAssessment:
    """Judge `request` on the period's state: the checker on the resulting roster, per reader, and the impact."""
    inst = state.inst
    out = SwapAssessment(request=request, version=state.version, description=describe(inst, request),
                         mismatches=mismatches(inst, state.roster, request))
    if out.mismatches or request.is_open:
        return out
    roster = apply(state.roster, request)
    before, after = check(inst, state.roster), check(inst, roster)
    out.roster = roster
    out.violations_a, out.violations_b, out.violations_other = _violation_lists(
        before, after, request.reader_a, request.reader_b)
    out.eligibility = _eligibility(inst, request)
    weights = inst.scenario.objective
    out.terms = [TermChange(name, before.terms[name], after.terms[name], getattr(weights, name)) for name, _ in SOFT]
    out.objective = (before.objective, after.objective)
    out.uncovered = (sum(u.missing for u in before.uncovered), sum(u.missing for u in after.uncovered))
    vb, va = RosterView(inst, state.roster), RosterView(inst, roster)
    out.readers = [_reader_impact(inst, rid, vb, va) for rid in (request.reader_a, request.reader_b)]
    return out


def assess_stored(store: Store, request_id: int) -> SwapAssessment:
    """Judge a stored request on its period's latest version."""
    request = store.swap_request(request_id)
    return assess(period_state(store, request.period), request)


# ---- the steps -----------------------------------------------------------------------------------
def _known_reader(inst: Instance, reader: str, what: str) -> None:
    if reader not in inst.scenario.radiologist_by_id:
        ids = sorted(inst.scenario.radiologist_by_id)
        sample = ", ".join(ids[:12]) + (" ..." if len(ids) > 12 else "")
        raise SwapError(f"{what}: no reader {reader!r} in this period's scenario; readers: {sample}")


def _starts(inst, ref: ShiftRequestRef) -> dt.datetime:
    """When the shift a request names starts (UTC)."""
    shift = inst.shift_by_key.get((ref.shift_type, ref.date))
    if shift is not None:
        return shift.start
    scen = inst.scenario
    return make_shift(scen, scen.shift_type_by_id[ref.shift_type], ref.date, -1, inst.planning_holidays).start


def _held_ref(state: PeriodState, reader: str, shift_type: str, day: dt.date, what: str) -> ShiftRequestRef:
    inst = state.inst
    _known_reader(inst, reader, what)
    found = held(state.roster, reader, shift_type, day)
    if found is None:
        mine = shifts_of(state.roster, reader)
        listed = "; ".join(f"{a.shift_type} {a.date.isoformat()}" for a in mine[:15]) or "none"
        raise SwapError(f"{what}: {reader_name(inst, reader)} does not work a {shift_type} shift on "
                        f"{day.isoformat()} in version {state.version.number} of {state.version.period}; "
                        f"their shifts: {listed}")
    return ShiftRequestRef(found.shift_type, found.date, tuple(found.sites))


def draft(
    state: PeriodState,
    *,
    kind: SwapKind,
    reader_a: str,
    shift_type: str,
    day: dt.date,
    reader_b: str | None = None,
    their_shift_type: str | None = None,
    their_day: dt.date | None = None,
    by: str,
    now: dt.datetime | None = None,
) -> SwapRequest:
    """The request A would make on `state` (not stored, id 0), its sites read from the roster: judge it
    with `assess` before proposing. Refused in words when it names shifts the readers do not work."""
    if kind is SwapKind.swap and (reader_b is None or their_shift_type is None or their_day is None):
        raise SwapError("a swap names the other reader and their shift (type and date)")
    if kind is SwapKind.give_away and (their_shift_type is not None or their_day is not None):
        raise SwapError("a give-away moves only your shift; give the other reader's shift only for a swap")
    if reader_b is not None and reader_b == reader_a:
        raise SwapError(f"{reader_a} cannot swap with or give a shift to themselves; name another reader")
    shift_a = _held_ref(state, reader_a, shift_type, day, "your shift")
    if reader_b is not None:
        _known_reader(state.inst, reader_b, "the other reader")
    shift_b = _held_ref(state, reader_b, their_shift_type, their_day, "their shift") if kind is SwapKind.swap else None
    now = now or now_utc()
    for what, ref in (("your shift", shift_a), ("their shift", shift_b)):
        if ref is not None and _starts(state.inst, ref) <= now:
            label = state.inst.shift_label(ref.shift_type)
            raise SwapError(f"{what}, the {label} of {fmt_date(ref.date)}, has already started; only shifts "
                            "still to come can be swapped or given away")
    return SwapRequest(
        id=0, period=state.version.period, base_number=state.version.number, kind=kind, reader_a=reader_a,
        shift_a=shift_a, reader_b=reader_b, shift_b=shift_b, proposed_by=by, proposed_at=now or now_utc(),
        status=SwapStatus.proposed, decided_by=None, decided_at=None, reason="", published_number=None,
    )


def propose(
    store: Store,
    *,
    period: Period,
    kind: SwapKind,
    reader_a: str,
    shift_type: str,
    day: dt.date,
    reader_b: str | None = None,
    their_shift_type: str | None = None,
    their_day: dt.date | None = None,
    by: str,
    now: dt.datetime | None = None,
) -> SwapRequest:
    """Record A's proposal against the period's latest version (its sites read from there).

    A swap names B and B's shift; a give-away names B or leaves it open to volunteers. What the
    proposal would break is not a reason to refuse recording it: `assess` says, and approval refuses.
    """
    for _attempt in range(APPROVE_ATTEMPTS):
        state = period_state(store, period)
        d = draft(state, kind=kind, reader_a=reader_a, shift_type=shift_type, day=day, reader_b=reader_b,
                  their_shift_type=their_shift_type, their_day=their_day, by=by, now=now)
        try:
            return store.propose_swap(period=period, base_number=d.base_number, kind=kind, reader_a=reader_a,
                                      shift_a=d.shift_a, reader_b=reader_b, shift_b=d.shift_b, by=by, now=now)
        except ConcurrencyError:
            continue  # a version was published meanwhile: read it and propose against it
    raise SwapError(f"{period}: new versions kept being published while proposing; try again")


def volunteer(store: Store, request_id: int, reader: str, *, by: str, now: dt.datetime | None = None) -> SwapRequest:
    """`reader` takes an open give-away, which becomes a proposal to give the shift to them."""
    request = store.swap_request(request_id)
    _known_reader(period_state(store, request.period).inst, reader, "volunteer")
    return store.volunteer_for_swap(request_id, reader, by=by, now=now)


@dataclass(frozen=True)
class Approval:
    """An approved request, the version it published, and the verdict it was approved on."""

    request: SwapRequest
    outcome: PublishOutcome
    assessment: SwapAssessment


def approve(store: Store, request_id: int, *, by: str, now: dt.datetime | None = None) -> Approval:
    """Re-judge the request on the latest version and, if nothing breaks, publish the result.

    A request whose shifts are no longer as proposed is marked superseded (SwapSuperseded); one
    breaking a hard rule stays proposed and is refused (SwapRefused). The publication uses the
    judged version as its base and records the approval in the same transaction, so when two
    coordinators approve at once only one publishes; after a version published meanwhile, the
    request is judged again on it.
    """
    for _attempt in range(APPROVE_ATTEMPTS):
        request = store.pending_swap_request(request_id)
        if request.is_open:
            raise SwapError(f"{request.subject} is an open give-away: nobody has volunteered for it yet, so there "
                            "is nothing to approve")
        state = period_state(store, request.period)
        moment = now or now_utc()
        started = [ref for ref in (request.shift_a, request.shift_b)
                   if ref is not None and _starts(state.inst, ref) <= moment]
        if started:
            label = state.inst.shift_label(started[0].shift_type)
            raise SwapRefused(f"{request.subject} was not approved: the {label} of {fmt_date(started[0].date)} "
                              "has already started. Reject it with a reason.")
        verdict = assess(state, request)
        if verdict.mismatches:
            reason = (f"version {state.version.number} no longer has the shifts as proposed: "
                      + "; ".join(verdict.mismatches))
            store.supersede_swap(request_id, by=by, reason=reason, now=now)
            raise SwapSuperseded(f"{request.subject} was superseded, not approved: {reason}. Propose it again on "
                                 f"version {state.version.number} if it still makes sense.")
        if not verdict.approvable:
            raise SwapRefused(f"{request.subject} was not approved: " + "; ".join(verdict.blocking())
                              + ". Reject it with a reason, or let the readers propose something else.")
        note = f"{request.subject} approved by {by}: {verdict.description}"
        try:
            outcome = store.publish_swap(request_id, state.scenario, verdict.roster, by=by,
                                         base_number=state.version.number, note=note, now=now)
        except ConcurrencyError:
            continue  # someone published meanwhile: judge again on their version
        return Approval(store.swap_request(request_id), outcome, verdict)
    raise SwapError(f"swap #{request_id}: new versions kept being published while approving; try again")
