"""The home page: what the collection is, counts, the theme grid, the map, the newest briefs."""

from __future__ import annotations

from site_builder.index import Index
from site_builder.pages.coverage import world_map
from site_builder.pages.downloads import Downloads
from site_builder.pages.markup import (
    GeneratedPage,
    Linker,
    brief_cards,
    esc,
    feed_link,
    front_matter,
    html_page,
)
from site_builder.pages.themes import theme_grid
from site_builder.settings import Settings
from site_builder.vocabulary import language_name

NEWEST = 6


def render_home_page(index: Index, settings: Settings, downloads: Downloads) -> GeneratedPage:
    """Return the home page."""
    url = Linker("")
    languages = sorted({b.language for b in index.briefs})
    stats = [
        (len(index.briefs), "briefs", "brief"),
        (len(index.by_country), "countries", "country"),
        (len(index.corpus.themes), "themes", "theme"),
        (len(languages), "languages", "language"),
    ]
    stat_items = "".join(
        f'<div class="stat"><dt>{many if n != 1 else one}</dt><dd>{n}</dd></div>'
        for n, many, one in stats)
    lang_names = ", ".join(language_name(code) for code in languages)
    intro = (
        '<header class="page-header home-header">'
        f"<h1>{esc(settings.site_name)}</h1>"
        f'<p class="lead">Short country briefs from the {esc(settings.publisher)}: how countries '
        "build social protection floors — what was achieved, how it was done, and the lessons "
        f"for others. Each brief is four pages, free to read, print and share ({esc(settings.licence)}).</p>"
        f'<dl class="stats" aria-label="The collection in numbers">{stat_items}</dl>'
        + (f'<p class="languages">In {esc(lang_names)}.</p>' if languages else "")
        + "</header>"
    )
    themes = ('<section aria-labelledby="home-themes"><h2 id="home-themes">Themes</h2>'
              f"{theme_grid(index, url, level=3, downloads=downloads)}</section>")
    bundles = _bundle_list(downloads, url)
    map_html = (
        '<section aria-labelledby="home-map"><h2 id="home-map">Where the briefs are</h2>'
        + world_map(index, url, "home-map")
        + f'<p class="more"><a href="{url("coverage/")}">Coverage by theme and country</a></p>'
        "</section>"
    )
    newest = (
        '<section aria-labelledby="home-newest"><h2 id="home-newest">Newest briefs</h2>'
        f"{brief_cards(index.briefs[:NEWEST], url, 3)}"
        f'<p class="more">{feed_link("feed.xml", url, "Follow new briefs (Atom feed)")}</p>'
        "</section>"
    )
    meta = front_matter(settings.site_name, hide=["navigation", "toc"], feed="feed.xml")
    return html_page(meta, intro, newest, themes, map_html, bundles)


def _bundle_list(downloads: Downloads, url: Linker) -> str:
    """List the packs made from bundle files (issue 5 fills ``bundle:file:<name>``)."""
    items = [
        f'<li><a href="{url(d.href)}" download>{esc(d.label)}</a> '
        f'<span class="download-info">({esc(d.describe())})</span></li>'
        for key, d in sorted(downloads.items()) if key.startswith("bundle:file:")
    ]
    if not items:
        return ""
    return ('<section aria-labelledby="home-bundles"><h2 id="home-bundles">Print packs</h2>'
            f'<ul class="bundle-list">{"".join(items)}</ul></section>')
