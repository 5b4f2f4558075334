"""Scenario YAML: load with errors that name the file and field path, dump back to YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scheduler.errors import InputError, Issue, ScenarioReferenceError
from scheduler.io.atomic import write_text_atomic
from scheduler.scenario import Scenario


def format_loc(loc: tuple[Any, ...]) -> str:
    """Turn pydantic's loc tuple into `radiologists[3].licenses[0].valid_until`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_message(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def issues_from_validation(err: ValidationError) -> list[Issue]:
    """One Issue per pydantic error, with readable paths and messages."""
    errors = err.errors()
    locs = [tuple(e["loc"]) for e in errors]
    issues = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue  # pydantic's echo of a failed item inside this list
        msg = _clean_message(e["msg"])
        value = e.get("input")
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and e["type"] not in (
            "extra_forbidden",
            "missing",
            "value_error",
        ):
            msg += f" (got {value!r})"
        if e["type"] == "extra_forbidden":
            msg = "unknown field; check the spelling against the scenario format reference"
        elif e["type"] == "missing":
            msg = "required field is missing"
        issues.append(Issue(format_loc(loc), msg))
    return issues


def scenario_from_data(data: Any, source: str | None = None) -> Scenario:
    """Validate already-parsed data as a Scenario, raising InputError on any problem."""
    if not isinstance(data, dict):
        raise InputError([Issue("", "the file must hold a mapping (key: value) at the top")], source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(issues_from_validation(err), source) from None
    except ScenarioReferenceError as err:
        raise InputError(err.issues, source) from None


def read_text_file(path: str | Path) -> str:
    """A UTF-8 text file's content, or an InputError naming the file and why it cannot be read."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Issue("", "file not found")], str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Issue("", f"cannot read the file: {exc}")], str(p)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file; raises InputError naming the file, field path and reason."""
    return scenario_from_yaml_text(read_text_file(path), str(Path(path)))


def scenario_from_yaml_text(text: str, source: str | None = None) -> Scenario:
    """Parse and validate scenario YAML text; raises InputError naming the source and field path."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Issue("", f"not valid YAML: {where}{problem}")], source) from None
    return scenario_from_data(data, source)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text (defaults omitted), loadable again by `load_scenario`."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario as YAML, atomically."""
    write_text_atomic(path, scenario_to_yaml(scenario))
