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

    def rel(self, path: Path | str) -> str:
        p = Path(path)
        if self.root is not None:
            try:
                return p.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return p.as_posix()

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

