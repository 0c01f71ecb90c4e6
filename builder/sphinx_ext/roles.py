"""Roles that link within the manual a page belongs to.

``{technique}`communication-analysis``` written in core text resolves to the
core's technique page in the core manual and to the adaptation's own page in
an adaptation, because the target is computed from the current document.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.osutil import relative_uri

from ..paths import page_doc, session_doc
from ..rules import LINK_ROLES
from ..sections import role_target


def target_doc(role: str, manual_id: str, target: str) -> str:
    if role == "session":
        try:
            return "/" + session_doc(manual_id, int(target))
        except ValueError:
            pass
    return "/" + page_doc(manual_id, role, target)


def make_role(role: str) -> Any:
    def link_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                  options: dict[str, Any] | None = None, content: list[str] | None = None) -> Any:
        env = inliner.document.settings.env
        manual_id = env.docname.split("/")[0]
        title, target = role_target(text)
        if ":" in target:
            manual_id, _, target = target.rpartition(":")
        node = addnodes.pending_xref(rawtext, refdomain="std", reftype="doc",
                                     reftarget=target_doc(role, manual_id, target),
                                     refexplicit=bool(title), refwarn=True,
                                     refdoc=env.docname)
        node += nodes.inline(rawtext, title or target, classes=["xref", "std", "std-doc", f"ipt-{role}"])
        return [node], []

    return link_role


def setup_roles(app: Any) -> None:
    for role in LINK_ROLES:
        app.add_role(role, make_role(role))
    app.add_role("ipt-download", download_role)


def download_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                  options: dict[str, Any] | None = None, content: list[str] | None = None) -> Any:
    """``{ipt-download}`label <pdf/core/file.pdf>```: a link to a file the build writes into the site."""
    env = inliner.document.settings.env
    title, target = role_target(text)
    uri = relative_uri(env.app.builder.get_target_uri(env.docname), target)
    node = nodes.reference(rawtext, title or target, refuri=uri, classes=["ipt-download"])
    return [node], []
