"""Generate the two larger example scenarios: scenarios/fr_regional.yaml and scenarios/us_multistate.yaml.

    .venv/bin/python benchmarks/make_examples.py            # writes both into scenarios/
    .venv/bin/python benchmarks/make_examples.py --out DIR  # somewhere else

The output is deterministic (seeded `random.Random`). Each file is built as plain dicts, checked
against the scenario schema, and repaired until every coverage demand has at least MIN_ELIGIBLE
eligible readers on every date (licenses and privileges that start or lapse mid-month, leave and
subspecialty needs included). Site and facility names in the US file are fictional; the French
ones are real hospital names used only as labels.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.instance import build_instance  # noqa: E402
from scheduler.io.scenario_yaml import scenario_from_data  # noqa: E402

MIN_ELIGIBLE = 4
D = dt.date


# ----------------------------------------------------------------------------------------------
# YAML output: block style for mappings, flow style for short lists of scalars ([neuro, msk]).
# ----------------------------------------------------------------------------------------------
class ExampleDumper(yaml.SafeDumper):
    """SafeDumper that writes short lists of scalars on one line and indents nested lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data) -> bool:  # never write &id001 / *id001
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list):
    flow = len(data) <= 12 and all(isinstance(x, (str, int, float, dt.date)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str):
    style = "'" if len(data) == 5 and data[2] == ":" and data.replace(":", "").isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)  # times always '08:30'


ExampleDumper.add_representer(list, _represent_list)
ExampleDumper.add_representer(str, _represent_str)


def dump_sections(header: str, data: dict, notes: dict[str, str]) -> str:
    """Header comment, then each top-level key with its own comment block and a blank line."""
    parts = [header.rstrip() + "\n"]
    for key, value in data.items():
        note = notes.get(key)
        text = yaml.dump({key: value}, Dumper=ExampleDumper, sort_keys=False, allow_unicode=True, width=100)
        comment = "".join(f"# {line}".rstrip() + "\n" for line in note.strip().splitlines()) if note else ""
        parts.append("\n" + comment + text)
    return "".join(parts)


def ascii_slug(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "_" for c in norm.lower()).strip("_").replace("__", "_")


# ----------------------------------------------------------------------------------------------
# Eligibility repair shared by both generators
# ----------------------------------------------------------------------------------------------
def eligible_counts(data: dict) -> tuple[object, Counter]:
    scen = scenario_from_data(data)
    inst = build_instance(scen)
    counts: Counter = Counter()
    for (_, i), sites in inst.eligible.items():
        for site in sites:
            counts[(site, i)] += 1
    return inst, counts


def repair_eligibility(data: dict, rng: random.Random, max_sites: int) -> None:
    """Grant open-ended privileges (and the site's license) until every demand has MIN_ELIGIBLE readers.

    Each round fixes the first short demand of every site (one more reader each), then recounts.
    """
    site_order = [s["id"] for s in data["sites"]]
    for _ in range(200):
        inst, counts = eligible_counts(data)
        short = [k for k in inst.demands if counts.get(k, 0) < MIN_ELIGIBLE]
        if not short:
            for r in data["radiologists"]:
                r["privileges"].sort(key=lambda p: site_order.index(p["site"]))
            return
        first_per_site = {}
        for site_id, shift_index in sorted(short, key=lambda k: k[1]):
            first_per_site.setdefault(site_id, shift_index)
        for site_id, shift_index in first_per_site.items():
            _grant_one(data, inst, site_id, shift_index, rng, max_sites)
    raise SystemExit("eligibility repair did not converge")


def _open(cred: dict) -> bool:
    return "valid_from" not in cred and "valid_until" not in cred


