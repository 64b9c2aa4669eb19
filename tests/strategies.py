"""Hypothesis strategies that build random *valid* scenarios.

Scenarios are built as plain dicts (the YAML shape) and validated through the public model, so
the strategies also exercise the schema. Sizes stay small to keep runs fast.

Two families:

- :func:`scenario_dicts` / :func:`random_scenarios`: free shapes (empty zones, no shelters, odd
  fleets) under a wind-only typhoon; they fuzz the schema and the engine's edge cases.
- :func:`scenarios_any_hazard` (and :func:`typhoon_scenarios`, :func:`flood_scenarios`,
  :func:`earthquake_scenarios`): built on the demo scenarios (``scenarios/demo_*.yaml``) as
  templates, with harm forced on: a typhoon with storm surge over low seawalls, rain, flash floods
  and landslides; a flood with rain, flash floods, waterlogging and a river; an earthquake with
  shaking and aftershocks. A random subset of zones (at least two), populations scaled down,
  shelters shrunk until they fill, fleets, stock tiers, agreements and teams resized or dropped.

:func:`record_hard_cases` tells hypothesis (``event``) which hard cases a run reached, so that
``pytest --hypothesis-show-statistics`` shows how often shelters filled, stock ran out, people
died or were trapped, roads closed and aftershocks struck.
"""

from __future__ import annotations

import copy
import functools
import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import event
from hypothesis import strategies as st

from sim.scenario.schema import Scenario

__all__ = ["HAZARDS", "any_scenarios", "earthquake_scenarios", "flood_scenarios",
           "hazard_dicts", "random_scenarios", "record_hard_cases", "scenario_dicts", "scenarios",
           "scenarios_any_hazard", "seeds", "typhoon_scenarios"]

ROOT = Path(__file__).resolve().parents[1]

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def _frac(draw: Any, lo: float = 0.0, hi: float = 1.0) -> Any:
    """A fraction: fixed or uniform."""
    a = draw(st.floats(lo, hi, allow_nan=False))
    if draw(st.booleans()):
        return round(a, 3)
    b = draw(st.floats(lo, hi, allow_nan=False))
    lo_, hi_ = sorted((a, b))
    if hi_ - lo_ < 1e-3:
        return round(lo_, 3)
    return {"dist": "uniform", "low": lo_, "high": hi_}


