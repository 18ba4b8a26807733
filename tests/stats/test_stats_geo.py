"""The offline district layer tiles the city: cells are disjoint Voronoi cells that hold their centres."""

from __future__ import annotations

from campusguard.stats.geo import buffered_hull, convex_hull, districts_geojson


def _inside(pt: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def test_hull() -> None:
    pts = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.5)]
    assert sorted(convex_hull(pts)) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    assert len(buffered_hull([(1.0, 1.0)], 0.1)) == 4


def test_each_school_lies_in_one_cell_and_centres_in_own() -> None:
    districts = {
        1: ("南山区", [(113.93, 22.53), (113.95, 22.55), (113.92, 22.50)]),
        2: ("福田区", [(114.05, 22.54), (114.06, 22.55)]),
        3: ("龙岗区", [(114.25, 22.72), (114.27, 22.70), (114.22, 22.69)]),
        4: ("宝安区", [(113.88, 22.60), (113.86, 22.70)]),
    }
    fc = districts_geojson(districts)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 4
    rings = {f["id"]: f["geometry"]["coordinates"][0] for f in fc["features"]}
    for f in fc["features"]:
        assert _inside(tuple(f["properties"]["center"]), rings[f["id"]])
        assert f["geometry"]["coordinates"][0][0] == f["geometry"]["coordinates"][0][-1]
    for _, (_, pts) in districts.items():
        for p in pts:
            assert sum(_inside(p, ring) for ring in rings.values()) == 1