def _grant_one(data: dict, inst, site_id: str, shift_index: int, rng: random.Random, max_sites: int) -> None:
    """Make one more reader eligible for `site_id` on shift `shift_index` (and, being open-ended, all month).

    Prefers readers who already hold an open-ended license for the site's jurisdiction and have
    few privileges, so the dated licenses and privileges drawn at random stay as they are.
    """
    site = next(s for s in data["sites"] if s["id"] == site_id)
    demand = inst.demands[(site_id, shift_index)]
    day = inst.shifts[shift_index].date
    type_id = inst.shifts[shift_index].type_id
    subs = set() if demand.open_to_any else set(demand.required_by_subspecialty)
    already = {rid for (rid, i), ss in inst.eligible.items() if i == shift_index and site_id in ss}

    def fits(r: dict) -> bool:
        if r["id"] in already or (subs and not subs & set(r.get("subspecialties", []))):
            return False
        if r.get("allowed_shift_types") and type_id not in r["allowed_shift_types"]:
            return False
        if any(p["site"] == site_id and not _open(p) for p in r["privileges"]):
            return False  # keep dated privileges as drawn
        return not any(lv["start"] <= day <= lv["end"] for lv in r.get("leave", []))

    def license_rank(r: dict) -> int:
        lic = [x for x in r["licenses"] if x["jurisdiction"] == site["jurisdiction"]]
        return 0 if any(_open(x) for x in lic) else 2 if lic else 1

    pool = [r for r in data["radiologists"] if fits(r) and license_rank(r) < 2]
    pool.sort(key=lambda r: (license_rank(r), len(r["licenses"]) >= 10, len(r["privileges"]) >= max_sites,
                             len(r["privileges"]), rng.random()))
    if not pool:
        raise SystemExit(f"cannot make another reader eligible for {site_id} on {day}")
    r = pool[0]
    if license_rank(r) == 1:
        r["licenses"].append({"jurisdiction": site["jurisdiction"]})
    r["privileges"].append({"site": site_id})


# ----------------------------------------------------------------------------------------------
# France: a regional teleradiology group in Grand Est and Hauts-de-France, October 2026
# ----------------------------------------------------------------------------------------------
FR_FIRST = [
    "Camille", "Nicolas", "Aurélie", "Julien", "Claire", "Mathieu", "Élodie", "Antoine", "Sophie", "Guillaume",
    "Marion", "Pierre", "Émilie", "Thomas", "Céline", "Alexandre", "Hélène", "Romain", "Laure", "Vincent",
    "Anne-Sophie", "François", "Pauline", "Benoît", "Isabelle", "Olivier", "Charlotte", "Maxime", "Juliette",
    "Sébastien", "Nathalie", "Hugo",
]
FR_LAST = [
    "Lefèvre", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Schmitt", "Weber", "Klein", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Mercier", "Boyer",
    "Lambert", "Bonnet",
]

# id, name, cluster, holiday subdivision, priority, night needs, weekend-day needs
# needs: list of (readers, subspecialty or None, studies)
FR_SITES = [
    ("chu_reims", "CHU de Reims, Hôpital Maison Blanche", "champagne", None, 10,
     [(1, "neuro", 22), (1, None, 18)], [(1, None, 24), (1, "peds", 10)]),
    ("chr_metz_mercy", "CHR Metz-Thionville, Hôpital de Mercy", "lorraine", "57", 8,
     [(1, "neuro", 28)], [(1, None, 24)]),
    ("ch_charleville", "CH de Charleville-Mézières (Manchester)", "champagne", None, 6,
     [(1, "neuro", 24)], [(1, None, 18)]),
    ("ch_troyes", "CH de Troyes", "champagne", None, 2, [(1, None, 24)], [(1, None, 20)]),
    ("ch_chalons", "CH de Châlons-en-Champagne", "champagne", None, 1, [(1, None, 16)], [(1, None, 14)]),
    ("ch_sedan", "CH de Sedan", "champagne", None, 1, [(1, None, 8)], []),
    ("ch_saint_dizier", "CH Geneviève de Gaulle-Anthonioz, Saint-Dizier", "champagne", None, 1,
     [(1, None, 12)], [(1, None, 10)]),
    ("ch_verdun", "CH de Verdun Saint-Mihiel", "lorraine", None, 1, [(1, None, 14)], [(1, None, 12)]),
    ("ch_bar_le_duc", "CH de Bar-le-Duc Fains-Véel", "lorraine", None, 1, [(1, None, 10)], []),
    ("ch_epinal", "CH Émile Durkheim, Épinal", "lorraine", None, 2, [(1, None, 18)], [(1, None, 14)]),
    ("ch_sarreguemines", "CH Robert Pax, Sarreguemines", "lorraine", "57", 1, [(1, None, 12)], [(1, None, 10)]),
    ("ch_haguenau", "CH de Haguenau", "lorraine", "6AE", 2, [(1, None, 20)], [(1, None, 16)]),
    ("ch_laon", "CH de Laon", "picardie", None, 1, [(1, None, 12)], [(1, None, 10)]),
    ("ch_saint_quentin", "CH de Saint-Quentin", "picardie", None, 2, [(1, None, 22)], [(1, None, 18)]),
    ("ch_soissons", "CH de Soissons", "picardie", None, 1, [(1, None, 14)], []),
]
FR_STROKE = ("chu_reims", "chr_metz_mercy", "ch_charleville")

