"""``make bench``: this project's build times side by side with plain Sphinx on the same pages, in one run.

The yardstick is plain Sphinx building the very pages this project generated (``_site/``), with the
same theme (Furo) and parser extensions (MyST, sphinx-design), and the project's roles and directive
replaced by trivial ones. Both are timed in the same run, on the same machine, so the ratios count
even on a loaded machine; CPU seconds are shown too. Four situations: cold (nothing built, empty
print cache), no-op (nothing changed), one core session edited, and the same edit in the live preview
(``make serve``: pages ready, PDFs left to the background printer). Peak memory is the largest total
proportional set size (PSS) of the build's process tree: memory that forked processes share counts
once. Nothing here is a pass/fail test.

``python -m builder.bench --extra`` adds the older figures (printing alone, the diff, the versions site).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .bench_extra import main as extra
from .project import copy_parts
from .rules import LINK_ROLES

#: Goals (issue 16): our time / plain Sphinx's time.
GOALS = {"cold": 1.5, "no-op": 1.5, "one session edited": 3.0, "one session edited, live preview": 3.0}
#: The session edited in both builds, and the sentence added to it.
EDITED_SESSION = "manual/sessions/session-05.md"
EDIT = "\n\nA sentence added by the benchmark.\n"

PLAIN_CONF = '''
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # trivial_roles.py sits next to this file
project = "IPT manuals (plain Sphinx yardstick)"
extensions = ["myst_parser", "sphinx_design", "trivial_roles"]
myst_enable_extensions = {myst!r}
myst_heading_anchors = 0
html_theme = "furo"
html_static_path = []
html_copy_source = False
'''

TRIVIAL_ROLES = '''
from docutils import nodes
from docutils.parsers.rst import Directive, directives

ROLES = {roles!r}


def trivial(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.inline(rawtext, text.split("<")[0].strip() or text)], []


class Trivial(Directive):
    has_content = True
    optional_arguments = 10
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        return [nodes.paragraph(text="contacts")]


class Example(Directive):
    """A fictional example: its text parsed into a box, as the project's own directive does."""

    has_content = True
    optional_arguments = 1
    option_spec = {{"population": directives.unchanged}}

    def run(self):
        box = nodes.container(classes=["example"])
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


def setup(app):
    for role in ROLES:
        app.add_role(role, trivial)
    app.add_directive("clinic-contacts", Trivial)
    app.add_directive("example", Example)
    return {{"parallel_read_safe": True, "parallel_write_safe": True}}
