"""Problems found in protocol sources, reported as ``path:line: message``.

Every check in the builder reports through :class:`Problem`; nothing in the
loading and validation path raises on bad input.  A :class:`Problems` list
collects everything found in one run so an author sees all mistakes at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one source file."""

    path: str
    line: int
    message: str
    hint: str = ""

    def format(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


#: Longest message or hint shown: text quoted from a source (a 1 MB line) is cut, not echoed.
MAX_MESSAGE = 300


def cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Problems:
    """An ordered, de-duplicated collection of :class:`Problem`."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self._items: list[Problem] = []
        self._seen: set[Problem] = set()
        self._rel: dict[Path, str] = {}

    def rel(self, path: Path | str) -> str:
        """``path`` as messages show it: relative to the project root when inside it (links
        followed; each path is worked out once, so later messages need no disk access)."""
        p = Path(path)
        if self.root is None:
            return p.as_posix()
        if p not in self._rel:
            try:
                self._rel[p] = p.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                self._rel[p] = p.as_posix()
        return self._rel[p]

    def add(self, path: Path | str, line: int, message: str, hint: str = "") -> None:
        problem = Problem(self.rel(path), max(int(line), 1), cut(message), cut(hint))
        if problem not in self._seen:
            self._seen.add(problem)
            self._items.append(problem)

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

