"""Atomic output: an interrupted or concurrent build never leaves a half-written site or temporary files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import run_cli
from .helpers import git


def start_build(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "builder.cli", "build", "--project", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def temporaries(root: Path) -> list[str]:
    found = []
    for folder in (root / "_site", root / "_build"):
        for p in folder.rglob("*"):
            if ".tmp" in p.name or ".new-" in p.name or ".old-" in p.name:
                found.append(p.relative_to(root).as_posix())
    return found


def test_interrupted_build_leaves_the_old_site_and_no_temporary_files(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    site = minimal / "_build" / "html"
    before = snapshot(site)
    session = minimal / "manual" / "sessions" / "session-02.md"
    session.write_text(session.read_text(encoding="utf-8").replace("Tasks of meeting 2.", "Changed tasks."),
                       encoding="utf-8")
    (minimal / "_build" / ".staging" / "doctrees").mkdir(parents=True, exist_ok=True)
    proc = start_build(minimal)
    lock = minimal / "_build" / ".lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and f"pid {proc.pid}" not in (lock.read_text() if lock.exists() else ""):
        time.sleep(0.05)
    time.sleep(0.8)  # partway: Sphinx is reading, printing or writing
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert snapshot(site) == before
    assert temporaries(minimal) == []
    # the next build starts again cleanly and publishes the change
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    assert "Changed tasks." in (site / "core" / "sessions" / "session-02.html").read_text(encoding="utf-8")


def test_two_builds_at_once(minimal: Path) -> None:
    first, second = start_build(minimal), start_build(minimal)
    _, err1 = first.communicate(timeout=600)
    _, err2 = second.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "another build is running" in err1 + err2
    site = minimal / "_build" / "html"
    assert (site / "catalog.json").is_file() and (site / "core" / "sessions" / "session-04.html").is_file()
    assert temporaries(minimal) == []


def test_read_only_commands_write_nothing(minimal: Path) -> None:
    git(minimal, "init", "-q", "-b", "main")
    git(minimal, "add", "-A")
    git(minimal, "commit", "-qm", "x")
    before = sorted(p.relative_to(minimal).as_posix() for p in minimal.rglob("*"))
    assert run_cli("check", "--project", str(minimal)).returncode == 0
    assert run_cli("diff", "--project", str(minimal), "HEAD").returncode == 0
    assert run_cli("check-version", "--project", str(minimal), "HEAD").returncode == 0
    after = sorted(p.relative_to(minimal).as_posix() for p in minimal.rglob("*") if "__pycache__" not in p.parts)
    assert after == [p for p in before if "__pycache__" not in p]
