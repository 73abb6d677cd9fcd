"""Static, inline-SVG world map shaded by the number of briefs per country.

The shapes come from ``site_builder/data/world-110m.json`` (Natural Earth 1:110m, public
domain, via the npm package world-atlas; regenerate with ``tools/make_world_map.py``),
already projected (Equal Earth) and simplified. The output needs no JavaScript, no
remote resources and no external stylesheet besides :data:`WORLD_MAP_CSS`.

Shading classes (``cb-map__n0`` … ``cb-map__n4``):

====== =========
class  briefs
====== =========
n0     none
n1     1
n2     2
n3     3–4
n4     5 or more
====== =========

Accessibility: each country with briefs is an ``<a>`` with an ``aria-label`` such as
"Mozambique: 3 briefs" (and a ``<title>`` for the hover tooltip); shapes without briefs
are hidden from assistive technology; the legend is HTML text, so the shading is never
the only carrier of the information. Countries too small to see at 1:110m (Cabo Verde,
Mauritius, Malta, …) are drawn as small circles ("markers"); when such a country also
has a tiny shape, only the marker is a link. Shapes without an ISO code in Natural Earth
(Kosovo, N. Cyprus, Somaliland) are drawn but never linked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from html import escape
from importlib.resources import files
from typing import Any

DATA_RESOURCE = "data/world-110m.json"

#: (class suffix, lowest count, legend label) for each shading step.
STEPS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "No briefs"),
    (1, 1, "1 brief"),
    (2, 2, "2 briefs"),
    (3, 3, "3–4 briefs"),
    (4, 5, "5 or more briefs"),
)

#: Fill colours: grey for none, then a blue sequential scale (after ColorBrewer "Blues")
#: with roughly even luminance steps (contrast ratio 1.4 between none and 1 brief, about
#: 1.9–2.0 between the blue steps; the legend and labels carry the numbers as text too).
PALETTE: tuple[str, ...] = ("#e3e6ea", "#9ecae1", "#4292c6", "#1d5fa6", "#08306b")

MARKER_RADIUS = 2.2
MARKER_RADIUS_LINKED = 4.0


def _css() -> str:
    fills = "".join(
        f".cb-map__n{i}{{fill:{c}}}.cb-map__swatch.cb-map__n{i}{{background:{c}}}"
        for i, c in enumerate(PALETTE)
    )
    return (
        ".cb-map{margin:1em 0;padding:.6em .8em;background:#fff;color:#1f2933;"
        "border:1px solid #d5dae0;border-radius:4px}"
        ".cb-map svg{display:block;width:100%;height:auto;max-height:70vh}"
        ".cb-map path{stroke:#fff;stroke-width:.4;stroke-linejoin:round;fill-rule:evenodd}"
        ".cb-map circle{stroke:#fff;stroke-width:.8}"
        ".cb-map circle.cb-map__n0{stroke:#9aa5b1;stroke-width:.5}"
        ".cb-map a{cursor:pointer}"
        ".cb-map a:hover path,.cb-map a:hover circle{fill:#f2a33a;stroke:#1f2933;stroke-width:.8}"
        ".cb-map a:focus{outline:none}"
        ".cb-map a:focus-visible path,.cb-map a:focus-visible circle"
        "{fill:#f2a33a;stroke:#000;stroke-width:1.6}"
        ".cb-map a:focus-visible{outline:3px solid #b35c00;outline-offset:1px}"
        ".cb-map__legend{display:flex;flex-wrap:wrap;gap:.3em 1.2em;list-style:none;"
        "margin:.5em 0 0;padding:0;font-size:.85em;color:#1f2933}"
        ".cb-map__legend li{display:flex;align-items:center;gap:.4em;margin:0}"
        ".cb-map__swatch{display:inline-block;width:1.1em;height:1.1em;"
        "border:1px solid #52606d;border-radius:2px;forced-color-adjust:none}"
        ".cb-map figcaption{margin-top:.4em;font-size:.8em;color:#3e4c59}"
        + fills
        + "@media (forced-colors:active){.cb-map path{stroke:CanvasText}"
        ".cb-map a path,.cb-map a circle{fill:LinkText}}"
    )


#: Stylesheet for the map: fills, legend, hover and keyboard-focus styles. The figure
#: has its own light panel so the legend text keeps AA contrast in dark colour schemes.
WORLD_MAP_CSS: str = _css()

ATTRIBUTION = (
    "Boundaries: Made with Natural Earth (public domain), 1:110m, via the world-atlas "
    "package; simplified. Boundaries and names shown do not imply endorsement."
)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """Load the projected map data once."""
    text = (files("site_builder") / DATA_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def countries_on_map() -> frozenset[str]:
    """Return the alpha-3 codes the map can show (as a shape or as a marker)."""
    data = _data()
    return frozenset(
        [c["id"] for c in data["countries"] if c["id"]] + [m["id"] for m in data["markers"]]
    )


def step(count: int) -> int:
    """Return the shading step (0–4) for a number of briefs."""
    for index, lowest, _label in reversed(STEPS):
        if count >= lowest:
            return index
    return 0


def _label(name: str, count: int) -> str:
    return f"{name}: {count} brief{'' if count == 1 else 's'}"


def _link(href: str, label: str, shape: str) -> str:
    a = escape(label)
    return f'<a href="{escape(href)}" aria-label="{a}"><title>{a}</title>{shape}</a>'


def render_world_map(
    counts: Mapping[str, int],
    href: Callable[[str], str],
    names: Mapping[str, str] | None = None,
    *,
    title: str = "Number of briefs per country",
    map_id: str = "world-map",
) -> str:
    """Return an inline ``<figure class="cb-map">`` with the shaded SVG world map.

    ``counts`` maps upper-case ISO alpha-3 codes to numbers of briefs; ``href(code)`` gives
    the link target for a country with briefs (called with the upper-case code);
    ``names`` maps alpha-3 codes to display names (default: the Natural Earth short
    name). ``map_id`` prefixes the ids of the SVG title, description and legend, so use
    distinct values for two maps on one page (the figure itself gets no ``id``). The
    result is a single line of well-formed XML/HTML and is deterministic.
    """
    data = _data()
    names = names or {}
    n = {code.upper(): max(int(v), 0) for code, v in counts.items()}
    marker_ids = {m["id"] for m in data["markers"]}

    def name_of(code: str, fallback: str) -> str:
        return names.get(code) or fallback

    shapes: list[str] = []
    for country in data["countries"]:
        code, d = country["id"], country["d"]
        count = n.get(code, 0) if code else 0
        path = f'<path class="cb-map__n{step(count)}" d="{d}"/>'
        if count and code not in marker_ids:
            shapes.append(_link(href(code), _label(name_of(code, country["name"]), count), path))
        else:
            shapes.append(f'<path class="cb-map__n{step(count)}" aria-hidden="true" d="{d}"/>')

    markers: list[str] = []
    for marker in data["markers"]:
        code = marker["id"]
        count = n.get(code, 0)
        r = MARKER_RADIUS_LINKED if count else MARKER_RADIUS
        circle = (
            f'<circle class="cb-map__n{step(count)}" cx="{marker["x"]}" cy="{marker["y"]}" r="{r}"'
        )
        if count:
            label = _label(name_of(code, marker["name"]), count)
            markers.append(_link(href(code), label, circle + "/>"))
        else:
            markers.append(circle + ' aria-hidden="true"/>')

    shown = sorted(code for code, v in n.items() if v and code in countries_on_map())
    desc = (
        f"World map shading {len(shown)} "
        f"{'country' if len(shown) == 1 else 'countries'} by number of briefs; "
        "each shaded country links to its page. Small countries are drawn as circles."
    )
    tid, did, lid = (escape(f"{map_id}-{s}") for s in ("title", "desc", "legend"))
    legend = "".join(
        f'<li><span class="cb-map__swatch cb-map__n{i}" aria-hidden="true"></span>'
        f"{escape(label)}</li>"
        for i, _lowest, label in STEPS
    )
    return (
        '<figure class="cb-map">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{data["viewBox"]}" '
        f'width="{data["width"]}" height="{data["height"]}" role="group" '
        f'aria-labelledby="{tid}" aria-describedby="{did}">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
        f'<g class="cb-map__countries">{"".join(shapes)}</g>'
        f'<g class="cb-map__markers">{"".join(markers)}</g>'
        "</svg>"
        f'<ul class="cb-map__legend" id="{lid}" aria-label="{escape(title)}: legend">{legend}</ul>'
        f"<figcaption>{escape(ATTRIBUTION)}</figcaption>"
        "</figure>"
    )
