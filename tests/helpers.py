"""Helpers shared by test modules: the real project, loaded once for every test process."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

REPO = Path(__file__).parent.parent
#: What an assembled project depends on: its sources, and the code that loads them.
SOURCE_FOLDERS = ("manual", "adaptations", "local")


def _inputs_key(root: Path) -> str:
    digest = hashlib.sha256(str(root).encode())
    folders = [root / name for name in SOURCE_FOLDERS] + [REPO / "builder"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def real_project():  # type: ignore[no-untyped-def]
    """The real project (see :func:`loaded_project`)."""
    return loaded_project(REPO)


@functools.cache
def loaded_project(root: Path):  # type: ignore[no-untyped-def]
    """The project at ``root``, assembled once and shared by every test process through a content-keyed pickle.

    Loading the real project takes seconds; under xdist each worker imports every test module, so
    without this the same project would be loaded once per module per worker. Treat it as read-only.
    """
    from builder.project import load_project

    cache = Path(tempfile.gettempdir()) / f"ipt-tests-{os.getuid()}" / f"project-{_inputs_key(root)}.pickle"
    try:
        return pickle.loads(cache.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    project = load_project(root)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f".{cache.name}.tmp{os.getpid()}")
    tmp.write_bytes(pickle.dumps(project))
    os.replace(tmp, cache)
    return project
