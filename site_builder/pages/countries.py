"""Country pages (``countries/<iso3>/``), the countries index and region pages."""

from __future__ import annotations

from collections import defaultdict

from site_builder.citation import brief_path
from site_builder.index import Index
from site_builder.model import Brief, Country, Region
from site_builder.pages.downloads import Downloads, country_bundle_key
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
    region_path,
    search_link,
    theme_path,
    time_tag,
)
from site_builder.vocabulary import CONTINENTS, get_country


def country_feed_path(alpha3: str) -> str:
    """Return the site path of a country's Atom feed."""
    return f"countries/{alpha3.lower()}/feed.xml"


def regions_of(alpha3: str, index: Index) -> list[Region]:
    """Return the regions (from ``regions.yml``) a country belongs to."""
    return [r for r in index.corpus.regions.values() if alpha3 in r.countries]


def render_country_page(country: Country, index: Index, downloads: Downloads,
                        search_href: SearchHref | None = None) -> GeneratedPage:
    """Return a country page: name, codes, region, count, briefs by theme."""
    url = Linker(country_path(country.alpha3))
    briefs = index.by_country.get(country.alpha3, [])
    regions = regions_of(country.alpha3, index)
    where = [esc(country.continent)] + [
        f'<a href="{url(region_path(r.id))}">{esc(r.title)}</a>' for r in regions]
    bundle = downloads.get(country_bundle_key(country.alpha3)) or downloads.get(
        f"bundle:country:{country.alpha3}")
    head = (
        '<header class="page-header"><p class="kicker">Country</p>'
        f"<h1>{esc(country.name)}</h1>"
        '<dl class="page-facts">'
        f"<div><dt>ISO codes</dt><dd>{esc(country.alpha3)} · {esc(country.alpha2)}</dd></div>"
        f"<div><dt>Region</dt><dd>{', '.join(where)}</dd></div>"
        f"<div><dt>Briefs</dt><dd>{len(briefs)}</dd></div></dl>"
        f'<p class="page-stats">{feed_link(country_feed_path(country.alpha3), url)}</p>'
        # Hook for issue 6: "search within this country".
        + search_link(search_href, "country", country.alpha3, f"Search within {country.name}", url)
        # Hook for issue 5: the country's print pack.
        + download_link(bundle, url, "download bundle")
        + "</header>"
    )
    listing = ('<section aria-labelledby="country-briefs"><h2 id="country-briefs">Briefs, newest '
               f"first</h2>{brief_cards(briefs, url, 3)}</section>")
    meta = front_matter(country.name, description=f"Briefs on {country.name}",
                        hide=["navigation", "toc"], feed=country_feed_path(country.alpha3))
    return html_page(meta, head, listing, _by_theme(briefs, index, url))


def _by_theme(briefs: list[Brief], index: Index, url: Linker) -> str:
    """Return the country's briefs grouped under each of their themes (vocabulary order)."""
    by_theme: dict[str, list[Brief]] = defaultdict(list)
    for brief in briefs:
        for theme_id in brief.themes:
            by_theme[theme_id].append(brief)
    groups = []
    for theme in index.corpus.themes.values():
        if theme.id not in by_theme:
            continue
        items = "".join(
            f'<li><a href="{url(brief_path(b.slug))}">{esc(b.title)}</a> '
            f'<span class="brief-list-meta">{time_tag(b.date)}</span></li>'
            for b in by_theme[theme.id])
        groups.append(
            f'<div class="theme-group" id="theme-{esc(theme.id)}">'
            f'<h3><a href="{url(theme_path(theme.id))}">{esc(theme.title)}</a> '
            f'<span class="count">{len(by_theme[theme.id])}</span></h3>'
            f'<ul class="brief-list">{items}</ul></div>')
    return ('<section aria-labelledby="country-themes"><h2 id="country-themes">By theme</h2>'
            f'<div class="theme-groups">{"".join(groups)}</div></section>')


def render_countries_index(index: Index) -> GeneratedPage:
    """Return the A–Z country index with counts, grouped by continent."""
    url = Linker("countries/")
    groups: dict[str, list[Country]] = defaultdict(list)
    for country in index.countries():
        groups[country.continent].append(country)
    continents = [c for c in CONTINENTS if c in groups] + sorted(set(groups) - set(CONTINENTS))
    sections = []
    for continent in continents:
        items = "".join(
            f'<li><a href="{url(country_path(c.alpha3))}">{esc(c.name)}</a> '
            f'<span class="count" aria-label="{plural(len(index.by_country[c.alpha3]), "brief")}">'
            f"{len(index.by_country[c.alpha3])}</span></li>" for c in groups[continent])
        anchor = esc(continent.lower().replace(" ", "-"))
        sections.append(
            f'<section class="continent" aria-labelledby="{anchor}">'
            f'<h2 id="{anchor}">{esc(continent)} <span class="count">{len(groups[continent])}'
            f'</span></h2><ul class="country-list az">{items}</ul></section>')
    n = len(index.by_country)
    head = ('<header class="page-header"><h1>Countries</h1>'
            f'<p class="lead">{plural(n, "country", "countries")} have briefs, A–Z by continent; '
            "the number is the count of briefs.</p></header>")
    regions = "".join(f'<li><a href="{url(region_path(r.id))}">{esc(r.title)}</a></li>'
                      for r in index.corpus.regions.values())
    regions_html = ('<section aria-labelledby="regions"><h2 id="regions">Regions</h2>'
                    f'<ul class="country-list">{regions}</ul></section>') if regions else ""
    return html_page(front_matter("Countries", hide=["navigation"]), head, *sections, regions_html)


def render_region_page(region: Region, index: Index) -> GeneratedPage:
    """Return a region page: member countries and their briefs."""
    url = Linker(region_path(region.id))
    briefs = index.by_region.get(region.id, [])
    members = "".join(
        (f'<li><a href="{url(country_path(code))}">{esc(get_country(code).name)}</a> '
         f'<span class="count">{len(index.by_country[code])}</span></li>')
        if code in index.by_country else f"<li>{esc(get_country(code).name)}</li>"
        for code in sorted(region.countries, key=lambda c: get_country(c).name))
    head = ('<header class="page-header"><p class="kicker">Region</p>'
            f"<h1>{esc(region.title)}</h1>"
            + (f'<p class="lead">{esc(region.description)}</p>' if region.description else "")
            + f'<p class="page-stats">{plural(len(briefs), "brief")}</p></header>')
    members_html = ('<section aria-labelledby="members"><h2 id="members">Member countries</h2>'
                    f'<ul class="country-list">{members}</ul></section>') if members else ""
    listing = ('<section aria-labelledby="region-briefs"><h2 id="region-briefs">Briefs, newest '
               "first</h2>" + (brief_cards(briefs, url, 3) if briefs else
                               "<p>No briefs for this region yet.</p>") + "</section>")
    meta = front_matter(region.title, hide=["navigation", "toc"])
    return html_page(meta, head, members_html, listing)
