"""Wiring of the Sphinx extension: config, roles, directives and event handlers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

from .. import __version__
from ..catalog import build_catalog, dumps
from ..config import declare, get_config
from ..generate import sync_tree
from ..project import Project, load_project
from ..render import render_site
from .directives import setup_directives
from .files import remember_sources, setup_file_guard
from .furnishing import setup_furnishing
from .partial import remove_unpublished, with_bases
from .roles import setup_roles
from .site import setup_site
from .wayfinding import remember_manuals, setup_wayfinding

LOGGER = logging.getLogger(__name__)
WARNING_TYPE = "ipt"
STATIC_DIR = Path(__file__).parent.parent / "static"
_PROJECTS: dict[int, Project] = {}
_PRINTS: dict[int, Any] = {}
PREVIEWS = "_previews"


def project_root(app: Any) -> Path:
    return Path(app.confdir)


def print_cache(app: Any) -> Path:
    """PDFs cached by content, shared by every build of this project (make html, make serve)."""
    return project_root(app) / "_build" / ".print-cache"


def extra_pages(root: Path) -> dict[str, str]:
    docs = root / "docs"
    if not docs.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(docs.glob("*.md"))}


def generate_pages(app: Any) -> None:
    """builder-inited: load and validate the sources, then write the pages Sphinx will read."""
    root = project_root(app)
    project = load_project(root, get_config(app.config).addenda)
    for problem in project.problems:
        LOGGER.warning(problem.message + (f" (hint: {problem.hint})" if problem.hint else ""),
                       type=WARNING_TYPE, subtype="source", location=f"{root / problem.path}:{problem.line}")
    if project.problems:
        raise ExtensionError(f"{len(project.problems)} problem(s) in the protocol sources; "
                             "run 'ipt-manual check' for the list")
    settings = get_config(app.config)
    unknown = [m for m in settings.publish if m not in {x.id for x in project.manuals}]
    if unknown:
        raise ConfigError(f"conf.py: ipt_publish names unknown manual(s) {', '.join(unknown)}; "
                          f"known: {', '.join(m.id for m in project.manuals)}")
    manuals = with_bases(project.manuals, settings.publish)
    remove_unpublished(Path(app.outdir), [m.id for m in project.manuals], [m.id for m in manuals])
    project.manuals = manuals
    _PROJECTS[id(app)] = project
    remember_sources(app, manuals)
    remember_manuals(app, manuals)
    report = sync_tree(Path(app.srcdir), render_site(root, manuals, extra_pages(root), settings.paper,
                                                   {"name": settings.clinic_name,
                                                    "contact_line": settings.contact_line}),
                       keep=(PREVIEWS,))
    LOGGER.info(f"ipt: {len(report.written)} page(s) written, {len(report.unchanged)} unchanged, "
                f"{len(report.removed)} removed")
    if app.builder.format == "html":
        print_worksheets(app, root, project, settings.paper)


def print_worksheets(app: Any, root: Path, project: Project, paper: str) -> None:
    from ..printing.fonts import PrintFontError
    from ..printing.run import print_all

    try:
        report = print_all(project.manuals, root, Path(app.outdir), Path(app.srcdir) / PREVIEWS,
                           print_cache(app), paper, progress=LOGGER.info, settings=get_config(app.config))
    except PrintFontError as exc:
        raise ConfigError(f"conf.py: {exc}") from None
    for source, message in report.overflows:
        LOGGER.warning(message + " (hint: shorten the instructions, or use fewer rows or lines)",
                       type=WARNING_TYPE, subtype="print", location=f"{root / source}:1")
    for source, message in report.problems:
        LOGGER.warning(message, type=WARNING_TYPE, subtype="print", location=f"{root / source}:1")
    _PRINTS[id(app)] = report


def write_catalog(app: Any, exception: Exception | None) -> None:
    """build-finished: write catalog.json next to the HTML."""
    project = _PROJECTS.pop(id(app), None)
    prints = _PRINTS.pop(id(app), None)
    if exception is not None or project is None or app.builder.format != "html":
        return
    settings = get_config(app.config)
    files = set(prints.results) if prints is not None else set()
    files |= print_books(app, project, settings.paper)
    catalog = build_catalog(project.manuals, lambda doc: app.builder.get_target_uri(doc), files, settings.paper)
    (Path(app.outdir) / "catalog.json").write_text(dumps(catalog), encoding="utf-8")


def print_books(app: Any, project: Project, paper: str) -> set[str]:
    """build-finished: the printable manuals (A4 and Letter), from the model; cached by content."""
    from ..printing.book import print_books as print_all_books

    results = print_all_books(project.manuals, project_root(app), Path(app.outdir), print_cache(app),
                              get_config(app.config), progress=LOGGER.info)
    for path, result in results.items():
        if result.problem:
            LOGGER.warning(f"{path}: {result.problem}", type=WARNING_TYPE, subtype="print",
                           location=f"{project_root(app) / 'conf.py'}:1")
    return {path for path, result in results.items() if not result.problem}


def add_static(app: Any) -> None:
    app.config.html_static_path.append(str(STATIC_DIR))


def setup_source_safety(app: Any) -> None:
    """Hostile sources: what Sphinx itself refuses, and the raw-HTML setting for the source check.

    For every document, docutils' ``raw`` directive and file insertion (``include``,
    ``literalinclude``, ``:file:``/``:url:`` options) are disabled, whatever the sources say.
    Around :func:`generate_pages` (priority 400), the source check follows ``ipt_allow_raw_html``.
    """
    from ..sections import RAW_HTML_POLICY

    tokens: dict[int, Any] = {}

    def before(app: Any) -> None:
        app.env.settings["raw_enabled"] = False
        app.env.settings["file_insertion_enabled"] = False
        tokens[id(app)] = RAW_HTML_POLICY.set(bool(get_config(app.config).allow_raw_html))

    def after(app: Any) -> None:
        token = tokens.pop(id(app), None)
        if token is not None:
            RAW_HTML_POLICY.reset(token)

    app.connect("builder-inited", before, priority=390)
    app.connect("builder-inited", after, priority=410)


def builder_fingerprint() -> str:
    """Changes whenever the builder's code, static files or templates change, so Sphinx rebuilds every page."""
    import hashlib

    package = Path(__file__).parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*package.rglob("*.py"), *package.rglob("static/*"),
                        *(package.parent / "_templates").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def setup_extension(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_design")
    app.add_config_value("ipt_builder_fingerprint", builder_fingerprint(), "html")
    declare(app)
    setup_roles(app)
    setup_directives(app)
    app.connect("builder-inited", add_static, priority=100)
    app.connect("builder-inited", generate_pages, priority=400)
    app.connect("build-finished", write_catalog)
    setup_source_safety(app)
    setup_site(app)
    setup_file_guard(app)
    setup_wayfinding(app)
    setup_furnishing(app)
    app.add_css_file("ipt.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
