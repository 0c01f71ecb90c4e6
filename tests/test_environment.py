"""Problems with the computer, git history and ids (issue 10, item 7): plain messages naming the path or
tag, the right exit code, never "internal error"."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError

from builder.environment import describe, environment_error

from .conftest import copy_project, run_cli
from .helpers import edit, git


def _committed(tmp_path: Path) -> Path:
    root = copy_project("minimal", tmp_path)
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("_build/\n_site/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    return root


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` cannot be written to, even by root (an immutable folder) where chmod is not enough."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_read_only_build_folder_is_a_plain_error(minimal: Path) -> None:
    build = minimal / "_build"
    build.mkdir()
    with read_only(build):
        result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 2, result.stderr
    assert f"ipt-manual: cannot use {build}/" in result.stderr
    assert "(check the folder's permissions)" in result.stderr or "read-only" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_diff_into_a_missing_folder_is_a_plain_error(tmp_path: Path) -> None:
    root = _committed(tmp_path)
    target = tmp_path / "missing" / "changes.md"
    result = run_cli("diff", "HEAD", "--project", str(root), "-o", str(target))
    assert result.returncode == 2, result.stderr
    assert (f"ipt-manual: cannot use {target}: No such file or directory (the folder does not exist; create it "
            "first or choose another path)") in result.stderr


def test_a_full_disk_is_named_even_when_sphinx_wraps_it() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/srv/site/_build/.staging/html/x.pdf")
    wrapped = ExtensionError("Handler <function print_worksheets> threw an exception", orig_exc=full)
    assert environment_error(wrapped) is full
    assert describe(full) == ("cannot use /srv/site/_build/.staging/html/x.pdf: No space left on device "
                              "(the disk is full; free some space and build again)")
    assert environment_error(ValueError("a bug")) is None


@pytest.mark.parametrize("command", ["diff", "check-version"])
def test_a_symbolic_link_in_a_refs_tree_is_refused_with_a_message(tmp_path: Path, command: str) -> None:
    root = _committed(tmp_path)
    (root / "manual" / "worksheets" / "leak.yaml").symlink_to("/etc/hostname")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "link")
    (root / "manual" / "worksheets" / "leak.yaml").unlink()
    result = run_cli(command, "HEAD", "--project", str(root))
    assert result.returncode == 2, result.stderr
    assert "manual/worksheets/leak.yaml at " in result.stderr and "is a symbolic link" in result.stderr
    assert "internal error" not in result.stderr


def test_shallow_clone_gets_the_right_advice(tmp_path: Path) -> None:
    origin = _committed(tmp_path / "origin")
    git(origin, "checkout", "-q", "-b", "feature")
    edit(origin / "manual" / "pages" / "overview.md", "A fixture.", "A fixture, changed.")
    git(origin, "commit", "-qam", "feature")
    git(origin, "checkout", "-q", "main")
    edit(origin / "manual" / "pages" / "overview.md", "A fixture.", "A fixture, on main.")
    git(origin, "commit", "-qam", "main moves on")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{origin}", str(clone)],
                   check=True)
    git(clone, "checkout", "-q", "feature")
    result = run_cli("diff", "origin/main", "--project", str(clone))
    assert result.returncode == 2, result.stderr
    assert "this is a shallow clone" in result.stderr and "git fetch --unshallow" in result.stderr
    assert "--no-merge-base" not in result.stderr


@pytest.mark.parametrize("name", ["core", "matrix"])
def test_new_adaptation_refuses_reserved_ids(minimal: Path, name: str) -> None:
    result = run_cli("new-adaptation", name, "--project", str(minimal))
    assert result.returncode == 2, result.stderr
    assert f"'{name}' is reserved or already a manual's id" in result.stderr
    assert not (minimal / "adaptations" / name).exists()
