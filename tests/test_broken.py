"""Broken sources: the corpus tests/fixtures/broken_sources.yaml, generated huge and deep
inputs, and the command line on a few representative cases (exit 1, no traceback, bounded time)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from builder.errors import Problems
from builder.project import load_project
from builder.rules import MAX_SOURCE_BYTES
from builder.sections import split_sections

from .conftest import copy_project
from .helpers import apply_case, located, with_teen

pytestmark = pytest.mark.fast  # make test-fast

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "broken_sources.yaml").read_text(encoding="utf-8"))
BY_NAME = {c["name"]: c for c in CASES}
CLI_TIMEOUT = 60


def reported(root: Path) -> tuple[list[str], Problems]:
    problems = load_project(root).problems
    return [p.format() for p in problems], problems


def check_cli(root: Path) -> subprocess.CompletedProcess[str]:
    """``ipt-manual check`` in a subprocess, as an author runs it, with a time limit."""
    return subprocess.run([sys.executable, "-m", "builder.cli", "check", "--project", str(root)],
                          capture_output=True, text=True, timeout=CLI_TIMEOUT)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_source_reports_path_and_line(tmp_path: Path, case: dict) -> None:
    root = copy_project("minimal", tmp_path)
    apply_case(root, case)
    _, problems = reported(root)
    assert located(problems) == case["expect"]
    if "hint" in case:
        assert any(case["hint"] in p.hint for p in problems), [p.hint for p in problems]
    for problem in problems:
        assert problem.line >= 1 and not Path(problem.path).is_absolute(), problem


# a few representative corpus cases through the real command
CLI_CASES = ["yaml-bad-indentation", "yaml-alias-bomb", "adaptations-extend-each-other", "non-utf8-latin1-worksheet",
             "numbers-too-large", "zero-width-space-in-section-id"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_check_command_on_broken_source(tmp_path: Path, name: str) -> None:
    root = copy_project("minimal", tmp_path)
    apply_case(root, BY_NAME[name])
    result = check_cli(root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    shown = [line for line in result.stderr.splitlines() if not line.startswith(" ")]  # hints are indented
    assert shown == [*BY_NAME[name]["expect"], f"{len(BY_NAME[name]['expect'])} problem(s) found."], result.stderr


# --- generated inputs too big to commit -------------------------------------------------------

def test_ten_megabyte_file_is_refused_quickly(minimal: Path) -> None:
    path = minimal / "manual" / "sessions" / "session-03.md"
    with path.open("wb") as fh:  # 10 MB, written in chunks
        fh.write(b"---\nnumber: 3\ntitle: Big\n---\n\n## Tasks {#tasks}\n\n")
        for _ in range(10):
            fh.write((b"word " * 200 + b"\n") * 1024)
    size = path.stat().st_size
    assert size > 10_000_000
    started = time.monotonic()
    lines, problems = reported(minimal)
    assert time.monotonic() - started < 5
    expected = (f"manual/sessions/session-03.md:1: file is too large ({size:,} bytes; "
                f"the limit is {MAX_SOURCE_BYTES:,})")
    assert expected in [line.split("\n")[0] for line in lines]
    assert any("split the text" in p.hint for p in problems)
    result = check_cli(minimal)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr


@pytest.mark.parametrize("shape", ["flow", "block", "sequence"])
def test_yaml_nested_a_thousand_levels(minimal: Path, shape: str) -> None:
    depth = 1000
    if shape == "flow":
        nested = "audience: " + "[" * depth + "x" + "]" * depth + "\n"
        line = 2
    elif shape == "block":
        nested = "audience:\n" + "".join("  " * i + "  k:\n" for i in range(depth)) + "  " * depth + "  v\n"
        line = 22  # the first mapping deeper than 20 levels
    else:
        nested = "audience:\n  " + "- " * depth + "x\n"
        line = 3
    (minimal / "manual" / "protocol.yaml").write_text("id: core\n" + nested, encoding="utf-8")
    lines, _ = reported(minimal)
    assert any(r.startswith(f"manual/protocol.yaml:{line}: nesting deeper than 20 levels") for r in lines), lines
    if shape == "flow":
        result = check_cli(minimal)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
        assert "manual/protocol.yaml:2: nesting deeper than 20 levels" in result.stderr


def test_front_matter_nested_a_thousand_levels(minimal: Path) -> None:
    path = minimal / "manual" / "techniques" / "clarification.md"
    path.write_text("---\ntitle: " + "{a: " * 1000 + "x" + "}" * 1000 + "\nsummary: S.\n---\n\n## What {#what}\n\nT.\n",
                    encoding="utf-8")
    lines, _ = reported(minimal)
    assert any(r.startswith("manual/techniques/clarification.md:2: nesting deeper than 20 levels") for r in lines)


def test_directives_nested_three_hundred_levels(minimal: Path) -> None:
    # MyST parses nested directives recursively: this once passed the check and crashed the build
    depth = 300
    opening = [":" * (depth + 3 - i) + "{note}" for i in range(depth)]
    closing = [":" * (depth + 3 - i) for i in reversed(range(depth))]
    body = "\n".join([*opening, "Deep.", *closing])
    path = minimal / "manual" / "pages" / "overview.md"
    path.write_text(f"---\ntitle: Overview\nsummary: S.\n---\n\n## About {{#about}}\n\n{body}\n", encoding="utf-8")
    lines, _ = reported(minimal)
    assert any(r.startswith("manual/pages/overview.md:18: blocks nested deeper than 10 levels") for r in lines)


def test_one_megabyte_line_of_prose_is_accepted_quickly(minimal: Path) -> None:
    path = minimal / "manual" / "pages" / "overview.md"
    line = ("Plain words, a {session}`1` link, 3 < 5 and data: notes. " * 18_000)[:1_000_000]
    path.write_text(f"---\ntitle: Overview\nsummary: S.\n---\n\n## About {{#about}}\n\n{line}\n", encoding="utf-8")
    started = time.monotonic()
    lines, _ = reported(minimal)
    assert time.monotonic() - started < 30  # catches minutes-long backtracking, not a speed measure
    assert lines == []


@pytest.mark.parametrize("unit", ["<b ", "[x](", "`", "{x}`", "&#", "](../", "<![", "on", "java", "\\", "![a[b]"])
def test_one_megabyte_line_of_markup_fragments_is_checked_quickly(minimal: Path, unit: str) -> None:
    path = minimal / "manual" / "pages" / "overview.md"
    line = (unit * (1_000_000 // len(unit)))
    path.write_text(f"---\ntitle: Overview\nsummary: S.\n---\n\n## About {{#about}}\n\n{line}\n", encoding="utf-8")
    started = time.monotonic()
    _, problems = reported(minimal)
    assert time.monotonic() - started < 30, unit  # catches minutes-long backtracking, not a speed measure
    assert len(problems) < 10  # one problem per rule and line, not one per fragment


def test_one_megabyte_yaml_value_is_checked_quickly(minimal: Path) -> None:
    path = minimal / "manual" / "worksheets" / "inventory.yaml"
    text = path.read_text(encoding="utf-8").replace("purpose: List important people.",
                                                    "purpose: " + "List people <b " * 70_000)
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    lines, _ = reported(minimal)
    assert time.monotonic() - started < 30  # catches minutes-long backtracking, not a speed measure
    assert len(lines) == 1
    assert lines[0].startswith("manual/worksheets/inventory.yaml:2: raw HTML is not allowed in protocol sources: "
                               "'<b List people")


def test_one_megabyte_line_through_the_command(minimal: Path) -> None:
    path = minimal / "manual" / "pages" / "overview.md"
    path.write_text("---\ntitle: Overview\nsummary: S.\n---\n\n## About {#about}\n\n" + "<a " * 333_333 + "\n",
                    encoding="utf-8")
    result = check_cli(minimal)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "manual/pages/overview.md:8: raw HTML is not allowed in protocol sources" in result.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_link_to_a_file_outside_the_project_is_not_read(minimal: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: Secret\npurpose: Not for the site.\n", encoding="utf-8")
    target = minimal / "manual" / "worksheets" / "leak.yaml"
    try:
        target.symlink_to(secret)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    lines, _ = reported(minimal)
    assert "manual/worksheets/leak.yaml:1: file is a link to somewhere outside the project" in [
        r.split("\n")[0] for r in lines]
    inside = minimal / "manual" / "worksheets" / "same.yaml"
    inside.symlink_to(minimal / "manual" / "worksheets" / "inventory.yaml")
    lines, _ = reported(minimal)
    assert not any("same.yaml" in r for r in lines)


def test_code_block_ends_at_its_own_fence(tmp_path: Path) -> None:
    # a code block that shows an unclosed ~~~ or ::: once swallowed every later section
    body = "## Tasks {#tasks}\n\n```text\n~~~\n:::{note}\n```\n\n## Risk {#risk}\n\nAsk.\n"
    problems = Problems()
    sections = split_sections(body, 1, tmp_path / "a.md", problems)
    assert [s.id for s in sections] == ["tasks", "risk"]
    assert not problems


@pytest.mark.parametrize("value", ["", "5", "no agenda here"])
def test_overlay_with_a_set_that_is_not_a_mapping_is_reported(tmp_path: Path, value: str) -> None:
    root = with_teen(tmp_path)
    (root / "adaptations" / "teen" / "sessions" / "session-02.md").write_text(f"---\nset: {value}\n---\n",
                                                                               encoding="utf-8")
    lines, _ = reported(root)
    assert any(r.startswith("adaptations/teen/sessions/session-02.md:2: 'set' must be a mapping") for r in lines)


def test_a_one_megabyte_event_handler_name_is_cut_in_the_message(minimal: Path) -> None:
    path = minimal / "manual" / "pages" / "overview.md"
    path.write_text("---\ntitle: Overview\nsummary: S.\n---\n\n## About {#about}\n\n<b on" + "x" * 1_000_000 + "=1>\n",
                    encoding="utf-8")
    lines, _ = reported(minimal)
    handler = [line for line in lines if "event-handler attribute" in line]
    assert handler and handler[0].startswith("manual/pages/overview.md:8: event-handler attribute 'onxxxx")
    assert all(len(line) < 1000 for line in lines), [len(line) for line in lines]
    result = check_cli(minimal)
    assert result.returncode == 1 and len(result.stderr) < 5000
