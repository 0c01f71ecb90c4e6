"""Loading a manual's sources (manifest, sessions, pages, worksheets) into the model.

The loader never raises on bad input: it records every problem and returns
what it could read, so one run reports every mistake.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from .errors import Problems
from .examples import parse_examples, read_population
from .fields import FieldReader, did_you_mean, parse_range
from .model import (
    AgendaItem,
    Audience,
    Field,
    Manual,
    Page,
    PageKind,
    Phase,
    Section,
    Session,
    SourceRef,
    Worksheet,
)
from .rules import FIELD_KINDS, FIELD_OPTIONAL, ID_RE, PREFILLS, TERMS, id_hint, visible
from .sections import RawSection, split_sections
from .sourcefile import LocDict, LocList, parse_yaml, read_text, split_front_matter

PAGE_DIRS: dict[PageKind, str] = {"problem-area": "problem-areas", "technique": "techniques", "page": "pages"}


def ref(problems: Problems, path: Path, line: int) -> SourceRef:
    return SourceRef(problems.rel(path), line)


def to_sections(raw: list[RawSection], path: Path, problems: Problems) -> list[Section]:
    rel = problems.rel(path)
    return [Section(r.id, r.title, r.body, ref(problems, path, r.line), body_line=r.body_line,
                    examples=parse_examples(r.body, r.body_line, rel, problems)) for r in raw]


def load_yaml_file(path: Path, problems: Problems, what: str) -> LocDict | None:
    text = read_text(path, problems)
    if text is None:
        return None
    data = parse_yaml(text, path, problems)
    if data is None:
        if not any(p.path == problems.rel(path) for p in problems):
            problems.add(path, 1, f"{what} is empty")
        return None
    if not isinstance(data, LocDict):
        problems.add(path, 1, f"{what} must be a mapping of fields", "write 'key: value' lines")
        return None
    return data


# --- manifest -------------------------------------------------------------

def read_phases(r: FieldReader) -> list[Phase]:
    phases: list[Phase] = []
    for pr in r.records("phases", "phase", "must be a mapping with id, title and sessions"):
        item = pr.data
        pid = pr.ident("id")
        title = pr.get("title", str, "")
        rng = parse_range(item.get("sessions"))
        pr.used.add("sessions")
        summary = pr.get("summary", str, "", required=False)
        pr.unknown({"id", "title", "sessions", "summary"})
        if rng is None:
            pr.problem("sessions" if "sessions" in item else None,
                       f"phase '{pid}': 'sessions' must be a range like 1-3 or a single number")
            continue
        if rng[0] > rng[1]:
            pr.problem("sessions", f"phase '{pid}': range {rng[0]}-{rng[1]} runs backwards")
            continue
        phases.append(Phase(pid, title, rng[0], rng[1], summary, line=item.line_of("sessions")))
    return phases


def read_audience(r: FieldReader) -> Audience:
    raw = r.get("audience", LocDict, LocDict())
    if not raw:
        return Audience([], [])
    ar = FieldReader(raw, r.path, r.problems, "audience")
    aud = Audience(ar.text_list("for"), ar.text_list("not_for"))
    ar.unknown({"for", "not_for"})
    return aud


MANIFEST_FIELDS = {"id", "title", "short_title", "version", "sessions", "session_minutes", "participants",
                   "audience", "phases", "problem_areas", "pages", "first_session", "terms", "example_population"}


def read_terms(r: FieldReader) -> dict[str, str]:
    """``terms:`` of a manifest: the words its readers use (patient → young person)."""
    raw = r.get("terms", LocDict, LocDict(), required=False)
    tr = FieldReader(raw, r.path, r.problems, "terms")
    tr.unknown(set(TERMS))
    return {key: value for key in TERMS if key in raw and (value := tr.get(key, str, ""))}


def read_manifest(path: Path, problems: Problems) -> tuple[LocDict, FieldReader] | None:
    data = load_yaml_file(path, problems, "manifest")
    if data is None:
        return None
    return data, FieldReader(data, path, problems, "manifest")


# --- sessions and pages ----------------------------------------------------

SESSION_FIELDS = {"number", "title", "minutes", "participants", "goals", "agenda", "techniques",
                  "worksheets", "fidelity"}


def read_agenda(r: FieldReader) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    for ir in r.records("agenda", "agenda item", "must have 'minutes' and 'activity'"):
        minutes = ir.positive_int("minutes", 0)
        activity = ir.get("activity", str, "")
        ir.unknown({"minutes", "activity"})
        items.append(AgendaItem(minutes or 0, activity))
    return items


def read_fidelity(r: FieldReader, key: str = "fidelity", required: bool = True) -> dict[str, str]:
    raw = r.get(key, LocDict, LocDict(), required)
    out: dict[str, str] = {}
    for k, v in raw.items():
        line = raw.line_of(k)
        if not isinstance(k, str) or not ID_RE.match(k):
            r.problems.add(r.path, line, f"fidelity item id '{visible(k)}' is not a valid id",
                           id_hint(str(k)))
            continue
        if not isinstance(v, str) or not v.strip():
            r.problems.add(r.path, line, f"fidelity item '{k}' must be a sentence of text")
            continue
        out[k] = v.strip()
    return out


def load_session(path: Path, problems: Problems, default_minutes: int,
                 default_participants: list[str]) -> Session | None:
    text = read_text(path, problems)
    return parse_session(path, text, problems, default_minutes, default_participants) if text is not None else None


def parse_session(path: Path, text: str, problems: Problems, default_minutes: int,
                  default_participants: list[str]) -> Session | None:
    """A session file's text (``path`` is for messages)."""
    doc = split_front_matter(text, path, problems)
    if doc is None:
        return None
    r = FieldReader(doc.meta, path, problems, "session")
    number = r.positive_int("number", None, minimum=0)
    title = r.get("title", str, "")
    minutes = r.positive_int("minutes", None, required=False) or default_minutes
    participants = r.text_list("participants", required=False) or list(default_participants)
    goals = r.text_list("goals")
    agenda = read_agenda(r)
    techniques = r.text_list("techniques", required=False, ids=True)
    worksheets = r.text_list("worksheets", required=False, ids=True)
    fidelity = read_fidelity(r)
    r.unknown(SESSION_FIELDS)
    raw = split_sections(doc.body, doc.body_line, path, problems)
    if number is None:
        return None
    session = Session(number, title, minutes, participants, goals, agenda, techniques, worksheets,
                      fidelity, to_sections(raw, path, problems), ref(problems, path, 1),
                      lines={k: doc.meta.line_of(k) for k in doc.meta})
    return session