@st.composite
def scenario_dicts(draw: Any, max_zones: int = 4) -> dict[str, Any]:
    """A random valid scenario in its YAML (dict) form."""
    nz = draw(st.integers(1, max_zones))
    zones = []
    for i in range(nz):
        pop = draw(st.integers(0, 20_000))
        zones.append({
            "name": f"z{i}",
            "population": pop,
            "households": draw(st.integers(0, pop)) if pop else 0,
            "lon": 120.0 + draw(st.floats(0, 0.6)),
            "lat": 27.5 + draw(st.floats(0, 0.6)),
            "evacuation_share": _frac(draw),
        })
    zone_names = [z["name"] for z in zones]
    shelters = []
    for i in range(draw(st.integers(0, 4))):
        sh: dict[str, Any] = {"name": f"s{i}", "zone": draw(st.sampled_from(zone_names)),
                              "opening_delay_h": draw(st.floats(0, 6))}
        kind = draw(st.integers(0, 2))
        if kind in (0, 2):
            sh["capacity"] = draw(st.integers(1, 3000))
        if kind in (1, 2):
            sh["usable_area_m2"] = draw(st.floats(10, 5000))
        if draw(st.booleans()):
            sh["prepositioned"] = {"quilt": draw(st.integers(0, 500))}
        shelters.append(sh)
    points = []
    for i in range(draw(st.integers(0, 3))):
        points.append({
            "name": f"p{i}", "tier": draw(st.sampled_from(["city", "county", "township"])),
            "zone": draw(st.sampled_from(zone_names)),
            "items": {"meal": draw(st.integers(0, 60_000)), "water_l": draw(st.integers(0, 60_000)),
                      "quilt": draw(st.integers(0, 10_000))},
            "loading_h": draw(st.floats(0, 2)),
        })
    vehicles: list[dict[str, Any]] = []
    for i, p in enumerate(points):
        if draw(st.booleans()):
            vehicles.append({"name": f"t{i}", "kind": "truck", "base": p["name"],
                             "count": draw(st.integers(0, 6)),
                             "capacity_kg": draw(st.floats(200, 8000)),
                             "speed_kmh": draw(st.floats(10, 80))})
    for i in range(draw(st.integers(0, 2))):
        vehicles.append({"name": f"b{i}", "kind": "bus", "base": draw(st.sampled_from(zone_names)),
                         "count": draw(st.integers(1, 4)),
                         "capacity_persons": draw(st.integers(5, 60))})
    lead_hi = draw(st.floats(1, 30))
    start = -float(int(lead_hi) + 2)
    spread = draw(st.floats(0.5, 8))
    return {
        "name": "random",
        "time": {"start_h": start, "end_h": draw(st.floats(6, 60)),
                 "record_every_h": draw(st.sampled_from([0.5, 1.0, 2.0]))},
        "items": {"meal": {"unit": "meal", "kg_per_unit": 0.5},
                  "water_l": {"unit": "L", "kg_per_unit": 1.0},
                  "quilt": {"unit": "piece", "kg_per_unit": 2.5}},
        "needs": {"meal": {"per_day": 3}, "water_l": {"per_day": draw(st.floats(0.5, 15))},
                  "quilt": {"once": 1}},
        "zones": zones,
        "travel": {"variability_sigma": draw(st.floats(0, 0.5))},
        "shelters": shelters,
        "stock_points": points,
        "vehicles": vehicles,
        "hazard": {
            "type": "typhoon",
            "pack": "typhoon_china",
            "landfall": {"lon": 120.3, "lat": 27.8},
            "coast_bearing_deg": 30,
            "landfall_offset_km": {"dist": "normal", "mean": 0, "sd": 40},
            "heading_deg": {"dist": "uniform", "low": 270, "high": 330},
            "translation_speed_kmh": {"dist": "uniform", "low": 10, "high": 30},
            "max_wind_ms": {"dist": "uniform", "low": 30, "high": 70},
            "rmw_km": {"dist": "uniform", "low": 10, "high": 60},
            "holland_b": {"dist": "uniform", "low": 1.0, "high": 2.5},
            "road_reopen_after_h": draw(st.floats(0, 12)),
            "road_closure_wind_ms": draw(st.floats(15, 60)),
            "warning_lead_h": {"dist": "uniform", "low": 0.0, "high": lead_hi},
            "damage": {"v_thresh_ms": 25.7, "v_half_ms": draw(st.floats(40, 120)),
                       "displaced_per_damage": draw(st.floats(0, 5))},
        },
        "response": {
            "warning": {"coverage": _frac(draw), "spread_h": spread},
            "evacuation": {"compliance": _frac(draw), "mobilisation_h": draw(st.floats(0, 6)),
                           "dispersed_share": _frac(draw), "transport_share": _frac(draw),
                           "return_after_h": draw(st.floats(0, 24))},
            "shelter": {"area_per_person_m2": draw(st.sampled_from([1.5, 3.5])),
                        "admission": draw(st.sampled_from(["stated_capacity", "area_standard"]))},
            "logistics": {"cover_days": draw(st.floats(0.5, 3)),
                          "dispersed_relief": draw(st.sampled_from(
                              ["hosts", "delivered", "none"])),
                          "handout_households_per_team_h": draw(st.floats(0.5, 60)),
                          "village_households": draw(st.one_of(st.none(),
                                                               st.floats(50, 5000)))},
        },
        "targets": [
            {"id": "relief", "kind": "relief_within", "hours": 10, "share": 0.95},
            {"id": "area", "kind": "shelter_area_per_person", "min_m2": 1.5},
            {"id": "stock", "kind": "stock_covers", "people": "displaced", "days": 3},
        ],
    }


def scenarios(max_zones: int = 4) -> st.SearchStrategy[Scenario]:
    """Free-shape valid :class:`Scenario` objects under a wind-only typhoon (see
    :func:`any_scenarios` for these and the three hazards with real harm)."""
    return scenario_dicts(max_zones).map(Scenario.model_validate)


random_scenarios = scenarios


def any_scenarios(max_zones: int = 4) -> st.SearchStrategy[Scenario]:
    """Any hazard with real harm (:func:`scenarios_any_hazard`) or a free shape
    (:func:`scenarios`), each of the four about as often."""
    return st.one_of(typhoon_scenarios(), flood_scenarios(), earthquake_scenarios(),
                     scenarios(max_zones))


