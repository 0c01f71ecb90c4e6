"""``resolve`` does no I/O: every real adaptation, parsed first, resolves with file access blocked
to the same manual as the normal load."""

from __future__ import annotations

import builtins
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from builder.errors import Problems
from builder.loader import load_manual
from builder.model import Manual
from builder.overlay import load_adaptations, resolve
from builder.overlay_parse import Adaptation, parse_adaptation

from .helpers import REPO

pytestmark = pytest.mark.fast  # make test-fast


class FileAccess(AssertionError):
    pass


def _refuse(name: str):  # type: ignore[no-untyped-def]
    def refuse(*args: object, **kwargs: object) -> None:
        raise FileAccess(f"resolve touched the file system: {name}{args!r}")

    return refuse


BLOCKED_OS = ("open", "stat", "lstat", "scandir", "listdir")
BLOCKED_PATH = ("read_text", "read_bytes", "open", "exists", "is_file", "is_dir", "iterdir", "stat", "resolve")


@contextmanager
def no_file_access(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as m:
        m.setattr(builtins, "open", _refuse("open"))
        m.setattr(io, "open", _refuse("io.open"))
        for name in BLOCKED_OS:
            m.setattr(os, name, _refuse(f"os.{name}"))
        for name in BLOCKED_PATH:
            m.setattr(Path, name, _refuse(f"Path.{name}"))
        yield


def parsed_real_adaptations(problems: Problems) -> dict[str, Adaptation]:
    folders = sorted(p for p in (REPO / "adaptations").iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    found = {a.id: a for folder in folders if (a := parse_adaptation(folder, problems)) is not None}
    assert found, "the real project has adaptations"
    return found


def resolve_all(core: Manual, adaptations: dict[str, Adaptation], problems: Problems) -> dict[str, Manual]:
    """Each adaptation on its base, bases first."""
    resolved = {core.id: core}
    while len(resolved) < len(adaptations) + 1:
        ready = [a for aid, a in adaptations.items() if aid not in resolved and a.manifest.extends in resolved]
        assert ready, "every real adaptation extends the core or another adaptation"
        for adaptation in ready:
            resolved[adaptation.id] = resolve(resolved[adaptation.manifest.extends], adaptation, problems)
    return resolved


def test_the_blocker_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    target = REPO / "manual" / "protocol.yaml"
    with no_file_access(monkeypatch):
        for attempt in (lambda: open(target),  # noqa: SIM115
                        target.read_text, target.exists, lambda: os.stat(target),
                        lambda: os.listdir(REPO), lambda: list((REPO / "manual").iterdir())):
            with pytest.raises(FileAccess):
                attempt()
    assert target.exists()  # and it is lifted after the block


def test_resolve_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = Problems(REPO)
    core = load_manual(REPO / "manual", problems)
    assert core is not None
    normal = {m.id: m for m in load_adaptations(REPO / "adaptations", core, problems)}
    adaptations = parsed_real_adaptations(problems)
    with no_file_access(monkeypatch):
        blocked = resolve_all(core, adaptations, problems)
    assert not list(problems), [p.format() for p in problems]
    assert set(blocked) - {core.id} == set(normal)
    for aid, manual in normal.items():
        assert blocked[aid] == manual, aid
        assert blocked[aid].lines == manual.lines and blocked[aid].report == manual.report, aid