FR_NOTES = {
    "name": "A French regional teleradiology group covering nights, weekends and holidays for public hospitals.",
    "horizon": (
        "October 2026. Clocks go back at 03:00 on Sunday 25 October, so the night of Saturday 24\n"
        "October lasts 15 hours (capacity and working time use the true length). No French public\n"
        "holiday falls in October (All Saints' Day, 1 November, is just outside)."
    ),
    "jurisdictions": "One French registration covers every French site.",
    "subspecialties": "Skills a need can ask for; stroke nights need neuro, the paediatric weekend slot at Reims peds.",
    "shift_types": (
        "Garde times of the French public hospital: night 18:30-08:30, weekend/holiday day\n"
        "08:30-18:30. Burden points weigh weekend and holiday shifts more."
    ),
    "rule_sets": (
        "fr_ph: praticien hospitalier (repos de sécurité of 11 h after a night, at most 3 nights in a\n"
        "row then 2 days off, at most 48 h in any 7 days, at most 2 weekends a month).\n"
        "fr_liberal: self-employed radiologists doing a few nights a month on top of their practice."
    ),
    "sites": (
        "15 hospitals. Three stroke centres (UNV) need a neuro reader at night; CHU de Reims needs two\n"
        "night readers. `studies` is the expected number of studies per shift at that site."
    ),
    "radiologists": (
        "32 readers. Each holds the FR registration and privileges (convention) at 5-12 sites."
    ),
}


