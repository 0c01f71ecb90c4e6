"""Writing generated pages to disk, touching only files whose content changed.

Sphinx decides what to re-read by file modification times, so leaving an
unchanged page alone is what keeps incremental builds incremental.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write ``content`` to ``path`` atomically unless the file already holds exactly it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def files_in(folder: Path, keep: tuple[str, ...] = ()) -> set[str]:
    """The files under ``folder`` (relative, POSIX), leaving out the sub-folders named in ``keep``."""
    found = set()
    for path in folder.rglob("*") if folder.is_dir() else []:
        rel = path.relative_to(folder)
        if rel.parts[0] not in keep and path.is_file():
            found.add(rel.as_posix())
    return found


def sync_tree(folder: Path, pages: dict[str, str], keep: tuple[str, ...] = ()) -> WriteReport:
    """Make ``folder`` hold exactly ``pages``: write changed files, delete stale ones.

    Files under the sub-folders named in ``keep`` are managed elsewhere and left alone.
    """
    report = WriteReport()
    folder.mkdir(parents=True, exist_ok=True)
    for rel in sorted(pages):
        if write_if_changed(folder / rel, pages[rel]):
            report.written.append(rel)
        else:
            report.unchanged.append(rel)
    wanted = {Path(rel) for rel in pages}
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(folder)
        if rel.parts and rel.parts[0] in keep:
            continue
        if path.is_file() and rel not in wanted:
            path.unlink()
            report.removed.append(rel.as_posix())
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return report
