"""Theme pages (``themes/<id>/``) and the themes index (``themes/``)."""

from __future__ import annotations

from collections import Counter

from site_builder.country_names import sort_key
from site_builder.downloads import Download, ThemePack
from site_builder.model import Theme
from site_builder.pages.base import GeneratedPage, SiteContext


def render_theme_page(theme: Theme, site: SiteContext) -> GeneratedPage:
    """Return a theme page: description, count, briefs, countries covered."""
    briefs = site.index.by_theme.get(theme.id, [])
    counts = Counter(code for b in briefs for code in b.country_codes)
    countries = sorted(((site.index.country(code), n) for code, n in counts.items()),
                       key=lambda item: sort_key(item[0].name))
    return site.page(
        "briefs/theme.html", site.urls.theme(theme.id), theme.title,
        description=theme.description, feed=site.urls.theme_feed(theme.id),
        theme=theme, briefs=briefs, countries=countries,
        pack=site.pack(ThemePack(theme.id)),
        search_href=site.urls.search(theme=theme.title) if site.search else None,
    )


def theme_cards(site: SiteContext) -> list[tuple[Theme, int, Download | None]]:
    """Return every theme with its number of briefs and its pack (the theme grid's data)."""
    return [(theme, len(site.index.by_theme.get(theme.id, [])),
             site.pack(ThemePack(theme.id)))
            for theme in site.index.corpus.themes.values()]


def render_themes_index(site: SiteContext) -> GeneratedPage:
    """Return the themes index: every theme with its count."""
    title = site.templates.gettext("Themes")
    return site.page("briefs/themes.html", site.urls.themes(), title, themes=theme_cards(site))
