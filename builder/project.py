"""A project on disk: where its sources are, and loading every manual in it.

:func:`load_project` is the single entry point the CLI and the Sphinx
extension use: sources → validated model → overlays resolved → one
assembled manual per adaptation.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .addenda import apply_all
from .errors import Problems
from .literals import check_literals
from .loader import load_manual
from .model import Manual
from .overlay import load_adaptations
from .review import review_warnings
from .sections import raw_html_policy
from .validate import validate_manual

CORE_DIR = "manual"
ADAPTATIONS_DIR = "adaptations"
GENERATED_DIR = "_site"
LOCAL_DIR = "local"
BUILD_DIR = "_build"


@dataclass(frozen=True)
class LoadOptions:
    """How a project is loaded, built once from the site's validated settings (``ipt_*``) and passed
    explicitly by every command (check, build, review, diff, check-version, versions,
    new-adaptation) and the Sphinx extension. No command reads these settings with defaults of its own."""

    allow_raw_html: bool = False  #: ``ipt_allow_raw_html``
    addenda: str = LOCAL_DIR  #: ``ipt_addenda``: the clinic's local addenda folder

    @classmethod
    def from_settings(cls, settings: Any) -> LoadOptions:
        """From a validated :class:`builder.config.SiteConfig`."""
        return cls(bool(settings.allow_raw_html), str(settings.addenda or LOCAL_DIR))

    @property
    def source_folders(self) -> tuple[str, ...]:
        """The folders a project's protocol text comes from (for exports and cache keys)."""
        return (CORE_DIR, ADAPTATIONS_DIR, self.addenda)

    def key(self) -> str:
        """A stable text for cache keys: a change of options is a change of input."""
        return f"raw={self.allow_raw_html};addenda={self.addenda}"


@dataclass
class Project:
    root: Path
    manuals: list[Manual] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    #: Inherited text not yet reviewed for an adaptation (warnings; errors with ``check --strict``).
    review: Problems = field(default_factory=Problems)

    def manual(self, manual_id: str) -> Manual:
        return next(m for m in self.manuals if m.id == manual_id)

    @property
    def core(self) -> Manual | None:
        return next((m for m in self.manuals if not m.extends), None)


def find_root(start: Path) -> Path | None:
    """The project folder: ``start`` or the nearest parent holding ``manual/`` and ``conf.py``."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / CORE_DIR).is_dir() and (candidate / "conf.py").is_file():
            return candidate
    return None


def load_project(root: Path, options: LoadOptions | None = None) -> Project:
    """Load, validate and assemble every manual; problems are collected, never raised.

    ``options`` (default: the default settings) say whether raw HTML is allowed and which folder
    holds the clinic's local addenda, applied last to each manual.
    """

    options = options or LoadOptions()
    with raw_html_policy(options.allow_raw_html):
        return _load(root, options)


def _load(root: Path, options: LoadOptions) -> Project:
    problems = Problems(root)
    project = Project(root, [], problems)
    core = load_manual(root / CORE_DIR, problems)
    if core is None:
        return project
    validate_manual(core, problems)
    project.manuals.append(core)

    project.manuals.extend(load_adaptations(root / ADAPTATIONS_DIR, core, problems))

    project.manuals = apply_all(project.manuals, root / options.addenda, problems)
    check_literals(root, project.manuals, problems)
    project.review = Problems(root)
    for manual in project.manuals:
        review_warnings(manual, project.review)
    others = list(project.manuals)
    for manual in project.manuals:
        if manual.local_report:
            validate_manual(manual, problems, others)
    return project


#: What a project is made of (sources, the clinic's addenda, templates, docs, settings), without anything built.
PROJECT_PARTS = ("manual", "adaptations", "local", "_templates", "docs", "conf.py")


def copy_parts(root: Path, dest: Path, parts: tuple[str, ...] = PROJECT_PARTS) -> Path:
    """Copy the ``parts`` of the project at ``root`` that exist into ``dest`` (created if missing)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in parts:
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest
