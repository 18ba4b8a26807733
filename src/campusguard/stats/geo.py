"""Offline district boundaries: Voronoi cells of district centres clipped to the city's hull.

The console's map must work without a tile server, so we ship a simplified vector layer generated from
the organisation's own school coordinates (good enough to colour districts and place school dots).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

Point = tuple[float, float]  # (lon, lat)


def convex_hull(points: Sequence[Point]) -> list[Point]:
    """Counter-clockwise hull (Andrew's monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def buffered_hull(points: Sequence[Point], margin: float) -> list[Point]:
    """Hull pushed outwards by `margin` degrees from its centroid (keeps edge schools inside)."""
    if not points:
        return []
    if len(set(points)) < 3:
        lon, lat = points[0]
        m = max(margin, 0.01)
        return [(lon - m, lat - m), (lon + m, lat - m), (lon + m, lat + m), (lon - m, lat + m)]
    hull = convex_hull(points)
    cx = sum(p[0] for p in hull) / len(hull)
    cy = sum(p[1] for p in hull) / len(hull)
    out: list[Point] = []
    for x, y in hull:
        d = math.hypot(x - cx, y - cy) or 1.0
        out.append((x + (x - cx) / d * margin, y + (y - cy) / d * margin))
    return out


def _clip(poly: list[Point], a: float, b: float, c: float) -> list[Point]:
    """Keep the part of `poly` where a*x + b*y <= c (Sutherland-Hodgman against one half-plane)."""
    out: list[Point] = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cells(sites: Mapping[Any, Point], outline: list[Point]) -> dict[Any, list[Point]]:
    """Voronoi cell of each site inside a convex outline (few sites, so O(n^2) half-planes is fine)."""
    cells: dict[Any, list[Point]] = {}
    for key, (x1, y1) in sites.items():
        poly = list(outline)
        for other, (x2, y2) in sites.items():
            if other == key or (x1, y1) == (x2, y2):
                continue
            # points closer to site 1 than site 2: (x2-x1)x + (y2-y1)y <= (|p2|^2 - |p1|^2) / 2
            poly = _clip(poly, x2 - x1, y2 - y1, (x2 * x2 + y2 * y2 - x1 * x1 - y1 * y1) / 2)
            if not poly:
                break
        cells[key] = poly
    return cells


def districts_geojson(
    districts: Mapping[Any, tuple[str, Sequence[Point]]], *, margin: float = 0.03, digits: int = 5
) -> dict[str, Any]:
    """FeatureCollection with one polygon per district: {id: (name, school points)}."""
    sites: dict[Any, Point] = {}
    every: list[Point] = []
    for key, (_, points) in districts.items():
        if points:
            sites[key] = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
            every.extend(points)
    outline = buffered_hull(every, margin)
    features = []
    for key, poly in voronoi_cells(sites, outline).items():
        if len(poly) < 3:
            continue
        ring = [[round(x, digits), round(y, digits)] for x, y in poly]
        ring.append(ring[0])
        features.append({
            "type": "Feature",
            "id": key,
            "properties": {"id": key, "name": districts[key][0],
                           "center": [round(sites[key][0], digits), round(sites[key][1], digits)]},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        })
    return {"type": "FeatureCollection", "features": features}


# Simplified, convex outline of Shenzhen (lon, lat), hand-drawn from public maps: enough to frame districts.
CITY_OUTLINE: list[Point] = [
    (113.76, 22.53), (113.84, 22.47), (114.00, 22.47), (114.22, 22.52), (114.45, 22.52),
    (114.62, 22.48), (114.63, 22.62), (114.50, 22.76), (114.30, 22.86), (114.05, 22.87),
    (113.86, 22.86), (113.75, 22.77),
]


def demo_city_layer() -> dict[str, Any]:
    """The demo city's district layer from the district centres of the org seed, clipped to the outline."""
    from campusguard.stats.democity import DISTRICTS

    sites = {code: (lon, lat) for code, _, lat, lon in DISTRICTS}
    names = {code: name for code, name, _, _ in DISTRICTS}
    features = []
    for code, poly in voronoi_cells(sites, CITY_OUTLINE).items():
        ring = [[round(x, 4), round(y, 4)] for x, y in poly]
        ring.append(ring[0])
        features.append({"type": "Feature", "id": code,
                         "properties": {"id": code, "name": names[code],
                                        "center": [sites[code][0], sites[code][1]]},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "name": "shenzhen-districts-simplified", "features": features}
