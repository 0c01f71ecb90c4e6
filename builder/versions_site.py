"""``ipt-manual versions``: one site with every released version of every manual, side by side.

Layout of ``_build/versions/``::

    index.html                 every manual and its versions
    versions.json              what the version switcher reads
    <manual>/<version>/        the whole site as of that release (hard links into the cache)
    <manual>/dev/              the working tree, as the development version
    <manual>/latest/index.html redirect to the newest release
    <manual>/stable/index.html redirect to the newest release at 1.0.0 or above

Each distinct source tree is built once and cached under ``_build/.versions-cache/<key>``,
where the key hashes the protocol sources and the builder itself; a version whose inputs
did not change is not rebuilt.  Old versions are read with ``git archive``: the working
tree and the index are never touched.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .diff import diff_manuals
from .diff_format import as_html
from .gitrefs import GitError, export, git, release_tags, resolve, tree_id
from .project import LoadOptions, copy_parts, load_project
from .versioning import TAG_RE, parse

SITE_FILES = ("conf.py", "_templates", "docs")


class VersionsError(Exception):
    pass


@dataclass
class Unit:
    """One source tree to build: a release commit, or the working tree."""

    key: str
    commit: str | None  #: None for the working tree
    manuals: dict[str, str] = field(default_factory=dict)  #: manual id → version in this tree
    pages: list[str] = field(default_factory=list)


def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []
        for f in files:
            if "__pycache__" in f.parts:
                continue
            digest.update(f.relative_to(root).as_posix().encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()


def tooling_hash(root: Path) -> str:
    """Changes when the builder, the templates, conf.py or the docs change."""
    package = Path(__file__).parent
    return hashlib.sha256((_hash_files([package], package.parent) + _hash_files(
        [root / n for n in SITE_FILES], root) + __version__).encode()).hexdigest()


def unit_key(root: Path, commit: str | None, tooling: str, options: LoadOptions) -> str:
    """The cache key of one version: the builder, its sources and how they are loaded (the options)."""
    digest = hashlib.sha256(f"{tooling}\0{options.key()}".encode())
    if commit is None:
        digest.update(_hash_files([root / name for name in options.source_folders], root).encode())
    else:
        for path in options.source_folders:
            digest.update(f"{path}:{tree_id(root, commit, path)}".encode())
    return digest.hexdigest()[:16]


def release_list(root: Path, skip: Callable[[str, str], None] | None = None) -> list[tuple[str, str, str]]:
    """(manual, version, tag) for every release tag.  A tag that breaks the scheme is reported to ``skip``
    (tag, problem), or is an error when there is no ``skip``."""
    out = []
    for tag in release_tags(root):
        m = TAG_RE.match(tag)
        if m:
            out.append((m.group("manual"), m.group("version"), tag))
        elif "/" in tag and not tag.startswith("refs/"):
            problem = "it does not follow the release tag scheme <manual>/vMAJOR.MINOR.PATCH (for example core/v1.2.0)"
            if skip is None:
                raise VersionsError(f"tag '{tag}': {problem}")
            skip(tag, problem)
    return out


def _prepare(root: Path, commit: str | None, dest: Path, options: LoadOptions) -> None:
    if commit is None:
        for name in options.source_folders:
            if (root / name).exists():
                shutil.copytree(root / name, dest / name)
    else:
        export(root, commit, dest, options.source_folders)
    copy_parts(root, dest, SITE_FILES)


def _link_tree(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` with hard links (no file content is duplicated)."""
    shutil.copytree(src, dest, copy_function=lambda a, b: os.link(a, b))


def _redirect(target: str, title: str) -> str:
    t = html.escape(target)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<meta http-equiv='refresh' content='0; url={t}'><link rel='canonical' href='{t}'></head>"
            f"<body><p>Redirecting to <a href='{t}'>{t}</a>.</p></body></html>\n")


def _build_unit(root: Path, unit: Unit, cache: Path, build_one: Callable[[Path, Path], int],
                progress: Callable[[str], None], options: LoadOptions) -> bool:
    """Build one version into the cache unless it is there; read its catalog.  True when it was built."""
    site = cache / unit.key / "html"
    label = unit.commit[:12] if unit.commit else "working tree"
    fresh = not site.exists()
    if fresh:
        progress(f"building {label}…")
        with tempfile.TemporaryDirectory(prefix="ipt-version-") as tmp:
            project_dir = Path(tmp) / "project"
            project_dir.mkdir()
            _prepare(root, unit.commit, project_dir, options)
            project = load_project(project_dir, options)
            if project.problems:
                raise VersionsError(f"the sources at {label} have problems: "
                                    f"{next(iter(project.problems)).format().splitlines()[0]}")
            out = Path(tmp) / "out"
            if build_one(project_dir, out) != 0:
                raise VersionsError(f"building {label} failed")
            (cache / unit.key).mkdir(parents=True, exist_ok=True)
            shutil.move(str(out), str(site))
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    unit.manuals = {m["id"]: m["version"] for m in catalog["manuals"]}
    unit.pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return fresh


