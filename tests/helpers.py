"""Helpers shared by test modules: fixture projects and corpus cases, throwaway git repositories, and the
real project, loaded once for every test process."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import subprocess
import tempfile
from pathlib import Path

from .conftest import copy_project

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ROOTS = Path(__file__).parent / "roots"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
#: What an assembled project depends on: its sources, and the code that loads them.
SOURCE_FOLDERS = ("manual", "adaptations", "local")


# --- fixture projects and corpus cases -------------------------------------------------------------

def with_teen(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project with the teen adaptation (tests/fixtures/overlays/teen)."""
    root = copy_project("minimal", tmp_path)
    shutil.copytree(FIXTURES / "overlays" / "teen", root / "adaptations" / "teen")
    return root


def apply_case(root: Path, case: dict) -> None:
    """Apply a corpus case: ``patch`` (path → [old, new]), ``files`` (path → text; null deletes), ``bytes``."""
    for rel, (old, new) in (case.get("patch") or {}).items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture patch target {old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for rel, content in (case.get("files") or {}).items():
        path = root / rel
        if content is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    for rel, hexdata in (case.get("bytes") or {}).items():
        (root / rel).write_bytes(bytes.fromhex(hexdata))


def located(problems) -> list[str]:  # type: ignore[no-untyped-def]
    """Problems as a corpus states them: ``path:line: message`` (hints apart), in reporting order."""
    return [f"{p.path}:{p.line}: {p.message}" for p in problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def core_session_2(extra: str) -> str:
    """Session 2 of the minimal fixture with ``extra`` added to a section."""
    text = (ROOTS / "minimal" / "manual" / "sessions" / "session-02.md").read_text(encoding="utf-8")
    return text.replace("Notice what happens.", f"Notice what happens.\n\n{extra}")


# --- throwaway git repositories -------------------------------------------------------------------

def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                            env={**os.environ, **GIT_ENV})
    return result.stdout.strip()


def teen_repo(tmp_path: Path) -> Path:
    """The teen fixture project in a git repository, its first commit tagged core/v1.0.0 and teen/v1.0.0."""
    root = with_teen(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first release")
    git(root, "tag", "core/v1.0.0")
    git(root, "tag", "teen/v1.0.0")
    return root


# --- the real project -----------------------------------------------------------------------------

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
