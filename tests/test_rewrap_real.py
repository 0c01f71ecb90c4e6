"""Re-wrapping any paragraph of the real content, at any width and inside roles, changes no manual
(issue: the protocol diff a reviewer can trust). Not in the fast tier: it loads the real project."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.diff import diff_manuals
from builder.project import load_project

REPO = Path(__file__).parent.parent
NOT_PROSE = ("#", "|", "-", "*", "+", ">", ":", "`", "~", "<", "!", "{", "(")


def rewrap(body: str, width: int) -> str:
    """Re-wrap every plain paragraph of a Markdown body at ``width``, breaking inside roles too."""
    import re
    import textwrap

    out, para, fence = [], [], False

    def flush() -> None:
        if para:
            text = " ".join(line.strip() for line in para)
            lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
            ok = all(not ln.startswith(NOT_PROSE) and not re.match(r"\d+[.)]\s", ln) for ln in lines)
            out.extend(lines if ok else para)
            para.clear()

    for line in body.split("\n"):
        if line.lstrip().startswith(("```", ":::", "~~~")):
            flush()
            fence = not fence if line.strip() in ("```", ":::", "~~~") or not fence else fence
            out.append(line)
        elif fence or not line.strip() or line.lstrip().startswith(NOT_PROSE) or re.match(r"\s*\d+[.)]\s", line):
            flush()
            out.append(line)
        else:
            para.append(line)
    flush()
    return "\n".join(out)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(width=st.integers(min_value=12, max_value=100))
def test_rewrapping_the_real_content_changes_no_manual(width: int, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    import shutil

    root = tmp_path_factory.mktemp("rewrap")
    for item in ("manual", "adaptations"):
        shutil.copytree(REPO / item, root / item)
    shutil.copy2(REPO / "conf.py", root / "conf.py")
    before = load_project(root).manuals
    for path in [*root.glob("manual/**/*.md"), *root.glob("adaptations/**/*.md")]:
        text = path.read_text(encoding="utf-8")
        body_start = text.index("\n---\n", 4) + 5 if text.startswith("---\n") else 0
        path.write_text(text[:body_start] + rewrap(text[body_start:], width), encoding="utf-8")
    after = load_project(root)
    assert not after.problems, [p.format() for p in after.problems][:5]
    assert diff_manuals(before, after.manuals) == []
