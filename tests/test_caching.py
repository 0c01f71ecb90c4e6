"""What a rebuild redoes: nothing on a no-op, exactly what depends on an edit, every PDF of a changed template.

Behaviour, not timing: each test builds the fixture project (with the session's shared print cache,
or an empty one where the test needs every PDF to be rendered) and compares what the builds wrote.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, run_cli

#: Files Sphinx itself writes on every build, changed or not (plain Sphinx does the same).
#: Pages Sphinx writes on every build, whatever changed (its own, and the collected 404 page).
SPHINX_ALWAYS = {"genindex.html", "search.html", "404.html", "searchindex.js", "objects.inv", ".buildinfo", "_static"}


@pytest.fixture
def built(minimal: Path) -> tuple[Path, dict[str, str]]:
    """The fixture project built with the session's shared print cache (content-keyed: what a test
    changes gets keys of its own, so counts of rendered PDFs stay exact)."""
    env: dict[str, str] = {}
    result = run_cli("build", "--project", str(minimal), env=env)
    assert result.returncode == 0, result.stderr
    return minimal, env


def rebuild(root: Path, env: dict[str, str]) -> str:
    result = run_cli("build", "--project", str(root), env=env)
    assert result.returncode == 0, result.stderr
    return result.stderr


def times(root: Path) -> dict[str, int]:
    site = root / "_build" / "html"
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def pdfs(root: Path) -> dict[str, str]:
    site = root / "_build" / "html"
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (site / "pdf").rglob("*.pdf")}


def rendered(log: str) -> int:
    return int(re.search(r"printed \d+ PDF\(s\): (\d+) rendered", log).group(1))


def test_a_no_op_build_renders_no_pdf_and_writes_no_page(built: tuple[Path, dict[str, str]]) -> None:
    root, env = built
    before_site, before_sources = times(root), {p: p.stat().st_mtime_ns for p in (root / "_site").rglob("*")}
    log = rebuild(root, env)
    assert rendered(log) == 0
    assert "nothing printing reads has changed since the last build" in log  # not even planned
    assert "nothing they are made from has changed since the last build" in log  # pages not even rendered
    assert "ipt: 0 page(s) written" in log
    assert re.search(r"printable manual pdf/core/core-printable-manual-a4.pdf: \d+ pages \(unchanged\)", log)
    after = times(root)
    changed = sorted(f for f in after if before_site.get(f) != after[f])
    assert [f for f in changed if f.split("/")[0] not in SPHINX_ALWAYS] == []
    assert {p: p.stat().st_mtime_ns for p in (root / "_site").rglob("*")} == before_sources
    assert "The configuration has changed" not in log


def test_editing_one_core_session_redoes_only_what_contains_it(built: tuple[Path, dict[str, str]]) -> None:
    root, env = built
    before_pdfs, before_site = pdfs(root), times(root)
    session = root / "manual" / "sessions" / "session-02.md"
    session.write_text(session.read_text(encoding="utf-8").replace("Opened meeting 2.", "Opened meeting two."),
                       encoding="utf-8")
    log = rebuild(root, env)
    after_pdfs = pdfs(root)
    # its session packets (the checklist) and the printable manuals, each in A4 and Letter; no worksheet or pack
    assert sorted(p for p in after_pdfs if before_pdfs.get(p) != after_pdfs[p]) == [
        "pdf/core/core-printable-manual-a4.pdf", "pdf/core/core-printable-manual-letter.pdf",
        "pdf/core/core-session-02-packet-a4.pdf", "pdf/core/core-session-02-packet-letter.pdf"]
    assert rendered(log) == 2  # the packets; the books are reported on their own lines
    after_site = times(root)
    pages = sorted(f for f in after_site if f.endswith(".html") and before_site.get(f) != after_site[f]
                   and f.split("/")[0] not in SPHINX_ALWAYS)
    assert pages == ["core/index.html", "core/sessions/session-02.html"]


def test_a_page_or_pdf_changed_or_lost_since_the_last_build_is_made_again(built: tuple[Path, dict[str, str]]) -> None:
    """A no-op build trusts the last build's generated pages and PDFs only while each is as it left them."""
    root, env = built
    page = root / "_site" / "core" / "sessions" / "session-01.md"
    good_page = page.read_text(encoding="utf-8")
    page.write_text(good_page + "\nA line someone typed into a generated page.\n", encoding="utf-8")
    staged = root / "_build" / ".staging" / "html" / "pdf" / "core"
    sheet, book = staged / "core-inventory-a4.pdf", staged / "core-printable-manual-letter.pdf"
    good_sheet, good_book = sheet.read_bytes(), book.read_bytes()
    sheet.write_bytes(b"%PDF-1.7 damaged")
    book.unlink()
    log = rebuild(root, env)
    assert "nothing printing reads has changed" not in log
    assert "ipt: 1 page(s) written" in log and page.read_text(encoding="utf-8") == good_page
    assert rendered(log) == 0  # planned again, and every PDF found in the print cache
    assert sheet.read_bytes() == good_sheet and book.read_bytes() == good_book
    published = root / "_build" / "html" / "pdf" / "core"
    assert (published / sheet.name).read_bytes() == good_sheet and (published / book.name).read_bytes() == good_book
    log = rebuild(root, env)  # and trusted again
    assert "nothing printing reads has changed" in log and "nothing they are made from has changed" in log