def fr_scenario(seed: int = 2026) -> dict:
    rng = random.Random(seed)
    start, end = D(2026, 10, 1), D(2026, 10, 31)
    shift_types = [
        {"id": "night", "label": "night", "start": "18:30", "end": "08:30", "days": ["all"], "kind": "night",
         "burden_points": 3, "weekend_burden_points": 4, "holiday_burden_points": 5},
        {"id": "weekend_day", "label": "weekend/holiday day", "start": "08:30", "end": "18:30",
         "days": ["weekends", "holidays"], "kind": "day", "burden_points": 2, "holiday_burden_points": 3},
    ]
    rule_sets = [
        {"id": "fr_ph", "label": "Praticien hospitalier", "min_rest_hours": 11, "rest_after_night_hours": 11,
         "max_consecutive_nights": 3, "min_days_off_after_nights": 2, "max_hours_rolling_7_days": 48,
         "max_weekends": 2, "forbidden_successions": [["night", "weekend_day"]]},
        {"id": "fr_liberal", "label": "Radiologue libéral (a few nights a month)", "min_rest_hours": 11,
         "rest_after_night_hours": 11, "max_consecutive_nights": 2, "shift_limits": {"night": {"max": 4}}},
    ]
    sites = []
    for sid, name, _cluster, subdiv, prio, nights, wdays in FR_SITES:
        cov = []
        for readers, sub, studies in nights:
            cov.append({"shift_type": "night", **({"subspecialty": sub} if sub else {}),
                        "readers": readers, "studies": studies})
        for readers, sub, studies in wdays:
            cov.append({"shift_type": "weekend_day", **({"subspecialty": sub} if sub else {}),
                        "readers": readers, "studies": studies})
        site = {"id": sid, "name": name, "jurisdiction": "FR", "timezone": "Europe/Paris"}
        if subdiv:  # Moselle (57) and Alsace (6AE) add Good Friday and 26 December
            site["holidays"] = {"country": "FR", "subdivision": subdiv}
        sites.append({**site, "priority": prio, "coverage": cov})

    clusters: dict[str, list[str]] = {}
    for sid, _n, cluster, *_ in FR_SITES:
        clusters.setdefault(cluster, []).append(sid)
    cluster_names = list(clusters)

    n = 32
    firsts = FR_FIRST[:]
    lasts = FR_LAST[:]
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    # subspecialty profile per reader: 11 neuro, some msk/body/chest/peds, a few generalists
    profiles = (
        [["neuro"]] * 7 + [["neuro", "body"]] * 2 + [["neuro", "peds"]] * 2 + [["peds"]] * 2
        + [["peds", "msk"]] + [["msk"]] * 4 + [["body"]] * 5 + [["chest"]] * 3 + [["body", "chest"]] * 2 + [[]] * 4
    )
    rng.shuffle(profiles)
    liberal = set(rng.sample(range(n), 10))
    readers = []
    for k in range(n):
        first, last = firsts[k], lasts[k]
        rid = ascii_slug(f"{first}_{last}")
        home = cluster_names[k % len(cluster_names)]
        subs = profiles[k]
        want = rng.randint(5, 12)
        own = clusters[home][:]
        rng.shuffle(own)
        picks = own[: min(len(own), want)]
        if "neuro" in subs:  # neuro readers cover the stroke centres of the group
            picks += [s for s in FR_STROKE if s not in picks and rng.random() < 0.75]
        others = [s for s, *_ in FR_SITES if s not in picks]
        rng.shuffle(others)
        picks += others[: max(0, want - len(picks))]
        picks = sorted(set(picks[:12]), key=[s for s, *_ in FR_SITES].index)
        is_lib = k in liberal
        r = {
            "id": rid,
            "name": f"{first} {last}",
            "email": f"{ascii_slug(first).replace('_', '-')}.{ascii_slug(last).replace('_', '-')}@teleradio-ge.fr",
            "timezone": "Europe/Paris",
            "licenses": [{"jurisdiction": "FR"}],
            "privileges": [{"site": s} for s in picks],
            "subspecialties": subs,
            "fte": rng.choice([0.2, 0.3, 0.4]) if is_lib else rng.choice([0.5, 0.6, 0.8, 0.8, 1.0, 1.0, 1.0]),
            "rule_set": "fr_liberal" if is_lib else "fr_ph",
            "studies_per_hour": rng.choice([9, 10, 11, 12, 12, 13, 14]),
            "leave": [],
            "requests": [],
            "history": {"shifts": [], "burden_points": 0},
        }
        # burden carried from earlier months: roughly in proportion to FTE, with some spread
        r["history"]["burden_points"] = round(r["fte"] * rng.uniform(12, 40))
        readers.append(r)

    # Vacances de la Toussaint 2026 (zone B and C: Saturday 17 October to Monday 2 November)
    toussaint = [(D(2026, 10, 19), D(2026, 10, 25)), (D(2026, 10, 24), D(2026, 10, 31)),
                 (D(2026, 10, 26), D(2026, 10, 31))]
    for k, r in enumerate(rng.sample(readers, 6)):
        a, b = toussaint[k % len(toussaint)]
        r["leave"].append({"start": a, "end": b, "reason": "vacances de la Toussaint"})
    for r in rng.sample([r for r in readers if not r["leave"]], 2):
        r["leave"].append({"start": D(2026, 10, 8), "end": D(2026, 10, 9), "reason": "formation (DPC)"})

    # Requests: a few wishes and a few refusals
    free = [r for r in readers if not r["leave"]]
    for r in rng.sample(free, 4):
        d0 = D(2026, 10, rng.randint(2, 28))
        r["requests"].append({"kind": "want", "shift_type": "night", "dates": [d0, d0 + dt.timedelta(days=1)],
                              "weight": rng.choice([1, 2])})
    for r in rng.sample(free, 4):
        r["requests"].append({"kind": "avoid", "dates": [D(2026, 10, 17), D(2026, 10, 18)], "weight": 2})
    for r in rng.sample(free, 2):
        r["requests"].append({"kind": "avoid", "shift_type": "night", "dates": [D(2026, 10, 31)], "weight": 1})

    # History: nights worked at the end of September carry into rest and run limits
    for r in rng.sample(readers, 8):
        days = rng.choice([[D(2026, 9, 30)], [D(2026, 9, 29), D(2026, 9, 30)], [D(2026, 9, 29)]])
        r["history"]["shifts"] = [{"shift_type": "night", "date": d} for d in days]
        r["history"]["nights"] = len(days)

    for r in readers:  # drop empty optional lists so the YAML stays short
        for key in ("leave", "requests", "subspecialties"):
            if not r[key]:
                del r[key]
        if not r["history"]["shifts"]:
            del r["history"]["shifts"]

    data = {
        "name": "fr-regional-grand-est-october-2026",
        "horizon": {"start": start, "end": end, "timezone": "Europe/Paris", "holidays": {"country": "FR"}},
        "jurisdictions": [{"id": "FR", "name": "France"}],
        "subspecialties": [
            {"id": "neuro", "name": "Neuroradiologie"}, {"id": "msk", "name": "Ostéo-articulaire"},
            {"id": "peds", "name": "Pédiatrie"}, {"id": "body", "name": "Imagerie abdominale"},
            {"id": "chest", "name": "Imagerie thoracique"},
        ],
        "shift_types": shift_types,
        "rule_sets": rule_sets,
        "sites": sites,
        "radiologists": readers,
    }
    repair_eligibility(data, rng, max_sites=12)
    return data


