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
from site_builder.pages.markup import GeneratedPage, SearchHref, full_date
from site_builder.pages.themes import render_theme_page, render_themes_index
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


def render_site_pages(index: Index, settings: Settings, downloads: Downloads,
                      search_href: SearchHref | None = None,
                      brief_extra: Callable[[Brief], str] | None = None) -> SitePages:
    """Render every page: briefs, themes, countries, regions, coverage and home.

    Hooks: ``downloads`` carries the PDFs and bundles (issue 5); ``search_href`` links theme
    and country pages to a pre-filtered search, and ``brief_extra`` adds HTML (such as
    search metadata) to each brief's header (issue 6).
    """
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
            theme, index, downloads, search_href)
    pages["themes/index.md"] = render_themes_index(index, downloads)
    for code in index.by_country:
        pages[f"countries/{code.lower()}/index.md"] = render_country_page(
            get_country(code), index, downloads, search_href)
    pages["countries/index.md"] = render_countries_index(index)
    for region in index.corpus.regions.values():
        pages[f"regions/{region.id}/index.md"] = render_region_page(region, index)
    pages["coverage/index.md"] = render_coverage_page(index)
    pages["index.md"] = render_home_page(index, settings, downloads)
    return site


def theme_assets(theme_dir: Path) -> dict[str, Path]:
    """Return the site's own files: ``theme/assets/`` under ``assets/``, fonts under ``assets/fonts/``."""
    found: dict[str, Path] = {}
    for folder, prefix in ((theme_dir / "assets", "assets"), (theme_dir / "fonts", "assets/fonts")):
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                found[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return found