# -- scenarios with real harm, built on the demo scenarios ---------------------------------------

HAZARDS = ("typhoon", "flood", "earthquake")
_TEMPLATES = {"typhoon": "demo_coastal_typhoon", "flood": "demo_flash_flood",
              "earthquake": "demo_earthquake"}


@functools.cache
def _template(hazard: str) -> dict[str, Any]:
    """The demo scenario of ``hazard`` as a plain dict (read once, copied on use)."""
    path = ROOT / "scenarios" / f"{_TEMPLATES[hazard]}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _scale(v: Any, k: float) -> int:
    """A quantity (a number, or a distribution's upper value) times ``k``, as a whole number."""
    return max(0, math.floor(_mid(v) * k))


def _keep_zones(d: dict[str, Any], keep: list[str]) -> None:
    """Drop every zone not in ``keep`` and everything that refers to a dropped zone."""
    ks = set(keep)
    d["zones"] = [z for z in d["zones"] if z["name"] in ks]
    d["shelters"] = [s for s in d.get("shelters", []) if s["zone"] in ks]
    d["stock_points"] = [p for p in d.get("stock_points", []) if p["zone"] in ks]
    points = {p["name"] for p in d["stock_points"]}
    d["vehicles"] = [v for v in d.get("vehicles", [])
                     if (v["base"] in points if v["kind"] == "truck" else v["base"] in ks)]
    d["teams"] = [t for t in d.get("teams", []) if t["base"] in ks]
    teams = {t["name"] for t in d["teams"]}
    for s in d["shelters"]:
        if s.get("staff_team") not in (None, *teams):
            del s["staff_team"]
    d["hospitals"] = [h for h in d.get("hospitals", []) if h["zone"] in ks]
    d["supplies"] = [s for s in d.get("supplies", []) if s["deliver_to"] in points]
    if "roads" in d:
        d["roads"]["links"] = [lk for lk in d["roads"]["links"]
                               if lk["a"] in ks and lk["b"] in ks]
        if not d["roads"]["links"]:
            del d["roads"]
    rain = d["hazard"].get("rain")
    if isinstance(rain, dict) and "zone_factor" in rain:
        rain["zone_factor"] = {k: v for k, v in rain["zone_factor"].items() if k in ks}


def _typhoon_harm(draw: Any, h: dict[str, Any], zones: list[dict[str, Any]]) -> None:
    """A strong typhoon landing close to the zones: gales, surge over low seawalls, heavy rain
    (flash floods, waterlogging, landslides)."""
    h["landfall_offset_km"] = draw(st.floats(-30, 30))
    h["max_wind_ms"] = draw(st.floats(42, 65))
    h["rmw_km"] = draw(st.floats(25, 60))
    h["warning_lead_h"] = draw(st.floats(0, 24))
    h["surge"] = {**h.get("surge", {}), "tide_m": draw(st.floats(0.5, 2.5))}
    h["rain"] = {**h.get("rain", {}), "factor": draw(st.floats(1.0, 3.0))}
    for z in zones:
        ex = z.get("exposure") or {}
        if "coast" in ex:  # a seawall low enough for the surge to top it
            ex["coast"] = {**ex["coast"], "seawall_crest_m": draw(st.floats(2.0, 5.0)),
                           "share": draw(st.floats(0.05, 0.7))}
        if draw(st.booleans()):  # hill slopes anywhere
            ex["landslide"] = {"share": draw(st.floats(0.005, 0.05))}
        z["exposure"] = ex


def _flood_harm(draw: Any, h: dict[str, Any], zones: list[dict[str, Any]]) -> None:
    """A heavy rainstorm (flash floods, waterlogging, landslides) and a river above its dikes."""
    h["warning_lead_h"] = draw(st.floats(0, 6))
    h["rain"] = {**h["rain"], "total_mm": draw(st.floats(120, 400)),
                 "duration_h": draw(st.floats(3, 24))}
    h["river"] = {"peak_level_m": draw(st.floats(0, 6)), "base_level_m": -4.0,
                  "rise_h": draw(st.floats(6, 18)), "fall_h": draw(st.floats(12, 36))}
    for z in zones:
        ex = z.get("exposure") or {}
        if draw(st.booleans()):
            # whole-hour lags: a lag off the 0.25 h grid can break the river model
            # (fuzhou_flood.yaml's river note)
            ex["river"] = {"ground_m": draw(st.floats(-2, 1)),
                           "levee_crest_m": draw(st.floats(1, 4)),
                           "lag_h": float(draw(st.integers(0, 24))),
                           "share": draw(st.floats(0.01, 0.4))}
        z["exposure"] = ex


