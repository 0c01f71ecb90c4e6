"""The assembled project, kept between builds and reused while its inputs are byte-for-byte the same.

Loading and validating every manual takes seconds, and a no-op build would spend most of its time
on it. The key hashes every input of :func:`builder.project.load_project`: the source folders (names,
bytes, and the targets of any links, so a new link changes the key), the addenda folder, the raw-HTML
policy, and the builder's own code. Only a project without problems is kept, so a broken project is
checked (and its problems reported) on every run.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from .generate import write_if_changed
from .project import BUILD_DIR, LoadOptions, Project, load_project

CACHE_FILE = "model.pickle"


def _hash_tree(digest: Any, folder: Path, root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            if path.is_symlink():
                digest.update(b"link:" + os.readlink(path).encode())
            elif path.is_file():
                digest.update(path.read_bytes())


def inputs_key(root: Path, options: LoadOptions) -> str:
    digest = hashlib.sha256(f"{root}\0{options.key()}".encode())
    for folder in (root / name for name in options.source_folders):
        if folder.is_symlink():
            digest.update(b"link:" + os.readlink(folder).encode())
        elif folder.is_dir():
            _hash_tree(digest, folder, root)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_project_cached(root: Path, options: LoadOptions, key: str | None = None) -> Project:
    """:func:`load_project` (under the caller's raw-HTML policy), reused from ``_build/`` when nothing changed.
    ``key``: :func:`inputs_key`, when the caller has it already."""
    key = key or inputs_key(root, options)
    cache = root / BUILD_DIR / CACHE_FILE
    try:
        stored_key, project = pickle.loads(cache.read_bytes())
        if stored_key == key:
            return project
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        pass
    project = load_project(root, options)
    if not project.problems:
        write_if_changed(cache, pickle.dumps((key, project)))
    return project
