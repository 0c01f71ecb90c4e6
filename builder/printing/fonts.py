"""The print fonts: only fonts the project brings, loaded through @font-face, never the system's.

``ipt_print_fonts`` (builder/config.py) names the fonts in fallback order. Each name is one of:

* a folder of the project (a name with a ``/``, such as ``local/fonts/my-font``) holding .ttf/.otf files;
* a font committed with the builder (``builder/printing/fonts/<name>/``, with its licence and source);
* an installed font package from the package index, ``fontpkg-<name>`` (pinned in requirements.lock).

Every face gets a family name of the project's own (``ipt-<name>``), so a font of the same name
installed on the machine can never stand in for it. Text is checked before rendering: a character
none of the fonts has stops the build, naming the text that needs it. After rendering, every font
WeasyPrint embedded must carry one of these family names (the form-field font included).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..resources import FONTS

BUNDLED = FONTS
FONT_SUFFIXES = (".ttf", ".otf")


class PrintFontError(ValueError):
    """A print font is missing, or text needs a character no print font has."""


@dataclass(frozen=True)
class Face:
    path: Path
    family: str  #: the project's own family name for this font
    weight: int
    italic: bool
    sha256: str


@dataclass(frozen=True)
class FontSet:
    names: tuple[str, ...]
    faces: tuple[Face, ...]
    codepoints: frozenset[int] = field(repr=False)

    @property
    def families(self) -> list[str]:
        return list(dict.fromkeys(face.family for face in self.faces))

    @property
    def stack(self) -> str:
        """The CSS font-family value: the project's families only, no generic fallback."""
        return ", ".join(f'"{family}"' for family in self.families)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(" ".join(f.sha256 for f in self.faces).encode()).hexdigest()[:16]

    def css(self) -> str:
        """@font-face rules for every face (and a comment that keys the PDF cache to the font files)."""
        rules = [f"/* print fonts {' > '.join(self.names)}: {self.fingerprint} */"]
        for face in self.faces:
            rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.as_uri()}"); '
                         f"font-weight: {face.weight}; font-style: {'italic' if face.italic else 'normal'}; }}")
        return "\n".join(rules)


def family_name(name: str) -> str:
    return "ipt-" + re.sub(r"[^a-z0-9]+", "-", name.rsplit("/", 1)[-1].lower()).strip("-")


def font_folder(name: str, root: Path) -> Path:
    """Where the files of print font ``name`` are; PrintFontError with a hint if nowhere."""
    if "/" in name:
        folder = (root / name).resolve()
        if not folder.is_relative_to(root.resolve()):
            raise PrintFontError(f"ipt_print_fonts: '{name}' is outside the project folder")
        if folder.is_dir():
            return folder
        raise PrintFontError(f"ipt_print_fonts: no folder '{name}' in the project")
    if (BUNDLED / name).is_dir():
        return BUNDLED / name
    spec = importlib.util.find_spec("fontpkg_" + name.replace("-", "_"))
    if spec is not None and spec.origin:
        return Path(spec.origin).parent / "files"
    raise PrintFontError(f"ipt_print_fonts: unknown font '{name}' (hint: give a project folder such as "
                         f"'local/fonts/{name}', or install the pinned package fontpkg-{name})")


def read_face(path: Path, family: str) -> tuple[Face, set[int]]:
    from fontTools.ttLib import TTFont

    data = path.read_bytes()
    with TTFont(io.BytesIO(data)) as font:
        italic = bool(font["head"].macStyle & 2) or bool(font["OS/2"].fsSelection & 1)
        face = Face(path, family, int(font["OS/2"].usWeightClass), italic, hashlib.sha256(data).hexdigest())
        return face, set(font.getBestCmap())


def font_files(names: tuple[str, ...], root: Path) -> list[Path]:
    """The files of the print fonts ``names``, in fallback order (PrintFontError when one has none)."""
    found = []
    for name in names:
        files = sorted(p for p in font_folder(name, root).iterdir() if p.suffix.lower() in FONT_SUFFIXES)
        if not files:
            raise PrintFontError(f"ipt_print_fonts: '{name}' has no .ttf or .otf files")
        found += files
    return found


@lru_cache(maxsize=8)
def load_fonts(names: tuple[str, ...], root: Path) -> FontSet:
    """The faces of the print fonts ``names`` (fallback order), read once per process."""
    faces: list[Face] = []
    codepoints: set[int] = set()
    for name in names:
        for path in font_files((name,), root):
            face, cmap = read_face(path, family_name(name))
            faces.append(face)
            codepoints |= cmap
    return FontSet(names, tuple(faces), frozenset(codepoints))


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")


def uncovered(html: str, fonts: FontSet) -> list[str]:
    """One message per character of ``html`` that no print font has, naming the text that needs it."""
    messages = []
    for char in sorted(c for c in set(html) if ord(c) not in fonts.codepoints and _visible(c)):
        at = html.index(char)
        text = re.sub(r"<[^>]*>", " ", html[max(0, at - 60):at + 40]).split(char, 1)
        context = " ".join(text[0].split()[-6:] + [char] + (text[1].split()[:6] if len(text) > 1 else []))
        name = unicodedata.name(char, "unnamed character")
        messages.append(f"no print font has U+{ord(char):04X} {name} '{char}', needed by the text "
                        f"\"{context}\" (fonts: {', '.join(fonts.names)}; hint: reword the text, or add a font "
                        "that has it to ipt_print_fonts)")
    return messages


def foreign_fonts(document: object, fonts: FontSet) -> list[str]:
    """Fonts WeasyPrint used that are not the project's (system fallback), with the characters they drew."""
    messages = []
    for font in getattr(document, "fonts", {}).values():
        if font.family in fonts.families:  # only the project's files carry these family names
            continue
        chars = "".join(sorted(set("".join(str(t) for t in font.to_unicode.values()))))[:40]
        messages.append(f"the system font '{font.family}' was used for {chars!r}, which the print fonts "
                        f"({', '.join(fonts.names)}) do not cover (hint: add a font to ipt_print_fonts)")
    return messages
