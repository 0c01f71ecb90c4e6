"""The Sphinx extension's handlers, and ``setup_extension`` that wires them (and nothing else).

Events, in build order:

- ``config-inited``: the builder's static folder joins ``html_static_path`` (before Sphinx compares
  the configuration with the last build's, so the comparison is stable).
- ``builder-inited``: load and validate the project once, write the pages Sphinx will read.
  The state of this build lives on the builder (:func:`build_state`), never in module globals.
- ``env-before-read-docs``: start printing; worksheet previews are waited for, everything else
  renders in worker processes while Sphinx reads and writes.
- ``env-before-read-docs`` also starts the printable manuals (the longest jobs) in the same pool.
- ``build-finished``: collect the PDFs and the printable manuals, write ``catalog.json``. In the live
  preview (``ipt_print_in_background``, set by ``make serve``) only the previews are rendered during
  the build; planning and printing the other PDFs go to a printer that outlives it (printing/background.py).
- A build whose pages or printing have nothing new to read skips them (builder/record.py).

Problems in the sources are Sphinx warnings (type ``ipt``, subtype ``source``) at the source's
``path:line``, so ``-W``, ``--keep-going`` and ``suppress_warnings`` behave as usual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.errors import ConfigError
from sphinx.util import logging

from .. import __version__
from ..catalog import build_catalog, dumps
from ..config import declare, get_config
from ..errors import Problems
from ..generate import files_in, sync_tree, write_if_changed
from ..paths import PREVIEWS_DIR
from ..project import BUILD_DIR, LoadOptions, Project
from ..record import forget_record, read_record, write_record
from ..render import pages_key, render_site
from ..resources import STATIC, TEMPLATES
from .directives import setup_directives
from .files import remember_sources, setup_file_guard
from .furnishing import setup_furnishing
from .navigation import setup_navigation
from .partial import remove_unpublished, with_bases
from .roles import setup_roles
from .site import setup_site
from .wayfinding import remember_manuals, setup_wayfinding

LOGGER = logging.getLogger(__name__)
WARNING_TYPE = "ipt"
STATIC_DIR = STATIC
#: A print cache shared by several projects (the test suite sets it; content-keyed, so sharing is safe).
PRINT_CACHE_ENV = "IPT_PRINT_CACHE"
#: The records of the last build (builder/record.py), kept next to Sphinx's doctrees.
PAGES_RECORD, PRINT_RECORD = "ipt-pages-record.json", "ipt-print-record.json"


@dataclass
class BuildState:
    """What one build knows: the loaded project, its problems, and the printing under way."""

    project: Project | None = None
    problems: Problems = field(default_factory=Problems)
    pool: Any = None  #: printing.pools.PrintPool (printing.background.InlinePool in the live preview)
    book_pool: Any = None  #: printing.pools.PrintPool for the printable manuals (see printing.pools.Waiting)
    batch: Any = None  #: printing.run.PrintBatch
    books: Any = None  #: printing.book.BookBatch
    model_key: str = ""  #: model_cache.inputs_key of this build's sources
    print_key: str = ""  #: printing.record.printing_key of this build
    files: set[str] = field(default_factory=set)  #: PDFs written into the site


def build_state(app: Any) -> BuildState:
    """This build's state, kept on the builder (a new builder, so a new state, for every build)."""
    state = getattr(app.builder, "ipt_state", None)
    if state is None:
        state = BuildState()
        app.builder.ipt_state = state
    return state


def record_file(app: Any, name: str) -> Path:
    """Where this build's record ``name`` (PAGES_RECORD or PRINT_RECORD) is kept."""
    return Path(app.doctreedir) / name


def project_root(app: Any) -> Path:
    return Path(app.confdir)


def print_cache(app: Any) -> Path:
    """PDFs cached by content, shared by every build of this project (make html, make serve)."""
    shared = os.environ.get(PRINT_CACHE_ENV)
    return Path(shared) if shared else project_root(app) / BUILD_DIR / ".print-cache"


def extra_pages(root: Path) -> dict[str, str]:
    docs = root / "docs"
    if not docs.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(docs.glob("*.md"))}


