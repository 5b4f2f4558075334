"""The changes a published roster is re-planned for, applied to a scenario: small, typed, checked.

Each helper returns a new Scenario (the input is never modified) with one change applied: a reader
absent on some dates, a coverage need added or removed on some dates, a license or privilege that
ends (or is removed). Unknown ids and impossible dates are refused with an InputError naming the
argument, what is wrong and what would be valid. The parts changed are pydantic models built (and
so validated) here; the rest of the scenario is reused as it is (`Scenario.replace`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import ValidationError

from scheduler.errors import InputError, Issue
from scheduler.io.scenario_yaml import issues_from_validation
from scheduler.scenario import CoverageNeed, Leave, License, Privilege, Radiologist, Scenario, Site, day_matches

SOURCE = "re-plan change"


def _refuse(path: str, message: str) -> InputError:
    return InputError([Issue(path, message)], SOURCE)


def _known(ids: Iterable[str]) -> str:
    ids = sorted(ids)
    return ", ".join(ids[:15]) + (f" (and {len(ids) - 15} more)" if len(ids) > 15 else "") if ids else "none"


def _reader(scenario: Scenario, reader: str) -> Radiologist:
    found = scenario.radiologist_by_id.get(reader)
    if found is None:
        raise _refuse("reader", f"unknown reader {reader!r}; readers: {_known(scenario.radiologist_by_id)}")
    return found


def _site(scenario: Scenario, site: str) -> Site:
    found = scenario.site_by_id.get(site)
    if found is None:
        raise _refuse("site", f"unknown site {site!r}; sites: {_known(scenario.site_by_id)}")
    return found


def _shift_type(scenario: Scenario, shift_type: str) -> None:
    if shift_type not in scenario.shift_type_by_id:
        raise _refuse("shift_type", f"unknown shift type {shift_type!r}; shift types: "
                                    f"{_known(scenario.shift_type_by_id)}")


def _in_horizon(scenario: Scenario, path: str, day: dt.date) -> None:
    h = scenario.horizon
    if not h.start <= day <= h.end:
        raise _refuse(path, f"{day.isoformat()} is outside the period {h.start.isoformat()} to {h.end.isoformat()}")


def _dates(scenario: Scenario, dates: Iterable[dt.date]) -> tuple[dt.date, ...]:
    out = tuple(sorted(set(dates)))
    if not out:
        raise _refuse("dates", "no date given; give at least one date inside the period")
    for day in out:
        _in_horizon(scenario, "dates", day)
    return out


def _with_reader(scenario: Scenario, reader: Radiologist, **update: object) -> Scenario:
    readers = tuple(r.model_copy(update=update) if r.id == reader.id else r for r in scenario.radiologists)
    return scenario.replace(radiologists=readers)


def _with_site(scenario: Scenario, site: Site, coverage: tuple[CoverageNeed, ...]) -> Scenario:
    sites = tuple(s.model_copy(update={"coverage": coverage}) if s.id == site.id else s for s in scenario.sites)
    return scenario.replace(sites=sites)


def _build(model, path: str, **fields):
    try:
        return model(**fields)
    except ValidationError as err:
        issues = [Issue(f"{path}.{i.path}" if i.path else path, i.message) for i in issues_from_validation(err)]
        raise InputError(issues, SOURCE) from None


# ---- absence -------------------------------------------------------------------------------------
def with_absence(
    scenario: Scenario, reader: str, first_date: dt.date, last_date: dt.date, reason: str = "absence"
) -> Scenario:
    """`reader` is away from `first_date` to `last_date` inclusive: no shift of theirs may start then.

    The dates must overlap the period (an absence wholly outside it changes nothing to re-plan).
    """
    r = _reader(scenario, reader)
    if last_date < first_date:
        raise _refuse("last_date", f"{last_date.isoformat()} is before the first date {first_date.isoformat()}; "
                                   "the absence ends on or after the day it starts")
    h = scenario.horizon
    if last_date < h.start or first_date > h.end:
        raise _refuse("first_date", f"the absence {first_date.isoformat()} to {last_date.isoformat()} lies outside "
                                    f"the period {h.start.isoformat()} to {h.end.isoformat()}")
    if not reason.strip():
        raise _refuse("reason", "the reason is empty; say why (e.g. sick leave, training)")
    leave = _build(Leave, "leave", start=first_date, end=last_date, reason=reason.strip())
    return _with_reader(scenario, r, leave=(*r.leave, leave))


# ---- coverage needs ------------------------------------------------------------------------------
def active_dates(scenario: Scenario, site: Site, need: CoverageNeed) -> list[dt.date]:
    """The dates of the period on which `need` of `site` is active (holidays from the site's calendar)."""
    h = scenario.horizon
    cal = site.holidays or h.holidays
    holidays = set(cal.dates(h.start, h.end)) if cal is not None else set()
    st = scenario.shift_type_by_id[need.shift_type]
    out = []
    for day in h.days:
        if need.dates is not None:
            if day in need.dates and (need.days is None or day_matches(need.days, day, day in holidays)):
                out.append(day)
        elif day_matches(need.days or st.days, day, day in holidays):
            out.append(day)
    return out


def with_need_added(
    scenario: Scenario,
    site: str,
    shift_type: str,
    dates: Iterable[dt.date],
    *,
    readers: int = 1,
    subspecialty: str | None = None,
    studies: float = 0,
    priority: int | None = None,
) -> Scenario:
    """`site` needs `readers` more readers (with `subspecialty`, if given) on `shift_type` on `dates`."""
    s = _site(scenario, site)
    _shift_type(scenario, shift_type)
    days = _dates(scenario, dates)
    if subspecialty is not None and subspecialty not in {x.id for x in scenario.subspecialties}:
        raise _refuse("subspecialty", f"unknown subspecialty {subspecialty!r}; subspecialties: "
                                      f"{_known(x.id for x in scenario.subspecialties)}")
    if readers < 1:
        raise _refuse("readers", f"{readers} readers adds nothing; give at least 1")
    need = _build(CoverageNeed, "need", shift_type=shift_type, dates=days, readers=readers,
                  subspecialty=subspecialty, studies=studies, priority=priority)
    return _with_site(scenario, s, (*s.coverage, need))


def with_need_removed(scenario: Scenario, site: str, shift_type: str, dates: Iterable[dt.date]) -> Scenario:
    """`site` no longer needs anyone on `shift_type` on `dates` (every need of that type, those dates).

    A need stated by days of the week becomes the same need on its remaining dates of the period.
    """
    s = _site(scenario, site)
    _shift_type(scenario, shift_type)
    days = set(_dates(scenario, dates))
    coverage: list[CoverageNeed] = []
    removed = False
    for need in s.coverage:
        if need.shift_type != shift_type:
            coverage.append(need)
            continue
        active = active_dates(scenario, s, need)
        if not days & set(active):
            coverage.append(need)
            continue
        removed = True
        kept = tuple(d for d in active if d not in days)
        if kept:
            coverage.append(need.model_copy(update={"dates": kept}))
    if not removed:
        listed = ", ".join(sorted(d.isoformat() for d in days))
        raise _refuse("dates", f"{s.display} has no {shift_type} need on {listed}; nothing to remove")
    return _with_site(scenario, s, tuple(coverage))


# ---- credentials ---------------------------------------------------------------------------------
def with_credential_change(
    scenario: Scenario,
    reader: str,
    *,
    license: str | None = None,
    privilege: str | None = None,
    valid_until: dt.date | None = None,
    remove: bool = False,
) -> Scenario:
    """The reader's license in jurisdiction `license` (or privileges at site `privilege`) now ends on
    `valid_until`, or is removed altogether with `remove=True`.

    Every credential of that kind the reader holds is changed (a renewal included): each now ends
    on `valid_until`, and one that would only start after it is dropped.
    """
    r = _reader(scenario, reader)
    if (license is None) == (privilege is None):
        raise _refuse("license", "give exactly one of license (a jurisdiction id) or privilege (a site id)")
    if (valid_until is None) == (not remove):
        raise _refuse("valid_until", "give either valid_until (the last valid date) or remove=True, not both")
    if license is not None:
        field, kind = "licenses", "license"
        held = [c for c in r.licenses if c.jurisdiction == license]
        words = f"{license} license"
    else:
        _site(scenario, privilege)
        field, kind = "privileges", "privilege"
        held = [c for c in r.privileges if c.site == privilege]
        words = f"privileges at {scenario.site_by_id[privilege].display}"
    if not held:
        mine = ([c.jurisdiction for c in r.licenses] if license is not None else [c.site for c in r.privileges])
        raise _refuse(kind, f"{r.display} holds no {words}; they hold: {_known(set(mine))}")
    model = License if license is not None else Privilege
    out = []
    for c in getattr(r, field):
        if c not in held:
            out.append(c)
        elif remove or (c.valid_from is not None and c.valid_from > valid_until):
            continue
        else:
            data = c.model_dump()
            data["valid_until"] = valid_until
            out.append(_build(model, kind, **data))
    return _with_reader(scenario, r, **{field: tuple(out)})
