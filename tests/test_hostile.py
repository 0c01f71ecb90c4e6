"""Hostile sources: every rule of docs/source-format.md ("Links and special blocks") rejects its
markup with path:line, raw HTML can be allowed knowingly, and Sphinx itself refuses raw output
and file insertion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.errors import Problems
from builder.project import LoadOptions, load_project
from builder.sections import check_markup, raw_html_policy, split_sections

from .conftest import copy_project, run_cli
from .helpers import located

OVERVIEW = "manual/pages/overview.md"
PAGE = "---\ntitle: Overview\nsummary: What the fixture manual is.\n---\n\n## About {#about}\n\n{text}\n"
LINE = 8  # the line of {text} in PAGE

# (rule, malicious text placed on line 8 of the overview page, the problem it reports[, its line]);
# ALSO: the other problems the same text reports (line: message)
BODY_CASES = [
    ("script", "<script>alert(1)</script>", "raw HTML is not allowed in protocol sources: <script> runs code"),
    ("script-upper-case", "Text <SCRIPT SRC=//evil.example/x.js></SCRIPT>", "raw HTML is not allowed in protocol "
                                                                            "sources: <script> runs code"),
    ("event-handler", '<img src="x.png" onerror="alert(1)">', "event-handler attribute 'onerror=' is not allowed in "
                                                              "protocol sources"),
    ("event-handler-svg-slash", "<svg/onload=alert(1)>", "event-handler attribute 'onload=' is not allowed in "
                                                         "protocol sources"),
    ("event-handler-via-role", '{octicon}`check;1em;x" onload="alert(1)`', "event-handler attribute 'onload=' is not "
                                                                           "allowed in protocol sources"),
    ("javascript-link", "[click me](javascript:alert(1))", "'javascript:' URLs are not allowed in protocol sources"),
    ("javascript-link-entities", "[click](jav&#x61;script&colon;alert(1))", "'javascript:' URLs are not allowed in "
                                                                            "protocol sources"),
    ("javascript-autolink", "<javascript:alert(1)>", "'javascript:' URLs are not allowed in protocol sources"),
    ("javascript-href", '<a href="  JaVa\tScRiPt:alert(1)">x</a>', "'javascript:' URLs are not allowed in protocol "
                                                                   "sources"),
    ("vbscript-link", "[x](vbscript:msgbox)", "'vbscript:' URLs are not allowed in protocol sources"),
    ("data-image", "![x](data:image/svg+xml;base64,PHN2Zz4=)", "'data:' URLs are not allowed in protocol sources"),
    ("data-link", "[x](data:text/html,<b>hi</b>)", "'data:' URLs are not allowed in protocol sources"),
    ("data-link-definition", "[ref]: data:text/html,hi", "'data:' URLs are not allowed in protocol sources"),
    ("iframe", '<iframe src="https://evil.example"></iframe>', "raw HTML is not allowed in protocol sources: "
                                                               "<iframe> is never allowed"),
    ("form", '<form action="https://evil.example"><input name=pw></form>', "raw HTML is not allowed in protocol "
                                                                           "sources: <form> is never allowed"),
    ("object", '<object data="x.swf"></object>', "raw HTML is not allowed in protocol sources: <object> runs code"),
    ("embed", '<embed src="x.swf">', "raw HTML is not allowed in protocol sources: <embed> runs code"),
    ("style", "<style>.ipt-clinic-contacts {display: none}</style>", "raw HTML is not allowed in protocol sources: "
                                                                     "<style> is never allowed"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0; url=https://evil.example">', "raw HTML is not allowed "
                                                                                          "in protocol sources: "
                                                                                          "<meta> is never allowed"),
    ("plain-raw-html", "<details><summary>More</summary>Hidden</details>", "raw HTML is not allowed in protocol "
                                                                           "sources: '<details>'"),
    ("html-comment", "<!-- hides everything after it", "raw HTML is not allowed in protocol sources: '<!-- hides "
                                                       "everything after it …'"),
    ("raw-backtick-fence", "```{raw} html\n<b>x</b>\n```", "'{raw}' is not allowed in protocol sources"),
    ("raw-colon-fence", ":::{Raw} html\n<b>x</b>\n:::", "'{raw}' is not allowed in protocol sources"),
    ("raw-role", "Text {raw}`x`.", "'{raw}' is not allowed in protocol sources"),
    ("include", "```{include} ../../../etc/passwd\n```", "'{include}' is not allowed in protocol sources"),
    ("literalinclude", ":::{literalinclude} /etc/passwd\n:::", "'{literalinclude}' is not allowed in protocol sources"),
    ("eval-rst", "```{eval-rst}\n.. raw:: html\n```", "'{eval-rst}' is not allowed in protocol sources"),
    ("file-option", "```{csv-table}\n:file: /etc/passwd\n```", "directive options that read a file or an address "
                                                               "(:file:, :url:) are not allowed", LINE + 1),
    ("substitution", "{{ env.app.config }}", "MyST substitutions '{{ ... }}' are not allowed in protocol sources"),
    ("image-dotdot", "![secret](../../../../etc/secret.png)", "image '../../../../etc/secret.png' leaves the "
                                                              "repository ('..')"),
    ("image-dotdot-encoded", "![secret](%2e%2e/%2e%2e/x.png)", "image '%2e%2e/%2e%2e/x.png' leaves the repository "
                                                               "('..')"),
    ("image-absolute", "![host](/etc/hostname)", "image '/etc/hostname' is an absolute path"),
    ("image-windows-absolute", "![x](C:\\Users\\x.png)", "image 'C:\\Users\\x.png' is an absolute path"),
    ("image-remote", "![pixel](https://tracker.example/p.png)", "image 'https://tracker.example/p.png' is not in "
                                                                 "the repository"),
    ("image-directive", "```{image} ../../x.png\n```", "image '../../x.png' leaves the repository ('..')"),
    ("figure-directive", ":::{figure} /srv/x.png\n:::", "image '/srv/x.png' is an absolute path"),
    ("link-dotdot", "[notes](../../../home/me/notes.txt)", "link target '../../../home/me/notes.txt' leaves the "
                                                           "repository ('..')"),
    ("link-file-url", "[x](file:///etc/passwd)", "link target 'file:///etc/passwd' is a file: URL (a file on the "
                                                 "computer that builds the site)"),
    ("download-role", "{download}`the key <../../../.ssh/id_rsa>`", "link target '../../../.ssh/id_rsa' leaves the "
                                                                    "repository ('..')"),
    # directive options in MyST's YAML block form (and quoted in the line form) are read as MyST reads them
    ("card-yaml-img-top", ":::{card} T\n---\nimg-top: ../../../../../../etc/hostname\n---\nx\n:::",
     "image '../../../../../../etc/hostname' leaves the repository ('..')", LINE + 2),
    ("card-yaml-img-background", ":::{card} T\n---\nimg-background: \"/proc/self/environ\"\n---\nx\n:::",
     "image '/proc/self/environ' is an absolute path", LINE + 2),
    ("card-yaml-img-bottom-remote", ":::{card} T\n---\nimg-bottom: https://tracker.example/p.png\n---\n:::",
     "image 'https://tracker.example/p.png' is not in the repository", LINE + 2),
    ("card-yaml-data-url", ":::{card} T\n---\nimg-top: data:image/svg+xml;base64,PHN2Zz4=\n---\n:::",
     "'data:' URLs are not allowed in protocol sources", LINE + 2),
    ("card-yaml-escaped-path", ":::{card} T\n---\nimg-top: \"\\x2fetc/hostname\"\n---\n:::",
     "image '/etc/hostname' is an absolute path", LINE + 2),
    ("card-yaml-link-javascript", ":::{card} T\n---\nlink: javascript:alert(1)\n---\n:::",
     "'javascript:' URLs are not allowed in protocol sources", LINE + 2),
    ("card-line-quoted-absolute", ":::{card} T\n:img-top: \"/etc/passwd\"\n:::",
     "image '/etc/passwd' is an absolute path", LINE + 1),
    ("figure-yaml-file-option", "```{csv-table}\n---\nfile: /etc/passwd\n---\n```",
     "directive options that read a file or an address (:file:, :url:) are not allowed", LINE + 2),
    ("article-info-avatar", "::::{article-info}\n:avatar: /etc/hostname\n::::",
     "image '/etc/hostname' is an absolute path", LINE + 1),
]


RAW = "raw HTML is not allowed in protocol sources: "
ALSO = {
    "event-handler": [(LINE, RAW + "'<img src=\"x.png\" onerror=\"alert(1)\">'")],
    "event-handler-svg-slash": [(LINE, RAW + "'<svg/onload=alert(1)>'")],
    "javascript-href": [(LINE, RAW + "'<a href=\" JaVa ScRiPt:alert(1)\">'")],
    "data-link": [(LINE, RAW + "'<b>'")],
    "raw-backtick-fence": [(LINE + 1, RAW + "'<b>'")],
    "raw-colon-fence": [(LINE + 1, RAW + "'<b>'")],
}


@pytest.mark.parametrize("case", BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_hostile_body_is_rejected_with_path_and_line(minimal: Path, case: tuple) -> None:
    rule, text, expected, line = (*case, LINE) if len(case) == 3 else case
    (minimal / OVERVIEW).write_text(PAGE.replace("{text}", text), encoding="utf-8")
    problems = list(load_project(minimal).problems)
    stated = [(line, expected), *ALSO.get(rule, [])]
    assert located(problems) == sorted(f"{OVERVIEW}:{n}: {message}" for n, message in stated)
    assert all(p.hint for p in problems if p.line == line)


# hostile text in YAML values: the templates place titles, goals, labels and notes into pages
YAML_CASES = [
    ("session-title", "manual/sessions/session-01.md", "title: Fixture meeting 1",
     'title: "Start <img src=x onerror=alert(1)>"', 3, "event-handler attribute 'onerror=' is not allowed in "
                                                       "protocol sources"),
    ("session-goal", "manual/sessions/session-01.md", "  - Goal of meeting 1.",
     "  - \"Goal [x](javascript:alert(1))\"", 5, "'javascript:' URLs are not allowed in protocol sources"),
    ("manifest-title", "manual/protocol.yaml", "title: Fixture core manual",
     "title: Fixture <script>alert(1)</script>", 2, "raw HTML is not allowed in protocol sources: <script> runs code"),
    ("worksheet-label-block", "manual/worksheets/inventory.yaml", "for_client: ",
     "for_client: |\n  Fill it in.\n  {{ lipsum.__globals__ }}\nx_for_client: ", 6, "MyST substitutions '{{ ... }}' "
                                                                                    "are not allowed in protocol "
                                                                                    "sources"),
]


@pytest.mark.parametrize(("case", "rel", "old", "new", "line", "expected"), YAML_CASES,
                         ids=[c[0] for c in YAML_CASES])
def test_hostile_yaml_value_is_rejected_with_path_and_line(minimal: Path, case: str, rel: str, old: str,
                                                           new: str, line: int, expected: str) -> None:
    path = minimal / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    also = {"session-title": [(3, "raw HTML is not allowed in protocol sources: '<img src=x onerror=alert(1)>'")],
            "worksheet-label-block": [(7, "worksheet: unknown field 'x_for_client'")]}.get(case, [])
    stated = [(line, expected), *also]
    assert located(load_project(minimal).problems) == sorted(f"{rel}:{n}: {message}" for n, message in stated)


def test_hostile_section_heading_is_rejected(tmp_path: Path) -> None:
    problems = Problems()
    split_sections("## Tasks <img src=x onerror=alert(1)> {#tasks}\n\nText.\n", 7, tmp_path / "a.md", problems)
    assert [p.format().split("\n")[0] for p in problems][:1] == [
        f"{(tmp_path / 'a.md').as_posix()}:7: event-handler attribute 'onerror=' is not allowed in protocol sources"]


SAFE_TEXT = """\
See {technique}`role play <clarification>` and [the IPT institute](https://example.org/ipt?a=1&b=2).
The `<b>` tag is not needed: write **bold**. Scores below 5 (x < 5 > 3) are low; onset = 2 weeks.
Collect data: mood and sleep. Escaped text &lt;script&gt; stays text.

:::{note}
Links to [another page](overview.md) and an image path ![chart](images/chart.png) stay inside.
:::"""


def test_safe_text_passes(tmp_path: Path) -> None:
    problems = Problems()
    check_markup(SAFE_TEXT, 1, tmp_path / "a.md", problems)
    assert [p.format() for p in problems] == []


@pytest.mark.parametrize("text", ["<details><summary>More</summary>Text</details>", '<div class="x">y</div>',
                                  "<!-- a note for authors -->", "Press <kbd>Enter</kbd>."])
def test_raw_html_can_be_allowed_knowingly(tmp_path: Path, text: str) -> None:
    strict, allowed = Problems(), Problems()
    check_markup(text, 1, tmp_path / "a.md", strict)
    with raw_html_policy(True):
        check_markup(text, 1, tmp_path / "a.md", allowed)
    assert next(p.message for p in strict).startswith("raw HTML is not allowed")
    assert [p.format() for p in allowed] == []


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '<div onclick="alert(1)">x</div>',
                                  '<a href="javascript:alert(1)">x</a>', '<img src="data:image/png;base64,AA">',
                                  '<iframe src="https://x.example"></iframe>', "<form></form>", "<object></object>",
                                  "<embed src=x>", "```{raw} html\n<b>x</b>\n```", "```{include} x.md\n```"])
def test_dangerous_markup_stays_refused_when_raw_html_is_allowed(tmp_path: Path, text: str) -> None:
    problems = Problems()
    check_markup(text, 1, tmp_path / "a.md", problems, allow_raw_html=True)
    assert problems, text


def test_the_policy_is_scoped_to_the_load(minimal: Path) -> None:
    (minimal / OVERVIEW).write_text(PAGE.replace("{text}", "<details>More</details>"), encoding="utf-8")
    assert not load_project(minimal, LoadOptions(allow_raw_html=True)).problems
    assert load_project(minimal).problems


# --- whole builds -------------------------------------------------------------------


def _scripts(html: Path) -> set[str]:
    """Every script a built site loads: src attributes, and the text of inline scripts."""
    found: set[str] = set()
    for page in html.rglob("*.html"):
        for tag in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("script"):
            found.add(f"src:{tag['src'].split('?')[0]}" if tag.get("src") else f"inline:{tag.get_text().strip()}")
    return found


def test_build_with_allowed_content_ships_no_foreign_script(tmp_path: Path) -> None:
    clean = copy_project("minimal", tmp_path / "clean")
    assert run_cli("build", "--project", str(clean)).returncode == 0
    shipped = _scripts(clean / "_build" / "html")
    assert any(s.startswith("src:") for s in shipped)

    root = copy_project("minimal", tmp_path / "allowed")
    (root / OVERVIEW).write_text(PAGE.replace("{text}", SAFE_TEXT.replace(" ![chart](images/chart.png)", "")),
                                 encoding="utf-8")
    session = root / "manual" / "sessions" / "session-01.md"
    session.write_text(session.read_text(encoding="utf-8").replace(
        "title: Fixture meeting 1", 'title: "Fixture meeting 1: Début — Übergang ✓"'), encoding="utf-8")
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    html = root / "_build" / "html"
    assert _scripts(html) <= shipped
    page = (html / "core" / "overview.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "Début — Übergang ✓" in (html / "core" / "sessions" / "session-01.html").read_text(encoding="utf-8")


def test_script_in_a_source_fails_the_build_and_keeps_the_site(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    published = minimal / "_build" / "html"
    before = {p: p.read_bytes() for p in published.rglob("*.html")}
    (minimal / OVERVIEW).write_text(PAGE.replace("{text}", "Hello <script>alert(document.cookie)</script>"),
                                    encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert f"{OVERVIEW}:{LINE}: raw HTML is not allowed in protocol sources: <script>" in result.stderr
    assert "the published site was not changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in published.rglob("*.html")} == before
    assert "alert(document.cookie)" not in "".join(b.decode("utf-8") for b in before.values())


def test_sphinx_refuses_raw_and_include_that_bypass_the_check(minimal: Path) -> None:
    # docs/*.md pages are not protocol sources (the check does not read them), so only Sphinx stands in the way
    (minimal / "docs").mkdir()
    (minimal / "docs" / "extra.md").write_text(
        "# Extra\n\n```{raw} html\n<script>alert(1)</script>\n```\n\n```{include} /etc/hostname\n```\n",
        encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert '"raw" directive disabled' in result.stderr
    assert 'Directive "include" disabled' in result.stderr
    assert not (minimal / "_build" / "html").exists()


def _sphinx_build(root: Path) -> subprocess.CompletedProcess[str]:
    """Sphinx run directly (as a clinic's own tooling might), so the ipt_allow_raw_html setting applies."""
    (root / "_site").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", "-c", str(root),
                           str(root / "_site"), str(root / "_out")], capture_output=True, text=True, timeout=300)


