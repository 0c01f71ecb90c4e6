"""Reading a project's sources at a git ref, without touching the working tree or the index."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path


class GitError(Exception):
    """A git ref or repository problem, reported as one line."""


def git(root: Path, *args: str, binary: bool = False) -> str | bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=120)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return result.stdout if binary else result.stdout.decode("utf-8", "replace").strip()


def resolve(root: Path, ref: str) -> str:
    """The commit a ref names; a clear error for an unknown ref."""
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git ref")
    try:
        return str(git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"))
    except GitError:
        raise GitError(f"unknown git ref '{ref}'") from None


def is_branch(root: Path, ref: str) -> bool:
    for prefix in ("refs/heads/", "refs/remotes/"):
        try:
            git(root, "show-ref", "--verify", "--quiet", f"{prefix}{ref}")
            return True
        except GitError:
            continue
    return False


def merge_base(root: Path, a: str, b: str) -> str:
    try:
        return str(git(root, "merge-base", a, b))
    except GitError:
        raise GitError(f"'{a}' and '{b}' have no common ancestor") from None


def is_shallow(root: Path) -> bool:
    """Whether the repository is a shallow clone (its history cut short, as CI checkouts often are)."""
    try:
        return str(git(root, "rev-parse", "--is-shallow-repository")) == "true"
    except GitError:
        return False


def tree_id(root: Path, commit: str, path: str) -> str | None:
    try:
        return str(git(root, "rev-parse", "--verify", "--quiet", f"{commit}:{path}"))
    except GitError:
        return None


def export(root: Path, commit: str, dest: Path, folders: tuple[str, ...]) -> Path:
    """Write the protocol sources of ``commit`` (``folders``: :attr:`LoadOptions.source_folders`) into
    ``dest`` (a fresh folder)."""
    paths = [p for p in folders if tree_id(root, commit, p)]
    if "manual" not in paths:
        raise GitError(f"{commit[:12]} has no manual sources (no manual/ folder)")
    data = git(root, "archive", "--format=tar", commit, *paths, binary=True)
    assert isinstance(data, bytes)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        links = [m.name for m in archive.getmembers() if m.issym() or m.islnk()]
        if links:  # a link may lead out of the export (or the project); history is read as plain files only
            raise GitError(f"{links[0]} at {commit[:12]} is a symbolic link; links are not read from git "
                           "history (commit the file itself instead of a link to it)")
        try:
            archive.extractall(dest, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise GitError(f"cannot read the sources at {commit[:12]}: {exc}") from exc
    return dest


def release_tags(root: Path) -> list[str]:
    out = str(git(root, "tag", "--list"))
    return [t for t in out.splitlines() if t.strip()]
