"""Build Interpersonal Psychotherapy manuals from protocol sources.

As a Sphinx extension (``extensions = ["builder"]``) it generates the manual
pages at build start and writes ``catalog.json`` at the end.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def setup(app: Any) -> dict[str, Any]:
    from .sphinx_ext.main import setup_extension

    return setup_extension(app)
