"""Reading an adaptation folder (``adaptations/<id>/``): every file an overlay needs, read once.

:func:`parse_adaptation` does all the reading of an adaptation: the manifest (a typed
:class:`AdaptationManifest`), its session files (overlays, or new sessions written in full),
its page overlays, ``each-*.md`` files, worksheets, example replacements and
``inherited.lock``.  :func:`builder.overlay.resolve` then works on what it returns, with no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problems
from .examples import ExampleOverlay, read_example_overlays, read_population
from .fields import FieldReader
from .loader import (
    load_yaml_file,
    page_files,
    parse_session,
    read_audience,
    read_phases,
    read_terms,
    source_files,
)
from .model import Audience, ExamplePopulation, Phase, Session
from .review import read_lock
from .rules import EACH_FILE_RE, SESSION_FILE_RE
from .sections import RawSection, split_sections
from .sourcefile import LocDict, LocList, read_text, split_front_matter

MANIFEST = "adaptation.yaml"
#: The fields of ``adaptation.yaml``.
ADAPTATION_FIELDS = {"id", "extends", "extends_version", "title", "short_title", "version", "sessions",
                     "first_session", "session_minutes", "participants", "audience", "phases", "problem_areas",
                     "pages_remove", "session_map", "dropped", "terms", "example_population"}
#: Front-matter fields of each kind of overlay file.
SESSION_OVERLAY_FIELDS = {"set", "add", "remove", "notes"}
PAGE_OVERLAY_FIELDS = {"set", "notes"}
EACH_FILE_FIELDS = {"applies_to", "add", "notes"}


@dataclass
class MapEntry:
    session: int
    from_sessions: list[int]
    new: bool
    line: int


@dataclass
class FileOverlay:
    """One overlay file: front-matter operations and section operations."""

    path: Path
    meta: LocDict
    sections: list[RawSection]


@dataclass
class SourceText:
    """A file read but not yet parsed: what it is depends on the base manual (``None``: unreadable)."""

    path: Path
    text: str | None


@dataclass
class AdaptationManifest:
    """``adaptation.yaml`` as written; fields left empty inherit the base's (applied by ``resolve``)."""

    id: str
    extends: str
    extends_version: str
    title: str
    short_title: str
    version: str
    sessions_count: int
    first_session: int
    session_minutes: int | None  #: None: the base's
    participants: list[str]  #: empty: the base's
    audience: Audience
    phases: list[Phase]
    problem_areas: list[str]  #: empty: the base's
    pages_remove: list[str]
    terms: dict[str, str]
    example_population: ExamplePopulation | None  #: None: the base's
    session_map: list[MapEntry] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    #: Source line of the manifest (``line``) and of each field (``lines``), for messages.
    line: int = field(default=1, compare=False)
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass
class Adaptation:
    id: str
    path: Path
    manifest: AdaptationManifest
    #: Every ``sessions/session-NN.md`` by this adaptation's number (also those the session map lacks).
    session_files: dict[int, Path] = field(default_factory=dict)
    #: Session files of map entries ``from: N``: overlays on the inherited session.
    session_overlays: dict[int, FileOverlay] = field(default_factory=dict)
    #: Session files of map entries ``new: true``, as written: ``minutes`` 0 and ``participants`` empty
    #: where the file leaves them to the manual.
    new_sessions: dict[int, Session] = field(default_factory=dict)
    #: Page files by (kind, id): an overlay on the base's page, or (in ``pages/``) a new page.
    page_files: dict[tuple[str, str], SourceText] = field(default_factory=dict)
    worksheets: dict[str, tuple[Path, LocDict]] = field(default_factory=dict)
    examples: dict[str, ExampleOverlay] = field(default_factory=dict)
    reviewed: dict[str, str] = field(default_factory=dict)
    each_files: list[FileOverlay] = field(default_factory=list)

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST


def parse_adaptation(folder: Path, problems: Problems) -> Adaptation | None:
    """Read everything in an adaptation folder; ``None`` when it has no readable manifest."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        problems.add(manifest_path, 1, f"adaptation folder '{folder.name}' has no {MANIFEST}",
                     "run 'ipt-manual new-adaptation ID' to scaffold one")
        return None
    data = load_yaml_file(manifest_path, problems, "adaptation manifest")
    if data is None:
        return None
    manifest = read_adaptation_manifest(data, folder, problems)
    adaptation = Adaptation(manifest.id or folder.name, folder, manifest)
    _read_session_files(adaptation, problems)
    _read_page_files(adaptation, problems)
    adaptation.examples = read_example_overlays(folder, problems)
    adaptation.reviewed = read_lock(folder, problems)
    for path in source_files(folder / "worksheets", ".yaml"):
        worksheet = load_yaml_file(path, problems, "worksheet")
        if worksheet is not None:
            adaptation.worksheets[path.stem] = (path, worksheet)
    _remember_paths(adaptation, problems)
    return adaptation


def _remember_paths(adaptation: Adaptation, problems: Problems) -> None:
    """Each file's path as messages show it, worked out now: ``resolve`` names files without the disk."""
    paths = [adaptation.manifest_path, *adaptation.session_files.values(),
             *(source.path for source in adaptation.page_files.values()),
             *(path for path, _ in adaptation.worksheets.values()),
             *(example.path for example in adaptation.examples.values()),
             *(overlay.path for overlay in adaptation.each_files)]
    for path in paths:
        problems.rel(path)


# --- the manifest ---------------------------------------------------------------------------------

