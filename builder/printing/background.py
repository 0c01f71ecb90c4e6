"""Printing after the build, in a process of its own: for the live preview (``make serve``).

With ``ipt_print_in_background`` (``make serve`` sets it), a build renders only the worksheet
previews its pages show, and leaves every other PDF that changed to this printer: the pages are
ready, and the browser reloads, without waiting for WeasyPrint. The printer outlives the build;
a newer build stops an older printer first (its work is out of date). It writes one line per
stage to ``_build/background-print.log``.

Run as ``python -m builder.printing.background <jobs file>``; the jobs file is a pickle of
``[(function, args), ...]`` written by :func:`hand_over`.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pdf import RenderResult

#: Where the printer of a project keeps its jobs, its process id and its log (under ``_build/``).
JOBS_FILE, PID_FILE, LOG_FILE = "background-print.jobs", "background-print.pid", "background-print.log"


@dataclass
class _Done:
    result: RenderResult

    def get(self) -> RenderResult:
        return self.result


class InlinePool:
    """A stand-in for :class:`~builder.printing.run.PrintPool` that renders each job at once, in this
    process (the previews a live-preview build waits for anyway)."""

    workers = 1

    def submit(self, fn: Callable[..., RenderResult], *args: Any) -> _Done:
        return _Done(fn(*args))

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


@dataclass
class Collector:
    """A stand-in for the pool that renders nothing: it keeps each job for the background printer."""

    jobs: list[tuple[Callable[..., RenderResult], tuple[Any, ...]]] = field(default_factory=list)
    workers = 0

    def submit(self, fn: Callable[..., RenderResult], *args: Any) -> _Done:
        self.jobs.append((fn, args))
        return _Done(RenderResult(Path(args[1]), 0, False, deferred=True))  # args: (html, target, ...)


def stop_previous(build_dir: Path) -> None:
    """Stop the printer an earlier build started, if it is still running (its jobs are out of date)."""
    try:
        pid = int((build_dir / PID_FILE).read_text(encoding="ascii"))
        # a stale file may name a process id the system has since given to another program
        if b"builder.printing.background" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.killpg(pid, signal.SIGTERM)
    except (OSError, ValueError):
        pass


def hand_over(build_dir: Path, jobs: list[tuple[Callable[..., RenderResult], tuple[Any, ...]]]) -> int | None:
    """Start a printer for ``jobs`` (``(function, args)``, as a worker pool gets them), detached from this
    build; its pid.
    Nothing is started when there is nothing to print."""
    stop_previous(build_dir)
    if not jobs:
        return None
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / JOBS_FILE).write_bytes(pickle.dumps(jobs))
    with open(build_dir / LOG_FILE, "a", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "builder.printing.background", str(build_dir / JOBS_FILE)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=str(build_dir))
    (build_dir / PID_FILE).write_text(str(proc.pid), encoding="ascii")
    return proc.pid


def run(jobs: list[tuple[Callable[..., RenderResult], tuple[Any, ...]]]) -> int:
    from .pdf import quiet_weasyprint

    quiet_weasyprint()
    started = time.monotonic()
    print(f"background printing: {len(jobs)} PDF(s) to render", flush=True)
    problems = 0
    for done, (fn, args) in enumerate(jobs, 1):
        result = fn(*args)
        if result.problem:
            problems += 1
            print(f"background printing: {result.path}: {result.problem}", flush=True)
        if done % 20 == 0 or done == len(jobs):
            print(f"background printing: {done}/{len(jobs)} ({time.monotonic() - started:.0f} s)", flush=True)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    jobs_file = Path(argv[0])
    jobs = pickle.loads(jobs_file.read_bytes())
    try:
        return run(jobs)
    finally:
        pid_file = jobs_file.with_name(PID_FILE)
        try:
            if int(pid_file.read_text(encoding="ascii")) == os.getpid():
                pid_file.unlink()
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
