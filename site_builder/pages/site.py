"""Render every generated page of the site from the index: the one entry point adapters call.

Returns plain data (source path → :class:`GeneratedPage`); the MkDocs plugin turns each
into a generated file and assembles its HTML after conversion. Nothing here knows MkDocs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.index import Index
from site_builder.model import Brief
from site_builder.pages.brief import render_brief_page
from site_builder.pages.countries import (
    render_countries_index,
    render_country_page,
    render_region_page,
)
from site_builder.pages.coverage import render_coverage_page
from site_builder.pages.downloads import Downloads
from site_builder.pages.home import render_home_page
from site_builder.pages.links import rewrite_links
from site_builder.pages.markup import (
    GeneratedPage,
    SearchHref,
    front_matter,
    full_date,
    html_page,
)
from site_builder.pages.themes import render_theme_page, render_themes_index
from site_builder.search import (
    SEARCH_ASSETS,
    facet_counts,
    search_href,
    search_metadata_html,
    search_page_html,
)
from site_builder.search import THEME_DIR as SEARCH_THEME_DIR
from site_builder.settings import Settings
from site_builder.vocabulary import get_country


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

    def date_of(self, src_uri: str) -> str | None:
        """Return a page's last-modified date for the sitemap (content dates, never the clock)."""
        return self.dates.get(src_uri, self.newest)


SEARCH_PAGE = "search/index.md"


def _search_href(index: Index) -> SearchHref:
    """Link theme and country pages to the search filtered on them (values as readers see them)."""

    def href(facet: str, value: str) -> str:
        if facet == "theme":
            theme = index.corpus.themes.get(value)
            return search_href("", theme=theme.title if theme else value)
        return search_href("", country=get_country(value.upper()).name)

    return href


def _add_search(site: SitePages, index: Index) -> None:
    """Add the Search page and its script and stylesheet."""
    site.pages[SEARCH_PAGE] = html_page(
        front_matter("Search", hide=["navigation", "toc"]),
        search_page_html(facet_counts(index.briefs, index.corpus)))
    for uri, name in SEARCH_ASSETS.items():
        site.assets[uri] = SEARCH_THEME_DIR / name


def render_site_pages(index: Index, settings: Settings, downloads: Downloads) -> SitePages:
    """Render every page: briefs, themes, countries, regions, coverage, home and search.

    ``downloads`` carries the PDFs and packs; with ``settings.search``, brief pages carry
    Pagefind's metadata, theme and country pages link to a pre-filtered search, and the
    Search page is added.
    """
    search_href_for: SearchHref | None = _search_href(index) if settings.search else None
    brief_extra: Callable[[Brief], str] | None = (
        (lambda brief: search_metadata_html(brief, index.corpus)) if settings.search else None)
    site = SitePages()
    pages = site.pages
    for brief in index.briefs:
        rewritten = rewrite_links(brief, index.corpus.root)
        site.assets.update(rewritten.assets)
        pages[f"briefs/{brief.slug}/index.md"] = render_brief_page(
            brief, rewritten.body, index, settings, downloads,
            brief_extra(brief) if brief_extra else "")
        site.dates[f"briefs/{brief.slug}/index.md"] = full_date(brief.date)
    site.newest = max(site.dates.values(), default=None)
    for theme in index.corpus.themes.values():
        pages[f"themes/{theme.id}/index.md"] = render_theme_page(
            theme, index, downloads, search_href_for)
    pages["themes/index.md"] = render_themes_index(index, downloads)
    for code in index.by_country:
        pages[f"countries/{code.lower()}/index.md"] = render_country_page(
            get_country(code), index, downloads, search_href_for)
    pages["countries/index.md"] = render_countries_index(index)
    for region in index.corpus.regions.values():
        pages[f"regions/{region.id}/index.md"] = render_region_page(region, index)
    pages["coverage/index.md"] = render_coverage_page(index)
    pages["index.md"] = render_home_page(index, settings, downloads)
    if settings.search:
        _add_search(site, index)
    return site


def theme_assets(theme_dir: Path) -> dict[str, Path]:
    """Return the site's own files: ``theme/assets/`` under ``assets/``, fonts under ``assets/fonts/``."""
    found: dict[str, Path] = {}
    for folder, prefix in ((theme_dir / "assets", "assets"), (theme_dir / "fonts", "assets/fonts")):
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                found[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return found
