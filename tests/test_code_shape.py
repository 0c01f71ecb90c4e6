"""The shape a newcomer can rely on (ARCHITECTURE.md): short functions, source lines as declared fields,
overlays resolved in small steps, test modules that do not import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .helpers import REPO

pytestmark = pytest.mark.fast  # make test-fast

BUILDER = REPO / "builder"
#: Modules whose every function is a step of resolving an overlay.
OVERLAY_MODULES = ("overlay.py", "overlay_parse.py", "section_ops.py")


def functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(f"{path.relative_to(REPO)}:{n.lineno} {n.name}", n.end_lineno - n.lineno + 1)  # type: ignore[operator]
            for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_function_in_builder_is_over_sixty_lines() -> None:
    found = [f for path in sorted(BUILDER.rglob("*.py")) for f in functions(path)]
    assert len(found) > 100
    assert [f"{name}: {length} lines" for name, length in found if length > 60] == []


def test_overlay_steps_are_forty_lines_or_less() -> None:
    found = [f for name in OVERLAY_MODULES for f in functions(BUILDER / name)]
    assert any(name.endswith(" resolve") for name, _ in found)
    assert [f"{name}: {length} lines" for name, length in found if length > 40] == []


def test_source_lines_are_declared_fields() -> None:
    """No ``getattr(obj, "line"/"lines", default)``: a model object's source lines are typed fields."""
    hits = []
    for path in sorted(BUILDER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value in ("line", "lines")):
                hits.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert hits == []


def test_test_modules_do_not_import_each_other() -> None:
    hits = []
    for path in sorted((REPO / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1].startswith("test_"):
                hits.append(f"{path.name}:{node.lineno} from {node.module}")
    assert hits == []