'''


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str
    cpu: float = 0.0  #: CPU seconds of the whole process tree (holds on a busy machine, unlike wall time)


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared with other processes (Sphinx's forked readers share most of
    their parent's memory) count once in all, not once per process as resident size would."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_memory_kb(pid: int) -> int:
    """Memory of ``pid`` and all its descendants, in KiB (Linux /proc, proportional set size)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, changed = {pid}, True
    while changed:
        grown = tree | {child for child, parent in parents.items() if parent in tree}
        changed, tree = grown != tree, grown
    return sum(_pss_kb(p) for p in tree)


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd``; its wall time, CPU time and the peak memory of its process tree."""
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu_before = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory_kb(proc.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{output[-4000:]}")
    return Run(seconds, peak / 1024, output, children_cpu() - cpu_before)


def plain_project(ours: Path, dest: Path) -> Path:
    """Plain Sphinx's source folder: our generated pages, Furo + MyST + sphinx-design, trivial roles."""

    shutil.copytree(ours / "_site", dest)
    conf_values: dict[str, object] = {"__file__": str(ours / "conf.py")}
    exec(compile((ours / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), conf_values)
    (dest / "conf.py").write_text(PLAIN_CONF.format(myst=conf_values.get("myst_enable_extensions", [])),
                                  encoding="utf-8")
    (dest / "trivial_roles.py").write_text(TRIVIAL_ROLES.format(roles=[*LINK_ROLES, "ipt-download"]),
                                           encoding="utf-8")
    return dest


def edit(path: Path, number: int = 1) -> None:
    path.write_text(path.read_text(encoding="utf-8") + EDIT.replace("A sentence", f"Sentence {number}"),
                    encoding="utf-8")


def bench_builds(root: Path, keep: Path | None = None) -> dict[str, int]:
    """Every build measured side by side; the sizes of the cold build's PDFs. ``keep``: a copy of the
    cold build's site is left there (for ``IPT_TEST_REAL_SITE``)."""
    with tempfile.TemporaryDirectory(prefix="ipt-bench-") as tmp:
        work = Path(tmp)
        ours = copy_parts(root, work / "ours")
        ipt = [sys.executable, "-m", "builder.cli", "build", "--project", str(ours)]
        env = {"IPT_PRINT_CACHE": str(work / "print-cache")}  # cold: an empty print cache
        print("bench: building the whole site cold with ipt-manual (this takes minutes)…", flush=True)
        results = {"cold": [said("ipt-manual cold", measure(ipt, ours, env))]}
        sizes = pdf_sizes(ours / "_build" / "html")
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(ours / "_build" / "html", keep)
        results["no-op"] = [said("ipt-manual no-op", measure(ipt, ours, env))]
        edit(ours / EDITED_SESSION)
        results["one session edited"] = [said("ipt-manual one session edited", measure(ipt, ours, env))]
        serve = [sys.executable, "-m", "sphinx", "-q", "-j", "auto", "-c", str(ours), "-D",
                 "ipt_print_in_background=1", str(ours / "_site"), str(work / "serve")]
        said("live preview, first build (not compared)", measure(serve, ours, env))
        edit(ours / EDITED_SESSION, 2)  # a new sentence: its PDFs are in no cache yet
        results["one session edited, live preview"] = [said("live preview, one session edited",
                                                            measure(serve, ours, env))]
        wait_for_printer(ours)
        print("bench: building the same pages with plain Sphinx…", flush=True)
        plain = plain_project(ours, work / "plain")
        sphinx = [sys.executable, "-m", "sphinx", "-q", "-j", "auto", "-b", "html", str(plain),
                  str(work / "plain-out"), "-d", str(work / "plain-doctrees")]
        results["cold"].append(said("plain Sphinx cold", measure(sphinx, work)))
        results["no-op"].append(said("plain Sphinx no-op", measure(sphinx, work)))
        edit(plain / "core" / "sessions" / "session-05.md")
        edited = said("plain Sphinx one page edited", measure(sphinx, work))
        results["one session edited"].append(edited)
        results["one session edited, live preview"].append(edited)
    report(results)
    return sizes


def wait_for_printer(project: Path) -> None:
    from .printing.background import PID_FILE

    started = time.perf_counter()
    while (project / "_build" / PID_FILE).exists():
        time.sleep(0.5)
    print(f"bench: the live preview's background printer finished {time.perf_counter() - started:.0f} s "
          "after its build", flush=True)


def pdf_sizes(site: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted((site / "pdf").rglob("*.pdf"))}


def said(name: str, run: Run) -> Run:
    """A progress line for each build as soon as it is measured."""
    print(f"bench: {name}: {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB", flush=True)
    return run


def report(results: dict[str, list[Run]]) -> None:
    print(f"\n{'':<34} {'ipt-manual':>11} {'plain Sphinx':>13} {'ratio':>7} {'goal':>6}  peak memory (ipt / plain)")
    for name, (mine, plain) in results.items():
        ratio = mine.seconds / plain.seconds
        verdict = "ok" if ratio <= GOALS[name] else "over"
        print(f"{name:<34} {mine.seconds:>10.1f}s {plain.seconds:>12.1f}s {ratio:>6.2f}x {GOALS[name]:>5.1f}x  "
              f"{mine.peak_mb:.0f} MB / {plain.peak_mb:.0f} MB  {verdict}  (CPU {mine.cpu:.0f} s / {plain.cpu:.0f} s)")
    peak = max(mine.peak_mb for mine, _ in results.values())
    print(f"peak memory of ipt-manual: {peak:.0f} MB (goal < 1024 MB: {'ok' if peak < 1024 else 'over'})")
    print("(times on this machine now; the ratios, measured in the same run, are what count)")


#: Measured before the print fonts were the project's own (issue "worksheets a trainer hands out"):
#: the site's PDFs totalled 176 MB and a one-page fillable worksheet was about 420 KB.
SITE_PDF_BYTES_BEFORE = 176_000_000
SHEET_BYTES_BEFORE = 420_000


def bench_sizes(sizes: dict[str, int]) -> None:
    """Sizes of every PDF of the whole site (all manuals, books included), against the goals."""
    files = list(sizes)
    sheets = [size for name, size in sizes.items() if not any(k in name for k in ("-large", "pack", "packet",
                                                                                  "printable"))]
    total = sum(sizes.values())
    print(f"PDF sizes: {len(files)} PDFs, {total / 1e6:.1f} MB in all (before: {SITE_PDF_BYTES_BEFORE / 1e6:.0f} MB;"
          f" ratio {total / SITE_PDF_BYTES_BEFORE:.3f}, goal <= 0.333)")
    print(f"  one-page worksheets: {len(sheets)}, largest {max(sheets) / 1000:.0f} KB, median "
          f"{statistics.median(sheets) / 1000:.0f} KB (before: about {SHEET_BYTES_BEFORE / 1000:.0f} KB; "
          "goal <= 100 KB)")
    for kind in ("printable-manual", "packet", "pack-", "-large"):
        group = [size for name, size in sizes.items() if kind in name]
        if group:
            print(f"  {kind.strip('-'):<18} {len(group):4d} files, {sum(group) / 1e6:6.1f} MB")


def main(argv: list[str] | None = None) -> int:
    """``make bench [BENCH_ARGS="--extra --keep-site DIR"]``."""
    args = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    keep = Path(args[args.index("--keep-site") + 1]).resolve() if "--keep-site" in args else None
    bench_sizes(bench_builds(root, keep))
    if "--extra" in args:
        extra(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
