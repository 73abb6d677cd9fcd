"""Regenerate ``site_builder/data/world-110m.json`` from the npm package ``world-atlas``.

Usage::

    npm pack world-atlas@2 && tar xzf world-atlas-*.tgz
    python tools/make_world_map.py package/countries-110m.json package/countries-50m.json \
        package/countries-10m.json

The third file (1:10m) is optional; it only supplies markers for the few ISO countries
missing even from 1:50m (Tuvalu, Gibraltar). world-atlas (ISC licence, Mike Bostock) packages the Natural Earth admin-0 countries
(public domain) as TopoJSON; see ``site_builder/data/NATURAL_EARTH.txt``.

What the script does, in pure Python:

* decodes the TopoJSON (delta-encoded quantized arcs, ``transform``; a negative arc index
  ``i`` stands for arc ``~i`` reversed);
* maps the ISO 3166-1 numeric ``id`` to alpha-3 with pycountry;
* drops Antarctica (010);
* projects with the Equal Earth projection (Šavrič, Patterson & Jenny 2018) and fits the
  result into ``viewBox="0 0 1000 H"``;
* simplifies each *arc* (not each ring, so that neighbours keep sharing the same border)
  with Douglas–Peucker at ``TOLERANCE`` px, rounds to one decimal, drops rings smaller
  than ``MIN_RING_AREA`` px², and writes compact relative SVG path data;
* adds a *marker* (a point for a small circle) for each country that is absent from the
  1:110m map or smaller than ``MARKER_AREA`` px² on it but present at 1:50m: the
  projected centroid of its largest 1:50m polygon; with the 1:10m file, the same for ISO
  countries that 1:50m lacks too.

Features without a numeric id (Kosovo, N. Cyprus, Somaliland at 1:110m) are kept as
shapes with ``"id": null`` so the map has no holes; the renderer never links them.
The output is deterministic: entries sorted by id, compact JSON.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pycountry

Point = tuple[float, float]
Ring = list[Point]

WIDTH = 1000.0
PADDING = 2.0
TOLERANCE = 0.35  # Douglas–Peucker tolerance in output px
MIN_RING_AREA = 1.0  # px²; smaller rings are dropped
MARKER_AREA = 6.0  # px²; countries smaller than this on the 110m map also get a marker
ANTARCTICA = "010"
SOURCE = "Natural Earth 1:110m (public domain) via world-atlas {version}"

# Equal Earth constants.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> Point:
    """Project longitude/latitude in degrees with Equal Earth (unit sphere, y up)."""
    lam = math.radians(lon)
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decode_arcs(topo: dict) -> list[list[Point]]:
    """Return the arcs as lists of (lon, lat), undoing quantization and delta encoding."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    """Return a geometry's polygons, each a list of rings of arc indexes."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def stitch(ring: Sequence[int], arcs: Sequence[Sequence[Point]]) -> Ring:
    """Join the arcs of a ring; consecutive arcs share their end/start point."""
    points: Ring = []
    for index in ring:
        arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def ring_area(ring: Sequence[Point]) -> float:
    """Signed shoelace area."""
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def ring_centroid(ring: Sequence[Point]) -> Point:
    """Area centroid of a simple polygon ring."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * a), cy / (3 * a)


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[bool]:
    """Return which points of a polyline to keep (both ends always; iterative)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)] if len(points) > 2 else []
    tol2 = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        best, best_d2 = -1, tol2
        for i in range(first + 1, last):
            px, py = points[i]
            if seg2 == 0:
                d2 = (px - ax) ** 2 + (py - ay) ** 2
            else:
                d2 = (dx * (ay - py) - dy * (ax - px)) ** 2 / seg2
            if d2 > best_d2:
                best, best_d2 = i, d2
        if best >= 0:
            keep[best] = True
            stack.extend([(first, best), (best, last)])
    return keep


def clip(ring: Sequence[Point], edge: float, keep_left: bool) -> Ring:
    """Sutherland–Hodgman clip of a closed ring against the meridian ``lon = edge``."""

    def inside(p: Point) -> bool:
        return p[0] <= edge if keep_left else p[0] >= edge

    out: Ring = []
    for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
        if inside(a) != inside(b):
            t = (edge - a[0]) / (b[0] - a[0])
            cross = (edge, a[1] + t * (b[1] - a[1]))
            out.extend([cross, b] if inside(b) else [cross])
        elif inside(b):
            out.append(b)
    return out


