"""Footprint figure of one hazard realisation: intensity and expected outcomes per zone.

matplotlib is imported inside the function: the engine never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.hazards.impact import Impact
from sim.i18n import Lang, name_of, say, tr
from sim.report.cjk_font import localized
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_hazard_centre", "footprint_figure", "footprint_rows"]


def footprint_rows(scenario: Scenario, impact: Impact) -> list[dict[str, Any]]:
    """Per-zone figures of an Impact: intensity, depth, expected outcomes if nobody left.

    ``strikes`` lists each harmful mechanism with the hour it strikes the zone.
    """
    rows = []
    for z, zi in zip(scenario.zones, impact.zones, strict=True):
        n = z.population
        rows.append({
            "zone": z.name, "lon": z.lon, "lat": z.lat, "population": n,
            "onset_h": zi.onset_h, "intensity": zi.intensity, "depth_m": zi.depth_m,
            "displaced": zi.home_loss * n, "killed": zi.killed * n,
            "injured": sum(zi.injured) * n, "trapped": zi.trapped * n,
            "strikes": "; ".join(f"{s.cause} {s.time_h:+.2f} h" for s in zi.timeline()
                                 if s.harmful),
        })
    return rows


def draw_hazard_centre(ax: Axes, impact: Impact, lang: str = "en") -> None:
    """Mark the hazard's centre (a typhoon's landfall, an earthquake's epicentre) when known."""
    d = impact.details
    for lon_k, lat_k, mark, zh in (("landfall_lon", "landfall_lat", "landfall", "登陆点"),
                                   ("epicentre_lon", "epicentre_lat", "epicentre", "震中")):
        if lon_k in d and lat_k in d:
            ax.plot(d[lon_k], d[lat_k], marker="*", color="tab:blue", markersize=14, zorder=6)
            ax.annotate(zh if lang == "zh" else mark, (d[lon_k], d[lat_k]), color="tab:blue",
                        fontsize=8, zorder=6)


@localized
def footprint_figure(scenario: Scenario, impact: Impact, *, lang: Lang = "en") -> Figure:
    """A two-panel figure of one realisation.

    Left, a map of zones coloured by peak intensity (sized by population) with the hazard's
    centre when known; right, bars of expected displaced and killed per zone. With
    ``lang="zh"`` the labels are Chinese and zones are named by their ``name_zh`` where they
    have one.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rows = footprint_rows(scenario, impact)
    shown = {z.name: name_of(z, lang) for z in scenario.zones}
    fig, (ax_map, ax_bar) = plt.subplots(1, 2, figsize=(12, 5))
    pops = [r["population"] for r in rows]
    big = max(pops) if pops and max(pops) > 0 else 1
    sc = ax_map.scatter([r["lon"] for r in rows], [r["lat"] for r in rows],
                        c=[r["intensity"] for r in rows], s=[60 + 600 * p / big for p in pops],
                        cmap="magma_r", edgecolors="k")
    for r in rows:
        label = shown[r["zone"]] + (f"\n{r['depth_m']:.1f} m" if r["depth_m"] > 0 else "")
        ax_map.annotate(label, (r["lon"], r["lat"]), fontsize=8, xytext=(4, 4),
                        textcoords="offset points")
    draw_hazard_centre(ax_map, impact, lang)
    fig.colorbar(sc, ax=ax_map, label=impact.intensity_unit)
    ax_map.set_xlabel(tr("longitude", lang))
    ax_map.set_ylabel(tr("latitude", lang))
    ax_map.set_title(say(lang, f"{scenario.name}: {impact.hazard} footprint",
                         f"{scenario.name}：{tr(impact.hazard, lang)}影响范围"))
    x = range(len(rows))
    ax_bar.bar([i - 0.2 for i in x], [r["displaced"] for r in rows], width=0.4,
               label=say(lang, "displaced", "失去住所"))
    ax_bar.bar([i + 0.2 for i in x], [r["killed"] for r in rows], width=0.4,
               label=say(lang, "killed", "死亡"))
    ax_bar.set_yscale("symlog", linthresh=1.0)
    ax_bar.set_xticks(list(x), [shown[r["zone"]] for r in rows], rotation=30, ha="right")
    ax_bar.set_ylabel(say(lang, "expected people (if nobody left)", "预期人数（假设无人转移）"))
    ax_bar.legend()
    ax_bar.set_title(say(lang, "expected outcomes per zone", "各区域预期后果"))
    fig.tight_layout()
    return fig
