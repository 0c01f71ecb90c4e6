"""Where each generated page and printed file goes, declared once.

Pages are Sphinx document names (no suffix) inside the generated folder: ``<manual>/index``,
``<manual>/sessions/session-NN``, ``<manual>/<folder>/<id>`` (:data:`PAGE_FOLDERS`).  Printed
files go under ``pdf/<manual>/`` with names that say what they are (``<manual>-<worksheet>-<paper>
[-large].pdf``, ``<manual>-worksheet-pack-<paper>.pdf``, ``<manual>-session-NN-packet-<paper>.pdf``,
``<manual>-printable-manual-<paper>.pdf``); worksheet previews under ``_previews/<manual>/``.
The renderer, the catalog, printing and the link roles all use these functions.
"""

from __future__ import annotations

PDF_DIR = "pdf"
#: Folder of the worksheet preview images, inside the generated folder (kept when pages are synced).
PREVIEWS_DIR = "_previews"
#: The folder of each kind of page inside a manual's folder ("": the manual's folder itself); the
#: keys are the link roles' names.
PAGE_FOLDERS = {"technique": "techniques", "problem-area": "problem-areas", "worksheet": "worksheets",
                "session": "sessions", "page": ""}


def session_name(number: int) -> str:
    """A session's page name (and id): ``session-05``."""
    return f"session-{number:02d}"


def page_doc(manual_id: str, kind: str, item_id: str) -> str:
    """The document name of a page of ``kind`` (a key of :data:`PAGE_FOLDERS`)."""
    folder = PAGE_FOLDERS[kind]
    return f"{manual_id}/{folder}/{item_id}" if folder else f"{manual_id}/{item_id}"


def session_doc(manual_id: str, number: int) -> str:
    return page_doc(manual_id, "session", session_name(number))


def worksheet_pdf(manual_id: str, worksheet_id: str, suffix: str) -> str:
    """A worksheet's PDF; ``suffix`` is the paper, with ``-large`` for large print (``a4-large``)."""
    return f"{PDF_DIR}/{manual_id}/{manual_id}-{worksheet_id}-{suffix}.pdf"


def pack_pdf(manual_id: str, paper: str) -> str:
    return f"{PDF_DIR}/{manual_id}/{manual_id}-worksheet-pack-{paper}.pdf"


def packet_pdf(manual_id: str, number: int, paper: str) -> str:
    return f"{PDF_DIR}/{manual_id}/{manual_id}-{session_name(number)}-packet-{paper}.pdf"


def book_pdf(manual_id: str, paper: str) -> str:
    return f"{PDF_DIR}/{manual_id}/{manual_id}-printable-manual-{paper}.pdf"


def preview_png(manual_id: str, worksheet_id: str) -> str:
    """A worksheet's preview image, relative to the generated folder."""
    return f"{PREVIEWS_DIR}/{manual_id}/{manual_id}-{worksheet_id}.png"