def split_antimeridian(ring: Sequence[Point]) -> list[Ring]:
    """Cut a lon/lat ring that jumps across ±180° into pieces that stay within ±180°.

    world-atlas stitches the rings Natural Earth cuts at the antimeridian (Fiji, Russia),
    so a ring can hop from 179.9° to -179.9°; projected as is, that hop draws a line
    across the whole map. The ring is unwrapped (longitudes made continuous), clipped at
    ±180° and the outer pieces are shifted back by 360°.
    """
    closed = list(ring) if ring[0] == ring[-1] else [*ring, ring[0]]
    if all(abs(b[0] - a[0]) <= 180 for a, b in itertools.pairwise(closed)):
        return [list(ring)]
    offset = 0.0
    unwrapped = [closed[0]]
    for a, b in itertools.pairwise(closed):
        if b[0] - a[0] > 180:
            offset -= 360
        elif b[0] - a[0] < -180:
            offset += 360
        unwrapped.append((b[0] + offset, b[1]))
    unwrapped.pop()  # the closing point; clip() closes rings implicitly
    if offset:
        raise SystemExit("ring winds around a pole; cannot cut it at the antimeridian")
    middle = clip(clip(unwrapped, 180, keep_left=True), -180, keep_left=False)
    east = [(x - 360, y) for x, y in clip(unwrapped, 180, keep_left=False)]
    west = [(x + 360, y) for x, y in clip(unwrapped, -180, keep_left=True)]
    return [piece for piece in (middle, east, west) if len(piece) >= 3]


def load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def package_version(path: str) -> str:
    """Return the world-atlas version from the package.json beside ``path`` ("2.x" if none)."""
    meta = Path(path).resolve().parent / "package.json"
    if meta.is_file():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("version") or "2.x")
    return "2.x"


def alpha3(numeric: str | None) -> str | None:
    if not numeric:
        return None
    country = pycountry.countries.get(numeric=numeric)
    return country.alpha_3 if country else None


