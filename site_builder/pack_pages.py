"""Which generated pages show the packs' figures (and so wait for the packs to be made).

A theme's page and the themes index show its pack, a country's page its pack, the home
page every pack; the other listing pages (the countries index, the regions, coverage,
search) show none, and are rendered and written as soon as the brief PDFs are known.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TypeVar

from site_builder import urls
from site_builder.pages.base import SiteContext

T = TypeVar("T")


def pack_page_sources(contexts: Iterable[SiteContext]) -> set[str]:
    """Return the source paths of every language's pages that show a pack."""
    sources: set[str] = set()
    for site in contexts:
        at, index = site.urls, site.index
        sources.update(urls.source(at.theme(theme_id)) for theme_id in index.corpus.themes)
        sources.update(urls.source(at.country(code)) for code in index.by_country)
        sources.update((urls.source(at.themes()), urls.source(at.home())))
    return sources


def pack_pages_last(pages: Mapping[str, T], shows: Collection[str]) -> list[tuple[str, T]]:
    """Return ``pages`` (by source path) with those in ``shows`` moved to the end, each part in order."""
    return [item for item in pages.items() if item[0] not in shows] + \
        [item for item in pages.items() if item[0] in shows]
