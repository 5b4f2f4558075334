"""Seeded generators of the three benchmark scale tiers (S, M, L) of the performance issue.

    .venv/bin/python benchmarks/tiers.py S                       # summary line only
    .venv/bin/python benchmarks/tiers.py M --seed 7 --out m.yaml  # and the scenario YAML
    .venv/bin/python benchmarks/tiers.py L --check                # and the checker on the greedy roster

`tier_s(seed)`, `tier_m(seed)` and `tier_l(seed)` return plain scenario data (dicts) that
`scheduler.io.scenario_yaml.scenario_from_data` accepts (`validate(data)` does that quickly at
scale); the same seed gives the same data. `analyse(scenario)` counts needs, eligible (reader,
shift) pairs and (reader, shift, site) triples with the fast per-site `Eligibility` (which the
generators' repair loops use too), and builds `greedy_roster(scenario)`, the library's greedy
roster (scheduler.solver.greedy, on `build_instance`: a few seconds on M and L), a rule-abiding
roster that covers every need when the tier is sound; `summary(data)` renders the figures as one
line.

Figures reproduced from shared/DOMAIN.md (section in brackets):

* S, French regional (sections 2, 3, 4, 5, 7 "S"): 40 readers and 20 public hospitals of
  Nouvelle-Aquitaine in three clusters (Gironde/Landes/Béarn/Pays basque, Poitou-Charentes,
  Limousin), November 2026 (1 and 11 November are holidays). A 12 h night garde 20:00-08:00 of the
  telerad centre every night and a 12 h day 08:00-20:00 on weekends and holidays. About 140
  studies a night (100-300 in DOMAIN), read at 3-5 studies/h (Imadis: 30-50 exams per reader per
  12 h night), so 3-7 readers a night in total. Four stroke centres (UNV) need a neuro reader at
  night. Rule sets: praticien hospitalier (11 h rest and repos de sécurité, at most 2 nights in a
  row then 2 days off, 48 h in any 7 days, 2 weekends, at most 6 nights) and libéral (a few
  nights a month on top of a practice). Leave, requests, history nights of late October.
* M, French national (sections 1 "20 % cap", 2, 7 "Imadis ~600 radiologists, 200
  establishments, 12 centres"): 600 readers, 200 sites in 12 regions (each with one reading
  centre; a site's id starts with its region code, e.g. `naq.chu_bordeaux`), December 2026
  (Christmas; 26 December too at the Alsace-Moselle sites, whose calendar is the 6AE/57
  subdivision). Four shift types: evening reinforcement 18:30-23:30 at the busiest sites (the
  20:30-midnight peak), night garde 18:30-08:30, weekend/holiday day 08:30-18:30 and a 24 h Sunday
  garde 08:30-08:30 at the smaller sites; five subspecialties, neuro needed at ~35 stroke centres
  (the CHUs and some CH) and peds on weekend days at some CHUs; ~1,250 studies a night in all.
  88 % of the readers do 2-3 nights a month on top of a day job: their teleradiology is capped
  at 20 % of their activity (per-type maxima, e.g. at most 3 nights, and at most 42 h a month,
  20 % of ~210 h); 12 % (72, six per reading centre) are full-time salaried teleradiologists
  (48 h in any 7 days, ~176 h a month). Readers hold privileges (conventions) at 6-14 sites of
  their region plus 1-4 national ones (full-timers: most of their region plus ~15 national).
* L, US national (sections 1 "vRad: ~450-540 radiologists, >2,000 facilities, on average 14
  state licenses and 175 facility credentials", 2, 5, 7 "L"): 500 readers, 2,000 fictional
  facilities across the 50 states and DC (one jurisdiction each; counts follow population,
  at least 5 per state), facility time zone from its state (seven zones incl. Phoenix, Anchorage,
  Honolulu). Shift types are per desk zone (Eastern, Central, Mountain, Pacific; Alaska and
  Hawaii facilities are read by the Pacific desk): day 08:00-17:00, swing 15:00-00:00, night
  22:00-08:00, January 2027 (New Year's Day, MLK Day). Readers hold 6-30 licenses (mean ~14)
  and privileges only in licensed states (mean ~175: ~235 for nighthawks, who read for more
  facilities, ~120 for attendings; neuro nighthawks at every stroke centre of their states and
  desks); 2 % of licenses and privileges start or lapse mid-month. 175 US nighthawks (their
  zone's desk or the next) and 60 offshore nighthawks (Sydney reads Eastern/Central nights at
  14:00-00:00 local, Zurich Mountain/Pacific nights at 06:00-17:00 local) work 7-on/7-off blocks
  (max_consecutive_nights 7, min_days_off_after_nights 7, nights only), staggered within each
  crew, the phase carried in the December history; 265 attendings (80 part time) work day and
  swing in their zone and the next. Every facility needs a night reader (critical access ~1.5 studies, community ~3,
  regional ~5.5, large ~8), 30 % of community ones a weekend swing, regional and large ones
  swing and (weekend or daily) day, ~80 large stroke centres a neuro reader at night too: ~14 k
  studies a day (DOMAIN: ~18 k at vRad, which runs close to capacity), read at 12-15 studies/h
  (Hanna 2018: ~13/h, ~68 studies a shift).

Every tier can be covered in full. Each need has at least MIN_ELIGIBLE eligible readers on every
shift instance, in all and for each subspecialty it asks for (leave, dated credentials and
allowed shift types included; open-ended privileges are granted in the site's licensed
jurisdiction until it holds; in L also among the nighthawks on their block that night). And
`greedy_roster` builds a roster that covers every need and keeps every hard rule, which
`scheduler.check.check` confirms (`--check`; the tests do it for S and M): a certificate that
does not depend on the solver. Its reader-shifts stay well below what the readers' own monthly
limits allow (`month_slack`), so the coverage is not tight either.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import random
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scheduler.scenario as scenario_module  # noqa: E402
from benchmarks.make_examples import (  # noqa: E402
    FR_FIRST,
    FR_LAST,
    US_FIRST,
    US_LAST,
    US_PATTERNS,
    ascii_slug,
)
from scheduler.instance import Instance, build_instance, shift_interval  # noqa: E402
from scheduler.io.scenario_yaml import scenario_from_data, scenario_to_yaml  # noqa: E402
from scheduler.result import Roster  # noqa: E402
from scheduler.scenario import Scenario, day_matches  # noqa: E402
from scheduler.solver.greedy import greedy_roster as library_greedy  # noqa: E402

MIN_ELIGIBLE = 4  # eligible readers every need has on every shift instance (as make_examples)
D = dt.date


# ==============================================================================================
# Shared helpers: validation, names, credential draws
# ==============================================================================================
@contextmanager
def cached_timezone_list():
    """Within this block, scenario validation lists the IANA zones once instead of once per zone field.

    `scheduler.scenario.check_timezone` calls `zoneinfo.available_timezones()`, which walks the
    whole tz database (~20 ms), for every site, reader and shift type: 48 s to validate tier L.
    The list cannot change while the process runs, so caching it changes no result.
    """
    original = getattr(scenario_module, "available_timezones", None)
    if original is None or hasattr(original, "cache_info"):
        yield
        return
    scenario_module.available_timezones = functools.cache(original)
    try:
        yield
    finally:
        scenario_module.available_timezones = original


def validate(data: dict) -> Scenario:
    """`scenario_from_data(data)`, fast at tier scale (see `cached_timezone_list`)."""
    with cached_timezone_list():
        return scenario_from_data(data)


def unique_names(rng: random.Random, n: int, firsts: list[str], lasts: list[str]) -> list[tuple[str, str]]:
    """n distinct (first, last) pairs, drawn without replacement."""
    pairs = [(f, la) for f in firsts for la in lasts if f != la]
    return rng.sample(pairs, n)


def unique_id(base: str, taken: set[str]) -> str:
    rid, k = base, 2
    while rid in taken:
        rid, k = f"{base}_{k}", k + 1
    taken.add(rid)
    return rid


def email_of(first: str, last: str, domain: str) -> str:
    return f"{ascii_slug(first).replace('_', '-')}.{ascii_slug(last).replace('_', '-')}@{domain}"


def weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, each drawn with probability in proportion to its weight (Efraimidis-Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


def jitter(rng: random.Random, value: float, spread: float = 0.25) -> int:
    return max(1, round(value * rng.uniform(1 - spread, 1 + spread)))


def clean_reader(r: dict) -> dict:
    """Drop empty optional lists so the YAML stays short."""
    for key in ("leave", "requests", "subspecialties", "shift_limits"):
        if key in r and not r[key]:
            del r[key]
    if "shifts" in r["history"] and not r["history"]["shifts"]:
        del r["history"]["shifts"]
    return r


# ==============================================================================================
# Analysis without build_instance: demands, eligibility counts, pairs, triples, slack
# ==============================================================================================
@dataclass
class _Need:
    site: str
    type_id: str
    date: dt.date
    required: int
    subs: frozenset[str]
    open_to_any: bool
    load: int  # studies per covering reader, as Demand.load_per_reader
    sub_counts: tuple[tuple[str, int], ...] = ()  # readers required per subspecialty


@dataclass
class _Reader:
    id: str
    allowed: frozenset[str] | None
    leave: set[dt.date]
    subs: frozenset[str]
    lic: dict[str, list]
    priv: dict[str, list]
    studies_per_hour: float
    open_sites: set[str] = field(default_factory=set)  # open-ended license and privileges


def _is_open(c) -> bool:
    return c.valid_from is None and c.valid_until is None


class Eligibility:
    """The demands of a scenario and who may cover them, computed per site (fast at scale).

    Same semantics as `scheduler.instance.build_instance` and `Instance.ineligibility_reasons`:
    a shift instance exists when some site needs it; a reader is eligible for a need when the
    shift type is allowed (and not capped at 0), the date is not on leave, the subspecialty fits,
    and a license for the site's jurisdiction and privileges at the site cover every date the
    shift touches in the site's time zone.
    """

    def __init__(self, scen: Scenario) -> None:
        self.scen = scen
        h = scen.horizon
        window = (h.start - dt.timedelta(days=31), h.end + dt.timedelta(days=1))
        cals: dict = {}

        def holidays_of(cal) -> set[dt.date]:
            if cal is None:
                return set()
            if cal not in cals:
                cals[cal] = set(cal.dates(*window))
            return cals[cal]

        days = h.days
        day_set = set(days)
        grouped: dict[tuple[str, str, dt.date], list] = defaultdict(list)
        for site in scen.sites:
            hol = holidays_of(site.holidays or h.holidays)
            for need in site.coverage:
                st = scen.shift_type_by_id[need.shift_type]
                if need.dates is None:
                    active = [d for d in days if day_matches(need.days or st.days, d, d in hol)]
                else:
                    active = [d for d in sorted(set(need.dates) & day_set)
                              if need.days is None or day_matches(need.days, d, d in hol)]
                for d in active:
                    grouped[(site.id, st.id, d)].append(need)
        self.needs: list[_Need] = []
        for (site_id, type_id, d), needs in grouped.items():
            subs: dict[str, int] = {}
            for n in needs:
                if n.subspecialty:
                    subs[n.subspecialty] = subs.get(n.subspecialty, 0) + n.readers
            required = sum(n.readers for n in needs)
            studies = sum(n.studies for n in needs)
            self.needs.append(_Need(
                site_id, type_id, d, required, frozenset(subs),
                required > sum(subs.values()) or not subs,
                math.ceil(studies / max(1, required)) if studies else 0, tuple(sorted(subs.items())),
            ))
        # UTC interval of each shift instance, and the local dates it touches per site zone
        self.interval: dict[tuple[str, dt.date], tuple[dt.datetime, dt.datetime]] = {}
        for type_id, d in {(n.type_id, n.date) for n in self.needs}:
            st = scen.shift_type_by_id[type_id]
            self.interval[(type_id, d)] = shift_interval(st, d, scen.planning_tz(st))
        self._touch: dict[tuple[str, dt.date, str], tuple[dt.date, dt.date]] = {}
        self._valid_days: dict[tuple[str, str], frozenset[dt.date]] = {}
        self.window = [h.start + dt.timedelta(days=k) for k in range(-2, len(days) + 2)]
        site_j = self.site_j = {s.id: s.jurisdiction for s in scen.sites}
        self.readers = [self._reader(r) for r in scen.radiologists]
        self.by_site: dict[str, list[_Reader]] = defaultdict(list)
        for rr in self.readers:
            for site_id in rr.priv:
                if site_id in site_j and site_j[site_id] in rr.lic:
                    self.by_site[site_id].append(rr)
        self.needs_of_site: dict[str, list[_Need]] = defaultdict(list)
        for n in self.needs:
            self.needs_of_site[n.site].append(n)
        self.count: dict[tuple[str, str, dt.date], int] = {}
        self.sub_count: dict[tuple[tuple[str, str, dt.date], str], int] = {}
        self.subs_of = {rr.id: rr.subs for rr in self.readers}
        for site_id in self.needs_of_site:
            self.recount(site_id)

    def _reader(self, r) -> _Reader:
        rules = self.scen.rules_for(r)
        zero = {t for t in self.scen.shift_type_by_id
                if (r.shift_limits.get(t) or rules.shift_limits.get(t)) is not None
                and (r.shift_limits.get(t) or rules.shift_limits.get(t)).max == 0}
        allowed = None
        if r.allowed_shift_types is not None or zero:
            base = set(r.allowed_shift_types) if r.allowed_shift_types is not None else set(self.scen.shift_type_by_id)
            allowed = frozenset(base - zero)
        leave = {lv.start + dt.timedelta(days=k) for lv in r.leave for k in range((lv.end - lv.start).days + 1)}
        lic: dict[str, list] = defaultdict(list)
        for x in r.licenses:
            lic[x.jurisdiction].append(x)
        priv: dict[str, list] = defaultdict(list)
        for x in r.privileges:
            priv[x.site].append(x)
        rr = _Reader(r.id, allowed, leave, frozenset(r.subspecialties), dict(lic), dict(priv), r.studies_per_hour)
        site_j = self.site_j
        rr.open_sites = {s for s, ps in priv.items() if s in site_j and any(_is_open(p) for p in ps)
                         and any(_is_open(x) for x in lic.get(site_j[s], []))}
        return rr

    def touch(self, n: _Need) -> tuple[dt.date, dt.date]:
        tz = self.scen.site_by_id[n.site].timezone
        key = (n.type_id, n.date, tz)
        if key not in self._touch:
            start, end = self.interval[(n.type_id, n.date)]
            last = max(start, end - dt.timedelta(microseconds=1))
            zone = ZoneInfo(tz)
            self._touch[key] = (start.astimezone(zone).date(), last.astimezone(zone).date())
        return self._touch[key]

    def eligible(self, rr: _Reader, n: _Need) -> bool:
        if rr.allowed is not None and n.type_id not in rr.allowed:
            return False
        if n.date in rr.leave or (not n.open_to_any and not (n.subs & rr.subs)):
            return False
        if n.site in rr.open_sites:
            return True
        valid = self._valid_days.get((rr.id, n.site))
        if valid is None:  # dates near the horizon with both a license and privileges valid
            priv = rr.priv.get(n.site, [])
            lic = rr.lic.get(self.site_j[n.site], [])
            valid = self._valid_days[(rr.id, n.site)] = frozenset(
                d for d in self.window if any(c.valid_on(d) for c in priv) and any(c.valid_on(d) for c in lic))
        first, last = self.touch(n)
        return all(first + dt.timedelta(days=k) in valid for k in range((last - first).days + 1))

    def eligible_ids(self, site_id: str):
        """(need, ids of its eligible readers) for each need of a site, computed per group of alike needs."""
        readers = self.by_site.get(site_id, [])
        groups: dict[tuple, list[_Need]] = defaultdict(list)
        for n in self.needs_of_site[site_id]:
            groups[(n.type_id, n.open_to_any, n.subs)].append(n)
        for (type_id, open_to_any, subs), needs in groups.items():
            fit = [rr for rr in readers if (rr.allowed is None or type_id in rr.allowed)
                   and (open_to_any or subs & rr.subs)]
            fast = frozenset(rr.id for rr in fit if site_id in rr.open_sites)
            slow = [rr for rr in fit if site_id not in rr.open_sites]
            away: dict[dt.date, set[str]] = defaultdict(set)
            for rr in fit:
                if rr.id in fast:
                    for d in rr.leave:
                        away[d].add(rr.id)
            for n in needs:
                ids = fast - away[n.date] if n.date in away else fast
                if slow:
                    ids = ids | {rr.id for rr in slow if self.eligible(rr, n)}
                yield n, ids

    def recount(self, site_id: str) -> None:
        """Eligible readers of each need of a site, in all and per subspecialty it asks for."""
        for n, ids in self.eligible_ids(site_id):
            key = (n.site, n.type_id, n.date)
            self.count[key] = len(ids)
            for sub, _k in n.sub_counts:
                self.sub_count[(key, sub)] = sum(1 for rid in ids if sub in self.subs_of[rid])

    @property
    def min_eligible(self) -> int:
        """The fewest eligible readers of any need, or of any subspecialty slot of a need."""
        return min([*self.count.values(), *self.sub_count.values()], default=0)

    def grant(self, rr: _Reader, site_id: str) -> None:
        """Record an open-ended privilege (the reader already holds an open license there)."""
        rr.priv.setdefault(site_id, []).append(_OPEN)
        rr.open_sites.add(site_id)
        self._valid_days.pop((rr.id, site_id), None)
        if rr not in self.by_site[site_id]:
            self.by_site[site_id].append(rr)
        self.recount(site_id)

    def short(self, minimum: int) -> list[tuple[_Need, str | None]]:
        """Needs with fewer than `minimum` eligible readers in all (None) or of a subspecialty they ask for.

        A need for a neuro reader and a general one counts any reader as eligible (as the
        project's Demand.open_to_any does), yet one of its readers must be neuro: both counts matter.
        """
        out: list[tuple[_Need, str | None]] = []
        for n in self.needs:
            key = (n.site, n.type_id, n.date)
            if self.count[key] < minimum:
                out.append((n, None))
            out += [(n, sub) for sub, _k in n.sub_counts if self.sub_count[(key, sub)] < minimum]
        return out


class _OpenCredential:
    valid_from = None
    valid_until = None

    @staticmethod
    def valid_on(day: dt.date) -> bool:
        return True


_OPEN = _OpenCredential()


def repair_fast(data: dict, scen: Scenario, rng: random.Random, minimum: int = MIN_ELIGIBLE,
                prefer=None, on_duty=None, duty_minimum: int = MIN_ELIGIBLE, max_rounds: int = 100_000) -> int:
    """Grant open-ended privileges until every need has `minimum` eligible readers; returns the grants.

    Readers holding an open-ended license for the site's jurisdiction come first (a license is
    added with the privileges only when none fits), never one with a dated license or privilege
    there; among those, the ones `prefer(reader_id, site_id)` ranks lowest (then those with
    fewer privileges) first.
    With `on_duty(reader_id, date)` (a rota such as 7 nights on, 7 off), every need also gets
    `duty_minimum` eligible readers on duty that date, in all and per subspecialty it asks for,
    where some reader can be given them.
    """
    el = Eligibility(scen)
    site_by_id = {s["id"]: s for s in data["sites"]}
    raw = {r["id"]: r for r in data["radiologists"]}
    grants = 0
    skipped: set[tuple] = set()  # on-duty shortfalls no reader can make up
    duty_short: dict[str, list] = {}  # site -> its needs short of readers on duty

    def duty_shortfalls(site_id: str) -> list:
        out = []
        for n, ids in el.eligible_ids(site_id):
            here = [rid for rid in ids if on_duty(rid, n.date)]
            if len(here) < duty_minimum:
                out.append((n, None, on_duty))
            out += [(n, sub, on_duty) for sub, _k in n.sub_counts
                    if sum(1 for rid in here if sub in el.subs_of[rid]) < duty_minimum]
        return out

    touched = set(el.needs_of_site)
    for _ in range(max_rounds):
        short = [(n, sub, None) for n, sub in el.short(minimum)]
        if on_duty is not None:
            for site_id in touched:
                duty_short[site_id] = duty_shortfalls(site_id)
            touched = set()
            short += [x for site_id in sorted(duty_short) for x in duty_short[site_id]]
        short = [x for x in short if (x[0].site, x[0].type_id, x[0].date, x[1]) not in skipped]
        if not short:
            return grants
        done_sites = set()
        for n, sub, duty in sorted(short, key=lambda x: (x[0].date, x[0].site, x[1] or "", x[2] is None)):
            if n.site in done_sites:
                continue
            done_sites.add(n.site)
            juris = site_by_id[n.site]["jurisdiction"]
            cands = [rr for rr in el.readers
                     if n.site not in rr.priv
                     and (juris not in rr.lic or any(_is_open(x) for x in rr.lic[juris]))
                     and (rr.allowed is None or n.type_id in rr.allowed)
                     and n.date not in rr.leave
                     and (n.open_to_any or n.subs & rr.subs)
                     and (sub is None or sub in rr.subs)
                     and (duty is None or duty(rr.id, n.date))]
            if not cands and duty is not None:  # the rota is a guide, not a rule: the greedy roster tells
                skipped.add((n.site, n.type_id, n.date, sub))
                continue
            if not cands:
                what = f"{sub} reader" if sub else "reader"
                raise SystemExit(f"cannot make another {what} eligible for {n.site} on {n.type_id} {n.date}")
            # readers already licensed there first (a new license is the exception)
            cands.sort(key=lambda rr: (juris not in rr.lic, prefer(rr.id, n.site) if prefer else 0, len(rr.priv),
                                       rng.random()))
            rr = cands[0]
            if juris not in rr.lic:
                rr.lic[juris] = [_OPEN]
                raw[rr.id]["licenses"].append({"jurisdiction": juris})
            el.grant(rr, n.site)
            raw[rr.id]["privileges"].append({"site": n.site})
            touched.add(n.site)
            grants += 1
    raise SystemExit("eligibility repair did not converge")


@dataclass
class TierStats:
    """Sizes of a tier and the slack of its coverage."""

    readers: int
    sites: int
    jurisdictions: int
    shift_types: int
    subspecialties: int
    shift_instances: int
    needs: int  # (site, shift instance) demands over the month
    readers_needed: int  # their required readers, added up
    studies_per_day: float
    eligible_pairs: int  # (reader, shift instance) with at least one eligible site
    triples: int  # (reader, shift instance, site) eligible: what a naive model creates
    min_eligible: int
    licenses_per_reader: float
    privileges_per_reader: float
    tightest_shift: tuple[str, float]  # shift instance with the least able capacity / studies, and that ratio
    greedy_reader_shifts: int  # reader-shifts of greedy_roster (a rule-abiding roster: an upper estimate)
    greedy_uncovered: int  # reader slots greedy_roster left unfilled (0: the tier can be covered in full)
    month_capacity: int  # reader-shifts the readers can work in the month, by their own limits (estimate)
    readers_per_shift: dict[str, float] = field(default_factory=dict)  # per type: mean readers the greedy uses
    roster: object = field(default=None, repr=False)  # the greedy_roster itself (a scheduler.result.Roster)

    @property
    def month_slack(self) -> float:
        return self.month_capacity / self.greedy_reader_shifts if self.greedy_reader_shifts else math.inf

    def line(self) -> str:
        key, ratio = self.tightest_shift
        per = ", ".join(f"{k} {v:.1f}" for k, v in self.readers_per_shift.items())
        return (f"{self.readers} readers, {self.sites} sites, {self.jurisdictions} jurisdictions, "
                f"{self.shift_types} shift types, {self.shift_instances} shift instances, "
                f"{self.needs} needs ({self.readers_needed} reader slots), {self.studies_per_day:.0f} studies/day, "
                f"{self.eligible_pairs} eligible (reader, shift) pairs, {self.triples} (reader, shift, site) triples, "
                f"min {self.min_eligible} eligible per need, {self.licenses_per_reader:.1f} licenses and "
                f"{self.privileges_per_reader:.1f} privileges per reader; tightest shift {key} "
                f"(able capacity x{ratio:.1f} its studies); greedy roster: {self.greedy_reader_shifts} reader-shifts, "
                f"{self.greedy_uncovered} slots unfilled, month capacity {self.month_capacity} "
                f"(x{self.month_slack:.1f}); readers a shift: {per}")


def _reader_month_cap(scen: Scenario, r, shifts_open: dict[str, int], days: int, minutes: dict[str, float]) -> int:
    """An upper estimate of the shifts a reader can work in the month, from their own limits."""
    rules = scen.rules_for(r)
    total = 0
    for type_id, count in shifts_open.items():
        lim = r.shift_limits.get(type_id) or rules.shift_limits.get(type_id)
        total += count if lim is None or lim.max is None else min(count, lim.max)
    total = min(total, days)
    if rules.max_total_hours is not None and shifts_open:
        total = min(total, int(rules.max_total_hours * 60 // min(minutes[t] for t in shifts_open)))
    k, m = rules.max_consecutive_nights, rules.min_days_off_after_nights
    if shifts_open and all(scen.shift_type_by_id[t].kind.value == "night" for t in shifts_open) and k and m:
        total = min(total, math.ceil(days * k / (k + m)))
    return total


def greedy_roster(scen: Scenario | Instance) -> tuple[Roster, int]:
    """The library's greedy roster (scheduler.solver.greedy) of a tier: (roster, reader slots unfilled).

    With no slot unfilled it is a certificate that the tier can be covered in full;
    `scheduler.check.check` confirms it breaks no rule. `build_instance` takes a few seconds on M
    and L: pass the Instance when you have it.
    """
    inst = scen if isinstance(scen, Instance) else build_instance(scen)
    out = library_greedy(inst)
    return out.roster, out.unfilled


def analyse(scen: Scenario, el: Eligibility | None = None, inst: Instance | None = None) -> TierStats:
    """Count needs, eligible pairs and triples, and the coverage slack; `inst` (built when not given)
    is for the greedy roster only."""
    el = el or Eligibility(scen)
    eligible = [(n, ids) for site_id in el.needs_of_site for n, ids in el.eligible_ids(site_id)]
    load_of: dict[tuple[str, dt.date], int] = Counter()
    able: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for n, ids in eligible:
        load_of[(n.type_id, n.date)] += n.load * n.required
        able[(n.type_id, n.date)] |= ids
    sph = {rr.id: rr.studies_per_hour for rr in el.readers}
    tight = ("-", math.inf)
    for key, load in load_of.items():
        start, end = el.interval[key]
        hours = (end - start).total_seconds() / 3600
        ratio = sum(math.floor(sph[r] * hours + 1e-9) for r in able[key]) / load if load else math.inf
        if ratio < tight[1]:
            tight = (f"{key[0]}@{key[1].isoformat()}", ratio)
    roster, unfilled = greedy_roster(inst or scen)
    used = Counter((a.shift_type, a.date) for a in roster.assignments)
    per_type: dict[str, list[int]] = defaultdict(list)
    for (type_id, _d), k in used.items():
        per_type[type_id].append(k)
    per_reader: dict[str, Counter] = defaultdict(Counter)
    for (type_id, _d), ids in able.items():
        for rid in ids:
            per_reader[rid][type_id] += 1
    minutes = {t: (e - s).total_seconds() / 60 for (t, _d), (s, e) in el.interval.items()}
    days = len(scen.horizon.days)
    n_read = len(scen.radiologists)
    return TierStats(
        readers=n_read,
        sites=len(scen.sites),
        jurisdictions=len(scen.jurisdictions),
        shift_types=len(scen.shift_types),
        subspecialties=len(scen.subspecialties),
        shift_instances=len(el.interval),
        needs=len(el.needs),
        readers_needed=sum(n.required for n in el.needs),
        studies_per_day=sum(n.load * n.required for n in el.needs) / days,
        eligible_pairs=sum(len(ids) for ids in able.values()),
        triples=sum(len(ids) for _n, ids in eligible),
        min_eligible=el.min_eligible,
        licenses_per_reader=sum(len(r.licenses) for r in scen.radiologists) / n_read,
        privileges_per_reader=sum(len(r.privileges) for r in scen.radiologists) / n_read,
        tightest_shift=tight,
        greedy_reader_shifts=sum(used.values()),
        greedy_uncovered=unfilled,
        month_capacity=sum(_reader_month_cap(scen, r, per_reader[r.id], days, minutes) for r in scen.radiologists),
        readers_per_shift={t: sum(v) / len(v) for t, v in sorted(per_type.items())},
        roster=roster,
    )


def summary(data: dict) -> str:
    return analyse(validate(data)).line()


# ==============================================================================================
# S: French regional, Nouvelle-Aquitaine, November 2026
# ==============================================================================================
# id, label, cluster, priority, night studies (general need, 0 = none), night neuro studies
# (0 = not a stroke centre), weekend/holiday day studies (0 = no day need)
S_SITES = [
    ("chu_bordeaux", "CHU de Bordeaux, Hôpital Pellegrin", "sud", 10, 12, 12, 12),
    ("ch_libourne", "CH Robert Boulin, Libourne", "sud", 2, 7, 0, 6),
    ("ch_arcachon", "Pôle de santé d'Arcachon, La Teste-de-Buch", "sud", 1, 5, 0, 5),
    ("ch_mont_de_marsan", "CH Layné, Mont-de-Marsan", "sud", 2, 6, 0, 6),
    ("ch_dax", "CH de Dax-Côte d'Argent", "sud", 1, 6, 0, 5),
    ("ch_pau", "CH François Mitterrand, Pau", "sud", 8, 0, 10, 8),
    ("ch_bayonne", "CH de la Côte Basque, Bayonne", "sud", 3, 8, 0, 7),
    ("ch_agen", "CH Agen-Nérac", "sud", 2, 6, 0, 5),
    ("ch_perigueux", "CH de Périgueux", "sud", 2, 6, 0, 5),
    ("ch_bergerac", "CH Samuel Pozzi, Bergerac", "sud", 1, 4, 0, 0),
    ("chu_poitiers", "CHU de Poitiers, Hôpital de la Milétrie", "nord", 10, 0, 11, 9),
    ("ch_la_rochelle", "GH La Rochelle-Ré-Aunis", "nord", 3, 8, 0, 6),
    ("ch_niort", "CH de Niort", "nord", 2, 6, 0, 5),
    ("ch_angouleme", "CH d'Angoulême, Girac", "nord", 2, 7, 0, 5),
    ("ch_saintes", "CH de Saintonge, Saintes", "nord", 1, 5, 0, 4),
    ("ch_chatellerault", "CH Camille Guérin, Châtellerault", "nord", 1, 4, 0, 0),
    ("ch_rochefort", "CH de Rochefort", "nord", 1, 4, 0, 0),
    ("chu_limoges", "CHU de Limoges, Hôpital Dupuytren", "est", 10, 0, 10, 8),
    ("ch_brive", "CH de Brive-la-Gaillarde", "est", 2, 6, 0, 5),
    ("ch_gueret", "CH de Guéret", "est", 1, 3, 0, 0),
]

FR_SUBSPECIALTIES = [
    {"id": "neuro", "name": "Neuroradiologie"}, {"id": "msk", "name": "Ostéo-articulaire"},
    {"id": "peds", "name": "Pédiatrie"}, {"id": "body", "name": "Imagerie abdominale"},
    {"id": "chest", "name": "Imagerie thoracique"},
]


def _history_burden(rng: random.Random, fte: float) -> int:
    return round(fte * rng.uniform(12, 40))  # burden carried from earlier months, roughly by FTE


def tier_s(seed: int = 1) -> dict:
    """S: 40 readers, 20 hospitals of Nouvelle-Aquitaine, nights and weekend/holiday days, November 2026."""
    rng = random.Random(f"tier-s-{seed}")
    start, end = D(2026, 11, 1), D(2026, 11, 30)
    shift_types = [
        {"id": "night", "label": "night", "start": "20:00", "end": "08:00", "days": ["all"], "kind": "night",
         "burden_points": 3, "weekend_burden_points": 4, "holiday_burden_points": 5},
        {"id": "weekend_day", "label": "weekend/holiday day", "start": "08:00", "end": "20:00",
         "days": ["weekends", "holidays"], "kind": "day", "burden_points": 2, "holiday_burden_points": 3},
    ]
    rule_sets = [
        {"id": "fr_ph", "label": "Praticien hospitalier", "min_rest_hours": 11, "rest_after_night_hours": 11,
         "max_consecutive_nights": 2, "min_days_off_after_nights": 2, "max_hours_rolling_7_days": 48,
         "max_weekends": 2, "shift_limits": {"night": {"max": 6}, "weekend_day": {"max": 3}}},
        {"id": "fr_liberal", "label": "Radiologue libéral (a few nights a month)", "min_rest_hours": 11,
         "rest_after_night_hours": 11, "max_consecutive_nights": 1, "min_days_off_after_nights": 1,
         "max_weekends": 2, "shift_limits": {"night": {"max": 4}, "weekend_day": {"max": 2}}},
    ]
    sites = []
    for sid, name, _cluster, prio, night, neuro, wday in S_SITES:
        cov = []
        if night:
            cov.append({"shift_type": "night", "readers": 1, "studies": jitter(rng, night, 0.2)})
        if neuro:
            cov.append({"shift_type": "night", "subspecialty": "neuro", "readers": 1,
                        "studies": jitter(rng, neuro, 0.2)})
        if wday:
            cov.append({"shift_type": "weekend_day", "readers": 1, "studies": jitter(rng, wday, 0.2)})
        sites.append({"id": sid, "name": name, "jurisdiction": "FR", "timezone": "Europe/Paris",
                      "priority": prio, "coverage": cov})
    clusters: dict[str, list[str]] = defaultdict(list)
    for sid, _n, cluster, *_ in S_SITES:
        clusters[cluster].append(sid)
    stroke = [s[0] for s in S_SITES if s[5]]

    n = 40
    homes = ["sud"] * 20 + ["nord"] * 13 + ["est"] * 7
    rng.shuffle(homes)
    profiles = ([["neuro"]] * 8 + [["neuro", "body"]] * 3 + [["neuro", "peds"]] * 2 + [["neuro", "chest"]]
                + [["peds"]] * 3 + [["msk"]] * 5 + [["body"]] * 7 + [["chest"]] * 4 + [["body", "chest"]] * 2
                + [["msk", "body"]] + [[]] * 4)
    rng.shuffle(profiles)
    liberal = set(rng.sample(range(n), 14))
    taken: set[str] = set()
    readers = []
    for k, (first, last) in enumerate(unique_names(rng, n, FR_FIRST, FR_LAST)):
        home, subs = homes[k], profiles[k]
        own = clusters[home][:]
        rng.shuffle(own)
        picks = own[: rng.randint(min(5, len(own)), len(own))]
        if "neuro" in subs:  # neuro readers cover the stroke centres of the group
            picks += [s for s in stroke if s not in picks and rng.random() < 0.7]
        others = [s for s, *_ in S_SITES if s not in picks]
        rng.shuffle(others)
        picks += others[: rng.randint(1, 4)]
        order = [s for s, *_ in S_SITES]
        picks = sorted(set(picks), key=order.index)[:12]
        is_lib = k in liberal
        fte = rng.choice([0.2, 0.3, 0.4]) if is_lib else rng.choice([0.5, 0.6, 0.8, 0.8, 1.0, 1.0, 1.0])
        r = {
            "id": unique_id(ascii_slug(f"{first}_{last}"), taken),
            "name": f"{first} {last}",
            "email": email_of(first, last, "teleradio-na.fr"),
            "timezone": "Europe/Paris",
            "licenses": [{"jurisdiction": "FR"}],
            "privileges": [{"site": s} for s in picks],
            "subspecialties": subs,
            "fte": fte,
            "rule_set": "fr_liberal" if is_lib else "fr_ph",
            "studies_per_hour": rng.choice([3, 3.5, 4, 4, 4.5, 5]),
            "leave": [],
            "requests": [],
            "history": {"burden_points": _history_burden(rng, fte)},
        }
        readers.append(r)

    # Leave: the end of the Toussaint school holidays (to 2 November), training, a sick week
    for r in rng.sample(readers, 3):
        r["leave"].append({"start": D(2026, 11, 1), "end": D(2026, 11, 2), "reason": "vacances de la Toussaint"})
    for r in rng.sample([r for r in readers if not r["leave"]], 2):
        d0 = D(2026, 11, rng.randint(9, 24))
        r["leave"].append({"start": d0, "end": d0 + dt.timedelta(days=1), "reason": "formation (DPC)"})
    for r in rng.sample([r for r in readers if not r["leave"]], 2):
        d0 = D(2026, 11, rng.randint(5, 20))
        r["leave"].append({"start": d0, "end": d0 + dt.timedelta(days=rng.randint(4, 6)), "reason": "congés"})
    free = [r for r in readers if not r["leave"]]
    for r in rng.sample(free, 4):
        d0 = D(2026, 11, rng.randint(3, 26))
        r["requests"].append({"kind": "want", "shift_type": "night", "dates": [d0], "weight": rng.choice([1, 2])})
    for r in rng.sample(free, 4):
        r["requests"].append({"kind": "avoid", "dates": [D(2026, 11, 11)], "weight": 2})
    for r in rng.sample(free, 3):
        r["requests"].append({"kind": "avoid", "dates": [D(2026, 11, 28), D(2026, 11, 29)], "weight": 1})
    for r in rng.sample([r for r in free if r["rule_set"] == "fr_ph"], 3):
        r["shift_limits"] = {"night": {"min": 2}}  # contractual part in the permanence des soins

    # History: nights and the Saturday day of late October carry into rest and run limits
    for r in rng.sample(readers, 9):
        days = rng.choice([[D(2026, 10, 31)], [D(2026, 10, 30), D(2026, 10, 31)], [D(2026, 10, 30)],
                           [D(2026, 10, 29)]])
        r["history"]["shifts"] = [{"shift_type": "night", "date": d} for d in days]
        r["history"]["nights"] = len(days)

    data = {
        "name": f"tier-s-fr-regional-november-2026-seed{seed}",
        "horizon": {"start": start, "end": end, "timezone": "Europe/Paris", "holidays": {"country": "FR"}},
        "jurisdictions": [{"id": "FR", "name": "France"}],
        "subspecialties": FR_SUBSPECIALTIES,
        "shift_types": shift_types,
        "rule_sets": rule_sets,
        "sites": sites,
        "radiologists": [clean_reader(r) for r in readers],
    }
    cluster_of = {sid: cluster for sid, _n, cluster, *_ in S_SITES}
    home_of = {r["id"]: homes[k] for k, r in enumerate(data["radiologists"])}
    repair_fast(data, validate(data), rng, prefer=lambda rid, sid: 0 if cluster_of[sid] == home_of[rid] else 1)
    order = [s[0] for s in S_SITES]
    for r in data["radiologists"]:
        r["privileges"].sort(key=lambda p: order.index(p["site"]))
    return data


# ==============================================================================================
# M: French national, 12 regions, December 2026
# ==============================================================================================
# region code: (name, reading centre, [(city, holiday subdivision or "")...]); CHU cities are marked "*"
FR_REGIONS = {
    "ara": ("Auvergne-Rhône-Alpes", "Lyon", "*Lyon *Grenoble *Saint-Étienne *Clermont-Ferrand Annecy Chambéry "
            "Valence Bourg-en-Bresse Roanne Vienne Montélimar Aurillac Le_Puy-en-Velay Moulins Vichy Montluçon "
            "Annemasse Villefranche-sur-Saône Aubenas Thonon-les-Bains"),
    "bfc": ("Bourgogne-Franche-Comté", "Dijon", "*Dijon *Besançon Chalon-sur-Saône Mâcon Nevers Auxerre Sens "
            "Trévenans Montbéliard Vesoul Lons-le-Saunier Dole Pontarlier Le_Creusot Autun Beaune Paray-le-Monial"),
    "bre": ("Bretagne", "Rennes", "*Rennes *Brest Quimper Lorient Vannes Saint-Brieuc Saint-Malo Morlaix Pontivy "
            "Lannion Fougères Vitré Redon Dinan Landerneau Paimpol"),
    "cvl": ("Centre-Val de Loire", "Tours", "*Tours *Orléans Blois Chartres Bourges Châteauroux Dreux Montargis "
            "Vierzon Vendôme Amboise Romorantin-Lanthenay Chinon Gien Issoudun Pithiviers"),
    "ges": ("Grand Est", "Nancy", "*Strasbourg:6AE *Nancy *Metz:57 *Reims Mulhouse:6AE Colmar:6AE Troyes "
            "Charleville-Mézières Épinal Thionville:57 Haguenau:6AE Sarreguemines:57 Châlons-en-Champagne "
            "Saint-Dizier Verdun Bar-le-Duc Forbach:57 Lunéville Sélestat:6AE Saverne:6AE Chaumont"),
    "hdf": ("Hauts-de-France", "Lille", "*Lille *Amiens Roubaix Tourcoing Valenciennes Dunkerque Calais "
            "Boulogne-sur-Mer Arras Lens Béthune Douai Cambrai Maubeuge Saint-Quentin Laon Soissons Beauvais "
            "Compiègne Creil Abbeville"),
    "idf": ("Île-de-France", "Paris", "Argenteuil *Créteil Pontoise Évry Melun Meaux Versailles Poissy "
            "Mantes-la-Jolie Montreuil Saint-Denis Aulnay-sous-Bois Gonesse Longjumeau Orsay Rambouillet "
            "Fontainebleau Provins Villeneuve-Saint-Georges Arpajon"),
    "nor": ("Normandie", "Rouen", "*Rouen *Caen Le_Havre Cherbourg Évreux Dieppe Alençon Lisieux Saint-Lô "
            "Bayeux Vernon Fécamp Flers Argentan Avranches Elbeuf"),
    "naq": ("Nouvelle-Aquitaine", "Bordeaux", "*Bordeaux *Limoges *Poitiers Pau Bayonne La_Rochelle Angoulême "
            "Niort Périgueux Agen Mont-de-Marsan Dax Brive-la-Gaillarde Libourne Arcachon Bergerac Saintes "
            "Rochefort Châtellerault Guéret"),
    "occ": ("Occitanie", "Toulouse", "*Toulouse *Montpellier *Nîmes Perpignan Béziers Narbonne Carcassonne Albi "
            "Castres Montauban Tarbes Rodez Cahors Auch Foix Alès Sète Millau Mende Lourdes"),
    "pdl": ("Pays de la Loire", "Nantes", "*Nantes *Angers Le_Mans Saint-Nazaire La_Roche-sur-Yon Cholet Laval "
            "Saumur Les_Sables-d'Olonne Château-Gontier Challans Fontenay-le-Comte Ancenis Sablé-sur-Sarthe Mayenne "
            "Châteaubriant"),
    "pac": ("Provence-Alpes-Côte d'Azur et Corse", "Marseille", "*Marseille *Nice Toulon Avignon Aix-en-Provence "
            "Cannes Antibes Fréjus Draguignan Gap Digne-les-Bains Arles Martigues Salon-de-Provence Manosque "
            "Hyères Grasse Ajaccio Bastia Briançon Aubagne"),
}


def fr_of(city: str) -> str:
    """'de Lyon', "d'Annecy", 'du Mans', 'des Sables-d'Olonne' (French elision and contraction)."""
    if city.startswith("Le "):
        return "du " + city[3:]
    if city.startswith("Les "):
        return "des " + city[4:]
    if city[0] in "AEIOUYÉÈÎÂ":
        return "d'" + city
    return "de " + city


