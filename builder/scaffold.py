"""``ipt-manual new-adaptation``: a new adaptation folder that builds at once."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .project import ADAPTATIONS_DIR, LoadOptions, load_project
from .render import environment
from .rules import ID_RE, RESERVED_MANUAL_IDS


class ScaffoldError(Exception):
    pass


def yaml_text(value: object) -> str:
    """A YAML scalar, quoted as JSON (valid YAML) without escaping apostrophes or letters like é."""
    return json.dumps(str(value), ensure_ascii=False)


def new_adaptation(root: Path, adaptation_id: str, title: str | None = None, extends: str = "core",
                   short_title: str | None = None, options: LoadOptions | None = None) -> Path:
    """Scaffold ``adaptations/<id>`` on the project as the site loads it (``options``)."""
    if not ID_RE.match(adaptation_id):
        raise ScaffoldError(f"'{adaptation_id}' is not a valid id (lower-case words joined by hyphens)")
    folder = root / ADAPTATIONS_DIR / adaptation_id
    if folder.exists():
        raise ScaffoldError(f"{folder.relative_to(root)} already exists; nothing was changed")
    project = load_project(root, options)
    if adaptation_id in {*RESERVED_MANUAL_IDS, *(m.id for m in project.manuals)}:
        raise ScaffoldError(f"'{adaptation_id}' is reserved or already a manual's id; choose another id")
    base = next((m for m in project.manuals if m.id == extends), None)
    if base is None:
        known = ", ".join(m.id for m in project.manuals) or "none (fix 'ipt-manual check' problems first)"
        raise ScaffoldError(f"cannot extend '{extends}': known manuals are {known}")
    title = title or adaptation_id.replace("-", " ").capitalize()
    env = environment(root)
    env.filters["yaml"] = yaml_text
    context = {"id": adaptation_id, "base": base, "title": title, "short_title": short_title or title}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{adaptation_id}.", dir=folder.parent))
    try:
        for sub in ("sessions", "pages", "worksheets"):
            (staging / sub).mkdir()
        (staging / "adaptation.yaml").write_text(
            env.get_template("scaffold/adaptation.yaml.j2").render(**context), encoding="utf-8")
        (staging / "README.md").write_text(env.get_template("scaffold/README.md.j2").render(**context),
                                           encoding="utf-8")
        os.rename(staging, folder)  # fails rather than overwrite if the folder appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder
