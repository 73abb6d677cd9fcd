"""Country pages (``countries/<iso3>/``), the countries index and region pages."""

from __future__ import annotations

from collections import defaultdict

from site_builder.country_names import sort_key
from site_builder.downloads import CountryPack
from site_builder.model import Brief, Country, Region, Theme
from site_builder.pages.base import GeneratedPage, SiteContext
from site_builder.vocabulary import CONTINENTS


def N_(message: str) -> str:
    """Mark a word for the catalogue; it is translated where it is shown."""
    return message


CONTINENT_WORDS = (N_("Africa"), N_("Americas"), N_("Asia"), N_("Europe"), N_("Oceania"),
                   N_("Other"))

def render_country_page(country: Country, site: SiteContext) -> GeneratedPage:
    """Return a country page: name, codes, region, count, briefs by theme."""
    index, words = site.index, site.templates
    briefs = index.by_country.get(country.alpha3, [])
    return site.page(
        "briefs/country.html", site.urls.country(country.alpha3), country.name,
        description=words.gettext("Briefs on %(country)s", country=country.name),
        feed=site.urls.country_feed(country.alpha3),
        country=country, continent=words.gettext(country.continent), briefs=briefs,
        regions=index.regions_of(country), by_theme=_by_theme(briefs, site),
        pack=site.pack(CountryPack(country.alpha3)),
        search_href=site.urls.search(country=country.name) if site.search else None,
    )


def _by_theme(briefs: list[Brief], site: SiteContext) -> list[tuple[Theme, list[Brief]]]:
    """Return the country's briefs grouped under each of their themes (vocabulary order)."""
    groups: dict[str, list[Brief]] = defaultdict(list)
    for brief in briefs:
        for theme_id in brief.theme_ids:
            groups[theme_id].append(brief)
    return [(theme, groups[theme.id]) for theme in site.index.corpus.themes.values()
            if theme.id in groups]


def render_countries_index(site: SiteContext) -> GeneratedPage:
    """Return the A–Z country index with counts, grouped by continent."""
    index, words = site.index, site.templates
    groups: dict[str, list[tuple[Country, int]]] = defaultdict(list)
    for country in index.countries():
        groups[country.continent].append((country, len(index.by_country[country.alpha3])))
    names = [c for c in CONTINENTS if c in groups] + sorted(set(groups) - set(CONTINENTS))
    continents = [(words.gettext(name), name.lower().replace(" ", "-"), groups[name])
                  for name in names]
    return site.page("briefs/countries.html", site.urls.countries(), words.gettext("Countries"),
                     hide=("navigation",), continents=continents,
                     n_countries=len(index.by_country),
                     regions=list(index.corpus.regions.values()))


def render_region_page(region: Region, site: SiteContext) -> GeneratedPage:
    """Return a region page: member countries and their briefs."""
    index = site.index
    members = [(c, len(index.by_country.get(c.alpha3, [])))
               for c in sorted(region.countries, key=lambda c: sort_key(c.name))]
    return site.page("briefs/region.html", site.urls.region(region.id), region.title,
                     description=region.description, region=region,
                     briefs=index.by_region.get(region.id, []), members=members)