def _fr_cities(region: str) -> list[tuple[str, bool, str | None]]:
    out = []
    for token in FR_REGIONS[region][2].split():
        chu = token.startswith("*")
        name, _, subdiv = token.lstrip("*").partition(":")
        out.append((name.replace("_", " "), chu, subdiv or None))
    return out


def tier_m(seed: int = 2) -> dict:
    """M: 600 readers, 200 sites in 12 regions, 4 shift types, 5 subspecialties, December 2026."""
    rng = random.Random(f"tier-m-{seed}")
    start, end = D(2026, 12, 1), D(2026, 12, 31)
    shift_types = [
        {"id": "evening", "label": "evening reinforcement", "start": "18:30", "end": "23:30", "days": ["all"],
         "kind": "evening", "burden_points": 1, "weekend_burden_points": 2, "holiday_burden_points": 3},
        {"id": "night", "label": "night garde", "start": "18:30", "end": "08:30", "days": ["all"], "kind": "night",
         "burden_points": 3, "weekend_burden_points": 4, "holiday_burden_points": 5},
        {"id": "weekend_day", "label": "weekend/holiday day", "start": "08:30", "end": "18:30",
         "days": ["weekends", "holidays"], "kind": "day", "burden_points": 2, "holiday_burden_points": 3},
        {"id": "sunday_24h", "label": "Sunday 24 h garde", "start": "08:30", "end": "08:30", "days": ["sun"],
         "kind": "night", "burden_points": 6, "holiday_burden_points": 8},
    ]
    part_limits = {"night": {"max": 3}, "evening": {"max": 4}, "weekend_day": {"max": 2}, "sunday_24h": {"max": 1}}
    rule_sets = [
        {"id": "fr_liberal_20", "label": "Libéral, teleradiology at most 20 % of the activity",
         "min_rest_hours": 11, "rest_after_night_hours": 11, "max_consecutive_nights": 1,
         "min_days_off_after_nights": 1, "max_weekends": 2, "shift_limits": part_limits, "max_total_hours": 42},
        {"id": "fr_ph_20", "label": "Praticien hospitalier, teleradiology at most 20 % of the activity",
         "min_rest_hours": 11, "rest_after_night_hours": 11, "max_consecutive_nights": 1,
         "min_days_off_after_nights": 1, "max_hours_rolling_7_days": 48, "max_weekends": 2,
         "shift_limits": part_limits, "max_total_hours": 42},
        {"id": "fr_telerad", "label": "Salaried full-time teleradiologist (Code du travail)",
         "min_rest_hours": 11, "rest_after_night_hours": 11, "max_consecutive_nights": 3,
         "min_days_off_after_nights": 1, "max_hours_rolling_7_days": 48, "max_weekends": 3,
         "max_total_hours": 176},
    ]
    # 224 candidate hospitals; keep 200 (every CHU and every reading-centre city kept)
    cands = []
    for code, (_name, centre, _cities) in FR_REGIONS.items():
        for city, chu, subdiv in _fr_cities(code):
            cands.append((code, city, chu, subdiv, city == centre))
    droppable = [k for k, c in enumerate(cands) if not c[2] and not c[4]]
    drop = set(rng.sample(droppable, len(cands) - 200))
    kept = [c for k, c in enumerate(cands) if k not in drop]

    sites, region_sites = [], defaultdict(list)
    stroke_of_region: dict[str, list[str]] = defaultdict(list)
    for code, city, chu, subdiv, _centre in kept:
        sid = f"{code}.{'chu' if chu else 'ch'}_{ascii_slug(city)}"
        size = "chu" if chu else rng.choice(["medium", "medium", "small", "small", "small"])
        name = f"{'CHU' if chu else 'CH'} {fr_of(city)}"
        stroke = chu or (size == "medium" and rng.random() < 0.12)
        cov = []
        if size == "small":  # a 24 h Sunday garde instead of the Sunday day and night
            cov.append({"shift_type": "night", "days": ["mon", "tue", "wed", "thu", "fri", "sat"], "readers": 1,
                        "studies": jitter(rng, 3.5)})
            cov.append({"shift_type": "sunday_24h", "readers": 1, "studies": jitter(rng, 8)})
            if rng.random() < 0.5:
                cov.append({"shift_type": "weekend_day", "days": ["sat", "holidays"], "readers": 1,
                            "studies": jitter(rng, 4)})
        else:
            big = size == "chu"
            cov.append({"shift_type": "night", "readers": 1, "studies": jitter(rng, 10 if big else 6)})
            cov.append({"shift_type": "weekend_day", "readers": 1, "studies": jitter(rng, 11 if big else 6)})
            if big or rng.random() < 0.25:
                cov.append({"shift_type": "evening", "readers": 1, "studies": jitter(rng, 6 if big else 4)})
        if stroke:
            cov.append({"shift_type": "night", "subspecialty": "neuro", "readers": 1, "studies": jitter(rng, 6)})
            stroke_of_region[code].append(sid)
        if chu and rng.random() < 0.4:  # a paediatric reader on weekend days at some CHUs
            cov.append({"shift_type": "weekend_day", "subspecialty": "peds", "readers": 1, "studies": jitter(rng, 4)})
        site = {"id": sid, "name": name, "jurisdiction": "FR", "timezone": "Europe/Paris"}
        if subdiv:
            site["holidays"] = {"country": "FR", "subdivision": subdiv}
        sites.append({**site, "priority": 8 if stroke else (3 if size == "medium" else 1), "coverage": cov})
        region_sites[code].append(sid)
    codes = list(FR_REGIONS)

    n = 600
    full_time = set(rng.sample(range(n), 72))
    ft_list = sorted(full_time)
    rng.shuffle(ft_list)
    home_of = {}
    for j, k in enumerate(ft_list):  # six full-timers per reading centre
        home_of[k] = codes[j % 12]
    rest = [k for k in range(n) if k not in full_time]
    weights = [len(region_sites[c]) for c in codes]
    for k in rest:
        home_of[k] = rng.choices(codes, weights)[0]
    taken: set[str] = set()
    readers = []
    all_sites = [s["id"] for s in sites]
    for k, (first, last) in enumerate(unique_names(rng, n, FR_FIRST, FR_LAST)):
        home = home_of[k]
        ft = k in full_time
        subs = ["neuro"] if rng.random() < (0.6 if ft else 0.4) else []
        subs += rng.sample(["msk", "peds", "body", "chest"], rng.choice([0, 1, 1, 2]))
        own = region_sites[home][:]
        rng.shuffle(own)
        picks = own[: (len(own) - rng.randint(0, 3)) if ft else rng.randint(6, min(14, len(own)))]
        if "neuro" in subs:
            picks += [s for s in stroke_of_region[home] if s not in picks]
        national = [s for s in all_sites if not s.startswith(home + ".")]
        picks += rng.sample(national, rng.randint(12, 18) if ft else rng.randint(1, 4))
        picks = sorted(set(picks), key=all_sites.index)
        rule = "fr_telerad" if ft else ("fr_ph_20" if rng.random() < 0.32 else "fr_liberal_20")
        fte = 1.0 if ft else 0.2
        r = {
            "id": unique_id(f"{home}-{ascii_slug(first)}-{ascii_slug(last)}".replace("_", "-"), taken),
            "name": f"{first} {last}",
            "email": email_of(first, last, "telerad-france.fr"),
            "timezone": "Europe/Paris",
            "licenses": [{"jurisdiction": "FR"}],
            "privileges": [{"site": s} for s in picks],
            "subspecialties": subs,
            "fte": fte,
            "rule_set": rule,
            "studies_per_hour": rng.choice([3, 3.5, 4, 4, 4.5]),
            "leave": [],
            "requests": [],
            "shift_limits": {},
            "history": {"burden_points": _history_burden(rng, fte)},
        }
        if not ft and rng.random() < 0.35:  # two nights a month rather than three
            r["shift_limits"] = {"night": {"max": 2}}
        if rng.random() < 0.05:  # a convention signed mid-month
            r["privileges"].append({"site": rng.choice([s for s in national if s not in picks]),
                                    "valid_from": D(2026, 12, rng.randint(7, 21))})
        readers.append(r)

    # Leave: Christmas and New Year holidays for a quarter, training days, a few longer absences
    for r in rng.sample(readers, 150):
        a, b = rng.choice([(D(2026, 12, 19), D(2026, 12, 27)), (D(2026, 12, 24), D(2026, 12, 31)),
                           (D(2026, 12, 26), D(2026, 12, 31)), (D(2026, 12, 21), D(2026, 12, 25))])
        r["leave"].append({"start": a, "end": b, "reason": "vacances de Noël"})
    for r in rng.sample([r for r in readers if not r["leave"]], 30):
        d0 = D(2026, 12, rng.randint(1, 17))
        r["leave"].append({"start": d0, "end": d0 + dt.timedelta(days=rng.randint(1, 2)), "reason": "formation (DPC)"})
    for r in rng.sample([r for r in readers if not r["leave"]], 8):
        d0 = D(2026, 12, rng.randint(1, 10))
        r["leave"].append({"start": d0, "end": d0 + dt.timedelta(days=rng.randint(7, 13)), "reason": "arrêt maladie"})
    free = [r for r in readers if not r["leave"]]
    for r in rng.sample(free, 60):
        d0 = D(2026, 12, rng.randint(1, 30))
        r["requests"].append({"kind": "want", "shift_type": "night", "dates": [d0], "weight": rng.choice([1, 2])})
    for r in rng.sample(free, 60):
        r["requests"].append({"kind": "avoid", "dates": [D(2026, 12, 24), D(2026, 12, 25)], "weight": 3})
    for r in rng.sample(free, 40):
        r["requests"].append({"kind": "avoid", "dates": [D(2026, 12, 31)], "weight": 2})

    # History: nights and Sunday gardes of late November
    for r in rng.sample(readers, 90):
        if r["rule_set"] == "fr_telerad":
            days = rng.choice([[D(2026, 11, 30)], [D(2026, 11, 28), D(2026, 11, 30)], [D(2026, 11, 29)]])
        else:
            days = [rng.choice([D(2026, 11, 27), D(2026, 11, 28), D(2026, 11, 30)])]
        r["history"]["shifts"] = [{"shift_type": "sunday_24h" if d.weekday() == 6 else "night", "date": d}
                                  for d in days]
        r["history"]["nights"] = len(days)

    data = {
        "name": f"tier-m-fr-national-december-2026-seed{seed}",
        "horizon": {"start": start, "end": end, "timezone": "Europe/Paris", "holidays": {"country": "FR"}},
        "jurisdictions": [{"id": "FR", "name": "France"}],
        "subspecialties": FR_SUBSPECIALTIES,
        "shift_types": shift_types,
        "rule_sets": rule_sets,
        "sites": sites,
        "radiologists": [clean_reader(r) for r in readers],
    }
    region_of = {r["id"]: r["id"].split("-")[0] for r in data["radiologists"]}
    # twice the minimum: a quarter of the readers are away at Christmas, part-timers' caps run out
    repair_fast(data, validate(data), rng, minimum=2 * MIN_ELIGIBLE,
                prefer=lambda rid, sid: 0 if sid.startswith(region_of[rid] + ".") else 1)
    return data


