"""``python -m builder.bench --extra``: figures for printing alone, the semantic diff and the versions site."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .diff import diff_manuals
from .gitrefs import export, git, resolve
from .printing.html import environments, print_settings, render_job
from .printing.pdf import render_pdf
from .printing.plan import plan_manual
from .printing.run import print_all
from .project import LoadOptions, load_project


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def bench_printing(root: Path) -> None:
    core = load_project(root).manual("core")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cold, report = timed(print_all, [core], root, out / "site", out / "prev", out / "cache", "a4")
        warm, again = timed(print_all, [core], root, out / "site", out / "prev", out / "cache", "a4")
    jobs = len(report.jobs)
    print(f"printing (core manual, {jobs} PDFs): cold {cold:.1f} s, warm {warm:.2f} s "
          f"({again.rendered} re-rendered); warm/cold = {warm / cold:.3f}")
    envs = environments(root)
    per: dict[str, float] = {}
    for job in plan_manual(core, "a4"):
        if job.kind == "worksheet" and not job.variant.large and job.variant.paper == "a4":
            html = render_job(envs, job, print_settings(root))
            per[job.worksheets[0].id] = statistics.median(timed(render_pdf, html, str(root))[0] for _ in range(3))
    for wid, seconds in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"  {wid:<32} {seconds * 1000:6.0f} ms per render (A4, median of 3)")
    print(f"  median worksheet render: {statistics.median(per.values()) * 1000:.0f} ms")


def bench_diff(root: Path) -> None:
    first_full = str(git(root, "log", "--diff-filter=A", "--format=%H", "--", "adaptations/brief/adaptation.yaml"))
    base_ref = os.environ.get("BENCH_DIFF_BASE") or (first_full.splitlines()[-1] if first_full else "HEAD~5")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            export(root, resolve(root, base_ref), Path(tmp), LoadOptions().source_folders)
        except Exception as exc:
            print(f"diff: skipped ({exc})")
            return
        load_base, base = timed(load_project, Path(tmp))
    load_head, head = timed(load_project, root)
    seconds, changes = timed(diff_manuals, base.manuals, head.manuals)
    same, nothing = timed(diff_manuals, head.manuals, head.manuals)
    print(f"diff {base_ref} → working tree: {len(changes)} change(s) in {seconds:.2f} s "
          f"(loading both sides {load_base + load_head:.2f} s); diff of a tree with itself {same:.2f} s "
          f"({len(nothing)} changes)")


def bench_versions(root: Path) -> None:
    fixture = root / "tests" / "roots" / "minimal"
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "p"
        shutil.copytree(fixture, project)
        run = lambda *a: subprocess.run(a, cwd=project, env=env, check=True, capture_output=True)  # noqa: E731
        run("git", "init", "-q")
        run("git", "add", "-A")
        run("git", "commit", "-qm", "r1")
        run("git", "tag", "core/v1.0.0")
        manifest = project / "manual" / "protocol.yaml"
        for version in ("1.1.0", "1.2.0"):
            lines = manifest.read_text(encoding="utf-8").splitlines()
            manifest.write_text("\n".join(f"version: {version}" if line.startswith("version:") else line
                                          for line in lines) + "\n", encoding="utf-8")
            run("git", "commit", "-qam", version)
            run("git", "tag", f"core/v{version}")
        cmd = [sys.executable, "-m", "builder.cli", "versions", "-q", "--project", str(project)]
        cold, _ = timed(subprocess.run, cmd, check=True, capture_output=True)
        warm, _ = timed(subprocess.run, cmd, check=True, capture_output=True)
        shutil.rmtree(next((project / "_build" / ".versions-cache").iterdir()))
        one, _ = timed(subprocess.run, cmd, check=True, capture_output=True)
    print(f"versions site (fixture, 3 releases + dev = 4 builds): all cold {cold:.1f} s, one cold {one:.1f} s, "
          f"all cached {warm:.1f} s; cached/one-cold = {warm / one:.2f}")


def main(root: Path) -> None:
    bench_printing(root)
    bench_diff(root)
    bench_versions(root)
