"""The clinic's logo (``ipt_logo``) and addenda folder (``ipt_addenda``): paths inside the project, safe files.

The theme copies the logo into every site and browsers run what an SVG holds, so the logo must be a
PNG, JPEG or SVG file inside the project, and an SVG must be a plain drawing: no scripts, no event
handlers, no embedded HTML, no references to other files or addresses (only ``#`` fragments inside
the drawing).  It is refused rather than cleaned, so what is published is what the clinic committed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

LOGO_TYPES = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".svg": b""}
MAX_LOGO_BYTES = 2_000_000
#: SVG elements that run code, show other documents or pull in other files.
SVG_FORBIDDEN = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler", "listener",
                           "animate", "set", "animatemotion", "animatetransform"})
_URL_RE = re.compile(r"url\s*\(\s*['\"]?\s*(?P<ref>[^'\")\s]*)", re.I)


def inside_project(root: Path, value: str) -> str:
    """Why the relative path ``value`` does not name something inside ``root`` ("" when it does)."""
    if Path(value).is_absolute() or value.startswith("~") or re.match(r"^[a-z]:", value, re.I):
        return "is an absolute path; give a path relative to the project folder"
    if ".." in re.split(r"[\\/]", value):
        return "leaves the project ('..'); give a path inside the project folder"
    try:
        rel = (root / value).resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return "leads outside the project through a symbolic link"
    if any(part.startswith(".") for part in rel.parts):
        return "is in a hidden folder"
    return ""


def logo_problem(root: Path, value: str) -> str:
    """Why ``value`` is not an acceptable logo ("" when it is)."""
    why = inside_project(root, value)
    if why:
        return why
    path = root / value
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        return f"must be a PNG, JPEG or SVG image, not '{path.suffix or path.name}'"
    if not path.is_file():
        return "does not exist"
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        return f"is too large ({len(data):,} bytes; the limit is {MAX_LOGO_BYTES:,})"
    if suffix != ".svg":
        return "" if data.startswith(LOGO_TYPES[suffix]) else f"is not a {suffix[1:].upper()} image"
    return svg_problem(data)


def svg_problem(data: bytes) -> str:
    """Why an SVG could run code or load something ("" for a plain drawing)."""
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", data, re.I):
        return "is an SVG with a DOCTYPE or entities; remove them"
    try:
        tree = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"is not a well-formed SVG ({exc})"
    for element in tree.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in SVG_FORBIDDEN:
            return f"is an SVG with a <{name}> element, which can run code or load other files"
        for attr, value in element.attrib.items():
            key = attr.rsplit("}", 1)[-1].lower()
            if key.startswith("on"):
                return f"is an SVG with an event handler ({key}=)"
            if key in ("href", "src") and not value.strip().startswith("#"):
                return f"is an SVG that refers to '{value[:60]}'"
            if any(not m.group("ref").startswith("#") for m in _URL_RE.finditer(value)):
                return f"is an SVG whose '{key}' loads a file or address"
        if name == "style" and (element.text or "") and ("@import" in element.text.lower() or any(
                not m.group("ref").startswith("#") for m in _URL_RE.finditer(element.text))):
            return "is an SVG whose style sheet loads a file or address"
    return ""