def test_changing_a_print_template_invalidates_every_pdf_that_uses_it(built: tuple[Path, dict[str, str]]) -> None:
    root, env = built
    before = pdfs(root)
    own = root / "_templates" / "print"
    own.mkdir(parents=True)
    css = (REPO / "_templates" / "print" / "print.css.j2").read_text(encoding="utf-8")
    (own / "print.css.j2").write_text(css + "\n/* a clinic's own tweak */\nh1 { letter-spacing: 0.1pt; }\n",
                                      encoding="utf-8")
    temporary = root.parent / "tmp"
    temporary.mkdir()
    log = rebuild(root, {**env, "TMPDIR": str(temporary)})
    after = pdfs(root)
    uses_it = sorted(p for p in after if "printable-manual" not in p)  # the book has its own stylesheet
    assert sorted(p for p in after if before.get(p) != after[p]) == uses_it
    assert rendered(log) == len(uses_it)
    # the print workers rendered them and ended normally: no font folder of theirs is left behind
    assert sorted(p.name for p in temporary.glob("weasyprint-*")) == []
    shutil.rmtree(own)
    assert rendered(rebuild(root, env)) == 0  # back to the shared template: every PDF is in the cache again


def test_a_broken_project_is_checked_and_reported_on_every_build(built: tuple[Path, dict[str, str]]) -> None:
    root, env = built
    session = root / "manual" / "sessions" / "session-02.md"
    session.write_text(session.read_text(encoding="utf-8").replace("number: 2", "number: 3"), encoding="utf-8")
    for _ in range(2):  # the assembled project is reused between builds only while it has no problems
        result = run_cli("build", "--project", str(root), env=env)
        assert result.returncode == 1
        assert "duplicate session number 3" in result.stderr


def serve_build(root: Path, env: dict[str, str]) -> str:
    """One build as ``make serve`` runs it (sphinx-build with the live-preview switch)."""
    import os
    import subprocess
    import sys

    (root / "_site").mkdir(exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "sphinx", "-j", "auto", "-c", str(root), "-D",
                             "ipt_print_in_background=1", str(root / "_site"), str(root / "_build" / "serve")],
                            capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def wait_for_background_printer(root: Path) -> str:
    import time

    pid_file = root / "_build" / "background-print.pid"
    deadline = time.monotonic() + 300
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pid_file.exists(), "the background printer did not finish"
    return (root / "_build" / "background-print.log").read_text(encoding="utf-8")


def test_live_preview_leaves_planning_and_printing_to_a_background_printer(minimal: Path, tmp_path: Path) -> None:
    import json

    from builder.printing.plan import PAPERS, book_path, planned_files, preview_path

    from .helpers import loaded_project

    env = {"IPT_PRINT_CACHE": str(tmp_path / "cache")}
    core = loaded_project(minimal).manual("core")
    planned = planned_files([core])
    site = minimal / "_build" / "serve"
    previews = {f"pdf/core/core-{ws}-a4.pdf" for ws in core.worksheets}
    log = serve_build(minimal, env)
    # the pages waited only for the worksheet previews; the printer plans and prints everything else
    assert f"printed {len(previews)} PDF(s): {len(previews)} rendered" in log
    assert "the other PDFs are printing in the background" in log
    for ws in core.worksheets:
        assert (minimal / "_site" / preview_path("core", ws)).is_file()
    # the catalog lists every PDF already
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["manuals"][0]["printable_manual"] == [book_path("core", paper) for paper in PAPERS]
    printer_log = wait_for_background_printer(minimal)
    assert f"done: {len(planned)} PDF(s), {len(planned - previews)} rendered" in printer_log
    assert {p.relative_to(site).as_posix() for p in (site / "pdf").rglob("*.pdf")} == planned
    # the same bytes as a normal build (which now finds every PDF in the cache)
    assert rendered(rebuild(minimal, env)) == 0
    assert pdfs(minimal) == {p: hashlib.sha256((site / p).read_bytes()).hexdigest() for p in planned}
    # the printer recorded its work: a rebuild with nothing changed plans nothing and starts no printer
    log = serve_build(minimal, env)
    assert "nothing printing reads has changed since the last build" in log
    assert "printing in the background" not in log
    assert not (minimal / "_build" / "background-print.pid").exists()


def test_a_live_preview_build_stops_the_last_printer_before_it_works(minimal: Path, tmp_path: Path) -> None:
    """The last build's printer has out-of-date work, and the cores belong to the new build: it is stopped
    as the new build starts, not when it ends. The stand-in printer sleeps under the printer's name."""
    import signal
    import subprocess
    import sys

    build_dir = minimal / "_build"
    build_dir.mkdir()
    last = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "builder.printing.background"],
                            start_new_session=True)
    try:
        (build_dir / "background-print.pid").write_text(str(last.pid), encoding="ascii")
        log = serve_build(minimal, {"IPT_PRINT_CACHE": str(tmp_path / "cache")})
        assert last.wait(timeout=30) == -signal.SIGTERM
    finally:
        last.kill()
    stopped = log.index("stopped the background printer of the last build")
    assert stopped < log.index("worksheet previews ready") < log.index("printing in the background")
    assert "done:" in wait_for_background_printer(minimal)  # this build's own printer ran to the end
