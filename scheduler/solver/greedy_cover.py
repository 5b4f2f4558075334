"""The per-date step of the greedy construction (scheduler.solver.greedy): a lazy weighted set cover.

One date's shift instances are staffed together, each reader working at most one of them. The
(reader, shift) pair that absorbs the most open need, each need's studies weighted up when few
candidates can take it and the whole times the reader's preference weight, is called in first;
the reader takes the subspecialty slots they can fill first, then the scarcest needs, within their
studies capacity. A repair then places each slot still open: on a working reader with room, a free
reader, a working reader once another takes over one of their sites, or a reader moved from
another shift of the date whose sites there others take over.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from scheduler.instance import Demand

Pair = tuple[str, int]  # (reader id, shift index)
Nid = tuple[int, int]  # (shift index, position of the demand in its shift's list)


@dataclass
class DateCover:
    """What one date's cover decided: reader -> (shift index, sites covered), and slots left open."""

    called: dict[str, tuple[int, list[str]]]
    open_slots: int


def cover_date(
    groups: Mapping[int, Sequence[tuple[Demand, Sequence[str]]]],
    subs: Mapping[str, frozenset[str]],
    capacity: Callable[[str, int], int],
    can: Callable[[str, int], bool],
    weight: Callable[[str, int], float],
    kept: Callable[[str, int], Collection[str]] | None = None,
) -> DateCover:
    """Staff the shifts of one date.

    `groups` maps each shift index of the date to its demands and the readers eligible for each;
    `subs` gives each reader's subspecialties; `capacity(reader, shift)` the studies they can read
    in it; `can(reader, shift)` whether taking it keeps every rule the caller checks; `weight`
    the caller's preference (1 neutral). `kept(reader, shift)`, when given, names the sites the
    reader should keep (those they read the night before), taken first among equally scarce needs.
    """
    slots: dict[Nid, list[str | None]] = {}
    placed: dict[Nid, set[str]] = {}
    need: dict[Nid, Demand] = {}
    of_pair: dict[Pair, list[Nid]] = {}
    able: dict[Nid, list[str]] = {}  # readers who may take the need (eligible and `can`), sorted
    ok: dict[Pair, bool] = {}
    for key, items in groups.items():
        for j, (demand, ids) in enumerate(items):
            nid = (key, j)
            need[nid] = demand
            sub_slots: list[str | None] = [s for s, k in sorted(demand.required_by_subspecialty.items())
                                           for _ in range(k)]
            slots[nid] = sub_slots + [None] * (demand.required - len(sub_slots))
            placed[nid] = set()
            mine = []
            for rid in ids:
                pair = (rid, key)
                if pair not in ok:
                    ok[pair] = can(rid, key)
                if ok[pair]:
                    of_pair.setdefault(pair, []).append(nid)
                    mine.append(rid)
            able[nid] = sorted(mine)
    avail = Counter(nid for nids in of_pair.values() for nid in nids)
    for pair, nids in of_pair.items():  # subspecialty slots the reader fills first, then the scarcest needs
        mine_subs = subs[pair[0]]
        keep = kept(*pair) if kept is not None else ()
        nids.sort(key=lambda nid: (not any(x in mine_subs for x in slots[nid] if x), avail[nid],
                                   need[nid].site not in keep, nid[1]))
    cap = {pair: capacity(*pair) for pair in of_pair}
    scale = {pair: weight(*pair) for pair in of_pair}
    load = {nid: d.load_per_reader for nid, d in need.items()}
    # what a need is worth to the reader who takes it: its studies (a need with none still counts
    # as one unit, the slot itself), weighted up when few candidates can take it
    worth = {nid: max(1, load[nid]) * (1 + 4 / avail[nid]) for nid in avail}

    def fillable(rid: str, nid: Nid) -> bool:
        if rid in placed[nid]:
            return False
        open_ = slots[nid]
        return None in open_ or any(s in subs[rid] for s in open_)

    def take(pair: Pair) -> list[Nid]:
        left, out, rid = cap[pair], [], pair[0]
        for nid in of_pair[pair]:
            if load[nid] <= left and fillable(rid, nid):
                out.append(nid)
                left -= load[nid]
        return out

    def score(pair: Pair) -> float:
        return scale[pair] * sum(worth[nid] for nid in take(pair))

    called: dict[str, tuple[int, list[Nid]]] = {}  # reader -> (shift, needs taken)
    room: dict[str, int] = {}
    filled: dict[tuple[Nid, str], str | None] = {}  # (need, reader) -> the slot taken

    def fits(rid: str, nid: Nid, slot: str | None) -> bool:
        return rid not in placed[nid] and (slot is None or slot in subs[rid])

    def call(rid: str, key: int) -> None:
        called[rid], room[rid] = (key, []), cap[(rid, key)]

    def own_slot(rid: str, nid: Nid) -> str | None:
        """The slot a reader called in for the need takes: one of their subspecialties if open."""
        return next((s for s in slots[nid] if s is not None and s in subs[rid]), None)

    def assign(rid: str, nid: Nid, slot: str | None) -> None:
        slots[nid].remove(slot)
        placed[nid].add(rid)
        filled[(nid, rid)] = slot
        room[rid] -= load[nid]
        called[rid][1].append(nid)

    def unassign(rid: str, nid: Nid) -> str | None:
        slot = filled.pop((nid, rid))
        slots[nid].append(slot)
        placed[nid].discard(rid)
        room[rid] += load[nid]
        called[rid][1].remove(nid)
        return slot

    def eligible_for(nid: Nid, slot: str | None) -> list[str]:
        return [rid for rid in able[nid] if fits(rid, nid, slot)]

    def place(nid: Nid, slot: str | None) -> bool:
        key, size = nid[0], load[nid]
        cands = eligible_for(nid, slot)
        for rid in cands:  # a reader working this shift with room
            if rid in called and called[rid][0] == key and room[rid] >= size:
                assign(rid, nid, slot)
                return True
        for rid in sorted(cands, key=lambda r: (-scale[(r, key)], r)):  # a free reader, the preferred first
            if rid not in called and cap[(rid, key)] >= size:
                call(rid, key)
                assign(rid, nid, slot)
                return True
        for rid in cands:  # a working reader here, once another takes over one of their sites
            if rid not in called or called[rid][0] != key:
                continue
            for nid2 in list(called[rid][1]):
                if room[rid] + load[nid2] < size:
                    continue
                slot2 = filled[(nid2, rid)]
                for helper in eligible_for(nid2, slot2):
                    spare = room[helper] if helper in called else cap[(helper, key)]
                    if helper == rid or spare < load[nid2] or (
                            helper in called and called[helper][0] != key):
                        continue
                    if helper not in called:
                        call(helper, key)
                    assign(helper, nid2, unassign(rid, nid2))
                    assign(rid, nid, slot)
                    return True
        for rid in cands:  # a reader moved from another shift, if others there take over their sites
            if rid not in called or called[rid][0] == key or cap[(rid, key)] < size:
                continue
            other, taken = called[rid]
            spare, plan = dict(room), []
            for nid2 in taken:  # working readers there first, then free ones
                slot2 = filled[(nid2, rid)]
                helpers = [r for r in eligible_for(nid2, slot2) if r != rid
                           and (r not in called or called[r][0] == other)
                           and spare.get(r, cap[(r, other)]) >= load[nid2]]
                if not helpers:
                    break
                helper = min(helpers, key=lambda r: (r not in called, r))
                spare[helper] = spare.get(helper, cap[(helper, other)]) - load[nid2]
                plan.append((nid2, helper))
            else:
                for nid2, helper in plan:
                    if helper not in called:
                        call(helper, other)
                    assign(helper, nid2, unassign(rid, nid2))
                call(rid, key)
                assign(rid, nid, slot)
                return True
        return False

    heap = [(-score(pair), pair) for pair in of_pair]
    heapq.heapify(heap)
    open_slots = sum(len(s) for s in slots.values())
    while open_slots and heap:
        _neg, pair = heapq.heappop(heap)
        rid, key = pair
        if rid in called:
            continue
        value = score(pair)
        if value <= 0:
            continue
        if heap and value < -heap[0][0]:  # stale: put back with its current worth
            heapq.heappush(heap, (-value, pair))
            continue
        call(rid, key)
        for nid in take(pair):
            assign(rid, nid, own_slot(rid, nid))
            open_slots -= 1
    for nid in [nid for nid, s in slots.items() if s]:
        for slot in list(slots[nid]):
            if place(nid, slot):
                open_slots -= 1
    out = {rid: (key, [need[nid].site for nid in nids]) for rid, (key, nids) in called.items() if nids}
    return DateCover(out, open_slots)
