"""Tables the app shows: the reader x day grid, the site x day coverage view, fairness, edits.

Shaping only: every figure comes from the instance, the checker or the report tallies, so the
app stays free of scheduling logic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from scheduler.check import check
from scheduler.instance import Instance
from scheduler.replan.candidates import Candidate, open_shift
from scheduler.report import tallies
from scheduler.result import Assignment, CheckReport, Roster

LOCK = "\U0001f512"


def _day_label(day: dt.date) -> str:
    return f"{day:%a} {day.day:02d}/{day.month:02d}"


def shift_type_label(inst: Instance, type_id: str) -> str:
    """The shift type's label; the bare id for one the scenario no longer has."""
    return inst.shift_label(type_id) if type_id in inst.scenario.shift_type_by_id else type_id


def reader_grid(
    inst: Instance, roster: Roster, *, readers: list[str] | None = None, sites: list[str] | None = None
) -> pd.DataFrame:
    """Rows readers, columns days; a cell is the shift worked (with a lock mark), empty when off."""
    cells: dict[str, dict[dt.date, str]] = {}
    for a in roster.assignments:
        if sites and not set(a.sites) & set(sites):
            continue
        cells.setdefault(a.reader, {})[a.date] = shift_type_label(inst, a.shift_type) + (f" {LOCK}" if a.locked else "")
    rows = [r for r in inst.readers if readers is None or r.id in readers]
    data = {_day_label(d): [cells.get(r.id, {}).get(d, "") for r in rows] for d in inst.days}
    return pd.DataFrame(data, index=pd.Index([r.display for r in rows], name="reader"))


def coverage_grid(
    inst: Instance, roster: Roster, report: CheckReport | None = None, *, sites: list[str] | None = None,
    subspecialty: str | None = None,
) -> pd.DataFrame:
    """Rows (site, shift type), columns days: who reads for the site then; 'UNCOVERED' when short."""
    report = report or check(inst, roster)
    short = {(u.site, u.shift_type, u.date) for u in report.uncovered}
    who: dict[tuple[str, str, dt.date], list[str]] = {}
    for a in roster.assignments:
        for s in a.sites:
            who.setdefault((s, a.shift_type, a.date), []).append(inst.reader_name(a.reader))
    rows, index = [], []
    for site in inst.scenario.sites:
        if sites and site.id not in sites:
            continue
        for st in inst.scenario.shift_types:
            needs = [n for n in site.coverage if n.shift_type == st.id]
            if not needs or (subspecialty and not any(n.subspecialty == subspecialty for n in needs)):
                continue
            row = []
            for day in inst.days:
                shift = inst.shift_by_key.get((st.id, day))
                if shift is None or (site.id, shift.index) not in inst.demands:
                    row.append("")
                    continue
                names = ", ".join(sorted(who.get((site.id, st.id, day), [])))
                row.append(f"UNCOVERED {names}".strip() if (site.id, st.id, day) in short else names)
            rows.append(row)
            index.append((site.display, inst.shift_label(st.id)))
    columns = [_day_label(d) for d in inst.days]
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["site", "shift"]) if index else None,
                        columns=columns)


def fairness_table(inst: Instance, roster: Roster) -> pd.DataFrame:
    """Per reader: FTE, shifts, nights, burden this horizon and with history against the FTE target."""
    rows = tallies(inst, roster)["readers"]
    return pd.DataFrame(
        [
            {
                "reader": r["name"],
                "fte": r["fte"],
                "shifts": r["shifts"],
                "nights": r["nights"],
                "burden (this period)": r["burden_this_horizon"],
                "burden (with history)": r["burden_with_history"],
                "target (FTE share)": round(r["burden_share"], 1),
                "deviation": round(r["burden_deviation"], 1),
                "hours": r["hours_this_horizon"],
            }
            for r in rows
        ]
    )


def requests_table(inst: Instance, roster: Roster) -> tuple[int, int, pd.DataFrame]:
    """(met, total, unmet requests in words)."""
    req = tallies(inst, roster)["requests"]
    unmet = pd.DataFrame([{"reader": inst.reader_name(u["reader"]), "request": u["message"]} for u in req["unmet"]])
    return req["met"], req["total"], unmet


def uncovered_table(report: CheckReport) -> pd.DataFrame:
    return pd.DataFrame(
        [{"date": u.date, "site": u.site, "shift": u.shift_type, "missing": u.missing, "need": u.message}
         for u in report.uncovered]
    )


# ---- manual edits ----------------------------------------------------------------------------
@dataclass(frozen=True)
class EditOutcome:
    """The roster after an edit and the checker's verdict on it (violations in words)."""

    roster: Roster
    report: CheckReport
    new_violations: list[str]


