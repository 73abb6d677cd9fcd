"""Render every generated page of the site from the index: the one entry point adapters call.

Returns plain data (source path → :class:`GeneratedPage`); the MkDocs plugin turns each
into a generated file and assembles its HTML after conversion. Nothing here knows MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from site_builder import urls
from site_builder.downloads import Downloads
from site_builder.findings import Finding
from site_builder.image_derivatives import DerivativeCache
from site_builder.index import Index
from site_builder.pages.base import GeneratedPage, SiteContext
from site_builder.pages.brief import render_brief_page
from site_builder.pages.countries import (
    render_countries_index,
    render_country_page,
    render_region_page,
)
from site_builder.pages.coverage import render_coverage_page
from site_builder.pages.errors import failing_briefs, render_brief_error_page, render_errors_page
from site_builder.pages.home import render_home_page
from site_builder.pages.pictures import brief_pictures
from site_builder.pages.themes import render_theme_page, render_themes_index
from site_builder.search import facet_counts, facets, search_messages
from site_builder.settings import Settings
from site_builder.templating import templates_for
from site_builder.vocabulary import get_country

SEARCH_PAGE = "search/index.md"
ERRORS_PAGE = "errors/index.md"
IMAGES_CACHE = "images"
"""Folder of the image renditions in the project's cache."""


@dataclass
class SitePages:
    """The generated Markdown pages and the brief files (images...) they need published."""

    pages: dict[str, GeneratedPage] = field(default_factory=dict)
    """Source path (``briefs/<slug>/index.md``) to the page."""
    assets: dict[str, Path] = field(default_factory=dict)
    """Site path (``briefs/<slug>/img/x.svg``) to the file on disk."""
    dates: dict[str, str] = field(default_factory=dict)
    """Source path of a brief page to the brief's date (``YYYY-MM-DD``)."""
    newest: str | None = None
    """The newest brief's date: the last change of every other page."""
    context: SiteContext | None = None

    def date_of(self, src_uri: str) -> str | None:
        """Return a page's last-modified date for the sitemap (content dates, never the clock)."""
        return self.dates.get(src_uri, self.newest)

    def add_errors(self, findings: list[Finding], n_briefs: int) -> None:
        """Add the preview's errors page, and an error page for each failing brief."""
        assert self.context is not None
        self.pages[ERRORS_PAGE] = render_errors_page(findings, n_briefs, self.context)
        for slug, found in failing_briefs(findings).items():
            self.pages.setdefault(urls.source(urls.brief(slug)),
                                  render_brief_error_page(slug, found, self.context))


def site_context(index: Index, settings: Settings, downloads: Downloads) -> SiteContext:
    """Return the context the renderers of the site's language share."""
    return SiteContext(index, settings, downloads, templates_for(settings.theme, settings.language))


def render_site_pages(index: Index, settings: Settings, downloads: Downloads) -> SitePages:
    """Render every page: briefs, themes, countries, regions, coverage, home and search.

    ``downloads`` carries the PDFs and packs; with ``settings.search``, brief pages carry
    Pagefind's metadata, theme and country pages link to a pre-filtered search, and the
    Search page is added. The briefs' raster images get responsive renditions, made once
    and kept in ``<cache_root>/images/``.
    """
    site = site_context(index, settings, downloads)
    result = SitePages(context=site)
    pages = result.pages
    renditions = DerivativeCache(settings.cache_root / IMAGES_CACHE)
    for brief in index.briefs:
        result.assets.update(brief.web.assets)
        pictures = brief_pictures(brief, renditions, site.templates)
        result.assets.update(pictures.assets)
        source = urls.source(urls.brief(brief.slug))
        pages[source] = replace(render_brief_page(brief, site), pictures=pictures.rewrite)
        result.dates[source] = brief.date.first_day.isoformat()
    result.newest = max(result.dates.values(), default=None)
    for theme in index.corpus.themes.values():
        pages[urls.source(urls.theme(theme.id))] = render_theme_page(theme, site)
    pages[urls.source(urls.themes())] = render_themes_index(site)
    for code in index.by_country:
        pages[urls.source(urls.country(code))] = render_country_page(get_country(code), site)
    pages[urls.source(urls.countries())] = render_countries_index(site)
    for region in index.corpus.regions.values():
        pages[urls.source(urls.region(region.id))] = render_region_page(region, site)
    pages[urls.source(urls.coverage())] = render_coverage_page(site)
    pages[urls.source(urls.home())] = render_home_page(site)
    if settings.search:
        pages[SEARCH_PAGE] = site.page(
            "briefs/search.html", urls.search(), site.templates.gettext("Search"),
            facets=facets(site.templates), counts=facet_counts(index.briefs, index.corpus),
            messages=search_messages(site.templates))
    return result