def region_of_site(site_id: str) -> str:
    """The region code of an M site (`naq.chu_bordeaux` -> `naq`)."""
    return site_id.split(".")[0]


# ==============================================================================================
# L: US national, 2,000 facilities, January 2027
# ==============================================================================================
DESKS = {"east": "America/New_York", "central": "America/Chicago", "mountain": "America/Denver",
         "pacific": "America/Los_Angeles"}
NEIGHBOURS = {"east": ["east", "central"], "central": ["central", "east", "mountain"],
              "mountain": ["mountain", "central", "pacific"], "pacific": ["pacific", "mountain"]}
NIGHT_DESKS = {"east": ["east", "central"], "central": ["central", "east"], "mountain": ["mountain", "pacific"],
               "pacific": ["pacific", "mountain"]}  # a nighthawk reads their own desk or one next to it
# state: (name, population in millions (2020 census, rounded), desk, facility time zone, cities)
US_ALL_STATES = {
    "AL": ("Alabama", 5.0, "central", "America/Chicago",
           "Birmingham|Montgomery|Mobile|Huntsville|Tuscaloosa|Dothan|Auburn|Gadsden|Florence"),
    "AK": ("Alaska", 0.7, "pacific", "America/Anchorage", "Anchorage|Fairbanks|Juneau|Soldotna|Wasilla|Ketchikan"),
    "AZ": ("Arizona", 7.2, "mountain", "America/Phoenix",
           "Phoenix|Tucson|Mesa|Flagstaff|Yuma|Prescott|Scottsdale|Kingman|Sierra Vista"),
    "AR": ("Arkansas", 3.0, "central", "America/Chicago",
           "Little Rock|Fayetteville|Fort Smith|Jonesboro|Pine Bluff|Hot Springs|Conway|Texarkana"),
    "CA": ("California", 39.5, "pacific", "America/Los_Angeles",
           "Fresno|Bakersfield|Modesto|Redding|Santa Rosa|Riverside|San Luis Obispo|Chico|Sacramento|Stockton|"
           "Visalia|Salinas|Oxnard|San Bernardino|Palm Springs|Eureka|Merced|Santa Barbara|San Diego|Los Angeles|"
           "Oakland|San Jose|Ventura|Lancaster|Napa"),
    "CO": ("Colorado", 5.8, "mountain", "America/Denver",
           "Denver|Pueblo|Grand Junction|Greeley|Fort Collins|Colorado Springs|Durango|Boulder|Montrose"),
    "CT": ("Connecticut", 3.6, "east", "America/New_York",
           "Hartford|New Haven|Bridgeport|Waterbury|Norwich|Danbury|Stamford"),
    "DE": ("Delaware", 1.0, "east", "America/New_York", "Wilmington|Dover|Lewes|Newark"),
    "DC": ("District of Columbia", 0.7, "east", "America/New_York",
           "Capitol Hill|Georgetown|Anacostia|Foggy Bottom|Brookland"),
    "FL": ("Florida", 21.5, "east", "America/New_York",
           "Tampa|Orlando|Jacksonville|Gainesville|Fort Myers|Miami|Tallahassee|Pensacola|Sarasota|Ocala|Lakeland|"
           "Daytona Beach|Naples|West Palm Beach|Panama City|St. Petersburg"),
    "GA": ("Georgia", 10.7, "east", "America/New_York",
           "Atlanta|Macon|Savannah|Augusta|Columbus|Albany|Athens|Valdosta|Rome|Gainesville"),
    "HI": ("Hawaii", 1.5, "pacific", "Pacific/Honolulu", "Honolulu|Hilo|Kahului|Lihue|Kailua-Kona"),
    "ID": ("Idaho", 1.8, "mountain", "America/Boise", "Boise|Idaho Falls|Pocatello|Twin Falls|Coeur d'Alene|Lewiston"),
    "IL": ("Illinois", 12.8, "central", "America/Chicago",
           "Peoria|Rockford|Springfield|Champaign|Joliet|Chicago|Evanston|Decatur|Bloomington|Carbondale|Quincy"),
    "IN": ("Indiana", 6.8, "east", "America/Indiana/Indianapolis",
           "Indianapolis|Fort Wayne|Evansville|South Bend|Lafayette|Muncie|Terre Haute|Bloomington|Gary"),
    "IA": ("Iowa", 3.2, "central", "America/Chicago",
           "Des Moines|Cedar Rapids|Davenport|Sioux City|Iowa City|Waterloo|Dubuque|Ames"),
    "KS": ("Kansas", 2.9, "central", "America/Chicago",
           "Wichita|Topeka|Kansas City|Salina|Hays|Lawrence|Manhattan|Garden City"),
    "KY": ("Kentucky", 4.5, "east", "America/Kentucky/Louisville",
           "Louisville|Lexington|Bowling Green|Owensboro|Paducah|Pikeville|Elizabethtown|Hazard"),
    "LA": ("Louisiana", 4.7, "central", "America/Chicago",
           "New Orleans|Baton Rouge|Shreveport|Lafayette|Lake Charles|Monroe|Alexandria|Houma"),
    "ME": ("Maine", 1.4, "east", "America/New_York", "Portland|Bangor|Lewiston|Augusta|Presque Isle|Biddeford"),
    "MD": ("Maryland", 6.2, "east", "America/New_York",
           "Baltimore|Annapolis|Frederick|Salisbury|Hagerstown|Cumberland|Columbia|Easton"),
    "MA": ("Massachusetts", 7.0, "east", "America/New_York",
           "Boston|Worcester|Springfield|Lowell|Pittsfield|Hyannis|Brockton|Fall River|Salem"),
    "MI": ("Michigan", 10.1, "east", "America/Detroit",
           "Detroit|Grand Rapids|Lansing|Flint|Kalamazoo|Traverse City|Saginaw|Marquette|Ann Arbor|Petoskey"),
    "MN": ("Minnesota", 5.7, "central", "America/Chicago",
           "Duluth|St. Cloud|Mankato|Rochester|Minneapolis|Saint Paul|Bemidji|Brainerd"),
    "MS": ("Mississippi", 3.0, "central", "America/Chicago",
           "Jackson|Gulfport|Hattiesburg|Tupelo|Meridian|Oxford|Greenville"),
    "MO": ("Missouri", 6.2, "central", "America/Chicago",
           "St. Louis|Kansas City|Springfield|Columbia|Joplin|Cape Girardeau|St. Joseph|Rolla"),
    "MT": ("Montana", 1.1, "mountain", "America/Denver",
           "Billings|Missoula|Great Falls|Bozeman|Kalispell|Helena|Butte"),
    "NE": ("Nebraska", 2.0, "central", "America/Chicago",
           "Omaha|Lincoln|Grand Island|Kearney|Scottsbluff|North Platte"),
    "NV": ("Nevada", 3.1, "pacific", "America/Los_Angeles", "Las Vegas|Reno|Carson City|Elko|Henderson"),
    "NH": ("New Hampshire", 1.4, "east", "America/New_York", "Manchester|Concord|Nashua|Lebanon|Portsmouth|Keene"),
    "NJ": ("New Jersey", 9.3, "east", "America/New_York",
           "Newark|Trenton|Camden|Paterson|New Brunswick|Atlantic City|Morristown|Toms River|Hackensack"),
    "NM": ("New Mexico", 2.1, "mountain", "America/Denver",
           "Albuquerque|Santa Fe|Las Cruces|Roswell|Farmington|Gallup"),
    "NY": ("New York", 20.2, "east", "America/New_York",
           "Albany|Buffalo|Rochester|Syracuse|Binghamton|Utica|Plattsburgh|Elmira|Poughkeepsie|Brooklyn|Bronx|"
           "Queens|White Plains|Glens Falls|Watertown"),
    "NC": ("North Carolina", 10.4, "east", "America/New_York",
           "Greensboro|Wilmington|Charlotte|Raleigh|Durham|Asheville|Greenville|Fayetteville|Winston-Salem|Hickory"),
    "ND": ("North Dakota", 0.8, "central", "America/Chicago", "Fargo|Bismarck|Grand Forks|Minot|Williston"),
    "OH": ("Ohio", 11.8, "east", "America/New_York",
           "Toledo|Dayton|Akron|Canton|Columbus|Cleveland|Cincinnati|Youngstown|Lima|Mansfield|Zanesville"),
    "OK": ("Oklahoma", 4.0, "central", "America/Chicago",
           "Oklahoma City|Tulsa|Lawton|Enid|Norman|Muskogee|Ardmore"),
    "OR": ("Oregon", 4.2, "pacific", "America/Los_Angeles",
           "Portland|Eugene|Medford|Salem|Bend|Corvallis|Klamath Falls|Pendleton"),
    "PA": ("Pennsylvania", 13.0, "east", "America/New_York",
           "Erie|Allentown|Pittsburgh|Philadelphia|Harrisburg|Scranton|Lancaster|Reading|Altoona|Williamsport|"
           "Johnstown|York"),
    "RI": ("Rhode Island", 1.1, "east", "America/New_York", "Providence|Warwick|Pawtucket|Newport|Westerly"),
    "SC": ("South Carolina", 5.1, "east", "America/New_York",
           "Columbia|Charleston|Greenville|Spartanburg|Florence|Myrtle Beach|Rock Hill|Anderson"),
    "SD": ("South Dakota", 0.9, "central", "America/Chicago", "Sioux Falls|Rapid City|Aberdeen|Watertown|Pierre"),
    "TN": ("Tennessee", 6.9, "central", "America/Chicago",
           "Nashville|Jackson|Clarksville|Memphis|Knoxville|Chattanooga|Johnson City|Cookeville|Kingsport"),
    "TX": ("Texas", 29.1, "central", "America/Chicago",
           "Amarillo|Lubbock|Tyler|Waco|Corpus Christi|Beaumont|Abilene|Houston|Dallas|San Antonio|Austin|El Paso|"
           "Fort Worth|Laredo|McAllen|Midland|Odessa|Wichita Falls|San Angelo|Temple|Longview|Brownsville|Victoria|"
           "Bryan"),
    "UT": ("Utah", 3.3, "mountain", "America/Denver", "Salt Lake City|Provo|Ogden|St. George|Logan|Cedar City"),
    "VT": ("Vermont", 0.6, "east", "America/New_York", "Burlington|Rutland|Bennington|Brattleboro|St. Johnsbury"),
    "VA": ("Virginia", 8.6, "east", "America/New_York",
           "Richmond|Norfolk|Roanoke|Charlottesville|Lynchburg|Fairfax|Winchester|Harrisonburg|Danville|"
           "Fredericksburg"),
    "WA": ("Washington", 7.7, "pacific", "America/Los_Angeles",
           "Spokane|Yakima|Tacoma|Seattle|Everett|Bellingham|Olympia|Wenatchee|Kennewick|Vancouver"),
    "WV": ("West Virginia", 1.8, "east", "America/New_York",
           "Charleston|Morgantown|Huntington|Wheeling|Beckley|Parkersburg"),
    "WI": ("Wisconsin", 5.9, "central", "America/Chicago",
           "Milwaukee|Madison|Green Bay|Eau Claire|La Crosse|Wausau|Appleton|Oshkosh|Kenosha"),
    "WY": ("Wyoming", 0.6, "mountain", "America/Denver", "Cheyenne|Casper|Laramie|Sheridan|Rock Springs|Gillette"),
}
L_PATTERNS = US_PATTERNS + [
    "{c} Memorial Hospital", "St. Joseph's Medical Center {c}", "{c} Valley Hospital", "Methodist Hospital {c}",
    "{c} Medical Center", "Sacred Heart Hospital {c}", "{c} Imaging Center", "Trinity Health {c}",
]
L_SUBSPECIALTIES = [
    {"id": "neuro", "name": "Neuroradiology"}, {"id": "body", "name": "Body imaging"},
    {"id": "chest", "name": "Cardiothoracic imaging"}, {"id": "msk", "name": "Musculoskeletal"},
    {"id": "peds", "name": "Pediatric radiology"},
]
# size class: share, night studies, swing (days, studies, share of the class that needs it), day (same)
L_PROFILES = {
    "critical_access": (0.35, 1.5, None, None),
    "community": (0.35, 3.0, (["weekends", "holidays"], 3.0, 0.3), None),
    "regional": (0.22, 5.5, (["all"], 6.0, 1.0), (["weekends", "holidays"], 6.0, 1.0)),
    "large": (0.08, 8.0, (["all"], 8.0, 1.0), (["all"], 11.0, 1.0)),
}