Entry = tuple[str, str, str]  #: (manual, version label, unit key)


def build_versions(root: Path, build_one: Callable[[Path, Path], int], progress: Callable[[str], None],
                   options: LoadOptions, target: Path | None = None) -> Path:
    """Build (or reuse) every version and assemble the versions site; returns its folder.

    ``options`` (from the site's settings) say how every version is loaded, and are part of each
    version's cache key."""
    cache = root / "_build" / ".versions-cache"
    target = target or root / "_build" / "versions"

    def skip(tag: str, problem: str) -> None:
        progress(f"skipped release tag {tag}: {problem}; the other versions are published")

    releases = release_list(root, skip)
    units, entries, dev_key = _plan_units(root, releases, options, skip)
    built, cached = _build_units(root, units, entries, cache, build_one, progress, options, skip)
    entries = _matching_entries(entries, units, skip)
    releases = [r for r in releases if any(r[0] == m and r[1] == v for m, v, _ in entries)]
    progress(f"{built} version(s) built, {cached} reused from the cache")
    # assemble into a fresh folder, then swap it into place
    staging = target.with_name(f".{target.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _assemble(root, staging, cache, units, entries, dev_key, releases, options)
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _plan_units(root: Path, releases: list[tuple[str, str, str]], options: LoadOptions,
                skip: Callable[[str, str], None]) -> tuple[dict[str, Unit], list[Entry], str]:
    """One unit per distinct source tree (release tags and the working tree, keyed by content)."""
    tooling = tooling_hash(root)
    units: dict[str, Unit] = {}
    entries: list[Entry] = []
    for manual, version, tag in sorted(releases, key=lambda r: (r[0], parse(r[1]))):
        try:
            commit = resolve(root, tag)
        except GitError as exc:
            skip(tag, str(exc))
            continue
        key = unit_key(root, commit, tooling, options)
        units.setdefault(key, Unit(key, commit))
        entries.append((manual, version, key))
    dev_key = unit_key(root, None, tooling, options)
    units.setdefault(dev_key, Unit(dev_key, None))
    return units, entries, dev_key


def _build_units(root: Path, units: dict[str, Unit], entries: list[Entry], cache: Path,
                 build_one: Callable[[Path, Path], int], progress: Callable[[str], None], options: LoadOptions,
                 skip: Callable[[str, str], None]) -> tuple[int, int]:
    """Build or reuse each unit; a release that fails is skipped (and its unit dropped), the working
    tree must build. Returns how many were built and how many reused."""
    built = cached = 0
    for unit in list(units.values()):
        try:
            fresh = _build_unit(root, unit, cache, build_one, progress, options)
        except (VersionsError, GitError) as exc:
            if unit.commit is None:
                raise VersionsError(str(exc)) from exc
            for manual, version, key in entries:
                if key == unit.key:
                    skip(f"{manual}/v{version}", str(exc))
            del units[unit.key]
            continue
        built, cached = built + fresh, cached + (not fresh)
    return built, cached


def _matching_entries(entries: list[Entry], units: dict[str, Unit], skip: Callable[[str, str], None]) -> list[Entry]:
    """The releases whose unit was built and carries the tagged version of the manual."""
    kept = []
    for manual, version, key in entries:
        if key not in units:
            continue
        if units[key].manuals.get(manual) != version:
            skip(f"{manual}/v{version}", f"it points at a commit where {manual} is at version "
                 f"{units[key].manuals.get(manual, 'nothing (no such manual)')}")
            continue
        kept.append((manual, version, key))
    return kept


def _assemble(root: Path, staging: Path, cache: Path, units: dict[str, Unit], entries: list[Entry], dev_key: str,
              releases: list[tuple[str, str, str]], options: LoadOptions) -> None:
    """The versions site in ``staging``: each manual's versions (linked trees), aliases, changelog,
    ``versions.json`` and the landing page."""
    index: dict[str, dict[str, object]] = {}
    dev_manuals = units[dev_key].manuals
    for manual in sorted({m for m, _, _ in entries} | set(dev_manuals)):
        released = [(v, k) for m, v, k in entries if m == manual]
        index[manual] = _manual_versions(staging, cache, manual, released, dev_key, dev_manuals)
    payload = {"manuals": index,
               "units": {k: {"manuals": u.manuals, "pages": u.pages} for k, u in sorted(units.items())}}
    (staging / "versions.json").write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for manual in index:
        (staging / manual).mkdir(parents=True, exist_ok=True)
        (staging / manual / "changelog.html").write_text(
            changelog_html(root, manual, [(v, t) for m, v, t in sorted(releases, key=lambda r: parse(r[1]))
                                          if m == manual], options), encoding="utf-8")
    (staging / "index.html").write_text(_landing(index), encoding="utf-8")


def _manual_versions(staging: Path, cache: Path, manual: str, released: list[tuple[str, str]], dev_key: str,
                     dev_manuals: dict[str, str]) -> dict[str, object]:
    """One manual's folder: its released versions, ``dev``, and the ``latest``/``stable`` redirects."""
    versions: list[dict[str, object]] = []
    for version, key in released:
        _link_tree(cache / key / "html", staging / manual / version)
        versions.append({"version": version, "path": f"{manual}/{version}/", "unit": key, "released": True})
    if manual in dev_manuals:
        _link_tree(cache / dev_key / "html", staging / manual / "dev")
        versions.append({"version": "dev", "path": f"{manual}/dev/", "unit": dev_key, "released": False,
                         "manual_version": dev_manuals[manual]})
    numbers = [v for v, _ in released]
    latest = max(numbers, key=parse) if numbers else None
    stable_candidates = [v for v in numbers if parse(v)[0] >= 1]
    stable = max(stable_candidates, key=parse) if stable_candidates else None
    for alias, version in (("latest", latest), ("stable", stable)):
        if version:
            (staging / manual / alias).mkdir(parents=True, exist_ok=True)
            (staging / manual / alias / "index.html").write_text(
                _redirect(f"../{version}/{manual}/index.html", f"{manual} {alias}"), encoding="utf-8")
    return {"versions": versions, "latest": latest, "stable": stable}


def _landing(index: dict[str, dict[str, object]]) -> str:
    rows = []
    for manual, info in index.items():
        links = []
        for v in info["versions"]:  # type: ignore[union-attr]
            label = "development" if v["version"] == "dev" else v["version"]
            links.append(f"<a href='{html.escape(v['path'])}{html.escape(manual)}/index.html'>{label}</a>")
        aliases = " ".join(f"<a href='{manual}/{a}/index.html'>{a}</a>" for a in ("latest", "stable") if info[a])
        aliases += f" · <a href='{manual}/changelog.html'>changelog</a>"
        rows.append(f"<tr><th scope='row'>{html.escape(manual)}</th><td>{' · '.join(links)}</td>"
                    f"<td>{aliases}</td></tr>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>IPT manuals: all versions</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
            "td,th{padding:.4rem;text-align:left;border-bottom:1px solid #ccc}</style></head><body>"
            "<h1>IPT manuals: all versions</h1><table><thead><tr><th scope='col'>Manual</th>"
            "<th scope='col'>Versions</th><th scope='col'>Aliases</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></body></html>\n")


def _manuals_at(root: Path, ref: str | None, options: LoadOptions) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ipt-changelog-") as tmp:
        if ref is None:
            project = load_project(root, options)
        else:
            export(root, resolve(root, ref), Path(tmp), options.source_folders)
            project = load_project(Path(tmp), options)
    return {m.id: m for m in project.manuals}


def release_notes(root: Path, tag: str) -> str:
    try:
        return str(git(root, "tag", "-l", "--format=%(contents)", tag)).strip()
    except GitError:
        return ""


def changelog_html(root: Path, manual: str, releases: list[tuple[str, str]], options: LoadOptions) -> str:
    """Each version of ``manual``, newest first, with its release notes and protocol-level changes."""

    esc = html.escape
    sections = []
    steps: list[tuple[str, str | None, str | None]] = [("development version", releases[-1][1] if releases else None,
                                                         None)]
    for i in range(len(releases) - 1, -1, -1):
        version, tag = releases[i]
        steps.append((version, releases[i - 1][1] if i > 0 else None, tag))
    for label, base_tag, head_tag in steps:
        head = _manuals_at(root, head_tag, options)
        if manual not in head:
            continue
        base = _manuals_at(root, base_tag, options) if base_tag else {}
        changes = [c for c in diff_manuals([base[manual]] if manual in base else [], [head[manual]])
                   if c.manual == manual]
        if label == "development version" and not changes:
            continue
        body = as_html(changes, base_tag or "nothing", head_tag or "working tree")
        inner = body.split("<body>", 1)[1].rsplit("</body>", 1)[0].replace("<h2>", "<h4>").replace("</h2>", "</h4>")
        inner = inner.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
        notes = release_notes(root, head_tag) if head_tag else ""
        sections.append(f"<section><h2>{esc(label)}</h2>"
                        + (f"<div class='notes'><p>{esc(notes)}</p></div>" if notes else "") + inner + "</section>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Changelog: {esc(manual)}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
            "del{background:#fdd;color:#700}ins{background:#dfd;color:#050;text-decoration:none}"
            ".impact{font-size:.8em;padding:.1em .4em;border:1px solid #888;border-radius:.3em}"
            ".notes{border-left:4px solid #888;padding-left:1em}</style></head><body>"
            f"<h1>Changelog: {esc(manual)}</h1>" + "".join(sections) + "</body></html>\n")
