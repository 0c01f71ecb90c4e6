"""The ipt-manual command: exit codes, messages, and output left alone on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli


@pytest.mark.fast
def test_check_clean_project(minimal: Path) -> None:
    result = run_cli("check", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stderr


@pytest.mark.fast
def test_check_reports_every_problem_with_path_and_line(minimal: Path) -> None:
    (minimal / "manual" / "pages" / "overview.md").write_text("", encoding="utf-8")
    (minimal / "manual" / "worksheets" / "inventory.yaml").write_text("title: [x", encoding="utf-8")
    result = run_cli("check", "--project", str(minimal))
    assert result.returncode == 1
    assert "manual/pages/overview.md:1: file is empty" in result.stderr
    assert "manual/worksheets/inventory.yaml:1: malformed YAML" in result.stderr
    assert "Traceback" not in result.stderr
    assert "problem(s) found" in result.stderr


@pytest.mark.fast
def test_check_finds_project_from_current_directory(minimal: Path) -> None:
    result = run_cli("check", cwd=minimal / "manual" / "sessions")
    assert result.returncode == 0, result.stderr


@pytest.mark.fast
def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("check", "--project", str(tmp_path)).returncode == 2
    assert run_cli("no-such-command").returncode == 2
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "no IPT manual project here" in result.stderr


def test_failed_build_leaves_published_site_untouched(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    index = minimal / "_build" / "html" / "index.html"
    before = index.read_bytes()
    session = minimal / "manual" / "sessions" / "session-02.md"
    session.write_text(session.read_text(encoding="utf-8").replace("number: 2", "number: 3"), encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert "duplicate session number 3" in result.stderr
    assert "the published site was not changed" in result.stderr
    assert index.read_bytes() == before
    assert (minimal / "_build" / "html" / "core" / "sessions" / "session-02.html").exists()


def test_sphinx_warning_fails_build_without_publishing(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    marker = minimal / "_build" / "html" / "core" / "overview.html"
    before = marker.read_bytes()
    page = minimal / "manual" / "pages" / "overview.md"
    # a MyST link to a missing document passes the source check but fails the strict Sphinx build
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [nowhere](missing-doc.md).\n", encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1, result.stderr
    assert "missing-doc" in result.stderr
    assert marker.read_bytes() == before


def test_new_adaptation_builds_at_once(minimal: Path) -> None:
    result = run_cli("new-adaptation", "night-shift", "--project", str(minimal), "--title", "IPT for night workers")
    assert result.returncode == 0, result.stderr
    assert (minimal / "adaptations" / "night-shift" / "adaptation.yaml").is_file()
    built = run_cli("build", "--project", str(minimal))
    assert built.returncode == 0, built.stderr
    html = minimal / "_build" / "html" / "night-shift"
    assert (html / "sessions" / "session-04.html").is_file()
    assert "IPT for night workers" in (html / "index.html").read_text(encoding="utf-8")


def test_new_adaptation_never_overwrites(minimal: Path) -> None:
    folder = minimal / "adaptations" / "mine"
    folder.mkdir(parents=True)
    (folder / "adaptation.yaml").write_text("id: mine\n", encoding="utf-8")
    result = run_cli("new-adaptation", "mine", "--project", str(minimal))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert (folder / "adaptation.yaml").read_text(encoding="utf-8") == "id: mine\n"
    assert run_cli("new-adaptation", "Bad Id", "--project", str(minimal)).returncode == 2