def _earthquake_harm(draw: Any, h: dict[str, Any], zones: list[dict[str, Any]]) -> None:
    """A damaging shallow earthquake under or near the zones, with its aftershocks."""
    # the rupture starts under one zone and runs towards another, so that an aftershock along
    # the fault can shake the far zone harder than the mainshock did (an episode)
    at, to = draw(st.permutations(zones))[:2]
    h["epicentre"] = {"lon": at["lon"], "lat": at["lat"]}
    h["epicentre_east_km"] = draw(st.floats(-10, 10))
    h["epicentre_north_km"] = draw(st.floats(-10, 10))
    east = (to["lon"] - at["lon"]) * math.cos(math.radians(at["lat"]))
    h["strike_deg"] = math.degrees(math.atan2(east, to["lat"] - at["lat"])) % 360.0
    h["magnitude"] = draw(st.floats(6.8, 7.5))
    h["hour_of_day"] = draw(st.floats(0, 24))
    # a large aftershock (a small Båth gap) somewhere along a long rupture; only aftershocks of
    # M5.5 or more simulated, which keeps the sequence short enough for a property test
    h["aftershocks"] = {**h.get("aftershocks", {}), "delta_m": draw(st.floats(0.3, 0.8)),
                        "m_min": 5.5}


_HARM = {"typhoon": _typhoon_harm, "flood": _flood_harm, "earthquake": _earthquake_harm}


@st.composite
def hazard_dicts(draw: Any, hazard: str, max_zones: int = 6) -> dict[str, Any]:
    """A scenario dict with real harm from ``hazard``, built on that hazard's demo scenario."""
    d = copy.deepcopy(_template(hazard))
    d["name"] = f"random_{hazard}"
    names = [z["name"] for z in d["zones"]]
    n = draw(st.integers(2, min(max(max_zones, 2), len(names))))
    keep = sorted(draw(st.permutations(names))[:n], key=names.index)
    _keep_zones(d, keep)
    # people: fewer, so that small shelters and stocks matter and runs stay fast
    k_pop = draw(st.sampled_from([0.02, 0.1, 0.3, 1.0]))
    for z in d["zones"]:
        z["population"] = max(1, math.floor(z["population"] * k_pop))
        z["households"] = max(1, min(z["population"], math.floor(z["households"] * k_pop)))
    _HARM[hazard](draw, d["hazard"], d["zones"])
    # shelters small enough to fill (some kept near their size), some dropped
    k_sh = draw(st.sampled_from([0.005, 0.02, 0.1, 1.0]))
    d["shelters"] = [s for s in d["shelters"] if draw(st.integers(0, 3))]
    for s in d["shelters"]:
        if "capacity" in s:
            s["capacity"] = max(1, math.floor(s["capacity"] * k_sh))
        if "usable_area_m2" in s:
            s["usable_area_m2"] = max(1.0, s["usable_area_m2"] * k_sh)
    # stock tiers: every point's items scaled (down to empty)
    k_st = draw(st.sampled_from([0.0, 0.01, 0.1, 1.0, 3.0]))
    for p in d["stock_points"]:
        p["items"] = {i: _scale(q, k_st) for i, q in p["items"].items()}
    # fleets: counts from none to twice as many
    for v in d["vehicles"]:
        v["count"] = draw(st.integers(0, 2 * max(1, int(_mid(v["count"])))))
    # agreements and mutual aid: some dropped, amounts and lead times drawn
    d["supplies"] = [s for s in d["supplies"] if draw(st.booleans())]
    for s in d["supplies"]:
        s["lead_time_h"] = draw(st.floats(0, 24))
        s["items"] = {i: _scale(q, draw(st.sampled_from([0.01, 0.3, 1.0])))
                      for i, q in s["items"].items()}
    # teams: some dropped, the rest one to three of each
    d["teams"] = [t for t in d["teams"] if draw(st.integers(0, 3))]
    for t in d["teams"]:
        t["count"] = draw(st.integers(1, 3))
    teams = {t["name"] for t in d["teams"]}
    for s in d["shelters"]:
        if s.get("staff_team") not in (None, *teams):
            del s["staff_team"]
    r = d["response"]
    r["evacuation"]["compliance"] = draw(st.floats(0.0, 1.0))
    r["shelter"]["admission"] = draw(st.sampled_from(["stated_capacity", "area_standard"]))
    r["shelter"]["overflow"] = draw(st.sampled_from(["wait", "relatives"]))
    r["logistics"]["dispersed_relief"] = draw(st.sampled_from(["hosts", "delivered", "none"]))
    r["logistics"]["dispatch"] = draw(st.sampled_from(["nearest", "tiered"]))
    # the target kinds the demos lack, so that every kind is evaluated
    d["targets"] += [
        {"id": "warned_12h", "kind": "warning_reach_within", "share": 0.9,
         "hours": draw(st.floats(1, 24))},
        {"id": "warned_by_onset", "kind": "warning_reach_within", "share": 0.9, "by": "onset"},
        {"id": "in_place_10h", "kind": "supplies_in_place_within", "hours": 10, "share": 1.0},
        {"id": "teams_72h", "kind": "teams_suffice", "hours": 72, "share": 0.9,
         "team_kinds": [draw(st.sampled_from(["village", "township_semi_professional",
                                              "fire_rescue"]))]},
    ]
    return d