def add_static(app: Any, config: Any) -> None:
    """config-inited: the static folders of this builder and of sphinx-design.

    Both are in place before Sphinx compares this configuration with the last build's, so the
    comparison is stable ("The configuration has changed" is not logged on every build).
    """
    from sphinx_design.extension import STATIC_DIR as DESIGN_STATIC

    for folder in (str(STATIC_DIR), str(DESIGN_STATIC)):
        if folder not in config.html_static_path:
            config.html_static_path.append(folder)


def dedupe_static(app: Any) -> None:
    """builder-inited (after sphinx-design appends its folder again): each folder once, in order."""
    paths = app.config.html_static_path
    paths[:] = list(dict.fromkeys(paths))


def source_safety(app: Any) -> None:
    """builder-inited: docutils' ``raw`` and file insertion are off for every document, whatever it says."""
    app.env.settings["raw_enabled"] = False
    app.env.settings["file_insertion_enabled"] = False


def load(app: Any) -> None:
    """builder-inited: load and validate every manual, once per build; report problems where they are."""
    from ..model_cache import inputs_key, load_project_cached

    root, settings, state = project_root(app), get_config(app.config), build_state(app)
    options = LoadOptions.from_settings(settings)
    state.model_key = inputs_key(root, options)  # once per build: the records' keys start from it
    project = load_project_cached(root, options, state.model_key)
    state.problems = project.problems
    for problem in project.problems:
        LOGGER.warning(problem.message + (f" (hint: {problem.hint})" if problem.hint else ""),
                       type=WARNING_TYPE, subtype="source", location=f"{root / problem.path}:{problem.line}")
    if project.problems:
        return
    known = [m.id for m in project.manuals]
    unknown = [m for m in settings.publish if m not in known]
    if unknown:
        raise ConfigError(f"conf.py: ipt_publish names unknown manual(s) {', '.join(unknown)}; "
                          f"known: {', '.join(known)}")
    manuals = with_bases(project.manuals, settings.publish)
    remove_unpublished(Path(app.outdir), known, [m.id for m in manuals])
    project.manuals = manuals
    state.project = project


def generate_pages(app: Any) -> None:
    """builder-inited (after :func:`load`): write the pages Sphinx will read; unchanged ones are left alone.
    When nothing they are made from has changed since the last build, they are not even rendered."""
    project, root, settings = build_state(app).project, project_root(app), get_config(app.config)
    if project is None:
        return
    remember_sources(app, project.manuals)
    remember_manuals(app, project.manuals)
    folder, pages_record = Path(app.srcdir), record_file(app, PAGES_RECORD)
    key = pages_key(root, build_state(app).model_key, settings, [m.id for m in project.manuals], folder)
    record = read_record(pages_record)
    if record is not None and record.still_true(key) and files_in(folder, (PREVIEWS_DIR,)) == set(record.data):
        LOGGER.info(f"ipt: 0 page(s) written, {len(record.data)} unchanged, 0 removed (nothing they are made "
                    "from has changed since the last build)")
        return
    identity = {"name": settings.clinic_name, "contact_line": settings.contact_line}
    pages = render_site(root, project.manuals, extra_pages(root), settings.paper, identity)
    report = sync_tree(folder, pages, keep=(PREVIEWS_DIR,))
    write_record(pages_record, key, sorted(pages), [folder / page for page in sorted(pages)])
    LOGGER.info(f"ipt: {len(report.written)} page(s) written, {len(report.unchanged)} unchanged, "
                f"{len(report.removed)} removed")


