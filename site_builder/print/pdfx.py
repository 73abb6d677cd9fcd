"""The PDF/X-4 parts of a print file, with pikepdf: output intent, XMP, page boxes, no interactivity.

WeasyPrint's ``pdf/x-4`` variant writes most of this for a brief; a pack is merged by
pikepdf and has none of it, and WeasyPrint's XMP carries a random document id. So every
print file goes through :func:`make_pdfx`, which sets the same things the same way:

- one ``/OutputIntents`` entry (``GTS_PDFX``) whose destination profile is the CMYK
  profile, named by its print condition;
- XMP with ``GTS_PDFXVersion`` = ``PDF/X-4``, ``Trapped`` = False, a document id made from
  the file's identifier (same input, same bytes), title and dates;
- on every page a ``TrimBox`` (the A4 page) and a ``BleedBox`` (the trim plus the bleed);
  the ``MediaBox`` is the bleed box (marks enlarge it later);
- no annotations (links), forms, actions or JavaScript: a print file is not interactive.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

MM = 72 / 25.4
"""PDF points per millimetre."""
_NS_PDFXID = "{http://www.npes.org/pdfx/ns/id/}"
_NS_PDFX = "{http://ns.adobe.com/pdfx/1.3/}"
PDFX_VERSION = "PDF/X-4"
PDF_VERSION = "1.6"
"""The least PDF version of a PDF/X-4 file: save print files with ``min_version=PDF_VERSION``."""


@dataclass(frozen=True)
class OutputCondition:
    """The print condition a CMYK profile describes, as the output intent names it."""

    identifier: str = "FOGRA39"
    """A registered characterization (a RIP may use its own profile for it)."""
    condition: str = "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (FOGRA39)"
    registry: str = "http://www.color.org"


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points: lower-left and upper-right corners."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, value: pikepdf.Object) -> Box:
        """Return the box of a PDF rectangle array."""
        a, b, c, d = (float(v) for v in value)
        return cls(min(a, c), min(b, d), max(a, c), max(b, d))

    def grown(self, by: float) -> Box:
        """Return the box enlarged by ``by`` points on every side."""
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def array(self) -> Array:
        """Return the box as a PDF rectangle, rounded to 1/1000 pt (stable bytes)."""
        return Array([round(v, 3) for v in (self.x0, self.y0, self.x1, self.y1)])


def _trim_box(page: pikepdf.Page, bleed: float, size: tuple[float, float] | None) -> Box:
    """Return a page's trimmed area: its TrimBox; else (a blank page added to a pack) its
    MediaBox, less the bleed when that makes it the size of the other pages."""
    if "/TrimBox" in page.obj:
        return Box.of(page.obj.TrimBox)
    media = Box.of(page.mediabox)
    inset = media.grown(-bleed)
    if size is not None and bleed and abs(inset.width - size[0]) < 1 and abs(inset.height - size[1]) < 1:
        return inset
    return media


def set_boxes(pdf: pikepdf.Pdf, bleed: float) -> None:
    """Give every page a TrimBox, a BleedBox ``bleed`` points around it and that MediaBox."""
    trims = [Box.of(page.obj.TrimBox) for page in pdf.pages if "/TrimBox" in page.obj]
    size = (trims[0].width, trims[0].height) if trims else None
    for page in pdf.pages:
        trim = _trim_box(page, bleed, size)
        page.obj.TrimBox = trim.array()
        page.obj.BleedBox = trim.grown(bleed).array()
        page.obj.MediaBox = trim.grown(bleed).array()
        for key in ("/CropBox", "/ArtBox"):
            if key in page.obj:
                del page.obj[key]


def strip_interactive(pdf: pikepdf.Pdf) -> None:
    """Remove links and every other annotation, forms, actions, JavaScript and named destinations."""
    for page in pdf.pages:
        for key in ("/Annots", "/AA"):
            if key in page.obj:
                del page.obj[key]
    for key in ("/AcroForm", "/OpenAction", "/AA", "/Names", "/Dests"):
        if key in pdf.Root:
            del pdf.Root[key]


def set_output_intent(pdf: pikepdf.Pdf, profile: Path, condition: OutputCondition) -> None:
    """Make the CMYK profile the file's one PDF/X output intent, embedded once.

    WeasyPrint embeds the profile (re-serialised by LittleCMS) as the output intent and as
    the ``device-cmyk`` colour space of each brief; a pack merges several briefs. Every
    embedded copy of the same profile (same description) is replaced by one.
    """
    description = _profile_description(profile)
    copies = _profile_copies(pdf, description)
    stream = copies[0] if copies else None
    if stream is None:
        stream = pdf.make_stream(profile.read_bytes())
        stream.N = 4
    _share_profile(pdf, stream, {c.objgen for c in copies})
    pdf.Root.OutputIntents = Array([pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX,
        OutputConditionIdentifier=String(condition.identifier),
        OutputCondition=String(condition.condition),
        RegistryName=String(condition.registry),
        Info=String(description), DestOutputProfile=stream))])


def _profile_copies(pdf: pikepdf.Pdf, description: str) -> list[pikepdf.Object]:
    """Return the embedded ICC streams of the profile with this description, in object order."""
    from PIL import ImageCms

    found: list[pikepdf.Object] = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/N") == 4 and "/Subtype" not in obj:
            try:
                opened = ImageCms.ImageCmsProfile(io.BytesIO(obj.read_bytes()))
            except (OSError, ValueError, pikepdf.PdfError):
                continue
            if (opened.profile.profile_description or "").strip() == description:
                found.append(obj)
    return found


def _share_profile(pdf: pikepdf.Pdf, stream: pikepdf.Object, copies: set[tuple[int, int]]) -> None:
    """Point every ICC-based colour space using one of ``copies`` at ``stream``."""

    def share(space: object) -> None:
        if (isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased
                and space[1].objgen in copies):
            space[1] = stream

    for obj in pdf.objects:
        if not isinstance(obj, Dictionary | pikepdf.Stream):
            continue
        group = obj.get("/Group")
        if isinstance(group, Dictionary):
            share(group.get("/CS"))
        resources = obj.get("/Resources")
        for holder in (obj, resources if isinstance(resources, Dictionary) else None):
            spaces = holder.get("/ColorSpace") if holder is not None else None
            if isinstance(spaces, Dictionary):
                for name in list(spaces.keys()):
                    share(spaces[name])


def _profile_description(profile: Path) -> str:
    from PIL import ImageCms

    opened = ImageCms.getOpenProfile(str(profile))
    return (opened.profile.profile_description or profile.name).strip()


def set_metadata(pdf: pikepdf.Pdf, *, identifier: bytes, title: str, date: str) -> None:
    """Write the PDF/X-4 XMP and document information (``date``: ISO 8601, the file's date)."""
    document_id = "uuid:" + _uuid_text(hashlib.sha256(identifier).hexdigest())
    for key in ("/GTS_PDFXVersion", "/GTS_PDFXConformance"):
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    pdf.docinfo.Title = String(title)
    pdf.docinfo.Trapped = Name("/False")
    pdf.docinfo.CreationDate = pdf.docinfo.ModDate = String(_pdf_date(date))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta[_NS_PDFXID + "GTS_PDFXVersion"] = PDFX_VERSION
        meta[_NS_PDFX + "GTS_PDFXVersion"] = PDFX_VERSION
        meta["pdf:Trapped"] = "False"
        meta["dc:title"] = title
        meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = meta["xmp:MetadataDate"] = date
        meta["xmpMM:DocumentID"] = meta["xmpMM:InstanceID"] = document_id
        meta["xmpMM:RenditionClass"] = "default"
        meta["xmpMM:VersionID"] = "1"
        meta["pdf:Producer"] = "country-briefs"
    pdf.docinfo.Producer = String("country-briefs")


def _uuid_text(hexdigest: str) -> str:
    h = hexdigest[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _pdf_date(date: str) -> str:
    """Return an ISO date (``2016-02-23`` or ``2016-02-23T10:00:00Z``) as a PDF date."""
    digits = "".join(c for c in date[:19] if c.isdigit())
    return f"D:{digits}" + ("Z" if date.endswith("Z") else "")


def make_pdfx(pdf: pikepdf.Pdf, *, profile: Path, bleed_mm: float, identifier: bytes,
              title: str, date: str, condition: OutputCondition | None = None) -> None:
    """Give a CMYK PDF the boxes, output intent and metadata of a PDF/X-4 print file, without interactivity."""
    strip_interactive(pdf)
    set_boxes(pdf, bleed_mm * MM)
    set_output_intent(pdf, profile, condition or OutputCondition())
    set_metadata(pdf, identifier=identifier, title=title, date=date)


def document_date(pdf: pikepdf.Pdf) -> str:
    """Return a PDF's date (its XMP modification date, else its creation date), ISO 8601."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        return str(meta.get("xmp:ModifyDate") or meta.get("xmp:CreateDate") or "2000-01-01")


def saved(pdf: pikepdf.Pdf) -> bytes:
    """Return a print file's bytes, the same for the same content (deterministic ID)."""
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             min_version=PDF_VERSION)
    return out.getvalue()

