"""The coverage page: which theme has briefs in which country (and the gaps), and a map."""

from __future__ import annotations

from site_builder.index import Index
from site_builder.pages.base import GeneratedPage, SiteContext
from site_builder.pages.worldmap import STYLESHEET as MAP_STYLESHEET
from site_builder.pages.worldmap import WorldMap, world_map


def index_map(index: Index) -> WorldMap:
    """Return the world map shaded by the number of briefs of each country."""
    counts = {code: len(briefs) for code, briefs in index.by_country.items()}
    return world_map(counts, {c.alpha3: c.name for c in index.countries()})


def render_coverage_page(site: SiteContext) -> GeneratedPage:
    """Return the coverage page: theme × country matrix, gaps, world map."""
    index = site.index
    themes = list(index.corpus.themes.values())
    cells = index.coverage()
    rows = [(country, [cells.get((t.id, country.alpha3), 0) for t in themes])
            for country in index.countries()]
    reach = []
    for theme in themes:
        briefs = index.by_theme.get(theme.id, [])
        reach.append((theme, len({c for b in briefs for c in b.country_codes}), len(briefs)))
    n_cells = len(themes) * len(index.by_country)
    return site.page(
        "briefs/coverage.html", site.urls.coverage(), site.templates.gettext("Coverage"),
        stylesheets=(MAP_STYLESHEET,),
        themes=themes, rows=rows, reach=reach, n_briefs=len(index.briefs),
        n_countries=len(index.by_country), n_cells=n_cells, gaps=n_cells - len(cells),
        map=index_map(index),
    )
