"""Hypothesis strategies that build random *valid* scenarios.

Scenarios are built as plain dicts (the YAML shape) and validated through the public model, so
the strategies also exercise the schema. Sizes stay small to keep runs fast.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sim.scenario.schema import Scenario

__all__ = ["scenario_dicts", "scenarios", "seeds"]

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
    """Random valid :class:`Scenario` objects."""
    return scenario_dicts(max_zones).map(Scenario.model_validate)