def _state_counts(total: int, minimum: int = 5) -> dict[str, int]:
    """Facilities per state: in proportion to population (plus a rural constant), at least `minimum`."""
    w = {st: v[1] + 1.5 for st, v in US_ALL_STATES.items()}
    scale = total / sum(w.values())
    counts = {st: max(minimum, round(x * scale)) for st, x in w.items()}
    order = sorted(w, key=lambda st: -w[st])
    k = 0
    while sum(counts.values()) != total:  # adjust the biggest states one at a time
        st = order[k % 10]
        counts[st] += 1 if sum(counts.values()) < total else -1
        k += 1
    return counts


def tier_l(seed: int = 3) -> dict:
    """L: 500 readers, 2,000 facilities in 50 states and DC, 4 desks x day/swing/night, January 2027."""
    rng = random.Random(f"tier-l-{seed}")
    start, end = D(2027, 1, 1), D(2027, 1, 31)
    shift_types = []
    for desk, tz in DESKS.items():
        shift_types += [
            {"id": f"day_{desk}", "label": f"{desk} day", "start": "08:00", "end": "17:00", "timezone": tz,
             "days": ["all"], "kind": "day", "burden_points": 1, "weekend_burden_points": 2,
             "holiday_burden_points": 3},
            {"id": f"swing_{desk}", "label": f"{desk} swing", "start": "15:00", "end": "00:00", "timezone": tz,
             "days": ["all"], "kind": "evening", "burden_points": 2, "weekend_burden_points": 3,
             "holiday_burden_points": 4},
            {"id": f"night_{desk}", "label": f"{desk} night", "start": "22:00", "end": "08:00", "timezone": tz,
             "days": ["all"], "kind": "night", "burden_points": 3, "weekend_burden_points": 4,
             "holiday_burden_points": 5},
        ]
    rule_sets = [
        {"id": "us_attending", "label": "US attending, day and swing", "min_rest_hours": 10,
         "rest_after_night_hours": 10, "max_consecutive_days": 7, "max_weekends": 3},
        {"id": "us_attending_part", "label": "US attending, part time", "min_rest_hours": 10,
         "rest_after_night_hours": 10, "max_consecutive_days": 5, "max_weekends": 2, "max_total_hours": 110},
        {"id": "us_nighthawk", "label": "US nighthawk, 7 nights on / 7 off", "min_rest_hours": 10,
         "rest_after_night_hours": 10, "max_consecutive_nights": 7, "min_days_off_after_nights": 7},
        {"id": "offshore_nighthawk", "label": "Offshore nighthawk (preliminary reads), 7 on / 7 off",
         "min_rest_hours": 10, "rest_after_night_hours": 10, "max_consecutive_nights": 7,
         "min_days_off_after_nights": 7},
    ]
    jurisdictions = [{"id": f"US-{st}", "name": v[0]} for st, v in US_ALL_STATES.items()]

    counts = _state_counts(2000)
    sites = []
    by_state: dict[str, list[str]] = defaultdict(list)
    desk_of: dict[str, str] = {}
    needs_types: dict[str, set[str]] = {}
    stroke_sites: set[str] = set()
    classes = list(L_PROFILES)
    class_w = [L_PROFILES[c][0] for c in classes]
    for st, (_name, _pop, desk, tz, cities) in US_ALL_STATES.items():
        names = [p.format(c=c) for c in cities.split("|") for p in L_PATTERNS]
        rng.shuffle(names)
        for j in range(counts[st]):
            sid = f"{st.lower()}-{j + 1:03d}"
            size = rng.choices(classes, class_w)[0]
            _share, night, swing, day = L_PROFILES[size]
            stroke = size == "large" and rng.random() < 0.5
            if stroke:
                stroke_sites.add(sid)
            cov = [{"shift_type": f"night_{desk}", "readers": 1, "studies": jitter(rng, night, 0.35)}]
            if stroke:
                cov.append({"shift_type": f"night_{desk}", "subspecialty": "neuro", "readers": 1,
                            "studies": jitter(rng, 4, 0.35)})
            for kind, spec in (("swing", swing), ("day", day)):
                if spec and rng.random() < spec[2]:
                    cov.append({"shift_type": f"{kind}_{desk}", "days": spec[0], "readers": 1,
                                "studies": jitter(rng, spec[1], 0.35)})
            prio = {"critical_access": 1, "community": 2, "regional": 3, "large": 5}[size] + (5 if stroke else 0)
            sites.append({"id": sid, "name": f"{names[j]}, {st}", "jurisdiction": f"US-{st}", "timezone": tz,
                          "priority": prio, "coverage": cov})
            by_state[st].append(sid)
            desk_of[sid] = desk
            needs_types[sid] = {c["shift_type"].split("_")[0] for c in cov}

    # readers: roles and homes
    n = 500
    roles = ["nighthawk"] * 175 + ["sydney"] * 40 + ["zurich"] * 20 + ["attending"] * 185 + ["part"] * 80
    rng.shuffle(roles)
    homes_day = rng.choices(list(DESKS), [0.40, 0.28, 0.10, 0.22], k=n)
    homes_night = rng.choices(list(DESKS), [0.45, 0.33, 0.07, 0.15], k=n)  # where the night volume is
    states_of_desk: dict[str, list[str]] = defaultdict(list)
    for st, v in US_ALL_STATES.items():
        states_of_desk[v[2]].append(st)
    # how many readers already hold privileges at each facility, by what they read there
    held: dict[str, Counter] = {"night": Counter(), "dayswing": Counter()}
    phase_of: dict[str, int] = {}  # nighthawk -> day of their 14-day cycle on 1 January (0-6: on nights)
    crews: dict[tuple, list[dict]] = defaultdict(list)
    taken: set[str] = set()
    readers = []
    for k, (first, last) in enumerate(unique_names(rng, n, US_FIRST, US_LAST)):
        role = roles[k]
        if role == "sydney":
            desks, tz, home = ["east", "central"], "Australia/Sydney", None
        elif role == "zurich":
            desks, tz, home = ["mountain", "pacific"], "Europe/Zurich", None
        else:
            home = homes_night[k] if role == "nighthawk" else homes_day[k]
            desks, tz = (NIGHT_DESKS if role == "nighthawk" else NEIGHBOURS)[home], DESKS[home]
        night = role in ("nighthawk", "sydney", "zurich")
        allowed = ([f"night_{d}" for d in desks] if night
                   else [f"{kind}_{d}" for d in desks for kind in ("day", "swing")])
        # licenses: a home state, then states of the desks read (weighted by facilities), a few others
        n_lic = min(30, max(6, round(rng.lognormvariate(math.log(13), 0.35))))
        if role in ("sydney", "zurich"):
            n_lic = min(30, n_lic + 6)  # offshore nighthawks hold many licenses
        states = list(US_ALL_STATES)
        w = [(counts[st] + 8) * (4.0 if US_ALL_STATES[st][2] in desks else 0.6) for st in states]
        lic_states = weighted_sample(rng, states, w, n_lic)
        if home:
            home_state = rng.choices(states_of_desk[home], [counts[s] for s in states_of_desk[home]])[0]
            if home_state not in lic_states:
                lic_states[-1] = home_state
        licenses = []
        for st in sorted(lic_states):
            lic = {"jurisdiction": f"US-{st}"}
            roll = rng.random()
            if roll < 0.01:
                lic["valid_until"] = D(2027, 1, rng.randint(10, 25))  # renewal not filed in time
            elif roll < 0.02:
                lic["valid_from"] = D(2027, 1, rng.randint(5, 20))  # newly granted through the IMLC
            licenses.append(lic)
        # privileges: facilities of licensed states read on one of the reader's desks, spread evenly
        group = "night" if night else "dayswing"
        neuro = rng.random() < (0.4 if night else 0.25)
        cand = [s for st in lic_states for s in by_state[st] if desk_of[s] in desks
                and (night or needs_types[s] & {"day", "swing"})]
        n_priv = min(len(cand), max(60, round(rng.gauss(235 if night else 120, 35))))
        # a neuro nighthawk reads for the stroke centres of their states and desks
        picks = [s for s in cand if s in stroke_sites] if night and neuro else []
        rest = [s for s in cand if s not in set(picks)]
        pw = [1.0 / (1 + held[group][s]) ** 2 for s in rest]
        picks += weighted_sample(rng, rest, pw, max(0, n_priv - len(picks)))
        for s in picks:
            held[group][s] += 1
        privileges = []
        for s in sorted(picks):
            p = {"site": s}
            roll = rng.random()
            if roll < 0.01:
                p["valid_until"] = D(2027, 1, rng.randint(12, 28))  # reappointment due
            elif roll < 0.02:
                p["valid_from"] = D(2027, 1, rng.randint(4, 18))  # credentialing by proxy just approved
            privileges.append(p)
        subs = (["neuro"] if neuro else []) + rng.sample(["body", "chest", "msk", "peds"], rng.choice([0, 1, 1, 2]))
        rule = {"nighthawk": "us_nighthawk", "sydney": "offshore_nighthawk", "zurich": "offshore_nighthawk",
                "attending": "us_attending", "part": "us_attending_part"}[role]
        fte = rng.choice([0.5, 0.6]) if role == "part" else 1.0
        r = {
            "id": unique_id(ascii_slug(f"{first}_{last}"), taken),
            "name": f"{first} {last}, MD",
            "email": email_of(first, last, "nationalrad.example.com"),
            "timezone": tz,
            "licenses": licenses,
            "privileges": privileges,
            "subspecialties": subs,
            "fte": fte,
            "rule_set": rule,
            "allowed_shift_types": allowed,
            "studies_per_hour": rng.choice([12, 13, 13, 14, 14, 15]),
            "leave": [],
            "requests": [],
            "history": {"burden_points": _history_burden(rng, fte)},
        }
        if night:
            crews[(tuple(desks), neuro)].append(r)
        readers.append(r)

    # 7-on/7-off blocks, staggered within each crew (same desks, neuro or not) so that every night
    # has a similar crew on; the phase on 1 January is carried by the December history
    for crew in crews.values():
        rng.shuffle(crew)
        for k, r in enumerate(crew):
            phase = phase_of[r["id"]] = (k * 14 // len(crew) + rng.randrange(2)) % 14
            past = [D(2027, 1, 1) - dt.timedelta(days=j) for j in range(1, 8) if (phase - j) % 14 < 7]
            desk = r["allowed_shift_types"][0]
            r["history"]["shifts"] = [{"shift_type": desk, "date": d} for d in sorted(past)]
            r["history"]["nights"] = len(past)

    # Leave: a post-holiday week for some, a few longer absences; requests around MLK Day
    for r in rng.sample(readers, 45):
        d0 = D(2027, 1, rng.randint(2, 24))
        r["leave"].append({"start": d0, "end": d0 + dt.timedelta(days=rng.randint(3, 7)), "reason": "vacation"})
    for r in rng.sample([r for r in readers if not r["leave"]], 5):
        r["leave"].append({"start": D(2027, 1, rng.randint(1, 8)), "end": D(2027, 1, 31), "reason": "parental leave"})
    free = [r for r in readers if not r["leave"]]
    for r in rng.sample(free, 40):
        r["requests"].append({"kind": "avoid", "dates": [D(2027, 1, 18)], "weight": 2})
    for r in rng.sample(free, 30):
        d0 = D(2027, 1, rng.randint(2, 25))
        r["requests"].append({"kind": "want", "dates": [d0 + dt.timedelta(days=j) for j in range(3)], "weight": 1})

    data = {
        "name": f"tier-l-us-national-january-2027-seed{seed}",
        "horizon": {"start": start, "end": end, "timezone": "America/New_York", "holidays": {"country": "US"}},
        "jurisdictions": jurisdictions,
        "subspecialties": L_SUBSPECIALTIES,
        "shift_types": shift_types,
        "rule_sets": rule_sets,
        "sites": sites,
        "radiologists": [clean_reader(r) for r in readers],
    }
    # half of the nighthawks are off their block on any night: twice the minimum in all, and more
    # than the minimum among those whose block (as the December history sets it) covers the night
    repair_fast(data, validate(data), rng, minimum=2 * MIN_ELIGIBLE, duty_minimum=MIN_ELIGIBLE + 2,
                on_duty=lambda rid, d: rid not in phase_of or (phase_of[rid] + (d - start).days) % 14 < 7)
    for r in data["radiologists"]:
        r["privileges"].sort(key=lambda p: p["site"])
    return data


# ==============================================================================================
# CLI
# ==============================================================================================
TIERS = {"S": tier_s, "M": tier_m, "L": tier_l}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tier", choices=sorted(TIERS), type=str.upper)
    ap.add_argument("--seed", type=int, default=None, help="default: 1 for S, 2 for M, 3 for L")
    ap.add_argument("--out", type=Path, default=None, help="write the scenario YAML here")
    ap.add_argument("--check", action="store_true",
                    help="also run scheduler.check on the greedy roster (a certificate of full coverage)")
    args = ap.parse_args(argv)
    build = TIERS[args.tier]
    t0 = time.perf_counter()
    data = build() if args.seed is None else build(args.seed)
    t_gen = time.perf_counter() - t0
    scenario = validate(data)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(scenario_to_yaml(scenario), encoding="utf-8")
    inst = build_instance(scenario)
    stats = analyse(scenario, inst=inst)
    where = f" -> {args.out}" if args.out is not None else ""
    print(f"tier {args.tier}: {stats.line()}; generated in {t_gen:.1f} s{where}")
    if args.check:
        from scheduler.check import check

        report = check(inst, stats.roster)
        print(f"greedy roster: {len(stats.roster.assignments)} assignments, {len(report.violations)} hard "
              f"violations, {len(report.uncovered)} needs uncovered (scheduler.check)")
        if report.violations or report.uncovered:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
