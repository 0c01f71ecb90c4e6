"""No file from outside the project reaches the site, whatever a source manages to write.

The source check refuses paths that leave the repository, but it reads Markdown, and Sphinx reads it
again in its own way.  This guard works on what Sphinx actually parsed: before Sphinx notes the files
to copy (``doctree-read``, ahead of its image and download collectors), every image (Markdown,
``{image}``, ``{figure}``, card ``img-top``/``img-bottom``/``img-background``, avatars) and every
download must be a file that, after following symbolic links, lies inside the project and outside its
hidden folders (``.git`` holds CI credentials).  ``data:`` and remote images are refused too.  A
refused file stops the build with the source ``path:line`` (mapped back from the generated page).

Images written next to a source (``![chart](chart.png)`` in ``manual/pages/overview.md``) are found in
that source's folder: generated pages live elsewhere (``_site/``).

The same module maps every other Sphinx warning about a generated page back to its source file and
line (:func:`relocate_warnings`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import SphinxError
from sphinx.util import logging as sphinx_logging
from sphinx.util.nodes import get_node_line as _node_line

from ..resources import STATIC
from ..sourcemap import ManualSource, locate, source_index

LOGGER = sphinx_logging.getLogger(__name__)
HINT = "images and downloads must be files in the repository, given by a relative path without '..'"


class UnsafeFile(SphinxError):
    category = "Refused file"


def remember_sources(app: Any, manuals: list) -> None:
    """Keep where each generated page's text came from (called once the manuals are assembled)."""
    app.ipt_sources = source_index(manuals)


def source_of(app: Any, docname: str, line: int | None) -> tuple[str, int] | None:
    """The (project-relative path, line) a line of a generated page came from, if known."""
    index: dict[str, ManualSource] | None = getattr(app, "ipt_sources", None)
    if not index:
        return None
    try:
        generated = Path(app.env.doc2path(docname)).read_text(encoding="utf-8")
    except OSError:
        return None
    path, source_line = locate(index, docname, generated, line)
    return (path, source_line) if path else None


def get_node_line(node: nodes.Node) -> int | None:
    try:
        return _node_line(node)
    except ValueError:
        return None


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (symbolic links followed) is a file in ``root`` and not in a hidden folder."""
    try:
        rel = path.resolve(strict=True).relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return path.resolve().is_file() and not any(part.startswith(".") for part in rel.parts)


def _why(uri: str) -> str:
    low = "".join(uri.split()).lower()
    if low.startswith("data:"):
        return "is a data: URL"
    if "://" in low or low.startswith("//"):
        return "is not in the repository"
    return ""


class FileGuard:
    """One document's images and downloads, checked (and, for repository images, found)."""

    def __init__(self, app: Any, doctree: nodes.document) -> None:
        self.app, self.doctree = app, doctree
        self.root = Path(app.confdir)
        self.docname = app.env.docname
        self.docdir = Path(app.env.doc2path(self.docname)).parent
        self.refused: list[str] = []

    def where(self, node: nodes.Node) -> str:
        line = get_node_line(node)
        source = source_of(self.app, self.docname, line)
        if source is None:
            return f"{self.app.env.doc2path(self.docname)}:{line or 1}"
        return f"{self.root / source[0]}:{source[1]}"

    def refuse(self, node: nodes.Node, what: str, uri: str, why: str) -> None:
        location = self.where(node)
        short = uri if len(uri) <= 60 else uri[:59] + "…"
        message = f"{what} '{short}' {why} (hint: {HINT})"
        LOGGER.warning(message, type="ipt", subtype="file", location=location)
        self.refused.append(f"{location}: WARNING: {message}")

    def resolve(self, node: nodes.Node, uri: str) -> Path:
        """The file ``uri`` names: next to the source the text came from, else as Sphinx reads it."""
        plain = uri.split("#", 1)[0].split("?", 1)[0]
        srcdir = Path(self.app.srcdir)
        as_sphinx = srcdir / plain.lstrip("/") if plain.startswith("/") else self.docdir / plain
        source = source_of(self.app, self.docname, get_node_line(node))
        if source is not None and not plain.startswith("/"):
            beside = self.root / Path(source[0]).parent / plain
            if os.path.lexists(beside) and not os.path.lexists(as_sphinx):
                return beside
        return as_sphinx

    def check(self, node: nodes.Node, what: str, uri: str) -> Path | None:
        why = _why(uri)
        if why:
            self.refuse(node, what, uri, why)
            return None
        path = self.resolve(node, uri)
        if not inside(self.root, path):
            self.refuse(node, what, uri, "is not a file inside the project" if os.path.lexists(path)
                        else "does not exist")
            return None
        return path

    def run(self) -> None:
        for node in list(self.doctree.findall(nodes.image)):
            uri = node.get("uri", "")
            path = self.check(node, "image", uri)
            if path is None:
                node.replace_self(nodes.inline(text=node.get("alt", "")))
            elif path.parent != self.docdir:
                node["uri"] = os.path.relpath(path, self.docdir)
        for node in list(self.doctree.findall(addnodes.download_reference)):
            uri = node.get("reftarget", "")
            path = self.check(node, "download", uri)
            if path is None:
                node.replace_self(nodes.inline(text=node.astext()))
            elif path.parent != self.docdir:
                node["reftarget"] = os.path.relpath(path, self.docdir)
        if self.refused:
            # the messages travel with the error: a parallel reader's own warnings are lost when it stops
            raise UnsafeFile("\n".join([*self.refused, f"{len(self.refused)} image(s) or download(s) outside the "
                                         "project; the build was stopped"]))


def guard_files(app: Any, doctree: nodes.document) -> None:
    """doctree-read (before Sphinx's collectors note the files to copy)."""
    FileGuard(app, doctree).run()


#: Files the builder itself ships and may place in the site (not from any source or setting).
SHIPPED = frozenset(p for p in STATIC.iterdir() if p.is_file())


def check_logo(app: Any) -> None:
    """builder-inited: the logo and favicon the theme copies must be files inside the project too."""
    root = Path(app.confdir)
    for name in ("html_logo", "html_favicon"):
        value = getattr(app.config, name, None)
        if value and Path(str(value)) in SHIPPED:
            continue  # the builder's own file (the default favicon)
        if value and (_why(str(value)) or not inside(root, root / str(value))):
            raise UnsafeFile(f"conf.py: {name} '{value}' is not a file inside the project "
                             "(hint: put the image in the repository, e.g. local/logo.png)")


class _Relocate(logging.Filter):
    """Rewrites ``_site/<page>.md:<line>`` in a warning's location to the source file and line."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        location = getattr(record, "location", None)
        srcdir = str(self.app.srcdir) + os.sep
        if not isinstance(location, str) or not location.startswith(srcdir):
            return True
        file, _, line = location[len(srcdir):].partition(":")
        docname = file.removesuffix(".md")
        source = source_of(self.app, docname, int(line) if line.isdigit() else None)
        if source is not None:
            record.location = f"{Path(self.app.confdir) / source[0]}:{source[1]}"
        return True


def relocate_warnings(app: Any) -> None:
    """Add the mapping to Sphinx's warning output (after its own location translation)."""
    for handler in logging.getLogger(sphinx_logging.NAMESPACE).handlers:
        if isinstance(handler, sphinx_logging.WarningStreamHandler):
            handler.addFilter(_Relocate(app))


def setup_file_guard(app: Any) -> None:
    app.connect("doctree-read", guard_files, priority=400)
    app.connect("builder-inited", check_logo, priority=450)
    relocate_warnings(app)
