"""The real site, built once per test session in the background while the other tests run.

Its cold build (every PDF of six manuals) is most of the suite's CPU time. Started as soon as a test
session that needs it begins, it overlaps every test that does not need it; the tests that read it
run last (conftest.py orders them), so no worker sits waiting while others have work.

``python -m tests.realsite ROOT OUTCOME PARENT`` builds ROOT, then writes OUTCOME: ``ok``, or what went
wrong. It stops the build if PARENT (the pytest worker that started it) is gone, so an interrupted
test run leaves nothing running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

#: Longer than any cold build of the real site on a small machine.
TIMEOUT_S = 1800


class Background:
    """The build, started in the background; :meth:`end` when the test session ends."""

    def __init__(self, root: Path, outcome: Path) -> None:
        self.log = outcome.with_suffix(".log").open("w", encoding="utf-8")
        command = [sys.executable, "-m", "tests.realsite", str(root), str(outcome), str(os.getpid())]
        # a process group of its own: the build and its print workers end with it
        self.proc = subprocess.Popen(command, cwd=Path(__file__).parent.parent, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def end(self, stop: bool) -> None:
        """Wait for the build (a test on another worker may still be reading it), or ``stop`` it."""
        if stop and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait()
        self.log.close()


def wait(outcome: Path, timeout: float = TIMEOUT_S) -> str:
    """What the build said (``ok`` when it built), once it has ended."""
    deadline = time.monotonic() + timeout
    while not outcome.exists():
        if time.monotonic() > deadline:
            return f"the build of the real site did not end in {timeout:.0f} s"
        time.sleep(0.5)
    return outcome.read_text(encoding="utf-8")


def build(root: Path, parent: int, errors: Path) -> str:
    with errors.open("w+", encoding="utf-8") as said:
        proc = subprocess.Popen([sys.executable, "-m", "builder.cli", "build", "--project", str(root)],
                                stdout=subprocess.DEVNULL, stderr=said)
        deadline = time.monotonic() + TIMEOUT_S
        while proc.poll() is None:
            if os.getppid() != parent or time.monotonic() > deadline:
                proc.terminate()
                proc.wait()
                return "the build of the real site was stopped (its test run ended, or it took 30 minutes)"
            time.sleep(0.5)
        said.seek(0)
        return "ok" if proc.returncode == 0 else f"exit {proc.returncode}:\n{said.read()[-20_000:]}"


def main() -> None:
    root, outcome, parent = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    said = build(root, parent, outcome.with_suffix(".stderr"))
    partial = outcome.with_suffix(".part")
    partial.write_text(said, encoding="utf-8")
    partial.replace(outcome)  # whole, or not there: a waiting test never reads half of it


if __name__ == "__main__":
    main()
