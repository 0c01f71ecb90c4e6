"""Where the builder's own files are: its templates, static files and print fonts.

They are package data of ``builder`` and found with :mod:`importlib.resources`, so a wheel installed
anywhere can build a project. In a checkout, ``builder/_templates`` is a link to the repository's
``_templates/`` (where maintainers edit them); a wheel holds a copy. A project's own ``_templates/``
folder is searched first, so a clinic can override any template (render.py, printing/html.py).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The folder of templates, in the builder (package data) and in a project (overrides).
TEMPLATE_DIR = "_templates"


def builder_path(*parts: str) -> Path:
    """A file or folder shipped with the builder."""
    return Path(str(files("builder").joinpath(*parts)))


TEMPLATES = builder_path(TEMPLATE_DIR)
STATIC = builder_path("static")
FONTS = builder_path("printing", "fonts")


def template_search_path(root: Path) -> list[str]:
    """Where Jinja looks for a template: the project's ``_templates/`` first, then the builder's."""
    return [str(root / TEMPLATE_DIR), str(TEMPLATES)]
