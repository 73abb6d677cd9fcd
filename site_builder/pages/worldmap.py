"""Static, inline-SVG world map shaded by the number of briefs per country.

The shapes come from ``site_builder/data/world-110m.json`` (Natural Earth 1:110m, public
domain, via the npm package world-atlas; regenerate with ``tools/make_world_map.py``),
already projected (Equal Earth) and simplified. The output needs no JavaScript, no
remote resources and no stylesheet besides :data:`STYLESHEET`.
The markup is the template ``briefs/partials/worldmap.html``; this module computes
what it draws.

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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

DATA_RESOURCE = "data/world-110m.json"
STYLESHEET = "assets/stylesheets/worldmap.css"
"""The map's stylesheet (site path), linked only by the pages that show the map."""

#: (class suffix, lowest count) for each shading step; the legend's words are the template's.
STEPS: tuple[tuple[int, int], ...] = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 5))
MARKER_RADIUS = 2.2
MARKER_RADIUS_LINKED = 4.0


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
    for index, lowest in reversed(STEPS):
        if count >= lowest:
            return index
    return 0


@dataclass(frozen=True)
class Shape:
    """A country's shape or marker: its code (None when not linked), name, count and geometry."""

    code: str | None
    name: str
    count: int
    step: int
    d: str = ""  # path data of a shape
    x: float = 0.0  # centre of a marker
    y: float = 0.0
    r: float = 0.0


@dataclass(frozen=True)
class WorldMap:
    """What the map template draws."""

    view_box: str
    width: int
    height: int
    shapes: tuple[Shape, ...]
    markers: tuple[Shape, ...]
    shown: int  # countries shaded


def world_map(counts: Mapping[str, int], names: Mapping[str, str] | None = None) -> WorldMap:
    """Return the map of ``counts`` (upper-case alpha-3 code → briefs).

    ``names`` maps alpha-3 codes to display names (default: the Natural Earth short
    name). A shape or marker is linked (``code`` set) only for a country with briefs; a
    country with a marker is linked by its marker only.
    """
    data = _data()
    names = names or {}
    n = {code.upper(): max(int(v), 0) for code, v in counts.items()}
    marker_ids = {m["id"] for m in data["markers"]}
    shapes = []
    for country in data["countries"]:
        code = country["id"]
        count = n.get(code, 0) if code else 0
        linked = code if count and code not in marker_ids else None
        shapes.append(Shape(linked, names.get(code) or country["name"], count, step(count),
                            d=country["d"]))
    markers = []
    for marker in data["markers"]:
        code = marker["id"]
        count = n.get(code, 0)
        markers.append(Shape(code if count else None, names.get(code) or marker["name"], count,
                             step(count), x=marker["x"], y=marker["y"],
                             r=MARKER_RADIUS_LINKED if count else MARKER_RADIUS))
    shown = sum(1 for code, v in n.items() if v and code in countries_on_map())
    return WorldMap(data["viewBox"], data["width"], data["height"], tuple(shapes),
                    tuple(markers), shown)