FR_HEADER = """\
# fr_regional.yaml: generated by benchmarks/make_examples.py; do not edit by hand, re-run the script.
#
# A French regional teleradiology group (Grand Est and Hauts-de-France) covering the permanence
# des soins of 15 public hospitals in October 2026: every night 18:30-08:30 and weekend days
# 08:30-18:30. Readers work remotely, so one reader covers several hospitals in a night, within
# their reading capacity. Three stroke centres need a neuroradiology reader at night. Readers are
# hospital practitioners (fr_ph) or self-employed radiologists doing a few nights (fr_liberal);
# some are away for the Toussaint school holidays, some worked nights on 29-30 September, and
# each carries burden points from earlier months. Moselle and Alsace sites use their local
# holiday calendar (subdivisions 57 and 6AE of the `holidays` package).
"""


# ----------------------------------------------------------------------------------------------
# United States: a multi-state teleradiology group, November 2026
# ----------------------------------------------------------------------------------------------
US_ZONES = {
    "east": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
}
US_STATES = {
    # state: (zone group, facility time zone, cities)
    "NY": ("east", "America/New_York", ["Albany", "Buffalo", "Rochester", "Syracuse"]),
    "PA": ("east", "America/New_York", ["Erie", "Allentown"]),
    "OH": ("east", "America/New_York", ["Toledo", "Dayton", "Akron", "Canton"]),
    "NC": ("east", "America/New_York", ["Greensboro", "Wilmington"]),
    "GA": ("east", "America/New_York", ["Macon", "Savannah", "Augusta"]),
    "FL": ("east", "America/New_York", ["Tampa", "Orlando", "Jacksonville", "Gainesville", "Fort Myers"]),
    "IL": ("central", "America/Chicago", ["Peoria", "Rockford", "Springfield", "Champaign", "Joliet"]),
    "MN": ("central", "America/Chicago", ["Duluth", "St. Cloud", "Mankato"]),
    "TN": ("central", "America/Chicago", ["Nashville", "Jackson", "Clarksville"]),
    "TX": ("central", "America/Chicago", ["Amarillo", "Lubbock", "Tyler", "Waco", "Corpus Christi",
                                          "Beaumont", "Abilene"]),
    "CO": ("mountain", "America/Denver", ["Pueblo", "Grand Junction", "Greeley", "Fort Collins"]),
    "UT": ("mountain", "America/Denver", ["Provo", "Ogden"]),
    "AZ": ("mountain", "America/Phoenix", ["Flagstaff", "Yuma", "Tucson"]),
    "CA": ("pacific", "America/Los_Angeles", ["Fresno", "Bakersfield", "Modesto", "Redding", "Santa Rosa",
                                              "Riverside", "San Luis Obispo", "Chico"]),
    "WA": ("pacific", "America/Los_Angeles", ["Spokane", "Yakima", "Tacoma"]),
    "OR": ("pacific", "America/Los_Angeles", ["Eugene", "Medford"]),
}
US_STATE_NAMES = {
    "NY": "New York", "PA": "Pennsylvania", "OH": "Ohio", "NC": "North Carolina", "GA": "Georgia",
    "FL": "Florida", "IL": "Illinois", "MN": "Minnesota", "TN": "Tennessee", "TX": "Texas",
    "CO": "Colorado", "UT": "Utah", "AZ": "Arizona", "CA": "California", "WA": "Washington", "OR": "Oregon",
}
US_STROKE = {("NY", "Buffalo"), ("FL", "Tampa"), ("IL", "Peoria"), ("TX", "Lubbock"), ("AZ", "Tucson"),
             ("CA", "Fresno")}
US_PATTERNS = ["{c} Regional Medical Center", "{c} General Hospital", "St. Luke's Hospital {c}",
               "Mercy Medical Center {c}", "{c} Community Hospital", "Good Samaritan Hospital {c}",
               "Providence Memorial {c}", "Baptist Health {c}"]
