"""What changed between two rosters of the same period, per reader and per shift.

A reader's shift instance is *added* or *removed*; one kept with other sites is *resited*. A
*move* pairs a removal and an addition of the same shift instance and site: the site's shift went
from one reader to another, which is what a coordinator reads first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from scheduler.result import Assignment, Roster


@dataclass(frozen=True, order=True)
class ShiftRef:
    """One reader's shift instance and the sites covered in it."""

    date: dt.date
    shift_type: str
    sites: tuple[str, ...]

    def text(self) -> str:
        return f"{self.shift_type} {self.date.isoformat()} ({', '.join(self.sites)})"


@dataclass(frozen=True, order=True)
class Move:
    """A site's shift passed from one reader to another."""

    date: dt.date
    shift_type: str
    site: str
    from_reader: str
    to_reader: str


@dataclass
class ReaderChanges:
    added: list[ShiftRef] = field(default_factory=list)
    removed: list[ShiftRef] = field(default_factory=list)
    resited: list[tuple[ShiftRef, ShiftRef]] = field(default_factory=list)  # (before, after)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.resited)


@dataclass
class RosterDiff:
    """Changes per reader (only readers with changes), and moves between readers."""

    readers: dict[str, ReaderChanges]
    moves: list[Move]

    @property
    def empty(self) -> bool:
        return not self.readers

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": sum(len(c.added) for c in self.readers.values()),
            "removed": sum(len(c.removed) for c in self.readers.values()),
            "resited": sum(len(c.resited) for c in self.readers.values()),
            "moved": len(self.moves),
            "readers": len(self.readers),
        }

    def to_dict(self) -> dict[str, Any]:
        def ref(r: ShiftRef) -> dict[str, Any]:
            return {"date": r.date.isoformat(), "shift_type": r.shift_type, "sites": list(r.sites)}

        return {
            "counts": self.counts,
            "readers": {
                reader: {
                    "added": [ref(r) for r in c.added],
                    "removed": [ref(r) for r in c.removed],
                    "resited": [{"before": ref(b), "after": ref(a)} for b, a in c.resited],
                }
                for reader, c in sorted(self.readers.items())
            },
            "moves": [{**asdict(m), "date": m.date.isoformat()} for m in self.moves],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RosterDiff:
        def ref(d: dict[str, Any]) -> ShiftRef:
            return ShiftRef(dt.date.fromisoformat(d["date"]), d["shift_type"], tuple(d["sites"]))

        readers = {
            reader: ReaderChanges(
                added=[ref(x) for x in c["added"]],
                removed=[ref(x) for x in c["removed"]],
                resited=[(ref(x["before"]), ref(x["after"])) for x in c["resited"]],
            )
            for reader, c in data["readers"].items()
        }
        moves = [Move(**{**m, "date": dt.date.fromisoformat(m["date"])}) for m in data["moves"]]
        return cls(readers=readers, moves=moves)

    def lines(self, name=lambda reader: reader) -> list[str]:
        """The diff in words, one line per change, readers in order."""
        c = self.counts
        if self.empty:
            return ["no change"]
        out = [
            f"{c['added']} added, {c['removed']} removed, {c['resited']} with other sites, "
            f"{c['moved']} moved between readers; {c['readers']} readers affected"
        ]
        for m in self.moves:
            who = f"{name(m.from_reader)} -> {name(m.to_reader)}"
            out.append(f"  moved: {m.shift_type} {m.date.isoformat()} at {m.site}: {who}")
        for reader, ch in sorted(self.readers.items()):
            for r in ch.added:
                out.append(f"  {name(reader)}: + {r.text()}")
            for r in ch.removed:
                out.append(f"  {name(reader)}: - {r.text()}")
            for before, after in ch.resited:
                out.append(f"  {name(reader)}: ~ {before.text()} -> {', '.join(after.sites)}")
        return out


def _by_reader(roster: Roster | None) -> dict[str, dict[tuple[str, dt.date], Assignment]]:
    out: dict[str, dict[tuple[str, dt.date], Assignment]] = {}
    for a in roster.assignments if roster else ():
        out.setdefault(a.reader, {})[(a.shift_type, a.date)] = a
    return out


def diff_rosters(old: Roster | None, new: Roster) -> RosterDiff:
    """Changes from `old` (None: nothing published before) to `new`."""
    before, after = _by_reader(old), _by_reader(new)
    readers: dict[str, ReaderChanges] = {}
    lost: dict[tuple[str, dt.date, str], list[str]] = {}
    gained: dict[tuple[str, dt.date, str], list[str]] = {}
    for reader in sorted(set(before) | set(after)):
        b, a = before.get(reader, {}), after.get(reader, {})
        ch = ReaderChanges()
        for key in sorted(set(b) | set(a), key=lambda k: (k[1], k[0])):
            old_sites = tuple(sorted(b[key].sites)) if key in b else None
            new_sites = tuple(sorted(a[key].sites)) if key in a else None
            if old_sites == new_sites:
                continue
            if old_sites is None:
                ch.added.append(ShiftRef(key[1], key[0], new_sites))
            elif new_sites is None:
                ch.removed.append(ShiftRef(key[1], key[0], old_sites))
            else:
                ch.resited.append((ShiftRef(key[1], key[0], old_sites), ShiftRef(key[1], key[0], new_sites)))
            for site in set(old_sites or ()) - set(new_sites or ()):
                lost.setdefault((key[0], key[1], site), []).append(reader)
            for site in set(new_sites or ()) - set(old_sites or ()):
                gained.setdefault((key[0], key[1], site), []).append(reader)
        if ch.count:
            readers[reader] = ch
    moves = []
    for (shift_type, date, site), losers in lost.items():
        for loser, winner in zip(sorted(losers), sorted(gained.get((shift_type, date, site), [])), strict=False):
            moves.append(Move(date, shift_type, site, loser, winner))
    return RosterDiff(readers=readers, moves=sorted(moves))
