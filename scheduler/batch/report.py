"""The batch's summary: `summary.csv` (one row per scenario and month) and `summary.html` (self-contained).

The HTML holds a table per scenario, the what-if variations side by side with their base, and
inline SVG charts (coverage, fairness spread, requests met, time per month) with one line per
scenario or variation. It loads nothing from the network.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from dataclasses import dataclass
from html import escape
from typing import Any

from scheduler.batch.chain import COLUMNS
from scheduler.batch.svg import line_chart

CSV_COLUMNS = ["key", *COLUMNS]
NOT_RUN = "NOT RUN"


@dataclass(frozen=True)
class UnitInfo:
    """What the report needs to know of a chain."""

    key: str
    name: str
    variation: str | None = None
    base_key: str | None = None


def summary_rows(units: list[UnitInfo], months: list[str],
                 found: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per unit and month, in order: the month's row when known, else a NOT RUN row."""
    out = []
    for u in units:
        for m in months:
            row = found.get((u.key, m))
            if row is None:
                row = dict.fromkeys(COLUMNS)
                row.update(scenario=u.name, variation=u.variation, month=m, status=NOT_RUN)
            out.append({"key": u.key, **{c: row.get(c) for c in COLUMNS}})
    return out


def summary_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r.get(k) is None else r.get(k) for k in CSV_COLUMNS})
    return buf.getvalue()


def _solved(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["status"] not in (NOT_RUN, "FAILED")]


def unit_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A chain over the whole batch: months done, coverage, fairness, requests, gap, time."""
    solved = _solved(rows)
    failed = [r for r in rows if r["status"] == "FAILED"]
    gaps = [r["gap"] for r in solved if r["gap"] is not None]
    short = sum(r["uncovered_needs"] for r in solved)
    violations = sum(r["hard_violations"] for r in solved)
    if failed:
        verdict = "failed"
    elif len(solved) < len(rows):
        verdict = "incomplete"
    elif short or violations:
        verdict = "not fully covered"
    else:
        verdict = "fully covered"
    return {
        "months": f"{len(solved)}/{len(rows)}",
        "verdict": verdict,
        "coverage_mean": statistics.fmean([r["coverage"] for r in solved]) if solved else None,
        "coverage_min": min((r["coverage"] for r in solved), default=None),
        "needs_short": short,
        "hard_violations": violations,
        "fairness_spread_last": solved[-1]["fairness_spread"] if solved else None,
        "fairness_spread_max": max((r["fairness_spread"] for r in solved), default=None),
        "requests": f"{sum(r['requests_met'] for r in solved)}/{sum(r['requests_total'] for r in solved)}",
        "gap_mean": statistics.fmean(gaps) if gaps else None,
        "seconds": sum(r["seconds"] or 0 for r in rows),
        "error": failed[0]["error"] if failed else None,
    }


TOTAL_LABELS = [
    ("months", "months planned"), ("verdict", "verdict"), ("coverage_mean", "mean coverage"),
    ("coverage_min", "lowest coverage"), ("needs_short", "needs short"), ("hard_violations", "hard violations"),
    ("fairness_spread_last", "fairness spread, last month"), ("fairness_spread_max", "fairness spread, worst"),
    ("requests", "requests met"), ("gap_mean", "mean gap"), ("seconds", "time (s)"),
]


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key.startswith("coverage") or key.startswith("gap"):
        return f"{100 * value:.2f}%"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _table(header: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for k, r in enumerate(rows):
        cls = f' class="{classes[k]}"' if classes and classes[k] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _series(units: list[UnitInfo], months: list[str], by_unit: dict[str, list[dict[str, Any]]], column: str,
            scale: float = 1.0) -> dict[str, list[float | None]]:
    out = {}
    for u in units:
        rows = {r["month"]: r for r in _solved(by_unit[u.key])}
        out[u.name] = [None if m not in rows or rows[m][column] is None else rows[m][column] * scale for m in months]
    return out


def _requests_share(units, months, by_unit) -> dict[str, list[float | None]]:
    out = {}
    for u in units:
        rows = {r["month"]: r for r in _solved(by_unit[u.key])}
        out[u.name] = [100 * rows[m]["requests_met"] / rows[m]["requests_total"]
                       if m in rows and rows[m]["requests_total"] else None for m in months]
    return out


def charts(units: list[UnitInfo], months: list[str], by_unit: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The four charts over the months, one line per unit."""
    return [
        line_chart("Coverage (needs covered)", months, _series(units, months, by_unit, "coverage", 100), unit="%",
                   cap=100),
        line_chart("Fairness spread (burden points, most over minus most under FTE share)", months,
                   _series(units, months, by_unit, "fairness_spread"), floor=0),
        line_chart("Requests met", months, _requests_share(units, months, by_unit), unit="%", floor=0,
                   cap=100),
        line_chart("Time per month (s)", months, _series(units, months, by_unit, "seconds"), floor=0),
    ]


