"""Site settings, declared once with type, default and help.

Each field becomes a Sphinx config value ``ipt_<name>``; read them through
:func:`get_config` rather than ``app.config.ipt_*``.
"""

from __future__ import annotations

import dataclasses as dc
from typing import Any

PREFIX = "ipt_"


@dc.dataclass
class CrisisContact:
    name: str
    phone: str = ""
    notes: str = ""


@dc.dataclass
class SiteConfig:
    clinic_name: str = dc.field(default="", metadata={"help": "Your clinic's name, shown in the site title."})
    contact_line: str = dc.field(default="", metadata={"help": "A line of contact details shown in the footer."})
    crisis_contacts: list[dict[str, str]] = dc.field(
        default_factory=list,
        metadata={"help": "Local crisis and referral contacts: a list of {name, phone, notes} shown where the "
                          "protocol asks for them (risk assessment, relapse plan)."})
    paper: str = dc.field(default="a4", metadata={
        "help": "Default paper size for worksheet links, session packets and printable manuals: a4 or letter."})
    publish: list[str] = dc.field(
        default_factory=list,
        metadata={"help": "Ids of the manuals to publish; empty means all."})
    allow_raw_html: bool = dc.field(default=False, metadata={
        "help": "Allow plain raw HTML (such as <div> or <details>) in protocol sources. Off by default; "
                "turn it on only if you trust everyone who writes the sources. Scripts, event handlers, "
                "javascript: and data: URLs, frames, forms, embedded objects, <style>, <meta>, <link> "
                "and <base> stay refused, and Sphinx's raw directive and file insertion stay disabled. "
                "See docs/source-format.md, 'Links and special blocks'."})

    def contacts(self) -> list[CrisisContact]:
        return [CrisisContact(str(c.get("name", "")), str(c.get("phone", "")), str(c.get("notes", "")))
                for c in self.crisis_contacts if isinstance(c, dict)]


def declare(app: Any) -> None:
    for f in dc.fields(SiteConfig):
        default = f.default if f.default is not dc.MISSING else f.default_factory()  # type: ignore[misc]
        app.add_config_value(PREFIX + f.name, default, "env")


def get_config(config: Any) -> SiteConfig:
    values = {f.name: getattr(config, PREFIX + f.name) for f in dc.fields(SiteConfig)}
    return SiteConfig(**values)
