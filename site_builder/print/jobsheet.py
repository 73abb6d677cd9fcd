"""Job sheets: one A4 page beside each print file saying how to print it.

Title, files (pages, sheets, imposition, binding), trim size, bleed, marks, colour profile
and a quantity (or a blank to fill in), in the site's language (template
``print/jobsheets.html``, stylesheet ``print/jobsheet.css``). All the job sheets of a run
are laid out in one WeasyPrint document and split into one PDF each.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import pikepdf

from site_builder.print.imposition import padded_count
from site_builder.settings import Settings
from site_builder.templating import templates_for
from site_builder.theme_files import BUILTIN

TEMPLATE = "print/jobsheets.html"
STYLESHEET = "print/jobsheet.css"
A4_MM = (210.0, 297.0)
A3_MM = (420.0, 297.0)


@dataclass(frozen=True)
class PrintedFile:
    """One file of a print job."""

    name: str
    pages: int
    """Pages of the document (before imposition)."""
    imposition: str = "none"
    """``none``, ``a3-fold`` or ``booklet``."""

    @property
    def blank(self) -> int:
        """Blank pages an imposition adds (to a multiple of four)."""
        return 0 if self.imposition == "none" else padded_count(self.pages) - self.pages

    @property
    def sheets(self) -> int:
        """Sheets of paper, printed both sides."""
        if self.imposition == "none":
            return math.ceil(self.pages / 2)
        return padded_count(self.pages) // 4

    @property
    def sheet_name(self) -> str:
        """The paper size."""
        return "A4" if self.imposition == "none" else "A3"

    @property
    def sheet_mm(self) -> tuple[float, float]:
        """The trimmed paper size in millimetres (width, height)."""
        return A4_MM if self.imposition == "none" else A3_MM


@dataclass(frozen=True)
class JobSheet:
    """What a print shop needs to know about one print job."""

    title: str
    files: tuple[PrintedFile, ...]
    bleed_mm: float
    marks: str
    profile: str
    """The profile's description."""
    condition: str
    """The output intent's print condition."""
    quantity: str = ""
    trim_mm: tuple[float, float] = A4_MM


def render_job_sheets(sheets: list[JobSheet], settings: Settings) -> list[bytes]:
    """Return one single-page PDF per job sheet (deterministic)."""
    if not sheets:
        return []
    from weasyprint import HTML

    from site_builder.pdf.fetcher import SafeFetcher
    from site_builder.pdf.fonts import theme_font_config

    theme = settings.theme
    source = templates_for(theme, settings.language).render(
        TEMPLATE, sheets=sheets, stylesheet=theme.find(STYLESHEET).as_uri())
    document = HTML(string=source, base_url=BUILTIN.as_uri() + "/",
                    url_fetcher=SafeFetcher(list(theme.roots))).render(
                        font_config=theme_font_config())
    if len(document.pages) != len(sheets):  # a sheet ran to two pages: lay each out alone
        return [render_job_sheets([sheet], settings)[0] for sheet in sheets] if len(sheets) > 1 \
            else [document.write_pdf(pdf_identifier=b"country-briefs-job-sheet")]
    whole = pikepdf.open(io.BytesIO(document.write_pdf(pdf_identifier=b"country-briefs-job-sheet")))
    out = []
    for index, sheet in enumerate(sheets):
        single = pikepdf.new()
        single.pages.append(whole.pages[index])
        single.docinfo.Title = sheet.title
        buffer = io.BytesIO()
        single.save(buffer, deterministic_id=True)
        out.append(buffer.getvalue())
    return out
