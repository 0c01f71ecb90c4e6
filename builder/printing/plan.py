"""What to print: a pure function from assembled manuals to print jobs with their file names.

File names say what a file is, so a trainer picking from a folder takes the right one:
``<manual>-<worksheet>-<paper>[-large].pdf``, ``<manual>-worksheet-pack-<paper>.pdf``,
``<manual>-session-NN-packet-<paper>.pdf``, ``<manual>-printable-manual-<paper>.pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import paths
from ..model import Manual, Session, Worksheet
from ..paths import PDF_DIR  # noqa: F401  (the templates and printing read it here)

PAPERS = ("a4", "letter")
PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}


@dataclass(frozen=True)
class Variant:
    paper: str
    large: bool = False

    @property
    def suffix(self) -> str:
        return f"{self.paper}-large" if self.large else self.paper

    @property
    def label(self) -> str:
        return f"{PAPER_NAMES[self.paper]}, large print" if self.large else PAPER_NAMES[self.paper]


WORKSHEET_VARIANTS = (Variant("a4"), Variant("letter"), Variant("a4", True), Variant("letter", True))


@dataclass
class PrintJob:
    path: str  #: relative to the site's output folder
    kind: str  #: worksheet, pack, packet
    manual: Manual
    variant: Variant
    worksheets: list[Worksheet]
    checklist: Session | None = None
    title: str = ""
    one_page: bool = False  #: must fit on exactly one page
    source: str = ""  #: source file for messages
    tags: dict[str, str] = field(default_factory=dict)


def worksheet_path(manual_id: str, worksheet_id: str, variant: Variant) -> str:
    return paths.worksheet_pdf(manual_id, worksheet_id, variant.suffix)


# The file names are declared in builder/paths.py.
pack_path = paths.pack_pdf
packet_path = paths.packet_pdf
book_path = paths.book_pdf
preview_path = paths.preview_png


def plan_manual(manual: Manual, default_paper: str = "a4") -> list[PrintJob]:
    """Every print job for one manual, in a stable order (packets in every paper size; the site links
    ``default_paper``)."""
    jobs: list[PrintJob] = []
    worksheets = sorted(manual.worksheets.values(), key=lambda w: w.id)
    for ws in worksheets:
        for variant in WORKSHEET_VARIANTS:
            jobs.append(PrintJob(worksheet_path(manual.id, ws.id, variant), "worksheet", manual, variant, [ws],
                                 title=f"{ws.title} ({manual.short_title} {manual.version})",
                                 one_page=not variant.large, source=ws.ref.path))
    for paper in PAPERS:
        jobs.append(PrintJob(pack_path(manual.id, paper), "pack", manual, Variant(paper), worksheets,
                             title=f"{manual.short_title} worksheet pack ({manual.version})"))
    for session in manual.sessions:
        used = [manual.worksheets[w] for w in session.worksheets if w in manual.worksheets]
        for paper in PAPERS:
            jobs.append(PrintJob(packet_path(manual.id, session.number, paper), "packet", manual,
                                 Variant(paper), used, checklist=session,
                                 title=f"{manual.short_title} session {session.number} packet ({manual.version})",
                                 source=session.ref.path))
    return jobs


def planned_files(manuals: list[Manual], default_paper: str = "a4") -> set[str]:
    """Every PDF the manuals print (site paths): sheets, packs, packets and the printable manuals."""
    return {job.path for manual in manuals for job in plan_manual(manual, default_paper)} | {
        book_path(manual.id, paper) for manual in manuals for paper in PAPERS}