US_FIRST = [
    "James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "William", "Elizabeth",
    "Richard", "Susan", "Daniel", "Jessica", "Matthew", "Sarah", "Anthony", "Karen", "Mark", "Emily",
    "Steven", "Michelle", "Andrew", "Amanda", "Kevin", "Melissa", "Brian", "Rebecca", "Priya", "Wei",
    "Carlos", "Aisha", "Rahul", "Mei", "Jorge", "Fatima", "Hiroshi", "Sofia", "Olumide", "Grace",
]
US_LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Patel", "Chen",
    "Nguyen", "Kim", "Shah", "Okafor", "Ramirez", "Cohen", "Murphy", "Sullivan", "Tanaka", "Hughes",
]
US_NOTES = {
    "name": "A US teleradiology group reading for hospitals in four time zones.",
    "horizon": (
        "November 2026, planned in Central time. US daylight saving time ended at 02:00 on Sunday\n"
        "1 November; the history nights of 31 October span the change and last 11 hours. Federal\n"
        "holidays: Veterans Day (11 Nov) and Thanksgiving (26 Nov)."
    ),
    "jurisdictions": "State medical licenses: the reader needs one for the patient's state (the facility's).",
    "subspecialties": "Stroke centres need a neuroradiologist around the clock.",
    "shift_types": (
        "Nights 22:00-08:00 in each zone's local time (a zone's nights are one shift type, whatever\n"
        "facility the reader covers). The stroke desk runs day 07:00-15:00 and swing 15:00-00:00\n"
        "Central time, which with the zone nights covers every stroke centre 24/7."
    ),
    "rule_sets": (
        "us_attending: US-based attendings (no statutory limit; group policy of 10 h rest, at most 7\n"
        "nights in a row then 2 days off). us_nighthawk: offshore readers in Sydney working US nights\n"
        "in their local daytime."
    ),
    "sites": (
        "60 facilities (fictional names). Six stroke centres need neuro day, swing and night; the\n"
        "others need a night reader only. Arizona facilities keep MST all year (America/Phoenix)."
    ),
    "radiologists": (
        "40 readers, each licensed in 4-10 states; some licenses and privileges start or lapse\n"
        "during the month (renewals, onboarding, reappointment)."
    ),
}


