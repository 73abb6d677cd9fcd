"""The page of one brief: header, summary, body, download, citation, translations, related.

Only the body (the author's Markdown, links rewritten by :mod:`site_builder.pages.links`)
goes through MkDocs; the HTML rendered from it, and only it, is sanitised.
"""

from __future__ import annotations

from site_builder import urls
from site_builder.citation import author_line, citation, series_of
from site_builder.downloads import BriefPdf
from site_builder.model import Brief
from site_builder.pages.base import BODY_MARKER, GeneratedPage, SiteContext, front_matter, page_kind
from site_builder.search import search_metadata

RELATED_LIMIT = 5
BRIEF_TEMPLATE = "briefs/brief.html"


def render_brief_page(brief: Brief, site: SiteContext) -> GeneratedPage:
    """Return a brief's page (its body's links resolved, see :attr:`Brief.web`)."""
    settings, index = site.settings, site.index
    meta = front_matter(brief.title, description=brief.summary, hide=["navigation"],
                        brief=brief.slug, lang=brief.language, page_language=site.page_language,
                        kind=page_kind(BRIEF_TEMPLATE))
    if not site.templates.renders:  # its source only: the HTML comes later
        return GeneratedPage(source=meta + brief.web.body, sanitize=True)
    html = site.render(
        BRIEF_TEMPLATE, urls.brief(brief.slug),
        brief=brief, body=BODY_MARKER, series=series_of(brief, settings),
        citation=citation(brief, settings), author_line=author_line(brief, settings),
        pdf=site.downloads.get(BriefPdf(brief.slug)),
        translations=index.translations.get(brief.slug, []),
        related=index.related(brief.slug, RELATED_LIMIT),
        search_meta=search_metadata(brief, index.corpus, site.page_language) if site.search else None,
    )
    return GeneratedPage(source=meta + brief.web.body, html=html, sanitize=True)
