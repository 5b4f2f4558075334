"""The layers keep apart: storage knows no planning, the UI and the checker no solver.

Read from the source's import statements (top level and local alike), so a local import that
reaches across a layer is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEDULER = ROOT / "scheduler"


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} imports {name}"
        for path in paths
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


LAYERS = [
    # storage keeps records; what a publish or a swap means is decided above it
    (sorted((SCHEDULER / "store").glob("*.py")),
     ("scheduler.replan", "scheduler.solver", "scheduler.ui", "scheduler.batch", "ortools")),
    # the UI shows and edits; scheduling logic stays in the library
    (sorted((SCHEDULER / "ui").rglob("*.py")) + [ROOT / "app.py"], ("ortools",)),
    # the checker is the referee: no CP-SAT inside it
    ([SCHEDULER / "check.py"], ("ortools", "scheduler.solver")),
]


@pytest.mark.parametrize(("paths", "forbidden"), LAYERS, ids=["store", "ui", "checker"])
def test_no_module_reaches_across_its_layer(paths: list[Path], forbidden: tuple[str, ...]) -> None:
    assert paths, "no module found: the layout moved"
    assert _offending(paths, forbidden) == []


def test_the_layer_test_sees_a_local_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from scheduler.replan.swaps import mismatches\n    return mismatches\n")
    assert _offending([module], ("scheduler.replan",)) != []
