"""The bench's yardstick: plain Sphinx must build the very pages the project generated, with nothing
skipped (an unknown directive becomes an error message instead of its content, which would make the
yardstick do less work than the build it is compared with)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from builder.bench import plain_project
from builder.rules import LINK_ROLES

EXAMPLE_PAGE = """---
orphan: true
---

# Yardstick check

:::{example} a-fictional-example
:population: adult individual
A fictional example, parsed as Markdown with *emphasis*.
:::

"""


def test_plain_sphinx_builds_the_generated_pages_without_a_warning(built_minimal: Path, tmp_path: Path) -> None:
    plain = plain_project(built_minimal, tmp_path / "plain")
    roles = " ".join(f"{{{role}}}`x`" for role in sorted(LINK_ROLES))
    (plain / "yardstick-check.md").write_text(EXAMPLE_PAGE + roles + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(plain),
                             str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "yardstick-check.html").read_text(encoding="utf-8")
    assert '<div class="example docutils container">' in page
    assert "parsed as Markdown with <em>emphasis</em>" in page
