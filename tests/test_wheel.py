"""The package as a release ships it: a wheel built with ``python -m build``, installed into a fresh
virtual environment outside the repository, builds a copy of a project (pages and PDFs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import REPO, copy_project

pytestmark = pytest.mark.slow

#: What the wheel is built from (a copy, so the repository gets no build/ or egg-info folders).
PACKAGE_PARTS = ("builder", "_templates", "pyproject.toml", "README.md")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600,
                            env=env or os.environ.copy())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for part in PACKAGE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, source / part, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, source / part)
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", tmp_path / "dist", source, cwd=tmp_path)
    return next((tmp_path / "dist").glob("ipt_manual-*.whl"))


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new environment holding only the wheel; the pinned dependencies come from the test
    environment's site-packages through a .pth line (added after the venv's own, and without the
    editable install of the repository, whose finder is not loaded from a plain path)."""
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    own = Path(run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                   cwd=tmp_path).stdout.strip())
    (own / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index",
        "--disable-pip-version-check", "--quiet", wheel, cwd=tmp_path)
    return venv


def test_an_installed_wheel_builds_a_project(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv = fresh_venv(tmp_path, wheel)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    where = run(venv / "bin" / "python", "-c", "import builder; print(builder.__file__)", cwd=outside, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the wheel, not the checkout
    project = copy_project("minimal", outside)
    result = run(venv / "bin" / "ipt-manual", "build", "--project", project, cwd=outside, env=env)
    assert "build succeeded" in result.stdout + result.stderr
    site = project / "_build" / "html"
    assert (site / "core" / "sessions" / "session-01.html").is_file()
    assert "Session 1" in (site / "core" / "sessions" / "session-01.html").read_text(encoding="utf-8")
    # printing needs the packaged templates and fonts
    assert len(list((site / "pdf" / "core").glob("*.pdf"))) >= 16
    assert (site / "_static" / "ipt.css").is_file()
