"""Reading capacity: the expected studies a reader takes on in one shift (each covered site's
studies split over the readers it needs) must fit their studies per hour times the shift's true
length (a DST night is an hour longer or shorter)."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView

NAME = "capacity"


def encode(v: ModelVars) -> None:
    inst = v.inst
    for r in inst.readers:
        for s in v.shifts_of[r.id]:
            sites = inst.eligible[(r.id, s.index)]
            loads = {site: inst.demands[(site, s.index)].load_per_reader for site in sites}
            cap = inst.capacity(r, s)
            if sum(loads.values()) > cap:
                v.model.add(sum(loads[site] * v.y[(r.id, s.index, site)] for site in sites) <= cap).only_enforce_if(
                    v.enforce(NAME, r.id, s.day)
                )


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out = []
    for r in inst.readers:
        for w in view.by_reader[r.id]:
            if w.shift.index < 0:
                continue
            load = sum(inst.demands[(site, w.shift.index)].load_per_reader
                       for site in set(w.sites) if (site, w.shift.index) in inst.demands)
            cap = inst.capacity(r, w.shift)
            if load > cap:
                out.append(Violation(
                    NAME,
                    f"{r.display} takes on {load} studies on the {inst.describe_shift(w.shift)} "
                    f"but can read {cap} ({r.studies_per_hour:g}/h)",
                    r.id, w.shift.date, amount=load - cap))
    return out
