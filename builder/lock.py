"""One build at a time per project: a lock file that tells a second build what is happening."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def build_lock(folder: Path, say: Callable[[str], None], timeout: float = 3600) -> Iterator[None]:
    """Hold ``folder/.lock``; if another build holds it, say so and wait for it to finish."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            say(f"another build is running ({holder}); waiting for it to finish…")
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the other build ({holder}) did not finish") from None
                    time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_own_temporaries(*folders: Path) -> None:
    """Delete temporary files this process left (``.<name>.tmp<pid>``, ``.<name>.new-<pid>``)."""
    pid = str(os.getpid())
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob(f"*{pid}"):
            if path.name.startswith(".") and (path.name.endswith(f".tmp{pid}") or path.name.endswith(f"-{pid}")):
                if path.is_dir():
                    import shutil

                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
