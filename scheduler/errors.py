"""Input errors that name the file, the field path and what would be valid."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in an input: where (a field path like `radiologists[3].fte`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(Exception):
    """Bad input: carries every issue found, and the file it came from when known."""

    def __init__(self, issues: list[Issue], source: str | None = None) -> None:
        self.issues = list(issues)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = len(self.issues)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} found"]
        lines += [f"  - {issue}" for issue in self.issues]
        return "\n".join(lines)


class ScenarioReferenceError(InputError):
    """A scenario names something it never defines (a site, a rule set, a shift type...)."""
