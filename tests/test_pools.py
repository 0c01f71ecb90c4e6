"""How print jobs reach worker processes (builder/printing/pools.py), with real spawned workers.

Jobs that must stay running wait for a flag file, so that which worker is busy is decided by the test,
not by timing."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.printing.book import start_books
from builder.printing.pools import PrintPool, Waiting
from builder.project import load_project

from .helpers import with_teen

pytestmark = pytest.mark.fast


def worker_pid() -> int:
    return os.getpid()


def hold(flag: str) -> int:
    """Keep a worker busy until ``flag`` exists; the worker's process id."""
    deadline = time.monotonic() + 60
    while not Path(flag).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(flag)
        time.sleep(0.01)
    return os.getpid()


def refuse(message: str) -> None:
    raise ValueError(message)


@pytest.fixture
def pools() -> Iterator[tuple[PrintPool, PrintPool, int, int]]:
    """(own pool, other pool, the process id of each one's worker): one worker each."""
    own, other = PrintPool(1), PrintPool(1)
    try:
        yield own, other, own.submit(worker_pid).get(timeout=60), other.submit(worker_pid).get(timeout=60)
    finally:
        own.terminate()
        other.terminate()


def test_waiting_jobs_use_their_own_pool_and_another_only_once_lent(pools, tmp_path):
    own, other, own_pid, other_pid = pools
    waiting = Waiting(own)
    busy = waiting.submit(hold, str(tmp_path / "go"))
    second = waiting.submit(worker_pid)
    assert len(waiting) == 1, "the own pool's worker is busy, and the other pool is not lent yet"
    waiting.lend(other)
    assert second.get(timeout=60) == other_pid
    (tmp_path / "go").touch()
    assert busy.get(timeout=60) == own_pid
    assert len(waiting) == 0


def test_a_lent_pool_takes_waiting_jobs_only_when_its_own_are_done(pools, tmp_path):
    own, other, own_pid, other_pid = pools
    waiting = Waiting(own)
    own_busy = waiting.submit(hold, str(tmp_path / "own"))
    sheet = other.submit(hold, str(tmp_path / "sheet"))
    waiting.lend(other)
    book = waiting.submit(worker_pid)
    assert len(waiting) == 1, "the lent pool still has its own job: the waiting one stays here"
    (tmp_path / "sheet").touch()
    assert sheet.get(timeout=60) == other_pid
    assert book.get(timeout=60) == other_pid
    (tmp_path / "own").touch()
    assert own_busy.get(timeout=60) == own_pid


def test_jobs_after_a_failed_one_still_run_and_the_failure_reaches_the_caller(pools):
    own, _other, own_pid, _ = pools
    waiting = Waiting(own)
    failed, later = waiting.submit(refuse, "no such font"), waiting.submit(worker_pid)
    with pytest.raises(ValueError, match="no such font"):
        failed.get(timeout=60)
    assert later.get(timeout=60) == own_pid


def test_a_closed_pool_takes_no_more_jobs_and_starts_no_workers(pools, tmp_path):
    """A failed build closes its pools while manuals still wait: they fail, and no worker starts again."""
    own, other, own_pid, _ = pools
    waiting = Waiting(own)
    busy = waiting.submit(hold, str(tmp_path / "go"))
    other.close()
    late = waiting.submit(worker_pid)
    waiting.lend(other)
    with pytest.raises(RuntimeError, match="closed"):
        late.get(timeout=60)
    (tmp_path / "go").touch()
    assert busy.get(timeout=60) == own_pid


class _Recorded:
    def __init__(self, html: str) -> None:
        self.size = len(html)

    def get(self) -> None:
        return None


def test_printable_manuals_are_handed_over_longest_first(tmp_path):
    root = with_teen(tmp_path)
    project = load_project(root)
    handed: list[tuple[str, int]] = []

    def submit(_fn, html, target, *_args):
        handed.append((Path(target).name, len(html)))
        return _Recorded(html)

    batch = start_books(project.manuals, root, tmp_path / "out", tmp_path / "cache", submit=submit)
    assert len(handed) == 2 * len(project.manuals) == len(batch.waiting) == 4
    sizes = [size for _name, size in handed]
    assert sizes == sorted(sizes, reverse=True)
    manuals_first = [name.split("-")[0] for name, _size in handed[:2]]
    assert manuals_first[0] == manuals_first[1], "a manual's two papers are about as long: they go together"
