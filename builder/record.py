"""Records of what the last build made from its inputs, so that a build whose inputs are unchanged can
skip the step: the generated pages (sphinx_ext/main.py) and the printing (printing/record.py).

A record holds a key over everything the step reads, what the step wants back, and the size and time
of every file it wrote. It holds only while the key is the same and every one of those files is as the
step left it; any difference, and the step runs as usual (and writes a new record when it ends well).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .generate import write_if_changed


def inputs_digest(parts: Iterable[str], folders: Iterable[Path]) -> str:
    """A key over ``parts`` (text naming inputs) and the names and bytes of every file in ``folders``."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def stamp(path: Path) -> list[int] | None:
    """(size, modification time) of ``path``; None when it does not exist."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


@dataclass(frozen=True)
class Record:
    key: str
    data: Any  #: what the step wants back (JSON)
    stamps: dict[str, list[int]]

    def still_true(self, key: str) -> bool:
        """Whether ``key`` is this record's and every file is still as the step left it."""
        return key == self.key and all(stamp(Path(path)) == value for path, value in self.stamps.items())


def read_record(path: Path) -> Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Record(str(data["key"]), data["data"], dict(data["stamps"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(path: Path, key: str, data: Any, files: Iterable[Path]) -> None:
    """Record ``data`` under ``key``, with the stamps of ``files`` (no record if one is already gone)."""
    stamps = {os.fspath(file): stamp(file) for file in files}
    if None in stamps.values():
        path.unlink(missing_ok=True)
        return
    write_if_changed(path, json.dumps({"key": key, "data": data, "stamps": stamps}, sort_keys=True))


def forget_record(path: Path) -> None:
    path.unlink(missing_ok=True)
