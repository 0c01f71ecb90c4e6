"""Producing every PDF of the site: worksheets, packs and session packets (book: see book.py).

Cache hits are served in this process (no worker is started on a no-op build). Misses go to a
:class:`~builder.printing.pools.PrintPool` of worker processes that runs while Sphinx reads and writes
the pages: the A4 worksheets (whose page-1 previews the worksheet pages show) first, then everything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import SiteConfig
from ..model import Manual
from ..paths import PREVIEWS_DIR
from .fonts import FontSet
from .html import environments, print_settings, render_job
from .pdf import RenderResult, is_cached, preview_png, produce, quiet_weasyprint
from .plan import PrintJob, Variant, plan_manual, preview_path
from .pools import PrintPool

Progress = Callable[[str], None]


@dataclass
class PrintReport:
    jobs: list[PrintJob] = field(default_factory=list)
    results: dict[str, RenderResult] = field(default_factory=dict)
    #: (source path, message) for sheets that do not fit their page
    overflows: list[tuple[str, str]] = field(default_factory=list)
    #: (source path, message) for PDFs that could not be made (text no print font covers)
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: Damaged print-cache entries that were rendered again
    repaired: list[str] = field(default_factory=list)

    @property
    def rendered(self) -> int:
        return sum(1 for r in self.results.values() if r.rendered)


def _print_one(html: str, target: str, cache: str, base_url: str, preview: str | None,
               fonts: FontSet | None = None) -> RenderResult:
    result = produce(html, Path(target), Path(cache), base_url, fonts=fonts)
    if preview is not None and not result.problem and (result.rendered or not Path(preview).exists()):
        preview_png(Path(target), Path(preview))
    return result


@dataclass
class PrintBatch:
    """Print jobs under way: results come back as their workers finish."""

    report: PrintReport
    previews: Path
    wanted: set[Path]
    pending: dict[str, Any] = field(default_factory=dict)  #: job path → AsyncResult
    queued: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)  #: (job path, args) not yet submitted
    preview_jobs: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def submit_queued(self, pool: PrintPool) -> None:
        """Hand the jobs without a preview to ``pool`` (after whatever was submitted in between)."""
        for path, args in self.queued:
            self.pending[path] = pool.submit(_print_one, *args)
        self.queued.clear()

    def wait_previews(self) -> None:
        """Block until every worksheet preview exists (the worksheet pages show them)."""
        for path in self.preview_jobs:
            if path in self.pending:
                self.report.results[path] = self.pending.pop(path).get()

    def finish(self, progress: Progress | None = None) -> PrintReport:
        """Wait for every submitted job; check that one-page sheets fit; delete previews no sheet has any more."""
        total = len(self.pending)
        if progress and total:
            progress(f"printing: waiting for {total} PDF(s) still rendering "
                     f"({time.monotonic() - self.started:.0f} s so far)")
        for done, path in enumerate(list(self.pending), 1):
            self.report.results[path] = self.pending.pop(path).get()
            if progress and (done % 50 == 0):
                progress(f"printing: {done}/{total} rendered ({time.monotonic() - self.started:.0f} s)")
        report = self.report
        for job in report.jobs:
            result = report.results[job.path]
            if result.repaired:
                report.repaired.append(result.repaired)
                if progress:
                    progress(result.repaired)
            if result.problem:
                report.problems.append((job.source or job.manual.ref.path, f"{job.path}: {result.problem}"))
            elif job.one_page and result.pages != 1:
                report.overflows.append((job.source, f"worksheet '{job.worksheets[0].id}' does not fit on one "
                                                     f"{job.variant.label} page ({result.pages} pages)"))
        for stale in self.previews.rglob("*.png") if self.previews.exists() else []:
            if stale not in self.wanted:
                stale.unlink()
        return report


def _preview_target(job: PrintJob, previews: Path) -> Path | None:
    if job.kind == "worksheet" and job.variant == Variant("a4"):
        return previews / Path(preview_path(job.manual.id, job.worksheets[0].id)).relative_to(PREVIEWS_DIR)
    return None


def start_printing(manuals: list[Manual], root: Path, outdir: Path, previews: Path, cache: Path,
                   pool: PrintPool, default_paper: str = "a4", settings: SiteConfig | None = None,
                   previews_only: bool = False) -> PrintBatch:
    """Serve every cached PDF now and hand the worksheets with previews to ``pool``; the other jobs wait
    in ``batch.queued`` for :meth:`PrintBatch.submit_queued` (so that longer jobs can go in between).

    ``settings`` (the clinic's, default: the defaults) give the print fonts and the crisis contacts.
    ``previews_only``: only the worksheets whose previews the pages show.
    A missing print font raises PrintFontError; text no print font covers ends in ``report.problems``.
    """
    quiet_weasyprint()
    envs = environments(root)
    printing = print_settings(root, settings)
    batch = PrintBatch(PrintReport(), previews, set())
    for manual in manuals:
        batch.report.jobs += plan_manual(manual, default_paper)
    if previews_only:  # the live preview: the rest is planned and printed by the background printer
        batch.report.jobs = [job for job in batch.report.jobs if _preview_target(job, previews) is not None]
    # previews first: the worksheet pages wait for them
    order = sorted(batch.report.jobs, key=lambda job: _preview_target(job, previews) is None)
    for job in order:
        html = render_job(envs, job, printing)
        preview = _preview_target(job, previews)
        if preview is not None:
            batch.wanted.add(preview)
        args = (html, str(outdir / job.path), str(cache), str(root), str(preview) if preview else None,
                printing.fonts)
        if is_cached(html, cache):
            batch.report.results[job.path] = _print_one(*args)
        elif preview is None:
            batch.queued.append((job.path, args))
        else:
            batch.pending[job.path] = pool.submit(_print_one, *args)
            batch.preview_jobs.append(job.path)
    return batch


def print_all(manuals: list[Manual], root: Path, outdir: Path, previews: Path, cache: Path,
              default_paper: str = "a4", progress: Progress | None = None, workers: int | None = None,
              settings: SiteConfig | None = None) -> PrintReport:
    """Render every print job and wait for them; reuse cached PDFs; write page-1 previews of the A4 sheets."""
    pool = PrintPool(workers)
    try:
        batch = start_printing(manuals, root, outdir, previews, cache, pool, default_paper, settings)
        batch.submit_queued(pool)
        if progress:
            progress(f"printing {len(batch.report.jobs)} PDF(s): {len(batch.pending)} to render…")
        report = batch.finish(progress)
    except BaseException:
        pool.terminate()
        raise
    pool.close()
    if progress:
        progress(f"printed {len(report.jobs)} PDF(s): {report.rendered} rendered, "
                 f"{len(report.jobs) - report.rendered} unchanged (cached)")
    return report