def _mid(v: Any) -> float:
    if isinstance(v, int | float):
        return float(v)
    if v.get("dist") == "choice":
        return float(max(v["values"]))
    return float(v.get("high", v.get("value", v.get("mean", 1))))


def typhoon_scenarios(max_zones: int = 5) -> st.SearchStrategy[Scenario]:
    """Typhoons with surge, rain, flash floods and landslides (demo_coastal_typhoon)."""
    return hazard_dicts("typhoon", max_zones).map(Scenario.model_validate)


def flood_scenarios(max_zones: int = 6) -> st.SearchStrategy[Scenario]:
    """Floods with rain, flash floods, waterlogging, landslides and a river (demo_flash_flood)."""
    return hazard_dicts("flood", max_zones).map(Scenario.model_validate)


def earthquake_scenarios(max_zones: int = 6) -> st.SearchStrategy[Scenario]:
    """Earthquakes with shaking and aftershocks (demo_earthquake)."""
    return hazard_dicts("earthquake", max_zones).map(Scenario.model_validate)


def scenarios_any_hazard(max_zones: int = 6) -> st.SearchStrategy[Scenario]:
    """Any of the three hazards with real harm: several zones, fleets, stock tiers, agreements,
    shelters small enough to fill, teams (see :func:`hazard_dicts`)."""
    return st.one_of(typhoon_scenarios(max_zones), flood_scenarios(max_zones),
                     earthquake_scenarios(max_zones))


def record_hard_cases(r: Any) -> None:
    """Record with ``hypothesis.event`` which hard cases the run ``r`` reached (each test that
    runs the engine calls it, so ``--hypothesis-show-statistics`` shows how often)."""
    from sim.response.ledger import State

    event(f"hazard: {r.impact.hazard}")
    for c in r.impact.components:
        event(f"mechanism: {c}")
    into = {s: 0 for s in State}
    for _t, _z, _a, b, n in r.transitions:
        into[State(b)] += n
    if into[State.killed]:
        event("deaths > 0")
    if into[State.trapped]:
        event("trapped people")
    if into[State.injured]:
        event("injured people")
    cap = list(r.shelter_capacity)
    if any(p >= c > 0 for p, c in zip(r.shelter_peak, cap, strict=True)):
        event("a shelter full")
    if any(r.metrics["first_stockout_h"].values()) or r.metrics["first_stockout_h"]:
        event("stock out")
    if r.metrics["backordered_units"] > 0:
        event("backorders")
    if any(z.roads_closed for z in r.impact.zones) or r.metrics["links_blocked"]:
        event("roads closed")
    if any(e.cause.startswith("aftershock") for e in r.impact.episodes):
        event("aftershock episodes")
    if r.metrics["unplaced_peak"] > 0:
        event("people waiting unplaced")
    if r.metrics["supplies_delivered"]:
        event("agreement or mutual-aid delivery")