def start_printing(app: Any, env: Any, docnames: list[str]) -> None:
    """env-before-read-docs: print in worker processes while Sphinx works; wait only for the previews.
    In the live preview, render only the previews now and leave the rest to the background printer."""
    from ..printing.background import InlinePool, stop_previous
    from ..printing.book import start_books_beside
    from ..printing.fonts import PrintFontError
    from ..printing.plan import planned_files
    from ..printing.pools import Alternating, PrintPool, pool_sizes
    from ..printing.run import start_printing as start

    state = build_state(app)
    if state.project is None or app.builder.format != "html" or state.batch is not None:
        return
    settings, background = get_config(app.config), bool(app.config.ipt_print_in_background)
    if background and stop_previous(project_root(app) / BUILD_DIR):
        LOGGER.info("ipt: stopped the background printer of the last build (what it printed is kept)")
    sheets, books = pool_sizes()
    try:
        if reuse_last_printing(app):
            return
        state.pool = InlinePool() if background else PrintPool(sheets)
        state.book_pool = None if background else PrintPool(books)  # the printable manuals: workers of their own
        previews = state.pool if background else Alternating(state.pool, state.book_pool)
        state.batch = start(state.project.manuals, project_root(app), Path(app.outdir), Path(app.srcdir) / PREVIEWS_DIR,
                            print_cache(app), previews, settings.paper, settings, previews_only=background)
    except PrintFontError as exc:
        stop_printing(app)
        raise ConfigError(f"conf.py: {exc}") from None
    if background:
        state.files |= planned_files(state.project.manuals, settings.paper)  # the catalog lists them all
        LOGGER.info("ipt: worksheet previews ready; the other PDFs are planned and printed after this build, "
                    "in the background")
        return
    # the printable manuals are the longest jobs, and the largest in memory
    state.books = start_books_beside(state.batch, state.pool, state.book_pool, state.project.manuals,
                                     project_root(app), Path(app.outdir), print_cache(app), settings)
    pending = len(state.batch.pending) + len(state.books.waiting)
    jobs = len(state.batch.report.jobs) + len(state.books.results) + len(state.books.waiting)
    LOGGER.info(f"ipt: printing {jobs} PDF(s): {pending} to render in {sheets + books} worker(s) "
                "while Sphinx builds")
    state.batch.wait_previews()


def reuse_last_printing(app: Any) -> bool:
    """When nothing printing reads has changed since the last good build and its files are untouched,
    take its PDFs as they are (printing/record.py) and say so; True when it did."""
    from ..printing.plan import PAPERS, book_path
    from ..printing.record import printing_key

    state, print_record = build_state(app), record_file(app, PRINT_RECORD)
    manuals = [m.id for m in state.project.manuals]
    state.print_key = printing_key(project_root(app), state.model_key, get_config(app.config), Path(app.outdir),
                                   Path(app.srcdir) / PREVIEWS_DIR, manuals)
    record = read_record(print_record)
    if record is None or not record.still_true(state.print_key):
        forget_record(print_record)  # written again when this build's printing ends well
        return False
    pdfs: dict[str, int] = record.data
    state.files |= set(pdfs)
    books = {book_path(manual, paper) for manual in manuals for paper in PAPERS}
    for path in sorted(books & set(pdfs)):
        LOGGER.info(f"ipt: printable manual {path}: {pdfs[path]} pages (unchanged)")
    sheets = len(set(pdfs) - books)
    LOGGER.info(f"ipt: printed {sheets} PDF(s): 0 rendered, {sheets} unchanged (nothing printing reads "
                "has changed since the last build)")
    return True


def remember_printing(app: Any, book_results: dict[str, Any]) -> None:
    """After printing ended well (every PDF made, none overflowing), record it for the next build."""
    from ..printing.record import record_printing

    state = build_state(app)
    if state.batch is not None:
        record_printing(record_file(app, PRINT_RECORD), state.print_key, state.batch.report, book_results,
                        Path(app.outdir), Path(app.srcdir) / PREVIEWS_DIR)


def hand_over_printing(app: Any, exception: Exception | None) -> None:
    """build-finished (live preview): the rest of the printing goes to a printer that outlives this build."""
    from ..printing.background import LOG_FILE, PrintPlan, hand_over

    state = build_state(app)
    if exception is not None or not app.config.ipt_print_in_background or state.batch is None:
        return
    build_dir, settings = project_root(app) / BUILD_DIR, get_config(app.config)
    plan = PrintPlan(state.project.manuals, project_root(app), Path(app.outdir), Path(app.srcdir) / PREVIEWS_DIR,
                     print_cache(app), settings.paper, settings, state.print_key, record_file(app, PRINT_RECORD))
    hand_over(build_dir, plan)
    LOGGER.info(f"ipt: the other PDFs are printing in the background (progress: {build_dir / LOG_FILE})")


