"""Shared fixtures: fixture projects copied to a temp dir, and built sites."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
REPO = TESTS.parent


def copy_project(name: str, dest: Path) -> Path:
    """Copy ``tests/roots/<name>`` (or the real repository for ``"real"``) into ``dest``."""
    target = dest / name
    if name == "real":
        target.mkdir(parents=True)
        for item in ("manual", "adaptations", "_templates", "docs", "conf.py"):
            src = REPO / item
            if src.is_dir():
                shutil.copytree(src, target / item)
            elif src.is_file():
                shutil.copy2(src, target / item)
        return target
    shutil.copytree(ROOTS / name, target, ignore=shutil.ignore_patterns("_build", "_site"))
    return target


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``ipt-manual`` command in a subprocess."""
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return copy_project("minimal", tmp_path)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content, built once per test session with warnings as errors."""
    root = copy_project("real", tmp_path_factory.mktemp("real"))
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    return root / "_build" / "html"


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