def _key(a: Assignment) -> tuple[str, str, dt.date]:
    return (a.reader, a.shift_type, a.date)


def _outcome(inst: Instance, before: Roster, after: Roster) -> EditOutcome:
    old = {v.message for v in check(inst, before).violations}
    report = check(inst, after)
    return EditOutcome(after.sorted(), report, [v.message for v in report.violations if v.message not in old])


def assign(inst: Instance, roster: Roster, reader: str, shift_type: str, date: dt.date, sites: tuple[str, ...],
           *, locked: bool = False) -> EditOutcome:
    """Give `reader` this shift at `sites` (replacing what they had on it), checked at once."""
    kept = tuple(a for a in roster.assignments if _key(a) != (reader, shift_type, date))
    new = Assignment(reader=reader, shift_type=shift_type, date=date, sites=tuple(sorted(sites)), locked=locked)
    return _outcome(inst, roster, Roster(assignments=(*kept, new)))


def unassign(inst: Instance, roster: Roster, reader: str, shift_type: str, date: dt.date) -> EditOutcome:
    kept = tuple(a for a in roster.assignments if _key(a) != (reader, shift_type, date))
    return _outcome(inst, roster, Roster(assignments=kept))


def set_locked(inst: Instance, roster: Roster, reader: str, shift_type: str, date: dt.date,
               locked: bool) -> EditOutcome:
    """Lock (or unlock) an assignment so a re-solve keeps it."""
    out = []
    found = False
    for a in roster.assignments:
        if _key(a) == (reader, shift_type, date):
            a, found = a.model_copy(update={"locked": locked}), True
        out.append(a)
    if not found:
        raise ValueError(f"{inst.reader_name(reader)} has no {shift_type} shift on {date.isoformat()} to lock")
    return _outcome(inst, roster, Roster(assignments=tuple(out)))


# ---- open-shift candidates -------------------------------------------------------------------
NeedKey = tuple[str, str, dt.date]  # (site, shift type, date)


def open_needs(inst: Instance, report: CheckReport) -> tuple[list[NeedKey], set[NeedKey]]:
    """Every site need as (site, shift type, date), the uncovered ones first, and the set of uncovered ones."""
    short = {(u.site, u.shift_type, u.date) for u in report.uncovered}
    keys = [(site, inst.shifts[i].type_id, inst.shifts[i].date) for site, i in inst.demands]
    keys.sort(key=lambda k: (k not in short, k[2], k[1], k[0]))
    return keys, short


def need_label(inst: Instance, key: NeedKey, short: set[NeedKey]) -> str:
    """'Sat 10/10 night, CHU Reims (uncovered)'."""
    site, type_id, date = key
    return f"{_day_label(date)} {inst.shift_label(type_id)}, {inst.site_name(site)}" + (
        " (uncovered)" if key in short else "")


def covering_readers(roster: Roster, key: NeedKey) -> list[str]:
    """Readers covering the site on that shift in `roster` (those who could release it)."""
    site, type_id, date = key
    return sorted({a.reader for a in roster.assignments if (a.shift_type, a.date) == (type_id, date)
                   and site in a.sites})


def candidates_table(inst: Instance, candidates: list[Candidate]) -> pd.DataFrame:
    """The ranked candidates: reader, whether they can take it, the change in the objective and why."""
    return pd.DataFrame(
        [
            {
                "rank": k,
                "reader": c.name,
                "ok": c.ok,
                "cost": c.cost,
                "cost by term": " · ".join(f"{n} {v:+,}" for n, v in c.weighted.items() if v) or "no change",
                "sites": ", ".join(inst.site_name(s) for s in c.sites),
                "reasons": "; ".join(c.reasons),
            }
            for k, c in enumerate(candidates, 1)
        ],
        columns=["rank", "reader", "ok", "cost", "cost by term", "sites", "reasons"],
    )


def give_shift(inst: Instance, roster: Roster, reader: str, key: NeedKey, *,
               releasing: str | None = None) -> EditOutcome:
    """Give the site's shift to `reader` (added to what they already have on it), after `releasing`
    gives it up; checked at once, violations counted against `roster`."""
    site, type_id, date = key
    base = open_shift(inst, roster, site, type_id, date, releasing=releasing).base
    was = next((a for a in base.assignments if _key(a) == (reader, type_id, date)), None)
    sites = (*was.sites, site) if was else (site,)
    outcome = assign(inst, base, reader, type_id, date, sites, locked=bool(was and was.locked))
    return _outcome(inst, roster, outcome.roster) if releasing else outcome
