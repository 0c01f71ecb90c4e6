"""Producing every PDF of the site: worksheets, packs and session packets (book: see book.py)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..config import SiteConfig
from ..model import Manual
from .fonts import FontSet
from .html import environments, print_settings, render_job
from .pdf import RenderResult, preview_png, produce, quiet_weasyprint
from .plan import PrintJob, Variant, plan_manual, preview_path

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


def _produce(args: tuple[str, str, str, str, FontSet]) -> RenderResult:
    html, target, cache, base_url, fonts = args
    return produce(html, Path(target), Path(cache), base_url, fonts=fonts)


def print_all(manuals: list[Manual], root: Path, outdir: Path, previews: Path, cache: Path,
              default_paper: str = "a4", progress: Progress | None = None, workers: int | None = None,
              settings: SiteConfig | None = None) -> PrintReport:
    """Render every print job; reuse cached PDFs; write page-1 previews of the standard A4 sheets.

    ``settings`` (the clinic's, default: the defaults) give the print fonts and the crisis contacts.
    A missing print font raises PrintFontError; text no print font covers is in ``report.problems``.
    """
    quiet_weasyprint()
    envs = environments(root)
    printing = print_settings(root, settings)
    report = PrintReport()
    for manual in manuals:
        report.jobs += plan_manual(manual, default_paper)
    work = [(render_job(envs, job, printing), str(outdir / job.path), str(cache), str(root), printing.fonts)
            for job in report.jobs]
    workers = workers or min(os.cpu_count() or 1, 4)
    if progress:
        progress(f"printing {len(work)} PDF(s)…")
    if workers > 1 and len(work) > 8:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=quiet_weasyprint) as pool:
            results = list(pool.map(_produce, work, chunksize=4))
    else:
        results = [_produce(w) for w in work]
    for job, result in zip(report.jobs, results, strict=True):
        report.results[job.path] = result
        if result.repaired:
            report.repaired.append(result.repaired)
            if progress:
                progress(result.repaired)
        if result.problem:
            report.problems.append((job.source or job.manual.ref.path, f"{job.path}: {result.problem}"))
        elif job.one_page and result.pages != 1:
            report.overflows.append((job.source, f"worksheet '{job.worksheets[0].id}' does not fit on one "
                                                 f"{job.variant.label} page ({result.pages} pages)"))
    wanted = set()
    for job in report.jobs:
        if job.kind == "worksheet" and job.variant == Variant("a4"):
            target = previews / preview_path(job.manual.id, job.worksheets[0].id).removeprefix("_previews/")
            wanted.add(target)
            if report.results[job.path].problem:
                continue
            if report.results[job.path].rendered or not target.exists():
                preview_png(outdir / job.path, target)
    for stale in previews.rglob("*.png") if previews.exists() else []:
        if stale not in wanted:
            stale.unlink()
    if progress:
        progress(f"printed {len(work)} PDF(s): {report.rendered} rendered, {len(work) - report.rendered} "
                 "unchanged (cached)")
    return report