PAGE_FIELDS = {"title", "summary"}


def load_page(path: Path, kind: str, problems: Problems) -> Page | None:
    text = read_text(path, problems)
    return parse_page(path, text, kind, problems) if text is not None else None


def parse_page(path: Path, text: str, kind: str, problems: Problems) -> Page | None:
    """A page file's text (``path`` is for messages)."""
    doc = split_front_matter(text, path, problems)
    if doc is None:
        return None
    r = FieldReader(doc.meta, path, problems, kind)
    title = r.get("title", str, "")
    summary = r.get("summary", str, "")
    r.unknown(PAGE_FIELDS)
    raw = split_sections(doc.body, doc.body_line, path, problems)
    return Page(path.stem, cast(PageKind, kind), title, summary, to_sections(raw, path, problems),
                ref(problems, path, 1), lines={k: doc.meta.line_of(k) for k in doc.meta})


# --- worksheets ------------------------------------------------------------

WORKSHEET_FIELDS = {"title", "purpose", "for_clinician", "for_client", "fields", "people"}


def load_worksheet(path: Path, problems: Problems) -> Worksheet | None:
    data = load_yaml_file(path, problems, "worksheet")
    if data is None:
        return None
    return build_worksheet(path, data, problems)


def read_field(item: LocDict, line: int, path: Path, problems: Problems, what: str,
               fid: str | None = None) -> Field | None:
    """One worksheet field (``fid`` given: the id is not read from ``item``, as in an overlay's ``replace:``)."""
    fr = FieldReader(item, path, problems, what)
    if fid is None:
        fid = fr.ident("id")
    kind = fr.get("kind", str, "")
    label = fr.get("label", str, "")
    if kind and kind not in FIELD_KINDS:

        fr.problem("kind", f"unknown field kind '{kind}'", did_you_mean(kind, set(FIELD_KINDS)))
        return None
    options: dict[str, object] = {}
    for key, typ in FIELD_KINDS.get(kind, {}).items():
        value = fr.positive_int(key, None) if typ is int else fr.get(key, typ, None)
        if value is not None:
            options[key] = value
    for key, typ in FIELD_OPTIONAL.get(kind, {}).items():
        value = fr.get(key, typ, None, required=False)
        if value is not None:
            options[key] = value
    fr.unknown({"id", "kind", "label"} | set(FIELD_KINDS.get(kind, {})) | set(FIELD_OPTIONAL.get(kind, {}))
               | ({"replace", "add", "after", "before"} if fr.what.startswith("fields ") else set()))
    if kind == "table" and isinstance(options.get("columns"), list):
        cols = options["columns"]
        if not cols:
            fr.problem("columns", f"table '{fid}' has no columns", "list at least one column name")
        elif not all(isinstance(c, str) and c.strip() for c in cols):
            fr.problem("columns", f"table '{fid}': every column name must be text")
    if "prefill" in options and options["prefill"] not in PREFILLS:
        fr.problem("prefill", f"unknown prefill '{options['prefill']}'", f"known: {', '.join(PREFILLS)}")
    if kind == "ticklist" and isinstance(options.get("options"), list) and not options["options"]:
        fr.problem("options", f"tick list '{fid}' has no options")
    return Field(fid, kind, label, options, ref(problems, path, line)) if fid else None


