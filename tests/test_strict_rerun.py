"""Strict means strict on every run (issue 10, item 5): a build that failed fails again when run again
unchanged, because the next build reads every page again; problems Sphinx finds name the source file."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli

OVERVIEW = "manual/pages/overview.md"


def test_a_broken_link_fails_every_build_until_it_is_fixed(minimal: Path) -> None:
    page = minimal / OVERVIEW
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\nSee [nowhere](missing-doc.md).\n", encoding="utf-8")  # line 10; the check passes
    assert run_cli("check", "--project", str(minimal)).returncode == 0
    for attempt in (1, 2):
        result = run_cli("build", "--project", str(minimal))
        assert result.returncode == 1, (attempt, result.stderr)
        # mapped back from the generated _site/core/overview.md to the source file and line
        assert f"{minimal / OVERVIEW}:10: WARNING:" in result.stderr, (attempt, result.stderr)
        assert "missing-doc" in result.stderr
        assert not (minimal / "_build" / "html").exists()
    assert "reading every page again" in result.stderr
    page.write_text(good, encoding="utf-8")
    fixed = run_cli("build", "--project", str(minimal))
    assert fixed.returncode == 0, fixed.stderr
    assert not (minimal / "_build" / ".build-failed").exists()
    again = run_cli("build", "--project", str(minimal))  # after a success, builds are incremental again
    assert again.returncode == 0 and "reading every page again" not in again.stderr
