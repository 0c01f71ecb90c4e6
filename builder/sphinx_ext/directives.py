"""Directives of the protocol format.

``clinic-contacts``: the clinic's crisis and referral contacts.
``example``: a fictional example, addressable by id, with the population it shows.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..config import get_config

LOGGER = logging.getLogger(__name__)

PLACEHOLDER = ("No local contacts are configured for this site. Use your service's crisis and "
               "referral pathway, and ask the site maintainer to set ipt_crisis_contacts in conf.py.")


class ClinicContacts(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        settings = get_config(self.env.config)
        box = nodes.admonition(classes=["ipt-clinic-contacts", "important"])
        box += nodes.title(text="Local crisis and referral contacts")
        contacts = settings.contacts()
        if not contacts:
            box["classes"].append("ipt-placeholder")
            box += nodes.paragraph(text=PLACEHOLDER)
            return [box]
        if settings.clinic_name:
            box += nodes.paragraph(text=f"{settings.clinic_name}:")
        items = nodes.bullet_list()
        for c in contacts:
            para = nodes.paragraph()
            para += nodes.strong(text=c.name)
            if c.phone:
                para += nodes.Text(f": {c.phone}")
            if c.notes:
                para += nodes.Text(f" ({c.notes})")
            items += nodes.list_item("", para)
        box += items
        pathways = settings.pathways()
        if pathways:
            box += nodes.paragraph(text="Referral pathways:")
            routes = nodes.bullet_list()
            for p in pathways:
                para = nodes.paragraph()
                para += nodes.strong(text=p.name)
                if p.details:
                    para += nodes.Text(f": {p.details}")
                routes += nodes.list_item("", para)
            box += routes
        return [box]


class Example(SphinxDirective):
    """``:::{example} <id>`` with ``:population:``: shown as a box titled "Fictional example"."""

    required_arguments = 1
    has_content = True
    option_spec = {"population": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        box = nodes.admonition(classes=["ipt-example", "admonition-fictional-example"])
        box["ids"].append(f"example-{self.arguments[0]}")
        box += nodes.title(text="Fictional example")
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


def setup_directives(app: Any) -> None:
    app.add_directive("clinic-contacts", ClinicContacts)
    app.add_directive("example", Example)
