"""A core edit flows into every adaptation that inherits it, and not into what an adaptation overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from .conftest import copy_project, run_cli
from .helpers import FIXTURES


def build(root: Path) -> Path:
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    return root / "_build" / "html"


def section_text(html: Path, doc: str, anchor: str) -> tuple[str, str]:
    """(text of the section outside the core-text dropdown, text inside it)."""
    page = BeautifulSoup((html / doc).read_text(encoding="utf-8"), "html.parser")
    section = page.find(id=anchor).find_parent("section") if page.find(id=anchor).name != "section" \
        else page.find(id=anchor)
    core = " ".join(d.get_text(" ", strip=True) for d in section.select(".ipt-core-text"))
    for d in section.select(".ipt-core-text"):
        d.decompose()
    return " ".join(section.get_text(" ").split()), core


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_core_edit_reaches_inheriting_adaptation_only_where_not_overridden(tmp_path: Path) -> None:
    root = copy_project("minimal", tmp_path)
    shutil.copytree(FIXTURES / "overlays" / "teen", root / "adaptations" / "teen")
    html = build(root)
    teen2, _ = section_text(html, "teen/sessions/session-02.html", "ipt-teen-sessions-session-02-tasks")
    assert "Tasks of meeting 2." in teen2

    # teen session 2 inherits core session 2 unchanged
    edit(root / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.", "Tasks of session two, revised.")
    # teen session 1 replaces the core tasks section
    edit(root / "manual" / "sessions" / "session-01.md", "Tasks of meeting 1.", "Tasks of session one, revised.")
    html = build(root)

    teen2, _ = section_text(html, "teen/sessions/session-02.html", "ipt-teen-sessions-session-02-tasks")
    assert "Tasks of session two, revised." in teen2
    core2, _ = section_text(html, "core/sessions/session-02.html", "ipt-core-sessions-session-02-tasks")
    assert "Tasks of session two, revised." in core2

    teen1, core_text = section_text(html, "teen/sessions/session-01.html", "ipt-teen-sessions-session-01-tasks")
    assert "Teen tasks replace core tasks." in teen1
    assert "revised" not in teen1
    assert "Tasks of session one, revised." in core_text  # the reader can still see what core now says
