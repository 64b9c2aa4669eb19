"""Build sim/data/geo/ from Natural Earth 10m land (the ``world-atlas`` TopoJSON redistribution).

Run once, by hand, where the npm package ``world-atlas@2.0.2`` (Natural Earth 4.1.0, public
domain) has been unpacked::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scenarios/tools/build_geo.py package/land-10m.json sim/data/geo/

It decodes the TopoJSON, clips the land to the box that holds the plans' jurisdictions with a
margin (:data:`BOX`), simplifies the rings (Douglas-Peucker, :data:`TOLERANCE` degrees) and
writes two small GeoJSON files: ``land.geojson`` (polygons, for the fill) and
``coastline.geojson`` (lines: the land's rings without the clipping box's edges).
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


def decode(topo: dict) -> list[list[list[Pt]]]:
    """Polygons (lists of rings) of the ``land`` object of a quantized TopoJSON."""
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

    def ring(ids: list[int]) -> list[Pt]:
        out: list[Pt] = []
        for i in ids:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    polys = []
    for geom in topo["objects"]["land"]["geometries"]:
        parts = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        polys.extend([ring(r) for r in part] for part in parts)
    return polys


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


def main(src: str, dest: str) -> None:
    """Write ``land.geojson`` and ``coastline.geojson`` into ``dest`` from TopoJSON ``src``."""
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


if __name__ == "__main__":
    main(*sys.argv[1:3])
