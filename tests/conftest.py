"""Shared fixtures: fixture projects copied to a temp dir, and built sites.

Building is what makes the suite slow, so builds are shared:

- one print cache (content-keyed, so sharing is safe) for every build of the session, across xdist
  workers: ``IPT_PRINT_CACHE`` points every build there;
- the real site is built once per session, in the background from the session's start (tests/realsite.py),
  and the tests that read it run last;
- ``built_minimal`` is the fixture project built once per worker, for tests that only read it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from builder.project import copy_parts
from builder.sphinx_ext.main import PRINT_CACHE_ENV

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
REPO = TESTS.parent


def copy_project(name: str, dest: Path) -> Path:
    """Copy ``tests/roots/<name>`` (or the real repository for ``"real"``) into ``dest``."""
    target = dest / name
    if name == "real":
        return copy_parts(REPO, target)
    shutil.copytree(ROOTS / name, target, ignore=shutil.ignore_patterns("_build", "_site"))
    return target


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run the real ``ipt-manual`` command in a subprocess (``env``: extra environment variables)."""
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def session_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every xdist worker of this test session (the session's own folder without xdist)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    """With ``IPT_TEST_CPU=<file>``, append each test's CPU seconds (its process and the builds it waited
    for, fixtures included) to ``<file>``: unlike wall time, CPU time holds on a busy machine, so it shows
    where CI time goes."""
    report = os.environ.get("IPT_TEST_CPU")
    if not report:
        return (yield)
    import resource
    import time

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    start, wall = cpu(), time.monotonic()
    try:
        return (yield)
    finally:
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{cpu() - start:.2f}\t{time.monotonic() - wall:.2f}\t{item.nodeid}\n")


@pytest.fixture(scope="session", autouse=True)
def shared_print_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One print cache for every build of the session (tests of cold printing pass their own)."""
    cache = session_folder(tmp_path_factory) / "print-cache"
    old = os.environ.get(PRINT_CACHE_ENV)
    os.environ[PRINT_CACHE_ENV] = str(cache)
    yield cache
    if old is None:
        os.environ.pop(PRINT_CACHE_ENV, None)
    else:
        os.environ[PRINT_CACHE_ENV] = old


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return copy_project("minimal", tmp_path)


@pytest.fixture(scope="session")
def built_minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project built once per worker; for tests that only read its site (do not edit it)."""
    root = copy_project("minimal", tmp_path_factory.mktemp("built-minimal"))
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    return root


def needs_real_site(item: pytest.Item) -> bool:
    return "real_site" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read the real site run last: its build starts with the session, in the background
    (see :func:`real_site_build`), and every worker runs the other tests meanwhile."""
    items[:] = [item for item in items if not needs_real_site(item)] + [item for item in items
                                                                          if needs_real_site(item)]


@pytest.fixture(scope="session", autouse=True)
def real_site_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    shared_print_cache: Path) -> Iterator[Path | None]:
    """Start the real site's build in the background when the session has a test that reads it (once per
    test session, whichever xdist worker comes first); the outcome file it writes when it ends."""
    if os.environ.get("IPT_TEST_REAL_SITE") or not any(needs_real_site(i) for i in request.session.items):
        yield None
        return
    from . import realsite

    shared = session_folder(tmp_path_factory)
    started = None
    with file_lock(shared / "real-site.lock"):
        if not (shared / "real-site").exists():
            started = realsite.Background(copy_project("real", shared / "real-site"), shared / "real-site.outcome")
    yield shared / "real-site.outcome"
    if started is not None:
        started.end(stop=bool(request.session.shouldfail or request.session.shouldstop))


@pytest.fixture(scope="session")
def real_site(real_site_build: Path | None) -> Path:
    """The real content, built once per test session (shared by all xdist workers) with warnings as errors.

    ``IPT_TEST_REAL_SITE=<folder>`` uses a site already built from this commit (for re-running the site tests
    while working; CI never sets it)."""
    if real_site_build is None:
        return Path(os.environ["IPT_TEST_REAL_SITE"])
    from . import realsite

    said = realsite.wait(real_site_build)
    assert said == "ok", said  # every test that needs it fails at once, with the build's own words
    return real_site_build.parent / "real-site" / "real" / "_build" / "html"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's headless Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(real_site: Path):  # type: ignore[no-untyped-def]
    """The real site served on loopback."""
    from .browser import serve

    with serve(real_site) as url:
        yield url


#: Example clinic settings as shipped in the real conf.py: a site built with them is a draft.
EXAMPLE_SETTINGS = '''
ipt_contact_line = "Example Clinic IPT service (replace in conf.py)"
ipt_referral_pathways = [{"name": "Urgent assessment", "details": "replace with your local crisis team referral route"}]
'''


def two_manual_project(dest: Path, settings: str = "") -> Path:
    """The minimal core plus the fixture 'teen' adaptation, with extra conf.py ``settings``."""
    root = copy_project("minimal", dest)
    shutil.copytree(TESTS / "fixtures" / "overlays" / "teen", root / "adaptations" / "teen")
    if settings:
        conf = root / "conf.py"
        conf.write_text(conf.read_text(encoding="utf-8") + settings, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def draft_site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Core + teen, built with the example clinic settings, served on loopback: (root, url, build output)."""
    from .browser import serve

    root = two_manual_project(tmp_path_factory.mktemp("draft"), EXAMPLE_SETTINGS)
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    with serve(root / "_build" / "html") as url:
        yield root, url, result.stderr