def finish_printing(app: Any, exception: Exception | None) -> None:
    """build-finished: collect the PDFs and report sheets that overflow their page or cannot be printed."""
    state = build_state(app)
    if state.batch is None:
        return
    if exception is not None:
        stop_printing(app)
        return
    root = project_root(app)
    report = state.batch.finish(LOGGER.info)
    for source, message in report.overflows:
        LOGGER.warning(message + " (hint: shorten the instructions, or use fewer rows or lines)",
                       type=WARNING_TYPE, subtype="print", location=f"{root / source}:1")
    for source, message in report.problems:
        LOGGER.warning(message, type=WARNING_TYPE, subtype="print", location=f"{root / source}:1")
    state.files |= {path for path, result in report.results.items() if not result.problem}
    LOGGER.info(f"ipt: printed {len(report.jobs)} PDF(s): {report.rendered} rendered, "
                f"{len(report.jobs) - report.rendered} unchanged (cached)")


def finish_books(app: Any, exception: Exception | None) -> None:
    """build-finished: wait for the printable manuals (A4 and Letter), started with the other PDFs."""
    state = build_state(app)
    if exception is not None or state.books is None:
        return
    root = project_root(app)
    try:
        results = state.books.finish(LOGGER.info)
    except BaseException:
        stop_printing(app)
        raise
    stop_printing(app, when_done=True)
    for path, result in results.items():
        if result.problem:
            LOGGER.warning(f"{path}: {result.problem}", type=WARNING_TYPE, subtype="print",
                           location=f"{root / 'conf.py'}:1")
        else:
            state.files.add(path)
    remember_printing(app, results)


def write_catalog(app: Any, exception: Exception | None) -> None:
    """build-finished (after the PDFs): catalog.json next to the HTML, rewritten only when it changes."""
    state = build_state(app)
    if exception is not None or state.project is None or app.builder.format != "html":
        return
    settings = get_config(app.config)
    catalog = build_catalog(state.project.manuals, app.builder.get_target_uri, state.files, settings.paper)
    write_if_changed(Path(app.outdir) / "catalog.json", dumps(catalog))


def stop_printing(app: Any, when_done: bool = False) -> None:
    """End the print workers: ``when_done`` (every job finished), let them exit normally, so they
    delete their temporary font folders; otherwise (a failed or interrupted build) at once."""
    state = build_state(app)
    for pool in (state.pool, state.book_pool):
        if pool is not None:
            pool.close() if when_done else pool.terminate()
    state.pool = state.book_pool = None


def builder_fingerprint() -> str:
    """Changes whenever the builder's code, static files or templates change, so Sphinx rebuilds every page."""
    import hashlib

    package = Path(__file__).parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*package.rglob("*.py"), *STATIC.iterdir(), *TEMPLATES.rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def setup_extension(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_design")
    if app.config.html_theme == "furo":
        # loaded now rather than with the theme, so its pygments_dark_style setting exists when Sphinx
        # compares this configuration with the last build's (otherwise every build looks reconfigured)
        app.setup_extension("furo")
    app.add_config_value("ipt_builder_fingerprint", builder_fingerprint(), "html")
    declare(app)
    setup_roles(app)
    setup_directives(app)
    app.connect("config-inited", add_static)
    app.connect("builder-inited", dedupe_static, priority=900)
    app.connect("builder-inited", source_safety, priority=390)
    app.connect("builder-inited", load, priority=400)
    app.connect("builder-inited", generate_pages, priority=410)
    app.connect("env-before-read-docs", start_printing)
    app.connect("build-finished", finish_printing, priority=400)
    app.connect("build-finished", finish_books, priority=450)
    app.connect("build-finished", hand_over_printing, priority=460)
    app.connect("build-finished", write_catalog, priority=500)
    setup_site(app)
    setup_file_guard(app)
    setup_navigation(app)
    setup_wayfinding(app)
    setup_furnishing(app)
    app.add_css_file("ipt.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
