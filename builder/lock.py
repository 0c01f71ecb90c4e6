"""One build at a time per project: a lock that names its holder and never outlives it.

The lock is ``flock`` on ``_build/.lock``; the file says who holds it (pid, the process's start
time, and since when). A build that finds the lock held checks that holder: if that process is gone
(killed with SIGKILL, say) the lock is taken over at once, even when a stray child of the dead build
still holds the old file open; if it is alive, the waiting build says who holds it and since when.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

POLL_SECONDS = 0.5


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, Linux), None if unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def is_alive(pid: int, start: str | None) -> bool:
    """Is process ``pid`` the same process that wrote the lock (not a new one with a reused pid)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = process_start(pid)
    return start is None or now is None or now == start


@dataclass(frozen=True)
class Holder:
    pid: int
    start: str | None
    since: float  #: seconds since the epoch

    def line(self) -> str:
        return f"pid {self.pid} start {self.start or '-'} since {self.since:.0f}"

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        parts = text.split()
        try:
            return cls(int(parts[1]), None if parts[3] == "-" else parts[3], float(parts[5]))
        except (IndexError, ValueError):
            return None

    def describe(self) -> str:
        minutes = max(0.0, time.time() - self.since) / 60
        return f"pid {self.pid}, since {time.strftime('%H:%M:%S', time.localtime(self.since))}, {minutes:.0f} min ago"


def _read_holder(handle: IO[str]) -> Holder | None:
    handle.seek(0)
    return Holder.parse(handle.read().strip())


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _acquire(path: Path, say: Callable[[str], None], timeout: float) -> IO[str]:
    deadline, told = time.monotonic() + timeout, False
    while True:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until the build ends
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            handle.close()
            if holder is not None and not is_alive(holder.pid, holder.start):
                say(f"the build that held the lock (pid {holder.pid}) is gone; going ahead")
                path.unlink(missing_ok=True)  # a stray child of it may still hold the old file
                continue
            if not told:
                say(f"another build is running ({holder.describe() if holder else 'another process'}); "
                    "waiting for it to finish…")
                told = True
            if time.monotonic() > deadline:
                raise TimeoutError(f"the other build ({holder.describe() if holder else '?'}) did not finish") from None
            time.sleep(POLL_SECONDS)
            continue
        if _same_file(handle, path):
            return handle
        handle.close()  # the file was replaced while we locked it: try again


@contextmanager
def build_lock(folder: Path, say: Callable[[str], None], timeout: float = 3600) -> Iterator[None]:
    """Hold ``folder/.lock``; if another live build holds it, say who and since when, and wait."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    handle = _acquire(path, say, timeout)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(Holder(os.getpid(), process_start(os.getpid()), time.time()).line())
        handle.flush()
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def remove_own_temporaries(*folders: Path) -> None:
    """Delete temporary files this process left (``.<name>.tmp<pid>``, ``.<name>.new-<pid>``)."""
    pid = str(os.getpid())
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob(f"*{pid}"):
            if path.name.startswith(".") and (path.name.endswith(f".tmp{pid}") or path.name.endswith(f"-{pid}")):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
