"""The multi-version site: releases from git tags, caching, aliases, and the switcher in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, serve
from .conftest import copy_project, run_cli
from .helpers import edit, git


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project("minimal", tmp_path_factory.mktemp("versions"))
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("_build/\n_site/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "1.0.0")
    git(root, "tag", "core/v1.0.0")
    edit(root / "manual" / "sessions" / "session-03.md", "Tasks of meeting 3.",
         "Tasks of meeting 3, now with a short review of the week before the focus work.")
    edit(root / "manual" / "protocol.yaml", "version: 1.0.0", "version: 1.1.0")
    git(root, "commit", "-qam", "1.1.0")
    git(root, "tag", "-a", "core/v1.1.0", "-m", "Adds a weekly review to session 3.")
    git(root, "tag", "deploy-marker")  # unrelated tags are ignored
    edit(root / "manual" / "pages" / "overview.md", "A fixture.", "A fixture, being edited.")
    result = run_cli("versions", "--project", str(root))
    assert result.returncode == 0, result.stderr
    return root


def test_every_release_and_the_working_tree_are_built(released: Path) -> None:
    site = released / "_build" / "versions"
    for version in ("1.0.0", "1.1.0", "dev"):
        assert (site / "core" / version / "core" / "sessions" / "session-03.html").is_file()
    old = (site / "core" / "1.0.0" / "core" / "sessions" / "session-03.html").read_text(encoding="utf-8")
    new = (site / "core" / "1.1.0" / "core" / "sessions" / "session-03.html").read_text(encoding="utf-8")
    assert "short review of the week" not in old and "short review of the week" in new
    dev = (site / "core" / "dev" / "core" / "overview.html").read_text(encoding="utf-8")
    assert "being edited" in dev
    index = json.loads((site / "versions.json").read_text(encoding="utf-8"))
    assert index["manuals"]["core"]["latest"] == "1.1.0" and index["manuals"]["core"]["stable"] == "1.1.0"
    assert [v["version"] for v in index["manuals"]["core"]["versions"]] == ["1.0.0", "1.1.0", "dev"]
    latest = (site / "core" / "latest" / "index.html").read_text(encoding="utf-8")
    assert "url=../1.1.0/core/index.html" in latest
    assert not any(p.is_symlink() for p in site.rglob("*"))


def test_changelog_lists_each_version_with_notes_and_changes(released: Path) -> None:
    page = (released / "_build" / "versions" / "core" / "changelog.html").read_text(encoding="utf-8")
    assert page.index("<h2>development version</h2>") < page.index("<h2>1.1.0</h2>") < page.index("<h2>1.0.0</h2>")
    assert "Adds a weekly review to session 3." in page
    section = page.split("<h2>1.1.0</h2>")[1].split("<h2>")[0]
    assert "session 3: section" in section and "<ins>" in section


def test_working_tree_and_index_are_untouched(released: Path) -> None:
    assert "being edited" in (released / "manual" / "pages" / "overview.md").read_text(encoding="utf-8")
    status = git(released, "status", "--porcelain")
    assert status == "M manual/pages/overview.md"


def test_unchanged_versions_come_from_the_cache(released: Path) -> None:
    result = run_cli("versions", "--project", str(released))
    assert result.returncode == 0, result.stderr
    assert "0 version(s) built, 3 reused from the cache" in result.stderr


def test_broken_release_tags_are_skipped_and_the_others_published(tmp_path: Path) -> None:
    """A tag outside the scheme, a tag on a commit with another version, and a tag whose tree holds a
    symbolic link are each skipped with a message naming the tag and the problem (issue 10)."""
    root = copy_project("minimal", tmp_path)
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("_build/\n_site/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "x")
    git(root, "tag", "core/v1.0.0")
    git(root, "tag", "core/1.0")
    git(root, "tag", "core/v2.0.0")
    (root / "manual" / "worksheets" / "leak.yaml").symlink_to("/etc/hostname")
    edit(root / "manual" / "protocol.yaml", "version: 1.0.0", "version: 1.0.1")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "link")
    git(root, "tag", "core/v1.0.1")
    (root / "manual" / "worksheets" / "leak.yaml").unlink()
    result = run_cli("versions", "--project", str(root))
    assert result.returncode == 0, result.stderr
    assert ("skipped release tag core/1.0: it does not follow the release tag scheme <manual>/vMAJOR.MINOR.PATCH"
            in result.stderr)
    assert ("skipped release tag core/v2.0.0: it points at a commit where core is at version 1.0.0"
            in result.stderr)
    assert re.search(r"skipped release tag core/v1\.0\.1: manual/worksheets/leak\.yaml at [0-9a-f]{12} is a "
                     "symbolic link", result.stderr), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    index = json.loads((root / "_build" / "versions" / "versions.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in index["manuals"]["core"]["versions"]] == ["1.0.0", "dev"]


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed")
def test_switcher_keeps_the_reader_on_the_same_session(released: Path) -> None:
    from playwright.sync_api import sync_playwright

    site = released / "_build" / "versions"
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{url}/core/1.0.0/core/sessions/session-03.html")
        select = page.locator("#ipt-version-select")
        select.wait_for()
        banner = page.locator(".ipt-version-banner")
        assert "You are reading version 1.0.0" in banner.inner_text()
        select.select_option(label="1.1.0 (current)")
        page.wait_for_url(re.compile(r"/core/1\.1\.0/core/sessions/session-03\.html$"))
        assert "short review of the week" in page.content()
        assert page.locator(".ipt-version-banner").count() == 0
        page.locator("#ipt-version-select").select_option(value="core/dev/")
        page.wait_for_url(re.compile(r"/core/dev/core/sessions/session-03\.html$"))
        page.locator(".ipt-version-banner").wait_for()
        assert "development version" in page.locator(".ipt-version-banner").inner_text()
        browser.close()
