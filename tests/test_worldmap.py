"""The static SVG world map: data file sanity, links, classes, markers, determinism."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest

from site_builder.pages.worldmap import countries_on_map, step, world_map
from site_builder.templating import templates_for
from site_builder.theme_files import BUILTIN, ThemeFiles
from site_builder.urls import Linker

WORLD_MAP_CSS = (BUILTIN / "assets" / "stylesheets" / "worldmap.css").read_text(encoding="utf-8")


def render_world_map(counts: dict[str, int], href: object, names: dict[str, str],
                     map_id: str = "world-map") -> str:
    """Render the map partial the way the home and coverage pages do (links from the root)."""
    return templates_for(ThemeFiles(), "en").render(
        "briefs/partials/worldmap.html", "", map=world_map(counts, names), map_id=map_id,
        title="Number of briefs per country", url=Linker(""))

SVG = "{http://www.w3.org/2000/svg}"
COUNTS = {"MOZ": 3, "IND": 1, "CPV": 2}
NAMES = {"MOZ": "Mozambique", "IND": "India"}


def href(code: str) -> str:
    return f"countries/{code.lower()}/"


@pytest.fixture(scope="module")
def figure() -> ET.Element:
    return ET.fromstring(render_world_map(COUNTS, href, NAMES, map_id="m1"))


def links(figure: ET.Element) -> dict[str, ET.Element]:
    return {a.get("href"): a for a in figure.iter(f"{SVG}a")}


def test_data_file_is_sane() -> None:
    raw = (files("site_builder") / "data/world-110m.json").read_text(encoding="utf-8")
    assert "NaN" not in raw and "Infinity" not in raw
    data = json.loads(raw)
    assert len(data["countries"]) > 170
    ids = [c["id"] for c in data["countries"] if c["id"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert "ATA" not in ids
    assert {"MOZ", "IND", "BRA", "RUS", "FJI"} <= set(ids)
    assert {"CPV", "MUS", "TUV"} <= {m["id"] for m in data["markers"]}  # TUV: from 1:10m
    w, h = data["width"], data["height"]
    assert data["viewBox"] == f"0 0 {w} {h}"
    for m in data["markers"]:
        assert math.isfinite(m["x"]) and 0 <= m["x"] <= w and 0 <= m["y"] <= h
    assert all(c["d"].startswith("M") and "nan" not in c["d"].lower() for c in data["countries"])
    assert len(raw.encode()) < 150_000
    assert countries_on_map() >= {"MOZ", "CPV", "MUS"}


def test_linked_countries(figure: ET.Element) -> None:
    by_href = links(figure)
    assert set(by_href) == {"countries/moz/", "countries/ind/", "countries/cpv/"}
    moz = by_href["countries/moz/"]
    assert moz.get("aria-label") == "Mozambique: 3 briefs"
    assert moz.find(f"{SVG}title").text == "Mozambique: 3 briefs"
    assert moz.find(f"{SVG}path").get("class") == "cb-map__n3"
    ind = by_href["countries/ind/"]
    assert ind.get("aria-label") == "India: 1 brief"
    assert ind.find(f"{SVG}path").get("class") == "cb-map__n1"


def test_small_country_is_a_marker_link(figure: ET.Element) -> None:
    cpv = links(figure)["countries/cpv/"]
    circle = cpv.find(f"{SVG}circle")
    assert circle is not None and circle.get("class") == "cb-map__n2"
    assert cpv.get("aria-label") == "Cabo Verde: 2 briefs"  # name from the data file


def test_countries_without_briefs_are_not_links(figure: ET.Element) -> None:
    linked = {id(p) for a in figure.iter(f"{SVG}a") for p in a}
    plain = [p for p in figure.iter(f"{SVG}path") if id(p) not in linked]
    assert len(plain) > 160
    assert all(p.get("class") == "cb-map__n0" and p.get("aria-hidden") == "true" for p in plain)
    circles = [c for c in figure.iter(f"{SVG}circle") if id(c) not in linked]
    assert circles and all(c.get("class") == "cb-map__n0" for c in circles)


def test_figure_structure(figure: ET.Element) -> None:
    assert figure.tag == "figure" and figure.get("class") == "cb-map"
    svg = figure.find(f"{SVG}svg")
    assert svg.get("aria-labelledby") == "m1-title"
    assert svg.get("aria-describedby") == "m1-desc"
    assert svg.find(f"{SVG}title").get("id") == "m1-title"
    assert svg.find(f"{SVG}desc").get("id") == "m1-desc"
    legend = figure.find("ul")
    assert ["".join(li.itertext()) for li in legend] == [
        "No briefs",
        "1 brief",
        "2 briefs",
        "3–4 briefs",
        "5 or more briefs",
    ]
    assert "Natural Earth" in figure.find("figcaption").text


def test_deterministic_and_offline() -> None:
    a = render_world_map(COUNTS, href, NAMES)
    assert a == render_world_map(dict(reversed(COUNTS.items())), href, NAMES)
    assert "\n" not in a.strip()  # one line: no stray text nodes between the shapes
    assert a.count("http") == 1  # only the SVG namespace
    assert "http" not in WORLD_MAP_CSS and ".cb-map__n4" in WORLD_MAP_CSS


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (40, 4)]
)
def test_steps(count: int, expected: int) -> None:
    assert step(count) == expected
