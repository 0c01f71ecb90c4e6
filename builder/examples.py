"""Fictional examples: ``:::{example} id`` blocks with the population they show.

Parsed once into the model (:attr:`Section.examples`); an adaptation replaces or drops an
inherited example by id with ``adaptations/<id>/examples/<example-id>.md``; :func:`check_examples`
reports an inherited example whose population the manual's ``example_population`` excludes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from .errors import Problems
from .fences import fenced_blocks
from .fields import FieldReader, did_you_mean
from .model import Example, ExamplePopulation, Manual, Section
from .rules import (
    EXAMPLE_AGES,
    EXAMPLE_FLAGS,
    EXAMPLE_FORMATS,
    EXAMPLE_OPEN_RE,
    EXAMPLE_POPULATION_RE,
    ID_RE,
    PERINATAL_RULES,
    visible,
)
from .sourcefile import LocDict, read_text, split_front_matter
from .texts import inherited, own_folder

POPULATION_HINT = (f"write one age band ({', '.join(EXAMPLE_AGES)}), one format ({', '.join(EXAMPLE_FORMATS)}) "
                   "and, if it applies, perinatal; e.g. ':population: adult individual'")


def population_problem(tokens: list[str]) -> str:
    """Why a population is malformed ("" when it is well formed)."""
    unknown = [t for t in tokens if t not in (*EXAMPLE_AGES, *EXAMPLE_FORMATS, *EXAMPLE_FLAGS)]
    if unknown:
        return f"unknown population word '{visible(unknown[0])}'"
    if sum(t in EXAMPLE_AGES for t in tokens) != 1:
        return "a population names exactly one age band"
    if sum(t in EXAMPLE_FORMATS for t in tokens) != 1:
        return "a population names exactly one format"
    return ""


def section_examples(section: Section) -> list[Example]:
    """The examples of a section, from the text of each of its parts (no problems reported)."""
    spans = section.spans or [(section.body, section.ref.path, section.body_line or section.ref.line + 1)]
    return [e for text, path, line in spans for e in parse_examples(text, line, path)]


def parse_examples(body: str, body_line: int, path: Path | str | None = None,
                   problems: Problems | None = None) -> list[Example]:
    """Every ``{example}`` block of a body, with its id, population and lines (1-based, in the file)."""
    lines = body.split("\n")
    found: list[Example] = []
    for block in fenced_blocks(lines):
        m = EXAMPLE_OPEN_RE.match(lines[block.start])
        if not m:
            continue
        i, end = block.start, block.end
        pop = next((EXAMPLE_POPULATION_RE.match(x) for x in lines[i + 1:end] if EXAMPLE_POPULATION_RE.match(x)), None)
        tokens = pop.group("tokens").split() if pop else []
        example = Example(m.group("id"), tokens, body_line + i, body_line + end, str(path or ""),
                          "\n".join(lines[i:end + 1]))
        found.append(example)
        if problems is not None:
            _report(example, path, problems)
    return found


def _report(example: Example, path: Path | str, problems: Problems) -> None:
    if not ID_RE.match(example.id):
        problems.add(path, example.line, f"example id '{visible(example.id)}' is not a valid id",
                     "write ':::{example} session-05-ms-k' (lower-case words joined by hyphens)")
    why = population_problem(example.population) if example.population else "the example has no ':population:'"
    if why:
        problems.add(path, example.line, f"example '{example.id}': {why}", POPULATION_HINT)


def read_population(r: FieldReader) -> ExamplePopulation | None:
    """``example_population:`` of a manifest."""
    raw = r.get("example_population", LocDict, None, required=False)
    if raw is None:
        return None
    pr = FieldReader(raw, r.path, r.problems, "example_population")
    ages = pr.text_list("age")
    formats = pr.text_list("format")
    perinatal = pr.get("perinatal", str, "optional", required=False)
    pr.unknown({"age", "format", "perinatal"})
    for key, values, allowed in (("age", ages, EXAMPLE_AGES), ("format", formats, EXAMPLE_FORMATS)):
        for v in values:
            if v not in allowed:
                pr.problem(key, f"example_population: unknown {key} '{visible(v)}'", did_you_mean(v, list(allowed)))
    if perinatal not in PERINATAL_RULES:
        pr.problem("perinatal", f"example_population: perinatal must be one of {', '.join(PERINATAL_RULES)}")
        perinatal = "optional"
    return ExamplePopulation(ages, formats, perinatal)


# --- replacing and dropping by id ------------------------------------------------------------------

@dataclass
class ExampleOverlay:
    id: str
    path: Path
    population: list[str]
    drop: bool
    body: str
    body_line: int


def read_example_overlays(folder: Path, problems: Problems) -> dict[str, ExampleOverlay]:
    """``examples/<example-id>.md`` of an adaptation (front matter ``population`` or ``drop: true``)."""
    out: dict[str, ExampleOverlay] = {}
    directory = folder / "examples"
    if not directory.is_dir():
        return out
    for path in sorted(p for p in directory.iterdir() if p.suffix == ".md"):
        text = read_text(path, problems)
        doc = split_front_matter(text, path, problems) if text is not None else None
        if doc is None:
            continue
        r = FieldReader(doc.meta, path, problems, "example")
        drop = r.get("drop", bool, False, required=False)
        population = r.get("population", str, "", required=not drop).split()
        r.unknown({"population", "drop"})
        body = doc.body.strip("\n")
        if drop and body.strip():
            r.problem("drop", "a dropped example has no text", "delete the text, or remove 'drop: true'")
        elif not drop and not body.strip():
            problems.add(path, doc.body_line, "the replacement example has no text",
                         "write the example (fictional) after the front matter, or set 'drop: true'")
        why = population_problem(population) if population else ""
        if why:
            r.problem("population", f"example '{path.stem}': {why}", POPULATION_HINT)
        leading = len(doc.body) - len(doc.body.lstrip("\n"))
        out[path.stem] = ExampleOverlay(path.stem, path, population, drop, body, doc.body_line + leading)
    return out


def _replace_block(section: Section, example: Example, new: str, rel: str, line: int) -> Section:
    """``section`` with the lines of ``example`` replaced by ``new`` (spans split around it)."""
    out = copy.copy(section)
    spans = []
    for text, path, first in section.spans or [(section.body, section.ref.path, section.body_line)]:
        lines = text.split("\n")
        start, end = example.line - first, example.end - first
        if path != example.path or not 0 <= start < len(lines):
            spans.append((text, path, first))
            continue
        before, after = "\n".join(lines[:start]).rstrip("\n"), "\n".join(lines[end + 1:])
        skipped = len(after) - len(after.lstrip("\n"))
        parts = ((before, path, first), (new, rel, line), (after.strip("\n"), path, first + end + 1 + skipped))
        spans += [p for p in parts if p[0]]
    out.spans = spans
    out.body = "\n\n".join(t for t, _, _ in spans)
    return out


def apply_example_overlays(sections: list[Section], overlays: dict[str, ExampleOverlay], problems: Problems,
                           used: set[str]) -> list[Section]:
    """Replace or drop the examples ``overlays`` name in ``sections``; ``used`` collects the ids found."""
    out = []
    for section in sections:
        for example in list(section.examples):
            overlay = overlays.get(example.id)
            if overlay is None:
                continue
            used.add(example.id)
            rel = problems.rel(overlay.path)
            new = "" if overlay.drop else (f":::{{example}} {example.id}\n:population: {' '.join(overlay.population)}"
                                           f"\n{overlay.body}\n:::")
            base = section
            section = _replace_block(section, example, new, rel, overlay.body_line - 2)
            section.origin = "adapted" if section.origin == "core" else section.origin
            section.operation = section.operation or "example"
            section.base_title, section.base_body = base.base_title or base.title, base.base_body or base.body
            section.examples = [e for e in section.examples if e.id != example.id]
            if not overlay.drop:
                section.examples.append(Example(example.id, overlay.population, overlay.body_line - 2,
                                                overlay.body_line + overlay.body.count("\n") + 1, rel, new))
        out.append(section)
    return out


# --- checks ----------------------------------------------------------------------------------------

def manual_examples(manual: Manual) -> list[tuple[str, Example]]:
    """(unit, example) for every example in the manual's sessions and pages."""
    found = [(f"{s.id}/{sec.id}", e) for s in manual.sessions for sec in s.sections for e in sec.examples]
    for group in (manual.pages, manual.problem_area_pages, manual.techniques):
        found += [(f"{p.kind}/{p.id}/{sec.id}", e) for p in group.values() for sec in p.sections for e in sec.examples]
    return found


def check_examples(manual: Manual, problems: Problems) -> None:
    """Ids are unique in the manual; an inherited example fits the manual's population."""
    seen: dict[str, Example] = {}
    for _, example in manual_examples(manual):
        first = seen.get(example.id)
        if first is not None and (first.path, first.line) != (example.path, example.line):
            problems.add(example.path, example.line, f"example id '{example.id}' is used twice in manual "
                         f"'{manual.id}' (first in {first.path}:{first.line})", "give each example its own id")
        seen.setdefault(example.id, example)
        if manual.example_population is None or not inherited(manual, example.path):
            continue
        why = manual.example_population.excludes(example.population)
        if why:
            problems.add(example.path, example.line,
                         f"inherited example '{example.id}' shows {why}, which manual '{manual.id}' leaves out",
                         f"replace it in {own_folder(manual)}examples/{example.id}.md (front matter "
                         "'population: …' and the new text) or drop it there with 'drop: true'")