def read_adaptation_manifest(data: LocDict, folder: Path, problems: Problems) -> AdaptationManifest:
    path = folder / MANIFEST
    r = FieldReader(data, path, problems, "adaptation manifest")
    aid = r.ident("id")
    if aid and aid != folder.name:
        r.problem("id", f"adaptation id '{aid}' does not match its folder name '{folder.name}'",
                  "rename the folder or change 'id'")
    extends = r.ident("extends")
    extends_version = r.get("extends_version", str, "", required=False)
    session_map = _read_session_map(r)
    dropped = _read_dropped(r)
    title = r.get("title", str, "")
    first = r.positive_int("first_session", 1, required=False, minimum=0)
    manifest = AdaptationManifest(
        id=aid, extends=extends, extends_version=extends_version, title=title,
        short_title=r.get("short_title", str, title, required=False) or title, version=r.version(),
        sessions_count=r.positive_int("sessions", 0) or 0, first_session=1 if first is None else first,
        session_minutes=r.positive_int("session_minutes", None, required=False),
        participants=r.text_list("participants", required=False), audience=read_audience(r),
        phases=read_phases(r), problem_areas=r.text_list("problem_areas", required=False, ids=True),
        pages_remove=r.text_list("pages_remove", required=False, ids=True), terms=read_terms(r),
        example_population=read_population(r), session_map=session_map, dropped=dropped,
        line=data.line, lines={k: data.line_of(k) for k in data})
    r.unknown(ADAPTATION_FIELDS)
    return manifest


def _read_session_map(r: FieldReader) -> list[MapEntry]:
    raw_map = r.get("session_map", list, LocList())
    entries: list[MapEntry] = []
    for i, item in enumerate(raw_map):
        line = raw_map.line_of(i)
        if not isinstance(item, LocDict):
            r.problems.add(r.path, line, "a session map entry must be a mapping like {session: 1, from: 1}")
            continue
        entry = _read_map_entry(FieldReader(item, r.path, r.problems, f"session map entry {i + 1}"), line)
        if entry is not None:
            entries.append(entry)
    return entries


def _read_map_entry(er: FieldReader, line: int) -> MapEntry | None:
    item = er.data
    number = er.positive_int("session", None, minimum=0)
    is_new = er.get("new", bool, False, required=False)
    src = item.get("from")
    er.used.add("from")
    er.unknown({"session", "from", "new"})
    sources: list[int] = []
    if is_new and src is not None:
        er.problem("from", "an entry is either 'new: true' or 'from: N', not both")
    elif not is_new:
        if isinstance(src, int) and not isinstance(src, bool):
            sources = [src]
        elif isinstance(src, list) and src and all(isinstance(x, int) and not isinstance(x, bool) for x in src):
            sources = list(src)
        else:
            er.problem("from" if "from" in item else None,
                       "say where the session comes from: 'from: N', 'from: [N, M]' or 'new: true'")
            return None
    return MapEntry(number, sources, bool(is_new), line) if number is not None else None


def _read_dropped(r: FieldReader) -> list[int]:
    dropped = r.get("dropped", list, LocList(), required=False)
    out: list[int] = []
    for i, item in enumerate(dropped):
        if isinstance(item, int) and not isinstance(item, bool):
            out.append(item)
        else:
            r.problems.add(r.path, dropped.line_of(i), f"'dropped' item {i + 1} must be a session number")
    return out


# --- the overlay files ----------------------------------------------------------------------------

def _read_session_files(adaptation: Adaptation, problems: Problems) -> None:
    """``sessions/``: session-NN.md (read as the session map says: overlay or new session) and each-NAME.md."""
    entries: dict[int, MapEntry] = {}
    for entry in adaptation.manifest.session_map:
        entries.setdefault(entry.session, entry)
    for path in source_files(adaptation.path / "sessions", ".md"):
        m = SESSION_FILE_RE.fullmatch(path.stem)
        if EACH_FILE_RE.fullmatch(path.stem):
            overlay = read_overlay_file(path, problems, EACH_FILE_FIELDS)
            if overlay is not None:
                adaptation.each_files.append(overlay)
            continue
        if not m:
            problems.add(path, 1, f"session file '{path.name}' should be named session-NN.md (NN: this "
                                  "adaptation's session number) or each-NAME.md (a change to several sessions)")
            continue
        number = int(m.group(1))
        adaptation.session_files[number] = path
        entry = entries.get(number)
        if entry is not None and entry.new:
            text = read_text(path, problems)
            session = parse_session(path, text, problems, 0, []) if text is not None else None
            if session is not None:
                adaptation.new_sessions[number] = session
        elif entry is not None:
            overlay = read_overlay_file(path, problems, SESSION_OVERLAY_FIELDS)
            if overlay is not None:
                adaptation.session_overlays[number] = overlay


def _read_page_files(adaptation: Adaptation, problems: Problems) -> None:
    for kind, path in page_files(adaptation.path, problems):
        adaptation.page_files[(kind, path.stem)] = SourceText(path, read_text(path, problems))


def read_overlay_file(path: Path, problems: Problems, allowed: set[str]) -> FileOverlay | None:
    text = read_text(path, problems)
    return parse_overlay(path, text, problems, allowed) if text is not None else None


def parse_overlay(path: Path, text: str, problems: Problems, allowed: set[str]) -> FileOverlay | None:
    """An overlay file's text: optional front matter (``allowed`` fields), then section operations."""
    doc = split_front_matter(text, path, problems) if text.lstrip().startswith("---") else None
    if doc is None and text.lstrip().startswith("---"):
        return None
    meta = doc.meta if doc else LocDict()
    body, body_line = (doc.body, doc.body_line) if doc else (text, 1)
    r = FieldReader(meta, path, problems, "overlay")
    r.unknown(allowed)
    return FileOverlay(path, meta, split_sections(body, body_line, path, problems, allow_ops=True))