def features(topo: dict) -> Iterable[tuple[str | None, str, dict]]:
    for geometry in topo["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA:
            continue
        yield geometry.get("id"), geometry["properties"]["name"], geometry


class Fit:
    """Affine fit of projected unit coordinates into ``0 0 WIDTH H`` (y down)."""

    def __init__(self, points: Iterable[Point]) -> None:
        xs, ys = zip(*points, strict=True)
        self.x0, self.y1 = min(xs), max(ys)
        self.k = (WIDTH - 2 * PADDING) / (max(xs) - self.x0)
        self.height = math.ceil((max(ys) - min(ys)) * self.k + 2 * PADDING)

    def __call__(self, p: Point) -> Point:
        return (PADDING + (p[0] - self.x0) * self.k, PADDING + (self.y1 - p[1]) * self.k)


def fmt(v: float) -> str:
    """Shortest decimal for a value rounded to one decimal ("-0" normalised)."""
    s = f"{round(v, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def path_data(rings: Sequence[Ring]) -> str:
    """Compact SVG path: absolute M for the first ring, relative after; relative l; z."""
    out: list[str] = []
    cur = (0.0, 0.0)
    for n, ring in enumerate(rings):
        # Work in tenths (integers) so relative steps accumulate without drift.
        pts = [(round(x * 10), round(y * 10)) for x, y in ring]
        dedup = [pts[0]]
        for p in pts[1:]:
            if p != dedup[-1]:
                dedup.append(p)
        if len(dedup) > 1 and dedup[-1] == dedup[0]:
            dedup.pop()
        if len(dedup) < 3:
            continue
        sx, sy = dedup[0]
        if n == 0 or not out:
            out.append(f"M{fmt(sx / 10)} {fmt(sy / 10)}")
        else:
            out.append(f"m{fmt((sx - cur[0]) / 10)} {fmt((sy - cur[1]) / 10)}")
        steps = []
        px, py = sx, sy
        for x, y in dedup[1:]:
            steps.append(f"{fmt((x - px) / 10)} {fmt((y - py) / 10)}")
            px, py = x, y
        out.append("l" + " ".join(steps).replace(" -", "-") + "z")
        cur = (sx, sy)  # after z the current point is the ring's start
    return "".join(out)


def build(path110: str, path50: str, path10: str | None = None) -> dict:
    topo110 = load(path110)
    arcs110 = decode_arcs(topo110)
    feats = list(features(topo110))
    used = {
        (i if i >= 0 else ~i)
        for _, _, g in feats
        for poly in polygons_of(g)
        for ring in poly
        for i in ring
    }
    # Width: the whole globe (±180° on the equator), so that markers near the antimeridian
    # (Tuvalu) stay inside; height: the land drawn (Antarctica dropped).
    extent = [(-180.0, 0.0), (180.0, 0.0), *(p for i in sorted(used) for p in arcs110[i])]
    fit = Fit(equal_earth(*p) for p in extent)

    def project(ring: Ring) -> Ring:
        return [fit(equal_earth(*p)) for p in ring]

    # Simplify each arc once (in output px), keeping its lon/lat points for the cut.
    arcs_ll: list[list[Point]] = []
    for i, arc in enumerate(arcs110):
        keep = douglas_peucker(project(arc), TOLERANCE) if i in used else []
        arcs_ll.append([p for p, k in zip(arc, keep, strict=True) if k] if i in used else [])

    def pieces(ring: Sequence[int], arcs: Sequence[Sequence[Point]]) -> list[Ring]:
        return [project(piece) for piece in split_antimeridian(stitch(ring, arcs))]

    countries = []
    area_of: dict[str, float] = {}
    for numeric, name, geometry in feats:
        code = alpha3(numeric)
        if numeric and code is None:
            raise SystemExit(f"unknown ISO numeric id {numeric} ({name})")
        rings: list[Ring] = []
        total = 0.0
        for poly in polygons_of(geometry):
            outers = [o for o in pieces(poly[0], arcs_ll) if abs(ring_area(o)) >= MIN_RING_AREA]
            if not outers:
                continue
            total += sum(abs(ring_area(o)) for o in outers)
            rings.extend(outers)
            rings.extend(
                hole
                for r in poly[1:]
                for hole in pieces(r, arcs_ll)
                if abs(ring_area(hole)) >= MIN_RING_AREA
            )
        if code:
            area_of[code] = total
        d = path_data(rings)
        if d:
            countries.append({"id": code, "name": name, "d": d})
    countries.sort(key=lambda c: (c["id"] is None, c["id"] or "", c["name"]))

    drawn = {c["id"] for c in countries if c["id"]}
    markers: list[dict] = []
    seen: set[str] = set()
    for path in [p for p in (path50, path10) if p]:
        topo = load(path)
        arcs = decode_arcs(topo)
        for numeric, name, geometry in features(topo):
            code = alpha3(numeric)
            if code is None or code in seen:
                continue
            if code in drawn and area_of.get(code, 0.0) >= MARKER_AREA:
                continue
            best: Ring = []
            best_area = -1.0
            for poly in polygons_of(geometry):
                for outer in pieces(poly[0], arcs):
                    area = abs(ring_area(outer))
                    if area > best_area:
                        best, best_area = outer, area
            if not best:
                continue
            x, y = ring_centroid(best)
            seen.add(code)
            markers.append({"id": code, "name": name, "x": round(x, 1), "y": round(y, 1)})
    markers.sort(key=lambda m: m["id"])

    return {
        "viewBox": f"0 0 {int(WIDTH)} {fit.height}",
        "width": int(WIDTH),
        "height": fit.height,
        "countries": countries,
        "markers": markers,
        "source": SOURCE.format(version=package_version(path110)),
    }


def main(argv: Sequence[str]) -> None:
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__)
    data = build(*argv)
    target = Path(__file__).resolve().parent.parent / "site_builder" / "data" / "world-110m.json"
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    target.write_text(text + "\n", encoding="utf-8")
    print(
        f"{target}: {len(text.encode())} bytes, {len(data['countries'])} shapes, "
        f"{len(data['markers'])} markers, viewBox {data['viewBox']}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
