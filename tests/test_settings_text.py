"""Settings are data, never markup: hostile text in every text setting is shown as that exact text on the
built pages and in a printed worksheet, and runs nothing (issue 10, item 2)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from bs4 import BeautifulSoup

from builder.config import validate_values
from builder.logo import svg_problem

from .conftest import run_cli

#: A script tag, a MyST substitution, a backquote (closes roles) and an ampersand (starts entities).
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} `x` &amp; R&D"
PREFILL_FIELD = """  - id: crisis
    kind: lines
    label: In a crisis
    lines: 2
    prefill: clinic-contacts
"""


def hostile_settings(root: Path) -> None:
    conf = root / "conf.py"
    text = conf.read_text(encoding="utf-8").replace('"fieldlist"]', '"fieldlist", "substitution"]')
    text = "\n".join(line for line in text.splitlines() if not line.startswith("ipt_"))
    text += f"""
ipt_clinic_name = {('Clinic ' + HOSTILE)!r}
ipt_contact_line = {('Contact ' + HOSTILE)!r}
ipt_crisis_contacts = [{{"name": {('Name ' + HOSTILE)!r}, "phone": {('Phone ' + HOSTILE)!r},
                         "notes": {('Notes ' + HOSTILE)!r}}}]
ipt_referral_pathways = [{{"name": {('Route ' + HOSTILE)!r}, "details": {('Details ' + HOSTILE)!r}}}]
"""
    conf.write_text(text, encoding="utf-8")
    sheet = root / "manual" / "worksheets" / "inventory.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8") + PREFILL_FIELD, encoding="utf-8")
    overview = root / "manual" / "pages" / "overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\n```{clinic-contacts}\n```\n", encoding="utf-8")


def visible_text(page: Path) -> tuple[str, BeautifulSoup]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return " ".join(soup.get_text(" ").split()), soup


def test_every_text_setting_is_shown_as_exact_text(minimal: Path) -> None:
    hostile_settings(minimal)
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    html = minimal / "_build" / "html"
    text, soup = visible_text(html / "index.html")
    for label in ("Clinic", "Contact"):
        assert f"{label} {HOSTILE}" in text, label
    assert soup.title is not None and soup.title.get_text() == f"Clinic {HOSTILE}: IPT manuals"
    brand = soup.select_one(".sidebar-brand-text")
    assert brand is not None and brand.get_text().strip() == f"Clinic {HOSTILE}: IPT manuals"
    text, soup = visible_text(html / "core" / "overview.html")
    for label in ("Clinic", "Name", "Phone", "Notes", "Route", "Details"):
        assert f"{label} {HOSTILE}" in text, label
    for page in html.rglob("*.html"):
        page_text, page_soup = visible_text(page)
        assert not any("alert" in s.get_text() for s in page_soup.find_all("script")), page
        assert "49" not in page_text.replace("2049", ""), page  # {{ 7*7 }} was not evaluated
    pdf = html / "pdf" / "core" / "core-inventory-a4.pdf"
    with pdfplumber.open(pdf) as doc:
        printed = "".join("".join((p.extract_text() or "") for p in doc.pages).split())
    for label in ("Name", "Phone", "Notes"):  # compared without spaces: the sheet wraps lines anywhere
        assert "".join(f"{label} {HOSTILE}".split()) in printed, printed[-400:]


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("ipt_clinic_name", "Clinic\n<b>", "ipt_clinic_name must be one line of plain text, without the control "
                                        "character U+000A"),
    ("ipt_contact_line", "a\x1bb", "ipt_contact_line must be one line of plain text, without the control "
                                    "character U+001B"),
    ("ipt_logo", "/etc/hostname", "ipt_logo: file '/etc/hostname' is an absolute path"),
    ("ipt_logo", "../outside.png", "ipt_logo: file '../outside.png' leaves the project ('..')"),
    ("ipt_logo", "local/evil.js", "ipt_logo: file 'local/evil.js' must be a PNG, JPEG or SVG image, not '.js'"),
    ("ipt_logo", "local/fake.png", "ipt_logo: file 'local/fake.png' is not a PNG image"),
    ("ipt_logo", "local/script.svg", "ipt_logo: file 'local/script.svg' is an SVG with a <script> element"),
    ("ipt_logo", "local/link.svg", "ipt_logo: file 'local/link.svg' leads outside the project through a symbolic link"),
    ("ipt_addenda", "/srv/other", "ipt_addenda: '/srv/other' is an absolute path"),
    ("ipt_addenda", "../elsewhere", "ipt_addenda: '../elsewhere' leaves the project ('..')"),
])
def test_unsafe_settings_are_refused(minimal: Path, tmp_path: Path, name: str, value: str, expected: str) -> None:
    local = minimal / "local"
    local.mkdir()
    (local / "evil.js").write_text("alert(1)", encoding="utf-8")
    (local / "fake.png").write_text("<script>alert(1)</script>", encoding="utf-8")
    (local / "script.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                                      encoding="utf-8")
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (local / "link.svg").symlink_to(secret)
    errors = validate_values({name: value}, minimal)
    assert any(e.startswith(expected) for e in errors), errors


def test_an_unsafe_logo_stops_check_and_build(minimal: Path) -> None:
    (minimal / "local").mkdir()
    (minimal / "local" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                                                encoding="utf-8")
    conf = minimal / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\nipt_logo = "local/logo.svg"\n', encoding="utf-8")
    expected = "conf.py:1: ipt_logo: file 'local/logo.svg' is an SVG with an event handler (onload=)"
    for command in ("check", "build"):
        result = run_cli(command, "--project", str(minimal))
        assert result.returncode == 1 and expected in result.stderr, result.stderr
    assert not (minimal / "_build" / "html").exists()


@pytest.mark.parametrize(("svg", "expected"), [
    ('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" fill="url(#g)"/></svg>', ""),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "is an SVG with an event handler (onload=)"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     '<image x:href="https://tracker.example/p.png"/></svg>', "is an SVG that refers to 'https://tracker.example"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
     "is an SVG with a <foreignobject> element"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);</style></svg>',
     "is an SVG whose style sheet loads a file or address"),
    ('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', "is an SVG with a DOCTYPE"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://x.example/p)"/></svg>',
     "is an SVG whose 'style' loads a file or address"),
])
def test_svg_logo_must_be_a_plain_drawing(svg: str, expected: str) -> None:
    found = svg_problem(svg.encode())
    assert found.startswith(expected) if expected else found == ""
