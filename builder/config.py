"""Site settings for a clinic, declared once with type, default, validator and help.

Each field of :class:`SiteConfig` is a Sphinx config value ``ipt_<name>`` set in
``conf.py``.  Values are validated when Sphinx starts (and by ``ipt-manual check``);
an unknown ``ipt_*`` name, a wrong type or a bad value stops the build with a
message naming the setting.  Read settings through :func:`get_config`, never
``app.config.ipt_*`` directly.  README's settings table is generated from this
declaration (``python -m builder.config``).
"""

from __future__ import annotations

import dataclasses as dc
import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .logo import inside_project, logo_problem

PREFIX = "ipt_"
#: Words of the example settings (conf.py): contacts holding them are placeholders, not a clinic's own.
Validator = Callable[[str, Any], list[str]]


def _type(kind: type | tuple[type, ...], label: str) -> Validator:
    def check(name: str, value: Any) -> list[str]:
        if isinstance(value, bool) and kind is not bool:
            return [f"{PREFIX}{name} must be {label}, not {value!r}"]
        return [] if isinstance(value, kind) else [f"{PREFIX}{name} must be {label}, not {type(value).__name__}"]
    return check


def _one_of(*choices: str) -> Validator:
    def check(name: str, value: Any) -> list[str]:
        if value not in choices:
            return [f"{PREFIX}{name} must be one of {', '.join(map(repr, choices))}, not {value!r}"]
        return []
    return check


def _records(required: tuple[str, ...], optional: tuple[str, ...]) -> Validator:
    def check(name: str, value: Any) -> list[str]:
        if not isinstance(value, list):
            return [f"{PREFIX}{name} must be a list of mappings, not {type(value).__name__}"]
        errors = []
        for i, item in enumerate(value, 1):
            if not isinstance(item, dict):
                errors.append(f"{PREFIX}{name} item {i} must be a mapping like {{'name': ...}}")
                continue
            for key in required:
                if not isinstance(item.get(key), str) or not item[key].strip():
                    errors.append(f"{PREFIX}{name} item {i} needs '{key}' (text)")
            for key in item:
                if key not in required + optional:
                    errors.append(f"{PREFIX}{name} item {i}: unknown key '{key}' (known: "
                                  f"{', '.join(required + optional)})")
                elif not isinstance(item[key], str):
                    errors.append(f"{PREFIX}{name} item {i}: '{key}' must be text")
        return errors
    return check


