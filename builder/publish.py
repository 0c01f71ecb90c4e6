"""Publishing the staged site into ``_build/html`` with one atomic switch, writing only what changed.

Sphinx builds into a staging folder that it keeps between runs (so builds stay incremental).
``_build/html`` is a symbolic link to one of two slots, ``_build/.html-a`` and ``_build/.html-b``:
publishing brings the slot *not* being served up to date with the staging folder (copying only files
whose size or time differ, deleting files the site no longer has), then swaps the link in one rename.
Readers and deploy scripts never see a half-written site, and a build killed at any point leaves
the last published site in place. File times are preserved, so an unchanged page keeps its time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SLOTS = ("a", "b")


def slot_path(target: Path, slot: str) -> Path:
    return target.with_name(f".{target.name}-{slot}")


def live_slot(target: Path) -> str | None:
    """The slot ``target`` points to, if it is a link to one."""
    if target.is_symlink():
        name = os.readlink(target)
        for slot in SLOTS:
            if name == slot_path(target, slot).name:
                return slot
    return None


def clean_leftovers(target: Path) -> None:
    """Remove temporary links and folders left by an interrupted publish."""
    for leftover in target.parent.glob(f".{target.name}.*-*"):
        if leftover.is_symlink() or leftover.is_file():
            leftover.unlink(missing_ok=True)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _switch(target: Path, slot: str) -> None:
    """Point ``target`` at ``slot`` in one rename (the link is replaced, never missing)."""
    fresh = target.with_name(f".{target.name}.link-{os.getpid()}")
    fresh.unlink(missing_ok=True)
    os.symlink(slot_path(target, slot).name, fresh)
    os.replace(fresh, target)


def _adopt_folder(target: Path) -> str:
    """A ``_build/html`` that is still a real folder (older builds) becomes slot b.

    A first publish ever writes slot a, so a slot b without a link can only be a folder adopted
    by a publish killed before it made the link: :func:`publish` restores it.
    """
    os.rename(target, slot_path(target, "b"))
    _switch(target, "b")
    return "b"


def _same(src: os.DirEntry[str], dst: Path) -> bool:
    try:
        theirs = dst.lstat()
    except FileNotFoundError:
        return False
    mine = src.stat(follow_symlinks=False)
    return theirs.st_size == mine.st_size and theirs.st_mtime_ns == mine.st_mtime_ns


def sync(src: Path, dst: Path) -> int:
    """Make ``dst`` a copy of ``src``, copying only files that differ; the number of files copied."""
    dst.mkdir(parents=True, exist_ok=True)
    copied, names = 0, set()
    for entry in os.scandir(src):
        names.add(entry.name)
        target = dst / entry.name
        if entry.is_dir(follow_symlinks=False):
            if target.is_symlink() or target.is_file():
                target.unlink()
            copied += sync(Path(entry.path), target)
        elif not _same(entry, target):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            shutil.copy2(entry.path, target, follow_symlinks=False)
            copied += 1
    for extra in os.scandir(dst):
        if extra.name not in names:
            if extra.is_dir(follow_symlinks=False):
                shutil.rmtree(extra.path)
            else:
                os.unlink(extra.path)
    return copied


def recover(target: Path) -> str | None:
    """Serve the adopted folder again if a publish was killed while adopting it; the live slot."""
    live = live_slot(target)
    if live is None and not target.is_symlink() and not target.exists() and slot_path(target, "b").is_dir():
        _switch(target, "b")
        live = "b"
    return live


def publish(staging: Path, target: Path) -> int:
    """Publish ``staging`` as ``target``; the number of files written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    live = recover(target)
    if live is None and target.is_dir() and not target.is_symlink():
        live = _adopt_folder(target)
    spare = next(slot for slot in SLOTS if slot != live)
    copied = sync(staging, slot_path(target, spare))
    _switch(target, spare)
    return copied
