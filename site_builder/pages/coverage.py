"""The coverage page: which theme has briefs in which country (and the gaps), and a map."""

from __future__ import annotations

from site_builder.index import Index
from site_builder.pages.markup import (
    GeneratedPage,
    Linker,
    country_path,
    esc,
    front_matter,
    html_page,
    plural,
    theme_path,
)
from site_builder.pages.worldmap import render_world_map


def country_counts(index: Index) -> dict[str, int]:
    """Return the number of briefs per alpha-3 code."""
    return {code: len(briefs) for code, briefs in index.by_country.items()}


def country_names(index: Index) -> dict[str, str]:
    """Return the display name of every country that has briefs."""
    return {c.alpha3: c.name for c in index.countries()}


def world_map(index: Index, url: Linker, map_id: str) -> str:
    """Return the shaded world map figure linking each country to its page."""
    return render_world_map(country_counts(index), lambda code: url(country_path(code)),
                            country_names(index), title="Number of briefs by country",
                            map_id=map_id)


def render_coverage_page(index: Index) -> GeneratedPage:
    """Return the coverage page: theme × country matrix, gaps, world map."""
    url = Linker("coverage/")
    themes = list(index.corpus.themes.values())
    cells = index.coverage()
    header = "".join(
        f'<th scope="col" class="rot"><a href="{url(theme_path(t.id))}"><span>{esc(t.title)}'
        "</span></a></th>" for t in themes)
    rows = []
    for country in index.countries():
        tds = []
        for theme in themes:
            n = cells.get((theme.id, country.alpha3), 0)
            if n:
                tds.append(f'<td class="has"><a href="{url(country_path(country.alpha3))}#theme-'
                           f'{esc(theme.id)}" aria-label="{esc(theme.title)} in '
                           f'{esc(country.name)}: {plural(n, "brief")}">{n}</a></td>')
            else:
                tds.append('<td class="gap"><span class="sr-only">none</span></td>')
        rows.append(f'<tr><th scope="row"><a href="{url(country_path(country.alpha3))}">'
                    f"{esc(country.name)}</a></th>{''.join(tds)}</tr>")
    table = (
        '<div class="coverage-scroll" tabindex="0" role="region" '
        'aria-label="Theme by country table (scrolls sideways)">'
        '<table class="coverage-matrix"><caption>Briefs per theme and country; an empty cell '
        f'is a gap.</caption><thead><tr><th scope="col">Country</th>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    n_cells = len(themes) * len(index.by_country)
    gaps = n_cells - len(cells)
    gap_items = "".join(
        f'<li><a href="{url(theme_path(t.id))}">{esc(t.title)}</a>: '
        f"{_theme_reach(index, t.id)}</li>" for t in themes)
    head = (
        '<header class="page-header"><h1>Coverage</h1>'
        f'<p class="lead">{plural(len(index.briefs), "brief")} across '
        f'{plural(len(index.by_country), "country", "countries")} and '
        f'{plural(len(themes), "theme")}: {gaps} of {n_cells} theme–country pairs have no '
        "brief yet.</p></header>"
    )
    map_html = (
        '<section aria-labelledby="map"><h2 id="map">Map</h2>'
        + world_map(index, url, "coverage-map")  # its caption credits Natural Earth
        + "</section>"
    )
    reach = ('<section aria-labelledby="reach"><h2 id="reach">Countries per theme</h2>'
             f'<ul class="theme-reach">{gap_items}</ul></section>')
    matrix = ('<section aria-labelledby="matrix"><h2 id="matrix">Theme by country</h2>'
              f"{table}</section>")
    return html_page(front_matter("Coverage", hide=["navigation", "toc"]), head, map_html, matrix, reach)


def _theme_reach(index: Index, theme_id: str) -> str:
    countries = {c for b in index.by_theme.get(theme_id, []) for c in b.countries}
    n = len(countries)
    if not n:
        return "no briefs yet"
    return f"{plural(n, 'country', 'countries')}, {plural(len(index.by_theme[theme_id]), 'brief')}"
