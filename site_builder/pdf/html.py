"""Build the HTML document WeasyPrint lays out for one brief.

Everything the PDF shows comes from the template ``pdf/brief.html`` (in the brief's
language) and what this module gives it: the brief, its body (Markdown with the PDF's
design extension, :mod:`~site_builder.pdf.design`), its resolved themes and countries, the
settings (series, publisher, licence, site URL) and the branding of the configuration with
the QR code (:mod:`~site_builder.pdf.branding`). The cache key in
:mod:`site_builder.pdf.cache` hashes the same inputs, so keep the two in step.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from site_builder import __version__, urls
from site_builder.citation import author_line, citation, series_of
from site_builder.markdown_render import LinkFilter, render_markdown
from site_builder.model import Brief, Corpus
from site_builder.pdf.branding import logo_url, partner_logos, qr_code_url
from site_builder.pdf.design import DesignExtension
from site_builder.settings import Settings
from site_builder.templating import templates_for

STYLESHEET = "print/brief.css"
"""The print stylesheet, in the theme folder (a project may override it)."""
TEMPLATE = "pdf/brief.html"
BACK_MATTER_CLASS = "back-matter"
FILLER_CLASS = "page-filler"
SHORT_TITLE_CHARS = 60


def short_title(title: str, limit: int = SHORT_TITLE_CHARS) -> str:
    """Return the title cut at a word boundary to fit the running footer."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…"


def modified_date(brief: Brief) -> str:
    """Return the PDF's modification date: SOURCE_DATE_EPOCH when set, else the brief's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return brief.date.iso


def _link_filter(brief: Brief, corpus: Corpus, settings: Settings) -> LinkFilter:
    """Point links to other briefs at their web pages; unlink other relative links.

    A relative link means nothing in a PDF handed around by e-mail, and WeasyPrint would
    turn it into a ``file:`` link to the build machine.
    """
    by_path: dict[str, Brief] = {}

    def link(ref: str) -> str | None:
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith("#"):
            return ref
        if not by_path:
            by_path.update((os.path.normpath(b.path), b) for b in corpus.briefs)
        path = os.path.normpath(brief.folder / unquote(parts.path)) if parts.path else ""
        target = by_path.get(path)
        if target is None or not settings.site_url:
            return None
        return settings.url_for(urls.brief(target.slug)) + (f"#{parts.fragment}" if parts.fragment else "")

    return link


def brief_html(brief: Brief, corpus: Corpus, settings: Settings) -> str:
    """Return the full HTML document WeasyPrint renders for a brief (base URL: its folder)."""
    theme = settings.theme
    body = render_markdown(brief.body, [DesignExtension()], link=_link_filter(brief, corpus, settings))
    page_url = settings.url_for(urls.brief(brief.slug))
    templates = templates_for(theme, brief.language)
    stylesheets = [theme.find(STYLESHEET).as_uri()]
    return templates.render(
        TEMPLATE, brief=brief, body=Markup(body), series=series_of(brief, settings),
        publisher=settings.publisher, author_line=author_line(brief, settings),
        citation=citation(brief, settings), licence=settings.licence,
        licence_url=settings.licence_url, page_url=page_url,
        web_url=page_url if settings.site_url else None,
        qr_code=qr_code_url(page_url), logo=logo_url(settings), about=settings.pdf.about,
        contacts=list(settings.pdf.contacts), partners=partner_logos(settings),
        authors=list(brief.authors) or [settings.publisher],
        keywords=[*(t.title for t in brief.themes), *(c.name for c in brief.countries),
                  *brief.keywords],
        generator=f"country-briefs {__version__}", modified=modified_date(brief),
        stylesheets=stylesheets,
        footer_left=f"{short_title(brief.title)} · {brief.date.iso}",
        budget=settings.pdf.pages, fillers=max(settings.pdf.pages - 1, 0),
    )
