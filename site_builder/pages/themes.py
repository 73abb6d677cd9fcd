"""Theme pages (``themes/<id>/``) and the themes index (``themes/``)."""

from __future__ import annotations

from collections import Counter

from site_builder.index import Index
from site_builder.model import Theme
from site_builder.pages.downloads import Downloads, theme_bundle_key
from site_builder.pages.markup import (
    GeneratedPage,
    Linker,
    SearchHref,
    brief_cards,
    country_path,
    download_link,
    esc,
    feed_link,
    front_matter,
    html_page,
    plural,
    search_link,
    theme_path,
)
from site_builder.vocabulary import get_country


def theme_feed_path(theme_id: str) -> str:
    """Return the site path of a theme's Atom feed."""
    return f"themes/{theme_id}/feed.xml"


def render_theme_page(theme: Theme, index: Index, downloads: Downloads,
                      search_href: SearchHref | None = None) -> GeneratedPage:
    """Return a theme page: description, count, briefs, countries covered."""
    url = Linker(theme_path(theme.id))
    briefs = index.by_theme.get(theme.id, [])
    counts = Counter(code for b in briefs for code in b.countries)
    countries = sorted(counts, key=lambda code: get_country(code).name)
    covered = "".join(
        f'<li><a href="{url(country_path(code))}">{esc(get_country(code).name)}</a> '
        f'<span class="count">{counts[code]}</span></li>' for code in countries)
    head = (
        '<header class="page-header">'
        '<p class="kicker">Theme</p>'
        f"<h1>{esc(theme.title)}</h1>"
        + (f'<p class="lead">{esc(theme.description)}</p>' if theme.description else "")
        + f'<p class="page-stats">{plural(len(briefs), "brief")} · '
        f'{plural(len(countries), "country", "countries")} · '
        f'{feed_link(theme_feed_path(theme.id), url)}</p>'
        # Hook for issue 6: "search within this theme".
        + search_link(search_href, "theme", theme.id, f"Search within {theme.title}", url)
        # Hook for issue 5: the theme's print pack.
        + download_link(downloads.get(theme_bundle_key(theme.id)), url, "download bundle")
        + "</header>"
    )
    listing = (
        '<section aria-labelledby="theme-briefs"><h2 id="theme-briefs">Briefs, newest first</h2>'
        + (brief_cards(briefs, url, 3) if briefs else "<p>No briefs on this theme yet.</p>")
        + "</section>"
    )
    covered_html = (
        '<section aria-labelledby="theme-countries"><h2 id="theme-countries">Countries covered</h2>'
        f'<ul class="country-list">{covered}</ul></section>' if countries else ""
    )
    meta = front_matter(theme.title, description=theme.description or None,
                        hide=["navigation", "toc"], feed=theme_feed_path(theme.id))
    return html_page(meta, head, listing, covered_html)


def render_themes_index(index: Index, downloads: Downloads) -> GeneratedPage:
    """Return the themes index: every theme with its count."""
    url = Linker("themes/")
    head = (
        '<header class="page-header"><h1>Themes</h1>'
        f'<p class="lead">The briefs are grouped under {plural(len(index.corpus.themes), "theme")}.'
        " Each brief may cover several.</p></header>"
    )
    return html_page(front_matter("Themes", hide=["navigation", "toc"]),
        head, theme_grid(index, url, level=2, downloads=downloads))


def theme_grid(index: Index, url: Linker, level: int = 2, downloads: Downloads | None = None) -> str:
    """Return every theme as a card with its count and description (also used on home)."""
    cards = []
    for theme in index.corpus.themes.values():
        n = len(index.by_theme.get(theme.id, []))
        bundle = downloads.get(theme_bundle_key(theme.id)) if downloads else None
        cards.append(
            f'<li class="card theme-card{" empty" if not n else ""}">'
            f'<h{level} class="card-title"><a href="{url(theme_path(theme.id))}">'
            f"{esc(theme.title)}</a></h{level}>"
            f'<p class="card-meta">{plural(n, "brief")}</p>'
            + (f'<p class="card-summary">{esc(theme.description)}</p>' if theme.description else "")
            + (download_link(bundle, url, "card-download") if bundle else "")
            + "</li>"
        )
    return '<ul class="cards theme-grid">' + "\n".join(cards) + "</ul>"
