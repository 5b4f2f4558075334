"""The batch spec (YAML): which scenarios, which months, how long per month, which what-if variations.

    scenarios: [scenarios/fr_regional.yaml]          # or {name: ..., file: ...} entries
    months: 2026-10..2027-03
    time_limit: 30                                   # seconds per month
    workers_per_solve: 1                             # CP-SAT threads per month
    variations:                                      # what-ifs of one base scenario
      - name: two more readers
        base: fr_regional                            # a scenario's name or file (default: the only one)
        copy_reader: {from: READER_ID, count: 2}
      - name: no site X
        drop_sites: [X]
      - name: rest 12 h
        set_rule: {rule_set: fr_ph, min_rest_hours: 12}

Files are relative to the spec's folder. Validated with pydantic; every error names the spec file,
the field path, what is wrong and what is valid (as scenario files do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scheduler.batch.months import parse_months
from scheduler.errors import InputError, Issue
from scheduler.io.scenario_yaml import issues_from_validation, read_text_file
from scheduler.scenario import Id

CHANGES = ("add_readers", "copy_reader", "remove_readers", "drop_sites", "set_rule")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScenarioEntry(_Model):
    """A scenario of the batch: its file, and the name it is reported under (default: the file's stem)."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    file: str = Field(min_length=1)


class CopyReader(_Model):
    """Hire `count` readers like an existing one (same licenses, privileges, skills, FTE and rules)."""

    source: Id = Field(alias="from")
    count: int = Field(default=1, ge=1, le=50)


class Variation(_Model):
    """A what-if of one base scenario; its changes are applied in the order listed in CHANGES."""

    name: str = Field(min_length=1, max_length=80)
    base: str | None = Field(default=None, description="A scenario's name or file; default: the only scenario.")
    add_readers: tuple[dict[str, Any], ...] = Field(default=(), description="Radiologist entries, as in a scenario.")
    copy_reader: CopyReader | None = None
    remove_readers: tuple[Id, ...] = ()
    drop_sites: tuple[Id, ...] = ()
    set_rule: dict[str, Any] | None = Field(
        default=None, description="{rule_set: ID, field: value, ...}: fields of that rule set to change."
    )

    @field_validator("set_rule")
    @classmethod
    def _set_rule(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        if v is not None and not isinstance(v.get("rule_set"), str):
            raise ValueError("set_rule needs `rule_set: ID` naming the rule set to change, then the fields to set")
        if v is not None and len(v) < 2:
            raise ValueError("set_rule changes nothing; add the fields to set, e.g. min_rest_hours: 12")
        return v

    @model_validator(mode="after")
    def _some_change(self) -> Variation:
        if not any(getattr(self, c) for c in CHANGES):
            raise ValueError(f"variation {self.name!r} changes nothing; give at least one of {', '.join(CHANGES)}")
        return self


class BatchSpec(_Model):
    """What to plan: scenarios and variations, over a range of months, with the solve settings."""

    scenarios: tuple[str | ScenarioEntry, ...] = ()
    months: str | None = Field(default=None, description="FIRST..LAST as YYYY-MM..YYYY-MM, or one YYYY-MM.")
    time_limit: float = Field(default=30.0, gt=0, le=86_400, description="Seconds per month.")
    workers_per_solve: int = Field(default=1, ge=1, le=64, description="CP-SAT threads per month.")
    seed: int = Field(default=0, ge=0)
    variations: tuple[Variation, ...] = ()

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, v: Any) -> Any:
        if v is not None:
            parse_months(str(v))
        return v if v is None else str(v)

    @model_validator(mode="after")
    def _something(self) -> BatchSpec:
        if not self.scenarios and not self.variations:
            raise ValueError("the spec plans nothing; list scenario files under `scenarios` or `variations`")
        return self

    def month_list(self, override: str | None = None) -> list[str]:
        """The months to plan: `override` (the CLI's --months) or the spec's."""
        return parse_months(override or self.months or "")


@dataclass(frozen=True)
class Unit:
    """One scenario's chain of months: a scenario file, possibly with a variation applied."""

    key: str  # its folder under the output directory
    name: str
    file: Path
    where: str  # the spec path it comes from: scenarios[0], variations[2]
    variation: Variation | None = None
    base_key: str | None = None  # the unit a variation is compared with


def slug(name: str) -> str:
    """A folder name for `name`: letters, digits, `.`, `_`, `-`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.").lower() or "scenario"


def load_spec(path: str | Path) -> BatchSpec:
    """Read and validate a batch spec; InputError naming the file, field path and reason."""
    p = Path(path)
    text = read_text_file(p)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise InputError([Issue("", f"not valid YAML: {where}{problem}")], str(p)) from None
    return spec_from_data(data, str(p))


def spec_from_data(data: Any, source: str | None = None) -> BatchSpec:
    """Validate parsed spec data; InputError with field paths on any problem."""
    if not isinstance(data, dict):
        raise InputError([Issue("", "the spec must hold a mapping (scenarios:, months:, ...) at the top")], source)
    try:
        return BatchSpec.model_validate(data)
    except ValidationError as err:
        issues = [
            Issue(i.path, "unknown field; valid fields: " + ", ".join(_fields_at(i.path)))
            if i.message.startswith("unknown field") else i
            for i in issues_from_validation(err)
        ]
        raise InputError(issues, source) from None


def _fields_at(path: str) -> list[str]:
    model: type[BaseModel] = BatchSpec
    if path.startswith("variations["):
        model = CopyReader if ".copy_reader." in path else Variation
    elif path.startswith("scenarios["):
        model = ScenarioEntry
    return [f.alias or name for name, f in model.model_fields.items()]


def units_of(spec: BatchSpec, spec_dir: Path, source: str | None = None) -> list[Unit]:
    """The chains to plan: each scenario, each variation, and each variation's base (added when not listed).

    Raises InputError for names that collide and variations whose base is ambiguous.
    """
    issues: list[Issue] = []
    units: list[Unit] = []
    by_file: dict[Path, Unit] = {}

    def add(unit: Unit) -> Unit:
        if any(u.key == unit.key for u in units):
            issues.append(Issue(f"{unit.where}.name", f"the name {unit.name!r} is already used (folder {unit.key!r});"
                                " give each scenario and variation its own name"))
        units.append(unit)
        return unit

    for k, entry in enumerate(spec.scenarios):
        file, name = (entry, None) if isinstance(entry, str) else (entry.file, entry.name)
        path = (spec_dir / file).resolve()
        unit = add(Unit(slug(name or Path(file).stem), name or Path(file).stem, path, f"scenarios[{k}]"))
        by_file.setdefault(path, unit)
    listed = list(units)
    for k, v in enumerate(spec.variations):
        where = f"variations[{k}]"
        if v.base is None:
            if len(listed) != 1:
                issues.append(Issue(f"{where}.base", "required: say which scenario this variation changes "
                                    f"(a name among {', '.join(u.name for u in listed) or 'none listed'}, or a file)"))
                continue
            base = listed[0]
        else:
            base = next((u for u in listed if v.base in (u.name, u.key)), None)
            if base is None:
                path = (spec_dir / v.base).resolve()
                base = by_file.get(path) or add(Unit(slug(Path(v.base).stem), Path(v.base).stem, path, f"{where}.base"))
                by_file.setdefault(path, base)
        add(Unit(slug(v.name), v.name, base.file, where, variation=v, base_key=base.key))
    if issues:
        raise InputError(issues, source)
    return units