def test_ipt_allow_raw_html_setting_in_sphinx(minimal: Path) -> None:
    (minimal / OVERVIEW).write_text(PAGE.replace("{text}", "<details><summary>More</summary>Text</details>"),
                                    encoding="utf-8")
    strict = _sphinx_build(minimal)
    assert strict.returncode != 0
    assert "raw HTML is not allowed in protocol sources" in strict.stderr
    with (minimal / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("ipt_allow_raw_html = True\n")
    allowed = _sphinx_build(minimal)
    assert allowed.returncode == 0, allowed.stderr
    assert "<details><summary>More</summary>" in (minimal / "_out" / "core" / "overview.html").read_text(
        encoding="utf-8")
    # the command line follows the same setting
    assert run_cli("check", "--project", str(minimal)).returncode == 0
    # and the setting never lets a script through
    (minimal / OVERVIEW).write_text(PAGE.replace("{text}", "<script>alert(1)</script>"), encoding="utf-8")
    refused = _sphinx_build(minimal)
    assert refused.returncode != 0
    assert "<script> runs code" in refused.stderr


def test_cli_follows_the_sites_raw_html_setting(tmp_path: Path) -> None:
    root = copy_project("minimal", tmp_path)
    page = root / OVERVIEW
    page.write_text(PAGE.replace("{text}", "<details><summary>More</summary>Hidden</details>"), encoding="utf-8")
    assert run_cli("check", "--project", str(root)).returncode == 1
    (root / "conf.py").write_text((root / "conf.py").read_text(encoding="utf-8") + "ipt_allow_raw_html = True\n",
                                  encoding="utf-8")
    assert run_cli("check", "--project", str(root)).returncode == 0
    page.write_text(PAGE.replace("{text}", "<script>alert(1)</script>"), encoding="utf-8")
    assert run_cli("check", "--project", str(root)).returncode == 1


# --- files the build would copy (issue 10, item 1): the Sphinx-level guard -----------------------------

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108020000009077")  # a PNG header is enough
GUARD = "is not a file inside the project (hint: images and downloads must be files in the repository"


def _add_to_overview(root: Path, text: str) -> None:
    page = root / OVERVIEW
    page.write_text(page.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_images_linked_out_of_the_project_stop_the_build_with_the_source_line(minimal: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(PNG)
    pages = minimal / "manual" / "pages"
    (pages / "leak.png").symlink_to(outside / "secret.png")  # a linked file
    (pages / "shots").symlink_to(outside, target_is_directory=True)  # a linked folder
    (pages / ".hidden").mkdir()  # hidden folders (.git holds CI credentials) are not published either
    (pages / ".hidden" / "config.png").write_bytes(PNG)
    _add_to_overview(minimal, "\n![a](leak.png)\n\n![b](shots/secret.png)\n\n![c](.hidden/config.png)\n")
    assert run_cli("check", "--project", str(minimal)).returncode == 0  # relative paths: the check cannot tell
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1, result.stderr
    for line, name in ((10, "leak.png"), (12, "shots/secret.png"), (14, ".hidden/config.png")):
        assert f"{minimal / OVERVIEW}:{line}: WARNING: image '{name}' {GUARD}" in result.stderr, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert not (minimal / "_build" / "html").exists()
    assert not list((minimal / "_build").rglob("secret*.png")) and not list((minimal / "_build").rglob("config*"))


def test_a_card_image_no_check_sees_is_refused_by_sphinx(minimal: Path) -> None:
    """Defence in depth: text the source check never reads (here a clinic's own page template) cannot
    make the build copy /etc/hostname either, in the YAML option form or any other."""
    templates = minimal / "_templates" / "manual"
    templates.mkdir(parents=True)
    page = (Path(__file__).parents[1] / "_templates" / "manual" / "page.md.j2").read_text(encoding="utf-8")
    escape = "../" * 12 + "etc/hostname"
    (templates / "page.md.j2").write_text(
        page + f"\n:::{{card}} Card\n---\nimg-top: {escape}\nimg-background: {escape}\n---\nText.\n:::\n"
        "\n{download}`key <" + escape + ">`\n", encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1, result.stderr
    assert f"WARNING: image '{escape}' {GUARD}" in result.stderr, result.stderr
    assert "the build was stopped" in result.stderr and "internal error" not in result.stderr
    assert not (minimal / "_build" / "html").exists()
    assert not list((minimal / "_build").rglob("hostname*"))


def test_a_repository_image_next_to_its_source_passes_check_and_builds(minimal: Path) -> None:
    (minimal / "manual" / "pages" / "chart.png").write_bytes(PNG)
    _add_to_overview(minimal, "\n![A chart](chart.png)\n")
    assert run_cli("check", "--project", str(minimal)).returncode == 0
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    html = minimal / "_build" / "html"
    img = BeautifulSoup((html / "core" / "overview.html").read_text(encoding="utf-8"), "html.parser").find(
        "img", alt="A chart")
    assert img is not None
    assert (html / "core" / img["src"]).resolve().read_bytes() == PNG


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
@pytest.mark.parametrize(("link", "source", "shown"), [
    ("manual/techniques", "manual/techniques", "manual/techniques/clarification.md"),
    ("local/core/pages", "addenda/core/pages", "local/core/pages/room-bookings.md"),
    ("local/core", "addenda/core", "local/core/pages/room-bookings.md"),
])
def test_a_linked_folder_outside_the_project_is_not_read(minimal: Path, tmp_path: Path, link: str, source: str,
                                                          shown: str) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    outside = tmp_path / "outside"
    shutil.copytree(minimal / source if source.startswith("manual") else fixtures / source, outside)
    target = minimal / link
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(outside, target_is_directory=True)
    reported = [p.format().split("\n")[0] for p in load_project(minimal).problems]
    assert f"{shown}:1: file is in a linked folder that leads to somewhere outside the project" in reported, reported
