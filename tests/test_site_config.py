"""Clinic settings: declared once, validated at start, documented in the README; privacy headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import docutils_namespace

from builder.config import markdown_table, validate_values
from builder.project import GENERATED_DIR

from .conftest import REPO, run_cli


def test_readme_settings_table_is_generated_from_the_declaration() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->"
    assert start in readme and end in readme
    assert readme.split(start)[1].split(end)[0] == markdown_table(), "run: python -m builder.config"


@pytest.mark.parametrize(("values", "message"), [
    ({"ipt_clinc_name": "x"}, "unknown setting ipt_clinc_name; did you mean ipt_clinic_name?"),
    ({"ipt_paper": "A5"}, "ipt_paper must be one of 'a4', 'letter', not 'A5'"),
    ({"ipt_noindex": "yes"}, "ipt_noindex must be True or False, not str"),
    ({"ipt_crisis_contacts": [{"phone": "1"}]}, "ipt_crisis_contacts item 1 needs 'name' (text)"),
    ({"ipt_crisis_contacts": [{"name": "A", "fax": "1"}]}, "ipt_crisis_contacts item 1: unknown key 'fax'"),
    ({"ipt_publish": "core"}, "ipt_publish must be a list of manual ids"),
    ({"ipt_logo": "missing.png"}, "ipt_logo: file 'missing.png' does not exist"),
])
def test_bad_settings_are_named(values: dict, message: str, tmp_path: Path) -> None:
    errors = validate_values(values, tmp_path)
    assert any(e.startswith(message) for e in errors), errors


@pytest.mark.parametrize(("line", "message"), [
    ('ipt_clinc_name = "x"', "unknown setting ipt_clinc_name"),
    ('ipt_paper = "A5"', "ipt_paper must be one of"),
    ('ipt_publish = ["core", "teenagers"]', "ipt_publish names unknown manual(s) teenagers"),
    ('ipt_logo = "nowhere/logo.svg"', "ipt_logo: file 'nowhere/logo.svg' does not exist"),
])
def test_a_bad_setting_stops_the_build_with_its_name(minimal: Path, line: str, message: str) -> None:
    (minimal / "conf.py").write_text((minimal / "conf.py").read_text(encoding="utf-8") + line + "\n",
                                     encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_check_validates_settings_too(minimal: Path) -> None:
    (minimal / "conf.py").write_text((minimal / "conf.py").read_text(encoding="utf-8") + 'ipt_paper = "A5"\n',
                                     encoding="utf-8")
    result = run_cli("check", "--project", str(minimal))
    assert result.returncode == 1
    assert "conf.py:1: ipt_paper must be one of" in result.stderr


def test_clinic_identity_logo_and_privacy(minimal: Path) -> None:
    (minimal / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
                                      encoding="utf-8")
    conf = minimal / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + 'ipt_logo = "logo.svg"\n'
                    'ipt_contact_line = "Fixture IPT team, room 3"\n', encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 0, result.stderr
    html = minimal / "_build" / "html"
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "Fixture Clinic: IPT manuals" in index and "Fixture IPT team, room 3" in index
    assert "logo.svg" in index
    assert (html / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in text and "script-src 'self'" in text, page
        assert '<meta name="robots" content="noindex, nofollow">' in text, page
        assert "<script>" not in text, f"inline script in {page}"


def test_indexing_can_be_allowed(minimal: Path) -> None:
    conf = minimal / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "ipt_noindex = False\n", encoding="utf-8")
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    html = minimal / "_build" / "html"
    assert (html / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow:\n"
    assert "noindex" not in (html / "index.html").read_text(encoding="utf-8")


def test_sphinx_itself_refuses_a_bad_setting(minimal: Path, tmp_path: Path) -> None:
    """Sphinx run directly (no ``ipt-manual`` pre-check): the extension's config-inited check stops the
    build with a ConfigError naming every bad setting, before anything is generated or written."""
    (minimal / "conf.py").write_text((minimal / "conf.py").read_text(encoding="utf-8")
                                     + 'ipt_paper = "A5"\nipt_clinc_name = "x"\n', encoding="utf-8")
    out = tmp_path / "out"
    with docutils_namespace(), pytest.raises(ConfigError) as raised:
        Sphinx(str(minimal), str(minimal), str(out), str(tmp_path / "doctrees"), "html", status=None,
               warning=io.StringIO(), freshenv=True)
    assert str(raised.value) == ("conf.py: unknown setting ipt_clinc_name; did you mean ipt_clinic_name?; "
                                 "ipt_paper must be one of 'a4', 'letter', not 'A5'")
    assert not (minimal / GENERATED_DIR).exists() and not list(out.rglob("*.html"))
