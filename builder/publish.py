"""Building the site into a staging folder and publishing it only on success.

The staging folder keeps Sphinx's doctrees and output between runs so builds
stay incremental; the published folder is replaced by renames, so readers and
deploy scripts never see a half-written site.  File times are preserved, so a
page Sphinx did not rewrite keeps its time in the published site too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def clean_leftovers(target: Path) -> None:
    """Remove temporary folders left by an interrupted publish."""
    for leftover in target.parent.glob(f".{target.name}.*-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def publish(staging: Path, target: Path) -> None:
    """Copy ``staging`` next to ``target`` and swap it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    fresh = target.with_name(f".{target.name}.new-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.copytree(staging, fresh)
    if target.exists():
        os.rename(target, old)
    os.rename(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