def _plain_line(name: str, value: Any) -> list[str]:
    """Text shown on pages and printed sheets: one line, no control characters (it is escaped where shown)."""
    if not isinstance(value, str):
        return _type(str, "text")(name, value)
    bad = next((c for c in value if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029"), None)
    if bad is not None:
        return [f"{PREFIX}{name} must be one line of plain text, without the control character U+{ord(bad):04X}"]
    return []


def _ids(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [f"{PREFIX}{name} must be a list of manual ids (text)"]
    return []


def _names(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        return [f"{PREFIX}{name} must be a non-empty list of font names (text), in fallback order"]
    return []


def _field(default: Any, validator: Validator, help_text: str, example: str = "") -> Any:
    metadata = {"validator": validator, "help": help_text, "example": example}
    if isinstance(default, list):
        return dc.field(default_factory=lambda: list(default), metadata=metadata)
    return dc.field(default=default, metadata=metadata)


@dc.dataclass
class CrisisContact:
    name: str
    phone: str = ""
    notes: str = ""


@dc.dataclass
class ReferralPathway:
    name: str
    details: str = ""


@dc.dataclass
class SiteConfig:
    clinic_name: str = _field("", _plain_line, "Your clinic's name, shown in the site title and on the "
                              "landing pages. Plain text on one line: shown exactly as written, never as markup.",
                              '"Riverside Community Mental Health"')
    logo: str = _field("", _type(str, "text"), "Path of a logo image (PNG, JPEG or SVG), relative to the "
                       "project folder and inside it; shown in the navigation. An SVG must be a plain drawing "
                       "(no scripts, event handlers or references to other files).", '"local/logo.svg"')
    contact_line: str = _field("", _plain_line, "A line of contact details shown on the landing pages "
                               "(plain text on one line, shown exactly as written).",
                               '"IPT service: 01234 567890, ipt@example.org"')
    crisis_contacts: list[dict[str, str]] = _field(
        [], _records(("name",), ("phone", "notes")),
        "Local crisis and safety contacts, shown where the protocol calls for them (risk assessment, safety "
        "planning, the relapse plan) and printed on the ending-plan worksheet. Without any, those places show a "
        "placeholder and the build warns.", '[{"name": "Duty clinician", "phone": "01234 567890", '
        '"notes": "weekdays 9-5"}]')
    referral_pathways: list[dict[str, str]] = _field(
        [], _records(("name",), ("details",)),
        "Local referral pathways, listed with the crisis contacts.",
        '[{"name": "Crisis team", "details": "urgent same-day referral by phone"}]')
    paper: str = _field("a4", _one_of("a4", "letter"), "Default paper size for worksheet links, session packets "
                        "and the printable manuals.", '"letter"')
    publish: list[str] = _field([], _ids, "Ids of the manuals to publish; empty publishes all. An adaptation "
                                "brings the manual it extends; manuals no longer listed leave the built site.",
                                '["core", "adolescent"]')
    noindex: bool = _field(True, _type(bool, "True or False"), "Ask search engines not to index the site "
                           "(a robots.txt and a noindex tag on every page), for an internal site.", "False")
    addenda: str = _field("local", _type(str, "text"), "Folder of the clinic's local addenda (pages and "
                          "section-level notes or overrides on any manual), relative to the project folder.",
                          '"local"')
    allow_raw_html: bool = _field(
        False, _type(bool, "True or False"),
        "Allow plain raw HTML (such as <div> or <details>) in protocol sources. Off by default; turn it on only "
        "if you trust everyone who writes the sources. Scripts, event handlers, javascript: and data: URLs, "
        "frames, forms, embedded objects, <style>, <meta>, <link> and <base> stay refused, and Sphinx's raw "
        "directive and file insertion stay disabled.", "True")

    print_fonts: list[str] = _field(
        ["atkinson-hyperlegible", "ipt-symbols"], _names,
        "Fonts of every PDF (text and form fields), in fallback order: a character missing from the first is "
        "taken from the next. Each is a font package (fontpkg-NAME, pinned), a font committed with the builder "
        "(builder/printing/fonts/NAME) or a project folder of .ttf/.otf files (local/fonts/NAME). System fonts "
        "are never used: text no listed font covers stops the build, naming the text.",
        '["local/fonts/my-font", "atkinson-hyperlegible", "ipt-symbols"]')

    def contacts(self) -> list[CrisisContact]:
        return [CrisisContact(str(c.get("name", "")), str(c.get("phone", "")), str(c.get("notes", "")))
                for c in self.crisis_contacts if isinstance(c, dict)]

    def contacts_are_placeholders(self) -> bool:
        """True while no contacts are set, or they still hold the example text (printed with a draft mark).

        The same rule as the site's draft banner and release mode (:func:`placeholder_settings`).
        """
        return f"{PREFIX}crisis_contacts" in placeholder_settings({f"{PREFIX}crisis_contacts": self.crisis_contacts})

    def pathways(self) -> list[ReferralPathway]:
        return [ReferralPathway(str(c.get("name", "")), str(c.get("details", "")))
                for c in self.referral_pathways if isinstance(c, dict)]


def validate_values(values: dict[str, Any], root: Path | None = None) -> list[str]:
    """Every problem with the ``ipt_*`` values of a conf.py namespace, naming the setting."""
    fields = {f.name: f for f in dc.fields(SiteConfig)}
    errors: list[str] = []
    for key in sorted(values):
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX):]
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=1)
            errors.append(f"unknown setting {key}" + (f"; did you mean {PREFIX}{close[0]}?" if close else ""))
            continue
        errors += fields[name].metadata["validator"](name, values[key])
    return errors + _path_errors(values, root)


def _path_errors(values: dict[str, Any], root: Path | None) -> list[str]:
    """The logo and the addenda folder must be inside the project; the logo a safe image."""

    if root is None:
        return []
    errors = []
    logo = values.get(PREFIX + "logo")
    if isinstance(logo, str) and logo:
        why = logo_problem(root, logo)
        if why:
            errors.append(f"{PREFIX}logo: file '{logo}' {why} (paths are relative to {root})")
    addenda = values.get(PREFIX + "addenda")
    if isinstance(addenda, str) and addenda:
        why = inside_project(root, addenda)
        if why:
            errors.append(f"{PREFIX}addenda: '{addenda}' {why}")
    return errors


#: Not clinic settings: ``ipt_versions_site`` is set by ``ipt-manual versions`` for each unit of the
#: multi-version site; ``ipt_print_in_background`` by ``make serve`` (pages do not wait for PDFs).
INTERNAL = {"ipt_versions_site": False, "ipt_print_in_background": False}

#: The clinic settings a published site must fill in, and the words that mark the example values
#: shipped in conf.py ("Example Clinic", "replace with your duty line", "your local emergency number").
CLINIC_SETTINGS = ("clinic_name", "contact_line", "crisis_contacts", "referral_pathways")
PLACEHOLDER = re.compile(r"\b(example|replace|your local|your duty)\b", re.IGNORECASE)


def placeholder_settings(values: dict[str, Any]) -> list[str]:
    """Names (``ipt_*``) of the clinic settings that still hold example values or are unset.

    ``values`` maps ``ipt_*`` names to values (conf.py's namespace, or :func:`as_values`).
    The one place that decides whether a site is a draft: the site banner, release mode
    and the printed worksheets all ask here.
    """
    found = []
    for name in CLINIC_SETTINGS:
        value = values.get(PREFIX + name)
        unset = name == "crisis_contacts" and not value
        if unset or PLACEHOLDER.search(repr(value) if value is not None else ""):
            found.append(PREFIX + name)
    return found


def as_values(settings: SiteConfig) -> dict[str, Any]:
    return {PREFIX + f.name: getattr(settings, f.name) for f in dc.fields(SiteConfig)}


def setting_line(conf: Path, name: str) -> int:
    """The line of ``conf.py`` that assigns ``name`` (1 when it is not assigned there)."""
    if conf.is_file():
        for number, line in enumerate(conf.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"\s*{re.escape(name)}\s*(:[^=]*)?=", line):
                return number
    return 1


def declare(app: Any) -> None:
    for f in dc.fields(SiteConfig):
        default = f.default if f.default is not dc.MISSING else f.default_factory()  # type: ignore[misc]
        app.add_config_value(PREFIX + f.name, default, "env")
    for name, default in INTERNAL.items():
        app.add_config_value(name, default, "env")


def get_config(config: Any) -> SiteConfig:
    values = {f.name: getattr(config, PREFIX + f.name) for f in dc.fields(SiteConfig)}
    return SiteConfig(**values)


def read_conf(root: Path) -> dict[str, Any]:
    """The ``ipt_*`` values of ``root/conf.py`` (for checks outside Sphinx)."""
    from sphinx.config import eval_config_file

    return {k: v for k, v in eval_config_file(root / "conf.py", {}).items() if k.startswith(PREFIX)}


def markdown_table() -> str:
    """The README's table of settings, generated from this declaration."""
    rows = ["| Setting | Default | What it does | Example |", "|---|---|---|---|"]
    for f in dc.fields(SiteConfig):
        default = f.default if f.default is not dc.MISSING else f.default_factory()  # type: ignore[misc]
        rows.append(f"| `{PREFIX}{f.name}` | `{default!r}` | {f.metadata['help']} | `{f.metadata['example']}` |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown_table(), end="")
