"""Render one brief's HTML to PDF bytes with WeasyPrint, inside the page budget.

This module is what a worker process runs. It lays the document out once, then fits it to
the budget without a second layout:

- the HTML ends with one empty ``.page-filler`` block per possible page (each breaks before
  it), so the layout always reaches the budget's last page, whatever the body's length;
- the back matter's box is moved (a translation of laid-out boxes) to the bottom of the
  budget's last page (of the page after the body for a body too short for that, so no
  empty page is left in the middle), and the pages past the budget are dropped;
- a body running past the budget is an overflow, measured in pages to one decimal.

Every resource goes through :class:`~site_builder.pdf.fetcher.SafeFetcher`; every refusal
and every ERROR that WeasyPrint logs during the render is a problem of this brief. The only
fonts are the theme's (:mod:`~site_builder.pdf.fonts`); a character they lack is a problem too.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, Document, Page
from weasyprint.layout.background import layout_box_backgrounds

from site_builder.pdf.fetcher import SafeFetcher
from site_builder.pdf.fonts import describe_characters, missing_characters, theme_font_config
from site_builder.pdf.html import BACK_MATTER_CLASS, FILLER_CLASS
from site_builder.pdf.print_images import PRINT_DPI

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False,
                               "dpi": PRINT_DPI}
"""WeasyPrint options of every brief PDF: tagged (PDF/UA-1), compressed, fonts subset,
images no finer than :data:`~site_builder.pdf.print_images.PRINT_DPI` at their printed size."""


@dataclass(frozen=True)
class RenderJob:
    """Everything a worker needs to render one brief (picklable, no corpus)."""

    slug: str
    html: str
    base_url: str  # file: URL of the brief's folder, with a trailing slash
    roots: tuple[Path, ...]  # folders the fetcher may read
    pages: int  # the page budget
    allow_overflow: bool  # write the PDF even when the body runs past the budget
    identifier: bytes  # the PDF file identifier (fixed, for identical bytes)
    fonts_dir: Path | None = None  # the theme's fonts: every printed character must be in one
    options: tuple[tuple[str, Any], ...] = ()  # WeasyPrint options over PDF_OPTIONS (a print file's)
    user_css: str = ""  # a user stylesheet laid over the brief's (a print file's bleed and colours)
    finish: Callable[[bytes], bytes] | None = None  # turns the PDF into the final file (picklable)


@dataclass
class RenderResult:
    """What a render produced: the PDF (None on failure), its length and its problems."""

    slug: str
    pdf: bytes | None = None
    pages: int = 0  # pages in the PDF
    length: float = 0.0  # content length in pages, e.g. 5.3 (back matter included)
    overflow: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    missing_characters: str = ""  # characters no theme font can draw, in order of appearance
    fetched: tuple[tuple[str, str], ...] = ()  # (real path, SHA-256) of every file the render read


class _ErrorCollector(logging.Handler):
    """Collect the ERROR records WeasyPrint logs during one render."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _walk(box: Any) -> Iterator[tuple[Any, Any]]:
    """Yield (parent, child) pairs of a laid-out box tree, depth first."""
    for child in getattr(box, "children", ()):
        yield box, child
        yield from _walk(child)


def _find_back_matter(document: Document) -> tuple[int, Any, Any] | None:
    """Return (page index, parent box, box) of the back matter's last fragment."""
    found = None
    for index, page in enumerate(document.pages):
        for parent, child in _walk(page._page_box):
            element = getattr(child, "element", None)
            if element is not None and BACK_MATTER_CLASS in (element.get("class") or "").split():
                found = (index, parent, child)
                break
    return found


def _content_area(page: Page) -> tuple[float, float]:
    """Return the top and bottom y of a page's content area, in CSS pixels."""
    box = page._page_box
    top = box.content_box_y()
    return top, top + box.height


def _measure(page: Page, box: Any) -> float:
    """Return how far down its page's content area a box ends, from 0 to 1."""
    top, bottom = _content_area(page)
    end = float(box.position_y + box.margin_height())
    return max(0.0, min(1.0, (end - top) / (bottom - top)))


