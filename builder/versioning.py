"""Semantic versions of manuals, release tags, and the version-bump policy.

Release tags are ``<manual-id>/v<MAJOR>.<MINOR>.<PATCH>``, e.g. ``core/v1.2.0``
or ``adolescent/v1.0.1``, placed on the commit whose manifest carries that version.

The bump a change needs: structural → major, content → minor, editorial → patch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .diff import Change, highest_impact
from .rules import ID_PATTERN, SEMVER_PATTERN, SEMVER_RE

TAG_RE = re.compile(rf"^(?P<manual>{ID_PATTERN})/v(?P<version>{SEMVER_PATTERN})\Z")
BUMP_FOR = {"structural": "major", "content": "minor", "editorial": "patch"}
BUMP_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def parse(version: str) -> tuple[int, int, int]:
    m = SEMVER_RE.match(version)
    if not m:
        raise ValueError(f"'{version}' is not a semantic version (MAJOR.MINOR.PATCH)")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def bump_kind(before: str, after: str) -> str:
    """none, patch, minor or major; 'down' when the version went backwards."""
    a, b = parse(before), parse(after)
    if b < a:
        return "down"
    if b == a:
        return "none"
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    return "patch"


def next_version(version: str, bump: str) -> str:
    major, minor, patch = parse(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


@dataclass
class Verdict:
    manual: str
    before: str
    after: str
    impact: str
    required: str
    actual: str
    inherited_only: bool

    @property
    def ok(self) -> bool:
        if self.actual == "down":
            return False
        return BUMP_RANK.get(self.actual, 0) >= BUMP_RANK.get(self.required, 0)

    def message(self) -> str:
        via = " (only through what it inherits)" if self.inherited_only else ""
        if self.actual == "down":
            return f"{self.manual}: version went backwards, {self.before} → {self.after}"
        if self.ok:
            if self.required == "none":
                return f"{self.manual}: no protocol change; version {self.after}"
            return f"{self.manual}: {self.impact} change{via}; version {self.before} → {self.after} is enough"
        return (f"{self.manual}: {self.impact} change{via} needs a {self.required} bump, but the version went "
                f"{self.before} → {self.after}; set version: {next_version(self.before, self.required)} or higher")


def verdicts(changes: list[Change], versions_before: dict[str, str], versions_after: dict[str, str]) -> list[Verdict]:
    out = []
    for manual, after in versions_after.items():
        if manual not in versions_before:
            continue
        mine = [c for c in changes if c.manual == manual and c.field != "version"]
        impact = highest_impact(mine)
        required = BUMP_FOR.get(impact, "none")
        inherited_only = bool(mine) and all(c.inherited_from for c in mine)
        out.append(Verdict(manual, versions_before[manual], after, impact, required,
                           bump_kind(versions_before[manual], after), inherited_only))
    return out


def parse_tag(tag: str) -> tuple[str, str] | None:
    m = TAG_RE.match(tag)
    return (m.group("manual"), m.group("version")) if m else None