def build_worksheet(path: Path, data: LocDict, problems: Problems) -> Worksheet:
    """A worksheet from its parsed YAML (no reading: ``path`` is for messages)."""
    r = FieldReader(data, path, problems, "worksheet")
    title = r.get("title", str, "")
    purpose = r.get("purpose", str, "")
    for_clinician = r.get("for_clinician", str, "")
    for_client = r.get("for_client", str, "")
    raw = r.get("fields", list, LocList())
    people = r.get("people", list, [], required=False)
    if not all(isinstance(p, str) and p.strip() for p in people):
        r.problem("people", "'people' must be a list of who the sheet is for (text), such as [Young person, Parent]")
        people = []
    r.unknown(WORKSHEET_FIELDS)
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        line = raw.line_of(i)
        if not isinstance(item, LocDict):
            problems.add(path, line, f"field {i + 1} must be a mapping with id, kind and label")
            continue
        found = read_field(item, line, path, problems, f"field {i + 1}")
        if found is not None:
            if found.id in seen:
                problems.add(path, item.line_of("id"), f"duplicate field id '{found.id}' (first used on line "
                                                       f"{seen[found.id]})")
                continue
            seen[found.id] = line
            fields.append(found)
    if not raw and "fields" in data:
        r.problem("fields", "a worksheet needs at least one field")
    return Worksheet(path.stem, title, purpose, for_clinician, for_client, fields, ref(problems, path, 1),
                     lines={k: data.line_of(k) for k in data},
                     people=[str(p).strip() for p in people])


# --- the whole manual ------------------------------------------------------

def source_files(directory: Path, suffix: str) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix == suffix)


def id_files(directory: Path, suffix: str, problems: Problems) -> list[Path]:
    """The files of ``directory`` named ``<id><suffix>``; any other name of that suffix is a problem."""
    found: list[Path] = []
    for path in source_files(directory, suffix):
        if not ID_RE.match(path.stem):
            problems.add(path, 1, f"file name '{visible(path.name)}' is not a valid id",
                         id_hint(path.stem, "name files with lower-case words joined by hyphens"))
            continue
        found.append(path)
    return found


def page_files(folder: Path, problems: Problems) -> list[tuple[PageKind, Path]]:
    """The page files of a manual's, an adaptation's or the addenda's folder: (kind, path) for each
    ``<id>.md`` in problem-areas/, techniques/ and pages/ (:data:`PAGE_DIRS`)."""
    return [(kind, path) for kind, sub in PAGE_DIRS.items() for path in id_files(folder / sub, ".md", problems)]


def load_manual(root: Path, problems: Problems) -> Manual | None:
    """Load the core manual in ``root`` (a folder holding ``protocol.yaml``)."""
    manifest_path = root / "protocol.yaml"
    if not manifest_path.exists():
        problems.add(manifest_path, 1, "manual manifest not found", "create protocol.yaml (see docs/source-format.md)")
        return None
    got = read_manifest(manifest_path, problems)
    if got is None:
        return None
    data, r = got
    mid = r.ident("id")
    title = r.get("title", str, "")
    short_title = r.get("short_title", str, title, required=False) or title
    version = r.version()
    count = r.positive_int("sessions", 0) or 0
    first = r.positive_int("first_session", 1, required=False, minimum=0)
    minutes = r.positive_int("session_minutes", 50) or 50
    participants = r.text_list("participants")
    audience = read_audience(r)
    phases = read_phases(r)
    problem_areas = r.text_list("problem_areas", ids=True)
    page_order = r.text_list("pages", ids=True)
    terms = read_terms(r)
    population = read_population(r)
    r.unknown(MANIFEST_FIELDS)

    sessions: list[Session] = []
    for path in source_files(root / "sessions", ".md"):
        s = load_session(path, problems, minutes, participants)
        if s is not None:
            sessions.append(s)
    pages: dict[str, dict[str, Page]] = {k: {} for k in PAGE_DIRS}
    for kind, path in page_files(root, problems):
        page = load_page(path, kind, problems)
        if page is not None:
            pages[kind][page.id] = page
    worksheets: dict[str, Worksheet] = {}
    for path in id_files(root / "worksheets", ".yaml", problems):
        ws = load_worksheet(path, problems)
        if ws is not None:
            worksheets[ws.id] = ws
    manual = Manual(
        id=mid, title=title, short_title=short_title, version=version, sessions_count=count,
        first_session=first if first is not None else 1, session_minutes=minutes, participants=participants,
        audience=audience, phases=phases, problem_areas=problem_areas, page_order=page_order,
        sessions=sorted(sessions, key=lambda s: s.number), pages=pages["page"],
        problem_area_pages=pages["problem-area"], techniques=pages["technique"], worksheets=worksheets,
        ref=ref(problems, manifest_path, 1), terms=terms, example_population=population,
        lines={k: data.line_of(k) for k in data},
    )
    return manual
