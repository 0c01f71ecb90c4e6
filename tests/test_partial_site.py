"""Partial sites: publishing an adaptation brings its base manual; unpublished manuals leave the site."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli, two_manual_project


def test_publishing_an_adaptation_pulls_in_its_base_and_dropping_it_removes_it(tmp_path: Path) -> None:
    root = two_manual_project(tmp_path, '\nipt_publish = ["teen"]\n')
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    html = root / "_build" / "html"
    assert (html / "teen" / "sessions" / "session-01.html").is_file()
    assert (html / "core" / "sessions" / "session-01.html").is_file()  # teen links into its base

    conf = root / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace('ipt_publish = ["teen"]', 'ipt_publish = ["core"]'),
                    encoding="utf-8")
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    assert (html / "core" / "index.html").is_file()
    assert not (html / "teen").exists() and not (html / "pdf" / "teen").exists()
    assert "teen/" not in (html / "index.html").read_text(encoding="utf-8")