STYLE = """
body{font-family:sans-serif;margin:24px;color:#222;max-width:1160px}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.bad td{background:#fde8e8} tr.failed td{background:#f6d0d0} tr.notrun td{color:#888}
.charts svg{margin:4px 12px 16px 0;border:1px solid #eee}
.error{color:#a00;white-space:pre-wrap;font-family:monospace;font-size:12px}
"""


def summary_html(units: list[UnitInfo], months: list[str], rows: list[dict[str, Any]], *,
                 settings: dict[str, Any] | None = None, generated: dt.datetime | None = None) -> str:
    """The report as one HTML page with inline SVG charts."""
    by_unit: dict[str, list[dict[str, Any]]] = {u.key: [] for u in units}
    for r in rows:
        by_unit.setdefault(r["key"], []).append(r)
    totals = {u.key: unit_totals(by_unit[u.key]) for u in units}
    generated = generated or dt.datetime.now(dt.UTC)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>Batch planning summary</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>Batch planning summary</h1>",
           f"<p>{len(units)} scenario{'s' if len(units) != 1 else ''} x {len(months)} month"
           f"{'s' if len(months) != 1 else ''} ({escape(months[0])} to {escape(months[-1])}); generated "
           f"{escape(generated.isoformat(timespec='seconds'))}"
           + "".join(f"; {escape(k)} {escape(str(v))}" for k, v in (settings or {}).items()) + ".</p>"]

    out.append("<h2>Scenarios</h2>")
    header = ["scenario", *[label for _k, label in TOTAL_LABELS]]
    out.append(_table(header, [[u.name, *[_fmt(k, totals[u.key][k]) for k, _l in TOTAL_LABELS]] for u in units],
                      ["failed" if totals[u.key]["verdict"] == "failed" else
                       "bad" if totals[u.key]["verdict"] != "fully covered" else "" for u in units]))
    for u in units:
        if totals[u.key]["error"]:
            out.append(f'<p class="error">{escape(u.name)}: {escape(totals[u.key]["error"])}</p>')

    groups = _variation_groups(units)
    if groups:
        out.append("<h2>What-if variations, side by side</h2>")
        for base, variants in groups:
            cols = [base, *variants]
            out.append(f"<h3>{escape(base.name)} and its variations</h3>")
            out.append(_table(["", *[c.name for c in cols]],
                              [[label, *[_fmt(k, totals[c.key][k]) for c in cols]] for k, label in TOTAL_LABELS]))
            out.append('<div class="charts">' + "".join(charts(cols, months, by_unit)) + "</div>")

    if len(groups) != 1 or len(groups[0][1]) + 1 < len(units):  # else the one group's charts show them all
        out.append("<h2>Every scenario, month by month</h2>")
        out.append('<div class="charts">' + "".join(charts(units, months, by_unit)) + "</div>")

    out.append("<h2>Months</h2>")
    cols = ["scenario", "month", "status", "coverage", "needs short", "hard violations", "fairness spread",
            "requests met", "gap", "time (s)"]
    table_rows, classes = [], []
    for r in rows:
        solved = r["status"] not in (NOT_RUN, "FAILED")
        table_rows.append([
            r["scenario"], r["month"], r["status"],
            _fmt("coverage", r["coverage"]), _fmt("n", r["uncovered_needs"]), _fmt("n", r["hard_violations"]),
            _fmt("n", r["fairness_spread"]),
            f"{r['requests_met']}/{r['requests_total']}" if solved else "-",
            _fmt("gap", r["gap"]), _fmt("n", r["seconds"]),
        ])
        bad = solved and (r["uncovered_needs"] or r["hard_violations"])
        classes.append("failed" if r["status"] == "FAILED" else "notrun" if r["status"] == NOT_RUN
                       else "bad" if bad else "")
    out.append(_table(cols, table_rows, classes))
    out.append("</body></html>\n")
    return "\n".join(out)


def _variation_groups(units: list[UnitInfo]) -> list[tuple[UnitInfo, list[UnitInfo]]]:
    by_key = {u.key: u for u in units}
    groups: dict[str, list[UnitInfo]] = {}
    for u in units:
        if u.base_key is not None and u.base_key in by_key:
            groups.setdefault(u.base_key, []).append(u)
    return [(by_key[k], vs) for k, vs in groups.items()]
