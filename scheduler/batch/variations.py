"""What-if variations: a base scenario with readers added, copied or removed, sites dropped, a rule changed.

The changes are made on the scenario's data and the result is validated as a whole, so a variation
can never produce a scenario the solver would not accept; problems are reported at the variation's
path in the spec (`variations[1].drop_sites[0]: unknown site ...`).
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from scheduler.batch.spec import Variation
from scheduler.errors import InputError, Issue, ScenarioReferenceError
from scheduler.io.scenario_yaml import issues_from_validation
from scheduler.scenario import RuleSet, Scenario

COPIED_FIELDS = ("licenses", "privileges", "subspecialties", "fte", "rule_set", "timezone", "allowed_shift_types",
                 "shift_limits", "studies_per_hour")  # a new hire: no leave, requests or history of their own
RULE_FIELDS = tuple(f for f in RuleSet.model_fields if f != "id")


def _unknown(path: str, value: str, known: list[str], what: str) -> Issue:
    return Issue(path, f"unknown {what} {value!r}; defined: {', '.join(sorted(known)[:12]) or 'none'}")


def apply_variation(base: Scenario, v: Variation, where: str = "variation", source: str | None = None) -> Scenario:
    """`base` changed as `v` says: remove readers, drop sites, copy a reader, add readers, change a rule set."""
    data = base.model_dump(mode="json")
    data["name"] = f"{base.name} ({v.name})"
    issues: list[Issue] = []
    readers: list[dict[str, Any]] = data["radiologists"]
    reader_ids = [r["id"] for r in readers]

    for k, rid in enumerate(v.remove_readers):
        if rid not in reader_ids:
            issues.append(_unknown(f"{where}.remove_readers[{k}]", rid, reader_ids, "reader"))
    readers[:] = [r for r in readers if r["id"] not in v.remove_readers]

    site_ids = [s["id"] for s in data["sites"]]
    for k, sid in enumerate(v.drop_sites):
        if sid not in site_ids:
            issues.append(_unknown(f"{where}.drop_sites[{k}]", sid, site_ids, "site"))
    data["sites"] = [s for s in data["sites"] if s["id"] not in v.drop_sites]
    for r in readers:
        r["privileges"] = [p for p in r["privileges"] if p["site"] not in v.drop_sites]

    if v.copy_reader is not None:
        source_reader = next((r for r in readers if r["id"] == v.copy_reader.source), None)
        if source_reader is None:
            issues.append(_unknown(f"{where}.copy_reader.from", v.copy_reader.source, reader_ids, "reader"))
        else:
            taken = {r["id"] for r in readers} | {r.get("id") for r in v.add_readers}
            n = 0
            for _ in range(v.copy_reader.count):
                n += 1
                while f"{source_reader['id']}_copy{n}" in taken:
                    n += 1
                new = {f: copy.deepcopy(source_reader[f]) for f in COPIED_FIELDS}
                new["id"] = f"{source_reader['id']}_copy{n}"
                new["name"] = f"{source_reader.get('name') or source_reader['id']} (copy {n})"
                taken.add(new["id"])
                readers.append(new)

    first_added = len(readers)
    readers.extend(copy.deepcopy(list(v.add_readers)))

    rule_index = None
    if v.set_rule is not None:
        rule_id = v.set_rule["rule_set"]
        rule_ids = [r["id"] for r in data["rule_sets"]]
        if rule_id not in rule_ids:
            issues.append(_unknown(f"{where}.set_rule.rule_set", rule_id, rule_ids, "rule set"))
        else:
            rule_index = rule_ids.index(rule_id)
            for field, value in v.set_rule.items():
                if field == "rule_set":
                    continue
                if field not in RULE_FIELDS:
                    issues.append(Issue(f"{where}.set_rule.{field}",
                                        f"not a rule set field; valid: {', '.join(RULE_FIELDS)}"))
                else:
                    data["rule_sets"][rule_index][field] = value
    if issues:
        raise InputError(issues, source)

    def relocate(issue: Issue) -> Issue:
        """A problem in the changed scenario, named where the variation caused it when it can be."""
        path = issue.path
        for k in range(len(v.add_readers)):
            prefix = f"radiologists[{first_added + k}]"
            if path == prefix or path.startswith(prefix + "."):
                return Issue(f"{where}.add_readers[{k}]{path[len(prefix):]}", issue.message)
        prefix = f"rule_sets[{rule_index}]."
        if rule_index is not None and path.startswith(prefix):
            return Issue(f"{where}.set_rule.{path[len(prefix):]}", issue.message)
        return Issue(f"{where}", f"the varied scenario is not valid: {path}: {issue.message}")

    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError([relocate(i) for i in issues_from_validation(err)], source) from None
    except ScenarioReferenceError as err:
        raise InputError([relocate(i) for i in err.issues], source) from None

