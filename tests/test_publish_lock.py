"""Killed builds and publishes: the lock never outlives its build, and _build/html always holds a site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from builder.lock import build_lock
from builder.publish import publish, recover

from .conftest import REPO, run_cli


def make_site(folder: Path, text: str) -> Path:
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(text, encoding="utf-8")
    (folder / "sub" / "page.html").write_text("page", encoding="utf-8")
    return folder


def read_site(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*") if p.is_file()}


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.fast
def test_publish_switches_and_writes_only_what_changed(tmp_path: Path) -> None:
    staging, target = make_site(tmp_path / "staging", "one"), tmp_path / "_build" / "html"
    assert publish(staging, target) == 2
    assert read_site(target) == {"index.html": "one", "sub/page.html": "page"}
    (staging / "index.html").write_text("two", encoding="utf-8")
    (staging / "sub" / "page.html").unlink()
    publish(staging, target)
    assert read_site(target) == {"index.html": "two"}
    assert publish(staging, target) == 1  # the spare slot still had the first site's index
    assert publish(staging, target) == 0  # nothing changed: nothing written
    assert target.is_symlink()


@pytest.mark.fast
def test_an_older_real_folder_is_adopted(tmp_path: Path) -> None:
    target = make_site(tmp_path / "_build" / "html", "old")
    publish(make_site(tmp_path / "staging", "new"), target)
    assert target.is_symlink() and read_site(target)["index.html"] == "new"


@pytest.mark.fast
@pytest.mark.parametrize("moment", ["_switch", "sync"])
def test_sigkill_between_the_publish_steps_leaves_the_old_site(tmp_path: Path, moment: str) -> None:
    staging, target = make_site(tmp_path / "staging", "old"), tmp_path / "_build" / "html"
    publish(staging, target)
    (staging / "index.html").write_text("new", encoding="utf-8")
    killed = run_python(f"""
        import os, signal
        from pathlib import Path
        import builder.publish as p
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        setattr(p, {moment!r}, die)
        p.publish(Path({str(staging)!r}), Path({str(target)!r}))
    """)
    assert killed.returncode == -signal.SIGKILL
    assert read_site(target)["index.html"] == "old"
    publish(staging, target)
    assert read_site(target)["index.html"] == "new"


@pytest.mark.fast
def test_sigkill_while_adopting_an_older_folder_is_recovered(tmp_path: Path) -> None:
    target = make_site(tmp_path / "_build" / "html", "old")
    killed = run_python(f"""
        import os, signal
        from pathlib import Path
        import builder.publish as p
        p._switch = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        p.publish(Path({str(tmp_path / "nothing")!r}), Path({str(target)!r}))
    """)
    assert killed.returncode == -signal.SIGKILL
    assert not target.exists()  # killed in the one gap there is: between rename and link
    recover(target)
    assert read_site(target)["index.html"] == "old"


def hold_lock(folder: Path, pid_in_file: int | None = None) -> subprocess.Popen[str]:
    """Another process holding the build lock (claiming to be ``pid_in_file`` when given)."""
    code = f"""
        import os, sys, time
        from pathlib import Path
        from builder.lock import build_lock, Holder
        with build_lock(Path({str(folder)!r}), print):
            if {pid_in_file!r} is not None:
                Path({str(folder / ".lock")!r}).write_text(Holder({pid_in_file!r}, None, time.time()).line())
            print("held", flush=True)
            time.sleep(60)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.mark.fast
def test_a_waiting_build_says_who_holds_the_lock_and_since_when(tmp_path: Path) -> None:
    holder = hold_lock(tmp_path)
    said: list[str] = []
    try:
        with pytest.raises(TimeoutError), build_lock(tmp_path, said.append, timeout=1):
            pass
    finally:
        stop(holder)
    assert len(said) == 1
    assert said[0].startswith(f"another build is running (pid {holder.pid}, since ")
    assert "min ago" in said[0]


@pytest.mark.fast
def test_a_lock_whose_holder_is_dead_is_taken_over_at_once(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    # a stray process still has the lock file locked, but the build named in it is gone
    stray = hold_lock(tmp_path, pid_in_file=int(dead.stdout))
    said: list[str] = []
    try:
        with build_lock(tmp_path, said.append, timeout=5):
            pass
    finally:
        stop(stray)
    assert said == [f"the build that held the lock (pid {int(dead.stdout)}) is gone; going ahead"]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left


def test_sigkill_while_printing_does_not_block_the_next_build(minimal: Path, tmp_path: Path) -> None:
    env = {**os.environ, "IPT_PRINT_CACHE": str(tmp_path / "empty-cache")}  # cold: the workers must print
    proc = subprocess.Popen([sys.executable, "-m", "builder.cli", "build", "--project", str(minimal)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "ipt: printing" in line:
            break
    deadline = time.monotonic() + 30
    while not (workers := children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers, "no print worker started"
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    deadline = time.monotonic() + 10
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(running, workers)), "print workers outlived their build"
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    assert "another build is running" not in result.stderr
    assert (minimal / "_build" / "html" / "core" / "sessions" / "session-02.html").is_file()
