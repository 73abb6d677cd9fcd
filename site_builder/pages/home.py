"""The home page: what the collection is, counts, the theme grid, the map, the newest briefs."""

from __future__ import annotations

from site_builder.downloads import FilePack
from site_builder.pages.base import GeneratedPage, SiteContext
from site_builder.pages.coverage import index_map
from site_builder.pages.themes import theme_cards
from site_builder.pages.worldmap import STYLESHEET as MAP_STYLESHEET

NEWEST = 6


def render_home_page(site: SiteContext) -> GeneratedPage:
    """Return the home page."""
    index, settings, words = site.index, site.settings, site.templates
    languages = sorted({b.language for b in index.by_slug.values()})
    stats = [
        (words.ngettext("brief", "briefs", len(index.briefs)), len(index.briefs)),
        (words.ngettext("country", "countries", len(index.by_country)), len(index.by_country)),
        (words.ngettext("theme", "themes", len(index.corpus.themes)), len(index.corpus.themes)),
        (words.ngettext("language", "languages", len(languages)), len(languages)),
    ]
    packs = [d for key, d in sorted(site.downloads.items(), key=lambda item: item[1].href)
             if isinstance(key, FilePack)]
    return site.page(
        "briefs/home.html", site.urls.home(), settings.site_name, feed=site.urls.feed(),
        stylesheets=(MAP_STYLESHEET,),
        site_name=settings.site_name, lead=settings.site_description, stats=stats,
        languages=languages, newest=index.briefs[:NEWEST], themes=theme_cards(site),
        map=index_map(index), packs=packs,
    )
