"""The print variant of brief PDFs: PDF/X-4, CMYK, bleed, marks, 300 ppi images, own cache.

A print file is rendered like the web PDF (same HTML, same layout, same page budget) with
WeasyPrint's ``pdf/x-4`` variant, a user stylesheet (the theme's ``print/print-file.css``:
CMYK colours; the bleed; the CMYK profile as ``device-cmyk``) and images cut to 300 ppi;
then, still in the worker, :func:`finish_print_file` converts what is left in RGB
(:mod:`~site_builder.print.cmyk`), writes the PDF/X parts (:mod:`~site_builder.print.pdfx`)
and draws the marks (:mod:`~site_builder.print.marks`). The cache entry is keyed by the
brief's inputs and :func:`print_key` (the print options, the profile, the print code).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pikepdf

from site_builder.findings import BriefsError
from site_builder.model import Corpus
from site_builder.pdf.build import PdfReport, RenderVariant, render_all
from site_builder.pdf.cache import hash_tree
from site_builder.print.cmyk import ConversionError, convert_to_cmyk, rgb_uses
from site_builder.print.marks import add_marks
from site_builder.print.pdfx import MM, OutputCondition, document_date, make_pdfx, saved
from site_builder.settings import Settings
from site_builder.theme_files import BUILTIN

PRINT_DPI = 300
"""Resolution of raster images in print files, at their printed size."""
PRINT_STYLESHEET = "print/print-file.css"
"""Laid over the brief's stylesheet in print files (CMYK colours); a project may override it."""
DEFAULT_PROFILE = BUILTIN / "print" / "profiles" / "country-briefs-FOGRA39L.icc"
"""The shipped CMYK output profile (see its README.txt)."""
PRINT_OPTIONS = (("pdf_variant", "pdf/x-4"), ("dpi", PRINT_DPI))
"""WeasyPrint options of print files (over the web PDF's)."""
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PrintSpec:
    """What finishing a print file needs (picklable: it goes to the render workers)."""

    profile: Path
    bleed_mm: float
    marks: str
    condition: OutputCondition = field(default_factory=OutputCondition)


def print_spec(settings: Settings) -> PrintSpec:
    """Return the finishing options of a project's print files."""
    options = settings.print
    profile = (settings.project_dir / options.profile).resolve() if options.profile else DEFAULT_PROFILE
    return PrintSpec(profile, options.bleed, options.marks)


def print_key(settings: Settings) -> str:
    """Return the hash of everything a print file adds to a brief's inputs."""
    spec = print_spec(settings)
    digest = hashlib.sha256(json.dumps([asdict(spec), PRINT_OPTIONS], default=str).encode())
    digest.update(spec.profile.read_bytes())
    digest.update(settings.theme.find(PRINT_STYLESHEET).read_bytes())
    hash_tree(digest, _CODE)
    return digest.hexdigest()


def print_css(settings: Settings) -> str:
    """Return the user stylesheet of print files: the theme's CMYK colours, the profile, the bleed."""
    spec = print_spec(settings)
    sheet = settings.theme.find(PRINT_STYLESHEET).as_uri()
    bleed = f"{spec.bleed_mm:g}mm"
    return (f'@import url("{sheet}");\n'
            f'@color-profile device-cmyk {{ src: url("{spec.profile.as_uri()}"); '
            "components: c, m, y, k; }\n"
            f"@page {{ bleed: {bleed}; }}\n"
            f":root {{ --bleed: {bleed} !important; }}\n")


def finish_print_file(spec: PrintSpec, data: bytes, *, title: str | None = None,
                      date: str | None = None, identifier: bytes | None = None) -> bytes:
    """Turn a rendered (or merged) PDF into a print file: CMYK, PDF/X-4, boxes, marks.

    Title, date and identifier default to the PDF's own (a brief's, from WeasyPrint).
    Raises :class:`BriefsError` if RGB colour is left that cannot be converted.
    """
    pdf = pikepdf.open(io.BytesIO(data))
    try:
        convert_to_cmyk(pdf, spec.profile)
    except ConversionError as exc:
        raise BriefsError(f"cannot make a print file: {exc}") from None
    left = rgb_uses(pdf)
    if left:
        raise BriefsError("cannot make a print file: RGB colour left: " + "; ".join(left[:5]))
    if identifier is None:
        identifier = bytes(pdf.trailer.ID[0]) if "/ID" in pdf.trailer else b"print"
    make_pdfx(pdf, profile=spec.profile, bleed_mm=spec.bleed_mm, identifier=identifier,
              title=title if title is not None else str(pdf.docinfo.get("/Title", "")),
              date=date or document_date(pdf), condition=spec.condition)
    if spec.marks == "crop":
        add_marks(pdf, spec.bleed_mm * MM)
    return saved(pdf)


def print_variant(settings: Settings) -> RenderVariant:
    """Return the render variant of print files for a project."""
    spec = print_spec(settings)
    return RenderVariant(
        name="print", key=print_key(settings), options=PRINT_OPTIONS,
        user_css=print_css(settings), roots=(spec.profile.parent,),
        finish=functools.partial(finish_print_file, spec))


_WEB_FINDINGS = ("pdf-overflow", "pdf-underfill")
"""Reported by the web PDFs already: a print file has the same layout."""


def render_print_pdfs(corpus: Corpus, settings: Settings, *, jobs: int | None = None,
                      progress: bool = False, slugs: Iterable[str] | None = None) -> PdfReport:
    """Render the print files of every published brief (or ``slugs``) into the print cache."""
    report = render_all(corpus, settings, None, jobs=jobs, progress=progress, slugs=slugs,
                        variant=print_variant(settings))
    report.findings = [f for f in report.findings if f.code not in _WEB_FINDINGS]
    return report