def fit_to_budget(document: Document, budget: int) -> tuple[int, float]:
    """Move the back matter to the foot of its target page and drop the pages past the budget.

    The target is the budget's last page, so the spare space gathers between the end of the
    body and the back matter. A body so short that this would leave a whole empty page
    between them (it ends two or more pages before the last) gets its back matter at the
    foot of the page after the body instead: the empty pages trail at the end, never in the
    middle (and the brief is an underfill).

    Return (page the content ends on, content length in pages). When the content runs past
    the budget the document keeps its content pages only and nothing is moved.
    """
    found = _find_back_matter(document)
    if found is None:
        raise RuntimeError("the back matter is missing from the laid-out document")
    index, parent, box = found
    # Round up (to a hundredth: the page meter shows per cent): content 0.002 pages into page 5
    # is 4.01 pages, over a 4-page budget; the meter shows it as "4.1 pages", never "4.0".
    length = round(index + max(0.01, math.ceil(_measure(document.pages[index], box) * 100) / 100), 2)
    if index >= budget:
        document.pages = document.pages[: index + 1]
        return index + 1, length
    target_index = budget - 1 if index >= budget - 2 else index + 1
    target = document.pages[target_index]
    target_parent = _filler_parent(target) if index != target_index else parent
    _, bottom = _content_area(target)
    box.translate(dy=bottom - (box.position_y + box.margin_height()))
    # Backgrounds are positioned at layout time: place the moved box's anew.
    layout_box_backgrounds(target._page_box, box, _no_image)
    if target_parent is not parent:
        parent.children = [c for c in parent.children if c is not box]
        target_parent.children = [*target_parent.children, box]
        document.pages[index] = Page(document.pages[index]._page_box)
    document.pages[target_index] = Page(target._page_box)
    document.pages = document.pages[:budget]
    return index + 1, length


def _no_image(*args: Any, **kwargs: Any) -> None:
    """Stand in for WeasyPrint's image loader: the back matter has no background image."""
    return None


def _filler_parent(page: Page) -> Any:
    """Return the box holding the page's filler block (the body box)."""
    for parent, child in _walk(page._page_box):
        element = getattr(child, "element", None)
        if element is not None and FILLER_CLASS in (element.get("class") or "").split():
            return parent
    raise RuntimeError("no page filler on a page past the body")


def _describe(url: str, roots: tuple[Path, ...]) -> str:
    """Show a file URL as a path relative to the brief's folder when it is inside it."""
    if url.startswith("file:"):
        path = Path(unquote(urlsplit(url).path))
        for root in roots[:1]:
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
    return url


def _resource_problems(job: RenderJob, fetcher: SafeFetcher, errors: list[str]) -> list[tuple[str, str]]:
    problems = [("pdf-resource", f"refused '{_describe(url, job.roots)}': {reason}")
                for url, reason in fetcher.refused]
    for message in errors:
        if any(url in message for url, _ in fetcher.refused):
            continue
        code = "pdf-resource" if "load" in message.lower() or "attachment" in message else "pdf-render"
        # Show files of the brief's folder by their relative path, as the brief refers to them.
        message = message.replace(job.base_url, "")
        if message.endswith(": "):  # WeasyPrint gives no reason when an SVG fails to parse
            message += "unreadable (for an SVG: broken XML, entities or external style sheets)"
        problems.append((code, f"WeasyPrint: {message}"))
    return problems


def render_job(job: RenderJob, fetcher: SafeFetcher | None = None) -> RenderResult:
    """Render one brief to PDF bytes; problems are reported, not raised.

    ``fetcher`` replaces the :class:`SafeFetcher` over ``job.roots``: a Dask worker passes
    one that serves the files sent with the job (:mod:`site_builder.pdf.shipping`).
    """
    result = RenderResult(job.slug)
    options = {**PDF_OPTIONS, **dict(job.options)}
    fetcher = fetcher if fetcher is not None else SafeFetcher(list(job.roots), dpi=options["dpi"])
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    missing = missing_characters(job.html, job.fonts_dir) if job.fonts_dir else []
    try:
        html = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher)
        profiles: dict[str, Any] = {}  # the user stylesheet's @color-profile rules
        css = [CSS(string=job.user_css, base_url=job.base_url, url_fetcher=fetcher,
                   color_profiles=profiles)] if job.user_css else []
        document = html.render(font_config=theme_font_config(), stylesheets=css,
                               color_profiles=profiles, **options)
        end_page, result.length = fit_to_budget(document, job.pages)
        result.overflow = end_page > job.pages
        if not result.overflow or job.allow_overflow:
            result.pdf = document.write_pdf(pdf_identifier=job.identifier, **options)
            if job.finish is not None:
                result.pdf = job.finish(result.pdf)
            result.pages = len(document.pages)
    finally:
        logger.removeHandler(collector)
    result.problems = _resource_problems(job, fetcher, collector.messages)
    result.fetched = tuple(sorted(fetcher.fetched_hashes.items()))
    if missing:
        result.missing_characters = "".join(missing)
        result.problems.append(("pdf-glyph", f"{describe_characters(missing)} not in the theme's "
                                "fonts (they would print as holes): replace them, or add a font "
                                "that has them to the theme (theme/fonts)"))
    if result.problems:
        result.pdf = None
    return result
