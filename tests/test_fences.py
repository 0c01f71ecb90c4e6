"""The one fenced-block scanner (builder.fences) and the readers that use it agree."""

from __future__ import annotations

import pytest

from builder.changemarks import redline_markdown
from builder.examples import parse_examples
from builder.fences import fence_line, fenced_blocks, fenced_lines
from builder.render import demote_headings

pytestmark = pytest.mark.fast  # make test-fast


def spans(text: str, max_indent: int | None = 3) -> list[tuple[int, int, str, str, int]]:
    return [(b.start, b.end, b.marker, b.info, b.depth) for b in fenced_blocks(text.split("\n"), max_indent)]


def test_a_block_closes_at_the_same_character_at_least_as_long_with_nothing_after() -> None:
    text = "a\n````{note}\n```\n~~~~\n`````\nb"
    assert spans(text) == [(1, 4, "````", "{note}", 1), (2, 4, "```", "", 2)]


def test_nothing_opens_inside_a_code_block_and_directives_nest() -> None:
    assert spans("```python\n:::{note}\n## not a heading\n```\n") == [(0, 3, "```", "python", 1)]
    assert spans("::::{tab-set}\n:::{tab-item} A\nx\n:::\n::::") == [
        (0, 4, "::::", "{tab-set}", 1), (1, 3, ":::", "{tab-item} A", 2)]


def test_an_outer_closing_fence_closes_the_inner_blocks_and_unclosed_blocks_run_to_the_end() -> None:
    assert spans(":::{note}\n::::{tip}\nx\n:::\n") == [(0, 3, ":::", "{note}", 1), (1, 3, "::::", "{tip}", 2)]
    assert spans("a\n:::{note}\nx\n```") == [(1, 3, ":::", "{note}", 1), (3, 3, "```", "", 2)]
    assert spans("::::{note}\n:::{tip}\nx\n::::\nafter") == [(0, 3, "::::", "{note}", 1), (1, 3, ":::", "{tip}", 2)]


def test_indentation() -> None:
    assert fence_line("   ```") is not None and fence_line("    ```") is None
    assert fence_line("    ```", max_indent=None) is not None
    assert fence_line("``") is None and fence_line("::") is None
    assert fenced_lines(["x", "~~~", "# in", "~~~", "# out"]) == [False, True, True, True, False]


def test_the_readers_share_the_rules() -> None:
    body = "::::{example} ex-a\n:population: adult individual\n:::{note}\n# inside\n:::\ntext\n::::\n# outside"
    (example,) = parse_examples(body, 1)
    assert (example.id, example.line, example.end) == ("ex-a", 1, 7)  # the nested note does not end it
    demoted = demote_headings(body).split("\n")
    assert demoted[3] == "# inside" and demoted[7] == "**outside**"
    redline = redline_markdown("```\ncode one\n```\nwords here", "```\ncode two\n```\nwords there")
    assert "code two" in redline and "<del" not in redline.split("```")[1]
