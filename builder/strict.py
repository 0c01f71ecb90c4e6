"""Strict on every run: a build that failed (or was stopped) makes the next one read every page again.

Sphinx re-reads only pages whose files changed, so the warnings of an unchanged page are raised once:
a strict build that failed on a broken link would publish when simply run again.  A marker
(``_build/.build-failed``) is written when a build starts and removed only when it published, so
until a build succeeds every build starts from a fresh environment and meets every warning again.
"""

from __future__ import annotations

from pathlib import Path

MARKER = ".build-failed"


def failed_before(build: Path) -> bool:
    """Whether the last build did not publish (failed, crashed or was killed)."""
    return (build / MARKER).exists()


def record_start(build: Path) -> None:
    build.mkdir(parents=True, exist_ok=True)
    (build / MARKER).write_text("a build started and has not published yet\n", encoding="utf-8")


def record_success(build: Path) -> None:
    (build / MARKER).unlink(missing_ok=True)