def us_scenario(seed: int = 2027) -> dict:
    rng = random.Random(seed)
    start, end = D(2026, 11, 1), D(2026, 11, 30)
    shift_types = [
        {"id": f"night_{z}", "label": f"{z} night", "start": "22:00", "end": "08:00", "timezone": tz,
         "days": ["all"], "kind": "night", "burden_points": 3, "weekend_burden_points": 4,
         "holiday_burden_points": 5}
        for z, tz in US_ZONES.items()
    ]
    shift_types += [
        {"id": "day_stroke", "label": "stroke desk day", "start": "07:00", "end": "15:00",
         "timezone": "America/Chicago", "days": ["all"], "kind": "day", "burden_points": 1,
         "weekend_burden_points": 2, "holiday_burden_points": 3},
        {"id": "swing_stroke", "label": "stroke desk swing", "start": "15:00", "end": "00:00",
         "timezone": "America/Chicago", "days": ["all"], "kind": "evening", "burden_points": 2,
         "weekend_burden_points": 3, "holiday_burden_points": 4},
    ]
    rule_sets = [
        {"id": "us_attending", "label": "US attending radiologist", "min_rest_hours": 10,
         "rest_after_night_hours": 10, "max_consecutive_nights": 7, "min_days_off_after_nights": 2},
        {"id": "us_nighthawk", "label": "Offshore nighthawk (Sydney)", "min_rest_hours": 10,
         "rest_after_night_hours": 10, "max_consecutive_nights": 7, "min_days_off_after_nights": 2},
    ]
    jurisdictions = [{"id": f"US-{st}", "name": US_STATE_NAMES[st]} for st in US_STATES]

    sites = []
    by_state: dict[str, list[str]] = {}
    stroke_ids = []
    patterns = US_PATTERNS[:]
    for st, (zone, tz, cities) in US_STATES.items():
        for city in cities:
            sid = f"{st.lower()}_{ascii_slug(city)}"
            stroke = (st, city) in US_STROKE
            name = rng.choice(patterns).format(c=city)
            if stroke:
                name = f"{city} Comprehensive Stroke Center"
            cov = []
            if stroke:
                stroke_ids.append(sid)
                for type_id, lo, hi in (("day_stroke", 22, 32), ("swing_stroke", 20, 30), (f"night_{zone}", 18, 26)):
                    cov.append({"shift_type": type_id, "subspecialty": "neuro", "readers": 1,
                                "studies": rng.randint(lo, hi)})
            else:
                cov.append({"shift_type": f"night_{zone}", "readers": 1, "studies": rng.randint(5, 18)})
            sites.append({"id": sid, "name": f"{name}, {st}", "jurisdiction": f"US-{st}", "timezone": tz,
                          "priority": 10 if stroke else rng.choice([1, 1, 1, 2, 3]), "coverage": cov})
            by_state.setdefault(st, []).append(sid)

    zone_states: dict[str, list[str]] = {}
    for st, (zone, _tz, _c) in US_STATES.items():
        zone_states.setdefault(zone, []).append(st)
    stroke_states = sorted({sid.split("_")[0].upper() for sid in stroke_ids})

    n = 40
    firsts, lasts = US_FIRST[:], US_LAST[:]
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    neuro = set(rng.sample(range(38), 17))
    home_zones = ["east"] * 12 + ["central"] * 11 + ["mountain"] * 5 + ["pacific"] * 10
    rng.shuffle(home_zones)
    readers = []
    for k in range(n):
        offshore = k >= 38
        zone = "east" if offshore else home_zones[k]
        first, last = firsts[k], lasts[k]
        subs = ["neuro"] if (k in neuro) else []
        if not subs:
            subs = rng.sample(["body", "chest", "msk", "peds"], rng.choice([0, 1, 1, 2]))
        elif rng.random() < 0.3:
            subs.append("body")
        # licenses: the home zone's states, plus stroke states for neuro readers, plus IMLC extras
        states = set(rng.sample(zone_states[zone], min(len(zone_states[zone]), rng.randint(2, 4))))
        if offshore:
            states |= {"FL", "TX", "NY", "CA", "IL", "WA"}
        if "neuro" in subs:
            states |= set(rng.sample(stroke_states, 3))
        extra = [s for s in US_STATES if s not in states]
        rng.shuffle(extra)
        target = rng.randint(4, 10)
        states |= set(extra[: max(0, target - len(states))])
        states = sorted(states, key=list(US_STATES).index)[:10]
        licenses = []
        for st in states:
            lic = {"jurisdiction": f"US-{st}"}
            roll = rng.random()
            if roll < 0.06:
                lic["valid_until"] = D(2026, 11, rng.randint(10, 24))  # renewal not yet filed
            elif roll < 0.11:
                lic["valid_from"] = D(2026, 11, rng.randint(5, 20))  # newly granted (IMLC)
            licenses.append(lic)
        # privileges: facilities in licensed states, 8-16 of them
        cand = [s for st in states for s in by_state[st]]
        if "neuro" in subs:
            want_stroke = [s for s in stroke_ids if s.split("_")[0].upper() in states]
        else:
            want_stroke = []
        rng.shuffle(cand)
        picks = list(dict.fromkeys(want_stroke + cand))[: rng.randint(8, 16)]
        privileges = []
        for s in sorted(picks):
            p = {"site": s}
            roll = rng.random()
            if roll < 0.04:
                p["valid_until"] = D(2026, 11, rng.randint(12, 25))  # reappointment due
            elif roll < 0.08:
                p["valid_from"] = D(2026, 11, rng.randint(4, 18))  # credentialing by proxy just approved
            privileges.append(p)
        r = {
            "id": ascii_slug(f"{first}_{last}"),
            "name": f"{first} {last}, MD",
            "email": f"{ascii_slug(first)}.{ascii_slug(last)}@nightread-rads.com",
            "timezone": "Australia/Sydney" if offshore else US_ZONES[zone],
            "licenses": licenses,
            "privileges": privileges,
            "subspecialties": subs,
            "fte": 1.0 if offshore else rng.choice([0.5, 0.6, 0.8, 1.0, 1.0, 1.0]),
            "rule_set": "us_nighthawk" if offshore else "us_attending",
            "studies_per_hour": rng.choice([10, 11, 12, 12, 13, 14]),
            "leave": [],
            "requests": [],
            "history": {"shifts": [], "burden_points": 0},
        }
        if offshore:
            r["allowed_shift_types"] = [f"night_{z}" for z in US_ZONES]
        r["history"]["burden_points"] = round(r["fte"] * rng.uniform(12, 40))  # carried, roughly by FTE
        readers.append(r)

    # Leave: Thanksgiving week for some, RSNA (29 Nov - 3 Dec 2026, Chicago) for a few neuro readers
    for r in rng.sample(readers[:38], 5):
        r["leave"].append({"start": D(2026, 11, 23), "end": D(2026, 11, 27), "reason": "Thanksgiving vacation"})
    for r in rng.sample([r for r in readers[:38] if "neuro" in r["subspecialties"] and not r["leave"]], 3):
        r["leave"].append({"start": D(2026, 11, 28), "end": D(2026, 11, 30), "reason": "RSNA annual meeting"})
    for r in rng.sample([r for r in readers[:38] if not r["leave"]], 3):
        d0 = D(2026, 11, rng.randint(3, 17))
        r["leave"].append({"start": d0, "end": d0 + dt.timedelta(days=rng.randint(2, 5)), "reason": "vacation"})

    free = [r for r in readers if not r["leave"]]
    for r in rng.sample(free, 4):
        r["requests"].append({"kind": "avoid", "dates": [D(2026, 11, 26)], "weight": 3})
    for r in rng.sample(free, 3):
        d0 = D(2026, 11, rng.randint(2, 20))
        r["requests"].append({"kind": "want", "dates": [d0 + dt.timedelta(days=j) for j in range(3)], "weight": 1})

    # History: nights of 29-31 October (the 31st spans the DST change)
    nights_of = {}
    for sid in (s["id"] for s in sites):
        for need in next(s for s in sites if s["id"] == sid)["coverage"]:
            if need["shift_type"].startswith("night_"):
                nights_of[sid] = need["shift_type"]
    for r in rng.sample(readers, 10):
        home_sites = [p["site"] for p in r["privileges"]]
        st_id = nights_of[rng.choice(home_sites)]
        days = rng.choice([[D(2026, 10, 31)], [D(2026, 10, 30), D(2026, 10, 31)],
                           [D(2026, 10, 29), D(2026, 10, 30), D(2026, 10, 31)]])
        r["history"]["shifts"] = [{"shift_type": st_id, "date": d} for d in days]
        r["history"]["nights"] = len(days)

    for r in readers:
        for key in ("leave", "requests", "subspecialties"):
            if not r[key]:
                del r[key]
        if not r["history"]["shifts"]:
            del r["history"]["shifts"]

    data = {
        "name": "us-multistate-november-2026",
        "horizon": {"start": start, "end": end, "timezone": "America/Chicago", "holidays": {"country": "US"}},
        "jurisdictions": jurisdictions,
        "subspecialties": [
            {"id": "neuro", "name": "Neuroradiology"}, {"id": "body", "name": "Body imaging"},
            {"id": "chest", "name": "Cardiothoracic imaging"}, {"id": "msk", "name": "Musculoskeletal"},
            {"id": "peds", "name": "Pediatric radiology"},
        ],
        "shift_types": shift_types,
        "rule_sets": rule_sets,
        "sites": sites,
        "radiologists": readers,
    }
    repair_eligibility(data, rng, max_sites=16)
    return data


US_HEADER = """\
# us_multistate.yaml: generated by benchmarks/make_examples.py; do not edit by hand, re-run the script.
#
# A US teleradiology group reading for 60 (fictional) facilities in 16 states and four time zones
# in November 2026. Every facility needs a night reader (22:00-08:00 local); six comprehensive
# stroke centres also need a neuroradiologist on the day and swing stroke desk. A reader may cover
# a facility only with a license for its state and privileges there, both valid on the dates of
# the shift: some licenses lapse or start mid-month. Two offshore nighthawks in Sydney, licensed
# in several states, read US nights in their daytime.
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "scenarios")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for fname, build, header, notes in (
        ("fr_regional.yaml", fr_scenario, FR_HEADER, FR_NOTES),
        ("us_multistate.yaml", us_scenario, US_HEADER, US_NOTES),
    ):
        data = build()
        text = dump_sections(header, data, notes)
        scenario_from_data(yaml.safe_load(text), fname)  # round-trip check
        (args.out / fname).write_text(text, encoding="utf-8")
        print(f"wrote {args.out / fname}")


if __name__ == "__main__":
    main()
