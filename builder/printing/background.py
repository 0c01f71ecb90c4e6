"""Printing after the build, in a process of its own: for the live preview (``make serve``).

With ``ipt_print_in_background`` (``make serve`` sets it), a build renders only the worksheet
previews its pages show, and leaves the rest of the printing to this printer: planning every other
PDF (rendering its print HTML, which is how a cached PDF is found), and rendering those that changed.
The pages are ready, and the browser reloads, without waiting for either. The printer outlives the
build and prints on every core, as a build does; a newer build stops an older printer as it starts
(its work is out of date, and the cores are the new build's). It writes its progress
to ``_build/background-print.log`` and, when every PDF is made and none overflows its page, the
record of the printing (printing/record.py), so that the next build with nothing new to print
starts no printer.

Run as ``python -m builder.printing.background <plan file>``; the plan file is a pickle of a
:class:`PrintPlan` written by :func:`hand_over`.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pdf import RenderResult

#: Where the printer of a project keeps its plan, its process id and its log (under ``_build/``).
PLAN_FILE, PID_FILE, LOG_FILE = "background-print.plan", "background-print.pid", "background-print.log"


@dataclass
class _Done:
    result: RenderResult

    def get(self) -> RenderResult:
        return self.result


class InlinePool:
    """A stand-in for :class:`~builder.printing.pools.PrintPool` that renders each job at once, in this
    process: the worksheet previews a live-preview build waits for (starting workers would take longer)."""

    workers = 1

    def submit(self, fn: Callable[..., RenderResult], *args: Any) -> _Done:
        return _Done(fn(*args))

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


@dataclass
class PrintPlan:
    """Everything the background printer needs to plan and print a build's PDFs, and record them."""

    manuals: list[Any]
    root: Path
    outdir: Path
    previews: Path
    cache: Path
    paper: str
    settings: Any  #: the validated SiteConfig
    key: str  #: printing/record.printing_key of the build
    record: Path  #: where the record of the printing goes


def stop_previous(build_dir: Path) -> bool:
    """Stop the printer an earlier build started, if it is still running (its jobs are out of date;
    what it finished is in the print cache). True when there was one to stop."""
    try:
        pid = int((build_dir / PID_FILE).read_text(encoding="ascii"))
        # a stale file may name a process id the system has since given to another program
        if b"builder.printing.background" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.killpg(pid, signal.SIGTERM)
            return True
    except (OSError, ValueError):
        pass
    return False


def hand_over(build_dir: Path, plan: PrintPlan) -> int:
    """Start a printer for ``plan``, detached from this build; its pid."""
    stop_previous(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / PLAN_FILE).write_bytes(pickle.dumps(plan))
    with open(build_dir / LOG_FILE, "a", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "builder.printing.background", str(build_dir / PLAN_FILE)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=str(build_dir))
    (build_dir / PID_FILE).write_text(str(proc.pid), encoding="ascii")
    return proc.pid


def run(plan: PrintPlan) -> int:
    """Plan and print every PDF of ``plan`` (cached ones are copied) on every core, as a build does;
    1 if any had a problem."""
    from .book import start_books_beside
    from .pdf import quiet_weasyprint
    from .pools import PrintPool, pool_sizes
    from .record import record_printing
    from .run import start_printing

    quiet_weasyprint()
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"background printing: {text} ({time.monotonic() - started:.0f} s)", flush=True)

    sheets, books = pool_sizes()
    pools = PrintPool(sheets), PrintPool(books)
    try:
        batch = start_printing(plan.manuals, plan.root, plan.outdir, plan.previews, plan.cache, pools[0], plan.paper,
                               plan.settings)
        book_batch = start_books_beside(batch, *pools, plan.manuals, plan.root, plan.outdir, plan.cache,
                                        plan.settings)
        report, book_results = batch.finish(say), book_batch.finish(say)
    except BaseException:
        for pool in pools:
            pool.terminate()
        raise
    for pool in pools:
        pool.close()
    troubles = [message for _source, message in report.problems + report.overflows]
    troubles += [f"{path}: {result.problem}" for path, result in book_results.items() if result.problem]
    for message in troubles:
        say(message)
    record_printing(plan.record, plan.key, report, book_results, plan.outdir, plan.previews)
    rendered = report.rendered + sum(result.rendered for result in book_results.values())
    say(f"done: {len(report.jobs) + len(book_results)} PDF(s), {rendered} rendered")
    return 1 if troubles else 0


def main(argv: list[str]) -> int:
    # stopped by a newer build: end like any program, so temporary font folders are deleted
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    plan_file = Path(argv[0])
    plan = pickle.loads(plan_file.read_bytes())
    try:
        return run(plan)
    finally:
        pid_file = plan_file.with_name(PID_FILE)
        try:
            if int(pid_file.read_text(encoding="ascii")) == os.getpid():
                pid_file.unlink()
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
